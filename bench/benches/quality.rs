//! Issue 12's search-quality benchmark: quotebot against a brute-force strsim baseline and
//! tantivy, on the frozen query sets of `benches/queries/` and on natural questions about the
//! seed database with the 75k corpus loaded as distractors.
//!
//! ```sh
//! # the frozen query sets (already committed; this only re-creates them):
//! cargo bench -p quotebot-bench --bench quality -- write-queries --seed 1212
//! # the benchmark (tuning seed and dev questions by default):
//! cargo bench -p quotebot-bench --bench quality -- [--corpus target/bench-corpus/data] [--seed 1212 ...]
//!     [--questions dev|heldout|fresh|third|fourth|both|all|none[,...]] [--baseline 10] [--show-misses N] [--no-freeze-check] [--no-peers]
//! ```
//!
//! Relative paths are read from the repository root. Single thread; each quotebot and tantivy
//! query timed three times, its median kept.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use quotebot::app::Snapshot;
use quotebot::core::catalog::Catalog;
use quotebot::core::data::{DataFiles, FILE_NAMES};
use quotebot::core::search::{MAX_CHOICES, Mode as QbMode, Query, SearchIndex};
use quotebot_bench::generate::{Corpus, Generated, KINDS, Kind, Mode, generate, to_jsonl};
use quotebot_bench::peers::{Tantivy, docs, strsim_baseline};
use quotebot_bench::sets::{self, PER_KIND, Question, TUNING_SEED};
use quotebot_bench::support::{peak_rss_mb, percentile as pct, timed};
use quotebot_bench::{from_root, repo_root};

fn die(msg: impl std::fmt::Display) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(65)
}

fn load(dir: &std::path::Path) -> Catalog {
    quotebot::store::load_catalog(dir).unwrap_or_else(|e| {
        for d in e.diagnostics.iter().take(5) {
            eprintln!("{d}");
        }
        die(format!(
            "{} does not load (build the corpus with benches/corpus/fetch.sh)",
            dir.display()
        ))
    })
}

/// The seed database and the corpus in one catalog: each file of the seed followed by the
/// corpus's (ids are distinct: the corpus's are `sotu-…`, `fortune-…`, `person-…`). With
/// `records` off, only the seed's search vocabulary (topics.toml, synonyms.toml) joins the
/// corpus: the generated queries run on the corpus as the bot would search it.
fn merged(seed: &std::path::Path, corpus: &std::path::Path, records: bool) -> Catalog {
    let read = |dir: &std::path::Path, name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_default()
    };
    let both = |name: &str| {
        let ours = if records {
            read(seed, name)
        } else {
            String::new()
        };
        format!("{ours}\n{}", read(corpus, name))
    };
    let (speakers, sources, quotes, facts) = (
        both("speakers.toml"),
        both("sources.toml"),
        both("quotes.toml"),
        both("facts.toml"),
    );
    let (topics, synonyms) = (read(seed, "topics.toml"), read(seed, "synonyms.toml"));
    let texts = [speakers, sources, quotes, facts, topics, synonyms];
    let paths = FILE_NAMES.map(|name| format!("merged/{name}"));
    DataFiles::from_texts(&paths, &texts)
        .parse()
        .unwrap_or_else(|e| die(format!("the merged catalog is invalid: {:?}", e.first())))
}

fn role(seed: u64) -> &'static str {
    sets::seed_role(seed)
}

fn corpus_of(catalog: &Catalog) -> Corpus<'_> {
    Corpus::new(
        catalog
            .quotes()
            .iter()
            .map(|q| (q.id.as_str(), q.text.as_str())),
    )
}

#[derive(Default, Clone, Copy)]
struct Tally {
    n: usize,
    r1: usize,
    mrr: f64,
}

impl Tally {
    fn add(&mut self, rank: Option<usize>) {
        self.n += 1;
        if rank == Some(0) {
            self.r1 += 1;
        }
        if let Some(r) = rank.filter(|&r| r < 10) {
            self.mrr += 1.0 / (r as f64 + 1.0);
        }
    }
    fn r1(&self) -> f64 {
        self.r1 as f64 / self.n.max(1) as f64
    }
    fn mrr(&self) -> f64 {
        self.mrr / self.n.max(1) as f64
    }
}

