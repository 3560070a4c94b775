//! Verification speed and verdicts on the 75k-quote corpus: claims of every kind a user pastes
//! into `/verify`, generated from the corpus with a seeded generator, each checked through the
//! same call as `quotebot verify`, `/verify` and "Verify quote" (`Snapshot::verify`).
//!
//! ```sh
//! benches/corpus/fetch.sh                       # writes target/bench-corpus/data
//! cargo bench --bench verify -- target/bench-corpus/data [--per-kind 300] [--seed 7]
//! ```
//!
//! Claim kinds: the record word for word (half with its speaker named), an excerpt with an
//! ellipsis over dropped words, one changed word, a changed number, added words, dropped
//! words, a rewording (a third of the words replaced and two halves swapped), the record
//! with another speaker named, unrelated words from the corpus's vocabulary, a long message
//! quoting it among chatter, and a pasted paragraph (several consecutive sentences of one
//! address). Reports p50/p99/max of the verify call (each claim timed three times, its
//! median kept, as the search benchmark does), per kind and overall, the share of each
//! `match` and `attribution` verdict per kind, and how often the record named is the quote
//! the claim was made from.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use quotebot::app::Snapshot;
use quotebot::core::model::Quote;
use quotebot::core::verify::{Attribution, Match, Verdict};

#[path = "support/mod.rs"]
mod support;
use support::{Rng, percentile, timed};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Exact,
    Ellipsis,
    ChangedWord,
    ChangedNumber,
    Added,
    Dropped,
    Reworded,
    OtherSpeaker,
    Unrelated,
    LongMessage,
    Paragraph,
}

const KINDS: [Kind; 11] = [
    Kind::Exact,
    Kind::Ellipsis,
    Kind::ChangedWord,
    Kind::ChangedNumber,
    Kind::Added,
    Kind::Dropped,
    Kind::Reworded,
    Kind::OtherSpeaker,
    Kind::Unrelated,
    Kind::LongMessage,
    Kind::Paragraph,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Exact => "exact (half with the speaker named)",
            Kind::Ellipsis => "excerpt across an ellipsis",
            Kind::ChangedWord => "one changed word",
            Kind::ChangedNumber => "changed number",
            Kind::Added => "1-3 added words",
            Kind::Dropped => "1-3 dropped words",
            Kind::Reworded => "reworded (paraphrase-like)",
            Kind::OtherSpeaker => "other speaker named",
            Kind::Unrelated => "unrelated words",
            Kind::LongMessage => "long message quoting it",
            Kind::Paragraph => "pasted paragraph (3-8 sentences)",
        }
    }
}

struct Claim {
    kind: Kind,
    text: String,
    /// The quote the claim was made from.
    target: String,
}

