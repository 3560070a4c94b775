//! Import benchmark: 75,000 quotes from CSV into an empty database, through the same path as
//! `quotebot import` (read within the size limit, plan, one `App::apply`), reporting wall time
//! and peak memory.
//!
//! ```sh
//! benches/corpus/fetch.sh                       # writes target/bench-corpus/data
//! cargo bench --bench import -- target/bench-corpus/data
//! ```
//!
//! The corpus is exported with quotebot's own exporter (speakers, sources and quotes as CSV).
//! The import then runs in a fresh process of this binary, so its peak RSS (VmHWM) is the
//! import's alone: a database holding only the corpus's speakers and sources (imported from
//! their CSV first, timed apart), then the quotes CSV, timed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use quotebot::app::{Actor, App};
use quotebot::clock::{Clock, SystemClock};
use quotebot::core::data::FILE_NAMES;
use quotebot::core::edit::empty_texts;
use quotebot::core::exchange::{self, Format, Import, MAX_IMPORT_BYTES};
use quotebot::core::schema::Kind;

#[path = "support/mod.rs"]
mod support;
use support::peak_rss_mb;

/// Imports one CSV file into the database at `data`, as `quotebot import` does; returns the
/// seconds spent planning and applying, and how many records were added.
fn import(data: &Path, state: &Path, file: &Path) -> (f64, f64, usize) {
    let app = App::open(data.to_path_buf(), state.to_path_buf()).expect("the database opens");
    let started = Instant::now();
    let text = quotebot::store::read_text_at_most(file, MAX_IMPORT_BYTES, "read")
        .expect("the CSV is readable and within the limit");
    let snapshot = app.snapshot();
    let path = file.display().to_string();
    let mut plan = exchange::plan(
        &snapshot.catalog,
        &snapshot.index,
        Import {
            path: &path,
            text: &text,
            format: Format::Csv,
        },
    );
    drop((text, snapshot));
    assert!(
        plan.problems.is_empty(),
        "{:#?}",
        &plan.problems[..5.min(plan.problems.len())]
    );
    let planned = started.elapsed().as_secs_f64();
    let changes = std::mem::take(&mut plan.changes);
    let started = Instant::now();
    let actor = Actor {
        user: 0,
        guild: None,
    };
    let entries = app
        .apply(changes, actor, SystemClock.now())
        .expect("the import applies");
    (planned, started.elapsed().as_secs_f64(), entries.len())
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--import-into") {
        // The second process: import what the first exported.
        let work = PathBuf::from(&args[1]);
        let (data, state) = (work.join("data"), work.join("state"));
        for kind in [Kind::Speaker, Kind::Source] {
            let file = work.join(format!("{}.csv", exchange::plural(kind)));
            let (plan, apply, added) = import(&data, &state, &file);
            println!(
                "{:>8} {:>6} added: plan {plan:.2} s, apply {apply:.2} s",
                exchange::plural(kind),
                added
            );
        }
        let file = work.join("quotes.csv");
        let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let (plan, apply, added) = import(&data, &state, &file);
        println!(
            "  quotes {added:>6} added from {:.1} MB of CSV: plan {plan:.2} s, apply {apply:.2} s, total {:.2} s",
            bytes as f64 / 1e6,
            plan + apply
        );
        let catalog = quotebot::store::load_catalog(&data).expect("the result is valid");
        println!(
            "result: {} quotes, {} speakers, {} sources; peak RSS of the import process {:.0} MB",
            catalog.quotes().len(),
            catalog.speakers().len(),
            catalog.sources().len(),
            peak_rss_mb()
        );
        return;
    }
    let corpus = args
        .first()
        .map_or_else(|| PathBuf::from("target/bench-corpus/data"), PathBuf::from);
    let catalog = quotebot::store::load_catalog(&corpus).unwrap_or_else(|e| {
        panic!(
            "no corpus at {} (run benches/corpus/fetch.sh): {:?}",
            corpus.display(),
            e.diagnostics.first()
        )
    });
    let work = PathBuf::from("target/bench-import");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("data")).unwrap();
    for (name, text) in FILE_NAMES.iter().zip(empty_texts()) {
        if !text.is_empty() {
            std::fs::write(work.join("data").join(name), text).unwrap();
        }
    }
    for kind in [Kind::Speaker, Kind::Source, Kind::Quote] {
        let csv = exchange::export(&catalog, Format::Csv, Some(kind));
        std::fs::write(work.join(format!("{}.csv", exchange::plural(kind))), csv).unwrap();
    }
    println!(
        "corpus: {} quotes, {} speakers, {} sources, exported as CSV to {}",
        catalog.quotes().len(),
        catalog.speakers().len(),
        catalog.sources().len(),
        work.display()
    );
    drop(catalog);
    let status = Command::new(std::env::current_exe().unwrap())
        .arg("--import-into")
        .arg(&work)
        .status()
        .expect("the import process runs");
    assert!(status.success());
}
