//! The catalog: a validated, immutable snapshot of the curated database, with lookups by id.
//!
//! A `Catalog` is only built by [`crate::core::data::parse_catalog`], which has already
//! checked every reference, so lookups of ids stored in the catalog cannot dangle.

use std::collections::HashMap;

use super::model::{EntryKind, Fact, Provenance, Quote, Record, Source, Speaker, Synonym, Topic};
use super::schema::Kind;

#[derive(Debug, Clone)]
pub struct Catalog {
    speakers: Vec<Speaker>,
    sources: Vec<Source>,
    quotes: Vec<Quote>,
    facts: Vec<Fact>,
    index: HashMap<String, (Kind, usize)>,
    /// `topics.toml`'s topics, when the database has the file; topic ids are a namespace of
    /// their own, so they are not in `index`.
    topics: Vec<Topic>,
    topic_index: HashMap<String, usize>,
    /// `synonyms.toml`'s groups (their ids a namespace of their own too).
    synonyms: Vec<Synonym>,
    synonym_index: HashMap<String, usize>,
}

/// A quote or a fact, borrowed from the catalog.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'c> {
    Quote(&'c Quote),
    Fact(&'c Fact),
}

impl<'c> Entry<'c> {
    pub fn id(&self) -> &'c str {
        match self {
            Entry::Quote(q) => &q.id,
            Entry::Fact(f) => &f.id,
        }
    }

    pub fn kind(&self) -> EntryKind {
        match self {
            Entry::Quote(_) => EntryKind::Quote,
            Entry::Fact(_) => EntryKind::Fact,
        }
    }

    pub fn text(&self) -> &'c str {
        match self {
            Entry::Quote(q) => &q.text,
            Entry::Fact(f) => &f.text,
        }
    }

    pub fn topics(&self) -> &'c [String] {
        match self {
            Entry::Quote(q) => &q.topics,
            Entry::Fact(f) => &f.topics,
        }
    }

    pub fn provenance(&self) -> &'c Provenance {
        match self {
            Entry::Quote(q) => &q.provenance,
            Entry::Fact(f) => &f.provenance,
        }
    }
}

impl Catalog {
    /// Assembles a catalog from records whose ids are unique and whose references resolve.
    /// Only the data parser calls this, after checking both.
    pub(crate) fn from_checked(
        speakers: Vec<Speaker>,
        sources: Vec<Source>,
        quotes: Vec<Quote>,
        facts: Vec<Fact>,
        topics: Vec<Topic>,
        synonyms: Vec<Synonym>,
    ) -> Catalog {
        let mut index = HashMap::new();
        for (i, s) in speakers.iter().enumerate() {
            index.insert(s.id.clone(), (Kind::Speaker, i));
        }
        for (i, s) in sources.iter().enumerate() {
            index.insert(s.id.clone(), (Kind::Source, i));
        }
        for (i, q) in quotes.iter().enumerate() {
            index.insert(q.id.clone(), (Kind::Quote, i));
        }
        for (i, f) in facts.iter().enumerate() {
            index.insert(f.id.clone(), (Kind::Fact, i));
        }
        let topic_index = topics
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let synonym_index = synonyms
            .iter()
            .enumerate()
            .map(|(i, g)| (g.id.clone(), i))
            .collect();
        Catalog {
            speakers,
            sources,
            quotes,
            facts,
            index,
            topics,
            topic_index,
            synonyms,
            synonym_index,
        }
    }

    /// The topics of `topics.toml`, in file order (none without the file).
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// The groups of `synonyms.toml`, in file order (none without the file).
    pub fn synonyms(&self) -> &[Synonym] {
        &self.synonyms
    }

    /// The synonym group with this id.
    pub fn synonym(&self, id: &str) -> Option<&Synonym> {
        self.synonym_index.get(id).map(|&i| &self.synonyms[i])
    }

