//! `/curate export` and `/curate import` end to end through the fake Discord: the export as a
//! private attachment, an import's preview and its Confirm button (only for the moderator who
//! started it), problems shown with nothing written, an oversized attachment never downloaded.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use quotebot::app::App;
use quotebot::config::TimeBudgets;

use crate::curate::{Running, start_bot, stop};
use crate::fake_discord::{self as fake, FakeDiscord, OTHER_USER_ID, USER_ID};
use crate::support::workspace;

/// The bot, with two moderators: `USER_ID` and `OTHER_USER_ID`.
async fn start(fake: &FakeDiscord, data: &Path, state: &Path) -> Running {
    let app = Arc::new(App::open(data.to_path_buf(), state.to_path_buf()).unwrap());
    let moderators = [USER_ID, OTHER_USER_ID];
    start_bot(
        fake,
        data,
        state,
        app,
        TimeBudgets::default(),
        None,
        &moderators,
    )
    .await
}

/// The deferred answer to an interaction: its original response edited, or a follow-up.
async fn answer(fake: &FakeDiscord, interaction: &Value) -> fake::Recorded {
    let token = interaction["token"].as_str().unwrap().to_string();
    fake.wait_for("the answer", |r| {
        (r.method == "PATCH" || r.method == "POST")
            && r.path.contains("/webhooks/")
            && r.path.contains(&token)
    })
    .await
}

