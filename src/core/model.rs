//! The records of the curated database: speakers, sources, quotes and facts, and the small
//! value types they are built from (ids, partial dates, figures).
//!
//! These types are plain values. Whether they reference each other correctly is checked by
//! [`crate::core::data`] when a catalog is built.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::schema::{
    APPEARANCE_KEYS, Key, Kind, QUOTE_KINDS, ROLE_KEYS, STATUSES, STATUSES_NEEDING_A_NOTE,
    TRANSLATION_KEYS,
};

/// A record id: `^[a-z0-9][a-z0-9-]{0,63}$`, unique across the whole database.
pub fn is_valid_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// A date written at the precision the curator knows: a year, a month or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A number written in ASCII digits only: no sign, space, `_` or other spelling `str::parse`
/// would take (`"+5"`); `None` for anything else, or a number too large for `T`. Every
/// number read from text the program does not write itself (ids, dates, times, shard ranges,
/// backup names) goes through this one rule.
pub fn parse_digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// [`parse_digits`] of exactly `width` digits.
pub fn parse_fixed_digits<T: std::str::FromStr>(text: &str, width: usize) -> Option<T> {
    if text.len() != width {
        return None;
    }
    parse_digits(text)
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking that the month and day exist.
    pub fn parse(text: &str) -> Result<PartialDate, String> {
        let bad =
            || format!("invalid date {text:?}: expected \"YYYY\", \"YYYY-MM\" or \"YYYY-MM-DD\"");
        let parts: Vec<&str> = text.split('-').collect();
        if parts.is_empty() || parts.len() > 3 {
            return Err(bad());
        }
        let year: u16 = parse_fixed_digits(parts[0], 4).ok_or_else(bad)?;
        if year == 0 {
            return Err(format!(
                "invalid date {text:?}: there is no year 0000 (years start at 0001)"
            ));
        }
        let month = match parts.get(1) {
            None => None,
            Some(m) => Some(parse_fixed_digits::<u8>(m, 2).ok_or_else(bad)?),
        };
        if let Some(m) = month
            && !(1..=12).contains(&m)
        {
            return Err(format!("invalid date {text:?}: month {m} does not exist"));
        }
        let day = match parts.get(2) {
            None => None,
            Some(d) => Some(parse_fixed_digits::<u8>(d, 2).ok_or_else(bad)?),
        };
        if let (Some(m), Some(d)) = (month, day) {
            let last = days_in_month(year, m);
            if d == 0 || d > last {
                return Err(format!(
                    "invalid date {text:?}: {} {year} has {last} days",
                    MONTHS[m as usize - 1]
                ));
            }
        }
        Ok(PartialDate { year, month, day })
    }

    /// The first day the date can mean: 2025 → 2025-01-01, 2025-02 → 2025-02-01.
    pub fn first_day(&self) -> (u16, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// The last day the date can mean: 2025 → 2025-12-31, 2024-02 → 2024-02-29.
    pub fn last_day(&self) -> (u16, u8, u8) {
        let month = self.month.unwrap_or(12);
        let day = self.day.unwrap_or_else(|| days_in_month(self.year, month));
        (self.year, month, day)
    }

    /// Whether every day this date can mean comes before every day `other` can mean: 2024 is
    /// wholly before 2025-01, 2025 is not wholly before 2025-06.
    pub fn wholly_before(&self, other: &PartialDate) -> bool {
        self.last_day() < other.first_day()
    }

    /// The date at its own precision, for people: "2025", "January 2025", "6 January 2025".
    pub fn human(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} {} {}", MONTHS[m as usize - 1], self.year),
            (Some(m), None) => format!("{} {}", MONTHS[m as usize - 1], self.year),
            _ => self.year.to_string(),
        }
    }
}

impl fmt::Display for PartialDate {
    /// The date as written in the data files.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PartialDate::parse(&text).map_err(serde::de::Error::custom)
    }
}

pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether a quote is the speaker's own words or a reported paraphrase of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    #[default]
    Verbatim,
    Paraphrase,
}

impl QuoteKind {
    const ALL: [QuoteKind; 2] = [QuoteKind::Verbatim, QuoteKind::Paraphrase];

    /// The kind written as one of the schema's [`QUOTE_KINDS`]; `None` for any other word.
    pub fn parse(text: &str) -> Option<QuoteKind> {
        let at = QUOTE_KINDS.iter().position(|k| *k == text)?;
        QuoteKind::ALL.get(at).copied()
    }

