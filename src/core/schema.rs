//! The one description of the database's record kinds: for each kind, the file it lives in,
//! its `[[table]]` name, the noun messages use, and its keys in the order the contract lists
//! them, each with whether it is required and the shape of its value.
//!
//! Everything that needs to know a kind's keys reads them here: the data parser (allowed keys,
//! unknown-key errors, how each value is checked), the writer of changes (which keys a record
//! writes, in which order, how), the catalog's lookups by kind, and the moderation forms. A new
//! optional key is one row of [`KINDS`]; a new kind is one more entry. This module names no
//! other module, so every other part of the core may depend on it.

/// A kind of record of the curated database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Speaker,
    Source,
    Quote,
    Fact,
    /// A topic of `topics.toml`: what a slug in `topics = [...]` names.
    Topic,
    /// A group of words of `synonyms.toml` that search reads for one another.
    Synonym,
}

/// The shape of a key's value: how the parser checks it and how the writer writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The record's id, a slug unique across the database.
    Id,
    /// A string that shows something (not empty, not only invisible characters).
    Text,
    /// An absolute http(s) URL.
    Url,
    /// A date at year, month or day precision.
    Date,
    /// One of a few words; the first is the default and is not written.
    OneOf(&'static [&'static str]),
    /// The id of a record of one of these kinds.
    Reference(&'static [Kind]),
    /// A list of ids of records of these kinds.
    References(&'static [Kind]),
    /// A list of strings.
    TextList,
    /// A list of at least two single words (no spaces), none twice.
    Words,
    /// A list of topic slugs.
    Topics,
    /// A typed figure: an inline table with the keys [`FIGURE_KEYS`].
    Figure,
    /// A finite number (integer or float).
    Number,
    /// A BCP 47 language tag ("en", "ko", "zh-Hant"), checked for its shape (RFC 5646).
    Language,
    /// A Wikidata item id: `Q` and digits ("Q123").
    WikidataId,
    /// A list of inline tables, each with these keys (checked by their own shapes; unknown
    /// keys inside are errors too): roles, appearances, translations.
    Tables(&'static [Key]),
}

/// One key of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub name: &'static str,
    pub required: bool,
    pub shape: Shape,
}

/// Everything about one kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSchema {
    pub kind: Kind,
    /// The file in the data directory: `speakers.toml`.
    pub file: &'static str,
    /// The array-of-tables name: `speaker` for `[[speaker]]`.
    pub table: &'static str,
    /// How messages name one record of the kind.
    pub noun: &'static str,
    /// The keys, in the order they are written and exported.
    pub keys: &'static [Key],
    /// Whether the file may be absent: a database without it is valid, and it is only created
    /// when a record of the kind is written.
    pub optional: bool,
    /// Whether the kind's ids are a namespace of their own. Records of the other kinds share
    /// one namespace (an id is unique across their files, and references name ids in it);
    /// topic slugs name what `topics = [...]` lists, not records, so a topic may share its
    /// slug with a record.
    pub own_ids: bool,
}

const fn required(name: &'static str, shape: Shape) -> Key {
    Key {
        name,
        required: true,
        shape,
    }
}

const fn optional(name: &'static str, shape: Shape) -> Key {
    Key {
        name,
        required: false,
        shape,
    }
}

/// The quote kinds as written in `kind = "..."`; the first is the default.
pub const QUOTE_KINDS: &[&str] = &["verbatim", "paraphrase"];

/// The keys of a fact's `figure = { ... }` inline table.
pub const FIGURE_KEYS: &[Key] = &[
    required("value", Shape::Number),
    optional("unit", Shape::Text),
    optional("qualifier", Shape::Text),
];

/// The words of `status = "..."` (quotes and facts); the first is the default.
pub const STATUSES: &[&str] = &["sourced", "verified", "disputed", "misattributed"];

/// The statuses that need a `status_note` saying why.
pub const STATUSES_NEEDING_A_NOTE: &[&str] = &["disputed", "misattributed"];

/// The keys of one of a speaker's `roles = [{ ... }]`: a title held from one date until
/// another (still held when `until` is left out).
pub const ROLE_KEYS: &[Key] = &[
    required("title", Shape::Text),
    required("from", Shape::Date),
    optional("until", Shape::Date),
];

/// The keys of one of a quote's or fact's `appearances = [{ ... }]`: a further source that
/// carries the same words.
pub const APPEARANCE_KEYS: &[Key] = &[
    required("source", Shape::Reference(&[Kind::Source])),
    optional("locator", Shape::Text),
    optional("date", Shape::Date),
];

