//! Query evaluation: expand each query word into index terms (exact, same stem, one or two
//! typos away, completions of an unfinished last word), score documents with a BM25-style
//! sum in which rare words decide, add the documents that hold the query as a phrase (found
//! by word order, which that sum cannot see), then re-rank the candidates with a phrase and
//! proximity bonus. Scores are normalised to 0..=1 against a perfect match of the query, which
//! is what lets the caller tell a real answer from a weak guess.

use rustc_hash::FxHashMap;
use unicode_normalization::UnicodeNormalization;

use super::index::{Scratch, SearchIndex, deletion_hashes, field, stemmer};
use super::normalize::{ends_mid_word, hangul_carry, is_stopword, search_tokens as tokens};
use super::{Hit, Mode, Outcome, Query, numbers};
use crate::core::catalog::{Catalog, Entry};
use crate::core::model::EntryKind;

/// Queries are cut to this many words; more adds time without changing the answer.
const MAX_TOKENS: usize = 24;
/// Documents re-ranked with positions after the first, position-free pass.
const RERANK: usize = 200;
/// Completions considered for an unfinished word.
const MAX_PREFIX_TERMS: usize = 64;
/// Completions of the word being typed that the phrase pass recognises; a prefix with more
/// (one or two letters of a large corpus) is matched only on its most common completions.
const MAX_PHRASE_COMPLETIONS: usize = 16_384;
/// Postings of the rarest word walked to find the documents that continue a typed phrase;
/// a further word with no more than this is always affordable.
const PHRASE_SCAN_BUDGET: usize = 30_000;
/// Postings walked in all, beyond the rarest word's, for words past the scan budget, to narrow
/// the documents whose positions the phrase pass reads.
const PHRASE_EXTRA_SCAN_BUDGET: usize = 60_000;
/// Longer queries (a pasted message, a claim to verify) are not looked for as one phrase, nor
/// read a second time with run-together words split: their many words find the entry anyway,
/// and the extra passes would only cost time.
const PHRASE_MAX_WORDS: usize = 12;
/// Text positions read to check that those documents hold the phrase.
const PHRASE_POSITIONS_BUDGET: usize = 50_000;
/// Documents whose positions the phrase pass reads at most (the first pass's best of them).
const PHRASE_DOCS: usize = 2_500;
/// Terms scanned when looking for a completion of a mistyped unfinished word.
const MAX_FUZZY_PREFIX_SCAN: usize = 20_000;
/// Postings one query word may walk in the first pass; the rest is left to re-ranking.
const TOKEN_POSTINGS_BUDGET: usize = 40_000;
/// Below this many postings a term is cheap to walk however common it is.
const COMMON_MIN_POSTINGS: usize = 2_000;
/// The weight of the words-close-together bonus, relative to matching every word.
const COMPACTNESS_WEIGHT: f32 = 0.15;
/// The weight of the bonus for holding every query word side by side in some order (the
/// query's words as one unbroken span: a recollection with the words shuffled), on top of
/// closeness; an entry holding them in the query's order has it too, and its adjacency more.
const SPAN_WEIGHT: f32 = 0.2;
/// How many times more common than an indexed word a word one edit from it must be for the
/// indexed one to be read as its typo.
const TYPO_ODDS: usize = 50;
/// What a word of a synonym group is worth for another word of it: below the word's own
/// stem (0.9) and digits (0.8).
const SYNONYM_WEIGHT: f32 = 0.7;

/// Below this normalised score, or this share of the query matched, the best hit is offered
/// as "did you mean" rather than as the answer.
const CONFIDENT_SCORE: f32 = 0.4;
const CONFIDENT_COVERAGE: f32 = 0.6;

#[derive(Debug, Clone)]
struct Token {
    text: String,
    /// Candidate terms, how well each matches this word (1.0 exact), and whether the term is
    /// the word as typed or a completion of it (not a typo, stem or variant).
    expansions: Vec<(u32, f32, bool)>,
    /// Terms an edit away that count only where the words around them confirm them: in the
    /// phrase check and re-ranking, never in the first pass ("te" may be "the", "to", "be").
    near: Vec<(u32, f32)>,
    /// This word's weight in a perfect match.
    idf: f32,
    /// The terms an edit reaches (a typo's candidates, joined or near), sorted, and the rarity
    /// of the commonest of them (see `match_idf`).
    edits: Vec<u32>,
    edit_idf: f32,
    /// The terms reached only as the word's synonyms, sorted: a rare synonym does not make the
    /// query count as having a rare word (the first pass would then skip the common word
    /// itself and find only the synonym's entries).
    borrowed: Vec<u32>,
    /// Scored only during re-ranking because it is too common to decide anything alone.
    deferred: bool,
    /// The best replacement when the word itself is not in the index.
    correction: Option<u32>,
}

impl Token {
    /// Every term the word may stand for: its candidates, then the terms only word order
    /// confirms.
    fn terms(&self) -> impl Iterator<Item = u32> + '_ {
        let near = self.near.iter().map(|(t, _)| *t);
        self.expansions.iter().map(|(t, _, _)| *t).chain(near)
    }
}

/// How a typed word may be two words run together ([`SearchIndex::run_together`]).
enum RunTogether {
    /// Certainly: it is read as the two.
    Split(String, String),
    /// Perhaps: the query is ranked both ways.
    Maybe(String, String),
    No,
}

/// What a query word may stand for.
struct Expanded {
    /// Candidate terms, how well each matches, and whether it is the word or a completion.
    terms: Vec<(u32, f32, bool)>,
    /// See [`Token::near`].
    near: Vec<(u32, f32)>,
    /// See [`Token::edits`].
    edits: Vec<u32>,
    /// See [`Token::borrowed`].
    borrowed: Vec<u32>,
    /// The best replacement when the word itself is not in the index.
    correction: Option<u32>,
    /// The far commoner word this indexed word is probably a typo of.
    typo_of: Option<u32>,
}

