//! The operator's command line (contract §2, §4.2, §4.3): `check`, `search`, `suggest`,
//! `fotd`, `verify`, `export` and `import`. Commands only
//! translate: they load through `store`, ask the `app`, print what `render` produced.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;

use crate::app::{Actor, App, ApplyError, Snapshot};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::core::diag::Diagnostic;
use crate::core::edit::EditError;
use crate::core::exchange::{self, Format, NearDuplicates};
use crate::core::model::EntryKind;
use crate::core::render;
use crate::core::schema::Kind;
use crate::core::search::{Choice, MAX_CHOICES, Outcome, Query, names};
use crate::store;

#[derive(Debug, Parser)]
#[command(
    name = "quotebot",
    version,
    about = "Look up what officials said, where, and the figures behind it."
)]
pub struct Cli {
    /// The config file.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The data directory (overrides `data_dir` in the config).
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Quote,
    Fact,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Discord bot (the token comes from the environment variable named by
    /// discord.token_env, default DISCORD_TOKEN).
    Run {
        /// Run only shards FIRST-LAST (inclusive) of --total-shards, to spread one bot over
        /// several processes; by default all shards Discord recommends run here.
        #[arg(long, value_name = "FIRST-LAST", requires = "total_shards")]
        shards: Option<String>,
        /// The total number of shards across all processes.
        #[arg(long, value_name = "N", requires = "shards")]
        total_shards: Option<u32>,
    },
    /// Validate the config and the data; print every problem as PATH:LINE:COLUMN: message.
    Check,
    /// The offline answer to /quote: best matches among quotes and facts.
    Search {
        /// The query (several words may be given without quotes).
        query: Vec<String>,
        /// How many results to show.
        #[arg(long, default_value_t = 3)]
        limit: usize,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Answer one query per line of FILE.
        #[arg(long, value_name = "FILE", conflicts_with = "query")]
        batch: Option<PathBuf>,
        /// Only quotes or only facts.
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// Only quotes by this speaker: an id, or a name or alias (misspellings are matched,
        /// as the bot's speaker option matches them).
        #[arg(long, value_name = "NAME")]
        speaker: Option<String>,
        /// Only entries with this topic: its slug, its name or an alias from topics.toml, or as
        /// written ("Extended deterrence").
        #[arg(long, value_name = "TOPIC")]
        topic: Option<String>,
        /// Also print each answer's published translations.
        #[arg(long)]
        translations: bool,
    },
    /// The offline answer to /verify: checks a quote as it circulates against the database.
    Verify {
        /// The claim: the words as they circulate, optionally with the speaker named
        /// ("\"...\" — Name", "Name said \"...\"").
        text: Vec<String>,
        /// The speaker the claim is attributed to (an id, a name or an alias); wins over a name
        /// written in the text.
        #[arg(long, value_name = "NAME")]
        speaker: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Check one claim per line of FILE.
        #[arg(long, value_name = "FILE", conflicts_with = "text")]
        batch: Option<PathBuf>,
    },
    /// Which fact the fact of the day would post on a date to a channel.
    Fotd {
        /// The local date (default: today in the channel's time zone).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// The channel id (default: every configured channel).
        #[arg(long, value_name = "ID")]
        channel: Option<u64>,
    },
    /// The database as data: JSON (the whole database), JSON Lines or CSV (one kind).
    Export {
        /// json (one object of every kind), jsonl (one record a line) or csv (one kind).
        #[arg(long, value_name = "FORMAT", value_parser = format_arg, default_value = "json")]
        format: Format,
        /// Only this kind (speakers, sources, quotes, facts, topics or synonyms); for csv the default is quotes.
        #[arg(long, value_name = "KIND", value_parser = kind_arg)]
        kind: Option<Kind>,
        /// Write to FILE (replaced atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Merge records from a JSON, JSON Lines or CSV file into the database, all or nothing,
    /// through the same checked and audited writer as moderators' changes.
    Import {
        /// The file(s) to import, planned and written as one import (references may go from
        /// one file to another: a quotes CSV and a facts CSV that name each other).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// json, jsonl or csv (default: from each file's extension).
        #[arg(long, value_name = "FORMAT", value_parser = format_arg)]
        format: Option<Format>,
        /// Show what would be added, changed and skipped; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
        /// Add new quotes and facts that look like ones the database has; without it they
        /// are listed as near duplicates and left out.
        #[arg(long)]
        allow_near_duplicates: bool,
    },
    /// The autocomplete choices the bot would offer for TEXT (at most 25).
    Suggest {
        /// The text typed so far.
        text: Vec<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Answer one text per line of FILE.
        #[arg(long, value_name = "FILE", conflicts_with = "text")]
        batch: Option<PathBuf>,
    },
}

fn format_arg(name: &str) -> Result<Format, String> {
    Format::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

fn kind_arg(name: &str) -> Result<Kind, String> {
    exchange::kind_from_plural(name).ok_or_else(|| {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| exchange::plural(*k)).collect();
        format!("expected one of {}", names.join(", "))
    })
}

/// How a command failed, and so which exit code it ends with.
#[derive(Debug)]
pub enum Failure {
    Usage(String),
    Data(Vec<Diagnostic>),
    /// An import's problems, each `FILE:LINE: message`; nothing was written.
    Import(Vec<String>),
    Config(Vec<Diagnostic>),
    /// A configuration problem outside config.toml: the token's variable, or the token itself.
    Setup(String),
    Runtime(String),
    /// Writing the answer failed (a closed pipe is not a failure: the reader had enough).
    Output(io::Error),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Runtime(_) | Failure::Output(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Data(_) | Failure::Import(_) => 65,
            Failure::Config(_) | Failure::Setup(_) => 78,
        }
    }

    /// What to print on stderr.
    pub fn report(&self) -> String {
        match self {
            Failure::Usage(m) | Failure::Setup(m) => format!("error: {m}"),
            Failure::Runtime(m) => format!("error: {m}"),
            Failure::Output(e) => format!("error: cannot write the answer: {e}"),
            Failure::Import(problems) => {
                let mut lines = problems.clone();
                lines.push(format!(
                    "error: {} problem{}; nothing was imported",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                ));
                lines.join("\n")
            }
            Failure::Data(d) | Failure::Config(d) => d
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Failure::Output(error)
    }
}

/// Loads the config: `--config` if given (it must exist), else `config.toml` if present.
pub fn load_config(cli: &Cli) -> Result<Config, Failure> {
    let (path, explicit) = match &cli.config {
        Some(path) => (path.clone(), true),
        None => (PathBuf::from("config.toml"), false),
    };
    let mut config =
        store::load_config(&path, explicit).map_err(|e| Failure::Config(e.diagnostics))?;
    // Relative directories in a config file are relative to that file.
    let base = path.parent().unwrap_or(Path::new(""));
    for dir in [&mut config.data_dir, &mut config.state_dir] {
        if dir.is_relative() {
            *dir = base.join(&*dir);
        }
    }
    if let Some(data) = &cli.data {
        config.data_dir = data.clone();
    }
    Ok(config)
}

fn load_snapshot(config: &Config) -> Result<Snapshot, Failure> {
    let catalog =
        store::load_catalog(&config.data_dir).map_err(|e| Failure::Data(e.diagnostics))?;
    Ok(Snapshot::new(catalog))
}

/// Runs one command, writing its answer to `out`.
pub fn run(cli: &Cli, out: &mut dyn Write) -> Result<(), Failure> {
    let config = load_config(cli)?;
    match &cli.command {
        Command::Run {
            shards,
            total_shards,
        } => {
            let sharding = match (shards, total_shards) {
                (Some(range), Some(total)) => parse_shards(range, *total)?,
                _ => crate::discord::Sharding::Auto,
            };
            run_bot(config, sharding)?
        }
        Command::Check => {
            let snapshot = load_snapshot(&config)?;
            let c = &snapshot.catalog;
            // Valid data that does not hold what the audit log describes is worth a warning.
            if let Ok(log) = store::read_audit_log(&config.state_dir)
                && let Some(warning) = crate::app::warn_of_missing_records(
                    c,
                    &log,
                    &config.data_dir,
                    &config.state_dir,
                )
            {
                eprintln!("warning: {warning}");
            }
            writeln!(
                out,
                "ok: {} speakers, {} sources, {} quotes, {} facts, {} topics, {} synonym groups in {}",
                c.speakers().len(),
                c.sources().len(),
                c.quotes().len(),
                c.facts().len(),
                c.topics().len(),
                c.synonyms().len(),
                config.data_dir.display()
            )?;
        }
        Command::Search {
            query,
            limit,
            json,
            batch,
            kind,
            speaker,
            topic,
            translations,
        } => {
            if query.is_empty() && batch.is_none() {
                return Err(Failure::Usage(
                    "search needs a QUERY or --batch FILE".to_string(),
                ));
            }
            if *limit == 0 {
                return Err(Failure::Usage("--limit must be at least 1".to_string()));
            }
            let snapshot = load_snapshot(&config)?;
            let kind = kind.map(|k| match k {
                KindArg::Quote => EntryKind::Quote,
                KindArg::Fact => EntryKind::Fact,
            });
            let speaker = match speaker {
                Some(name) => Some(names::resolve_speaker(&snapshot.catalog, name).ok_or_else(
                    || Failure::Usage(format!("no speaker matches “{}”", name.trim())),
                )?),
                None => None,
            };
            let topic = topic.as_deref().map(|typed| {
                names::resolve_topic(&snapshot.catalog, typed)
                    .unwrap_or_else(|| names::topic_slug(typed))
            });
            for text in queries(query, batch.as_deref())? {
                let query = Query {
                    kind,
                    speaker: speaker.as_deref(),
                    topic: topic.as_deref(),
                    ..Query::new(&text, *limit)
                };
                let started = crate::clock::Stopwatch::start();
                let outcome = snapshot.search(&query);
                let took_us = started.elapsed().as_micros() as u64;
                if *json {
                    writeln!(out, "{}", search_json(&snapshot, &text, &outcome, took_us))?;
                } else {
                    if batch.is_some() {
                        writeln!(out, "## {text}")?;
                    }
                    writeln!(
                        out,
                        "{}",
                        render::outcome_text(&snapshot.catalog, &text, &outcome)
                    )?;
                    if *translations && outcome.confident {
                        for hit in &outcome.hits {
                            let card =
                                render::card(&snapshot.catalog, hit.entry(&snapshot.catalog));
                            writeln!(
                                out,
                                "\n{} [{}]:\n{}",
                                render::wording::TRANSLATIONS,
                                card.id,
                                render::translations_text(&card)
                            )?;
                        }
                    }
                    if batch.is_some() {
                        writeln!(out)?;
                    }
                }
            }
        }
        Command::Verify {
            text,
            speaker,
            json,
            batch,
        } => {
            let words = text.join(" ");
            if batch.is_none() && crate::core::search::normalize::tokens(&words).is_empty() {
                return Err(Failure::Usage(
                    "verify needs the words of the claim (TEXT) or --batch FILE".to_string(),
                ));
            }
            let snapshot = load_snapshot(&config)?;
            for claim in queries(text, batch.as_deref())? {
                let started = crate::clock::Stopwatch::start();
                let verdict = snapshot.verify(&claim, speaker.as_deref());
                let took_us = started.elapsed().as_micros() as u64;
                if *json {
                    writeln!(out, "{}", verdict_json(&snapshot, &verdict, took_us))?;
                } else {
                    if batch.is_some() {
                        writeln!(out, "## {claim}")?;
                    }
                    writeln!(out, "{}", render::verdict_text(&snapshot.catalog, &verdict))?;
                    if batch.is_some() {
                        writeln!(out)?;
                    }
                }
            }
        }
        Command::Fotd { date, channel } => {
            let snapshot = load_snapshot(&config)?;
            fotd(&config, &snapshot, date.as_deref(), *channel, out)?;
        }
        Command::Export {
            format,
            kind,
            out: file,
        } => {
            let snapshot = load_snapshot(&config)?;
            let text = exchange::export(&snapshot.catalog, *format, *kind);
            match file {
                Some(path) => store::write_atomic(path, text.as_bytes())
                    .map_err(|e| Failure::Runtime(e.to_string()))?,
                None => out.write_all(text.as_bytes())?,
            }
        }
        Command::Import {
            files,
            format,
            dry_run,
            json,
            allow_near_duplicates,
        } => {
            let near = if *allow_near_duplicates {
                NearDuplicates::Add
            } else {
                NearDuplicates::LeaveOut
            };
            import(&config, files, *format, *dry_run, *json, near, out)?
        }
        Command::Suggest { text, json, batch } => {
            let snapshot = load_snapshot(&config)?;
            for text in queries(text, batch.as_deref())? {
                let started = crate::clock::Stopwatch::start();
                let choices = snapshot.suggest(&Query::new(&text, MAX_CHOICES));
                let took_us = started.elapsed().as_micros() as u64;
                let listed: Vec<_> = choices.iter().map(choice_json).collect();
                if batch.is_some() && *json {
                    writeln!(
                        out,
                        "{}",
                        json!({"query": text, "choices": listed, "took_us": took_us})
                    )?;
                } else if *json {
                    writeln!(out, "{}", serde_json::Value::Array(listed))?;
                } else {
                    for choice in &choices {
                        writeln!(out, "{}\t{}", choice.value, choice.name)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Plans an import, prints the plan, and unless it is a dry run (or has problems) applies it
/// as one change through the app's writer.
fn import(
    config: &Config,
    files: &[PathBuf],
    format: Option<Format>,
    dry_run: bool,
    json: bool,
    near: NearDuplicates,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    // (path as shown, text, format) of each file; the size limit is for all of them together.
    let mut inputs = Vec::with_capacity(files.len());
    let mut read = 0u64;
    for file in files {
        let path = file.display().to_string();
        let format = format.or_else(|| Format::from_path(&path)).ok_or_else(|| {
            Failure::Usage(format!(
                "cannot tell the format of {path} from its name; give --format json, jsonl or csv"
            ))
        })?;
        let max = exchange::MAX_IMPORT_BYTES.saturating_sub(read);
        let text = store::read_text_at_most(file, max, "read import file").map_err(|e| match e {
            store::StoreError::TooLarge { len, .. } => Failure::Import(vec![format!(
                "{path}:1: the file is {} MiB; an import may be at most {} MiB{} (split it into smaller imports)",
                len.div_ceil(1 << 20),
                exchange::MAX_IMPORT_BYTES >> 20,
                if files.len() > 1 { " in all" } else { "" }
            )]),
            other => Failure::Runtime(other.to_string()),
        })?;
        read += text.len() as u64;
        inputs.push((path, text, format));
    }
    // A dry run opens no writer: that would clean up temporary files, and write nothing is
    // what it promises.
    let app = if dry_run {
        None
    } else {
        Some(
            App::open(config.data_dir.clone(), config.state_dir.clone())
                .map_err(|e| Failure::Data(e.diagnostics))?,
        )
    };
    let snapshot = match &app {
        Some(app) => app.snapshot(),
        None => std::sync::Arc::new(load_snapshot(config)?),
    };
    let imports: Vec<exchange::Import<'_>> = inputs
        .iter()
        .map(|(path, text, format)| exchange::Import {
            path,
            text,
            format: *format,
        })
        .collect();
    let mut plan = exchange::plan_all(&snapshot.catalog, &snapshot.index, &imports, near);
    drop(imports);
    drop((inputs, snapshot));
    let mut revisions = None;
    if let Some(app) = app.filter(|_| plan.problems.is_empty() && !plan.is_empty()) {
        let changes = std::mem::take(&mut plan.changes);
        let actor = Actor {
            user: 0,
            guild: None,
        };
        match app.apply(changes, actor, SystemClock.now()) {
            Ok(entries) => {
                revisions = entries
                    .first()
                    .zip(entries.last())
                    .map(|(a, b)| (a.revision, b.revision));
            }
            // Problems only the whole database shows (found in the data files' text).
            Err(ApplyError::Edit(EditError::Invalid(diagnostics))) => {
                plan.problems = diagnostics
                    .iter()
                    .map(|d| format!("{}:{}: {}", d.path, d.line, d.message))
                    .collect();
            }
            Err(e) => return Err(Failure::Runtime(e.to_string())),
        }
    }
    if json {
        writeln!(out, "{}", plan.to_json())?;
    } else {
        for id in &plan.added {
            writeln!(out, "add\t{id}")?;
        }
        for id in &plan.changed {
            writeln!(out, "change\t{id}")?;
        }
        for id in &plan.unchanged {
            writeln!(out, "skip\t{id}\t(unchanged)")?;
        }
        for (new, existing) in &plan.near_duplicates {
            match near {
                NearDuplicates::LeaveOut => writeln!(
                    out,
                    "skip\t{new}\t(near duplicate of {existing}; --allow-near-duplicates adds it)"
                )?,
                NearDuplicates::Add => {
                    writeln!(out, "near duplicate\t{new}\t(looks like {existing}; added)")?
                }
            }
        }
    }
    if !plan.problems.is_empty() {
        return Err(Failure::Import(plan.problems));
    }
    let summary = format!(
        "{} added, {} changed, {} unchanged, {} near duplicate{} {}",
        plan.added.len(),
        plan.changed.len(),
        plan.unchanged.len(),
        plan.near_duplicates.len(),
        if plan.near_duplicates.len() == 1 {
            ""
        } else {
            "s"
        },
        match near {
            NearDuplicates::LeaveOut => "left out",
            NearDuplicates::Add => "added",
        }
    );
    match revisions {
        Some((first, last)) => eprintln!(
            "imported: {summary} (changes {first}-{last}, one step: `/curate undo change:{first}` reverts it)"
        ),
        None if dry_run => eprintln!("dry run, nothing written: {summary}"),
        None => eprintln!("nothing to import: {summary}"),
    }
    Ok(())
}

/// Validates everything, then runs the bot until SIGINT or SIGTERM.
fn run_bot(config: Config, sharding: crate::discord::Sharding) -> Result<(), Failure> {
    let snapshot = load_snapshot(&config)?;
    let token =
        crate::config::token_from_env(&config).map_err(|e| Failure::Setup(e.to_string()))?;
    crate::logging::init(Some(token.expose()));
    let _lock =
        store::lock_state_dir(&config.state_dir).map_err(|e| Failure::Runtime(e.to_string()))?;
    drop(snapshot);
    // The writer owns the files from here on: it cleans what an interrupted write left.
    let app = crate::app::App::open(config.data_dir.clone(), config.state_dir.clone())
        .map_err(|e| Failure::Data(e.diagnostics))?;
    let app = std::sync::Arc::new(app);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        let options = crate::discord::RunOptions {
            sharding,
            ..Default::default()
        };
        let bot = crate::discord::run_with(config, token, app, options, shutdown_signal());
        bot.await.map_err(|e| match e {
            // A rejected token is configuration: exit 78 so supervisors do not restart in a loop.
            crate::discord::RunError::BadToken { .. } => Failure::Setup(e.to_string()),
            other => Failure::Runtime(other.to_string()),
        })
    })?;
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    tracing::info!("stopped");
    Ok(())
}

/// "FIRST-LAST" of `total` shards.
fn parse_shards(range: &str, total: u32) -> Result<crate::discord::Sharding, Failure> {
    let bad = || {
        Failure::Usage(format!(
            "--shards must be FIRST-LAST with LAST < --total-shards ({total}), found {range:?}"
        ))
    };
    let (first, last) = range.split_once('-').ok_or_else(bad)?;
    let number = |s: &str| crate::core::model::parse_digits::<u32>(s.trim()).ok_or_else(bad);
    let (first, last) = (number(first)?, number(last)?);
    if first > last || last >= total {
        return Err(bad());
    }
    Ok(crate::discord::Sharding::Range(
        crate::scheduler::ShardRange { first, last, total },
    ))
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for SIGTERM");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}

/// Prints what the fact of the day would post, per channel.
fn fotd(
    config: &Config,
    snapshot: &Snapshot,
    date: Option<&str>,
    channel: Option<u64>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    use crate::core::schedule::{local_date, planned};
    let date = match date {
        // The data files' strict date rule, at day precision: "20260101" is not a date here.
        Some(text) => {
            let usage = || Failure::Usage(format!("--date must be YYYY-MM-DD, found {text:?}"));
            match crate::core::model::PartialDate::parse(text) {
                Ok(crate::core::model::PartialDate {
                    year,
                    month: Some(month),
                    day: Some(day),
                }) => Some(
                    jiff::civil::Date::new(year as i16, month as i8, day as i8)
                        .map_err(|_| usage())?,
                ),
                _ => return Err(usage()),
            }
        }
        None => None,
    };
    // (channel, time zone, local time of day when configured)
    type Target = (u64, jiff::tz::TimeZone, Option<jiff::civil::Time>);
    let mut channels: Vec<Target> = config
        .fact_of_the_day
        .iter()
        .filter(|f| channel.is_none_or(|c| c == f.channel))
        .map(|f| (f.channel, f.time_zone.clone(), Some(f.time)))
        .collect();
    if let Some(c) = channel
        && channels.is_empty()
    {
        // Not configured here: the rotation does not depend on it, only "today" does.
        channels.push((c, jiff::tz::TimeZone::UTC, None));
    }
    if channels.is_empty() {
        writeln!(out, "no fact_of_the_day channels are configured")?;
        return Ok(());
    }
    let ledgers =
        store::load_ledgers(&config.state_dir).map_err(|e| Failure::Runtime(e.to_string()))?;
    let facts = snapshot.catalog.fact_ids();
    for (id, tz, time) in channels {
        let today = local_date(SystemClock.now(), &tz);
        let zone = tz.iana_name().unwrap_or("UTC");
        let day = date.unwrap_or(today);
        let ledger = ledgers.get(&id).cloned().unwrap_or_default();
        let when = time.map_or(String::new(), |t| {
            format!(" at {:02}:{:02}", t.hour(), t.minute())
        });
        match planned(id, &ledger, &facts, day, today).and_then(|f| snapshot.card(&f)) {
            Some(card) => {
                writeln!(out, "channel {id}, {day}{when} {zone}:")?;
                writeln!(out, "{}\n", render::card_text(&card))?;
            }
            None if facts.is_empty() => writeln!(out, "channel {id}: the database has no facts")?,
            None => writeln!(
                out,
                "channel {id}, {day}: in the past, and not the last recorded post ({}); earlier posts are not kept",
                ledger
                    .last_posted
                    .map_or("none".to_string(), |d| d.to_string())
            )?,
        }
    }
    Ok(())
}

/// The queries to answer: the words given, or every line of the batch file.
fn queries(words: &[String], batch: Option<&Path>) -> Result<Vec<String>, Failure> {
    match batch {
        Some(path) => {
            let text = store::read_text(path, "read batch file")
                .map_err(|e| Failure::Runtime(e.to_string()))?;
            Ok(text.lines().map(str::to_string).collect())
        }
        None => Ok(vec![words.join(" ")]),
    }
}

fn search_json(
    snapshot: &Snapshot,
    query: &str,
    outcome: &Outcome,
    took_us: u64,
) -> serde_json::Value {
    let results: Vec<_> = outcome
        .hits
        .iter()
        .map(|hit| {
            let entry = hit.entry(&snapshot.catalog);
            json!({
                "id": entry.id(),
                "kind": entry.kind().as_str(),
                "score": (hit.score as f64 * 1000.0).round() / 1000.0,
            })
        })
        .collect();
    json!({
        "query": query,
        "results": results,
        "took_us": took_us,
        "confident": outcome.confident,
        "did_you_mean": outcome.correction,
    })
}

/// A verdict as contract §4.2 has it: `claim`, `match`, `attribution`, `record` (null for
/// none), `similarity`, `diff`, `note`, `took_us`.
pub fn verdict_json(
    snapshot: &Snapshot,
    verdict: &crate::core::verify::Verdict,
    took_us: u64,
) -> serde_json::Value {
    use crate::core::verify::DiffOp;
    let diff: Vec<_> = verdict
        .diff
        .iter()
        .map(|op| match op {
            DiffOp::Same(text) => json!({"op": op.op(), "text": text}),
            DiffOp::Changed { claim, record } => {
                json!({"op": op.op(), "claim": claim, "record": record})
            }
            DiffOp::Missing(record) => json!({"op": op.op(), "record": record}),
            DiffOp::Added(claim) => json!({"op": op.op(), "claim": claim}),
        })
        .collect();
    json!({
        "claim": verdict.claim,
        "match": verdict.matched.as_str(),
        "attribution": verdict.attribution.as_str(),
        "record": verdict.record.as_ref().map(|(_, id)| id),
        "similarity": (verdict.similarity as f64 * 1000.0).round() / 1000.0,
        "diff": diff,
        "note": render::verdict_note(&snapshot.catalog, verdict),
        "took_us": took_us,
    })
}

fn choice_json(choice: &Choice) -> serde_json::Value {
    json!({"name": choice.name, "value": choice.value})
}

/// Parses arguments and runs, returning the process exit code.
pub fn main_with_args() -> u8 {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = run(&cli, &mut out).and_then(|()| out.flush().map_err(Failure::from));
    match result {
        Ok(()) => 0,
        Err(Failure::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(failure) => {
            let _ = out.flush();
            // An error may quote an API's response; the token never reaches stderr.
            eprintln!("{}", crate::logging::scrub(&failure.report()));
            failure.exit_code()
        }
    }
}