fn rank<S: AsRef<str>>(ranked: &[S], relevant: &HashSet<&str>) -> Option<usize> {
    ranked
        .iter()
        .take(10)
        .position(|id| relevant.contains(id.as_ref()))
}

fn quotebot_ids(snapshot: &Snapshot, text: &str, mode: Mode) -> Vec<String> {
    match mode {
        Mode::Search => snapshot
            .search(&Query::new(text, 10))
            .hits
            .iter()
            .map(|h| h.entry(&snapshot.catalog).id().to_string())
            .collect(),
        Mode::Suggest => snapshot
            .suggest(&Query {
                mode: QbMode::Suggest,
                ..Query::new(text, MAX_CHOICES)
            })
            .into_iter()
            .map(|c| c.value)
            .collect(),
    }
}

/// Runs each probe (21 times, or once with `once`) and prints its median time and first ids.
fn probe(catalog: Catalog, probes: &[(Mode, String)], once: bool) {
    let snapshot = Snapshot::new(catalog);
    for (mode, text) in probes {
        let runs = if once { 1 } else { 21 };
        let mut times = Vec::with_capacity(runs);
        let mut ids = Vec::new();
        for _ in 0..runs {
            let (found, took) = timed(|| quotebot_ids(&snapshot, text, *mode));
            times.push(took);
            ids = found;
        }
        let median = pct(&mut times, 0.5);
        let first: Vec<&str> = ids.iter().take(3).map(String::as_str).collect();
        println!("{median:.3} ms {mode:?} {text:?} -> {}", first.join(", "));
    }
}

/// Per peer and kind: noisy and clean tallies.
#[derive(Default)]
struct PeerTallies {
    noisy: BTreeMap<Kind, Tally>,
    clean: BTreeMap<Kind, Tally>,
    search_times: Vec<Duration>,
    suggest_times: Vec<Duration>,
}

struct Args {
    corpus: PathBuf,
    seeds: Vec<u64>,
    questions: Vec<&'static str>,
    baseline: usize,
    show_misses: usize,
    /// Print quotebot's N slowest queries (search and suggest, as typed) after the latency table.
    show_slowest: usize,
    /// Each quotebot query once, as typed, and nothing else (no clean twins, no timing, no
    /// peers, no tables): a fixed workload for counting instructions under
    /// `valgrind --tool=callgrind`, which repeat where timings on a shared machine do not.
    once: bool,
    freeze_check: bool,
    /// Leave tantivy and the strsim baseline out (a quicker run while tuning).
    peers: bool,
    /// Only these queries (`search:TEXT` or `suggest:TEXT`): each run 21 times and its median
    /// time and first ids printed; with `--once`, each run once (for callgrind).
    probes: Vec<(Mode, String)>,
}