    /// The topic with this slug, when `topics.toml` describes it.
    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topic_index.get(id).map(|&i| &self.topics[i])
    }

    /// How a topic slug is shown: its name, or the slug itself when `topics.toml` does not
    /// name it.
    pub fn topic_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.topic(id).map_or(id, |t| t.name.as_str())
    }

    pub fn speakers(&self) -> &[Speaker] {
        &self.speakers
    }
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
    pub fn quotes(&self) -> &[Quote] {
        &self.quotes
    }
    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }

    fn find(&self, id: &str, kind: Kind) -> Option<usize> {
        match self.index.get(id) {
            Some((k, i)) if *k == kind => Some(*i),
            _ => None,
        }
    }

    pub fn speaker(&self, id: &str) -> Option<&Speaker> {
        self.find(id, Kind::Speaker).map(|i| &self.speakers[i])
    }
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.find(id, Kind::Source).map(|i| &self.sources[i])
    }
    pub fn quote(&self, id: &str) -> Option<&Quote> {
        self.find(id, Kind::Quote).map(|i| &self.quotes[i])
    }
    pub fn fact(&self, id: &str) -> Option<&Fact> {
        self.find(id, Kind::Fact).map(|i| &self.facts[i])
    }

    /// Every record of one kind, in file order, each as a value of its own.
    pub fn records(&self, kind: Kind) -> Box<dyn Iterator<Item = Record> + '_> {
        match kind {
            Kind::Speaker => Box::new(self.speakers.iter().cloned().map(Record::Speaker)),
            Kind::Source => Box::new(self.sources.iter().cloned().map(Record::Source)),
            Kind::Quote => Box::new(self.quotes.iter().cloned().map(Record::Quote)),
            Kind::Fact => Box::new(self.facts.iter().cloned().map(Record::Fact)),
            Kind::Topic => Box::new(self.topics.iter().cloned().map(Record::Topic)),
            Kind::Synonym => Box::new(self.synonyms.iter().cloned().map(Record::Synonym)),
        }
    }

    /// The record of `kind` with this id, as a value of its own (topics and synonym groups
    /// included: their ids are namespaces of their own, so the kind says where to look).
    pub fn record_of(&self, kind: Kind, id: &str) -> Option<Record> {
        match kind {
            Kind::Topic => self.topic(id).cloned().map(Record::Topic),
            Kind::Synonym => self.synonym(id).cloned().map(Record::Synonym),
            _ => self.record(id).filter(|r| r.kind() == kind),
        }
    }

    /// Whether a new record of `kind` cannot have this id: a record of its namespace has it
    /// (any speaker, source, quote or fact for those; any topic for a topic, any synonym group
    /// for a synonym group).
    pub fn id_taken(&self, kind: Kind, id: &str) -> bool {
        match kind {
            Kind::Topic => self.topic_index.contains_key(id),
            Kind::Synonym => self.synonym_index.contains_key(id),
            _ => self.index.contains_key(id),
        }
    }

    /// The kind of the record with this id (a speaker, source, quote or fact), if there is
    /// one.
    pub fn kind_of(&self, id: &str) -> Option<Kind> {
        self.index.get(id).map(|(kind, _)| *kind)
    }

    /// The ids of every fact, in file order.
    pub fn fact_ids(&self) -> Vec<&str> {
        self.facts.iter().map(|f| f.id.as_str()).collect()
    }

    /// The speaker, source, quote or fact with this id, as a value of its own (a topic is
    /// found by [`Catalog::record_of`]).
    pub fn record(&self, id: &str) -> Option<Record> {
        Some(match *self.index.get(id)? {
            (Kind::Speaker, i) => Record::Speaker(self.speakers[i].clone()),
            (Kind::Source, i) => Record::Source(self.sources[i].clone()),
            (Kind::Quote, i) => Record::Quote(self.quotes[i].clone()),
            (Kind::Fact, i) => Record::Fact(self.facts[i].clone()),
            (Kind::Topic, i) => Record::Topic(self.topics[i].clone()),
            (Kind::Synonym, i) => Record::Synonym(self.synonyms[i].clone()),
        })
    }

    /// A quote or fact by id.
    pub fn entry(&self, id: &str) -> Option<Entry<'_>> {
        match self.index.get(id)? {
            (Kind::Quote, i) => Some(Entry::Quote(&self.quotes[*i])),
            (Kind::Fact, i) => Some(Entry::Fact(&self.facts[*i])),
            _ => None,
        }
    }

    /// Whether any speaker, source, quote or fact has this id.
    pub fn contains_id(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// Quotes and facts, quotes first, in file order.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.quotes
            .iter()
            .map(Entry::Quote)
            .chain(self.facts.iter().map(Entry::Fact))
    }

    /// Facts related to an entry, in both directions: those it lists and those that list it.
    pub fn related_facts(&self, id: &str) -> Vec<&Fact> {
        let listed: Vec<&str> = match self.entry(id) {
            Some(Entry::Quote(q)) => q.related.iter().map(String::as_str).collect(),
            Some(Entry::Fact(f)) => f.related.iter().map(String::as_str).collect(),
            None => Vec::new(),
        };
        let mut out: Vec<&Fact> = listed.iter().filter_map(|r| self.fact(r)).collect();
        for fact in &self.facts {
            if fact.id != id
                && fact.related.iter().any(|r| r == id)
                && !out.iter().any(|f| f.id == fact.id)
            {
                out.push(fact);
            }
        }
        out
    }

    /// Quotes related to an entry, in both directions.
    pub fn related_quotes(&self, id: &str) -> Vec<&Quote> {
        let mut out: Vec<&Quote> = match self.entry(id) {
            Some(Entry::Fact(f)) => f.related.iter().filter_map(|r| self.quote(r)).collect(),
            _ => Vec::new(),
        };
        for quote in &self.quotes {
            if quote.id != id
                && quote.related.iter().any(|r| r == id)
                && !out.iter().any(|q| q.id == quote.id)
            {
                out.push(quote);
            }
        }
        out
    }
}
