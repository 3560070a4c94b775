//! The records of the curated database: speakers, sources, quotes and facts, and the small
//! value types they are built from (ids, partial dates, figures).
//!
//! These types are plain values. Whether they reference each other correctly is checked by
//! [`crate::core::data`] when a catalog is built.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking that the month and day exist.
    pub fn parse(text: &str) -> Result<PartialDate, String> {
        let bad =
            || format!("invalid date {text:?}: expected \"YYYY\", \"YYYY-MM\" or \"YYYY-MM-DD\"");
        let parts: Vec<&str> = text.split('-').collect();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if parts.is_empty() || parts.len() > 3 || !digits(parts[0], 4) {
            return Err(bad());
        }
        let year: u16 = parts[0].parse().map_err(|_| bad())?;
        if year == 0 {
            return Err(format!(
                "invalid date {text:?}: there is no year 0000 (years start at 0001)"
            ));
        }
        let month = match parts.get(1) {
            None => None,
            Some(m) if digits(m, 2) => Some(m.parse::<u8>().map_err(|_| bad())?),
            Some(_) => return Err(bad()),
        };
        if let Some(m) = month
            && !(1..=12).contains(&m)
        {
            return Err(format!("invalid date {text:?}: month {m} does not exist"));
        }
        let day = match parts.get(2) {
            None => None,
            Some(d) if digits(d, 2) => Some(d.parse::<u8>().map_err(|_| bad())?),
            Some(_) => return Err(bad()),
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
    pub fn parse(text: &str) -> Option<QuoteKind> {
        match text {
            "verbatim" => Some(QuoteKind::Verbatim),
            "paraphrase" => Some(QuoteKind::Paraphrase),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            QuoteKind::Verbatim => "verbatim",
            QuoteKind::Paraphrase => "paraphrase",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Speaker {
    pub id: String,
    pub name: String,
    pub role: Option<String>,
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub published: Option<PartialDate>,
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
}

/// Which kind of record a search hit or an id refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryKind {
    Quote,
    Fact,
}

impl EntryKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            EntryKind::Quote => "quote",
            EntryKind::Fact => "fact",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_slug_rule() {
        for ok in ["a", "0", "blinken-alliance-essential", &"a".repeat(64)] {
            assert!(is_valid_id(ok), "{ok} should be valid");
        }
        for bad in ["", "-a", "A", "a_b", "a b", "é", &"a".repeat(65)] {
            assert!(!is_valid_id(bad), "{bad} should be invalid");
        }
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
