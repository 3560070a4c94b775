//! The search index: built once from a catalog, then read by every query.
//!
//! It holds an inverted index over normalised tokens (text, speaker names and aliases, topics,
//! source titles and context as separate fields), a one-deletion neighbourhood of every term
//! for typo tolerance, the terms in sorted order for prefix completion, and each document's
//! token positions for the phrase and proximity bonus. Scoring lives in `score.rs`.

use std::collections::HashMap;
use std::sync::Mutex;

use rustc_hash::FxHashMap;

use rust_stemmers::{Algorithm, Stemmer};

use super::normalize::{each_search_token as each_token, is_stopword, search_tokens as tokens};
use crate::core::catalog::{Catalog, Entry};
use crate::core::model::EntryKind;

/// Which part of a record a token came from.
pub(crate) mod field {
    pub const TEXT: u8 = 1;
    pub const SPEAKER: u8 = 2;
    pub const TOPIC: u8 = 4;
    pub const SOURCE: u8 = 8;
    pub const CONTEXT: u8 = 16;
    /// An acronym and the name it stands for, both ways ("united states" also indexed as
    /// "us"), as topics.toml pairs them.
    pub const ALIAS: u8 = 32;
    /// The speaker's role when the words were said ("Secretary of State").
    pub const ROLE: u8 = 64;
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Posting {
    pub doc: u32,
    /// What the term is worth in this document before the query word's weight and rarity:
    /// [`field_score`], worked out once at build time (the first pass reads it for every
    /// posting it walks, and the document's length would be a look-up per posting).
    pub score: f32,
    /// Occurrences in the text field, saturated.
    pub tf: u8,
    /// The fields the term occurs in, as `field` bits.
    pub fields: u8,
    /// How many entries the document has in [`SearchIndex::positions`], saturated (see
    /// [`SearchIndex::entries`]): what reading them costs, known without looking the document
    /// up. (It fits in what would otherwise be padding.)
    pub entries: u16,
}

const _: () = assert!(
    std::mem::size_of::<Posting>() == 12,
    "a posting stays 12 bytes"
);

/// BM25's term-frequency saturation and length normalisation for the text field.
const K1: f32 = 1.2;
const B: f32 = 0.1;

/// How well a term's occurrences in one document match it: BM25's share for the text field
/// (`tf` occurrences in a text of `len` tokens, `avg_len` on average), or a fixed weight for a
/// speaker name, alias, role, topic, context or source title, whichever is best.
fn field_score(tf: u8, fields: u8, len: u32, avg_len: f32) -> f32 {
    let mut best: f32 = 0.0;
    if fields & field::TEXT != 0 {
        let norm = 1.0 - B + B * len as f32 / avg_len;
        let tf = tf as f32;
        best = (tf * (1.0 + K1) / (tf + K1 * norm)).min(1.0);
    }
    for (bit, weight) in [
        (field::SPEAKER, 0.9),
        (field::ALIAS, 0.85),
        (field::ROLE, 0.7),
        (field::TOPIC, 0.6),
        (field::CONTEXT, 0.6),
        (field::SOURCE, 0.4),
    ] {
        if fields & bit != 0 {
            best = best.max(weight);
        }
    }
    best
}

#[derive(Debug, Clone)]
pub(crate) struct Doc {
    pub kind: EntryKind,
    /// Index into the catalog's quotes or facts.
    pub index: u32,
    /// Number of text tokens, for length normalisation.
    pub len: u32,
    /// Range into `SearchIndex::positions`.
    pub positions: (u32, u32),
}

#[derive(Debug, Clone)]
pub(crate) struct Term {
    pub text: Box<str>,
    pub stem: u32,
    pub postings: Vec<Posting>,
}

/// One document's first-pass working values.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sums {
    /// The document's score so far.
    pub acc: f32,
    /// The query words (as bits) it matched.
    pub matched: u32,
    /// Its score before the query word being walked; written before it is read (on the
    /// word's first posting for the document), so never cleaned.
    pub base: f32,
}