impl SearchIndex {
    fn idf(&self, df: usize) -> f32 {
        let n = self.docs.len() as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    fn term_idf(&self, term: u32) -> f32 {
        self.idf(self.terms[term as usize].postings.len())
    }

    /// What matching `term` for a query word is worth: the term's rarity, except for what an
    /// edit reaches (a typo's candidates), which all weigh the rarity of the commonest, so that a rare wrong guess ("Africans" for "Amricans") does not
    /// outweigh the likely one ("Americans"). Never more than the word.
    fn match_idf(&self, token: &Token, term: u32, literal: bool) -> f32 {
        if !literal && token.edits.binary_search(&term).is_ok() {
            token.edit_idf.min(token.idf)
        } else {
            self.term_idf(term).min(token.idf)
        }
    }

    /// How common a term is, 0 (in no document) to 1 (in all of them), on a log scale.
    fn commonness(&self, term: u32) -> f32 {
        let df = self.terms[term as usize].postings.len() as f32;
        (1.0 + df).ln() / (1.0 + self.docs.len() as f32).ln().max(f32::EPSILON)
    }

    /// The terms a query word may stand for, with match weights, and whether each is the
    /// word as typed or one of its completions.
    ///
    /// The weights keep one order whatever the word: the word itself (1.0) above its stem
    /// (0.9) above a typo-corrected word; for a word being typed, a completion (what the typed
    /// letters begin) above anything reached by an edit.
    fn expand(&self, word: &str, open: bool, mode: Mode) -> Expanded {
        let mut out: FxHashMap<u32, (f32, bool)> = FxHashMap::default();
        let mut put = |term: u32, weight: f32, literal: bool| {
            let slot = out.entry(term).or_insert((0.0, false));
            slot.0 = slot.0.max(weight);
            slot.1 |= literal;
        };
        let exact = self.term_ids.get(word).copied();
        if let Some(term) = exact {
            put(term, 1.0, true);
        }
        let stem = stemmer().stem(word).into_owned();
        let stem_group = exact
            .map(|t| self.terms[t as usize].stem)
            .or_else(|| self.stem_ids.get(stem.as_str()).copied());
        if let Some(group) = stem_group {
            for &term in &self.stem_groups[group as usize] {
                put(term, 0.9, false);
            }
        }
        // A finished word (in a search, the last word too: it is complete as often as not)
        // stands for its synonym group's other words (synonyms.toml), below any spelling of
        // the word itself; a word being typed into autocomplete is completed instead.
        let finished = !open || mode == Mode::Search;
        let mut borrowed: Vec<u32> = Vec::new();
        if finished && let Some(terms) = self.synonyms.get(stem.as_str()) {
            for &term in terms {
                put(term, SYNONYM_WEIGHT, false);
                borrowed.push(term);
            }
        }
        // "seven" and "7" are one word written two ways; the way typed still ranks first.
        if finished {
            let other = match numbers::word_value(word) {
                Some(value) => self.term_ids.get(value.to_string().as_str()).copied(),
                None => numbers::spelled(word).and_then(|w| self.term_ids.get(w).copied()),
            };
            if let Some(term) = other {
                put(term, 0.8, false);
            }
        }
        let n = word.chars().count();
        let mut correction: Option<(f32, usize, u32)> = None;
        let stopword = is_stopword(word);
        let prefix_weight = prefix_weight(mode);
        let completing = open && !(stopword && exact.is_some());
        // Whether the word being typed begins any indexed word.
        let completable = completing
            && (!self.prefix_range(word).is_empty()
                || hangul_carry(word).is_some_and(|c| !self.prefix_range(&c).is_empty()));
        // Words one or two edits away, with their distance.
        let mut neighbours: Vec<(u32, usize)> = Vec::new();
        if n >= 2 {
            let max_distance = if n >= 8 { 2 } else { 1 };
            for hash in deletion_hashes(word) {
                for term in self.deletion_neighbours(hash) {
                    if Some(term) == exact || neighbours.iter().any(|(t, _)| *t == term) {
                        continue;
                    }
                    let distance = strsim::osa_distance(word, &self.terms[term as usize].text);
                    if distance > 0 && distance <= max_distance {
                        neighbours.push((term, distance));
                    }
                }
            }
        }
        // An indexed word far rarer than a word one edit from it is more likely a typo of
        // that word than meant: "teh" (in one quote) of "the", "tis" of "this".
        let df = |term: u32| self.terms[term as usize].postings.len();
        let typo_of = exact.and_then(|e| {
            neighbours
                .iter()
                .filter(|(_, d)| *d == 1)
                .map(|&(t, _)| t)
                .max_by_key(|&t| (df(t), std::cmp::Reverse(t)))
                .filter(|&t| df(t) > df(e) * TYPO_ODDS)
        });
        // Short words, very common words and three-letter words that are indexed themselves
        // have so many neighbours that an edit is only believed where word order confirms it
        // (`near`), unless the word is probably a typo.
        let joins = (n >= 3 && !stopword && !(n == 3 && exact.is_some())) || typo_of.is_some();
        let penalty = if exact.is_some() && typo_of.is_none() {
            0.6
        } else {
            1.0
        };
        // A word being typed is more likely the start of a longer word than a typo of a
        // shorter one: "comm" is "commitment" before it is "come". When it begins any word,
        // every edit-reached term weighs less than the weakest completion (0.8 of the prefix
        // weight).
        let penalty = if completable { penalty * 0.7 } else { penalty };
        let mut near = Vec::new();
        let mut edits: Vec<u32> = neighbours.iter().map(|(t, _)| *t).collect();
        for (term, distance) in neighbours {
            // Of two words as far from what was typed, the commoner is the likelier meant.
            let prior = 0.95 + 0.05 * self.commonness(term);
            let weight = match (distance, n) {
                (1, 2) => 0.5,
                (1, 3) => 0.55,
                (1, _) => 0.8,
                _ => 0.6,
            } * penalty
                * prior;
            if !joins {
                near.push((term, weight));
                continue;
            }
            put(term, weight, false);
            let df = df(term);
            if correction.is_none_or(|(w, d, _)| (weight, df) > (w, d)) {
                correction = Some((weight, df, term));
            }
        }
        if n >= 6 && !stopword {
            // Morphological variants share a long head: "invested" and "investor",
            // "deterrence" and "deterrent". The stemmer does not join these.
            let head_len = (n * 3).div_ceil(4).max(5);
            let head: String = word.chars().take(head_len).collect();
            // For a word being typed, below every completion of it.
            let weight = if completable {
                prefix_weight * 0.75
            } else {
                0.75
            };
            for &term in self.prefix_range(&head).iter().take(MAX_PREFIX_TERMS) {
                put(term, weight, false);
            }
        }
        if completing {
            let mut completions: Vec<u32> = self.prefix_range(word).to_vec();
            if let Some(carried) = hangul_carry(word) {
                completions.extend_from_slice(self.prefix_range(&carried));
                completions.sort_unstable();
                completions.dedup();
            }
            if completions.len() > MAX_PREFIX_TERMS {
                completions.sort_unstable_by_key(|t| {
                    std::cmp::Reverse(self.terms[*t as usize].postings.len())
                });
                completions.truncate(MAX_PREFIX_TERMS);
            }
            for term in completions {
                put(term, self.completion_weight(n, term, mode), true);
            }
            if n >= 4 {
                // A typo in the word being typed: any term whose start is one edit away.
                // Compared byte by byte when both are ASCII (most words), else by character.
                let typed: Vec<char> = word.chars().collect();
                let mut head = [0u8; 4];
                let head = typed[0].encode_utf8(&mut head);
                let mut buffer = Vec::with_capacity(n + 2);
                let ascii = word.is_ascii();
                for &term in self.prefix_range(head).iter().take(MAX_FUZZY_PREFIX_SCAN) {
                    let text = &self.terms[term as usize].text;
                    let start = &text.as_bytes()[..text.len().min(n + 2)];
                    let close = if ascii && start.is_ascii() {
                        one_edit_prefix(word.as_bytes(), start)
                    } else {
                        buffer.clear();
                        buffer.extend(text.chars().take(n + 2));
                        one_edit_prefix(&typed, &buffer)
                    };
                    if close {
                        put(term, prefix_weight * 0.7, false);
                        edits.push(term);
                    }
                }
            }
        }
        // The terms the word reaches only as a synonym: they never make it count as rare.
        borrowed.retain(|t| out.get(t).is_some_and(|&(w, l)| w <= SYNONYM_WEIGHT && !l));
        borrowed.sort_unstable();
        let mut expansions: Vec<(u32, f32, bool)> =
            out.into_iter().map(|(t, (w, l))| (t, w, l)).collect();
        expansions.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let correction = if exact.is_none() && stem_group.is_none() {
            correction.map(|(_, _, t)| t)
        } else {
            None
        };
        // What a word being typed begins is a completion of it, not an edit.
        near.retain(|(t, _)| {
            expansions.iter().all(|(e, _, _)| e != t)
                && !(open && self.terms[*t as usize].text.starts_with(word))
        });
        // A term both completes the word and is an edit of it: it counts as a completion.
        edits.retain(|t| !expansions.iter().any(|(e, _, literal)| e == t && *literal));
        edits.sort_unstable();
        edits.dedup();
        Expanded {
            terms: expansions,
            near,
            edits,
            borrowed,
            correction,
            typo_of,
        }
    }

    /// How well `term` matches a word of `typed` characters that it completes: a longer
    /// completion is a less certain guess at what is being typed.
    fn completion_weight(&self, typed: usize, term: u32, mode: Mode) -> f32 {
        let len = self.terms[term as usize].text.chars().count().max(1);
        prefix_weight(mode) * (0.8 + 0.2 * (typed as f32 / len as f32))
    }

    /// Marks, in `scratch.term_bits`, the query words each term may stand for in a phrase:
    /// every word's candidate terms, and every completion of the word being typed (the last),
    /// not only the most common ones the first pass walks. Returns the terms marked for the
    /// last word, each once (what the phrase check walks for it).
    fn mark_phrase_terms(&self, tokens: &[Token], open: bool, scratch: &mut Scratch) -> Vec<u32> {
        let Scratch {
            term_bits, marked, ..
        } = scratch;
        let last = tokens.len() - 1;
        let mut last_terms = Vec::new();
        let mut mark = |term: u32, i: usize| {
            let bits = &mut term_bits[term as usize];
            if *bits == 0 {
                marked.push(term);
            }
            if i == last && *bits & 1 << last == 0 {
                last_terms.push(term);
            }
            *bits |= 1 << i;
        };
        for (i, token) in tokens.iter().enumerate() {
            for &(term, _, _) in &token.expansions {
                mark(term, i);
            }
            for &(term, _) in &token.near {
                mark(term, i);
            }
        }
        if open {
            let word = &tokens[last].text;
            for prefix in std::iter::once(word.clone()).chain(hangul_carry(word)) {
                let range = self.prefix_range(&prefix);
                if range.len() <= MAX_PHRASE_COMPLETIONS {
                    for &term in range {
                        mark(term, last);
                    }
                }
            }
        }
        last_terms
    }

    /// The documents whose text continues the whole typed phrase (every word before the one
    /// being typed, adjacent and in order, then a completion of it), found by word order
    /// rather than by rarity, which the first pass goes by and which cannot tell "the United
    /// States comm…" from a quote with "United States" in one place and "committee" in
    /// another. Walks the text postings of the query's words, the one being typed included
    /// (every completion `mark_phrase_terms` marked): the rarest always (a very common word
    /// too when it is the rarest), then the next rarest in turn while the documents holding
    /// every word walked have more positions than the budget reads and the scan budget
    /// allows; then reads the positions of the documents that hold all the walked words and
    /// that `admits` (the query's filters). Walking a further word only while it narrows a
    /// set too large to read keeps both costs down: a phrase of everyday words ("and this
    /// ye…") is not lost past the positions budget, and a rare word's few documents are read
    /// without walking common words' long lists. `last_terms` is what `mark_phrase_terms`
    /// returned.
    fn phrase_candidates(
        &self,
        tokens: &[Token],
        last_terms: Vec<u32>,
        scratch: &mut Scratch,
        admits: impl Fn(u32) -> bool,
    ) -> Vec<u32> {
        let last = tokens.len() - 1;
        let Scratch {
            sums,
            term_bits,
            doc_bits,
            doc_touched,
            ..
        } = scratch;
        // Every term the phrase check accepts for each word, once: for the word being typed,
        // every completion `mark_phrase_terms` marked (`last_terms`), not only those the first
        // pass walks.
        let mut terms_of: Vec<Vec<u32>> =
            tokens[..last].iter().map(|t| t.terms().collect()).collect();
        terms_of.push(last_terms);
        let postings = |term: &u32| self.terms[*term as usize].postings.len();
        let costs: Vec<usize> = terms_of
            .iter()
            .map(|terms| terms.iter().map(postings).sum())
            .collect();
        // The rarest word first; then, while the documents holding every word walked so far
        // have more positions than the budget reads, the next rarest, if it is within the
        // scan budget or the extra budget has room for it: reading a document's positions
        // costs far more than walking a posting, and a document that lacks a word cannot hold
        // the phrase.
        let mut order: Vec<usize> = (0..tokens.len()).collect();
        order.sort_by_key(|&i| (costs[i], i));
        let mut required = 0u32;
        let mut extra_budget = PHRASE_EXTRA_SCAN_BUDGET;
        // The positions of the documents holding every word walked so far.
        let mut alive_positions = usize::MAX;
        for (k, &i) in order.iter().enumerate() {
            let before = required;
            if k > 0 {
                if alive_positions <= PHRASE_POSITIONS_BUDGET {
                    break;
                }
                // A word within the scan budget is always affordable; a longer one draws on
                // the extra budget. (The words come rarest first, so none after this one fits
                // either.)
                if costs[i] > PHRASE_SCAN_BUDGET {
                    if costs[i] > extra_budget {
                        break;
                    }
                    extra_budget -= costs[i];
                }
            }
            required |= 1 << i;
            // The rarest word is walked within the scan budget (a very common word may be the
            // rarest); a further one whole, or it would drop documents that have it.
            let mut budget = if k == 0 {
                PHRASE_SCAN_BUDGET
            } else {
                usize::MAX
            };
            alive_positions = 0;
            for &term in &terms_of[i] {
                let postings = &self.terms[term as usize].postings;
                let walked = postings.len().min(budget);
                for p in &postings[..walked] {
                    // The places the phrase check reads: the text's words and the acronyms
                    // standing for them.
                    if p.fields & (field::TEXT | field::ALIAS) == 0 {
                        continue;
                    }
                    let bits = &mut doc_bits[p.doc as usize];
                    if *bits == before {
                        let entries = self.entries(p);
                        if k == 0 {
                            doc_touched.push((p.doc, entries));
                        }
                        alive_positions += entries;
                    } else if k > 0 && *bits & before != before {
                        // Lacks a word walked before: never eligible.
                        continue;
                    }
                    *bits |= 1 << i;
                }
                budget -= walked;
                if budget == 0 {
                    break;
                }
            }
        }
        // The documents holding every walked word (and passing the filters). When their
        // positions are more than the budget can read, the likeliest are read first: those
        // the first pass scored highest (they hold more of the query's words, and rarer
        // ones), not those that come first.
        let mut eligible: Vec<u64> = Vec::with_capacity(doc_touched.len());
        let mut positions = 0usize;
        for &(doc, entries) in doc_touched.iter() {
            if doc_bits[doc as usize] == required && admits(doc) {
                eligible.push(best_first_key(sums[doc as usize].acc, doc));
                positions += entries;
            }
        }
        if positions > PHRASE_POSITIONS_BUDGET {
            if eligible.len() > PHRASE_DOCS {
                eligible.select_nth_unstable(PHRASE_DOCS - 1);
                eligible.truncate(PHRASE_DOCS);
            }
            eligible.sort_unstable();
        }
        let mut out = Vec::new();
        let mut budget = PHRASE_POSITIONS_BUDGET;
        let full = 1u32 << last;
        for doc in eligible.into_iter().map(key_doc) {
            if out.len() >= RERANK || budget == 0 {
                break;
            }
            let positions = self.doc_positions(doc);
            budget = budget.saturating_sub(positions.len());
            // Bit i of `run`: query words 0..=i sit, in order, on the places ending at
            // `done`; `here` gathers the words found at place `at`.
            let (mut run, mut done) = (0u32, u32::MAX);
            let (mut here, mut at) = (0u32, u32::MAX);
            let mut continues = false;
            let mut finish = |here: u32, at: u32| {
                let before = if done.wrapping_add(1) == at { run } else { 0 };
                run = (before << 1 | 1) & here;
                done = at;
                run & full != 0
            };
            for (pos, term) in positions {
                let bits = term_bits[term as usize];
                // A place without a query word only breaks a run, which the next place's
                // number shows (it is not `done + 1`).
                if bits == 0 {
                    continue;
                }
                if pos != at {
                    if finish(here, at) {
                        continues = true;
                        break;
                    }
                    (here, at) = (0, pos);
                }
                here |= bits;
            }
            let continues = continues || finish(here, at);
            if continues {
                out.push(doc);
            }
        }
        for (doc, _) in doc_touched.drain(..) {
            doc_bits[doc as usize] = 0;
        }
        out
    }

    /// Whether a word is two indexed words typed without the space between them ("unitedstates"
    /// → "united", "states"; the second may be unfinished when `open`). Of the possible cuts,
    /// the one whose rarer half is most common: run-together words are everyday words. Never for
    /// a word indexed in more than two entries, nor for a word being typed that begins one.
    /// `Split` when the word has no indexed form, variant or one-edit neighbour; `Maybe` when it
    /// has, but the rarer half is at least a tenth as common as the commonest word one edit away
    /// ("isnot" is one edit from "snot", but "is not" was meant; "thids" is no "thi ds": "this"
    /// is everywhere), and the caller ranks the query both ways.
    fn run_together(&self, word: &str, open: bool) -> RunTogether {
        let df = |text: &str| -> Option<usize> {
            self.term_ids
                .get(text)
                .map(|t| self.terms[*t as usize].postings.len())
        };
        let indexed = df(word);
        if word.chars().count() < 4
            || indexed.is_some_and(|d| d > 2)
            || (open && !self.prefix_range(word).is_empty())
        {
            return RunTogether::No;
        }
        let mut best: Option<(usize, usize)> = None;
        for (cut, _) in word.char_indices().skip(2) {
            let (left, right) = word.split_at(cut);
            if right.chars().count() < 2 {
                break;
            }
            let Some(left_df) = df(left) else { continue };
            let right_df = match df(right) {
                Some(d) => d,
                None if open && !self.prefix_range(right).is_empty() => 1,
                None => continue,
            };
            let common = left_df.min(right_df);
            if best.is_none_or(|(c, _)| common > c) {
                best = Some((common, cut));
            }
        }
        let Some((common, cut)) = best else {
            return RunTogether::No;
        };
        let (left, right) = (word[..cut].to_string(), word[cut..].to_string());
        // The commonest indexed word one edit away, if any.
        let typo_of = deletion_hashes(word)
            .into_iter()
            .flat_map(|hash| self.deletion_neighbours(hash))
            .filter(|&t| strsim::osa_distance(word, &self.terms[t as usize].text) == 1)
            .map(|t| self.terms[t as usize].postings.len())
            .max();
        let variant = self.stem_ids.contains_key(stemmer().stem(word).as_ref());
        if indexed.is_none() && !variant && typo_of.is_none() {
            RunTogether::Split(left, right)
        } else if common * 10 >= typo_of.unwrap_or(0) {
            RunTogether::Maybe(left, right)
        } else {
            RunTogether::No
        }
    }

    /// The first, position-free pass: adds each query word's best match per document to
    /// its `acc`, and marks which words matched in its `matched` (`scratch.sums`). With
    /// `skip`, very common terms and terms past a word's postings budget are left to
    /// re-ranking; returns whether any were.
    fn accumulate(&self, tokens: &[Token], skip: bool, scratch: &mut Scratch) -> bool {
        let Scratch { sums, touched, .. } = scratch;
        let mut skipped = false;
        let mut walked: Vec<(u32, f32)> = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            if skip && token.deferred {
                skipped = true;
                continue;
            }
            walked.clear();
            let mut budget = TOKEN_POSTINGS_BUDGET;
            for &(term, weight, literal) in &token.expansions {
                let postings = self.terms[term as usize].postings.len();
                if skip && (self.is_common(term) || postings > budget) {
                    // Left to re-ranking, which still sees it in the candidates' positions.
                    skipped = true;
                    continue;
                }
                budget = budget.saturating_sub(postings);
                walked.push((term, weight * self.match_idf(token, term, literal)));
            }
            let bit = 1u32 << i;
            // The document's sum is what it was before this word (`base`) plus the best of its
            // matches, kept as the word's terms are walked. (Rounding is monotonic, so the
            // larger sum is the sum with the larger match: the same as adding the best match
            // once.)
            for &(term, factor) in &walked {
                for posting in &self.terms[term as usize].postings {
                    let sums = &mut sums[posting.doc as usize];
                    let score = factor * posting.score;
                    if sums.matched & bit == 0 {
                        if sums.matched == 0 {
                            touched.push(posting.doc);
                        }
                        sums.matched |= bit;
                        sums.base = sums.acc;
                        sums.acc += score;
                    } else {
                        let sum = sums.base + score;
                        if sum > sums.acc {
                            sums.acc = sum;
                        }
                    }
                }
            }
        }
        skipped
    }

