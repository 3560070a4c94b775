//! The curated database's text form (contract §1) turned into a [`Catalog`].
//!
//! [`parse_catalog`] takes the four files' paths and texts and returns either a catalog or
//! every problem found, each as `PATH:LINE:COLUMN: message`: malformed TOML, unknown keys,
//! missing or empty required fields, bad ids, dates and URLs, duplicate ids across files and
//! references to ids that do not exist. It reads no files itself.
//!
//! Which keys a record may have and how each value is checked come from
//! [`crate::core::schema`]: every key is read by its shape, and only building the typed record
//! from the checked values is written out here, per kind.

use std::collections::HashMap;
use std::ops::Range;

use toml_edit::{Item, Value};
use unicode_normalization::char::is_combining_mark;

use super::search::normalize;

use super::catalog::Catalog;
use super::diag::{Diagnostic, SourceText};
use super::model::{
    Appearance, Fact, Figure, PartialDate, Provenance, Quote, QuoteKind, Record as AnyRecord, Role,
    Source, Speaker, Status, Synonym, Topic, Translation, is_valid_id,
};
use super::schema::{FIGURE_KEYS, KIND_COUNT, Key, Kind, Shape, key_names};
use super::toml_view::{Checker, Node, Record, Spanned, parse_document};

/// One data file's path (as it should appear in messages) and text.
#[derive(Debug, Clone, Copy)]
pub struct DataFile<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

/// The database's files, one per kind in the order of [`Kind::ALL`]; an optional file that is
/// absent (`topics.toml`) is an empty text.
#[derive(Debug, Clone, Copy)]
pub struct DataFiles<'a> {
    pub files: [DataFile<'a>; KIND_COUNT],
}

/// The texts of the database's files, in the order of [`Kind::ALL`].
pub type Texts = [String; KIND_COUNT];

impl<'a> DataFiles<'a> {
    /// The files from their paths (as messages should show them) and texts, both in the order
    /// of [`Kind::ALL`]: the one way a set of texts becomes a database to parse.
    pub fn from_texts<P: AsRef<str>>(paths: &'a [P; KIND_COUNT], texts: &'a Texts) -> Self {
        DataFiles {
            files: std::array::from_fn(|i| DataFile {
                path: paths[i].as_ref(),
                text: &texts[i],
            }),
        }
    }

    /// The files named by their file names alone (`quotes.toml`).
    pub fn named(texts: &'a Texts) -> Self {
        Self::from_texts(&FILE_NAMES, texts)
    }

    /// Parses and validates the whole database ([`parse_catalog`]).
    pub fn parse(&self) -> Result<Catalog, Vec<Diagnostic>> {
        parse_catalog(self)
    }
}

/// The file names inside the data directory, in the order they are read.
pub use super::schema::FILE_NAMES;

/// Where an id or a reference was written, to report problems found across files.
#[derive(Debug, Clone)]
struct Site {
    file: usize,
    span: Option<Range<usize>>,
}

/// A reference from one record to another id, checked once every file is read.
struct Reference {
    site: Site,
    target: String,
    field: &'static str,
    allowed: &'static [Kind],
}

/// Collects records and cross-file facts while the files are read one by one.
struct Reader<'a> {
    sources: Vec<SourceText<'a>>,
    errors: Vec<Diagnostic>,
    /// The ids of speakers, sources, quotes and facts: one namespace.
    ids: HashMap<String, (Kind, Site)>,
    /// The ids of kinds with a namespace of their own (topics), by kind.
    own_ids: HashMap<(Kind, String), Site>,
    references: Vec<Reference>,
    /// Kinds whose file could not be parsed: their ids are unknown, so references to them
    /// are not checked (the parse error is reported instead of a cascade of "unknown" ones).
    unreadable: Vec<Kind>,
    /// The kind of a record outside the files read that has this id (records an import is
    /// about to join); nothing for a whole database.
    outside: &'a dyn Fn(&str) -> Option<Kind>,
}