/// Per-query working arrays, one slot per document, kept between queries so that a query does
/// not allocate and zero them again. Returned clean (all zero but the sums' `base`, `touched`
/// empty).
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// Per document, the first pass's sums (one slot holding all three, so that a posting
    /// walked reads one place in memory).
    pub sums: Vec<Sums>,
    pub touched: Vec<u32>,
    /// Per term, the query words (as bits) it may stand for in a phrase; set only for the
    /// terms in `marked`.
    pub term_bits: Vec<u32>,
    pub marked: Vec<u32>,
    /// Per document, the query words found in its text by the phrase pass; set only for the
    /// documents in `doc_touched`.
    pub doc_bits: Vec<u32>,
    /// With each document, its count of position entries (as its postings give it: read with
    /// them).
    pub doc_touched: Vec<(u32, usize)>,
    /// Per term, 1 + its place in the re-ranking's table of what the query's terms stand for
    /// (0 for a term the query lacks); set only for the terms in `slotted`.
    pub term_slot: Vec<u32>,
    pub slotted: Vec<u32>,
}

/// The immutable index for one catalog snapshot.
#[derive(Debug)]
pub struct SearchIndex {
    pub(crate) docs: Vec<Doc>,
    pub(crate) terms: Vec<Term>,
    pub(crate) term_ids: FxHashMap<Box<str>, u32>,
    /// Term ids sorted by text, for prefix ranges.
    pub(crate) sorted: Vec<u32>,
    /// (hash of a term with one character deleted, or of the term itself, term id), sorted.
    pub(crate) deletes: Vec<(u64, u32)>,
    /// Terms sharing a stem, by stem id.
    pub(crate) stem_groups: Vec<Vec<u32>>,
    /// Stem text to stem id.
    pub(crate) stem_ids: HashMap<String, u32>,
    /// Text token positions, per document, in order: each entry a term id, with
    /// [`SAME_PLACE`] set when it stands at the same place as the entry before it (the word
    /// there and an acronym standing for it, or the words of a name an acronym in the text
    /// stands for, in term order); every other entry is the next place. (Half the memory of
    /// (place, term) pairs, which the phrase pass reads for thousands of documents.) Read
    /// through [`SearchIndex::doc_positions`].
    pub(crate) positions: Vec<u32>,
    /// From `synonyms.toml`: the stem of a word of a group to the indexed terms of the group's
    /// other words (each with the terms sharing its stem).
    pub(crate) synonyms: HashMap<String, Vec<u32>>,
    scratch: Mutex<Vec<Scratch>>,
}

/// The bit of a `positions` entry that marks it as standing at the place of the entry before.
const SAME_PLACE: u32 = 1 << 31;

/// Text positions kept per document for the phrase and proximity bonus: a longer text is
/// matched on all its words, but only its start counts for word order and closeness, so one
/// huge entry cannot make every query that touches it slow.
pub(crate) const MAX_POSITIONS: usize = 4096;

const HASH_BASE: u64 = 0x0000_0100_0000_01b3;

/// A polynomial hash of a character sequence: Σ (c + 1) · B^(n-1-i), wrapping.
fn hash_chars(chars: &[char]) -> u64 {
    chars.iter().fold(0u64, |h, &c| {
        h.wrapping_mul(HASH_BASE).wrapping_add(c as u64 + 1)
    })
}

/// The hash of `text` itself, then of `text` with each character in turn left out (only for
/// words of three or more characters), in time linear in the word: the hash is polynomial, so
/// each deletion is the prefix's hash shifted plus the suffix's.
pub(crate) fn deletion_hashes(text: &str) -> Vec<u64> {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut out = Vec::with_capacity(n + 1);
    out.push(hash_chars(&chars));
    if n < 3 {
        return out;
    }
    // power[j] = B^j; suffix[k] = hash of chars[k..] on its own.
    let power: Vec<u64> = std::iter::successors(Some(1u64), |p| Some(p.wrapping_mul(HASH_BASE)))
        .take(n + 1)
        .collect();
    let mut suffix = vec![0u64; n + 1];
    for k in (0..n).rev() {
        suffix[k] = (chars[k] as u64 + 1)
            .wrapping_mul(power[n - 1 - k])
            .wrapping_add(suffix[k + 1]);
    }
    let mut prefix = 0u64;
    for k in 0..n {
        // chars[..k] then chars[k + 1..]: the prefix shifted past the suffix's length.
        out.push(
            prefix
                .wrapping_mul(power[n - 1 - k])
                .wrapping_add(suffix[k + 1]),
        );
        prefix = prefix
            .wrapping_mul(HASH_BASE)
            .wrapping_add(chars[k] as u64 + 1);
    }
    out
}

