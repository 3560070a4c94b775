//! Open data end to end: `quotebot export` and `quotebot import` as operators call them
//! (round trips, all-or-nothing imports, problems at file:line, dry runs, undo, size limits),
//! and the round-trip properties over arbitrary Unicode in the core.

use std::path::Path;
use std::process::{Command, Output};

use proptest::prelude::*;

use quotebot::app::{Actor, App};
use quotebot::core::catalog::Catalog;
use quotebot::core::data::{DataFiles, FILE_NAMES, Texts};
use quotebot::core::edit::{self, Change, empty_texts};
use quotebot::core::exchange::{self, Format, Import, plural};
use quotebot::core::model::{
    Appearance, Fact, Figure, PartialDate, Provenance, Quote, QuoteKind, Record, Role, Source,
    Speaker, Status, Topic, Translation,
};
use quotebot::core::schema::Kind;
use quotebot::core::search::SearchIndex;

use crate::support::workspace;

fn quotebot(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quotebot"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// The data files' texts, to compare before and after (`None` for an absent file).
fn files(data: &Path) -> Vec<Option<String>> {
    FILE_NAMES
        .iter()
        .map(|name| std::fs::read_to_string(data.join(name)).ok())
        .collect()
}

/// A data directory with the four required files empty but for a comment, and no topics.toml.
fn empty_database(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("empty");
    std::fs::create_dir_all(&data).unwrap();
    for (name, text) in FILE_NAMES.iter().zip(empty_texts()) {
        if !text.is_empty() {
            std::fs::write(data.join(name), text).unwrap();
        }
    }
    data
}

/// The keys of an exported JSON object.
fn top_keys(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

fn export(dir: &Path, data: &str, args: &[&str]) -> String {
    let mut all = vec!["--data", data, "export"];
    all.extend_from_slice(args);
    let output = quotebot(dir, &all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn an_export_imported_into_an_empty_database_exports_the_same_in_every_format() {
    let (dir, _, _) = workspace();
    let dir = dir.path();
    for (format, file) in [("json", "db.json"), ("jsonl", "db.jsonl")] {
        let exported = export(dir, "data", &["--format", format]);
        std::fs::write(dir.join(file), &exported).unwrap();
        let empty = empty_database(dir);
        let output = quotebot(dir, &["--data", "empty", "import", file]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(stdout(&output).contains("add\tblinken-alliance-linchpin"));
        assert_eq!(
            export(dir, "empty", &["--format", format]),
            exported,
            "{format}"
        );
        // Every kind's CSV is the same too.
        for kind in ["speakers", "sources", "quotes", "facts"] {
            let args = ["--format", "csv", "--kind", kind];
            assert_eq!(export(dir, "empty", &args), export(dir, "data", &args));
        }
        std::fs::remove_dir_all(empty).unwrap();
        std::fs::remove_dir_all(dir.join("state")).unwrap();
    }
}

#[test]
fn importing_a_databases_own_export_changes_nothing() {
    let (dir, data, state) = workspace();
    let before = files(&data);
    for (format, file) in [
        ("json", "db.json"),
        ("jsonl", "db.jsonl"),
        ("csv", "quotes.csv"),
    ] {
        let exported = export(dir.path(), "data", &["--format", format]);
        std::fs::write(dir.path().join(file), exported).unwrap();
        let output = quotebot(dir.path(), &["--data", "data", "import", file, "--json"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(plan["added"], serde_json::json!([]), "{format}");
        assert_eq!(plan["changed"], serde_json::json!([]), "{format}");
        assert!(
            plan["unchanged"]
                .as_array()
                .unwrap()
                .contains(&"blinken-alliance-essential".into())
        );
        assert_eq!(files(&data), before, "{format}: not a byte changed");
    }
    assert!(!state.join("audit.jsonl").exists(), "nothing was audited");
}

#[test]
fn an_import_with_problems_lists_every_one_at_its_line_exits_65_and_writes_nothing() {
    let (dir, data, state) = workspace();
    let before = files(&data);
    let jsonl = [
        r#"{"type":"speaker","id":"new-speaker","name":"New Speaker"}"#,
        r#"{"type":"quote","id":"q-ok","text":"Fine words.","speaker":"new-speaker","source":"voa-2025-us-rok-strong"}"#,
        "",
        r#"{"type":"quote","id":"q-bad-date","text":"Words.","speaker":"antony-blinken","source":"voa-2025-us-rok-strong","date":"2025-13"}"#,
        r#"{"type":"quote","id":"q-ghost","text":"Words.","speaker":"ghost","source":"voa-2025-us-rok-strong"}"#,
        r#"{"type":"fact","id":"f-typo","text":"A fact.","source":"voa-2025-us-rok-strong","as_off":"2025"}"#,
        r#"{"type":"quote","id":"q-ok","text":"Again.","speaker":"antony-blinken","source":"voa-2025-us-rok-strong"}"#,
        r#"{"type":"topic""#,
        r#"{"type":"quote","id":"antony-blinken","text":"W.","speaker":"antony-blinken","source":"voa-2025-us-rok-strong"}"#,
    ]
    .join("\n");
    std::fs::write(dir.path().join("bad.jsonl"), jsonl).unwrap();
    let output = quotebot(
        dir.path(),
        &["--data", "data", "import", "bad.jsonl", "--json"],
    );
    assert_eq!(output.status.code(), Some(65), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let problems: Vec<&str> = plan["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let expected_lines = [
        "bad.jsonl:4: `date`: invalid date",
        "bad.jsonl:5: `speaker` refers to unknown speaker `ghost`",
        "bad.jsonl:6: unknown key `as_off`",
        "bad.jsonl:7: duplicate id `q-ok`: already used at bad.jsonl:2",
        "bad.jsonl:8: not valid JSON",
        "bad.jsonl:9: `antony-blinken` is a speaker in the database",
    ];
    assert_eq!(problems.len(), expected_lines.len(), "{problems:#?}");
    for (problem, expected) in problems.iter().zip(expected_lines) {
        assert!(problem.starts_with(expected), "{problem} / {expected}");
    }
    for expected in expected_lines {
        assert!(stderr(&output).contains(expected), "{}", stderr(&output));
    }
    assert!(stderr(&output).contains("6 problems; nothing was imported"));
    assert_eq!(files(&data), before);
    assert!(!state.join("audit.jsonl").exists());
}

#[test]
fn json_problems_are_reported_at_the_line_where_their_record_starts() {
    let (dir, data, _) = workspace();
    let before = files(&data);
    let json = "{\n  \"quotes\": [\n    {\"id\": \"q-1\", \"text\": \"Words.\", \"speaker\": \"antony-blinken\",\n     \"source\": \"voa-2025-us-rok-strong\"},\n    {\n      \"id\": \"q-2\",\n      \"text\": \"\",\n      \"speaker\": \"antony-blinken\", \"source\": \"voa-2025-us-rok-strong\"\n    }\n  ],\n  \"people\": []\n}\n";
    std::fs::write(dir.path().join("db.json"), json).unwrap();
    let output = quotebot(dir.path(), &["--data", "data", "import", "db.json"]);
    assert_eq!(output.status.code(), Some(65));
    let err = stderr(&output);
    assert!(err.contains("db.json:5: `text` must not be empty"), "{err}");
    assert!(err.contains("db.json:11: unknown key `people`"), "{err}");
    assert!(
        !err.contains("db.json:3"),
        "the first record is fine: {err}"
    );
    assert_eq!(files(&data), before);
}

#[test]
fn a_dry_run_shows_the_plan_and_writes_nothing() {
    let (dir, data, state) = workspace();
    let before = files(&data);
    let csv = "text,speaker,source\n\"New words, with a comma; and a semicolon.\",Antony Blinken,voa-2025-us-rok-strong\n";
    std::fs::write(dir.path().join("quotes.csv"), csv).unwrap();
    let output = quotebot(
        dir.path(),
        &["--data", "data", "import", "quotes.csv", "--dry-run"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("add\tblinken-new-words-with-a"),
        "{}",
        stdout(&output)
    );
    assert!(stderr(&output).contains("dry run, nothing written: 1 added"));
    assert_eq!(files(&data), before);
    assert!(
        !state.exists(),
        "a dry run does not even create the state directory"
    );
}

#[test]
fn csv_rows_name_speakers_and_sources_as_the_forms_do_and_get_generated_ids() {
    let (dir, data, _) = workspace();
    let csv = "\u{feff}text,speaker,source,topics,date\r\n\
               Words of the secretary.,Secretary Blinken,voa-2025-us-rok-strong,alliance;  north-korea ,2025-01\r\n\
               \"A new voice, \"\"quoted\"\".\",Cho Tae-yul,\"Joint press conference | https://example.org/seoul\",,\r\n\
               \"Second line\nof the same voice.\",Cho Tae-yul,\"Joint press conference | https://example.org/seoul\",,\r\n";
    std::fs::write(dir.path().join("mine.csv"), csv).unwrap();
    let output = quotebot(
        dir.path(),
        &["--data", "data", "import", "mine.csv", "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        plan["added"],
        serde_json::json!([
            "cho-tae-yul",
            "joint-press-conference",
            "blinken-words-of-the-secretary",
            "tae-yul-a-new-voice-quoted",
            "tae-yul-second-line-of-the"
        ])
    );
    let catalog = quotebot::store::load_catalog(&data).unwrap();
    let quote = catalog.quote("blinken-words-of-the-secretary").unwrap();
    assert_eq!(
        quote.speaker, "antony-blinken",
        "an alias names the speaker"
    );
    assert_eq!(quote.topics, ["alliance", "north-korea"]);
    let second = catalog.quote("tae-yul-second-line-of-the").unwrap();
    assert_eq!(second.text, "Second line\nof the same voice.");
    assert_eq!(
        second.source, "joint-press-conference",
        "one new source for both rows"
    );
    assert_eq!(
        catalog
            .source("joint-press-conference")
            .unwrap()
            .url
            .as_deref(),
        Some("https://example.org/seoul")
    );
    // The CSV of the quotes added reads back as given.
    let exported = export(dir.path(), "data", &["--format", "csv"]);
    assert!(
        exported.contains(
            "\ntae-yul-a-new-voice-quoted,\"A new voice, \"\"quoted\"\".\",cho-tae-yul,joint-press-conference,,,,,,,,,,,,\n"
        ),
        "{exported}"
    );
}

#[test]
fn one_undo_reverts_a_whole_import() {
    let (dir, data, state) = workspace();
    let before = files(&data);
    let csv = "text,speaker,source\nOne.,Antony Blinken,voa-2025-us-rok-strong\nTwo.,New Person,\"Elsewhere | https://example.org/x\"\n";
    std::fs::write(dir.path().join("quotes.csv"), csv).unwrap();
    let output = quotebot(dir.path(), &["--data", "data", "import", "quotes.csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("imported: 4 added"),
        "{}",
        stderr(&output)
    );
    assert_ne!(files(&data), before);
    let app = App::open(data.clone(), state.clone()).unwrap();
    let operator = Actor {
        user: 0,
        guild: None,
    };
    let undone = app
        .undo(None, operator, jiff::Timestamp::UNIX_EPOCH)
        .unwrap();
    assert_eq!(undone.len(), 4, "the whole import, in one step");
    assert_eq!(files(&data), before, "byte for byte");
}

#[test]
fn an_import_larger_than_the_limit_is_refused_before_it_is_read() {
    let (dir, data, _) = workspace();
    let before = files(&data);
    for (name, size) in [
        ("big.csv", exchange::MAX_IMPORT_BYTES + 1),
        ("huge.json", 1 << 30),
    ] {
        // Sparse: the size is there, the bytes are not, and they are never read.
        let file = std::fs::File::create(dir.path().join(name)).unwrap();
        file.set_len(size).unwrap();
        let output = quotebot(dir.path(), &["--data", "data", "import", name]);
        assert_eq!(output.status.code(), Some(65), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("{name}:1: the file is"))
                && stderr(&output).contains("an import may be at most 64 MiB"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(files(&data), before);
}

#[test]
fn export_writes_a_file_and_refuses_a_kind_it_does_not_know() {
    let (dir, _, _) = workspace();
    let output = quotebot(
        dir.path(),
        &[
            "--data", "data", "export", "--format", "csv", "--kind", "facts", "--out", "f.csv",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(dir.path().join("f.csv")).unwrap();
    assert!(
        text.starts_with("id,text,source,as_of,topics,figure,related,locator,appearances,status,status_note,evidence,language,translations\n"),
        "{text}"
    );
    assert!(
        text.contains(r#"{""value"":140000000000,""unit"":""USD"",""qualifier"":""more than""}"#),
        "{text}"
    );
    let output = quotebot(
        dir.path(),
        &["--data", "data", "export", "--kind", "people"],
    );
    assert_eq!(output.status.code(), Some(2));
}

// ---------------------------------------------------------------------------------------------
// Properties, in the core.

fn parse(texts: &Texts) -> Catalog {
    DataFiles::named(texts).parse().unwrap()
}

/// Imports `text` into the database `texts` holds, as the CLI does, returning the new texts.
fn import(texts: &Texts, path: &str, text: &str, format: Format) -> Texts {
    let catalog = parse(texts);
    let index = SearchIndex::build(&catalog);
    let plan = exchange::plan(&catalog, &index, Import { path, text, format });
    assert!(plan.problems.is_empty(), "{:#?}", plan.problems);
    edit::apply(&catalog, texts, &plan.changes)
        .unwrap_or_else(|e| panic!("{e}: {e:?}"))
        .texts
}

/// Text that shows something, with the characters that break naive CSV, JSON and TOML
/// writers: Korean, emoji, quotes, separators, backslashes, new lines, edge spaces.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("한국어".to_string()),
        Just("🙂".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just(";".to_string()),
        Just(",".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\\".to_string()),
        Just(" ".to_string()),
        Just("|".to_string()),
        Just("...".to_string()),
        Just("[...]".to_string()),
        Just("שלום".to_string()),
        Just("مرحبا".to_string()),
        Just("e\u{301}".to_string()),
        Just("\u{200F}".to_string()),
        "[a-zA-Z]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    (
        prop_oneof!["[a-zA-Z]", Just("조".to_string()), Just("🙂".to_string())],
        prop::collection::vec(piece, 0..6),
    )
        .prop_map(|(first, rest)| {
            let mut text = first;
            text.extend(rest);
            text
        })
}

fn optional_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text())
}

fn date() -> impl Strategy<Value = Option<PartialDate>> {
    prop::option::of(
        prop_oneof![
            Just("2025"),
            Just("2024-02"),
            Just("2024-02-29"),
            Just("0001-12-31")
        ]
        .prop_map(|d| PartialDate::parse(d).unwrap()),
    )
}

fn slugs() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop_oneof![Just("alliance"), Just("north-korea"), Just("trade-2025")],
        0..3,
    )
    .prop_map(|mut topics| {
        topics.dedup();
        topics.into_iter().map(String::from).collect()
    })
}

fn language() -> impl Strategy<Value = Option<String>> {
    prop::option::of(
        prop_oneof![Just("en"), Just("ko"), Just("ar"), Just("zh-Hant")].prop_map(String::from),
    )
}

/// Every provenance key of contract §4.1, each present or not: `sources` sources exist.
fn provenance(sources: usize) -> impl Strategy<Value = Provenance> {
    (
        optional_text(),
        prop::collection::vec((0..sources, optional_text(), date()), 0..3),
        0..4usize,
        optional_text(),
        prop::collection::vec(0..sources, 0..3),
        language(),
        prop::collection::vec((language(), text(), 0..sources), 0..3),
    )
        .prop_map(
            |(locator, appearances, status, note, evidence, language, translations)| {
                let status = [
                    Status::Sourced,
                    Status::Verified,
                    Status::Disputed,
                    Status::Misattributed,
                ][status];
                let needs_note = matches!(status, Status::Disputed | Status::Misattributed);
                let mut evidence: Vec<String> =
                    evidence.into_iter().map(|n| format!("src{n}")).collect();
                evidence.dedup();
                Provenance {
                    locator,
                    appearances: appearances
                        .into_iter()
                        .map(|(n, locator, date)| Appearance {
                            source: format!("src{n}"),
                            locator,
                            date,
                        })
                        .collect(),
                    status,
                    status_note: if needs_note {
                        Some(note.unwrap_or_else(|| "Why: [...] \"said\"".to_string()))
                    } else {
                        note
                    },
                    evidence,
                    language,
                    translations: translations
                        .into_iter()
                        .map(|(language, text, n)| Translation {
                            language: language.unwrap_or_else(|| "ko".to_string()),
                            text,
                            source: format!("src{n}"),
                        })
                        .collect(),
                }
            },
        )
}

/// A small database with every key of contracts §1 and §4.1 (and topics.toml): speakers with
/// roles over time, sources with archive copies, facts (related to earlier facts) and quotes
/// (related to facts) with their provenance, built through the writer so it is valid exactly
/// as a curated one is.
fn database() -> impl Strategy<Value = Texts> {
    let role = (text(), date(), date()).prop_map(|(title, from, until)| {
        let from = from.unwrap_or_else(|| PartialDate::parse("2020-01-01").unwrap());
        Role {
            title,
            from,
            until: until.filter(|u| u.last_day() >= from.first_day()),
        }
    });
    let speaker = (
        text(),
        optional_text(),
        prop::collection::vec(text(), 0..3),
        prop::collection::vec(role, 0..3),
        prop::option::of("[1-9][0-9]{0,8}".prop_map(|d| format!("Q{d}"))),
    );
    let url = || prop::option::of("[a-z]{1,8}".prop_map(|p| format!("https://example.org/{p}")));
    let source = (
        text(),
        optional_text(),
        url(),
        date(),
        url(),
        date(),
        language(),
    );
    let figure = prop::option::of((
        any::<f64>().prop_filter("finite", |v| v.is_finite()),
        optional_text(),
        optional_text(),
    ));
    let fact = (
        text(),
        date(),
        slugs(),
        figure,
        any::<bool>(),
        provenance(2),
    );
    let quote = (
        text(),
        any::<bool>(),
        date(),
        optional_text(),
        slugs(),
        any::<bool>(),
        provenance(2),
    );
    let topic = (text(), prop::collection::vec(text(), 0..3), optional_text());
    (
        prop::collection::vec(speaker, 1..3),
        prop::collection::vec(source, 2..3),
        prop::collection::vec(fact, 0..4),
        prop::collection::vec(quote, 0..5),
        prop::collection::vec(topic, 0..3),
    )
        .prop_map(|(speakers, sources, facts, quotes, topics)| {
            let mut records = Vec::new();
            for (n, (name, role, aliases, roles, wikidata)) in speakers.into_iter().enumerate() {
                records.push(Record::Speaker(Speaker {
                    id: format!("s{n}"),
                    name,
                    role,
                    aliases,
                    roles,
                    wikidata,
                }));
            }
            let source_count = sources.len();
            for (n, (title, outlet, url, published, archive_url, accessed, language)) in
                sources.into_iter().enumerate()
            {
                records.push(Record::Source(Source {
                    id: format!("src{n}"),
                    title,
                    outlet,
                    url,
                    published,
                    archive_url,
                    accessed,
                    language,
                }));
            }
            let fact_count = facts.len();
            for (n, (text, as_of, topics, figure, related, provenance)) in
                facts.into_iter().enumerate()
            {
                records.push(Record::Fact(Fact {
                    id: format!("f{n}"),
                    text,
                    source: format!("src{}", n % source_count),
                    as_of,
                    topics,
                    figure: figure.map(|(value, unit, qualifier)| Figure {
                        value,
                        unit,
                        qualifier,
                    }),
                    related: if related && n > 0 {
                        vec![format!("f{}", n - 1)]
                    } else {
                        Vec::new()
                    },
                    provenance,
                }));
            }
            for (n, (text, paraphrase, date, context, topics, related, provenance)) in
                quotes.into_iter().enumerate()
            {
                records.push(Record::Quote(Quote {
                    id: format!("q{n}"),
                    text,
                    speaker: "s0".to_string(),
                    source: format!("src{}", n % source_count),
                    kind: if paraphrase {
                        QuoteKind::Paraphrase
                    } else {
                        QuoteKind::Verbatim
                    },
                    date,
                    context,
                    topics,
                    related: if related && fact_count > 0 {
                        vec![format!("f{}", n % fact_count)]
                    } else {
                        Vec::new()
                    },
                    provenance,
                }));
            }
            // Topic slugs may be those of records: topics are a namespace of their own.
            for (n, (name, aliases, description)) in topics.into_iter().enumerate() {
                records.push(Record::Topic(Topic {
                    id: ["alliance", "s0", "trade-2025"][n].to_string(),
                    name,
                    aliases,
                    description,
                }));
            }
            let changes: Vec<Change> = records.into_iter().map(Change::add).collect();
            let empty = empty_texts();
            edit::apply(&parse(&empty), &empty, &changes)
                .unwrap_or_else(|e| panic!("the generated database is valid: {e}: {e:?}"))
                .texts
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Export, import into an empty database, export again: the same output, in every format
    /// (CSV a kind at a time, in the order the kinds refer to each other); and importing a
    /// database's own export into it plans no change at all.
    #[test]
    fn every_export_round_trips_through_an_empty_database(texts in database()) {
        let catalog = parse(&texts);
        let index = SearchIndex::build(&catalog);
        for format in [Format::Json, Format::JsonLines] {
            let exported = exchange::export(&catalog, format, None);
            let again = import(&empty_texts(), "db", &exported, format);
            prop_assert_eq!(exchange::export(&parse(&again), format, None), exported.clone());
            let plan = exchange::plan(&catalog, &index, Import { path: "db", text: &exported, format });
            prop_assert!(plan.problems.is_empty() && plan.changes.is_empty(), "{:?}", plan);
        }
        let mut again = empty_texts();
        for kind in [Kind::Speaker, Kind::Source, Kind::Fact, Kind::Quote, Kind::Topic] {
            let exported = exchange::export(&catalog, Format::Csv, Some(kind));
            let path = format!("{}.csv", plural(kind));
            again = import(&again, &path, &exported, Format::Csv);
            let after = exchange::export(&parse(&again), Format::Csv, Some(kind));
            prop_assert_eq!(after, exported.clone());
            let plan = exchange::plan(&catalog, &index, Import { path: &path, text: &exported, format: Format::Csv });
            prop_assert!(plan.problems.is_empty() && plan.changes.is_empty(), "{:?}", plan);
        }
        for kind in Kind::ALL {
            prop_assert_eq!(
                parse(&again).records(kind).collect::<Vec<_>>(),
                catalog.records(kind).collect::<Vec<_>>()
            );
        }
    }

    /// A CSV written by hand (every field of a quote, in any column order), imported and
    /// exported again, keeps every field exactly.
    #[test]
    fn a_hand_written_csv_keeps_every_field_through_import_and_export(
        quotes in prop::collection::vec((text(), text(), slugs(), any::<bool>()), 1..6),
    ) {
        let base = import(
            &empty_texts(),
            "db.jsonl",
            "{\"type\":\"speaker\",\"id\":\"s\",\"name\":\"Sam\"}\n{\"type\":\"source\",\"id\":\"src\",\"title\":\"T\"}\n",
            Format::JsonLines,
        );
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(["context", "source", "id", "topics", "kind", "text", "speaker"]).unwrap();
        for (n, (words, context, topics, paraphrase)) in quotes.iter().enumerate() {
            let id = format!("q{n}");
            writer.write_record([
                context.as_str(), "src", &id, &topics.join("; "),
                if *paraphrase { "paraphrase" } else { "" }, words, "s",
            ]).unwrap();
        }
        let csv = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        let after = parse(&import(&base, "quotes.csv", &csv, Format::Csv));
        for (n, (words, context, topics, paraphrase)) in quotes.iter().enumerate() {
            let quote = after.quote(&format!("q{n}")).unwrap();
            prop_assert_eq!(&quote.text, words);
            prop_assert_eq!(quote.context.as_ref(), Some(context));
            prop_assert_eq!(&quote.topics, topics);
            prop_assert_eq!(quote.kind == QuoteKind::Paraphrase, *paraphrase);
        }
        let exported = exchange::export(&after, Format::Csv, Some(Kind::Quote));
        let again = import(&base, "quotes.csv", &exported, Format::Csv);
        prop_assert_eq!(exchange::export(&parse(&again), Format::Csv, Some(Kind::Quote)), exported);
    }
}

// ---------------------------------------------------------------------------------------------
// Topics: the fifth kind, exported and imported like the others.

#[test]
fn topics_are_exported_as_the_fifth_kind_in_every_format() {
    let (dir, _, _) = workspace();
    let json = export(dir.path(), "data", &[]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let keys = top_keys(&value);
    let mut sorted_by_place = keys.clone();
    sorted_by_place.sort_by_key(|k| json.find(&format!("\n  \"{k}\": [")).unwrap());
    assert_eq!(
        sorted_by_place,
        [
            "speakers", "sources", "quotes", "facts", "topics", "synonyms"
        ],
        "exactly the TOML files' keys, in the contract's order"
    );
    // Without synonyms.toml (beyond the contract's five files), exactly the contract's object.
    std::fs::remove_file(dir.path().join("data/synonyms.toml")).unwrap();
    let without: serde_json::Value =
        serde_json::from_str(&export(dir.path(), "data", &[])).unwrap();
    let keys = top_keys(&without);
    assert_eq!(keys.len(), 5, "{keys:?}");
    assert!(without.get("synonyms").is_none(), "{keys:?}");
    assert_eq!(
        value["topics"][1],
        serde_json::json!({"id": "north-korea", "name": "North Korea", "aliases": ["DPRK", "NK", "Democratic People’s Republic of Korea", "Pyongyang", "North Korean", "North Koreans"]})
    );
    let csv = export(dir.path(), "data", &["--format", "csv", "--kind", "topics"]);
    assert!(csv.starts_with("id,name,aliases,description\n"), "{csv}");
    assert!(
        csv.contains(
            "\nnorth-korea,North Korea,DPRK;NK;Democratic People’s Republic of Korea;Pyongyang;North Korean;North Koreans,\n"
        ),
        "{csv}"
    );
    let jsonl = export(
        dir.path(),
        "data",
        &["--format", "jsonl", "--kind", "topics"],
    );
    assert!(
        jsonl
            .lines()
            .all(|l| l.starts_with("{\"type\":\"topic\",\"id\":")),
        "{jsonl}"
    );
}

#[test]
fn an_import_of_topics_creates_topics_toml_and_its_undo_removes_it_again() {
    let (dir, _, _) = workspace();
    let dir = dir.path();
    let empty = empty_database(dir);
    let before = files(&empty);
    assert_eq!(before[4], None, "no topics.toml to begin with");
    // Records without topics: no topics.toml appears.
    std::fs::write(
        dir.join("db.jsonl"),
        "{\"type\":\"speaker\",\"id\":\"s\",\"name\":\"Sam\"}\n",
    )
    .unwrap();
    let output = quotebot(dir, &["--data", "empty", "import", "db.jsonl"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!empty.join("topics.toml").exists(), "no empty topics.toml");
    let with_speaker = files(&empty);
    // Topics, one sharing its slug with the speaker (topic ids are a namespace of their own),
    // one with every key in a script of its own.
    std::fs::write(
        dir.join("topics.csv"),
        "id,name,aliases,description\n\
         s,Sam's topic,,\n\
         han-mi,한미 동맹 🤝,한미;ROK–US alliance;تحالف,\"A description, with \"\"quotes\"\"\nand a second line.\"\n",
    )
    .unwrap();
    let output = quotebot(dir, &["--data", "empty", "import", "topics.csv", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(plan["added"], serde_json::json!(["s", "han-mi"]));
    let written = std::fs::read_to_string(empty.join("topics.toml")).unwrap();
    assert!(written.starts_with("[[topic]]\nid = \"s\"\n"), "{written}");
    let output = quotebot(dir, &["--data", "empty", "check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let catalog = quotebot::store::load_catalog(&empty).unwrap();
    let topic = catalog.topic("han-mi").unwrap();
    assert_eq!(topic.name, "한미 동맹 🤝");
    assert_eq!(topic.aliases, ["한미", "ROK–US alliance", "تحالف"]);
    assert_eq!(
        topic.description.as_deref(),
        Some("A description, with \"quotes\"\nand a second line.")
    );
    assert_eq!(catalog.speaker("s").unwrap().name, "Sam");
    // The CSV exported is the CSV imported.
    assert_eq!(
        export(dir, "empty", &["--format", "csv", "--kind", "topics"]),
        std::fs::read_to_string(dir.join("topics.csv")).unwrap()
    );

    let app = App::open(empty.clone(), dir.join("state")).unwrap();
    let operator = Actor {
        user: 0,
        guild: None,
    };
    let undone = app
        .undo(None, operator, jiff::Timestamp::UNIX_EPOCH)
        .unwrap();
    assert_eq!(undone.len(), 2, "the whole import, in one step");
    assert_eq!(files(&empty), with_speaker, "as before the import");
    assert!(!empty.join("topics.toml").exists(), "topics.toml is gone");
    let output = quotebot(dir, &["--data", "empty", "check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn an_import_changes_topics_in_place_keeping_the_files_comments() {
    let (dir, data, state) = workspace();
    let before = std::fs::read_to_string(data.join("topics.toml")).unwrap();
    std::fs::write(
        dir.path().join("topics.jsonl"),
        "{\"type\":\"topic\",\"id\":\"north-korea\",\"name\":\"North Korea (DPRK)\",\"aliases\":[\"DPRK\"]}\n\
         {\"type\":\"topic\",\"id\":\"japan\",\"name\":\"Japan\"}\n\
         {\"type\":\"topic\",\"id\":\"sanctions\",\"name\":\"Sanctions\"}\n",
    )
    .unwrap();
    let output = quotebot(
        dir.path(),
        &["--data", "data", "import", "topics.jsonl", "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(plan["added"], serde_json::json!(["sanctions"]));
    assert_eq!(plan["changed"], serde_json::json!(["north-korea"]));
    assert_eq!(plan["unchanged"], serde_json::json!(["japan"]));
    let after = std::fs::read_to_string(data.join("topics.toml")).unwrap();
    assert!(after.starts_with(before.lines().next().unwrap()), "{after}");
    assert!(
        after.contains(
            "id = \"north-korea\"\nname = \"North Korea (DPRK)\"\naliases = [\"DPRK\"]\n"
        ),
        "{after}"
    );
    assert!(
        after.ends_with("[[topic]]\nid = \"sanctions\"\nname = \"Sanctions\"\n"),
        "{after}"
    );
    // Audited as one step, with a backup of the file as it was.
    let log = std::fs::read_to_string(state.join("audit.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(log.contains("\"type\":\"topic\""), "{log}");
    let backups: Vec<String> = std::fs::read_dir(state.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        backups.iter().any(|b| b.ends_with("-topics.toml")),
        "{backups:?}"
    );
    let app = App::open(data.clone(), state.clone()).unwrap();
    let operator = Actor {
        user: 0,
        guild: None,
    };
    app.undo(None, operator, jiff::Timestamp::UNIX_EPOCH)
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(data.join("topics.toml")).unwrap(),
        before,
        "byte for byte"
    );
}

#[test]
fn a_topic_with_an_unknown_key_or_a_taken_slug_is_refused_at_its_line() {
    let (dir, data, state) = workspace();
    let before = files(&data);
    std::fs::write(
        dir.path().join("db.jsonl"),
        "{\"type\":\"topic\",\"id\":\"new-topic\",\"name\":\"New\"}\n\
         {\"type\":\"topic\",\"id\":\"other\",\"name\":\"Other\",\"alias\":[\"x\"]}\n\
         {\"type\":\"topic\",\"id\":\"new-topic\",\"name\":\"Again\"}\n\
         {\"type\":\"topic\",\"id\":\"Bad Slug\",\"name\":\"Bad\"}\n",
    )
    .unwrap();
    let output = quotebot(dir.path(), &["--data", "data", "import", "db.jsonl"]);
    assert_eq!(output.status.code(), Some(65), "{}", stderr(&output));
    let err = stderr(&output);
    for expected in [
        "db.jsonl:2: unknown key `alias` in [[topic]] (did you mean `aliases`?)",
        "db.jsonl:3: duplicate id `new-topic`: already used at db.jsonl:1",
        "db.jsonl:4: invalid id \"Bad Slug\"",
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
    assert_eq!(files(&data), before);
    assert!(!state.join("audit.jsonl").exists());
}

// ---------------------------------------------------------------------------------------------
// Near duplicates: reported and left out unless asked for.

const NEAR_DUPLICATE_ROW: &str = "\"Today, the alliance between the United States and Korea remains more essential than ever in shaping our shared future.\",antony-blinken,voa-2025-us-rok-strong\n";

#[test]
fn a_near_duplicate_is_reported_and_left_out_unless_explicitly_allowed() {
    let (dir, data, _) = workspace();
    let csv = format!(
        "text,speaker,source\nNew words nobody said before.,antony-blinken,voa-2025-us-rok-strong\n{NEAR_DUPLICATE_ROW}"
    );
    std::fs::write(dir.path().join("quotes.csv"), &csv).unwrap();
    let output = quotebot(
        dir.path(),
        &["--data", "data", "import", "quotes.csv", "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        plan,
        serde_json::json!({
            "added": ["blinken-new-words-nobody-said"],
            "changed": [],
            "unchanged": [],
            "near_duplicates": [["blinken-today-the-alliance-between", "blinken-alliance-essential"]],
            "problems": []
        })
    );
    assert!(
        stderr(&output).contains("1 added, 0 changed, 0 unchanged, 1 near duplicate left out"),
        "{}",
        stderr(&output)
    );
    let catalog = quotebot::store::load_catalog(&data).unwrap();
    assert!(catalog.quote("blinken-new-words-nobody-said").is_some());
    assert!(
        catalog
            .quote("blinken-today-the-alliance-between")
            .is_none(),
        "not silently added"
    );

    // Asked for, it is added, and still reported.
    std::fs::write(
        dir.path().join("quotes.csv"),
        format!("text,speaker,source\n{NEAR_DUPLICATE_ROW}"),
    )
    .unwrap();
    let output = quotebot(
        dir.path(),
        &[
            "--data",
            "data",
            "import",
            "quotes.csv",
            "--allow-near-duplicates",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("add\tblinken-today-the-alliance-between\n")
            && stdout(&output).contains("near duplicate\tblinken-today-the-alliance-between\t(looks like blinken-alliance-essential; added)"),
        "{}",
        stdout(&output)
    );
    let catalog = quotebot::store::load_catalog(&data).unwrap();
    assert!(
        catalog
            .quote("blinken-today-the-alliance-between")
            .is_some()
    );
}

#[test]
fn a_reference_to_a_near_duplicate_left_out_is_a_problem_at_its_line() {
    let (dir, data, state) = workspace();
    let before = files(&data);
    let jsonl = [
        r#"{"type":"quote","id":"again","text":"Today, the alliance between the United States and Korea remains more essential than ever in shaping our shared future.","speaker":"antony-blinken","source":"voa-2025-us-rok-strong"}"#,
        r#"{"type":"fact","id":"a-new-fact","text":"A figure nobody had.","source":"voa-2025-us-rok-strong","related":["again"]}"#,
    ]
    .join("\n");
    std::fs::write(dir.path().join("db.jsonl"), jsonl).unwrap();
    let output = quotebot(dir.path(), &["--data", "data", "import", "db.jsonl"]);
    assert_eq!(output.status.code(), Some(65), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("db.jsonl:2: `related` names `again`, a near duplicate of `blinken-alliance-essential` that is left out"),
        "{}",
        stderr(&output)
    );
    assert_eq!(files(&data), before);
    assert!(!state.join("audit.jsonl").exists());
    let output = quotebot(
        dir.path(),
        &[
            "--data",
            "data",
            "import",
            "db.jsonl",
            "--allow-near-duplicates",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_json_record_that_gives_a_key_twice_is_a_problem_at_its_line_not_the_last_one_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = empty_database(dir.path());
    let before = files(&data);
    std::fs::write(
        dir.path().join("dup.jsonl"),
        "{\"type\":\"speaker\",\"id\":\"a\",\"name\":\"A\"}\n{\"type\":\"speaker\",\"id\":\"b1\",\"name\":\"B\",\"id\":\"b2\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("dup.json"),
        "{\"speakers\": [\n  {\"id\": \"c\", \"name\": \"C\",\n   \"name\": \"씨\"}\n]}\n",
    )
    .unwrap();
    for (file, line) in [("dup.jsonl", "dup.jsonl:2:"), ("dup.json", "dup.json:3:")] {
        let output = quotebot(dir.path(), &["--data", "empty", "import", file]);
        assert_eq!(output.status.code(), Some(65), "{file}: {output:?}");
        let err = stderr(&output);
        assert!(err.contains(line) && err.contains("duplicate key"), "{err}");
        assert_eq!(files(&data), before, "{file}: nothing written");
    }
}

// ---------------------------------------------------------------------------------------------
// References validated as a whole, and bad provenance refused at its line.

#[test]
fn related_lists_that_go_round_in_circles_import_in_one_file_and_unknown_ids_are_problems() {
    let (dir, data, _) = workspace();
    // Across kinds in one file: a quote relates to a fact that relates back to it.
    let jsonl = [
        r#"{"type":"quote","id":"q-circle","text":"Words in a circle.","speaker":"antony-blinken","source":"voa-2025-us-rok-strong","related":["f-circle"]}"#,
        r#"{"type":"fact","id":"f-circle","text":"A figure in a circle.","source":"voa-2025-us-rok-strong","related":["q-circle","f-other"]}"#,
        r#"{"type":"fact","id":"f-other","text":"Another figure.","source":"voa-2025-us-rok-strong","related":["f-circle"]}"#,
    ]
    .join("\n");
    std::fs::write(dir.path().join("db.jsonl"), jsonl).unwrap();
    let output = quotebot(dir.path(), &["--data", "data", "import", "db.jsonl"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let catalog = quotebot::store::load_catalog(&data).unwrap();
    assert_eq!(catalog.quote("q-circle").unwrap().related, ["f-circle"]);
    assert_eq!(
        catalog.fact("f-circle").unwrap().related,
        ["q-circle", "f-other"]
    );
    // Within one CSV file, rows naming each other (and the quote just imported).
    let csv = "id,text,source,related\n\
               f-a,First of two.,voa-2025-us-rok-strong,f-b;q-circle\n\
               f-b,Second of two.,voa-2025-us-rok-strong,f-a\n";
    std::fs::write(dir.path().join("facts.csv"), csv).unwrap();
    let output = quotebot(dir.path(), &["--data", "data", "import", "facts.csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let catalog = quotebot::store::load_catalog(&data).unwrap();
    assert_eq!(catalog.fact("f-a").unwrap().related, ["f-b", "q-circle"]);
    assert_eq!(catalog.fact("f-b").unwrap().related, ["f-a"]);

    // An id that exists nowhere, in the database or the file, is a problem at its row.
    let before = files(&data);
    let csv = "id,text,source,related\n\
               f-c,Third.,voa-2025-us-rok-strong,f-d\n\
               f-d,Fourth.,voa-2025-us-rok-strong,f-nowhere;f-c\n";
    std::fs::write(dir.path().join("facts.csv"), csv).unwrap();
    let output = quotebot(dir.path(), &["--data", "data", "import", "facts.csv"]);
    assert_eq!(output.status.code(), Some(65), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("facts.csv:3: `related` refers to unknown quote or fact `f-nowhere`"),
        "{err}"
    );
    assert!(!err.contains("facts.csv:2:"), "{err}");
    assert_eq!(files(&data), before);
}

#[test]
fn bad_provenance_in_an_import_is_refused_at_its_line_and_nothing_is_written() {
    let (dir, data, state) = workspace();
    let before = files(&data);
    let jsonl = [
        r#"{"type":"speaker","id":"brief","name":"Brief Tenure","roles":[{"title":"Envoy","from":"2025-03-01","until":"2024-12-31"}]}"#,
        r#"{"type":"source","id":"ftp-copy","title":"A copy","archive_url":"ftp://example.org/copy"}"#,
        r#"{"type":"quote","id":"q-elsewhere","text":"Words.","speaker":"antony-blinken","source":"voa-2025-us-rok-strong","appearances":[{"source":"no-such-source","locator":"p. 3"}]}"#,
        r#"{"type":"topic","id":"korea","name":"Korea","alias":["ROK"]}"#,
        r#"{"type":"quote","id":"q-fine","text":"Fine words.","speaker":"antony-blinken","source":"voa-2025-us-rok-strong"}"#,
    ]
    .join("\n");
    std::fs::write(dir.path().join("db.jsonl"), jsonl).unwrap();
    let output = quotebot(dir.path(), &["--data", "data", "import", "db.jsonl"]);
    assert_eq!(output.status.code(), Some(65), "{}", stderr(&output));
    let err = stderr(&output);
    for expected in [
        "db.jsonl:1: `until` (2024-12-31) is before `from` (2025-03-01): a role cannot end before it starts",
        "db.jsonl:2: `archive_url` must be an http:// or https:// address, found \"ftp://example.org/copy\"",
        "db.jsonl:3: `source` refers to unknown source `no-such-source`",
        "db.jsonl:4: unknown key `alias` in [[topic]]",
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
    assert!(!err.contains("db.jsonl:5:"), "{err}");
    assert!(err.contains("4 problems; nothing was imported"), "{err}");
    // The same problems from CSV rows, at their lines.
    let csv =
        "id,title,archive_url\nfine,Fine,https://example.org/a\nbad,Bad,\"javascript:alert(1)\"\n";
    std::fs::write(dir.path().join("sources.csv"), csv).unwrap();
    let output = quotebot(dir.path(), &["--data", "data", "import", "sources.csv"]);
    assert_eq!(output.status.code(), Some(65), "{}", stderr(&output));
    assert!(
        stderr(&output)
            .contains("sources.csv:3: `archive_url` must be an http:// or https:// address"),
        "{}",
        stderr(&output)
    );
    let csv = "id,name,roles\nbrief,Brief,\"[{\"\"title\"\":\"\"Envoy\"\",\"\"from\"\":\"\"2025\"\",\"\"until\"\":\"\"2024-06\"\"}]\"\n";
    std::fs::write(dir.path().join("speakers.csv"), csv).unwrap();
    let output = quotebot(dir.path(), &["--data", "data", "import", "speakers.csv"]);
    assert_eq!(output.status.code(), Some(65), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("speakers.csv:2: `until` (2024-06) is before `from` (2025)"),
        "{}",
        stderr(&output)
    );
    assert_eq!(files(&data), before);
    assert!(!state.join("audit.jsonl").exists());
}

// ---------------------------------------------------------------------------------------------
// An import interrupted at any step of its writes.

#[test]
fn an_import_of_every_kind_interrupted_at_any_write_step_leaves_the_database_as_it_was() {
    use quotebot::store::WriteStep;
    use std::io;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let jsonl = "{\"type\":\"speaker\",\"id\":\"kim\",\"name\":\"김정은\"}\n\
                 {\"type\":\"source\",\"id\":\"kcna\",\"title\":\"조선중앙통신 🛰️\"}\n\
                 {\"type\":\"quote\",\"id\":\"kim-words\",\"text\":\"말씀 ‏RTL‏ and zero\u{200b}width.\",\"speaker\":\"kim\",\"source\":\"kcna\",\"topics\":[\"han-mi\"]}\n\
                 {\"type\":\"topic\",\"id\":\"han-mi\",\"name\":\"한미 동맹\"}\n";
    // speakers, sources, quotes and topics.toml (created) are written: four files.
    for step in [
        WriteStep::Serialized,
        WriteStep::TempWritten,
        WriteStep::TempSynced,
        WriteStep::Renamed,
        WriteStep::AuditAppend,
        WriteStep::AuditWritten,
    ] {
        for nth in 0..4 {
            let (dir, _, _) = workspace();
            let data = empty_database(dir.path());
            let state = dir.path().join("state");
            let before = files(&data);
            let app = App::open(data.clone(), state.clone()).unwrap();
            let snapshot = app.snapshot();
            let plan = exchange::plan(
                &snapshot.catalog,
                &snapshot.index,
                Import {
                    path: "db.jsonl",
                    text: jsonl,
                    format: Format::JsonLines,
                },
            );
            assert!(plan.problems.is_empty(), "{:?}", plan.problems);
            let seen = Arc::new(AtomicUsize::new(0));
            let counter = seen.clone();
            app.set_write_hook(move |at| {
                if at == step && counter.fetch_add(1, Ordering::SeqCst) == nth {
                    Err(io::Error::other("injected"))
                } else {
                    Ok(())
                }
            });
            let operator = Actor {
                user: 0,
                guild: None,
            };
            let result = app.apply(plan.changes, operator, jiff::Timestamp::UNIX_EPOCH);
            if seen.load(Ordering::SeqCst) <= nth {
                // The step does not happen that often: the import went through.
                assert!(result.is_ok(), "{step:?} #{nth}: {result:?}");
                continue;
            }
            assert!(result.is_err(), "{step:?} #{nth}: {result:?}");
            assert_eq!(
                files(&data),
                before,
                "{step:?} #{nth}: nothing half-written"
            );
            assert!(!data.join("topics.toml").exists(), "{step:?} #{nth}");
            let log = std::fs::read_to_string(state.join("audit.jsonl")).unwrap_or_default();
            assert_eq!(log, "", "{step:?} #{nth}: nothing audited");
            let leftovers: Vec<String> = std::fs::read_dir(&data)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".tmp-"))
                .collect();
            assert!(leftovers.is_empty(), "{step:?} #{nth}: {leftovers:?}");
            assert!(app.snapshot().catalog.speaker("kim").is_none());
            assert!(app.snapshot().catalog.topic("han-mi").is_none());
            let output = quotebot(dir.path(), &["--data", "empty", "check"]);
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            assert_eq!(stderr(&output), "", "{step:?} #{nth}: no warning");
        }
    }
}

#[test]
fn a_json_or_json_lines_file_saved_with_a_byte_order_mark_imports_as_a_csv_one_does() {
    // Windows tools (PowerShell's Out-File, Notepad's "UTF-8 with BOM") start a file with
    // U+FEFF; the CSV reader already skipped it.
    let (dir, data, _) = workspace();
    std::fs::write(
        dir.path().join("bom.jsonl"),
        "\u{feff}{\"type\":\"topic\",\"id\":\"han-mi\",\"name\":\"한미 동맹\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bom.json"),
        "\u{feff}{\"topics\": [{\"id\": \"sanctions\", \"name\": \"Sanctions 🚫\"}]}\n",
    )
    .unwrap();
    for file in ["bom.jsonl", "bom.json"] {
        let output = quotebot(dir.path(), &["--data", "data", "import", file]);
        assert_eq!(output.status.code(), Some(0), "{file}: {}", stderr(&output));
    }
    let catalog = quotebot::store::load_catalog(&data).unwrap();
    assert_eq!(catalog.topic("han-mi").unwrap().name, "한미 동맹");
    assert_eq!(catalog.topic("sanctions").unwrap().name, "Sanctions 🚫");
}

#[test]
fn a_database_whose_quotes_and_facts_name_each_other_moves_as_csv_files_imported_together() {
    let (dir, _data, _) = workspace();
    let empty = empty_database(dir.path());
    // The seed's quotes name facts and its facts name quotes: neither CSV can go first alone.
    let mut names = Vec::new();
    for kind in ["speakers", "sources", "quotes", "facts", "topics"] {
        let csv = export(dir.path(), "data", &["--format", "csv", "--kind", kind]);
        let name = format!("{kind}.csv");
        std::fs::write(dir.path().join(&name), csv).unwrap();
        names.push(name);
    }
    let alone = quotebot(dir.path(), &["--data", "empty", "import", "quotes.csv"]);
    assert_eq!(alone.status.code(), Some(65), "{}", stderr(&alone));
    assert!(stderr(&alone).contains("quotes.csv:"), "{}", stderr(&alone));

    let mut args = vec!["--data", "empty", "import"];
    args.extend(names.iter().map(String::as_str));
    let output = quotebot(dir.path(), &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for kind in ["speakers", "sources", "quotes", "facts", "topics"] {
        assert_eq!(
            export(dir.path(), "empty", &["--format", "csv", "--kind", kind]),
            export(dir.path(), "data", &["--format", "csv", "--kind", kind]),
            "{kind}"
        );
    }
    assert!(empty.join("topics.toml").exists());

    // Problems name the file they are in, and an id given in two files names both places.
    let before = files(&empty);
    std::fs::write(
        dir.path().join("more-facts.csv"),
        "id,text,source,related\nf-new,A new figure.,voa-2025-us-rok-strong,q-nowhere\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("more.jsonl"),
        r#"{"type":"fact","id":"f-new","text":"The same id again.","source":"voa-2025-us-rok-strong"}"#,
    )
    .unwrap();
    let output = quotebot(
        dir.path(),
        &["--data", "empty", "import", "more-facts.csv", "more.jsonl"],
    );
    assert_eq!(output.status.code(), Some(65), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("more-facts.csv:2: `related` refers to unknown quote or fact `q-nowhere`"),
        "{err}"
    );
    assert!(
        err.contains("more.jsonl:1: duplicate id `f-new`: already used at more-facts.csv:2"),
        "{err}"
    );
    assert_eq!(files(&empty), before);
}

#[test]
fn synonym_groups_go_out_and_come_back_in_every_format() {
    let (dir, _, _) = workspace();
    let dir = dir.path();
    let csv = export(dir, "data", &["--format", "csv", "--kind", "synonyms"]);
    assert!(csv.starts_with("id,words\n"), "{csv}");
    assert!(csv.contains("\nlinchpin,linchpin;lynchpin;"), "{csv}");
    for format in ["json", "jsonl", "csv"] {
        let empty = empty_database(dir);
        let args: &[&str] = if format == "csv" {
            &["--format", "csv", "--kind", "synonyms"]
        } else {
            &["--format", format]
        };
        let out = export(dir, "data", args);
        let file = dir.join(format!("db.{format}"));
        std::fs::write(&file, &out).unwrap();
        let output = quotebot(
            dir,
            &[
                "--data",
                "empty",
                "import",
                file.to_str().unwrap(),
                "--json",
            ],
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {}",
            stderr(&output)
        );
        let back = std::fs::read_to_string(empty.join("synonyms.toml")).unwrap();
        let original = std::fs::read_to_string(dir.join("data/synonyms.toml")).unwrap();
        let groups = |text: &str| text.matches("[[synonym]]").count();
        assert_eq!(groups(&back), groups(&original), "{format}");
        assert!(
            back.contains("id = \"linchpin\"\nwords = [\"linchpin\", \"lynchpin\""),
            "{format}: {back}"
        );
        std::fs::remove_dir_all(&empty).unwrap();
    }
}