    /// Whether a term is too common to walk in the first pass: in a quarter of a large corpus.
    fn is_common(&self, term: u32) -> bool {
        self.too_common(self.terms[term as usize].postings.len())
    }

    /// Whether `postings` postings (one term's, or a word's over all its terms) are in a
    /// quarter of a large corpus.
    fn too_common(&self, postings: usize) -> bool {
        postings.saturating_mul(4) > self.docs.len() && postings > COMMON_MIN_POSTINGS
    }

    /// Evaluates a query against this index and the catalog it was built from.
    pub(crate) fn evaluate(&self, catalog: &Catalog, query: &Query<'_>) -> Outcome {
        let open_last = ends_mid_word(query.text);
        let mut typed = tokens(query.text);
        // In a search the last word is read as finished too (see `expand`).
        numbers::join_spelled(&mut typed, open_last && query.mode == Mode::Suggest);
        // The words as read, and the same with every word that might be two run together
        // split: when they differ, the query is ranked both ways and the better reading kept.
        let mut words: Vec<String> = Vec::with_capacity(typed.len());
        let mut split: Vec<String> = Vec::with_capacity(typed.len());
        for (i, word) in typed.iter().enumerate() {
            let open = open_last && i + 1 == typed.len();
            match self.run_together(word, open) {
                RunTogether::Split(left, right) => {
                    words.extend([left.clone(), right.clone()]);
                    split.extend([left, right]);
                }
                RunTogether::Maybe(left, right) => {
                    words.push(word.clone());
                    split.extend([left, right]);
                }
                RunTogether::No => {
                    words.push(word.clone());
                    split.push(word.clone());
                }
            }
        }
        let outcome = self.evaluate_words(catalog, query, &words, open_last);
        // (The other reading is kept only when it scores higher, which a perfect score
        // cannot be beaten by.)
        let best = |o: &Outcome| o.hits.first().map_or(0.0, |h| h.score);
        if split == words || words.len() > PHRASE_MAX_WORDS || best(&outcome) >= 1.0 {
            return outcome;
        }
        let other = self.evaluate_words(catalog, query, &split, open_last);
        if best(&other) > best(&outcome) {
            other
        } else {
            outcome
        }
    }