fn words_of(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

/// A word from anywhere in the corpus, of at least four letters.
fn random_word(quotes: &[Quote], rng: &mut Rng) -> String {
    loop {
        let words = words_of(&quotes[rng.below(quotes.len())].text);
        let word = words[rng.below(words.len())]
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if word.chars().count() >= 4 && word.chars().all(char::is_alphabetic) {
            return word;
        }
    }
}

/// A run of `lo..=hi` words of `words` (all of them when shorter).
fn run(words: &[String], lo: usize, hi: usize, rng: &mut Rng) -> Vec<String> {
    let length = rng.range(lo, hi).min(words.len());
    let from = rng.below(words.len() - length + 1);
    words[from..from + length].to_vec()
}

/// Unquoted chatter: words of the corpus, no quotation marks.
fn chatter(quotes: &[Quote], count: usize, rng: &mut Rng) -> String {
    (0..count)
        .map(|_| random_word(quotes, rng))
        .collect::<Vec<_>>()
        .join(" ")
}

fn generate(snapshot: &Snapshot, per_kind: usize, seed: u64) -> Vec<Claim> {
    let mut rng = Rng(seed);
    let catalog = &snapshot.catalog;
    let quotes = catalog.quotes();
    let speakers = catalog.speakers();
    let mut out = Vec::new();
    for kind in KINDS {
        let mut made = 0;
        let mut attempts = 0;
        while made < per_kind && attempts < per_kind * 100 {
            attempts += 1;
            let at = rng.below(quotes.len());
            let quote = &quotes[at];
            let words = words_of(&quote.text);
            if words.len() < 8 {
                continue;
            }
            let name = catalog
                .speaker(&quote.speaker)
                .map(|s| s.name.clone())
                .unwrap_or_default();
            let text = match kind {
                Kind::Exact => {
                    if made % 2 == 0 {
                        format!("“{}” — {name}", quote.text)
                    } else {
                        quote.text.clone()
                    }
                }
                Kind::Ellipsis => {
                    if words.len() < 14 {
                        continue;
                    }
                    let mut part = run(&words, 12, 20, &mut rng);
                    let gap = rng.range(2, 5);
                    let from = rng.range(3, part.len() - gap - 3);
                    let mark = if rng.below(2) == 0 { "…" } else { "..." };
                    part.splice(from..from + gap, [mark.to_string()]);
                    format!("\"{}\"", part.join(" "))
                }
                Kind::ChangedWord => {
                    let mut part = run(&words, 10, 25, &mut rng);
                    let at = rng.range(1, part.len() - 2);
                    let replacement = random_word(quotes, &mut rng);
                    if part[at].to_lowercase().contains(&replacement) {
                        continue;
                    }
                    part[at] = replacement;
                    part.join(" ")
                }
                Kind::ChangedNumber => {
                    let Some(at) = words
                        .iter()
                        .position(|w| w.chars().any(|c| c.is_ascii_digit()))
                    else {
                        continue;
                    };
                    let mut changed = words.clone();
                    let digits: String = changed[at]
                        .chars()
                        .map(|c| match c.to_digit(10) {
                            Some(d) => char::from_digit((d + 3) % 10, 10).unwrap_or(c),
                            None => c,
                        })
                        .collect();
                    changed[at] = digits;
                    changed.join(" ")
                }
                Kind::Added => {
                    let mut part = run(&words, 10, 25, &mut rng);
                    let at = rng.range(1, part.len() - 1);
                    for _ in 0..rng.range(1, 3) {
                        part.insert(at, random_word(quotes, &mut rng));
                    }
                    part.join(" ")
                }
                Kind::Dropped => {
                    let mut part = run(&words, 10, 25, &mut rng);
                    let count = rng.range(1, 3);
                    let at = rng.range(1, part.len() - count - 1);
                    part.drain(at..at + count);
                    part.join(" ")
                }
                Kind::Reworded => {
                    let mut part = run(&words, 10, 25, &mut rng);
                    for _ in 0..part.len() / 3 {
                        let at = rng.below(part.len());
                        part[at] = random_word(quotes, &mut rng);
                    }
                    let half = part.len() / 2;
                    part.rotate_left(half);
                    part.join(" ")
                }
                Kind::OtherSpeaker => {
                    let other = &speakers[rng.below(speakers.len())];
                    if other.id == quote.speaker {
                        continue;
                    }
                    format!("\"{}\" — {}", quote.text, other.name)
                }
                Kind::Unrelated => chatter(quotes, rng.range(6, 25), &mut rng),
                Kind::LongMessage => {
                    let part = run(&words, 8, 40, &mut rng);
                    let before = chatter(quotes, rng.range(60, 200), &mut rng);
                    let after = chatter(quotes, rng.range(60, 200), &mut rng);
                    format!("{before}: “{}” {after}", part.join(" "))
                }
                Kind::Paragraph => {
                    let count = rng.range(3, 8);
                    let sentences: Vec<&str> = quotes[at..]
                        .iter()
                        .take(count)
                        .take_while(|q| q.source == quote.source)
                        .map(|q| q.text.as_str())
                        .collect();
                    if sentences.len() < 3 {
                        continue;
                    }
                    sentences.join(" ")
                }
            };
            out.push(Claim {
                kind,
                text,
                target: quote.id.clone(),
            });
            made += 1;
        }
    }
    out
}

const MATCHES: [Match; 5] = [
    Match::Exact,
    Match::Excerpt,
    Match::Altered,
    Match::Paraphrase,
    Match::None,
];
const ATTRIBUTIONS: [Attribution; 5] = [
    Attribution::Confirmed,
    Attribution::OtherSpeaker,
    Attribution::Disputed,
    Attribution::Misattributed,
    Attribution::Unstated,
];

#[derive(Default)]
struct Tally {
    times: Vec<Duration>,
    matches: BTreeMap<&'static str, usize>,
    attributions: BTreeMap<&'static str, usize>,
    /// The verdict names the quote the claim was made from.
    on_target: usize,
}

impl Tally {
    fn add(&mut self, claim: &Claim, verdict: &Verdict, took: Duration) {
        self.times.push(took);
        *self.matches.entry(verdict.matched.as_str()).or_default() += 1;
        *self
            .attributions
            .entry(verdict.attribution.as_str())
            .or_default() += 1;
        if verdict
            .record
            .as_ref()
            .is_some_and(|(_, id)| *id == claim.target)
        {
            self.on_target += 1;
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut data = PathBuf::from("target/bench-corpus/data");
    let mut per_kind = 300;
    let mut seed = 7u64;
    let mut show = 0usize;
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("a value after the option");
        match arg.as_str() {
            "--per-kind" => per_kind = value().parse().expect("a number"),
            "--seed" => seed = value().parse().expect("a number"),
            "--show" => show = value().parse().expect("a number"),
            other => data = PathBuf::from(other),
        }
    }
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
    let snapshot = Snapshot::new(catalog);
    let claims = generate(&snapshot, per_kind, seed);
    println!(
        "corpus: {} quotes ({}); claims: {} (seed {seed}, up to {per_kind} per kind)\n",
        snapshot.catalog.quotes().len(),
        data.display(),
        claims.len()
    );
    // Warm up: the first calls page the index in.
    for claim in claims.iter().take(50) {
        std::hint::black_box(snapshot.verify(&claim.text, None));
    }
    let mut tallies: BTreeMap<Kind, Tally> = BTreeMap::new();
    let mut all = Vec::new();
    let mut slowest: Vec<(Duration, usize)> = Vec::new();
    let mut shown: BTreeMap<Kind, usize> = BTreeMap::new();
    for (n, claim) in claims.iter().enumerate() {
        let (verdict, took) = timed(|| snapshot.verify(&claim.text, None));
        tallies
            .entry(claim.kind)
            .or_default()
            .add(claim, &verdict, took);
        all.push(took);
        slowest.push((took, n));
        let seen = shown.entry(claim.kind).or_default();
        if *seen < show {
            *seen += 1;
            println!(
                "[{}] {} → {} / {} / {:?} ({:.2})",
                claim.kind.name(),
                claim.text.chars().take(160).collect::<String>(),
                verdict.matched.as_str(),
                verdict.attribution.as_str(),
                verdict.record.as_ref().map(|(_, id)| id.as_str()),
                verdict.similarity
            );
        }
    }
    if show > 0 {
        println!();
    }

    let share = |count: Option<&usize>, n: usize| -> String {
        let c = count.copied().unwrap_or(0);
        if c == 0 {
            "·".to_string()
        } else {
            format!("{:.2}", c as f64 / n as f64)
        }
    };
    println!(
        "| claim kind | n | {} | right record | {} |",
        MATCHES.map(|m| m.as_str()).join(" | "),
        ATTRIBUTIONS.map(|a| a.as_str()).join(" | ")
    );
    println!(
        "| --- | ---:{} | ---: |{}",
        " | ---:".repeat(5),
        " ---: |".repeat(5)
    );
    for (kind, tally) in &tallies {
        let n = tally.times.len();
        let matches: Vec<String> = MATCHES
            .iter()
            .map(|m| share(tally.matches.get(m.as_str()), n))
            .collect();
        let attributions: Vec<String> = ATTRIBUTIONS
            .iter()
            .map(|a| share(tally.attributions.get(a.as_str()), n))
            .collect();
        println!(
            "| {} | {n} | {} | {:.2} | {} |",
            kind.name(),
            matches.join(" | "),
            tally.on_target as f64 / n as f64,
            attributions.join(" | ")
        );
    }
    println!("\n| latency (ms) | n | p50 | p99 | max |\n| --- | ---: | ---: | ---: | ---: |");
    for (kind, tally) in &mut tallies {
        let n = tally.times.len();
        println!(
            "| {} | {n} | {:.3} | {:.3} | {:.3} |",
            kind.name(),
            percentile(&mut tally.times, 0.5),
            percentile(&mut tally.times, 0.99),
            percentile(&mut tally.times, 1.0)
        );
    }
    let n = all.len();
    println!(
        "| **all claims** | {n} | {:.3} | **{:.3}** | {:.3} |",
        percentile(&mut all, 0.5),
        percentile(&mut all, 0.99),
        percentile(&mut all, 1.0)
    );
    slowest.sort_unstable_by_key(|b| std::cmp::Reverse(b.0));
    println!("\nslowest:");
    for (took, n) in slowest.iter().take(5) {
        let claim = &claims[*n];
        println!(
            "  {:.3} ms [{}] {} words: {}",
            took.as_secs_f64() * 1000.0,
            claim.kind.name(),
            claim.text.split_whitespace().count(),
            claim.text.chars().take(100).collect::<String>()
        );
    }
}