/// Parses and validates the whole database.
pub fn parse_catalog(files: &DataFiles<'_>) -> Result<Catalog, Vec<Diagnostic>> {
    let mut reader = Reader {
        sources: files
            .files
            .iter()
            .map(|f| SourceText::new(f.path, f.text))
            .collect(),
        errors: Vec::new(),
        ids: HashMap::new(),
        own_ids: HashMap::new(),
        references: Vec::new(),
        unreadable: Vec::new(),
        outside: &|_| None,
    };
    let speakers = reader.read_file(Kind::Speaker, speaker);
    let sources = reader.read_file(Kind::Source, source);
    let quotes = reader.read_file(Kind::Quote, quote);
    let facts = reader.read_file(Kind::Fact, fact);
    let topics = reader.read_file(Kind::Topic, topic);
    let synonyms = reader.read_file(Kind::Synonym, synonym);
    reader.check_references();
    if reader.errors.is_empty() {
        Ok(Catalog::from_checked(
            speakers, sources, quotes, facts, topics, synonyms,
        ))
    } else {
        let paths: Vec<&str> = files.files.iter().map(|f| f.path).collect();
        Err(sorted(reader.errors, &paths))
    }
}

/// Problems in the order of the files, then of their lines and columns, each once.
fn sorted(mut errors: Vec<Diagnostic>, paths: &[&str]) -> Vec<Diagnostic> {
    errors.sort_by(|a, b| {
        let order = |d: &Diagnostic| paths.iter().position(|p| *p == d.path);
        (order(a), a.line, a.column).cmp(&(order(b), b.line, b.column))
    });
    errors.dedup();
    errors
}