    pub fn as_str(&self) -> &'static str {
        QUOTE_KINDS[*self as usize]
    }
}

/// How far a quote or fact has been checked (contract §4.1): traced to its source (the
/// default), verified against a primary record, disputed, or misattributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Sourced,
    Verified,
    Disputed,
    Misattributed,
}

impl Status {
    const ALL: [Status; 4] = [
        Status::Sourced,
        Status::Verified,
        Status::Disputed,
        Status::Misattributed,
    ];

    /// The status written as one of the schema's [`STATUSES`]; `None` for any other word.
    pub fn parse(text: &str) -> Option<Status> {
        let at = STATUSES.iter().position(|k| *k == text)?;
        Status::ALL.get(at).copied()
    }

    pub fn as_str(&self) -> &'static str {
        STATUSES[*self as usize]
    }

    pub fn is_default(&self) -> bool {
        *self == Status::default()
    }

    /// Whether a record with this status must say why in `status_note`.
    pub fn needs_note(&self) -> bool {
        STATUSES_NEEDING_A_NOTE.contains(&self.as_str())
    }
}

/// A role a speaker held over a period: from `from` until `until` (still held when `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub title: String,
    pub from: PartialDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<PartialDate>,
}

impl Role {
    /// Whether the role was held at some time within `date` (at the date's precision): a
    /// role held in any part of 2025 counts for a quote dated "2025".
    pub fn held_on(&self, date: PartialDate) -> bool {
        let started = !date.wholly_before(&self.from);
        let not_ended = self.until.is_none_or(|u| !u.wholly_before(&date));
        started && not_ended
    }
}

/// A further source that carries the same words, with its own locator and date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appearance {
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
}

/// A published translation of a quote's or fact's text, with its own source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Translation {
    pub language: String,
    pub text: String,
    pub source: String,
}

/// A topic of `topics.toml`: the slug records list, the name it is shown by, and the other
/// names search finds it by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A group of `synonyms.toml`: single words a reader may type for one another; search reads
/// each as any of the others, below the word itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Synonym {
    pub id: String,
    pub words: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Speaker {
    pub id: String,
    pub name: String,
    pub role: Option<String>,
    pub aliases: Vec<String>,
    /// Roles over time; the one held on a quote's date is shown with it, `role` otherwise.
    // The new keys are left out of the audit log's JSON when empty, so lines keep the shape
    // they always had, and lines written before them still read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wikidata: Option<String>,
}