pub(crate) fn stemmer() -> Stemmer {
    Stemmer::create(Algorithm::English)
}

struct Builder {
    terms: Vec<Term>,
    term_ids: FxHashMap<Box<str>, u32>,
    stems: HashMap<String, u32>,
    stemmer: Stemmer,
}

impl Builder {
    fn term(&mut self, text: &str) -> u32 {
        if let Some(id) = self.term_ids.get(text) {
            return *id;
        }
        let stem = self.stemmer.stem(text).into_owned();
        let next_stem = self.stems.len() as u32;
        let stem = *self.stems.entry(stem).or_insert(next_stem);
        let id = self.terms.len() as u32;
        self.terms.push(Term {
            text: text.into(),
            stem,
            postings: Vec::new(),
        });
        self.term_ids.insert(text.into(), id);
        id
    }
}

impl SearchIndex {
    /// Builds the index for every quote and fact of the catalog.
    pub fn build(catalog: &Catalog) -> SearchIndex {
        let mut builder = Builder {
            terms: Vec::new(),
            term_ids: FxHashMap::default(),
            stems: HashMap::new(),
            stemmer: stemmer(),
        };
        // Speaker and source field tokens are the same for many documents: tokenise once.
        let speaker_tokens: HashMap<&str, Vec<String>> = catalog
            .speakers()
            .iter()
            .map(|s| {
                let mut t = tokens(&s.name);
                for alias in &s.aliases {
                    t.extend(tokens(alias));
                }
                (s.id.as_str(), t)
            })
            .collect();
        let source_tokens: HashMap<&str, Vec<String>> = catalog
            .sources()
            .iter()
            .map(|s| (s.id.as_str(), tokens(&s.title)))
            .collect();

        let acronyms = Acronyms::from_topics(catalog.topics());
        // A speaker's role when they spoke (contract §4.1: the dated role held on the quote's
        // date, else `role`), tokenised once per distinct title.
        let mut role_tokens: HashMap<String, Vec<String>> = HashMap::new();
        let mut docs = Vec::new();
        let mut positions = Vec::new();
        // One document's (place, term) pairs before they are packed into `positions`.
        let mut doc_places: Vec<(u32, u32)> = Vec::new();
        let mut total_len = 0u64;
        // Per document: (term, text occurrences, field bits), one slot per distinct term.
        let mut doc_terms: Vec<(u32, u8, u8)> = Vec::new();
        // Per term: the document (plus one) whose slot in `doc_terms` it last had, and that
        // slot, so merging a document's occurrences is linear in its length.
        let mut last_doc: Vec<u32> = Vec::new();
        let mut slot: Vec<u32> = Vec::new();
        // The document's text tokens, in one reused buffer.
        let mut arena = String::new();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for entry in catalog.entries() {
            let doc = docs.len() as u32;
            doc_terms.clear();
            arena.clear();
            spans.clear();
            each_token(entry.text(), |t| {
                spans.push((arena.len(), arena.len() + t.len()));
                arena.push_str(t);
            });
            let text_tokens: Vec<&str> = spans.iter().map(|&(a, b)| &arena[a..b]).collect();
            let mut add = |id: u32, tf: u8, bit: u8| {
                let i = id as usize;
                if last_doc.len() <= i {
                    last_doc.resize(i + 1, 0);
                    slot.resize(i + 1, 0);
                }
                if last_doc[i] == doc + 1 {
                    let entry = &mut doc_terms[slot[i] as usize];
                    entry.1 = entry.1.saturating_add(tf);
                    entry.2 |= bit;
                } else {
                    last_doc[i] = doc + 1;
                    slot[i] = doc_terms.len() as u32;
                    doc_terms.push((id, tf, bit));
                }
            };
            doc_places.clear();
            for (pos, token) in text_tokens.iter().enumerate() {
                let id = builder.term(token);
                add(id, 1, field::TEXT);
                if pos < MAX_POSITIONS {
                    doc_places.push((pos as u32, id));
                }
            }
            let mut aliased = false;
            for (pos, alias) in acronyms.aliases(entry.text(), &text_tokens) {
                let id = builder.term(&alias);
                add(id, 0, field::ALIAS);
                if pos < MAX_POSITIONS {
                    doc_places.push((pos as u32, id));
                    aliased = true;
                }
            }
            if aliased {
                doc_places.sort_unstable();
            }
            // Every place from the first holds a text token (an acronym stands at a token's
            // place), so the places are told apart by order alone.
            let start = positions.len() as u32;
            let mut previous = None;
            for &(pos, id) in &doc_places {
                // (A term id has 31 bits to spare: 2^31 terms would not fit in memory.)
                debug_assert!(id < SAME_PLACE);
                debug_assert!(previous.is_none_or(|p: u32| pos == p || pos == p + 1));
                positions.push(if previous == Some(pos) {
                    id | SAME_PLACE
                } else {
                    id
                });
                previous = Some(pos);
            }
            let end = positions.len() as u32;
            // A fact's figure is found as the source states it and as typed: its value written
            // out (140e9 as "140", "billion"), its unit and its qualifier.
            if let Entry::Fact(fact) = entry
                && let Some(figure) = &fact.figure
            {
                let value = figure_text(figure.value);
                let words = [
                    Some(value.as_str()),
                    figure.unit.as_deref(),
                    figure.qualifier.as_deref(),
                ];
                for text in words.into_iter().flatten() {
                    each_token(text, |t| {
                        let id = builder.term(t);
                        add(id, 0, field::CONTEXT);
                    });
                }
            }
            let (speaker, source, context) = match entry {
                Entry::Quote(q) => (Some(q.speaker.as_str()), &q.source, q.context.as_deref()),
                Entry::Fact(f) => (None, &f.source, None),
            };
            if let Some(tokens) = speaker.and_then(|s| speaker_tokens.get(s)) {
                for t in tokens {
                    let id = builder.term(t);
                    add(id, 0, field::SPEAKER);
                }
            }
            if let Entry::Quote(q) = entry {
                let role = catalog.speaker(&q.speaker).and_then(|s| s.role_on(q.date));
                if let Some(role) = role {
                    let tokens = role_tokens.entry(role).or_insert_with_key(|r| tokens(r));
                    for t in tokens.iter() {
                        let id = builder.term(t);
                        add(id, 0, field::ROLE);
                    }
                }
            }
            for t in source_tokens.get(source.as_str()).into_iter().flatten() {
                let id = builder.term(t);
                add(id, 0, field::SOURCE);
            }
            for topic in entry.topics() {
                each_token(topic, |t| {
                    let id = builder.term(t);
                    add(id, 0, field::TOPIC);
                });
                // A topic's name and aliases (topics.toml) are indexed with it, so a query
                // saying "DPRK" finds what is filed under north-korea.
                let named = catalog
                    .topic(topic)
                    .into_iter()
                    .flat_map(|named| std::iter::once(&named.name).chain(&named.aliases));
                for name in named {
                    each_token(name, |t| {
                        let id = builder.term(t);
                        add(id, 0, field::TOPIC);
                    });
                }
            }
            // Published translations are found by their words, as the context is.
            for translation in &entry.provenance().translations {
                each_token(&translation.text, |t| {
                    let id = builder.term(t);
                    add(id, 0, field::CONTEXT);
                });
            }
            if let Some(context) = context {
                each_token(context, |t| {
                    let id = builder.term(t);
                    add(id, 0, field::CONTEXT);
                });
            }
            for &(term, tf, fields) in &doc_terms {
                builder.terms[term as usize].postings.push(Posting {
                    doc,
                    score: 0.0,
                    tf,
                    fields,
                    entries: u16::try_from(end - start).unwrap_or(u16::MAX),
                });
            }
            total_len += text_tokens.len() as u64;
            docs.push(Doc {
                kind: entry.kind(),
                index: 0,
                len: text_tokens.len() as u32,
                positions: (start, end),
            });
        }
        // Documents were pushed quotes first, then facts, each in catalog order.
        let quote_count = catalog.quotes().len();
        for (i, doc) in docs.iter_mut().enumerate() {
            doc.index = if i < quote_count { i } else { i - quote_count } as u32;
        }

        let mut sorted: Vec<u32> = (0..builder.terms.len() as u32).collect();
        sorted.sort_unstable_by(|a, b| {
            builder.terms[*a as usize]
                .text
                .cmp(&builder.terms[*b as usize].text)
        });
        let mut deletes = Vec::new();
        for (id, term) in builder.terms.iter().enumerate() {
            for hash in deletion_hashes(&term.text) {
                deletes.push((hash, id as u32));
            }
        }
        deletes.sort_unstable();
        deletes.dedup();
        let mut stem_groups = vec![Vec::new(); builder.stems.len()];
        for (id, term) in builder.terms.iter().enumerate() {
            stem_groups[term.stem as usize].push(id as u32);
        }
        let synonyms = synonym_terms(catalog, &builder.term_ids, &builder.stems, &stem_groups);
        let avg_len = if docs.is_empty() {
            1.0
        } else {
            (total_len as f32 / docs.len() as f32).max(1.0)
        };
        for term in &mut builder.terms {
            for p in &mut term.postings {
                p.score = field_score(p.tf, p.fields, docs[p.doc as usize].len, avg_len);
            }
        }
        SearchIndex {
            docs,
            terms: builder.terms,
            term_ids: builder.term_ids,
            sorted,
            deletes,
            stem_groups,
            stem_ids: builder.stems,
            positions,
            synonyms,
            scratch: Mutex::new(Vec::new()),
        }
    }

