//! Search on hand-edited, adversarial data: a 160 KB "word", a 9 MB quote made of a few words
//! repeated, thousands of quotes sharing every word, long runs of zero-width characters and
//! combining marks. Shows the worst query time per query (goal: under 50 ms) and that building
//! the index stays linear in the text (the same adversarial data at 1×, 2×, 4× and 8× size).
//!
//! ```sh
//! cargo bench --bench adversarial
//! ```
//!
//! The data is generated (seeded), so the run needs nothing but the repository.

use std::time::{Duration, Instant};

use quotebot::app::Snapshot;
use quotebot::core::catalog::Catalog;
use quotebot::core::data::DataFiles;
use quotebot::core::search::{MAX_CHOICES, Mode, Query, SearchIndex};

#[path = "support/mod.rs"]
mod support;
use support::Rng;

const SPEAKERS: &str = "[[speaker]]\nid = \"s\"\nname = \"Sam Speaker\"\naliases = [\"윤석열\"]\n";
const SOURCES: &str = "[[source]]\nid = \"src\"\ntitle = \"Adversarial source\"\n";

fn quote(out: &mut String, id: &str, text: &str) {
    out.push_str(&format!(
        "[[quote]]\nid = \"{id}\"\ntext = '''{text}'''\nspeaker = \"s\"\nsource = \"src\"\ntopics = [\"alliance\"]\n\n"
    ));
}

/// The adversarial quotes file: `scale` times a 160 KB word, a quote of `repeated` bytes of a
/// few words repeated, 2,000 short quotes sharing every word, a run of combining marks and
/// zero-width characters, and a 1 MB Hangul quote.
fn quotes_file(scale: usize, repeated: usize, rng: &mut Rng) -> String {
    let mut out = String::new();
    for part in 0..scale {
        let long_word: String = (0..160_000).map(|_| rng.letter()).collect();
        quote(
            &mut out,
            &format!("long-word-{part}"),
            &format!("before {long_word} after"),
        );
        let phrase = "alliance linchpin peace security alliance korea united states ";
        let repeats = repeated / phrase.len();
        quote(&mut out, &format!("huge-{part}"), &phrase.repeat(repeats));
        for i in 0..2_000 {
            quote(
                &mut out,
                &format!("common-{part}-{i}"),
                "the alliance is the linchpin of peace and security in korea",
            );
        }
        let marks: String = (0..100_000)
            .map(|i| match i % 4 {
                0 => 'a',
                1 => '\u{0301}',
                2 => '\u{200B}',
                _ => '\u{200D}',
            })
            .collect();
        quote(&mut out, &format!("marks-{part}"), &marks);
        quote(
            &mut out,
            &format!("hangul-{part}"),
            &"한미 동맹은 굳건합니다 ".repeat(1_000_000 / 33),
        );
    }
    out
}

fn catalog(quotes: &str) -> Catalog {
    let texts = [SPEAKERS, SOURCES, quotes, "", "", ""].map(String::from);
    DataFiles::named(&texts)
        .parse()
        .unwrap_or_else(|e| panic!("generated data is invalid: {:?}", e.first()))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let mut rng = Rng(7);

    println!("## Index build on adversarial data (median of 3)\n");
    println!("| scale | text MB | build ms | ms per MB |");
    println!("| ---: | ---: | ---: | ---: |");
    for scale in [1, 2, 4, 8] {
        let text = quotes_file(scale, 1_000_000, &mut rng);
        let catalog = catalog(&text);
        let times: Vec<Duration> = (0..3)
            .map(|_| {
                let start = Instant::now();
                let index = SearchIndex::build(&catalog);
                let took = start.elapsed();
                assert!(!index.is_empty());
                took
            })
            .collect();
        let took = median(times);
        let mb = text.len() as f64 / 1e6;
        println!(
            "| {scale}× | {mb:.1} | {:.0} | {:.1} |",
            ms(took),
            ms(took) / mb
        );
    }

    // The query data: the 1× set with a 9 MB quote of repeated words.
    let text = quotes_file(1, 9_000_000, &mut rng);
    let start = Instant::now();
    let catalog = catalog(&text);
    let parsed = start.elapsed();
    let start = Instant::now();
    let snapshot = Snapshot::new(catalog);
    println!(
        "\nWith the 9 MB quote ({:.1} MB in all): parse and validate {:.0} ms, index build {:.0} ms.",
        text.len() as f64 / 1e6,
        ms(parsed),
        ms(start.elapsed())
    );
    let long_word: String = text
        .split_whitespace()
        .find(|w| w.len() > 100_000)
        .unwrap()
        .to_string();
    let queries: Vec<(&str, String, Mode)> = vec![
        (
            "repeated words of the 9 MB quote",
            "alliance linchpin peace security korea united states".into(),
            Mode::Search,
        ),
        (
            "the same, shuffled",
            "states korea peace linchpin alliance security".into(),
            Mode::Search,
        ),
        (
            "typos in repeated words",
            "aliance linchpn peice securty".into(),
            Mode::Search,
        ),
        ("being typed", "alliance linchpin pea".into(), Mode::Suggest),
        ("the 160 KB word", long_word.clone(), Mode::Search),
        (
            "the 160 KB word being typed",
            long_word[..50_000].to_string(),
            Mode::Suggest,
        ),
        (
            "160 KB word with a typo",
            format!("x{}", &long_word[1..]),
            Mode::Search,
        ),
        (
            "24 common words",
            "the alliance is the linchpin of peace and security in korea ".repeat(3),
            Mode::Search,
        ),
        ("Hangul", "한미 동맹은 굳건합니다".into(), Mode::Search),
        (
            "Hangul being typed",
            "한미 동맹은 굳거".into(),
            Mode::Suggest,
        ),
        (
            "zero-width and combining marks",
            "a\u{0301}\u{200B}a\u{200D}a".repeat(200),
            Mode::Search,
        ),
        ("a word in no entry", "zebra".into(), Mode::Search),
    ];
    println!("\n## Queries on the 1× data (median of 5)\n");
    println!("| query | mode | hits | ms |");
    println!("| --- | --- | ---: | ---: |");
    let mut worst = Duration::ZERO;
    for (name, text, mode) in &queries {
        let mut hits = 0;
        let times: Vec<Duration> = (0..5)
            .map(|_| {
                let start = Instant::now();
                hits = match mode {
                    Mode::Search => snapshot.search(&Query::new(text, 10)).hits.len(),
                    Mode::Suggest => snapshot
                        .suggest(&Query {
                            mode: Mode::Suggest,
                            ..Query::new(text, MAX_CHOICES)
                        })
                        .len(),
                };
                start.elapsed()
            })
            .collect();
        let took = median(times);
        worst = worst.max(took);
        println!("| {name} | {mode:?} | {hits} | {:.2} |", ms(took));
    }
    println!("\nworst query: {:.2} ms (goal: < 50 ms)", ms(worst));
}
