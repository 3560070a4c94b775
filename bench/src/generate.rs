//! The frozen query generator of issue 12.
//!
//! Unlike the old generator of `benches/search.rs`, it keeps queries whose words occur in many
//! quotes: each query carries its relevance set, every quote whose normalised text truly
//! contains the clean phrase (words adjacent and in order; for a phrase cut mid-word, the last
//! word as a prefix), computed by scanning the corpus through a word index. A query matching
//! more than [`MAX_RELEVANT`] quotes is dropped (it says nothing: almost any answer is right)
//! and counted.
//!
//! Every query has its clean twin (the same phrase without the noise), so the drop from clean
//! to noisy input is measured on the same phrases. FROZEN: the sets under `benches/queries/`
//! were written by this code with the seeds in BENCHMARKS.md before the ranking was tuned;
//! changing anything here changes them, and the benchmark refuses to run on files that this
//! code no longer reproduces unless told to.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::normalize::{contains_phrase, tokens};

/// A query matching more quotes than this is dropped: it has no meaningful right answer.
pub const MAX_RELEVANT: usize = 100;

pub use crate::support::Rng;

/// What the query imitates, and whether it is answered by search or by autocomplete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// 2–4 words from a quote's start, the last cut mid-word (autocomplete).
    Prefix,
    /// The same with one typo in a complete word (autocomplete).
    PrefixTypo,
    /// 2–4 words from inside a quote, the last cut mid-word (autocomplete).
    MiddlePrefix,
    /// 3–6 words from inside a quote (neither its first nor its last word).
    Middle,
    /// 3–6 words with one typo in a word of 3 or 4 letters.
    ShortTypo,
    /// 3–6 words with two adjacent letters of one word swapped.
    Transposition,
    /// 3–6 words with the space between two of them left out.
    MissingSpace,
    /// 3–6 words with one space doubled.
    DoubledSpace,
    /// 4–7 words with a typo in each of two words.
    TwoTypos,
    /// 4–6 words in a shuffled order (a recollection).
    Shuffled,
}

pub const KINDS: [Kind; 10] = [
    Kind::Prefix,
    Kind::PrefixTypo,
    Kind::MiddlePrefix,
    Kind::Middle,
    Kind::ShortTypo,
    Kind::Transposition,
    Kind::MissingSpace,
    Kind::DoubledSpace,
    Kind::TwoTypos,
    Kind::Shuffled,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Search,
    Suggest,
}

impl Kind {
    pub fn slug(self) -> &'static str {
        match self {
            Kind::Prefix => "prefix",
            Kind::PrefixTypo => "prefix_typo",
            Kind::MiddlePrefix => "middle_prefix",
            Kind::Middle => "middle",
            Kind::ShortTypo => "short_typo",
            Kind::Transposition => "transposition",
            Kind::MissingSpace => "missing_space",
            Kind::DoubledSpace => "doubled_space",
            Kind::TwoTypos => "two_typos",
            Kind::Shuffled => "shuffled",
        }
    }
    pub fn from_slug(slug: &str) -> Option<Kind> {
        KINDS.into_iter().find(|k| k.slug() == slug)
    }
    pub fn name(self) -> &'static str {
        match self {
            Kind::Prefix => "prefix of 2–4 words cut mid-word",
            Kind::PrefixTypo => "prefix cut mid-word + typo",
            Kind::MiddlePrefix => "mid-quote phrase cut mid-word",
            Kind::Middle => "phrase from the middle",
            Kind::ShortTypo => "typo in a short word",
            Kind::Transposition => "transposition",
            Kind::MissingSpace => "missing space",
            Kind::DoubledSpace => "doubled space",
            Kind::TwoTypos => "two typos",
            Kind::Shuffled => "shuffled recollection",
        }
    }
    pub fn mode(self) -> Mode {
        match self {
            Kind::Prefix | Kind::PrefixTypo | Kind::MiddlePrefix => Mode::Suggest,
            _ => Mode::Search,
        }
    }
    /// Whether the query differs from its clean twin.
    pub fn is_noisy(self) -> bool {
        !matches!(self, Kind::Prefix | Kind::MiddlePrefix | Kind::Middle)
    }
}

/// One generated query, as written to the JSONL files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generated {
    pub kind: String,
    pub mode: Mode,
    /// What the user types.
    pub query: String,
    /// The same phrase without the noise.
    pub clean: String,
    /// The quote the phrase was taken from.
    pub from: String,
    /// Every quote whose text truly contains the clean phrase (`from` among them).
    pub relevant: Vec<String>,
}