fn write_queries(seed: u64, corpus_dir: &std::path::Path) {
    let catalog = load(corpus_dir);
    let corpus = corpus_of(&catalog);
    let started = Instant::now();
    let (queries, stats) = generate(&corpus, PER_KIND, seed);
    let path = from_root(&sets::query_file(seed));
    std::fs::write(&path, to_jsonl(&queries)).unwrap_or_else(|e| die(e));
    println!(
        "{} queries written to {} in {:.1} s",
        queries.len(),
        path.display(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "| kind | made | dropped (> {} relevant) |",
        quotebot_bench::generate::MAX_RELEVANT
    );
    println!("| --- | ---: | ---: |");
    for (kind, s) in stats {
        println!("| {} | {} | {} |", kind.slug(), s.made, s.too_many_relevant);
    }
}

fn main() {
    let mut raw = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .peekable();
    let writing = raw.peek().is_some_and(|a| a == "write-queries");
    if writing {
        raw.next();
    }
    let mut args = Args {
        corpus: from_root("target/bench-corpus/data"),
        seeds: Vec::new(),
        questions: vec!["dev"],
        baseline: 10,
        show_misses: 0,
        show_slowest: 0,
        once: false,
        freeze_check: true,
        peers: true,
        probes: Vec::new(),
    };
    while let Some(arg) = raw.next() {
        let mut value = || {
            raw.next()
                .unwrap_or_else(|| die(format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--corpus" => args.corpus = from_root(&value()),
            "--seed" => args.seeds.push(value().parse().unwrap_or_else(|e| die(e))),
            "--questions" => {
                args.questions = Vec::new();
                for name in value().split(',') {
                    match name {
                        "both" => args.questions.extend(["dev", "heldout"]),
                        "all" => args
                            .questions
                            .extend(sets::QUESTION_SETS.iter().map(|s| s.0)),
                        "none" => {}
                        one => match sets::QUESTION_SETS.iter().find(|s| s.0 == one) {
                            Some(set) => args.questions.push(set.0),
                            None => die(format!(
                                "--questions takes dev, heldout, fresh, third, fourth, both, all \
                                 or none (several joined by commas), not {one}"
                            )),
                        },
                    }
                }
            }
            "--baseline" => args.baseline = value().parse().unwrap_or_else(|e| die(e)),
            "--show-misses" => args.show_misses = value().parse().unwrap_or_else(|e| die(e)),
            "--show-slowest" => args.show_slowest = value().parse().unwrap_or_else(|e| die(e)),
            "--no-freeze-check" => args.freeze_check = false,
            "--no-peers" => args.peers = false,
            "--once" => args.once = true,
            "--probe" => {
                let probe = value();
                let (mode, text) = match probe.split_once(':') {
                    Some(("search", text)) => (Mode::Search, text),
                    Some(("suggest", text)) => (Mode::Suggest, text),
                    _ => die(format!(
                        "--probe takes search:TEXT or suggest:TEXT, not {probe}"
                    )),
                };
                args.probes.push((mode, text.to_string()));
            }
            other => die(format!("unknown argument {other}")),
        }
    }
    if args.seeds.is_empty() {
        args.seeds.push(TUNING_SEED);
    }
    if writing {
        for &seed in &args.seeds {
            write_queries(seed, &args.corpus);
        }
        return;
    }
    run(args);
}

fn run(mut args: Args) {
    let started = Instant::now();
    if !args.corpus.join("quotes.toml").exists() {
        load(&args.corpus);
    }
    let catalog = merged(&repo_root().join("data"), &args.corpus, false);
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let rss_load = peak_rss_mb();
    println!(
        "corpus: {} quotes ({}), with data/'s {} topics and {} synonym groups; load + validate \
         {load_ms:.0} ms",
        catalog.quotes().len(),
        args.corpus.display(),
        catalog.topics().len(),
        catalog.synonyms().len()
    );

    if !args.probes.is_empty() {
        probe(catalog, &args.probes, args.once);
        return;
    }

    // The frozen sets (checked against the generator that made them after quotebot's figures,
    // so the check's own memory does not count in quotebot's peak RSS).
    let mut sets_by_seed: Vec<(u64, Vec<Generated>)> = Vec::new();
    for &seed in &args.seeds {
        let path = from_root(&sets::query_file(seed));
        let queries = sets::read_queries(&path).unwrap_or_else(|e| die(e));
        println!(
            "seed {seed} ({}): {} queries from {}",
            role(seed),
            queries.len(),
            path.display()
        );
        sets_by_seed.push((seed, queries));
    }

    if args.once {
        let snapshot = Snapshot::new(catalog);
        let mut right = 0;
        let mut total = 0;
        for (_, queries) in &sets_by_seed {
            for q in queries {
                let relevant: HashSet<&str> = q.relevant.iter().map(String::as_str).collect();
                let ids = quotebot_ids(&snapshot, &q.query, q.mode);
                right += usize::from(rank(&ids, &relevant) == Some(0));
                total += 1;
            }
        }
        println!("once: {total} queries, {right} right first");
        return;
    }

    // quotebot
    let mut builds = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let index = SearchIndex::build(&catalog);
        builds.push(t.elapsed());
        drop(index);
    }
    let qb_build = pct(&mut builds, 0.5);
    let snapshot = Snapshot::new(catalog);
    let rss_build = peak_rss_mb();
    let mut qb: Vec<PeerTallies> = Vec::new();
    let mut all_suggest = Vec::new();
    let mut slowest: Vec<(Duration, Mode, &str)> = Vec::new();
    for (_, queries) in &sets_by_seed {
        let mut t = PeerTallies::default();
        for q in queries {
            let relevant: HashSet<&str> = q.relevant.iter().map(String::as_str).collect();
            let (ids, took) = timed(|| quotebot_ids(&snapshot, &q.query, q.mode));
            match q.mode {
                Mode::Search => t.search_times.push(took),
                Mode::Suggest => t.suggest_times.push(took),
            }
            slowest.push((took, q.mode, &q.query));
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let r = rank(&ids, &relevant);
            if r != Some(0) && args.show_misses > 0 {
                args.show_misses -= 1;
                let text = |id: &str| {
                    snapshot
                        .catalog
                        .quote(id)
                        .map_or(String::new(), |x| x.text.clone())
                };
                println!(
                    "MISS [{}] {:?} rank {r:?} ({} relevant, e.g. {}: {})\n  got {}: {}",
                    q.kind,
                    q.query,
                    q.relevant.len(),
                    q.from,
                    text(&q.from),
                    ids.first().unwrap_or(&"-"),
                    ids.first().map_or(String::new(), |id| text(id))
                );
            }
            t.noisy.entry(q.kind()).or_default().add(r);
            let clean = quotebot_ids(&snapshot, &q.clean, q.mode);
            t.clean
                .entry(q.kind())
                .or_default()
                .add(rank(&clean, &relevant));
            // Autocomplete runs on every keystroke of any query.
            let (_, took) = timed(|| quotebot_ids(&snapshot, &q.query, Mode::Suggest));
            all_suggest.push(took);
            if q.mode == Mode::Search {
                slowest.push((took, Mode::Suggest, &q.query));
            }
        }
        qb.push(t);
    }
    let rss_qb = peak_rss_mb();
    if args.freeze_check {
        let corpus = corpus_of(&snapshot.catalog);
        for (seed, queries) in &sets_by_seed {
            let (again, _) = generate(&corpus, PER_KIND, *seed);
            if again != *queries {
                die(format!(
                    "{} is not what the generator makes with seed {seed} on this corpus: the \
                     frozen set and the generator have diverged (--no-freeze-check to run anyway)",
                    sets::query_file(*seed)
                ));
            }
        }
        println!("the query sets are reproduced by the generator (frozen)");
    }

    // tantivy, on the same records.
    let records = docs(&snapshot.catalog);
    let t0 = Instant::now();
    let tantivy =
        Tantivy::build(if args.peers { &records[..] } else { &[] }).unwrap_or_else(|e| die(e));
    let tv_build = t0.elapsed().as_secs_f64() * 1000.0;
    let mut tv: Vec<PeerTallies> = Vec::new();
    for (_, queries) in &sets_by_seed {
        if !args.peers {
            tv.push(PeerTallies::default());
            continue;
        }
        let mut t = PeerTallies::default();
        for q in queries {
            let relevant: HashSet<&str> = q.relevant.iter().map(String::as_str).collect();
            let suggest = q.mode == Mode::Suggest;
            let (ids, took) = timed(|| tantivy.search(&q.query, 10, suggest));
            match q.mode {
                Mode::Search => t.search_times.push(took),
                Mode::Suggest => t.suggest_times.push(took),
            }
            t.noisy
                .entry(q.kind())
                .or_default()
                .add(rank(&ids, &relevant));
            let clean = tantivy.search(&q.clean, 10, suggest);
            t.clean
                .entry(q.kind())
                .or_default()
                .add(rank(&clean, &relevant));
        }
        tv.push(t);
    }

    // strsim, on a sample per kind.
    let baseline = strsim_baseline(if args.peers { &records[..] } else { &[] });
    drop(records);
    let mut bs: Vec<PeerTallies> = Vec::new();
    for (_, queries) in &sets_by_seed {
        let mut t = PeerTallies::default();
        for kind in KINDS {
            for q in queries
                .iter()
                .filter(|q| q.kind() == kind)
                .take(if args.peers { args.baseline } else { 0 })
            {
                let relevant: HashSet<&str> = q.relevant.iter().map(String::as_str).collect();
                let s = Instant::now();
                let ids = baseline.search(&q.query, 10);
                t.search_times.push(s.elapsed());
                t.noisy.entry(kind).or_default().add(rank(&ids, &relevant));
            }
        }
        bs.push(t);
    }
    drop(baseline);

    for (i, (seed, queries)) in sets_by_seed.iter().enumerate() {
        let role = role(*seed);
        println!("\n### Seed {seed} ({role}): R@1 / MRR@10 on the noisy queries\n");
        println!(
            "| query kind | answered by | n | relevant per query (mean) | quotebot R@1 | tantivy R@1 | strsim R@1 (n) | quotebot MRR@10 | tantivy MRR@10 | strsim MRR@10 |"
        );
        println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        let mut totals = [Tally::default(); 3];
        for kind in KINDS {
            let of: Vec<&Generated> = queries.iter().filter(|q| q.kind() == kind).collect();
            let mean_rel =
                of.iter().map(|q| q.relevant.len()).sum::<usize>() as f64 / of.len().max(1) as f64;
            let (a, b, c) = (
                qb[i].noisy.get(&kind).copied().unwrap_or_default(),
                tv[i].noisy.get(&kind).copied().unwrap_or_default(),
                bs[i].noisy.get(&kind).copied().unwrap_or_default(),
            );
            for (total, t) in totals.iter_mut().zip([a, b, c]) {
                total.n += t.n;
                total.r1 += t.r1;
                total.mrr += t.mrr;
            }
            println!(
                "| {} | {} | {} | {mean_rel:.1} | {:.3} | {:.3} | {:.3} ({}) | {:.3} | {:.3} | {:.3} |",
                kind.name(),
                match kind.mode() {
                    Mode::Search => "search",
                    Mode::Suggest => "suggest",
                },
                a.n,
                a.r1(),
                b.r1(),
                c.r1(),
                c.n,
                a.mrr(),
                b.mrr(),
                c.mrr()
            );
        }
        let [a, b, c] = totals;
        println!(
            "| **overall** | | {} | | **{:.3}** | **{:.3}** | {:.3} ({}) | {:.3} | {:.3} | {:.3} |",
            a.n,
            a.r1(),
            b.r1(),
            c.r1(),
            c.n,
            a.mrr(),
            b.mrr(),
            c.mrr()
        );
        println!(
            "\n### Seed {seed} ({role}): clean → noisy (the same phrases without and with the noise)\n"
        );
        println!(
            "| query kind | quotebot R@1 clean → noisy (Δ) | quotebot MRR@10 clean → noisy (Δ) | tantivy R@1 clean → noisy (Δ) | tantivy MRR@10 clean → noisy (Δ) |"
        );
        println!("| --- | ---: | ---: | ---: | ---: |");
        for kind in KINDS.into_iter().filter(|k| k.is_noisy()) {
            let cell = |t: &PeerTallies, r1: bool| {
                let c = t.clean.get(&kind).copied().unwrap_or_default();
                let n = t.noisy.get(&kind).copied().unwrap_or_default();
                let (x, y) = if r1 {
                    (c.r1(), n.r1())
                } else {
                    (c.mrr(), n.mrr())
                };
                format!("{x:.3} → {y:.3} ({:+.3})", y - x)
            };
            println!(
                "| {} | {} | {} | {} | {} |",
                kind.name(),
                cell(&qb[i], true),
                cell(&qb[i], false),
                cell(&tv[i], true),
                cell(&tv[i], false)
            );
        }
    }

    println!("\n### Latency (ms, single thread, median of 3 runs per query)\n");
    println!("| peer | mode | queries | p50 | p99 | max |");
    println!("| --- | --- | ---: | ---: | ---: | ---: |");
    let line = |peer: &str, mode: &str, mut times: Vec<Duration>| {
        println!(
            "| {peer} | {mode} | {} | {:.3} | {:.3} | {:.3} |",
            times.len(),
            pct(&mut times, 0.5),
            pct(&mut times, 0.99),
            pct(&mut times, 1.0)
        );
    };
    let gather = |ts: &[PeerTallies], suggest: bool| -> Vec<Duration> {
        ts.iter()
            .flat_map(|t| {
                if suggest {
                    t.suggest_times.clone()
                } else {
                    t.search_times.clone()
                }
            })
            .collect()
    };
    line("quotebot", "search", gather(&qb, false));
    line("quotebot", "suggest (suggest kinds)", gather(&qb, true));
    line("quotebot", "suggest (every query as typed)", all_suggest);
    line("tantivy", "search", gather(&tv, false));
    line("tantivy", "suggest (fuzzy prefix)", gather(&tv, true));
    line("strsim baseline", "search", gather(&bs, false));
    if args.show_slowest > 0 {
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        println!("\nquotebot's {} slowest queries:", args.show_slowest);
        for (took, mode, query) in slowest.iter().take(args.show_slowest) {
            println!("  {:.3} ms {mode:?} {query:?}", took.as_secs_f64() * 1000.0);
        }
    }
    println!(
        "\nindex build: quotebot {qb_build:.0} ms (median of 3), tantivy {tv_build:.0} ms (1 thread, once); \
         quotebot peak RSS after load {rss_load:.0} MB, after index build {rss_build:.0} MB, after its queries {rss_qb:.0} MB; \
         with tantivy and strsim {:.0} MB",
        peak_rss_mb()
    );
    drop(tantivy);
    drop(snapshot);

    if args.questions.is_empty() {
        return;
    }
    // Natural questions: the seed with the corpus as distractors.
    let catalog = merged(&repo_root().join("data"), &args.corpus, true);
    let records = docs(&catalog);
    let snapshot = Snapshot::new(catalog);
    let peer_records = if args.peers { &records[..] } else { &[] };
    let tantivy = Tantivy::build(peer_records).unwrap_or_else(|e| die(e));
    let baseline = strsim_baseline(peer_records);
    println!(
        "\n### Natural questions about the seed, {} records loaded (seed + corpus)\n",
        records.len()
    );
    println!(
        "| question set | n | quotebot R@1 | tantivy R@1 | strsim R@1 | quotebot MRR@10 | tantivy MRR@10 | strsim MRR@10 |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut misses = Vec::new();
    for set in &args.questions {
        let file = sets::QUESTION_SETS
            .iter()
            .find(|s| s.0 == *set)
            .map_or("questions.toml", |s| s.1);
        let questions: Vec<Question> =
            sets::read_questions(&repo_root().join("benches/queries").join(file))
                .unwrap_or_else(|e| die(e));
        let mut t = [Tally::default(); 3];
        for q in &questions {
            let relevant: HashSet<&str> = q.relevant.iter().map(String::as_str).collect();
            let a = quotebot_ids(&snapshot, &q.text, Mode::Search);
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let ra = rank(&a, &relevant);
            if ra != Some(0) {
                misses.push(format!(
                    "[{set}] {:?}: rank {ra:?}, first {}",
                    q.text,
                    a.first().unwrap_or(&"-")
                ));
            }
            t[0].add(ra);
            if args.peers {
                t[1].add(rank(&tantivy.search(&q.text, 10, false), &relevant));
                t[2].add(rank(&baseline.search(&q.text, 10), &relevant));
            }
        }
        println!(
            "| {} ({file}) | {} | **{:.3}** | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
            set,
            t[0].n,
            t[0].r1(),
            t[1].r1(),
            t[2].r1(),
            t[0].mrr(),
            t[1].mrr(),
            t[2].mrr()
        );
    }
    if !misses.is_empty() {
        println!("\nquotebot's misses on the questions:");
        for m in misses {
            println!("- {m}");
        }
    }
}