/// The keys of one of a quote's or fact's `translations = [{ ... }]`: a published
/// translation with its own source.
pub const TRANSLATION_KEYS: &[Key] = &[
    required("language", Shape::Language),
    required("text", Shape::Text),
    required("source", Shape::Reference(&[Kind::Source])),
];

/// The keys of a `[[topic]]` (the optional fifth file, `topics.toml`), in the order they are
/// written and exported.
pub const TOPIC_KEYS: &[Key] = &[
    required("id", Shape::Id),
    required("name", Shape::Text),
    optional("aliases", Shape::TextList),
    optional("description", Shape::Text),
];

/// The keys of a `[[synonym]]` (the optional sixth file, `synonyms.toml`): a group of words a
/// reader may type for one another ("troops", "forces", "soldiers").
pub const SYNONYM_KEYS: &[Key] = &[required("id", Shape::Id), required("words", Shape::Words)];

/// How many kinds of record there are: one data file each.
pub const KIND_COUNT: usize = 6;

/// The kinds, in the order their files are read (and written, so that a record is in place
/// before anything that refers to it).
pub const KINDS: [KindSchema; KIND_COUNT] = [
    KindSchema {
        kind: Kind::Speaker,
        file: "speakers.toml",
        table: "speaker",
        noun: "speaker",
        keys: &[
            required("id", Shape::Id),
            required("name", Shape::Text),
            optional("role", Shape::Text),
            optional("aliases", Shape::TextList),
            optional("roles", Shape::Tables(ROLE_KEYS)),
            optional("wikidata", Shape::WikidataId),
        ],
        optional: false,
        own_ids: false,
    },
    KindSchema {
        kind: Kind::Source,
        file: "sources.toml",
        table: "source",
        noun: "source",
        keys: &[
            required("id", Shape::Id),
            required("title", Shape::Text),
            optional("outlet", Shape::Text),
            optional("url", Shape::Url),
            optional("published", Shape::Date),
            optional("archive_url", Shape::Url),
            optional("accessed", Shape::Date),
            optional("language", Shape::Language),
        ],
        optional: false,
        own_ids: false,
    },
    KindSchema {
        kind: Kind::Quote,
        file: "quotes.toml",
        table: "quote",
        noun: "quote",
        keys: &[
            required("id", Shape::Id),
            required("text", Shape::Text),
            required("speaker", Shape::Reference(&[Kind::Speaker])),
            required("source", Shape::Reference(&[Kind::Source])),
            optional("kind", Shape::OneOf(QUOTE_KINDS)),
            optional("date", Shape::Date),
            optional("context", Shape::Text),
            optional("topics", Shape::Topics),
            optional("related", Shape::References(&[Kind::Fact])),
            optional("locator", Shape::Text),
            optional("appearances", Shape::Tables(APPEARANCE_KEYS)),
            optional("status", Shape::OneOf(STATUSES)),
            optional("status_note", Shape::Text),
            optional("evidence", Shape::References(&[Kind::Source])),
            optional("language", Shape::Language),
            optional("translations", Shape::Tables(TRANSLATION_KEYS)),
        ],
        optional: false,
        own_ids: false,
    },
    KindSchema {
        kind: Kind::Fact,
        file: "facts.toml",
        table: "fact",
        noun: "fact",
        keys: &[
            required("id", Shape::Id),
            required("text", Shape::Text),
            required("source", Shape::Reference(&[Kind::Source])),
            optional("as_of", Shape::Date),
            optional("topics", Shape::Topics),
            optional("figure", Shape::Figure),
            optional("related", Shape::References(&[Kind::Quote, Kind::Fact])),
            optional("locator", Shape::Text),
            optional("appearances", Shape::Tables(APPEARANCE_KEYS)),
            optional("status", Shape::OneOf(STATUSES)),
            optional("status_note", Shape::Text),
            optional("evidence", Shape::References(&[Kind::Source])),
            optional("language", Shape::Language),
            optional("translations", Shape::Tables(TRANSLATION_KEYS)),
        ],
        optional: false,
        own_ids: false,
    },
    KindSchema {
        kind: Kind::Topic,
        file: "topics.toml",
        table: "topic",
        noun: "topic",
        keys: TOPIC_KEYS,
        optional: true,
        own_ids: true,
    },
    KindSchema {
        kind: Kind::Synonym,
        file: "synonyms.toml",
        table: "synonym",
        noun: "synonym group",
        keys: SYNONYM_KEYS,
        optional: true,
        own_ids: true,
    },
];