impl Generated {
    pub fn kind(&self) -> Kind {
        Kind::from_slug(&self.kind).unwrap_or_else(|| panic!("unknown kind {:?}", self.kind))
    }
}

/// How many queries of a kind were made, and dropped for matching too many quotes.
#[derive(Debug, Default, Clone, Copy)]
pub struct KindStats {
    pub made: usize,
    pub too_many_relevant: usize,
}

/// The corpus as the generator reads it: ids, texts, their tokens and a word index.
pub struct Corpus<'a> {
    ids: Vec<&'a str>,
    texts: Vec<&'a str>,
    tokens: Vec<Vec<String>>,
    postings: HashMap<String, Vec<u32>>,
}

impl<'a> Corpus<'a> {
    pub fn new(quotes: impl IntoIterator<Item = (&'a str, &'a str)>) -> Corpus<'a> {
        let (ids, texts): (Vec<&str>, Vec<&str>) = quotes.into_iter().unzip();
        let tokens: Vec<Vec<String>> = texts.iter().map(|t| tokens(t)).collect();
        let mut postings: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, toks) in tokens.iter().enumerate() {
            let unique: HashSet<&String> = toks.iter().collect();
            for t in unique {
                postings.entry(t.clone()).or_default().push(i as u32);
            }
        }
        for list in postings.values_mut() {
            list.sort_unstable();
        }
        Corpus {
            ids,
            texts,
            tokens,
            postings,
        }
    }

    /// Ids of every quote containing the phrase `words` (normalised tokens), in corpus order.
    pub fn relevant(&self, words: &[String], last_is_prefix: bool) -> Vec<String> {
        let complete = if last_is_prefix {
            &words[..words.len() - 1]
        } else {
            words
        };
        let candidates: Box<dyn Iterator<Item = usize>> = match complete
            .iter()
            .filter_map(|w| self.postings.get(w))
            .min_by_key(|p| p.len())
        {
            Some(list) if complete.iter().all(|w| self.postings.contains_key(w)) => {
                Box::new(list.iter().map(|&i| i as usize))
            }
            Some(_) => return Vec::new(),
            None => Box::new(0..self.tokens.len()),
        };
        candidates
            .filter(|&i| contains_phrase(&self.tokens[i], words, last_is_prefix))
            .map(|i| self.ids[i].to_string())
            .collect()
    }
}