/// Reads records of some kinds, each kind's from a text in its data file's form, with every
/// check [`parse_catalog`] makes of a record and between the records read (duplicate ids,
/// references). A reference to an id none of them has is resolved by `outside`, the kind of a
/// record elsewhere with that id: records are checked against the catalog they are about to
/// join (an import's). Returns the records that have no problem, in the order given, and every
/// problem.
pub fn read_records(
    files: &[(Kind, DataFile<'_>)],
    outside: &dyn Fn(&str) -> Option<Kind>,
) -> (Vec<AnyRecord>, Vec<Diagnostic>) {
    let file_of = |kind: Kind| {
        files
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(DataFile { path: "", text: "" }, |(_, f)| *f)
    };
    let mut reader = Reader {
        sources: Kind::ALL
            .iter()
            .map(|&kind| {
                let file = file_of(kind);
                SourceText::new(file.path, file.text)
            })
            .collect(),
        errors: Vec::new(),
        ids: HashMap::new(),
        own_ids: HashMap::new(),
        references: Vec::new(),
        unreadable: Vec::new(),
        outside,
    };
    let mut records = Vec::new();
    for (kind, _) in files {
        match kind {
            Kind::Speaker => records.extend(
                reader
                    .read_file(Kind::Speaker, speaker)
                    .into_iter()
                    .map(AnyRecord::Speaker),
            ),
            Kind::Source => records.extend(
                reader
                    .read_file(Kind::Source, source)
                    .into_iter()
                    .map(AnyRecord::Source),
            ),
            Kind::Quote => records.extend(
                reader
                    .read_file(Kind::Quote, quote)
                    .into_iter()
                    .map(AnyRecord::Quote),
            ),
            Kind::Fact => records.extend(
                reader
                    .read_file(Kind::Fact, fact)
                    .into_iter()
                    .map(AnyRecord::Fact),
            ),
            Kind::Topic => records.extend(
                reader
                    .read_file(Kind::Topic, topic)
                    .into_iter()
                    .map(AnyRecord::Topic),
            ),
            Kind::Synonym => records.extend(
                reader
                    .read_file(Kind::Synonym, synonym)
                    .into_iter()
                    .map(AnyRecord::Synonym),
            ),
        }
    }
    reader.check_references();
    let paths: Vec<&str> = files.iter().map(|(_, f)| f.path).collect();
    (records, sorted(reader.errors, &paths))
}

/// A reference one record makes: the id it names, the key naming it, the kinds it may name.
type Named = (Spanned<String>, &'static str, &'static [Kind]);

impl<'a> Reader<'a> {
    /// Reads one kind's file; `build` makes a record from its checked values.
    fn read_file<T>(&mut self, kind: Kind, build: fn(&mut Values) -> Option<T>) -> Vec<T> {
        let file = kind.index();
        let read = RecordReader {
            what: format!("[[{}]]", kind.table()),
            names: key_names(kind.keys()),
            build,
        };
        let table = kind.table();
        let source = &self.sources[file];
        let mut found = Found::default();
        // Large files are parsed a slice of tables at a time, which keeps the parser's
        // document small; a slice that does not parse on its own means the split was unsafe,
        // and the whole file is parsed at once instead (for the right error, too).
        let mut split_ok = true;
        for (offset, chunk) in split_tables(source.text, TABLES_PER_CHUNK) {
            match toml_edit::Document::parse(chunk) {
                Ok(document) => read_document(
                    source,
                    &document,
                    offset,
                    table,
                    kind.keys(),
                    &read,
                    &mut found,
                ),
                Err(_) => {
                    split_ok = false;
                    break;
                }
            }
        }
        if !split_ok {
            found = Found::default();
            match parse_document(source) {
                Ok(document) => {
                    read_document(source, &document, 0, table, kind.keys(), &read, &mut found)
                }
                Err(diagnostic) => {
                    self.errors.push(diagnostic);
                    self.unreadable.push(kind);
                    return Vec::new();
                }
            }
        }
        let Found {
            records,
            ids,
            references,
            mut errors,
        } = found;
        self.errors.append(&mut errors);
        for id in ids {
            let site = Site {
                file,
                span: id.span.clone(),
            };
            if kind.own_ids() {
                let key = (kind, id.value);
                if let Some(first) = self.own_ids.get(&key) {
                    let (line, _) = self.sources[first.file]
                        .line_column(first.span.as_ref().map_or(0, |s| s.start));
                    let message = format!(
                        "duplicate {noun} id `{}`: already used by the {noun} at {}:{line}",
                        key.1,
                        self.sources[first.file].path,
                        noun = kind.noun(),
                    );
                    self.errors.push(self.sources[file].at(id.span, message));
                } else {
                    self.own_ids.insert(key, site);
                }
                continue;
            }
            if let Some((first_kind, first)) = self.ids.get(&id.value) {
                let (line, _) = self.sources[first.file]
                    .line_column(first.span.as_ref().map_or(0, |s| s.start));
                let message = format!(
                    "duplicate id `{}`: already used by a {} at {}:{line}",
                    id.value,
                    first_kind.noun(),
                    self.sources[first.file].path
                );
                self.errors.push(self.sources[file].at(id.span, message));
            } else {
                self.ids.insert(id.value, (kind, site));
            }
        }
        for (target, field, allowed) in references {
            self.references.push(Reference {
                site: Site {
                    file,
                    span: target.span,
                },
                target: target.value,
                field,
                allowed,
            });
        }
        records
    }

    fn check_references(&mut self) {
        for reference in &self.references {
            let found = match self.ids.get(&reference.target) {
                Some((kind, _)) => Some(*kind),
                None => (self.outside)(&reference.target),
            };
            let message = match found {
                Some(kind) if reference.allowed.contains(&kind) => continue,
                None if reference
                    .allowed
                    .iter()
                    .any(|k| self.unreadable.contains(k)) =>
                {
                    continue;
                }
                Some(kind) => format!(
                    "`{}` refers to `{}`, which is a {}, not a {}",
                    reference.field,
                    reference.target,
                    kind.noun(),
                    nouns(reference.allowed)
                ),
                None => format!(
                    "`{}` refers to unknown {} `{}`",
                    reference.field,
                    nouns(reference.allowed),
                    reference.target
                ),
            };
            self.errors
                .push(self.sources[reference.site.file].at(reference.site.span.clone(), message));
        }
    }
}

/// How many `[[table]]`s are parsed at once.
const TABLES_PER_CHUNK: usize = 2_000;

/// What reading one file yields, with spans relative to the whole file.
struct Found<T> {
    records: Vec<T>,
    ids: Vec<Spanned<String>>,
    references: Vec<Named>,
    errors: Vec<Diagnostic>,
}

impl<T> Default for Found<T> {
    fn default() -> Self {
        Found {
            records: Vec::new(),
            ids: Vec::new(),
            references: Vec::new(),
            errors: Vec::new(),
        }
    }
}

fn shift(span: Option<Range<usize>>, offset: usize) -> Option<Range<usize>> {
    span.map(|s| s.start + offset..s.end + offset)
}

/// Reads the records of one parsed document that starts at byte `offset` of its file.
fn read_document<T, S: AsRef<str>>(
    source: &SourceText<'_>,
    document: &toml_edit::Document<S>,
    offset: usize,
    table: &'static str,
    keys: &'static [Key],
    read: &RecordReader<T>,
    found: &mut Found<T>,
) {
    let mut checker = Checker::with_offset(source, offset);
    for (key, item) in document.as_table().iter() {
        let key_span = document.as_table().key(key).and_then(|k| k.span());
        if key != table {
            checker.error(
                key_span,
                format!("unknown key `{key}`: this file holds only [[{table}]] tables"),
            );
            continue;
        }
        let Item::ArrayOfTables(array) = item else {
            checker.error(
                item.span().or(key_span),
                format!(
                    "`{table}` must be written as [[{table}]] tables, found {}",
                    Node::Item(item).type_name()
                ),
            );
            continue;
        };
        for table_item in array.iter() {
            let record = Record::from_table(table_item);
            let mut values = read_values(&mut checker, &record, keys, &read.names, &read.what);
            check_status(&mut checker, &record, keys);
            let built = (read.build)(&mut values);
            if let Some(mut id) = values.id {
                id.span = shift(id.span, offset);
                found.ids.push(id);
            }
            for (mut target, field, allowed) in values.references {
                target.span = shift(target.span, offset);
                found.references.push((target, field, allowed));
            }
            found.records.extend(built);
        }
    }
    found.errors.append(&mut checker.errors);
}

/// Splits a file of `[[table]]`s into slices of about `per_chunk` tables, each starting at a
/// table header, as (byte offset, slice). Lines inside multi-line strings are never split
/// points; anything unusual only makes a slice fail to parse, and the caller then parses the
/// whole file.
pub fn split_tables(text: &str, per_chunk: usize) -> Vec<(usize, &str)> {
    let mut cuts = vec![0];
    let mut in_basic = false;
    let mut in_literal = false;
    let mut headers = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if !in_basic && !in_literal && line.trim_start().starts_with("[[") {
            headers += 1;
            if headers > 1 && (headers - 1) % per_chunk == 0 {
                cuts.push(offset);
            }
        }
        in_basic ^= line.matches("\"\"\"").count() % 2 == 1;
        in_literal ^= line.matches("\'\'\'").count() % 2 == 1;
        offset += line.len();
    }
    cuts.push(text.len());
    cuts.windows(2).map(|w| (w[0], &text[w[0]..w[1]])).collect()
}

fn nouns(kinds: &[Kind]) -> String {
    kinds
        .iter()
        .map(|k| k.noun())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Whether a URL is an absolute http(s) URL that a standard URL parser (the `url` crate,
/// which follows the WHATWG URL standard browsers and Discord use) accepts as written: the
/// scheme spelled out with `//`, a host, and no whitespace or control characters anywhere.
pub fn is_http_url(url: &str) -> bool {
    // The parser alone would take `http:example.org`: the `//` must be written out.
    let spelled_out = url.split_once("://").is_some_and(|(scheme, _)| {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    });
    if !spelled_out {
        return false;
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    match url::Url::parse(url) {
        Ok(parsed) => {
            matches!(parsed.scheme(), "http" | "https")
                && parsed.host_str().is_some_and(|h| !h.is_empty())
        }
        Err(_) => false,
    }
}

/// How one kind's records are read: its keys (from the schema) and how a record is built
/// from their checked values.
struct RecordReader<T> {
    /// How messages name a record of the kind: `[[quote]]`.
    what: String,
    names: Vec<&'static str>,
    build: fn(&mut Values) -> Option<T>,
}

/// A key's value, read and checked according to its [`Shape`].
enum Parsed {
    Text(Spanned<String>),
    List(Vec<Spanned<String>>),
    Date(PartialDate),
    Figure(Figure),
    Number(f64),
    Tables(Vec<Values>),
}

/// The checked values of one record (or inline table), in the order of its keys; the id and
/// the references it makes are kept for the checks across files.
struct Values {
    keys: &'static [Key],
    values: Vec<Option<Parsed>>,
    id: Option<Spanned<String>>,
    references: Vec<Named>,
}

impl Values {
    fn take(&mut self, key: &str) -> Option<Parsed> {
        let at = self.keys.iter().position(|k| k.name == key)?;
        self.values[at].take()
    }

    fn text(&mut self, key: &str) -> Option<String> {
        match self.take(key)? {
            Parsed::Text(text) => Some(text.value),
            _ => None,
        }
    }

    fn list(&mut self, key: &str) -> Vec<String> {
        match self.take(key) {
            Some(Parsed::List(items)) => items.into_iter().map(|i| i.value).collect(),
            _ => Vec::new(),
        }
    }

    fn date(&mut self, key: &str) -> Option<PartialDate> {
        match self.take(key)? {
            Parsed::Date(date) => Some(date),
            _ => None,
        }
    }

    fn figure(&mut self, key: &str) -> Option<Figure> {
        match self.take(key)? {
            Parsed::Figure(figure) => Some(figure),
            _ => None,
        }
    }

    fn number(&mut self, key: &str) -> Option<f64> {
        match self.take(key)? {
            Parsed::Number(number) => Some(number),
            _ => None,
        }
    }

    /// The rows of a list of tables, each built by `build`; `None` when a row could not be
    /// (its problems are reported), so the record is not built either.
    fn tables<T>(&mut self, key: &str, build: fn(&mut Values) -> Option<T>) -> Option<Vec<T>> {
        match self.take(key) {
            Some(Parsed::Tables(rows)) => rows.into_iter().map(|mut row| build(&mut row)).collect(),
            _ => Some(Vec::new()),
        }
    }
}

/// Checks every key of `record` against `keys` (unknown keys, missing required ones, each
/// value by its shape), reporting every problem; `what` names the record in messages.
fn read_values(
    checker: &mut Checker<'_>,
    record: &Record<'_>,
    keys: &'static [Key],
    names: &[&str],
    what: &str,
) -> Values {
    checker.reject_unknown_keys(record, names, what);
    let mut out = Values {
        keys,
        values: Vec::with_capacity(keys.len()),
        id: None,
        references: Vec::new(),
    };
    for key in keys {
        let value = read_value(checker, record, key, what, &mut out);
        out.values.push(value);
    }
    out
}

fn read_value(
    checker: &mut Checker<'_>,
    record: &Record<'_>,
    key: &Key,
    what: &str,
    out: &mut Values,
) -> Option<Parsed> {
    let name = key.name;
    let string = |checker: &mut Checker<'_>| checker.string(record, name, key.required, what);
    match key.shape {
        Shape::Id => {
            let id = string(checker)?;
            if !is_valid_id(&id.value) {
                checker.error(
                    id.span.clone(),
                    format!(
                        "invalid id {:?}: ids are lowercase slugs matching ^[a-z0-9][a-z0-9-]{{0,63}}$",
                        id.value
                    ),
                );
                return None;
            }
            out.id = Some(id.clone());
            Some(Parsed::Text(id))
        }
        Shape::Text => string(checker).map(Parsed::Text),
        Shape::Url => {
            let url = string(checker)?;
            if !is_http_url(&url.value) {
                checker.error(
                    url.span.clone(),
                    format!(
                        "`{name}` must be an http:// or https:// address, found {:?}",
                        url.value
                    ),
                );
            }
            Some(Parsed::Text(url))
        }
        Shape::Date => {
            let text = string(checker)?;
            match PartialDate::parse(&text.value) {
                Ok(date) => Some(Parsed::Date(date)),
                Err(message) => {
                    checker.error(text.span, format!("`{name}`: {message}"));
                    None
                }
            }
        }
        Shape::OneOf(words) => {
            let word = string(checker)?;
            if words.contains(&word.value.as_str()) {
                return Some(Parsed::Text(word));
            }
            let choices: Vec<String> = words.iter().map(|w| format!("{w:?}")).collect();
            checker.error(
                word.span,
                format!(
                    "`{name}` must be {}, found {:?}",
                    choices.join(" or "),
                    word.value
                ),
            );
            None
        }
        Shape::Reference(kinds) => {
            let target = string(checker)?;
            out.references.push((target.clone(), name, kinds));
            Some(Parsed::Text(target))
        }
        Shape::References(kinds) => {
            let targets = checker.string_list(record, name);
            for target in &targets {
                out.references.push((target.clone(), name, kinds));
            }
            Some(Parsed::List(targets))
        }
        Shape::TextList => Some(Parsed::List(checker.string_list(record, name))),
        Shape::Words => read_words(checker, record, key, what),
        Shape::Topics => {
            let mut topics = checker.string_list(record, name);
            topics.retain(|topic| {
                let valid = is_valid_id(&topic.value);
                if !valid {
                    checker.error(
                        topic.span.clone(),
                        format!(
                            "invalid topic {:?}: topics are lowercase slugs like \"us-rok-alliance\"",
                            topic.value
                        ),
                    );
                }
                valid
            });
            Some(Parsed::List(topics))
        }
        Shape::Figure => read_figure(checker, record, name).map(Parsed::Figure),
        Shape::Tables(row_keys) => read_tables(checker, record, name, row_keys, out),
        Shape::Language => {
            let tag = string(checker)?;
            if let Err(problem) = check_language_tag(&tag.value) {
                checker.error(
                    tag.span.clone(),
                    format!(
                        "`{name}` must be a BCP 47 language tag like \"en\", \"ko\" or \"zh-Hant\", found {:?}: {problem}",
                        tag.value
                    ),
                );
                return None;
            }
            Some(Parsed::Text(tag))
        }
        Shape::WikidataId => {
            let id = string(checker)?;
            if !is_wikidata_id(&id.value) {
                checker.error(
                    id.span.clone(),
                    format!(
                        "`{name}` must be a Wikidata item id: `Q` and digits, like \"Q123\", found {:?}",
                        id.value
                    ),
                );
                return None;
            }
            Some(Parsed::Text(id))
        }
        Shape::Number => {
            let number = checker.number(record, name);
            if key.required && number.is_none() && record.get(name).is_none() {
                checker.error(
                    record.span.clone(),
                    format!("{what} is missing required field `{name}`"),
                );
            }
            number.map(|n| Parsed::Number(n.value))
        }
    }
}

/// Whether `id` is a Wikidata item id: `Q` and at most 12 digits, without leading zeros.
pub fn is_wikidata_id(id: &str) -> bool {
    let digits = id.strip_prefix('Q').unwrap_or("");
    !digits.is_empty()
        && digits.len() <= 12
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `tag` is a well-formed BCP 47 language tag (RFC 5646, checked by `oxilangtag`)
/// whose language is written as ISO 639 writes languages: two or three letters. Longer
/// primary subtags are well-formed but none is registered, so "english" is a mistake, not a
/// language. Private-use tags (`x-...`) are allowed as RFC 5646 allows them.
pub fn check_language_tag(tag: &str) -> Result<(), String> {
    let parsed = oxilangtag::LanguageTag::parse(tag).map_err(|e| e.to_string())?;
    let primary = parsed.primary_language();
    if primary.eq_ignore_ascii_case("x") || primary.eq_ignore_ascii_case("i") {
        return Ok(());
    }
    if !(2..=3).contains(&primary.len()) {
        return Err(format!(
            "the language `{primary}` is not a two- or three-letter ISO 639 code"
        ));
    }
    Ok(())
}

/// A list of inline tables, each read by `row_keys` (every problem reported, unknown keys
/// inside included); the references rows make are checked with the record's.
fn read_tables(
    checker: &mut Checker<'_>,
    record: &Record<'_>,
    name: &'static str,
    row_keys: &'static [Key],
    out: &mut Values,
) -> Option<Parsed> {
    let field = record.get(name)?;
    let example = match row_keys.first() {
        Some(first) => format!("[{{ {} = ... }}]", first.name),
        None => "[{ ... }]".to_string(),
    };
    let mut rows = Vec::new();
    match field.node {
        Node::Item(Item::ArrayOfTables(array)) => rows.extend(array.iter().map(Record::from_table)),
        node => match node.value().and_then(Value::as_array) {
            Some(array) => {
                for value in array.iter() {
                    match Record::from_node(Node::Value(value)) {
                        Some(row) => rows.push(row),
                        None => checker.error(
                            value.span(),
                            format!(
                                "`{name}` must hold only inline tables like {example}, found {}",
                                Node::Value(value).type_name()
                            ),
                        ),
                    }
                }
            }
            None => {
                checker.error(
                    node.span(),
                    format!(
                        "`{name}` must be a list of tables like {example}, found {}",
                        node.type_name()
                    ),
                );
                return None;
            }
        },
    }
    let what = format!("an entry of `{name}`");
    let names = key_names(row_keys);
    let mut parsed = Vec::with_capacity(rows.len());
    for mut row in rows {
        if row.span.is_none() {
            row.span = field.node.span();
        }
        let mut values = read_values(checker, &row, row_keys, &names, &what);
        check_period(checker, &row, &values);
        out.references.append(&mut values.references);
        parsed.push(values);
    }
    Some(Parsed::Tables(parsed))
}

/// A row with a `from` and an `until` date (a role) must not end before it starts: the last
/// day `until` can mean is not before the first day `from` can mean.
fn check_period(checker: &mut Checker<'_>, row: &Record<'_>, values: &Values) {
    let date = |key: &str| {
        let at = values.keys.iter().position(|k| k.name == key)?;
        match values.values.get(at)? {
            Some(Parsed::Date(date)) => Some(*date),
            _ => None,
        }
    };
    if let (Some(from), Some(until)) = (date("from"), date("until"))
        && until.wholly_before(&from)
    {
        checker.error(
            row.get("until").and_then(|f| f.node.span()),
            format!(
                "`until` ({until}) is before `from` ({from}): a role cannot end before it starts"
            ),
        );
    }
}

/// A record marked disputed or misattributed must say why in `status_note`.
fn check_status(checker: &mut Checker<'_>, record: &Record<'_>, keys: &[Key]) {
    if !keys.iter().any(|k| k.name == "status") {
        return;
    }
    let Some(field) = record.get("status") else {
        return;
    };
    let Some(status) = field
        .node
        .value()
        .and_then(Value::as_str)
        .and_then(Status::parse)
    else {
        return;
    };
    if status.needs_note() && record.get("status_note").is_none() {
        checker.error(
            field.node.span(),
            format!(
                "`status = \"{}\"` needs a `status_note` saying why",
                status.as_str()
            ),
        );
    }
}

fn read_figure(checker: &mut Checker<'_>, record: &Record<'_>, name: &str) -> Option<Figure> {
    let field = record.get(name)?;
    let Some(mut figure) = Record::from_node(field.node) else {
        checker.error(
            field.node.span(),
            format!(
                "`{name}` must be a table like {{ value = 140e9, unit = \"USD\" }}, found {}",
                field.node.type_name()
            ),
        );
        return None;
    };
    if figure.span.is_none() {
        figure.span = field.node.span();
    }
    let what = format!("`{name}`");
    let mut values = read_values(
        checker,
        &figure,
        FIGURE_KEYS,
        &key_names(FIGURE_KEYS),
        &what,
    );
    Some(Figure {
        value: values.number("value")?,
        unit: values.text("unit"),
        qualifier: values.text("qualifier"),
    })
}

/// A record is built only when every value it needs was read; a record with problems is
/// reported, never built.
fn speaker(values: &mut Values) -> Option<Speaker> {
    Some(Speaker {
        id: values.text("id")?,
        name: values.text("name")?,
        role: values.text("role"),
        aliases: values.list("aliases"),
        roles: values.tables("roles", role)?,
        wikidata: values.text("wikidata"),
    })
}

fn role(values: &mut Values) -> Option<Role> {
    Some(Role {
        title: values.text("title")?,
        from: values.date("from")?,
        until: values.date("until"),
    })
}

fn appearance(values: &mut Values) -> Option<Appearance> {
    Some(Appearance {
        source: values.text("source")?,
        locator: values.text("locator"),
        date: values.date("date"),
    })
}

fn translation(values: &mut Values) -> Option<Translation> {
    Some(Translation {
        language: values.text("language")?,
        text: values.text("text")?,
        source: values.text("source")?,
    })
}

fn topic(values: &mut Values) -> Option<Topic> {
    Some(Topic {
        id: values.text("id")?,
        name: values.text("name")?,
        aliases: values.list("aliases"),
        description: values.text("description"),
    })
}

fn synonym(values: &mut Values) -> Option<Synonym> {
    Some(Synonym {
        id: values.text("id")?,
        words: values.list("words"),
    })
}

/// The most words a synonym group may list: a group is words that mean the same, and search
/// reads each as every other, so its cost grows with the square of its size.
pub const MAX_SYNONYMS: usize = 20;

/// A list of two to [`MAX_SYNONYMS`] single words (letters and digits, with their accents, and
/// an apostrophe), none twice as search reads words (case, accents, width), none a function
/// word search ignores: a synonym group's `words`.
fn read_words(
    checker: &mut Checker<'_>,
    record: &Record<'_>,
    key: &Key,
    what: &str,
) -> Option<Parsed> {
    let name = key.name;
    let Some(field) = record.get(name) else {
        if key.required {
            checker.error(
                record.span.clone(),
                format!("{what} is missing required field `{name}`"),
            );
        }
        return None;
    };
    let span = field.node.span();
    let is_list = field.node.value().is_some_and(Value::is_array);
    let mut kept: Vec<Spanned<String>> = Vec::new();
    // Each kept word as search reads it.
    let mut read_as: Vec<String> = Vec::new();
    let mut read = 0;
    for word in checker.string_list(record, name) {
        read += 1;
        let single = word.value.chars().any(char::is_alphanumeric)
            && word
                .value
                .chars()
                .all(|c| c.is_alphanumeric() || c == '\'' || c == '’' || is_combining_mark(c));
        if !single {
            checker.error(
                word.span.clone(),
                format!(
                    "`{name}` holds {:?}: each entry must be a single word (letters and digits, no spaces or hyphens)",
                    word.value
                ),
            );
            continue;
        }
        let token = match normalize::tokens(&word.value).as_slice() {
            [one] => one.clone(),
            _ => {
                checker.error(
                    word.span.clone(),
                    format!(
                        "`{name}` holds {:?}: search reads it as more than one word (each character of Chinese or Japanese is a word of its own)",
                        word.value
                    ),
                );
                continue;
            }
        };
        if normalize::is_stopword(&token) {
            checker.error(
                word.span.clone(),
                format!(
                    "`{name}` holds {:?}, a function word search does not look for: leave it out",
                    word.value
                ),
            );
        } else if read_as.contains(&token) {
            checker.error(
                word.span.clone(),
                format!("`{name}` lists {:?} twice", word.value),
            );
        } else {
            read_as.push(token);
            kept.push(word);
        }
    }
    if !is_list {
        // `string_list` has said what the value should be.
        return None;
    }
    if read < 2 {
        checker.error(
            span,
            format!("`{name}` must list at least two words that mean the same"),
        );
        return None;
    }
    if read > MAX_SYNONYMS {
        checker.error(
            span,
            format!(
                "`{name}` lists {read} words, more than the {MAX_SYNONYMS} a group may hold: split it into groups of words that truly mean the same"
            ),
        );
        return None;
    }
    Some(Parsed::List(kept))
}

/// The keys quotes and facts share (contract §4.1).
fn provenance(values: &mut Values) -> Option<Provenance> {
    let status = match values.text("status") {
        None => Status::default(),
        Some(word) => Status::parse(&word)?,
    };
    Some(Provenance {
        locator: values.text("locator"),
        appearances: values.tables("appearances", appearance)?,
        status,
        status_note: values.text("status_note"),
        evidence: values.list("evidence"),
        language: values.text("language"),
        translations: values.tables("translations", translation)?,
    })
}

fn source(values: &mut Values) -> Option<Source> {
    Some(Source {
        id: values.text("id")?,
        title: values.text("title")?,
        outlet: values.text("outlet"),
        url: values.text("url"),
        published: values.date("published"),
        archive_url: values.text("archive_url"),
        accessed: values.date("accessed"),
        language: values.text("language"),
    })
}

fn quote(values: &mut Values) -> Option<Quote> {
    let kind = match values.text("kind") {
        None => QuoteKind::default(),
        Some(word) => QuoteKind::parse(&word)?,
    };
    Some(Quote {
        id: values.text("id")?,
        text: values.text("text")?,
        speaker: values.text("speaker")?,
        source: values.text("source")?,
        kind,
        date: values.date("date"),
        context: values.text("context"),
        topics: values.list("topics"),
        related: values.list("related"),
        provenance: provenance(values)?,
    })
}

fn fact(values: &mut Values) -> Option<Fact> {
    Some(Fact {
        id: values.text("id")?,
        text: values.text("text")?,
        source: values.text("source")?,
        as_of: values.date("as_of"),
        topics: values.list("topics"),
        figure: values.figure("figure"),
        related: values.list("related"),
        provenance: provenance(values)?,
    })
}

#[cfg(test)]
mod tests {
    use super::is_http_url;

    #[test]
    fn http_urls_are_read_by_a_real_parser_in_any_script() {
        for good in [
            "https://editorials.voa.gov/a/7927513.html",
            "HTTP://Example.org",
            "http://é.example/",
            "https://예시.한국/기사?id=1",
            "http://127.0.0.1:8080/x",
        ] {
            assert!(is_http_url(good), "{good}");
        }
        for bad in [
            "https://[/x)",
            "https:example.org",
            "ftp://example.org",
            "http://",
            "https://example.org:99999/",
            "https://exa mple.org",
            "//example.org",
            "",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}