impl Speaker {
    /// The role to show with words said on `date`: every role of `roles` held then (in the
    /// order listed, joined with "; ", since a person may hold two offices at once), else
    /// `role`.
    pub fn role_on(&self, date: Option<PartialDate>) -> Option<String> {
        let held: Vec<&str> = match date {
            Some(date) => self
                .roles
                .iter()
                .filter(|r| r.held_on(date))
                .map(|r| r.title.as_str())
                .collect(),
            None => Vec::new(),
        };
        if held.is_empty() {
            self.role.clone()
        } else {
            Some(held.join("; "))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub published: Option<PartialDate>,
    /// A copy that survives link rot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_url: Option<String>,
    /// When the curator last checked the url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessed: Option<PartialDate>,
    /// A BCP 47 language tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// What quotes and facts share beyond their words: where in the source, where else, how far
/// checked, in which language and in which translations (contract §4.1).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Provenance {
    /// Where in the source: a paragraph, a page, a timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appearances: Vec<Appearance>,
    #[serde(default, skip_serializing_if = "Status::is_default")]
    pub status: Status,
    /// Why the status; required when disputed or misattributed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    /// Source ids that back the status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// The language of the text (a BCP 47 tag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub translations: Vec<Translation>,
}

impl Provenance {
    fn value(&self, key: &str) -> Option<FieldValue<'_>> {
        match key {
            "locator" => self.locator.as_deref().map(FieldValue::Text),
            "appearances" => (!self.appearances.is_empty())
                .then_some(FieldValue::Tables(Rows::Appearances(&self.appearances))),
            "status" => {
                (self.status != Status::default()).then(|| FieldValue::Text(self.status.as_str()))
            }
            "status_note" => self.status_note.as_deref().map(FieldValue::Text),
            "evidence" => (!self.evidence.is_empty()).then_some(FieldValue::List(&self.evidence)),
            "language" => self.language.as_deref().map(FieldValue::Text),
            "translations" => (!self.translations.is_empty())
                .then_some(FieldValue::Tables(Rows::Translations(&self.translations))),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub id: String,
    /// Exactly as published, editorial marks (`...`, `[brackets]`) included.
    pub text: String,
    pub speaker: String,
    pub source: String,
    pub kind: QuoteKind,
    pub date: Option<PartialDate>,
    pub context: Option<String>,
    pub topics: Vec<String>,
    /// Fact ids shown as related figures.
    pub related: Vec<String>,
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// A typed number behind a fact: `value` in `unit`, optionally qualified ("more than").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub value: f64,
    pub unit: Option<String>,
    pub qualifier: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub id: String,
    pub text: String,
    pub source: String,
    pub as_of: Option<PartialDate>,
    pub topics: Vec<String>,
    pub figure: Option<Figure>,
    /// Quote or fact ids.
    pub related: Vec<String>,
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// Which kind of record a search hit or an id refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryKind {
    Quote,
    Fact,
}

impl EntryKind {
    /// The record kind this is.
    pub fn kind(self) -> Kind {
        match self {
            EntryKind::Quote => Kind::Quote,
            EntryKind::Fact => Kind::Fact,
        }
    }

    pub fn as_str(&self) -> &'static str {
        self.kind().noun()
    }
}

/// Any record of the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Record {
    Speaker(Speaker),
    Source(Source),
    Quote(Quote),
    Fact(Fact),
    Topic(Topic),
    Synonym(Synonym),
}

/// A record's value for one key, borrowed from the record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'r> {
    /// A string (an id, a text, a URL, a reference, one of a few words).
    Text(&'r str),
    /// A list of strings (aliases, topics, references); never empty.
    List(&'r [String]),
    Date(PartialDate),
    Figure(&'r Figure),
    /// A list of inline tables (roles, appearances, translations); never empty.
    Tables(Rows<'r>),
}

/// A list of inline tables a record holds, each row read by the keys of its schema shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rows<'r> {
    Roles(&'r [Role]),
    Appearances(&'r [Appearance]),
    Translations(&'r [Translation]),
}

impl<'r> Rows<'r> {
    /// The keys each row has ([`ROLE_KEYS`], [`APPEARANCE_KEYS`], [`TRANSLATION_KEYS`]).
    pub fn keys(&self) -> &'static [Key] {
        match self {
            Rows::Roles(_) => ROLE_KEYS,
            Rows::Appearances(_) => APPEARANCE_KEYS,
            Rows::Translations(_) => TRANSLATION_KEYS,
        }
    }

    /// Each row's keys with their values, in the schema's order (`None` for an absent
    /// optional value).
    pub fn rows(&self) -> Vec<Vec<(&'static str, Option<FieldValue<'r>>)>> {
        let keys = self.keys();
        let row = |value: &dyn Fn(&str) -> Option<FieldValue<'r>>| {
            keys.iter().map(|k| (k.name, value(k.name))).collect()
        };
        match *self {
            Rows::Roles(roles) => roles
                .iter()
                .map(|r| {
                    row(&|key| match key {
                        "title" => Some(FieldValue::Text(&r.title)),
                        "from" => Some(FieldValue::Date(r.from)),
                        "until" => r.until.map(FieldValue::Date),
                        _ => None,
                    })
                })
                .collect(),
            Rows::Appearances(items) => items
                .iter()
                .map(|a| {
                    row(&|key| match key {
                        "source" => Some(FieldValue::Text(&a.source)),
                        "locator" => a.locator.as_deref().map(FieldValue::Text),
                        "date" => a.date.map(FieldValue::Date),
                        _ => None,
                    })
                })
                .collect(),
            Rows::Translations(items) => items
                .iter()
                .map(|t| {
                    row(&|key| match key {
                        "language" => Some(FieldValue::Text(&t.language)),
                        "text" => Some(FieldValue::Text(&t.text)),
                        "source" => Some(FieldValue::Text(&t.source)),
                        _ => None,
                    })
                })
                .collect(),
        }
    }
}

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::Speaker(_) => Kind::Speaker,
            Record::Source(_) => Kind::Source,
            Record::Quote(_) => Kind::Quote,
            Record::Fact(_) => Kind::Fact,
            Record::Topic(_) => Kind::Topic,
            Record::Synonym(_) => Kind::Synonym,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Record::Speaker(r) => &r.id,
            Record::Source(r) => &r.id,
            Record::Quote(r) => &r.id,
            Record::Fact(r) => &r.id,
            Record::Topic(r) => &r.id,
            Record::Synonym(r) => &r.id,
        }
    }

    /// The value the record's file holds for `key`: `None` when the file would not write the
    /// key (an absent optional value, an empty list, a quote kind left at its default), and
    /// for a key the record's kind does not have.
    pub fn value(&self, key: &str) -> Option<FieldValue<'_>> {
        fn text(s: &str) -> Option<FieldValue<'_>> {
            Some(FieldValue::Text(s))
        }
        fn opt(s: &Option<String>) -> Option<FieldValue<'_>> {
            s.as_deref().map(FieldValue::Text)
        }
        fn list(items: &[String]) -> Option<FieldValue<'_>> {
            (!items.is_empty()).then_some(FieldValue::List(items))
        }
        fn date(d: Option<PartialDate>) -> Option<FieldValue<'static>> {
            d.map(FieldValue::Date)
        }
        match (self, key) {
            (Record::Speaker(s), "id") => text(&s.id),
            (Record::Speaker(s), "name") => text(&s.name),
            (Record::Speaker(s), "role") => opt(&s.role),
            (Record::Speaker(s), "aliases") => list(&s.aliases),
            (Record::Speaker(s), "roles") => {
                (!s.roles.is_empty()).then_some(FieldValue::Tables(Rows::Roles(&s.roles)))
            }
            (Record::Speaker(s), "wikidata") => opt(&s.wikidata),
            (Record::Source(s), "id") => text(&s.id),
            (Record::Source(s), "title") => text(&s.title),
            (Record::Source(s), "outlet") => opt(&s.outlet),
            (Record::Source(s), "url") => opt(&s.url),
            (Record::Source(s), "published") => date(s.published),
            (Record::Source(s), "archive_url") => opt(&s.archive_url),
            (Record::Source(s), "accessed") => date(s.accessed),
            (Record::Source(s), "language") => opt(&s.language),
            (Record::Quote(q), "id") => text(&q.id),
            (Record::Quote(q), "text") => text(&q.text),
            (Record::Quote(q), "speaker") => text(&q.speaker),
            (Record::Quote(q), "source") => text(&q.source),
            (Record::Quote(q), "kind") => {
                (q.kind != QuoteKind::default()).then(|| FieldValue::Text(q.kind.as_str()))
            }
            (Record::Quote(q), "date") => date(q.date),
            (Record::Quote(q), "context") => opt(&q.context),
            (Record::Quote(q), "topics") => list(&q.topics),
            (Record::Quote(q), "related") => list(&q.related),
            (Record::Quote(q), key) => q.provenance.value(key),
            (Record::Fact(f), "id") => text(&f.id),
            (Record::Fact(f), "text") => text(&f.text),
            (Record::Fact(f), "source") => text(&f.source),
            (Record::Fact(f), "as_of") => date(f.as_of),
            (Record::Fact(f), "topics") => list(&f.topics),
            (Record::Fact(f), "figure") => f.figure.as_ref().map(FieldValue::Figure),
            (Record::Fact(f), "related") => list(&f.related),
            (Record::Fact(f), key) => f.provenance.value(key),
            (Record::Topic(t), "id") => text(&t.id),
            (Record::Topic(t), "name") => text(&t.name),
            (Record::Topic(t), "aliases") => list(&t.aliases),
            (Record::Topic(t), "description") => opt(&t.description),
            (Record::Synonym(g), "id") => text(&g.id),
            (Record::Synonym(g), "words") => list(&g.words),
            _ => None,
        }
    }

    /// Every key of the record's kind with its value ([`Record::value`]), in the schema's
    /// order: what the writer writes and an export lists.
    pub fn values(&self) -> impl Iterator<Item = (&'static str, Option<FieldValue<'_>>)> {
        self.kind()
            .keys()
            .iter()
            .map(move |key| (key.name, self.value(key.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_ascii_digits_only() {
        for (text, want) in [
            ("7", Some(7)),
            ("007", Some(7)),
            ("4294967295", Some(u32::MAX)),
            ("4294967296", None),
            ("", None),
            ("+5", None),
            ("-1", None),
            (" 6", None),
            ("6 ", None),
            ("1_0", None),
            ("٣", None),
        ] {
            assert_eq!(parse_digits::<u32>(text), want, "{text:?}");
        }
        assert_eq!(parse_fixed_digits::<u8>("09", 2), Some(9));
        assert_eq!(parse_fixed_digits::<u8>("9", 2), None);
        assert_eq!(parse_fixed_digits::<u8>("009", 2), None);
    }

    #[test]
    fn ids_follow_the_slug_rule() {
        for ok in ["a", "0", "blinken-alliance-essential", &"a".repeat(64)] {
            assert!(is_valid_id(ok), "{ok} should be valid");
        }
        for bad in ["", "-a", "A", "a_b", "a b", "é", &"a".repeat(65)] {
            assert!(!is_valid_id(bad), "{bad} should be invalid");
        }
    }

    /// Every key the schema gives a kind is one the record has a value for, so a key added to
    /// the schema without a value here (or the other way round) fails.
    #[test]
    fn a_full_record_has_a_value_for_every_key_of_its_kind_and_no_other() {
        let date = PartialDate::parse("2025-01").ok();
        let list = vec!["x".to_string()];
        let text = Some("x".to_string());
        let provenance = Provenance {
            locator: text.clone(),
            appearances: vec![Appearance {
                source: "src".into(),
                locator: None,
                date: None,
            }],
            status: Status::Disputed,
            status_note: text.clone(),
            evidence: list.clone(),
            language: text.clone(),
            translations: vec![Translation {
                language: "ko".into(),
                text: "x".into(),
                source: "src".into(),
            }],
        };
        let records = [
            Record::Speaker(Speaker {
                id: "s".into(),
                name: "S".into(),
                role: text.clone(),
                aliases: list.clone(),
                roles: vec![Role {
                    title: "T".into(),
                    from: date.unwrap(),
                    until: None,
                }],
                wikidata: Some("Q1".into()),
            }),
            Record::Source(Source {
                id: "src".into(),
                title: "T".into(),
                outlet: text.clone(),
                url: text.clone(),
                published: date,
                archive_url: text.clone(),
                accessed: date,
                language: text.clone(),
            }),
            Record::Quote(Quote {
                id: "q".into(),
                text: "Q".into(),
                speaker: "s".into(),
                source: "src".into(),
                kind: QuoteKind::Paraphrase,
                date,
                context: text.clone(),
                topics: list.clone(),
                related: list.clone(),
                provenance: provenance.clone(),
            }),
            Record::Fact(Fact {
                id: "f".into(),
                text: "F".into(),
                source: "src".into(),
                as_of: date,
                topics: list.clone(),
                figure: Some(Figure {
                    value: 1.0,
                    unit: None,
                    qualifier: None,
                }),
                related: list.clone(),
                provenance: provenance.clone(),
            }),
            Record::Topic(Topic {
                id: "t".into(),
                name: "T".into(),
                aliases: list.clone(),
                description: text.clone(),
            }),
            Record::Synonym(Synonym {
                id: "g".into(),
                words: vec!["troops".into(), "forces".into()],
            }),
        ];
        for record in &records {
            let kind = record.kind();
            for (key, value) in record.values() {
                assert!(value.is_some(), "{}: `{key}` has no value", kind.table());
            }
            let every_key: Vec<&str> = crate::core::schema::KINDS
                .iter()
                .flat_map(|k| k.keys.iter().map(|key| key.name))
                .collect();
            for key in every_key {
                if kind.key(key).is_none() {
                    assert_eq!(record.value(key), None, "{}: `{key}`", kind.table());
                }
            }
        }
        for kind in [QuoteKind::Verbatim, QuoteKind::Paraphrase] {
            assert_eq!(QuoteKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(QuoteKind::parse("Verbatim"), None);
    }

    #[test]
    fn dates_parse_at_their_precision_and_reject_impossible_days() {
        let cases = [
            ("2025", Some("2025")),
            ("2025-01", Some("January 2025")),
            ("2025-01-06", Some("6 January 2025")),
            ("2024-02-29", Some("29 February 2024")),
            ("2023-02-29", None),
            ("2025-13", None),
            ("2025-00", None),
            ("2025-1-6", None),
            ("25", None),
            ("2025/01/06", None),
            ("2025-01-06-01", None),
            ("0000", None),
            ("0000-01-01", None),
            ("0001", Some("1")),
            ("+202", None),
            ("2025-+1", None),
        ];
        for (text, want) in cases {
            let got = PartialDate::parse(text).ok().map(|d| d.human());
            assert_eq!(got.as_deref(), want, "{text}");
            if let Ok(d) = PartialDate::parse(text) {
                assert_eq!(d.to_string(), text);
            }
        }
    }
}