/// The words of a quote as a person would type them: split at spaces, punctuation at their
/// ends dropped.
fn words_of(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

fn is_word(w: &str, min_len: usize, max_len: usize) -> bool {
    let n = w.chars().count();
    (min_len..=max_len).contains(&n) && w.chars().all(char::is_alphabetic)
}

/// One typo anywhere in the word (first letter included): a letter substituted, deleted,
/// inserted, or two adjacent letters swapped. Always changes the word.
fn typo(word: &str, rng: &mut Rng) -> String {
    let letters: Vec<char> = "abcdefghijklmnopqrstuvwxyz".chars().collect();
    let original: Vec<char> = word.chars().collect();
    loop {
        let mut chars = original.clone();
        let at = rng.below(chars.len());
        match rng.below(4) {
            0 => chars[at] = letters[rng.below(26)],
            1 => {
                chars.remove(at);
            }
            2 => chars.insert(at, letters[rng.below(26)]),
            _ => {
                if at + 1 < chars.len() {
                    chars.swap(at, at + 1);
                } else {
                    chars.swap(at - 1, at);
                }
            }
        }
        let out: String = chars.into_iter().collect();
        if out.to_lowercase() != word.to_lowercase() {
            return out;
        }
    }
}

/// Two adjacent, different letters swapped; `None` when the word has no such pair.
fn transpose(word: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = word.chars().collect();
    let pairs: Vec<usize> = (0..chars.len().saturating_sub(1))
        .filter(|&i| !chars[i].to_lowercase().eq(chars[i + 1].to_lowercase()))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let at = pairs[rng.below(pairs.len())];
    chars.swap(at, at + 1);
    Some(chars.into_iter().collect())
}

/// Indices of words in `range` that satisfy `ok`, one picked at random.
fn pick(
    words: &[String],
    range: std::ops::Range<usize>,
    rng: &mut Rng,
    ok: impl Fn(&str) -> bool,
) -> Option<usize> {
    let eligible: Vec<usize> = range.filter(|&i| ok(&words[i])).collect();
    (!eligible.is_empty()).then(|| eligible[rng.below(eligible.len())])
}

/// One candidate query of `kind` from a quote's words: (query, clean).
fn make(kind: Kind, words: &[String], rng: &mut Rng) -> Option<(String, String)> {
    let len = words.len();
    match kind {
        Kind::Prefix | Kind::PrefixTypo | Kind::MiddlePrefix => {
            let n = rng.range(2, 4);
            let start = if kind == Kind::MiddlePrefix {
                if len < n + 2 {
                    return None;
                }
                rng.range(1, len - n - 1)
            } else {
                if len < n + 1 {
                    return None;
                }
                0
            };
            let mut phrase: Vec<String> = words[start..start + n].to_vec();
            let last: Vec<char> = phrase[n - 1].chars().collect();
            if !is_word(&phrase[n - 1], 3, usize::MAX) {
                return None;
            }
            let keep = rng.range(2, last.len() - 1);
            phrase[n - 1] = last[..keep].iter().collect();
            let clean = phrase.join(" ");
            if kind == Kind::PrefixTypo {
                let at = pick(&phrase, 0..n - 1, rng, |w| is_word(w, 3, usize::MAX))?;
                phrase[at] = typo(&phrase[at], rng);
            }
            Some((phrase.join(" "), clean))
        }
        Kind::Middle => {
            let n = rng.range(3, 6);
            if len < n + 2 {
                return None;
            }
            let start = rng.range(1, len - n - 1);
            let clean = words[start..start + n].join(" ");
            Some((clean.clone(), clean))
        }
        _ => {
            let n = match kind {
                Kind::TwoTypos => rng.range(4, 7),
                Kind::Shuffled => rng.range(4, 6),
                _ => rng.range(3, 6),
            };
            if len < n {
                return None;
            }
            let start = rng.below(len - n + 1);
            let mut phrase: Vec<String> = words[start..start + n].to_vec();
            let clean = phrase.join(" ");
            let query = match kind {
                Kind::ShortTypo => {
                    let at = pick(&phrase, 0..n, rng, |w| is_word(w, 3, 4))?;
                    phrase[at] = typo(&phrase[at], rng);
                    phrase.join(" ")
                }
                Kind::Transposition => {
                    let at = pick(&phrase, 0..n, rng, |w| is_word(w, 3, usize::MAX))?;
                    phrase[at] = transpose(&phrase[at], rng)?;
                    phrase.join(" ")
                }
                Kind::MissingSpace => {
                    let at = rng.below(n - 1);
                    let joined = format!("{}{}", phrase[at], phrase[at + 1]);
                    phrase[at] = joined;
                    phrase.remove(at + 1);
                    phrase.join(" ")
                }
                Kind::DoubledSpace => {
                    let at = rng.below(n - 1);
                    let mut out = String::new();
                    for (i, w) in phrase.iter().enumerate() {
                        if i > 0 {
                            out.push_str(if i == at + 1 { "  " } else { " " });
                        }
                        out.push_str(w);
                    }
                    out
                }
                Kind::TwoTypos => {
                    let first = pick(&phrase, 0..n, rng, |w| is_word(w, 3, usize::MAX))?;
                    let taken = phrase[first].clone();
                    phrase[first] = typo(&taken, rng);
                    let second = pick(&phrase, 0..n, rng, |w| is_word(w, 3, usize::MAX))
                        .filter(|&i| i != first)
                        .or_else(|| {
                            (0..n).find(|&i| i != first && is_word(&phrase[i], 3, usize::MAX))
                        })?;
                    phrase[second] = typo(&phrase[second], rng);
                    phrase.join(" ")
                }
                Kind::Shuffled => {
                    let original = phrase.clone();
                    for _ in 0..8 {
                        for i in (1..n).rev() {
                            phrase.swap(i, rng.below(i + 1));
                        }
                        if tokens(&phrase.join(" ")) != tokens(&original.join(" ")) {
                            break;
                        }
                    }
                    phrase.join(" ")
                }
                Kind::Prefix | Kind::PrefixTypo | Kind::MiddlePrefix | Kind::Middle => {
                    unreachable!("handled above")
                }
            };
            Some((query, clean))
        }
    }
}

/// Up to `per_kind` queries of every kind, from quotes picked at random with `seed`. Each kind
/// draws from its own generator (seed and kind), so the kinds do not shift one another.
pub fn generate(
    corpus: &Corpus<'_>,
    per_kind: usize,
    seed: u64,
) -> (Vec<Generated>, Vec<(Kind, KindStats)>) {
    let mut out = Vec::new();
    let mut stats = Vec::new();
    for (k, kind) in KINDS.into_iter().enumerate() {
        let mut rng = Rng(seed ^ ((k as u64 + 1).wrapping_mul(0x2545F4914F6CDD1D)));
        let mut seen = HashSet::new();
        let mut stat = KindStats::default();
        let mut attempts = 0;
        while stat.made < per_kind && attempts < per_kind * 200 {
            attempts += 1;
            let at = rng.below(corpus.ids.len());
            let words = words_of(corpus.texts[at]);
            let Some((query, clean)) = make(kind, &words, &mut rng) else {
                continue;
            };
            let clean_tokens = tokens(&clean);
            if clean_tokens.len() < 2 {
                continue;
            }
            if kind.is_noisy() && kind != Kind::DoubledSpace && tokens(&query) == clean_tokens {
                continue;
            }
            if !seen.insert(query.clone()) {
                continue;
            }
            let relevant = corpus.relevant(&clean_tokens, kind.mode() == Mode::Suggest);
            assert!(
                relevant.iter().any(|id| id == corpus.ids[at]),
                "the source quote {} must contain its own phrase {clean:?}",
                corpus.ids[at]
            );
            if relevant.len() > MAX_RELEVANT {
                stat.too_many_relevant += 1;
                continue;
            }
            out.push(Generated {
                kind: kind.slug().to_string(),
                mode: kind.mode(),
                query,
                clean,
                from: corpus.ids[at].to_string(),
                relevant,
            });
            stat.made += 1;
        }
        stats.push((kind, stat));
    }
    (out, stats)
}

/// The JSONL text of a query set: one query per line.
pub fn to_jsonl(queries: &[Generated]) -> String {
    let mut out = String::new();
    for q in queries {
        out.push_str(&serde_json::to_string(q).expect("serialisable"));
        out.push('\n');
    }
    out
}

/// Reads a JSONL query set; an error names the line.
pub fn from_jsonl(text: &str, path: &str) -> Result<Vec<Generated>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let q: Generated =
                serde_json::from_str(l).map_err(|e| format!("{path}:{}: {e}", i + 1))?;
            Kind::from_slug(&q.kind)
                .ok_or_else(|| format!("{path}:{}: unknown kind {:?}", i + 1, q.kind))?;
            Ok(q)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<(&'static str, &'static str)> {
        vec![
            (
                "a",
                "We remain committed to the United States commitment to defend our allies today.",
            ),
            (
                "b",
                "The United States committee met in Seoul and the alliance held firm again.",
            ),
            (
                "c",
                "United we stand, and the States commit to peace and prosperity for all time.",
            ),
            (
                "d",
                "Peace and prosperity in Northeast Asia depend on the alliance between allies.",
            ),
        ]
    }

    #[test]
    fn relevance_counts_every_quote_that_truly_continues_the_phrase() {
        let quotes = corpus();
        let c = Corpus::new(quotes.iter().copied());
        assert_eq!(
            c.relevant(&tokens("the United States comm"), true),
            ["a", "b"]
        );
        assert_eq!(
            c.relevant(&tokens("the United States commi"), false),
            Vec::<String>::new()
        );
        assert_eq!(
            c.relevant(&tokens("peace and prosperity"), false),
            ["c", "d"]
        );
        assert_eq!(
            c.relevant(&tokens("prosperity peace and"), false),
            Vec::<String>::new()
        );
    }

    #[test]
    fn generation_is_reproducible_and_every_query_has_its_source_among_the_relevant() {
        let quotes = corpus();
        let c = Corpus::new(quotes.iter().copied());
        let (a, _) = generate(&c, 5, 42);
        let (b, _) = generate(&c, 5, 42);
        assert_eq!(a, b);
        assert!(!a.is_empty());
        for q in &a {
            assert!(q.relevant.contains(&q.from), "{q:?}");
            if q.kind().is_noisy() {
                assert_ne!(q.query, q.clean, "{q:?}");
            }
        }
        let (other, _) = generate(&c, 5, 43);
        assert_ne!(a, other);
    }

    #[test]
    fn noise_changes_the_word() {
        let mut rng = Rng(1);
        for _ in 0..200 {
            assert_ne!(typo("war", &mut rng), "war");
            let t = transpose("alliance", &mut rng).unwrap();
            assert_ne!(t, "alliance");
            assert_eq!(t.len(), 8);
        }
        assert_eq!(transpose("aa", &mut rng), None);
    }
}