    /// Ranks entries for the query read as `words`.
    fn evaluate_words(
        &self,
        catalog: &Catalog,
        query: &Query<'_>,
        words: &[String],
        open_last: bool,
    ) -> Outcome {
        let n_docs = self.docs.len();
        let mut query_tokens: Vec<Token> = words
            .iter()
            .take(MAX_TOKENS)
            .enumerate()
            .map(|(i, w)| {
                let open = open_last && i + 1 == words.len().min(MAX_TOKENS);
                let Expanded {
                    terms: expansions,
                    near,
                    edits,
                    borrowed,
                    correction,
                    typo_of,
                } = self.expand(w, open, query.mode);
                // A word weighs what the word itself is worth: its own rarity when indexed
                // (that of the word it is probably a typo of, if any), else that of its rarest
                // candidate. Variants never weigh more than the word.
                // A word the index lacks but a synonym group names weighs what its synonyms
                // do ("pact" as "alliance"), not its rarest completion or typo neighbour.
                let synonym = |(t, _, _): &&(u32, f32, bool)| borrowed.binary_search(t).is_ok();
                let idf = match typo_of.or_else(|| self.term_ids.get(w.as_str()).copied()) {
                    Some(t) => self.term_idf(t),
                    None => (expansions
                        .iter()
                        .filter(|e| borrowed.is_empty() || synonym(e))
                        .map(|(t, _, _)| self.term_idf(*t)))
                    .reduce(f32::max)
                    .unwrap_or(self.idf(0)),
                };
                let idf = if is_stopword(w) { idf.min(0.5) } else { idf };
                let edit_idf = edits
                    .iter()
                    .map(|t| self.term_idf(*t))
                    .reduce(f32::min)
                    .unwrap_or(idf);
                Token {
                    text: w.clone(),
                    expansions,
                    near,
                    idf,
                    edits,
                    edit_idf,
                    borrowed,
                    deferred: false,
                    correction,
                }
            })
            .collect();
        if query_tokens.is_empty() || n_docs == 0 {
            return Outcome::default();
        }
        // Very common terms are scored only for the candidates that rarer terms found, when
        // there are any: walking their long posting lists would decide nothing.
        let own_rare = |t: &Token| {
            t.expansions.iter().any(|(term, _, _)| {
                !self.is_common(*term) && t.borrowed.binary_search(term).is_err()
            })
        };
        let has_rare = query_tokens.iter().any(own_rare);
        if has_rare {
            for token in &mut query_tokens {
                token.deferred = token
                    .expansions
                    .iter()
                    .all(|(term, _, _)| self.is_common(*term));
            }
        }

        let unfiltered = query.kind.is_none() && query.speaker.is_none() && query.topic.is_none();
        // Whether a document passes the query's filters (without reading it when there are
        // none).
        let passes = |doc: u32| -> bool {
            if unfiltered {
                return true;
            }
            let d = &self.docs[doc as usize];
            let entry = match d.kind {
                EntryKind::Quote => Entry::Quote(&catalog.quotes()[d.index as usize]),
                EntryKind::Fact => Entry::Fact(&catalog.facts()[d.index as usize]),
            };
            query.admits(&entry)
        };

        let mut scratch = self.take_scratch();
        let mut skip = has_rare;
        // The first pass's best (of the documents passing the filters), each as its key for
        // the first-pass order (see `best_first_key`), so that choosing the best few compares
        // integers in one array.
        let mut candidates: Vec<u64> = loop {
            let skipped = self.accumulate(&query_tokens, skip, &mut scratch);
            let passing: Vec<u32> = if unfiltered {
                Vec::new()
            } else {
                scratch
                    .touched
                    .iter()
                    .copied()
                    .filter(|d| passes(*d))
                    .collect()
            };
            let docs = if unfiltered {
                &scratch.touched[..]
            } else {
                &passing[..]
            };
            // The filters may have removed every document the rare words found; then the
            // common words must be walked after all.
            if skip && skipped && docs.len() < query.limit {
                skip = false;
                for doc in scratch.touched.drain(..) {
                    let sums = &mut scratch.sums[doc as usize];
                    (sums.acc, sums.matched) = (0.0, 0);
                }
                continue;
            }
            break best_keys(docs, |d| scratch.sums[d as usize].acc, RERANK);
        };
        let continuation = query.mode == Mode::Suggest && open_last && query_tokens.len() >= 2;
        let rerank = RERANK;
        let phrase_pass = (2..=PHRASE_MAX_WORDS).contains(&query_tokens.len());
        if phrase_pass {
            // The entries that hold the whole query as a phrase (for text being typed, one
            // that it continues) are re-ranked first, however the first pass ranked them;
            // the first pass's best fill the remaining places.
            let last_terms = self.mark_phrase_terms(&query_tokens, open_last, &mut scratch);
            let mut phrase =
                self.phrase_candidates(&query_tokens, last_terms, &mut scratch, passes);
            if !phrase.is_empty() {
                phrase.sort_unstable();
                candidates.retain(|key| phrase.binary_search(&key_doc(*key)).is_err());
                let room = rerank.saturating_sub(phrase.len());
                if candidates.len() > room {
                    if room > 0 {
                        candidates.select_nth_unstable(room - 1);
                    }
                    candidates.truncate(room);
                }
            }
            candidates.extend(phrase.into_iter().map(|doc| best_first_key(0.0, doc)));
        }
        let candidates: Vec<u32> = candidates.into_iter().map(key_doc).collect();
        let last_bit = 1u32 << (query_tokens.len() - 1);

        // What each term of the query stands for, as (query word, weight, literal), found by
        // the term's slot in `scratch.term_slot` (1-based; 0 for a term the query lacks): a
        // direct look-up for each of the candidates' many positions.
        let mut by_term: Vec<Vec<(usize, f32, bool)>> = Vec::new();
        {
            let Scratch {
                term_slot, slotted, ..
            } = &mut scratch;
            let mut put = |term: u32, entry: (usize, f32, bool)| {
                let slot = &mut term_slot[term as usize];
                if *slot == 0 {
                    by_term.push(Vec::new());
                    *slot = by_term.len() as u32;
                    slotted.push(term);
                }
                by_term[*slot as usize - 1].push(entry);
            };
            for (i, token) in query_tokens.iter().enumerate() {
                for &(term, weight, literal) in &token.expansions {
                    put(term, (i, weight, literal));
                }
                for &(term, weight) in &token.near {
                    put(term, (i, weight, false));
                }
            }
        }
        let total_idf: f32 = query_tokens.iter().map(|t| t.idf).sum();
        let pair_weight = |a: &Token, b: &Token| 0.25 * (a.idf + b.idf);
        let max_bonus: f32 = query_tokens
            .windows(2)
            .map(|w| pair_weight(&w[0], &w[1]))
            .sum();
        // A perfect match's score: what a hit's score is shown as a share of. The unbroken-span
        // bonus orders hits (`rank`) but is not part of the score shown, so how sure an answer
        // looks does not depend on it.
        let norm = total_idf * (1.0 + COMPACTNESS_WEIGHT) + max_bonus;
        let rank_norm = norm + total_idf * SPAN_WEIGHT;
        // Text being typed is a phrase being recalled from its start: an entry that continues
        // it (the words before the unfinished one adjacent and in order) comes before any
        // entry that has the words apart, whatever their rarity.

        let mut hits: Vec<Ranked> = Vec::with_capacity(candidates.len());
        let mut at: Vec<Vec<Occurrence>> = vec![Vec::new(); query_tokens.len()];
        let mut deferred_best = vec![0f32; query_tokens.len()];
        let mut window: Vec<(u32, usize, bool)> = Vec::new();
        for doc in candidates {
            for list in &mut at {
                list.clear();
            }
            deferred_best.fill(0.0);
            for (pos, term) in self.doc_positions(doc) {
                let slot = scratch.term_slot[term as usize];
                // (Most places hold no query word: passed over at the cost of two look-ups.)
                if slot == 0 && scratch.term_bits[term as usize] & last_bit == 0 {
                    continue;
                }
                let list = match slot {
                    0 => &[][..],
                    slot => by_term[slot as usize - 1].as_slice(),
                };
                let last = query_tokens.len() - 1;
                // A completion of the word being typed beyond those the first pass walked
                // (the phrase pass marked it), though another query word may have it too
                // ("little rocket man little r…").
                let extra = (phrase_pass
                    && open_last
                    && scratch.term_bits[term as usize] & last_bit != 0
                    && list.iter().all(|&(i, _, _)| i != last))
                .then(|| {
                    let typed = query_tokens[last].text.chars().count();
                    (last, self.completion_weight(typed, term, query.mode), true)
                });
                {
                    for &(i, weight, literal) in list.iter().chain(extra.iter()) {
                        match at[i].last_mut() {
                            // Another term at the same place (an acronym's expansion).
                            Some(last) if last.pos == pos => {
                                last.weight = last.weight.max(weight);
                                last.literal |= literal;
                            }
                            _ => at[i].push(Occurrence {
                                pos,
                                weight,
                                literal,
                            }),
                        }
                        if scratch.sums[doc as usize].matched & (1 << i) == 0 {
                            let s = weight * self.match_idf(&query_tokens[i], term, literal);
                            deferred_best[i] = deferred_best[i].max(s);
                        }
                    }
                }
            }
            let mut score = scratch.sums[doc as usize].acc;
            let mut covered = 0.0;
            for (i, token) in query_tokens.iter().enumerate() {
                score += deferred_best[i];
                if scratch.sums[doc as usize].matched & (1 << i) != 0 || deferred_best[i] > 0.0 {
                    covered += token.idf;
                }
            }
            for i in 0..query_tokens.len().saturating_sub(1) {
                // Words found together count as much as the surer of the two matches: a
                // typo-corrected neighbour is worth less than the word as typed.
                score += adjacency(&at[i], &at[i + 1])
                    * pair_weight(&query_tokens[i], &query_tokens[i + 1]);
            }
            // Words close together, in any order: "shuffled" recollections of one sentence.
            let (present_idf, compactness, unbroken) = compactness(&at, &query_tokens, &mut window);
            score += COMPACTNESS_WEIGHT * compactness * present_idf;
            let span = if unbroken {
                SPAN_WEIGHT * present_idf
            } else {
                0.0
            };
            let normalised = (score / norm).clamp(0.0, 1.0);
            let rank = ((score + span) / rank_norm).clamp(0.0, 1.0);
            let coverage = if total_idf > 0.0 {
                covered / total_idf
            } else {
                0.0
            };
            let (completes, continues) = if continuation {
                (phrase_continued(&at, true), phrase_continued(&at, false))
            } else {
                (0, 0)
            };
            hits.push(Ranked {
                completes,
                continues,
                rank,
                score: normalised,
                coverage,
                doc,
            });
        }
        self.give_back(scratch);
        hits.sort_unstable_by(|a, b| {
            (b.completes, b.continues)
                .cmp(&(a.completes, a.continues))
                .then(b.rank.total_cmp(&a.rank))
                .then(a.doc.cmp(&b.doc))
        });
        let confident = hits
            .first()
            .is_some_and(|h| h.score >= CONFIDENT_SCORE && h.coverage >= CONFIDENT_COVERAGE);
        let correction = if query_tokens.iter().any(|t| t.correction.is_some()) {
            Some(
                query_tokens
                    .iter()
                    .map(|t| match t.correction {
                        Some(term) => self.terms[term as usize].text.to_string(),
                        None => t.text.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
                    // Tokens are decomposed (Hangul as jamo): composed again to be read.
                    .nfc()
                    .collect(),
            )
        } else {
            None
        };
        Outcome {
            hits: hits
                .into_iter()
                .take(query.limit)
                .map(|hit| {
                    let d = &self.docs[hit.doc as usize];
                    Hit {
                        kind: d.kind,
                        index: d.index as usize,
                        score: hit.score,
                    }
                })
                .collect(),
            confident,
            correction,
        }
    }
}

/// A document's key in first-pass order: ascending keys are descending scores, and ascending
/// documents among equal scores. (The bits of a non-negative `f32` order as its values, and
/// integers compare faster than floats looked up elsewhere.)
fn best_first_key(score: f32, doc: u32) -> u64 {
    let bits = if score > 0.0 { score.to_bits() } else { 0 };
    (u64::from(!bits) << 32) | u64::from(doc)
}

/// The keys (see [`best_first_key`]) of the `n` documents of `touched` that `acc` scores
/// highest, in no particular order: the same as keying every document and selecting the first
/// `n`, without keying or selecting among the many that score too little. A sample of the
/// scores gives a bar that a few more than `n` documents clear; only those are keyed (every
/// document is, should fewer clear it). Scores are never negative (every weight, rarity and
/// field score is positive), so their bits order as they do.
fn best_keys(touched: &[u32], acc: impl Fn(u32) -> f32, n: usize) -> Vec<u64> {
    const SAMPLE: usize = 256;
    let key = |d: &u32| best_first_key(acc(*d), *d);
    let mut keys: Vec<u64> = if n > 0 && touched.len() > 8 * n.max(SAMPLE) {
        let step = touched.len() / SAMPLE;
        let mut sample: Vec<u32> = (0..SAMPLE)
            .map(|i| acc(touched[i * step]).to_bits())
            .collect();
        // The sample's rank expected to have twice `n` documents at or above it in all.
        let rank = (2 * n * SAMPLE).div_ceil(touched.len()).min(SAMPLE - 1);
        sample.sort_unstable_by(|a, b| b.cmp(a));
        let bar = f32::from_bits(sample[rank]);
        let mut keys = Vec::with_capacity(4 * n);
        for d in touched {
            let score = acc(*d);
            if score >= bar {
                keys.push(best_first_key(score, *d));
            }
        }
        if keys.len() >= n {
            keys
        } else {
            touched.iter().map(key).collect()
        }
    } else {
        touched.iter().map(key).collect()
    };
    if keys.len() > n {
        if n > 0 {
            keys.select_nth_unstable(n - 1);
        }
        keys.truncate(n);
    }
    keys
}

/// The document of a [`best_first_key`].
fn key_doc(key: u64) -> u32 {
    key as u32
}

/// How well a completion of a word matches it, before its length is taken into account.
fn prefix_weight(mode: Mode) -> f32 {
    match mode {
        Mode::Suggest => 0.9,
        Mode::Search => 0.75,
    }
}

/// One place in a document's text where a query word matched.
#[derive(Debug, Clone, Copy)]
struct Occurrence {
    pos: u32,
    /// How well the term there matches the word (1.0 exact).
    weight: f32,
    /// The term is the word as typed or a completion of it.
    literal: bool,
}

/// A candidate with what orders it: first, for text being typed, how far it continues the
/// typed phrase (with the unfinished word completed as typed, then reached by any match),
/// then its score.
struct Ranked {
    completes: usize,
    continues: usize,
    /// What orders hits of equal continuation: the score with the unbroken-span bonus.
    rank: f32,
    /// The score shown, 0..=1 of a perfect match.
    score: f32,
    coverage: f32,
    doc: u32,
}

/// How much one word followed by the next counts, by the signed distance from the first to
/// the second: adjacent in order fully, a word or two between less, the order reversed little.
fn gap_factor(gap: i64) -> f32 {
    match gap {
        1 => 1.0,
        2..=3 => 0.6,
        -3..=-1 => 0.3,
        _ => 0.0,
    }
}

/// The best closeness of an occurrence of one word to an occurrence of the next
/// ([`gap_factor`]), scaled by the weaker of the two matches.
fn adjacency(first: &[Occurrence], next: &[Occurrence]) -> f32 {
    // Both lists are in text order: the occurrences of `next` within 3 of `a` are a range
    // found by binary search.
    let mut best: f32 = 0.0;
    for a in first {
        let from = next.partition_point(|b| b.pos + 3 < a.pos);
        for b in next[from..].iter().take_while(|b| b.pos <= a.pos + 3) {
            let factor = gap_factor(b.pos as i64 - a.pos as i64);
            best = best.max(factor * a.weight.min(b.weight));
        }
    }
    best
}

/// How many words long the longest run of query words is that ends with the last one and sits
/// in the text adjacent and in order ("I do not se…" is four); 0 unless it is two or more.
/// With `literal`, the last word must be matched as typed or completed.
fn phrase_continued(at: &[Vec<Occurrence>], literal: bool) -> usize {
    let last = at.len() - 1;
    let has = |i: usize, pos: u32| at[i].binary_search_by_key(&pos, |o| o.pos).is_ok();
    let mut best = 0;
    for end in &at[last] {
        if literal && !end.literal {
            continue;
        }
        let mut run = 1;
        let (mut i, mut pos) = (last, end.pos);
        while i > 0 && pos > 0 && has(i - 1, pos - 1) {
            i -= 1;
            pos -= 1;
            run += 1;
        }
        best = best.max(run);
    }
    if best >= 2 { best } else { 0 }
}

/// How tightly the query's words sit in a document's text: the summed weight of the words that
/// occur, the share of the shortest window holding them all which they fill (1.0 when they
/// are adjacent), and whether every query word, each matched as typed, is in one window with
/// no other word between (the query as one unbroken span, in any order). `hits` is working
/// space.
fn compactness(
    at: &[Vec<Occurrence>],
    tokens: &[Token],
    hits: &mut Vec<(u32, usize, bool)>,
) -> (f32, f32, bool) {
    let present = at.iter().filter(|o| !o.is_empty()).count();
    if present < 2 {
        return (0.0, 0.0, false);
    }
    // Every occurrence, in text order: (place, query word, matched as typed).
    hits.clear();
    for (i, positions) in at.iter().enumerate() {
        hits.extend(positions.iter().map(|o| (o.pos, i, o.weight >= 1.0)));
    }
    hits.sort_unstable_by_key(|&(pos, i, _)| (pos, i));
    let best_span = shortest_span(hits, false, present);
    // Each word weighs its rarity times how surely it matched (a typo less than the word).
    let present_idf: f32 = at
        .iter()
        .zip(tokens)
        .map(|(o, token)| token.idf * o.iter().map(|o| o.weight).fold(0.0, f32::max))
        .sum();
    let compactness = (present as f32 / best_span as f32).min(1.0);
    // Only words matched as typed count here: the bonus must not lift a typo-corrected match
    // over the exact words further apart.
    let unbroken = present == at.len() && shortest_span(hits, true, at.len()) as usize <= at.len();
    (present_idf, compactness, unbroken)
}

/// The length in places of the shortest stretch of text holding an occurrence of `needed`
/// different query words (with `exact`, only occurrences matched as typed), from `hits` in
/// text order; `u32::MAX` when there is none.
fn shortest_span(hits: &[(u32, usize, bool)], exact: bool, needed: usize) -> u32 {
    // Query words are at most MAX_TOKENS.
    let mut counts = [0u16; MAX_TOKENS];
    let mut distinct = 0;
    let mut best_span = u32::MAX;
    let mut left = 0;
    let kept = |h: &(u32, usize, bool)| !exact || h.2;
    for right in 0..hits.len() {
        if !kept(&hits[right]) {
            continue;
        }
        let token = hits[right].1;
        counts[token] += 1;
        if counts[token] == 1 {
            distinct += 1;
        }
        while distinct == needed {
            if kept(&hits[left]) {
                best_span = best_span.min(hits[right].0 - hits[left].0 + 1);
                let leaving = hits[left].1;
                counts[leaving] -= 1;
                if counts[leaving] == 0 {
                    distinct -= 1;
                }
            }
            left += 1;
        }
    }
    best_span
}

/// Whether the start of `term` is exactly one edit (substitution, insertion, deletion or swap
/// of neighbours) away from `typed`: "detter" and "deterrence".
fn one_edit_prefix<T: PartialEq>(typed: &[T], term: &[T]) -> bool {
    let starts = |a: &[T], b: &[T]| b.len() >= a.len() && b[..a.len()] == *a;
    let Some(i) = typed.iter().zip(term).position(|(a, b)| a != b) else {
        // No mismatch: `typed` is a prefix (not a typo), or `term` is a prefix of `typed`
        // that is one character short.
        return term.len() + 1 == typed.len();
    };
    starts(&typed[i + 1..], &term[(i + 1).min(term.len())..])
        || starts(&typed[i + 1..], &term[i..])
        || starts(&typed[i..], &term[(i + 1).min(term.len())..])
        || (i + 1 < typed.len()
            && i + 1 < term.len()
            && typed[i] == term[i + 1]
            && typed[i + 1] == term[i]
            && starts(&typed[i + 2..], &term[i + 2..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    /// A repeatable stream of numbers below `n` (a linear congruential generator from `seed`).
    fn draws(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        }
    }

    #[test]
    fn adjacency_finds_what_comparing_every_pair_finds() {
        fn brute(first: &[Occurrence], next: &[Occurrence]) -> f32 {
            let mut best: f32 = 0.0;
            for a in first {
                for b in next {
                    let factor = gap_factor(b.pos as i64 - a.pos as i64);
                    best = best.max(factor * a.weight.min(b.weight));
                }
            }
            best
        }
        let mut draw = draws(12345u64);
        for _ in 0..2000 {
            let lists: Vec<Vec<Occurrence>> = (0..2)
                .map(|_| {
                    let mut positions: Vec<u32> = (0..draw(8)).map(|_| draw(40) as u32).collect();
                    positions.sort_unstable();
                    positions.dedup();
                    positions
                        .into_iter()
                        .map(|pos| Occurrence {
                            pos,
                            weight: [1.0, 0.8, 0.5][draw(3) as usize],
                            literal: false,
                        })
                        .collect()
                })
                .collect();
            assert_eq!(
                adjacency(&lists[0], &lists[1]),
                brute(&lists[0], &lists[1]),
                "{lists:?}"
            );
        }
    }

    #[test]
    fn first_pass_keys_order_by_score_descending_then_document() {
        let scored = [
            (0.5f32, 7u32),
            (2.0, 9),
            (0.5, 3),
            (0.0, 1),
            (1e-7, 4),
            (2.0, 2),
        ];
        let mut keys: Vec<u64> = scored.iter().map(|&(s, d)| best_first_key(s, d)).collect();
        keys.sort_unstable();
        let docs: Vec<u32> = keys.into_iter().map(key_doc).collect();
        assert_eq!(docs, [2, 9, 3, 7, 4, 1]);
    }

    #[test]
    fn the_best_keys_are_those_that_keying_and_selecting_every_document_finds() {
        let mut draw = draws(777u64);
        // Sizes below and far above the sample; scores from a handful of values (ties across
        // the bar) to all distinct, and a few documents far above the rest (a bar that too
        // few clear).
        for (docs, values, n) in [
            (50, 3, 10),
            (5_000, 4, 200),
            (5_000, 1_000_000, 200),
            (20_000, 2, 200),
            (20_000, 50, 25),
            (3_000, 1_000_000, 0),
            (3_000, 1_000_000, 2_999),
        ] {
            let mut acc = vec![0f32; docs + 10];
            let mut touched: Vec<u32> = (0..docs as u32).collect();
            // Touched in a scrambled order, as postings of several terms would.
            for i in (1..touched.len()).rev() {
                touched.swap(i, draw(i as u64 + 1) as usize);
            }
            for &d in &touched {
                acc[d as usize] = 0.01 + draw(values) as f32 / values as f32;
            }
            for _ in 0..draw(5) {
                acc[touched[draw(docs as u64) as usize] as usize] = 10.0;
            }
            let mut brute: Vec<u64> = touched
                .iter()
                .map(|&d| best_first_key(acc[d as usize], d))
                .collect();
            brute.sort_unstable();
            brute.truncate(n);
            let mut got = best_keys(&touched, |d| acc[d as usize], n);
            got.sort_unstable();
            assert_eq!(got, brute, "{docs} documents, {values} values, n = {n}");
        }
        // Every document the sample reads scores highest, and there are fewer of them than
        // the number wanted: the bar is cleared by too few, and every document is keyed.
        let touched: Vec<u32> = (0..10_240).collect();
        let acc: Vec<f32> = (0..10_240)
            .map(|d| {
                if d % 40 == 0 {
                    10.0
                } else {
                    d as f32 / 20_000.0
                }
            })
            .collect();
        let mut got = best_keys(&touched, |d| acc[d as usize], 300);
        got.sort_unstable();
        let docs: Vec<u32> = got.into_iter().map(key_doc).collect();
        let mut expected: Vec<u32> = (0..10_240).step_by(40).collect();
        expected.extend((0..10_240).rev().filter(|d| d % 40 != 0).take(44));
        assert_eq!(docs, expected);
    }

    #[test]
    fn one_edit_prefix_accepts_each_kind_of_typo_and_nothing_else() {
        let cases = [
            ("detter", "deterrence", true),  // substitution
            ("deterr", "deterrence", false), // an exact prefix is not a typo
            ("detrr", "deterrence", true),   // a missing letter
            ("deteerr", "deterrence", true), // an extra letter
            ("dteerr", "deterrence", true),  // neighbours swapped
            ("dxxerr", "deterrence", false), // two edits
            ("deterrences", "deterrence", true),
            ("abc", "xyz", false),
        ];
        for (typed, term, want) in cases {
            assert_eq!(
                one_edit_prefix(&chars(typed), &chars(term)),
                want,
                "{typed} {term}"
            );
            // As `expand` compares ASCII words: bytes, the term cut two past the typed length.
            let cut = &term.as_bytes()[..term.len().min(typed.len() + 2)];
            assert_eq!(
                one_edit_prefix(typed.as_bytes(), cut),
                want,
                "{typed} {term} as bytes"
            );
        }
    }
}
