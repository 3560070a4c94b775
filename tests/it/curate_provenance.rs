//! `/curate provenance` end to end through the fake Discord: a speaker's roles, a source's
//! archived copy and a quote's locator edited through their forms change exactly those keys on
//! disk, show on the card, and one undo each puts the files back byte for byte; bad input is
//! answered privately with what to fix, and nothing is written.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use quotebot::app::App;
use quotebot::config::TimeBudgets;

use crate::curate::{Running, followup, start_bot, stop};
use crate::fake_discord::{self as fake, FakeDiscord, USER_ID};
use crate::support::workspace;

async fn start(fake: &FakeDiscord, data: &Path, state: &Path) -> Running {
    let app = Arc::new(App::open(data.to_path_buf(), state.to_path_buf()).unwrap());
    start_bot(
        fake,
        data,
        state,
        app,
        TimeBudgets::default(),
        None,
        &[USER_ID],
    )
    .await
}

/// Every file of the data directory, by name.
fn files(data: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(data)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(entry.path()).unwrap(),
            )
        })
        .collect()
}

/// The lines of `after` that are not in `before` and the lines of `before` not in `after`,
/// with everything else required to be the same lines in the same order.
fn changed_lines(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let common_start = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let common_end = old[common_start..]
        .iter()
        .rev()
        .zip(new[common_start..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let removed = old[common_start..old.len() - common_end]
        .iter()
        .map(|l| l.to_string())
        .collect();
    let added = new[common_start..new.len() - common_end]
        .iter()
        .map(|l| l.to_string())
        .collect();
    (added, removed)
}

/// Opens `/curate provenance id:{id}` and returns the form: its custom id and the filled
/// values of its text inputs, by input id.
async fn open_form(fake: &FakeDiscord, id: &str) -> (String, BTreeMap<String, String>) {
    let body = fake
        .interact(fake::subcommand(
            "curate",
            "provenance",
            &[("id", id)],
            USER_ID,
        ))
        .await;
    assert_eq!(body["type"], 9, "a form opens for {id}: {body}");
    let inputs = body["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let input = &row["components"][0];
            (
                input["custom_id"].as_str().unwrap().to_string(),
                input["value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (
        body["data"]["custom_id"].as_str().unwrap().to_string(),
        inputs,
    )
}

/// Submits a form with its filled values, `changes` typed over them; the private answer.
async fn submit(
    fake: &FakeDiscord,
    (custom_id, filled): &(String, BTreeMap<String, String>),
    changes: &[(&str, &str)],
) -> String {
    let mut values = filled.clone();
    for (input, value) in changes {
        assert!(values.contains_key(*input), "the form has a {input} field");
        values.insert(input.to_string(), value.to_string());
    }
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let interaction = fake::modal_submit(custom_id, &pairs, USER_ID);
    let body = fake.interact(interaction.clone()).await;
    assert_eq!(body["type"], 5, "deferred first: {body}");
    assert_eq!(body["data"]["flags"], 64, "privately: {body}");
    followup(fake, &interaction).await
}

/// The embed `/quote` answers `query` with, as JSON text.
async fn quote_card(fake: &FakeDiscord, query: &str) -> String {
    let body = fake
        .interact(fake::slash_command("quote", &[("query", query)]))
        .await;
    body["data"]["embeds"][0].to_string()
}

const ROLE: &str = "Secretary of State of the United States | 2021-01-26 | 2025-01-20";
const ARCHIVE: &str =
    "https://web.archive.org/web/20250108/https://editorials.voa.gov/a/7927513.html";
const LOCATOR: &str = "para. 8, 2nd sentence – 둘째 문장";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provenance_forms_edit_roles_archive_copy_and_locator_exactly_and_undo_restores_the_files()
{
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let original = files(&data);

    // The speaker's roles: one a line, read back exactly as typed.
    let form = open_form(&fake, "antony-blinken").await;
    assert_eq!(
        form.1.keys().collect::<Vec<_>>(),
        ["roles", "wikidata"],
        "{form:?}"
    );
    assert_eq!(form.1["roles"], "", "no roles yet");
    let answer = submit(&fake, &form, &[("roles", ROLE)]).await;
    assert_eq!(answer, "Edited `antony-blinken` (change 1).");
    let after_roles = files(&data);
    let (added, removed) = changed_lines(&original["speakers.toml"], &after_roles["speakers.toml"]);
    assert_eq!(
        (added, removed),
        (
            vec![
                "roles = [{ title = \"Secretary of State of the United States\", from = \"2021-01-26\", until = \"2025-01-20\" }]"
                    .to_string()
            ],
            vec![]
        )
    );
    for name in original.keys().filter(|n| *n != "speakers.toml") {
        assert_eq!(original[name], after_roles[name], "{name} untouched");
    }
    // Opened again, the form shows the roles as they were typed.
    let form = open_form(&fake, "antony-blinken").await;
    assert_eq!(form.1["roles"], ROLE);

    // The source's archived copy.
    let form = open_form(&fake, "voa-2025-us-rok-strong").await;
    assert_eq!(
        form.1.keys().collect::<Vec<_>>(),
        ["accessed", "archive_url", "language"]
    );
    assert_eq!(form.1["language"], "en", "filled with what the file holds");
    let answer = submit(&fake, &form, &[("archive_url", ARCHIVE)]).await;
    assert_eq!(answer, "Edited `voa-2025-us-rok-strong` (change 2).");
    let after_archive = files(&data);
    let (added, removed) =
        changed_lines(&after_roles["sources.toml"], &after_archive["sources.toml"]);
    assert_eq!(
        (added, removed),
        (vec![format!("archive_url = \"{ARCHIVE}\"")], vec![])
    );

    // The quote's locator, in Korean as well.
    let form = open_form(&fake, "blinken-optimistic-future").await;
    assert_eq!(
        form.1.keys().collect::<Vec<_>>(),
        ["evidence", "language", "locator", "status", "status_note"]
    );
    assert_eq!(form.1["locator"], "para. 8");
    assert_eq!(form.1["status"], "sourced");
    let answer = submit(&fake, &form, &[("locator", LOCATOR)]).await;
    assert_eq!(answer, "Edited `blinken-optimistic-future` (change 3).");
    let after_locator = files(&data);
    let (added, removed) =
        changed_lines(&after_archive["quotes.toml"], &after_locator["quotes.toml"]);
    assert_eq!(
        (added, removed),
        (
            vec![format!("locator = \"{LOCATOR}\"")],
            vec!["locator = \"para. 8\"".to_string()]
        )
    );
    for name in original.keys().filter(|n| *n != "quotes.toml") {
        assert_eq!(after_archive[name], after_locator[name], "{name} untouched");
    }

    // The card shows all three.
    let card = quote_card(&fake, "strongly optimistic future of our own making").await;
    assert!(
        card.contains("Antony Blinken, Secretary of State of the United States"),
        "the role held on 2025-01-06: {card}"
    );
    assert!(card.contains(LOCATOR), "{card}");
    assert!(
        card.contains(&format!("[Archived copy]({ARCHIVE})")),
        "{card}"
    );

    // A form left as it was filled saves nothing.
    let form = open_form(&fake, "blinken-optimistic-future").await;
    let answer = submit(&fake, &form, &[]).await;
    assert_eq!(answer, "Nothing was saved: the form was left as it was.");
    assert_eq!(files(&data), after_locator);

    // Undone one change at a time, the files are as they were, byte for byte.
    for (change, restored) in [(3, &after_archive), (2, &after_roles), (1, &original)] {
        let undo = fake::subcommand("curate", "undo", &[], USER_ID);
        let mut undo = undo;
        undo["data"]["options"][0]["options"] =
            serde_json::json!([{"name": "change", "type": 4, "value": change}]);
        fake.interact(undo.clone()).await;
        let answer = followup(&fake, &undo).await;
        assert!(
            answer.starts_with(&format!("Undid change {change}:")),
            "{answer}"
        );
        assert_eq!(&files(&data), restored, "after undoing change {change}");
    }
    let card = quote_card(&fake, "strongly optimistic future of our own making").await;
    assert!(
        card.contains("Antony Blinken, U.S. Secretary of State"),
        "{card}"
    );
    assert!(!card.contains("Archived copy"), "{card}");
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_provenance_input_is_answered_privately_with_what_to_fix_and_nothing_is_written() {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let original = files(&data);
    let long_locator = "x".repeat(5000);
    // (record, field, typed, the answer's start)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "antony-blinken",
            "roles",
            "Senator | 2013 | 2021-01-20\nSecretary of State | 2025-01-20 | 2021-01-26",
            "Nothing was saved. Roles: line 2 (“Secretary of State | 2025-01-20 | 2021-01-26”): ends (2021-01-26) before it starts (2025-01-20)",
        ),
        (
            "antony-blinken",
            "roles",
            "국무장관 | 2021년 1월",
            "Nothing was saved. Roles: line 1 (“국무장관 | 2021년 1월”): the start date:",
        ),
        (
            "antony-blinken",
            "roles",
            "Secretary of State",
            "Nothing was saved. Roles: line 1 (“Secretary of State”): has no start date",
        ),
        (
            "antony-blinken",
            "wikidata",
            "🙂",
            "Nothing was saved. Wikidata: “🙂” is not a Wikidata item id",
        ),
        (
            "voa-2025-us-rok-strong",
            "archive_url",
            "ftp://web.archive.org/copy",
            "Nothing was saved. Archive URL: “ftp://web.archive.org/copy” is not an http:// or https:// address",
        ),
        (
            "voa-2025-us-rok-strong",
            "archive_url",
            "\u{200F}https://example.org/\u{200F}",
            "Nothing was saved. Archive URL: ",
        ),
        (
            "voa-2025-us-rok-strong",
            "language",
            "한국어",
            "Nothing was saved. Language: “한국어” is not a BCP 47 language tag",
        ),
        (
            "voa-2025-us-rok-strong",
            "accessed",
            "٢٠٢٥-٠١-٠٨",
            "Nothing was saved. Accessed: ",
        ),
        (
            "blinken-optimistic-future",
            "locator",
            &long_locator,
            "Nothing was saved. Locator: is longer than 200 characters",
        ),
        (
            "blinken-optimistic-future",
            "locator",
            "\u{200B}\u{200D}",
            "Nothing was saved. Locator: is required, and what was typed shows nothing",
        ),
        (
            "blinken-optimistic-future",
            "status",
            "disputed",
            "Nothing was saved. Status note: is required when the status is disputed",
        ),
        (
            "blinken-optimistic-future",
            "evidence",
            "antony-blinken",
            "Nothing was saved. Evidence: `antony-blinken` is a speaker, not a source",
        ),
    ];
    for (record, input, typed, wanted) in cases {
        let form = open_form(&fake, record).await;
        let answer = submit(&fake, &form, &[(input, typed)]).await;
        assert!(
            answer.starts_with(wanted),
            "{record} {input} = {typed:?}: {answer}"
        );
        assert!(!answer.contains('\n'), "one line: {answer}");
        assert_eq!(files(&data), original, "{record} {input} = {typed:?}");
    }
    assert!(
        !state.join("audit.jsonl").exists()
            || std::fs::read_to_string(state.join("audit.jsonl"))
                .unwrap()
                .is_empty(),
        "nothing audited"
    );

    // A record that does not exist, and someone who is not a moderator, get no form.
    let body = fake
        .interact(fake::subcommand(
            "curate",
            "provenance",
            &[("id", "no-such-record")],
            USER_ID,
        ))
        .await;
    assert_eq!(body["type"], 4, "{body}");
    assert_eq!(body["data"]["flags"], 64);
    assert_eq!(
        body["data"]["content"],
        "There is no speaker, source, quote or fact `no-such-record`."
    );
    let body = fake
        .interact(fake::subcommand(
            "curate",
            "provenance",
            &[("id", "antony-blinken")],
            fake::OTHER_USER_ID,
        ))
        .await;
    assert_eq!(body["type"], 4, "{body}");
    assert_eq!(
        body["data"]["content"],
        "Only moderators can change the database."
    );
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provenance_record_option_offers_speakers_sources_and_entries_by_name() {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let offered = |typed: &str| {
        let mut interaction = fake::subcommand("curate", "provenance", &[("id", typed)], USER_ID);
        interaction["type"] = 4.into();
        interaction["data"]["options"][0]["options"][0]["focused"] = true.into();
        interaction
    };
    let choices = |body: Value| -> Vec<(String, String)> {
        body["data"]["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_string(),
                    c["value"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let found = choices(fake.interact(offered("blinkin")).await);
    assert_eq!(
        found.first(),
        Some(&(
            "Speaker: Antony Blinken (U.S. Secretary of State)".to_string(),
            "antony-blinken".to_string()
        )),
        "{found:?}"
    );
    let found = choices(fake.interact(offered("relations with south korea")).await);
    assert!(
        found
            .iter()
            .any(|(name, value)| name.starts_with("Source: ") && value == "voa-2025-us-rok-strong"),
        "{found:?}"
    );
    let found = choices(fake.interact(offered("strongly optimistic")).await);
    assert!(
        found
            .iter()
            .any(|(_, value)| value == "blinken-optimistic-future"),
        "{found:?}"
    );
    assert!(found.len() <= 25);
    stop(running).await;
}