    /// Clean working arrays for one query.
    pub(crate) fn take_scratch(&self) -> Scratch {
        let reused = self
            .scratch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        reused.unwrap_or_else(|| Scratch {
            sums: vec![Sums::default(); self.docs.len()],
            touched: Vec::new(),
            term_bits: vec![0; self.terms.len()],
            marked: Vec::new(),
            doc_bits: vec![0; self.docs.len()],
            doc_touched: Vec::new(),
            term_slot: vec![0; self.terms.len()],
            slotted: Vec::new(),
        })
    }

    /// Cleans the arrays a query used and keeps them for the next one.
    pub(crate) fn give_back(&self, mut scratch: Scratch) {
        for doc in scratch.touched.drain(..) {
            let sums = &mut scratch.sums[doc as usize];
            (sums.acc, sums.matched) = (0.0, 0);
        }
        for term in scratch.marked.drain(..) {
            scratch.term_bits[term as usize] = 0;
        }
        for term in scratch.slotted.drain(..) {
            scratch.term_slot[term as usize] = 0;
        }
        self.scratch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(scratch);
    }

    /// Number of indexed documents (quotes and facts).
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// How many entries a document has in `positions` (its places, and an acronym's or a
    /// name's words standing at a place beside the word there), read from one of its postings
    /// (looked up only when the posting's count is saturated).
    pub(crate) fn entries(&self, posting: &Posting) -> usize {
        match posting.entries {
            u16::MAX => self.doc_positions(posting.doc).len(),
            entries => usize::from(entries),
        }
    }