fn files(data: &Path) -> Vec<String> {
    quotebot::store::read_data(data).unwrap().texts.to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_answers_privately_with_the_file_attached() {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let mut command = fake::subcommand("curate", "export", &[("kind", "facts")], USER_ID);
    // A choice is sent as its index: csv is the third.
    command["data"]["options"][0]["options"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "format", "type": 4, "value": 2}));
    let body = fake.interact(command.clone()).await;
    assert_eq!(body["type"], 5, "deferred: {body}");
    assert_eq!(body["data"]["flags"], 64, "privately");
    let upload = answer(&fake, &command).await;
    let raw = String::from_utf8_lossy(&upload.raw).to_string();
    assert!(raw.contains("filename=\"facts.csv\""), "{raw}");
    assert!(
        raw.contains("text/csv\r\n\r\nid,text,source,as_of,topics,figure,related,"),
        "{raw}"
    );
    assert!(raw.contains("rok-investment-140bn,"), "{raw}");
    assert!(raw.contains("\"allowed_mentions\":{\"parse\":[],"), "{raw}");

    // Someone who is not a moderator gets nothing.
    let mut refused = fake::subcommand("curate", "export", &[], USER_ID);
    refused["member"]["user"]["id"] = "42".into();
    let body = fake.interact(refused).await;
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Only moderators"),
        "{body}"
    );
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_previews_then_only_its_moderator_can_confirm_and_it_is_one_change() {
    let (_dir, data, state) = workspace();
    let before = files(&data);
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let csv = "text,speaker,source\n\
               A quote from the import.,Antony Blinken,voa-2025-us-rok-strong\n\
               Another from a new voice.,Cho Tae-yul,\"Press | https://example.org/p\"\n\
               \"Today, the alliance between the United States and Korea remains more essential than ever in shaping our shared future.\",antony-blinken,voa-2025-us-rok-strong\n";
    let url = fake.serve_file("quotes.csv", csv.as_bytes().to_vec());
    let command = fake::subcommand_with_attachment(
        "curate",
        "import",
        "file",
        ("quotes.csv", csv.len() as u64, &url),
        &[],
        USER_ID,
    );
    let body = fake.interact(command.clone()).await;
    assert_eq!(body["type"], 5, "deferred: {body}");
    let preview = answer(&fake, &command).await.body;
    let text = preview["content"].as_str().unwrap();
    assert!(
        text.starts_with("Import `quotes.csv`: 4 to add, 0 to change, 0 unchanged."),
        "{text}"
    );
    assert!(
        text.contains("`cho-tae-yul`") && text.contains("`blinken-a-quote-from-the`"),
        "{text}"
    );
    assert!(
        text.contains("Near duplicates, left out (add one with /curate quote or /curate fact, which asks first): `blinken-today-the-alliance-between` looks like `blinken-alliance-essential`"),
        "{text}"
    );
    assert_eq!(preview["allowed_mentions"]["parse"], serde_json::json!([]));
    let confirm = preview["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(confirm.starts_with("qb:confirm:"), "{preview}");
    assert_eq!(files(&data), before, "nothing is written before Confirm");

    // Another moderator's click is refused, and uses nothing up.
    let other = fake.interact(fake::button(&confirm, OTHER_USER_ID)).await;
    assert!(
        other["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Only the moderator who started this can confirm it"),
        "{other}"
    );
    assert_eq!(files(&data), before);

    let click = fake::button(&confirm, USER_ID);
    let body = fake.interact(click.clone()).await;
    assert_eq!(body["type"], 6, "{body}");
    let done = answer(&fake, &click).await.body;
    let done = done["content"].as_str().unwrap();
    assert!(
        done.starts_with("Added `cho-tae-yul` (change 1)")
            && done.contains("(change 4)")
            && !done.contains("(change 5)"),
        "{done}"
    );
    let catalog = quotebot::store::load_catalog(&data).unwrap();
    assert!(
        catalog
            .quote("blinken-today-the-alliance-between")
            .is_none(),
        "the near duplicate is left out"
    );
    assert_eq!(
        catalog
            .quote("tae-yul-another-from-a-new")
            .map(|q| q.source.as_str()),
        Some("press")
    );
    // One step: one undo puts every file back.
    let undo = fake::subcommand("curate", "undo", &[], USER_ID);
    fake.interact(undo.clone()).await;
    answer(&fake, &undo).await;
    assert_eq!(files(&data), before);
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_with_problems_shows_them_with_their_lines_and_offers_no_confirm() {
    let (_dir, data, state) = workspace();
    let before = files(&data);
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let jsonl = "{\"type\":\"quote\",\"id\":\"q-1\",\"text\":\"@everyone words\",\"speaker\":\"ghost\",\"source\":\"voa-2025-us-rok-strong\"}\n{\"type\":\"fact\",\"id\":\"f-1\",\"text\":\"A fact.\",\"source\":\"voa-2025-us-rok-strong\",\"as_of\":\"2025-13\"}\n";
    let url = fake.serve_file("mine.jsonl", jsonl.as_bytes().to_vec());
    let command = fake::subcommand_with_attachment(
        "curate",
        "import",
        "file",
        ("mine.jsonl", jsonl.len() as u64, &url),
        &[],
        USER_ID,
    );
    fake.interact(command.clone()).await;
    let preview = answer(&fake, &command).await.body;
    let text = preview["content"].as_str().unwrap();
    assert!(
        text.starts_with("Nothing can be imported from `mine.jsonl`: 2 problems."),
        "{text}"
    );
    assert!(
        text.contains("mine.jsonl:1: `speaker` refers to unknown speaker `ghost`"),
        "{text}"
    );
    assert!(
        text.contains("mine.jsonl:2: `as_of`: invalid date"),
        "{text}"
    );
    assert!(
        preview["components"]
            .as_array()
            .is_none_or(|c| c.is_empty()),
        "no Confirm: {preview}"
    );
    assert_eq!(files(&data), before);
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attachment_over_the_limit_is_refused_without_being_downloaded() {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let url = fake.serve_file("huge.csv", b"id,text\n".to_vec());
    let command = fake::subcommand_with_attachment(
        "curate",
        "import",
        "file",
        ("huge.csv", 1 << 30, &url),
        &[],
        USER_ID,
    );
    let body = fake.interact(command).await;
    let text = body["data"]["content"].as_str().unwrap();
    assert!(
        text.contains("`huge.csv` is 1024 MiB; an import may be at most 64 MiB"),
        "{body}"
    );
    // The bot has read everything sent before an answered /about.
    fake.round_trip().await;
    assert!(
        !fake
            .requests()
            .await
            .iter()
            .any(|r| r.path.starts_with("/attachments/")),
        "never downloaded"
    );
    stop(running).await;
}
