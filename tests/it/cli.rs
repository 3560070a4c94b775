//! The binary as operators and scripts call it: exit codes, text and JSON output.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{FACTS, QUOTES, SOURCES, SPEAKERS, repo_data};

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

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary data directory with the minimal valid files, one of them replaced.
fn data_dir(replace: Option<(&str, &str)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("speakers.toml", SPEAKERS),
        ("sources.toml", SOURCES),
        ("quotes.toml", QUOTES),
        ("facts.toml", FACTS),
    ] {
        let text = match replace {
            Some((n, t)) if n == name => t,
            _ => text,
        };
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn check_passes_on_the_bundled_data() {
    let output = quotebot(repo(), &["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("8 quotes, 5 facts, 18 topics, 65 synonym groups in"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn check_reports_bad_data_with_file_line_and_column_and_exits_65() {
    let dir = data_dir(Some((
        "quotes.toml",
        "[[quote]]\nid = \"q\"\ntext = \"x\"\nspeaker = \"ghost\"\nsource = \"src\"\nwhen = 1\n",
    )));
    let output = quotebot(dir.path(), &["check", "--data", "."]);
    assert_eq!(output.status.code(), Some(65));
    let err = stderr(&output);
    assert!(
        err.contains("quotes.toml:4:11: `speaker` refers to unknown speaker `ghost`"),
        "{err}"
    );
    assert!(err.contains("quotes.toml:6:1: unknown key `when`"), "{err}");
}

#[test]
fn a_missing_data_file_is_bad_data() {
    let dir = data_dir(None);
    std::fs::remove_file(dir.path().join("facts.toml")).unwrap();
    let output = quotebot(dir.path(), &["check", "--data", "."]);
    assert_eq!(output.status.code(), Some(65));
    assert!(stderr(&output).contains("facts.toml:1:1: cannot read file"));
}

#[test]
fn bad_config_exits_78_with_every_problem() {
    let dir = data_dir(None);
    std::fs::write(
        dir.path().join("bad.toml"),
        "data_dir = \".\"\n[discord]\ntoken = \"abc\"\nregister = \"sometimes\"\n",
    )
    .unwrap();
    let output = quotebot(dir.path(), &["--config", "bad.toml", "check"]);
    assert_eq!(output.status.code(), Some(78));
    let err = stderr(&output);
    assert!(err.contains("bad.toml:3:1: unknown key `token`"), "{err}");
    assert!(err.contains("bad.toml:4:12: `register` must be"), "{err}");
    // A config file named explicitly must exist.
    let output = quotebot(dir.path(), &["--config", "missing.toml", "check"]);
    assert_eq!(output.status.code(), Some(78));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(quotebot(repo(), &["search"]).status.code(), Some(2));
    assert_eq!(quotebot(repo(), &["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        quotebot(repo(), &["search", "--limit", "0", "x"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn search_prints_the_full_answer_as_text() {
    let output = quotebot(
        repo(),
        &["search", "--limit", "1", "linchpin", "of", "pease"],
    );
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    for expected in [
        "[Paraphrase, not a verbatim quote]",
        "For seven decades, the U.S.-South Korea alliance has been the linchpin",
        "Antony Blinken, U.S. Secretary of State, 6 January 2025",
        "Source: U.S. Relations With South Korea Remain Strong (VOA Editorials, January 2025)",
        "https://editorials.voa.gov/a/u-s-relations-with-south-korea-remain-strong/7927513.html",
        "7 decades: The U.S.-South Korea alliance has stood for seven decades.",
        "id: blinken-alliance-linchpin",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // A verbatim quote is shown in quotation marks, with its related figure.
    let text = stdout(&quotebot(
        repo(),
        &["search", "--limit", "1", "blinkin satellite"],
    ));
    assert!(text.starts_with("“The DPRK is already receiving"), "{text}");
    assert!(text.contains("1,000+ casualties"), "{text}");
}

#[test]
fn a_word_only_the_synonym_list_knows_is_answered_on_the_bundled_data() {
    // "pact" is in no record; data/synonyms.toml groups it with "alliance". As `/quote` sends
    // a query: no space after the word.
    let output = quotebot(repo(), &["search", "--json", "--limit", "1", "pact"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["confident"], true, "{value}");
    let id = value["results"][0]["id"].as_str().unwrap();
    assert!(id.contains("alliance"), "{value}");
}

#[test]
fn search_json_has_the_contract_shape() {
    let output = quotebot(
        repo(),
        &[
            "search",
            "--json",
            "--limit",
            "2",
            "nucelar consultative gruop",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(value["query"], "nucelar consultative gruop");
    assert!(value["took_us"].is_u64());
    let results = value["results"].as_array().unwrap();
    assert!(!results.is_empty() && results.len() <= 2);
    assert_eq!(results[0]["id"], "blinken-alliance-essential");
    assert_eq!(results[0]["kind"], "quote");
    let scores: Vec<f64> = results
        .iter()
        .map(|r| r["score"].as_f64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
}

#[test]
fn search_filters_take_a_speaker_by_name_or_misspelled_alias_and_a_topic_as_written() {
    let ids = |args: &[&str]| -> Vec<String> {
        let output = quotebot(repo(), args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
        value["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let by_id = ids(&[
        "search",
        "--json",
        "--speaker",
        "antony-blinken",
        "alliance",
    ]);
    assert!(!by_id.is_empty());
    for speaker in ["Antony Blinken", "secretary blinkin"] {
        assert_eq!(
            ids(&["search", "--json", "--speaker", speaker, "alliance"]),
            by_id,
            "{speaker}"
        );
    }
    assert_eq!(
        ids(&[
            "search",
            "--json",
            "--topic",
            "Extended deterrence",
            "alliance"
        ]),
        ids(&[
            "search",
            "--json",
            "--topic",
            "extended-deterrence",
            "alliance"
        ]),
    );
    let output = quotebot(
        repo(),
        &["search", "--speaker", "zebra giraffe", "alliance"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no speaker matches “zebra giraffe”"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn search_batch_answers_every_line_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("queries.txt");
    std::fs::write(&batch, "extended deter\n\nsecond largest investor\n").unwrap();
    let output = quotebot(
        repo(),
        &["search", "--batch", batch.to_str().unwrap(), "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["query"], "extended deter");
    assert_eq!(lines[0]["results"][0]["id"], "blinken-alliance-essential");
    assert_eq!(lines[1]["results"].as_array().unwrap().len(), 0);
    assert_eq!(
        lines[2]["results"][0]["id"],
        "us-second-largest-investor-in-rok"
    );
    assert!(lines.iter().all(|l| l["took_us"].is_u64()));
}

#[test]
fn suggest_json_lists_at_most_25_named_ids() {
    let output = quotebot(repo(), &["suggest", "--json", "satellite tech"]);
    assert_eq!(output.status.code(), Some(0));
    let choices: Vec<serde_json::Value> = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert!(!choices.is_empty() && choices.len() <= 25);
    assert_eq!(choices[0]["value"], "blinken-russia-space-technology");
    for choice in &choices {
        let name = choice["name"].as_str().unwrap();
        assert!((1..=100).contains(&name.chars().count()), "{name}");
    }
}

#[test]
fn data_flag_overrides_the_config() {
    let dir = data_dir(None);
    let output = quotebot(repo(), &["--data", dir.path().to_str().unwrap(), "check"]);
    assert!(
        stdout(&output).contains("1 quotes, 1 facts"),
        "{}",
        stdout(&output)
    );
    let _ = repo_data();
}

#[test]
fn fotd_shows_the_fact_a_channel_would_get_and_rotates_day_by_day() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let data = repo().join("data");
    std::fs::write(
        &config,
        format!("data_dir = {data:?}\nstate_dir = \"state\"\n[[fact_of_the_day]]\nchannel = 4242\ntime = \"09:00\"\ntimezone = \"Asia/Seoul\"\n"),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    // Days well in the future whenever the test runs, so the plan runs from today through them.
    let today: jiff::civil::Date = jiff::Timestamp::now().to_string()[..10].parse().unwrap();
    let first = today + jiff::Span::new().years(5);
    let mut ids = Vec::new();
    for day in 0..10 {
        let date = (first + jiff::Span::new().days(day)).to_string();
        let output = quotebot(
            dir.path(),
            &[
                "--config",
                config,
                "fotd",
                "--date",
                &date,
                "--channel",
                "4242",
            ],
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let text = stdout(&output);
        assert!(
            text.starts_with(&format!("channel 4242, {date} at 09:00 Asia/Seoul:")),
            "{text}"
        );
        let id = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("id: "))
            .unwrap()
            .to_string();
        ids.push(id);
    }
    assert!(
        ids.windows(2).all(|w| w[0] != w[1]),
        "never the same fact two days running: {ids:?}"
    );
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "ten days cover the five facts: {ids:?}");
    // A past date with no recorded post has no answer.
    let output = quotebot(
        dir.path(),
        &["--config", config, "fotd", "--date", "2020-01-01"],
    );
    assert!(
        stdout(&output).contains("in the past"),
        "{}",
        stdout(&output)
    );
    let output = quotebot(
        dir.path(),
        &["--config", config, "fotd", "--date", "2025-02-30"],
    );
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn fotd_answers_for_a_date_fifty_years_ahead() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let data = repo().join("data");
    std::fs::write(
        &config,
        format!("data_dir = {data:?}\nstate_dir = \"state\"\n[[fact_of_the_day]]\nchannel = 4242\ntime = \"09:00\"\ntimezone = \"Asia/Seoul\"\n"),
    )
    .unwrap();
    let far = format!(
        "{}-06-15",
        jiff::Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .year()
            + 50
    );
    let output = quotebot(
        dir.path(),
        &["--config", config.to_str().unwrap(), "fotd", "--date", &far],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with(&format!("channel 4242, {far} at 09:00 Asia/Seoul:")),
        "{text}"
    );
    assert!(text.contains("id: "), "{text}");
}

#[test]
fn fotd_with_a_damaged_ledger_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let data = repo().join("data");
    std::fs::write(
        &config,
        format!("data_dir = {data:?}\nstate_dir = \"state\"\n[[fact_of_the_day]]\nchannel = 4242\ntime = \"09:00\"\ntimezone = \"Asia/Seoul\"\n"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("state")).unwrap();
    std::fs::write(dir.path().join("state/fotd-ledger.json"), "{\"4242\": ").unwrap();
    let output = quotebot(dir.path(), &["--config", config.to_str().unwrap(), "fotd"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("fotd-ledger.json: is not valid"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_warns_when_the_data_lacks_records_the_audit_log_says_were_added() {
    use quotebot::app::{Actor, App};
    use quotebot::core::edit::{Change, Record};
    use quotebot::core::model::{Quote, QuoteKind};
    let (dir, data, state) = crate::support::workspace();
    let pristine = std::fs::read(data.join("quotes.toml")).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "data_dir = \"data\"\nstate_dir = \"state\"\n").unwrap();
    let config = config.to_str().unwrap();

    let app = App::open(data.clone(), state.clone()).unwrap();
    let quote = Quote {
        id: "added-by-a-moderator".into(),
        text: "Words a moderator added.".into(),
        speaker: "antony-blinken".into(),
        source: "voa-2025-us-rok-strong".into(),
        kind: QuoteKind::Verbatim,
        date: None,
        context: None,
        topics: vec![],
        related: vec![],
        provenance: Default::default(),
    };
    let actor = Actor {
        user: 1,
        guild: None,
    };
    app.apply(
        vec![Change::add(Record::Quote(quote))],
        actor,
        "2026-12-01T00:00:00Z".parse().unwrap(),
    )
    .unwrap();
    drop(app);
    let output = quotebot(dir.path(), &["--config", config, "check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));

    // The data directory is replaced by the bundled data (a lost volume): valid, but the
    // audit log describes a record it does not hold.
    std::fs::write(data.join("quotes.toml"), pristine).unwrap();
    let output = quotebot(dir.path(), &["--config", config, "check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let warning = stderr(&output);
    assert!(warning.starts_with("warning: "), "{warning}");
    assert!(
        warning.contains("change 1, `added-by-a-moderator`"),
        "{warning}"
    );
    assert!(warning.contains("backups"), "{warning}");
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("queries.txt");
    std::fs::write(&batch, "alliance linchpin\n".repeat(3000)).unwrap();
    let data = repo().join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_quotebot"))
        .current_dir(dir.path())
        .args([
            "--data",
            data.to_str().unwrap(),
            "search",
            "--json",
            "--batch",
        ])
        .arg(&batch)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -1`: read one line, then close the pipe while far more is still coming.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    assert!(first.contains("\"query\":\"alliance linchpin\""), "{first}");
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}

#[test]
fn fotd_takes_only_a_full_yyyy_mm_dd_date() {
    let dir = tempfile::tempdir().unwrap();
    let data = repo().join("data");
    for bad in [
        "20260101",
        "2026-1-01",
        "2026-01",
        "2026-02-30",
        "0000-01-01",
        "+2026-01-01",
    ] {
        let output = quotebot(
            dir.path(),
            &[
                "--data",
                data.to_str().unwrap(),
                "fotd",
                "--date",
                bad,
                "--channel",
                "1",
            ],
        );
        assert_eq!(output.status.code(), Some(2), "{bad}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("--date must be YYYY-MM-DD"),
            "{bad}"
        );
    }
    let output = quotebot(
        dir.path(),
        &[
            "--data",
            data.to_str().unwrap(),
            "fotd",
            "--date",
            "2030-06-15",
            "--channel",
            "1",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_secret_pasted_into_api_base_is_not_echoed_by_check() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let secret = "MTIzNDU2Nzg5.pasted-bot-token.value";
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\n[discord]\napi_base = \"{secret}\"\n",
            repo().join("data")
        ),
    )
    .unwrap();
    let output = quotebot(dir.path(), &["--config", config.to_str().unwrap(), "check"]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("config.toml:3:"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("`api_base` must be"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains(secret), "{}", stderr(&output));
}

/// A database whose records say nothing of Korea in their words, filed under topics that
/// topics.toml names; with and without the file.
fn topic_alias_data(with_topics: bool) -> tempfile::TempDir {
    let quotes = "[[quote]]\nid = \"alliance-words\"\ntext = \"Our partnership has never been stronger.\"\nspeaker = \"s\"\nsource = \"src\"\ntopics = [\"us-rok-alliance\"]\n\n[[quote]]\nid = \"northern-words\"\ntext = \"Their missile tests must stop.\"\nspeaker = \"s\"\nsource = \"src\"\ntopics = [\"north-korea\"]\n";
    let dir = data_dir(Some(("quotes.toml", quotes)));
    if with_topics {
        let topics = "[[topic]]\nid = \"north-korea\"\nname = \"North Korea\"\naliases = [\"DPRK\"]\n\n[[topic]]\nid = \"us-rok-alliance\"\nname = \"U.S.-South Korea alliance\"\naliases = [\"ROK\", \"Republic of Korea\"]\n";
        std::fs::write(dir.path().join("topics.toml"), topics).unwrap();
    }
    dir
}

#[test]
fn search_expands_a_topic_alias_from_topics_toml_to_what_is_filed_under_it() {
    let ids = |dir: &Path, query: &str| -> Vec<String> {
        let output = quotebot(dir, &["search", "--data", ".", "--json", query]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let with = topic_alias_data(true);
    assert_eq!(ids(with.path(), "DPRK"), ["northern-words"]);
    assert_eq!(ids(with.path(), "ROK"), ["alliance-words"]);
    assert_eq!(ids(with.path(), "Republic of Korea")[0], "alliance-words");
    // The expansion is the data's: without topics.toml the alias means nothing.
    let without = topic_alias_data(false);
    // (ROK is in the slug `us-rok-alliance` itself; DPRK only in topics.toml.)
    let found = ids(without.path(), "DPRK");
    assert!(!found.contains(&"northern-words".to_string()), "{found:?}");
    // A topic filter takes an alias too, and the card shows the topic's name.
    let output = quotebot(
        with.path(),
        &["search", "--data", ".", "--topic", "DPRK", "missile"],
    );
    let text = stdout(&output);
    assert!(text.contains("id: northern-words"), "{text}");
    assert!(text.contains("Topics: North Korea"), "{text}");
}

#[test]
fn the_bundled_seed_finds_korea_by_the_names_the_article_uses() {
    let ids = |query: &str| -> Vec<String> {
        let output = quotebot(repo(), &["search", "--json", "--limit", "10", query]);
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let rok = ids("ROK");
    // Filed under the alliance, the words say "United States and South Korea", not "ROK".
    assert!(
        rok.contains(&"blinken-optimistic-future".to_string()),
        "{rok:?}"
    );
    let dprk = ids("DPRK");
    assert!(
        dprk.contains(&"blinken-warns-dprk-russia-cooperation".to_string()),
        "{dprk:?}"
    );
    // The seed's locators show on its cards.
    let text = stdout(&quotebot(
        repo(),
        &["search", "--limit", "1", "linchpin", "of", "peace"],
    ));
    assert!(text.contains("Where: para. 1"), "{text}");
}

#[test]
fn search_shows_translations_only_when_asked() {
    let quotes = "[[quote]]\nid = \"q\"\ntext = \"The alliance is ironclad.\"\nspeaker = \"s\"\nsource = \"src\"\ntranslations = [{ language = \"ko\", text = \"동맹은 철통같습니다.\", source = \"src\" }]\n";
    let dir = data_dir(Some(("quotes.toml", quotes)));
    let plain = stdout(&quotebot(
        dir.path(),
        &["search", "--data", ".", "ironclad"],
    ));
    assert!(!plain.contains("철통같습니다"), "{plain}");
    let asked = stdout(&quotebot(
        dir.path(),
        &["search", "--data", ".", "--translations", "ironclad"],
    ));
    assert!(asked.contains("[ko] 동맹은 철통같습니다."), "{asked}");
    // Translations are searchable in their own words.
    let found = stdout(&quotebot(
        dir.path(),
        &["search", "--data", ".", "--json", "철통같습니다"],
    ));
    assert!(found.contains("\"id\":\"q\""), "{found}");
}