/// The data files' names, in the order of [`KINDS`].
pub const FILE_NAMES: [&str; KIND_COUNT] = [
    KINDS[0].file,
    KINDS[1].file,
    KINDS[2].file,
    KINDS[3].file,
    KINDS[4].file,
    KINDS[5].file,
];

impl Kind {
    /// Every kind, in the order of [`KINDS`].
    pub const ALL: [Kind; KIND_COUNT] = [
        Kind::Speaker,
        Kind::Source,
        Kind::Quote,
        Kind::Fact,
        Kind::Topic,
        Kind::Synonym,
    ];

    /// The kind's position in [`KINDS`] and [`FILE_NAMES`].
    pub const fn index(self) -> usize {
        match self {
            Kind::Speaker => 0,
            Kind::Source => 1,
            Kind::Quote => 2,
            Kind::Fact => 3,
            Kind::Topic => 4,
            Kind::Synonym => 5,
        }
    }

    pub const fn schema(self) -> &'static KindSchema {
        &KINDS[self.index()]
    }

    pub const fn file(self) -> &'static str {
        self.schema().file
    }

    pub const fn table(self) -> &'static str {
        self.schema().table
    }

    pub const fn noun(self) -> &'static str {
        self.schema().noun
    }

    pub const fn keys(self) -> &'static [Key] {
        self.schema().keys
    }

    /// Whether the kind's file may be absent ([`KindSchema::optional`]).
    pub const fn optional(self) -> bool {
        self.schema().optional
    }

    /// Whether the kind's ids are a namespace of their own ([`KindSchema::own_ids`]).
    pub const fn own_ids(self) -> bool {
        self.schema().own_ids
    }

    /// The key called `name`, if the kind has one.
    pub fn key(self, name: &str) -> Option<&'static Key> {
        self.keys().iter().find(|k| k.name == name)
    }

    /// The kind whose `[[table]]` is called `table`; `None` for any other word.
    pub fn from_table(table: &str) -> Option<Kind> {
        KINDS.iter().find(|k| k.table == table).map(|k| k.kind)
    }
}

/// The names of `keys`, in order (for messages that list the allowed keys).
pub fn key_names(keys: &[Key]) -> Vec<&'static str> {
    keys.iter().map(|k| k.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_described_once_in_file_order() {
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(kind.index(), i);
            assert_eq!(kind.schema().kind, kind);
        }
        assert_eq!(
            FILE_NAMES,
            [
                "speakers.toml",
                "sources.toml",
                "quotes.toml",
                "facts.toml",
                "topics.toml",
                "synonyms.toml"
            ]
        );
        // Only topics.toml and synonyms.toml may be absent, and only their ids are a namespace
        // of their own.
        for kind in Kind::ALL {
            let extra = matches!(kind, Kind::Topic | Kind::Synonym);
            assert_eq!(kind.optional(), extra, "{kind:?}");
            assert_eq!(kind.own_ids(), extra, "{kind:?}");
        }
        for schema in &KINDS {
            assert_eq!(
                schema.keys[0],
                required("id", Shape::Id),
                "{}",
                schema.table
            );
            let mut names = key_names(schema.keys);
            names.sort_unstable();
            names.dedup();
            assert_eq!(
                names.len(),
                schema.keys.len(),
                "{}: a key twice",
                schema.table
            );
        }
    }

    #[test]
    fn a_kind_is_read_from_its_table_name_and_from_nothing_else() {
        assert_eq!(Kind::from_table("speaker"), Some(Kind::Speaker));
        assert_eq!(Kind::from_table("source"), Some(Kind::Source));
        assert_eq!(Kind::from_table("quote"), Some(Kind::Quote));
        assert_eq!(Kind::from_table("fact"), Some(Kind::Fact));
        assert_eq!(Kind::from_table("topic"), Some(Kind::Topic));
        assert_eq!(Kind::from_table("synonym"), Some(Kind::Synonym));
        for other in ["", "facts", "Fact", "topics", "quote "] {
            assert_eq!(Kind::from_table(other), None, "{other:?}");
        }
    }

    #[test]
    fn keys_are_found_by_name_only_in_their_own_kind() {
        assert_eq!(
            Kind::Quote.key("kind").map(|k| k.shape),
            Some(Shape::OneOf(QUOTE_KINDS))
        );
        assert_eq!(Kind::Fact.key("kind"), None);
        assert_eq!(Kind::Speaker.key("name").map(|k| k.required), Some(true));
    }
}