    /// A document's text positions as (place, term id), in order.
    pub(crate) fn doc_positions(&self, doc: u32) -> impl ExactSizeIterator<Item = (u32, u32)> + '_ {
        let (start, end) = self.docs[doc as usize].positions;
        let mut place = u32::MAX;
        self.positions[start as usize..end as usize]
            .iter()
            .map(move |&entry| {
                if entry & SAME_PLACE == 0 {
                    place = place.wrapping_add(1);
                }
                (place, entry & !SAME_PLACE)
            })
    }

    /// Term ids whose text starts with `prefix`, in sorted order.
    pub(crate) fn prefix_range(&self, prefix: &str) -> &[u32] {
        let start = self
            .sorted
            .partition_point(|id| &*self.terms[*id as usize].text < prefix);
        let len = self.sorted[start..]
            .partition_point(|id| self.terms[*id as usize].text.starts_with(prefix));
        &self.sorted[start..start + len]
    }

    /// Term ids sharing a one-deletion neighbour with `hash`.
    pub(crate) fn deletion_neighbours(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let start = self.deletes.partition_point(|(h, _)| *h < hash);
        self.deletes[start..]
            .iter()
            .take_while(move |(h, _)| *h == hash)
            .map(|(_, id)| *id)
    }
}

/// The synonym groups of the catalog as search reads them: each word's stem to the indexed
/// terms its group's other words stand for (the word and every term sharing its stem). A word
/// that is not one token once normalised, or appears in no text, adds nothing.
fn synonym_terms(
    catalog: &Catalog,
    term_ids: &FxHashMap<Box<str>, u32>,
    stems: &HashMap<String, u32>,
    stem_groups: &[Vec<u32>],
) -> HashMap<String, Vec<u32>> {
    let mut out: HashMap<String, Vec<u32>> = HashMap::new();
    for group in catalog.synonyms() {
        let words: Vec<String> = group
            .words
            .iter()
            .filter_map(|w| match tokens(w).as_slice() {
                // A function word ("the") in a group would make every query holding it wander.
                [one] if !is_stopword(one) => Some(one.clone()),
                _ => None,
            })
            .collect();
        let stems_of: Vec<String> = words
            .iter()
            .map(|w| stemmer().stem(w).into_owned())
            .collect();
        for stem in &stems_of {
            let terms = out.entry(stem.clone()).or_default();
            for (j, other) in words.iter().enumerate() {
                if stems_of[j] == *stem {
                    continue;
                }
                if let Some(&term) = term_ids.get(other.as_str()) {
                    terms.push(term);
                }
                if let Some(&group) = stems.get(stems_of[j].as_str()) {
                    terms.extend_from_slice(&stem_groups[group as usize]);
                }
            }
            terms.sort_unstable();
            terms.dedup();
        }
    }
    out.retain(|_, terms| !terms.is_empty());
    out
}

