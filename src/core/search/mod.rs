//! Search over quotes and facts: what `/quote`, autocomplete and `quotebot search`/`suggest`
//! all ask. Callers see only [`SearchIndex::build`], [`search`] and [`suggest`], and [`names`]
//! for speaker, source and topic names; how ranking works (normalisation, typo tolerance,
//! prefix completion, BM25 and proximity) is private to this module so it can improve without
//! touching them.

mod index;
pub mod names;
pub mod normalize;
mod numbers;
mod score;

pub use index::SearchIndex;

use crate::core::catalog::{Catalog, Entry};
use crate::core::model::EntryKind;

/// What the query is for: a finished question, or text still being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Search,
    /// Autocomplete: the last word is probably unfinished, and completions weigh more.
    Suggest,
}

/// A query and its filters.
#[derive(Debug, Clone, Default)]
pub struct Query<'q> {
    pub text: &'q str,
    pub limit: usize,
    pub mode: Mode,
    /// Only quotes, or only facts.
    pub kind: Option<EntryKind>,
    /// Only entries by this speaker id.
    pub speaker: Option<&'q str>,
    /// Only entries with this topic.
    pub topic: Option<&'q str>,
}

impl<'q> Query<'q> {
    pub fn new(text: &'q str, limit: usize) -> Self {
        Query {
            text,
            limit,
            ..Query::default()
        }
    }

    /// Whether an entry passes the kind, speaker and topic filters.
    pub fn admits(&self, entry: &Entry<'_>) -> bool {
        if self.kind.is_some_and(|k| k != entry.kind()) {
            return false;
        }
        if let Some(speaker) = self.speaker {
            match entry {
                Entry::Quote(q) if q.speaker == speaker => {}
                _ => return false,
            }
        }
        self.topic
            .is_none_or(|t| entry.topics().iter().any(|x| x == t))
    }
}

/// One ranked answer: a quote or a fact, by its position in the catalog.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub kind: EntryKind,
    pub index: usize,
    /// 0..=1: how completely and closely the entry matches the whole query.
    pub score: f32,
}

impl Hit {
    pub fn entry<'c>(&self, catalog: &'c Catalog) -> Entry<'c> {
        match self.kind {
            EntryKind::Quote => Entry::Quote(&catalog.quotes()[self.index]),
            EntryKind::Fact => Entry::Fact(&catalog.facts()[self.index]),
        }
    }
}

/// The ranked hits, and whether the best of them is good enough to present as the answer.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub hits: Vec<Hit>,
    /// False when the best hit is a weak guess: show "did you mean" instead of an answer.
    pub confident: bool,
    /// The query with misspelled words replaced by the closest indexed words, when any were.
    pub correction: Option<String>,
}

/// Ranks quotes and facts for a query. `index` must have been built from `catalog`.
pub fn search(index: &SearchIndex, catalog: &Catalog, query: &Query<'_>) -> Outcome {
    index.evaluate(catalog, query)
}

/// One autocomplete choice: a label to show and the id it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub name: String,
    pub value: String,
}

/// Discord's limits on autocomplete: at most 25 choices, names of 1 to 100 characters.
pub use crate::core::limits::{CHOICE_NAME as MAX_CHOICE_NAME, CHOICES as MAX_CHOICES};

/// The autocomplete choices for text being typed: entries best first, or the first entries of
/// the catalog when nothing has been typed yet. `label` turns an entry into its choice name
/// (rendering owns the wording); names are cut to Discord's limit here.
pub fn suggest(
    index: &SearchIndex,
    catalog: &Catalog,
    query: &Query<'_>,
    label: impl Fn(&Catalog, Entry<'_>) -> String,
) -> Vec<Choice> {
    let limit = query.limit.clamp(1, MAX_CHOICES);
    let entries: Vec<Entry<'_>> = if normalize::tokens(query.text).is_empty() {
        catalog
            .entries()
            .filter(|e| query.admits(e))
            .take(limit)
            .collect()
    } else {
        let query = Query {
            limit,
            mode: Mode::Suggest,
            ..query.clone()
        };
        search(index, catalog, &query)
            .hits
            .iter()
            .map(|h| h.entry(catalog))
            .collect()
    };
    entries
        .into_iter()
        .map(|entry| Choice {
            name: choice_name(&label(catalog, entry), entry.id()),
            value: entry.id().to_string(),
        })
        .collect()
}

/// A choice name of 1 to 100 characters, cut on a character boundary with an ellipsis.
fn choice_name(label: &str, fallback: &str) -> String {
    let label = label.trim();
    let label = if label.is_empty() { fallback } else { label };
    crate::core::limits::fit(label, MAX_CHOICE_NAME)
}

#[cfg(test)]
mod ranking_tests;