/// A figure's value as digits: whole numbers without a fraction or exponent (140e9 as
/// "140000000000", which search reads as "140 billion"), others as Rust prints them.
fn figure_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        value.to_string()
    }
}

/// Acronyms and the names they stand for, read from topics.toml: within one topic, a
/// one-word name or alias ("DPRK", "U.S.", "NCG") stands for a longer one whose words' initials
/// spell it ("Democratic People's Republic of Korea", with or without its "of"; "United
/// States"; "Nuclear Consultative Group"). Nothing is hard-coded: an editor adds an alias and
/// search reads it both ways.
struct Acronyms {
    /// (acronym, the name's words), each pair once.
    pairs: Vec<(String, Vec<String>)>,
}

impl Acronyms {
    fn from_topics(topics: &[crate::core::model::Topic]) -> Acronyms {
        let mut pairs = Vec::new();
        for topic in topics {
            let names: Vec<Vec<String>> = std::iter::once(&topic.name)
                .chain(&topic.aliases)
                .map(|n| tokens(n))
                .collect();
            for short in names.iter().filter(|n| n.len() == 1) {
                let acronym = &short[0];
                if !(2..=6).contains(&acronym.chars().count())
                    || !acronym.chars().all(char::is_alphabetic)
                {
                    continue;
                }
                for long in names.iter().filter(|n| n.len() >= 2) {
                    let initials = |skip_of: bool| -> String {
                        long.iter()
                            .filter(|w| !(skip_of && w.as_str() == "of"))
                            .filter_map(|w| w.chars().next())
                            .collect()
                    };
                    if initials(false) == *acronym || initials(true) == *acronym {
                        pairs.push((acronym.clone(), long.clone()));
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        Acronyms { pairs }
    }

    /// The acronym forms of the names in a text's tokens, at the place each name starts, and
    /// the words of the names its acronyms stand for, at the acronym's place. An acronym
    /// counts only where the text writes it in capitals ("U.S.", "US"), so "let us" is not
    /// the United States.
    fn aliases(&self, raw: &str, text: &[&str]) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        if self.pairs.is_empty() {
            return out;
        }
        for (pos, &token) in text.iter().enumerate() {
            for (acronym, words) in &self.pairs {
                if token == words[0]
                    && text.len() - pos >= words.len()
                    && words.iter().zip(&text[pos..]).all(|(w, t)| w == t)
                {
                    out.push((pos, acronym.clone()));
                }
                if token == acronym && written_in_capitals(raw, acronym) {
                    out.extend(words.iter().map(|w| (pos, w.clone())));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Whether `raw` writes `acronym` in capital letters somewhere, dotted or not ("U.S.", "US").
fn written_in_capitals(raw: &str, acronym: &str) -> bool {
    let want: Vec<char> = acronym.chars().flat_map(char::to_uppercase).collect();
    raw.split(|c: char| !(c.is_alphabetic() || c == '.'))
        .any(|word| word.chars().filter(|c| *c != '.').eq(want.iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletion_hashes_are_the_hashes_of_each_deletion() {
        for word in ["ab", "abc", "linchpin", "동맹은", "𝔘𝔫𝔦", "aaaa"] {
            let chars: Vec<char> = word.chars().collect();
            let mut want = vec![hash_chars(&chars)];
            if chars.len() >= 3 {
                for k in 0..chars.len() {
                    let mut deleted = chars.clone();
                    deleted.remove(k);
                    want.push(hash_chars(&deleted));
                }
            }
            assert_eq!(deletion_hashes(word), want, "{word}");
        }
        // A word with one letter more has the word among its deletions.
        assert!(deletion_hashes("linchpins").contains(&deletion_hashes("linchpin")[0]));
    }

    #[test]
    fn an_acronym_stands_at_the_place_of_the_words_it_spells_and_shifts_none() {
        let catalog = crate::core::data::DataFiles::named(&[
            "[[speaker]]\nid = \"s\"\nname = \"S\"\n".to_string(),
            "[[source]]\nid = \"src\"\ntitle = \"T\"\n".to_string(),
            "[[quote]]\nid = \"q\"\ntext = \"the United States trade deficit grew\"\n\
             speaker = \"s\"\nsource = \"src\"\n"
                .to_string(),
            String::new(),
            "[[topic]]\nid = \"us\"\nname = \"United States\"\naliases = [\"U.S.\"]\n".to_string(),
            String::new(),
        ])
        .parse()
        .unwrap();
        let index = SearchIndex::build(&catalog);
        let text = |term: u32| index.terms[term as usize].text.to_string();
        let places: Vec<(u32, String)> = index
            .doc_positions(0)
            .map(|(place, term)| (place, text(term)))
            .collect();
        // Each word at its place, in order, and "us" beside them at a place of its own words.
        let words: Vec<(u32, String)> = places.iter().filter(|(_, t)| t != "us").cloned().collect();
        let expected: Vec<(u32, String)> = ["the", "united", "states", "trade", "deficit", "grew"]
            .iter()
            .enumerate()
            .map(|(i, w)| (i as u32, w.to_string()))
            .collect();
        assert_eq!(words, expected);
        let acronym: Vec<u32> = places
            .iter()
            .filter(|(_, t)| t == "us")
            .map(|(p, _)| *p)
            .collect();
        assert!(matches!(acronym[..], [1] | [2]), "{places:?}");
        assert_eq!(index.doc_positions(0).len(), 7);
    }

    #[test]
    fn a_huge_entry_keeps_a_bounded_number_of_positions_and_is_still_found() {
        let text = "alliance linchpin peace ".repeat(20_000);
        let quotes = format!(
            "[[quote]]\nid = \"q\"\ntext = \"{text}\"\nspeaker = \"s\"\nsource = \"src\"\n"
        );
        let catalog = crate::core::data::DataFiles::named(&[
            "[[speaker]]\nid = \"s\"\nname = \"S\"\n".to_string(),
            "[[source]]\nid = \"src\"\ntitle = \"T\"\n".to_string(),
            quotes,
            "".to_string(),
            String::new(),
            String::new(),
        ])
        .parse()
        .unwrap();
        let index = SearchIndex::build(&catalog);
        assert_eq!(index.doc_positions(0).len(), MAX_POSITIONS);
        assert_eq!(index.docs[0].len, 60_000);
        // What the phrase pass budgets by: each posting's count of its document's places.
        for term in &index.terms {
            for posting in &term.postings {
                assert_eq!(index.entries(posting), MAX_POSITIONS, "{}", term.text);
            }
        }
        let outcome = crate::core::search::search(
            &index,
            &catalog,
            &crate::core::search::Query::new("peace alliance linchpin", 5),
        );
        assert_eq!(outcome.hits.len(), 1);
        assert!(outcome.confident);
    }
}
