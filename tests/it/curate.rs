//! Moderation end to end through the fake Discord: a modal submit changes the file, writes an
//! audit line, is found by /quote and survives a restart; others are refused with nothing
//! written.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use quotebot::app::App;
use quotebot::config::{Config, TimeBudgets, Token};
use quotebot::discord::{RunOptions, Watched};

use crate::fake_discord::{self as fake, FakeDiscord, GUILD_ID, OTHER_USER_ID, USER_ID};
use crate::support::workspace;

pub(crate) struct Running {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), quotebot::discord::RunError>>,
}

async fn start(fake: &FakeDiscord, data: &Path, state: &Path) -> Running {
    let app = Arc::new(App::open(data.to_path_buf(), state.to_path_buf()).unwrap());
    start_with(fake, data, state, app, TimeBudgets::default(), None).await
}

/// Starts the bot with `USER_ID` as its moderator; `watched`, when given, is told what every
/// look of the hand-edit watcher found.
async fn start_with(
    fake: &FakeDiscord,
    data: &Path,
    state: &Path,
    app: Arc<App>,
    budgets: TimeBudgets,
    watched: Option<mpsc::UnboundedSender<Watched>>,
) -> Running {
    start_bot(fake, data, state, app, budgets, watched, &[USER_ID]).await
}

/// Starts the bot on the fake Discord with these moderators.
pub(crate) async fn start_bot(
    fake: &FakeDiscord,
    data: &Path,
    state: &Path,
    app: Arc<App>,
    budgets: TimeBudgets,
    watched: Option<mpsc::UnboundedSender<Watched>>,
    moderators: &[u64],
) -> Running {
    let mut config = Config::default();
    config.discord.time_budgets = budgets;
    config.discord.api_base = fake.api_base().parse().unwrap();
    config.discord.guilds = vec![GUILD_ID];
    config.data_dir = data.to_path_buf();
    config.state_dir = state.to_path_buf();
    config.moderation.guild = std::num::NonZeroU64::new(GUILD_ID);
    config.moderation.users = moderators.to_vec();
    let (stop, stopped) = oneshot::channel::<()>();
    let options = RunOptions {
        watched,
        ..RunOptions::default()
    };
    let task = tokio::spawn(quotebot::discord::run_with(
        config,
        Token::new("curate-token".into()),
        app,
        options,
        async move {
            let _ = stopped.await;
        },
    ));
    fake.wait_until("identify", |f| f.identifies() >= 1).await;
    Running { stop, task }
}

pub(crate) async fn stop(running: Running) {
    let _ = running.stop.send(());
    tokio::time::timeout(Duration::from_secs(10), running.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

/// The text of the deferred answer to an interaction (its original response edited, or a
/// follow-up message).
pub(crate) async fn followup(fake: &FakeDiscord, interaction: &Value) -> String {
    let token = interaction["token"].as_str().unwrap().to_string();
    let patch = fake
        .wait_for("the follow-up", |r| {
            (r.method == "PATCH" || r.method == "POST")
                && r.path.contains("/webhooks/")
                && r.path.contains(&token)
        })
        .await;
    assert_eq!(
        patch.body["allowed_mentions"]["parse"],
        serde_json::json!([])
    );
    patch.body["content"].as_str().unwrap_or("").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_adds_a_quote_through_a_modal_and_it_survives_a_restart() {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;

    // The command opens a modal (callback type 9).
    let command = fake::subcommand("curate", "quote", &[], USER_ID);
    let body = fake.interact(command.clone()).await;
    assert_eq!(body["type"], 9, "{body}");
    let custom_id = body["data"]["custom_id"].as_str().unwrap().to_string();
    assert_eq!(custom_id, command["id"].as_str().unwrap());

    // The moderator submits it: deferred first (type 5, private), then the result.
    let submit = fake::modal_submit(
        &custom_id,
        &[
            (
                "text",
                "We will stand with our allies [in the region] ... without hesitation.",
            ),
            ("speaker", "Cho Tae-yul"),
            ("source", "antony-blinken"),
            ("date", "2025-01-06"),
            ("topics", "US-ROK alliance, Extended deterrence"),
        ],
        USER_ID,
    );
    let body = fake.interact(submit.clone()).await;
    assert_eq!(body["type"], 5, "{body}");
    let text = followup(&fake, &submit).await;
    assert_eq!(
        text, "Nothing was saved. Source: `antony-blinken` is a speaker, not a source",
        "a speaker id is not a source"
    );

    let command = fake::subcommand("curate", "quote", &[], USER_ID);
    let body = fake.interact(command.clone()).await;
    let custom_id = body["data"]["custom_id"].as_str().unwrap().to_string();
    let submit = fake::modal_submit(
        &custom_id,
        &[
            (
                "text",
                "We will stand with our allies [in the region] ... without hesitation.",
            ),
            ("speaker", "Cho Tae-yul"),
            (
                "source",
                "Joint press conference | https://example.org/seoul-2025",
            ),
            ("date", "2025-01-06"),
            ("topics", "US-ROK alliance, Extended deterrence"),
        ],
        USER_ID,
    );
    fake.interact(submit.clone()).await;
    let text = followup(&fake, &submit).await;
    assert!(
        text.contains("Added `cho-tae-yul`") && text.contains("(change 3)"),
        "{text}"
    );

    let quotes = std::fs::read_to_string(data.join("quotes.toml")).unwrap();
    assert!(
        quotes.contains("# Quotes. `text` is exactly as published"),
        "comments kept"
    );
    assert!(quotes.contains(
        "text = \"We will stand with our allies [in the region] ... without hesitation.\""
    ));
    assert!(quotes.contains("topics = [\"us-rok-alliance\", \"extended-deterrence\"]"));
    assert!(
        std::fs::read_to_string(data.join("speakers.toml"))
            .unwrap()
            .contains("name = \"Cho Tae-yul\"")
    );
    let audit = std::fs::read_to_string(state.join("audit.jsonl")).unwrap();
    assert_eq!(audit.lines().count(), 3, "speaker, source, quote: {audit}");
    let last: Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(last["actor"], USER_ID);
    assert_eq!(last["action"], "add");

    let body = fake
        .interact(fake::slash_command(
            "quote",
            &[("query", "stand with our allies without hesitation")],
        ))
        .await;
    let footer = body["data"]["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let id = footer.split(" · ").next().unwrap().to_string();
    assert_eq!(id, "id: tae-yul-we-will-stand-with", "{footer}");
    stop(running).await;

    // After a restart it is still there.
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let body = fake
        .interact(fake::slash_command(
            "quote",
            &[("query", "allies without hesitation")],
        ))
        .await;
    let footer = body["data"]["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap();
    assert!(footer.starts_with(&id), "{footer}");

    // Undo removes it, as a new change.
    let undo = fake::subcommand("curate", "undo", &[], USER_ID);
    fake.interact(undo.clone()).await;
    let text = followup(&fake, &undo).await;
    assert!(text.starts_with("Undid change 3"), "{text}");
    assert!(
        !std::fs::read_to_string(data.join("quotes.toml"))
            .unwrap()
            .contains("without hesitation")
    );
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_moderators_are_refused_and_nothing_is_written() {
    let (_dir, data, state) = workspace();
    let before: Vec<Vec<u8>> = ["quotes.toml", "speakers.toml", "sources.toml", "facts.toml"]
        .iter()
        .map(|f| std::fs::read(data.join(f)).unwrap())
        .collect();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    for sub in ["quote", "fact", "undo"] {
        let body = fake
            .interact(fake::subcommand("curate", sub, &[], OTHER_USER_ID))
            .await;
        assert_eq!(
            body["type"], 4,
            "{sub}: no modal for a non-moderator: {body}"
        );
        assert_eq!(body["data"]["flags"], 64);
        assert!(
            body["data"]["content"]
                .as_str()
                .unwrap()
                .contains("Only moderators"),
            "{body}"
        );
    }
    let body = fake
        .interact(fake::subcommand(
            "curate",
            "remove",
            &[("id", "blinken-optimistic-future")],
            OTHER_USER_ID,
        ))
        .await;
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Only moderators")
    );
    // A modal submitted by someone else is refused too, even with a valid form.
    let submit = fake::modal_submit(
        "123",
        &[("text", "x"), ("speaker", "y"), ("source", "z")],
        OTHER_USER_ID,
    );
    fake.dispatch("INTERACTION_CREATE", submit).await;
    fake.round_trip().await;
    stop(running).await;
    let after: Vec<Vec<u8>> = ["quotes.toml", "speakers.toml", "sources.toml", "facts.toml"]
        .iter()
        .map(|f| std::fs::read(data.join(f)).unwrap())
        .collect();
    assert_eq!(before, after);
    assert!(!state.join("audit.jsonl").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_asks_to_confirm_and_only_the_moderator_who_asked_can() {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let body = fake
        .interact(fake::subcommand(
            "curate",
            "remove",
            &[("id", "blinken-optimistic-future")],
            USER_ID,
        ))
        .await;
    assert_eq!(body["data"]["flags"], 64);
    let confirm = body["data"]["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(confirm.starts_with("qb:confirm:"));
    // Someone else clicking is refused.
    let other = fake.interact(fake::button(&confirm, OTHER_USER_ID)).await;
    assert!(
        other["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Only moderators"),
        "{other}"
    );
    assert!(
        std::fs::read_to_string(data.join("quotes.toml"))
            .unwrap()
            .contains("blinken-optimistic-future")
    );
    // The moderator confirms: acknowledged (type 6), then removed.
    let click = fake::button(&confirm, USER_ID);
    let body = fake.interact(click.clone()).await;
    assert_eq!(body["type"], 6, "{body}");
    let text = followup(&fake, &click).await;
    assert!(
        text.contains("Removed `blinken-optimistic-future` (change 1)"),
        "{text}"
    );
    assert!(
        !std::fs::read_to_string(data.join("quotes.toml"))
            .unwrap()
            .contains("id = \"blinken-optimistic-future\"")
    );
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn save_as_quote_opens_the_form_filled_with_the_message() {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let mut message = serde_json::json!({
        "id": "5555", "channel_id": "1", "author": {"id": "42", "username": "journalist", "discriminator": "0", "global_name": null, "avatar": null},
        "content": "“The alliance is ironclad,” the minister said.", "timestamp": "2025-01-06T00:00:00.000000+00:00",
        "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 0
    });
    message["guild_id"] = serde_json::json!(GUILD_ID.to_string());
    let mut command = fake::subcommand("curate", "quote", &[], USER_ID);
    command["data"] = serde_json::json!({
        "id": "2", "name": "Save as quote", "type": 3, "target_id": "5555",
        "resolved": {"messages": {"5555": message}}
    });
    let body = fake.interact(command).await;
    assert_eq!(body["type"], 9, "{body}");
    let text_input = &body["data"]["components"][0]["components"][0];
    assert_eq!(
        text_input["value"],
        "“The alliance is ironclad,” the minister said."
    );
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_edited_by_hand_while_running_are_picked_up_when_valid() {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let app = Arc::new(App::open(data.to_path_buf(), state.to_path_buf()).unwrap());
    let (watched, mut looks) = mpsc::unbounded_channel();
    let budgets = TimeBudgets::default();
    let running = start_with(&fake, &data, &state, app, budgets, Some(watched)).await;
    let path = data.join("quotes.toml");
    let good = std::fs::read_to_string(&path).unwrap();
    // An invalid edit first: the last good catalog keeps answering.
    std::fs::write(&path, format!("{good}\n[[quote]]\nid = \"half\"\n")).unwrap();
    look_finds(&mut looks, Watched::Invalid).await;
    let body = fake
        .interact(fake::slash_command(
            "quote",
            &[("query", "linchpin of peace")],
        ))
        .await;
    assert!(
        body["data"]["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap()
            .contains("blinken-alliance-linchpin")
    );
    // Then a valid one: found without a restart.
    std::fs::write(
        &path,
        format!("{good}\n[[quote]]\nid = \"typed-by-hand\"\ntext = \"Edited in a text editor while the bot ran.\"\nspeaker = \"antony-blinken\"\nsource = \"voa-2025-us-rok-strong\"\n"),
    )
    .unwrap();
    look_finds(&mut looks, Watched::Reloaded).await;
    let body = fake
        .interact(fake::slash_command(
            "quote",
            &[("query", "edited in a text editor")],
        ))
        .await;
    let found = body["data"]["embeds"][0]["footer"]["text"]
        .as_str()
        .is_some_and(|f| f.contains("typed-by-hand"));
    assert!(found, "the hand edit was loaded");
    stop(running).await;
}

/// Waits until the hand-edit watcher takes a look that finds `wanted` (it looks every few
/// seconds; a look before the files were written finds them unchanged).
async fn look_finds(looks: &mut mpsc::UnboundedReceiver<Watched>, wanted: Watched) {
    let wait = async {
        while let Some(found) = looks.recv().await {
            if found == wanted {
                return;
            }
        }
        panic!("the watcher stopped before finding {wanted:?}");
    };
    tokio::time::timeout(Duration::from_secs(15), wait)
        .await
        .unwrap_or_else(|_| panic!("no look of the watcher found {wanted:?} within 15 s"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_lists_the_changes_to_a_record_after_deferring() {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let remove = fake
        .interact(fake::subcommand(
            "curate",
            "remove",
            &[("id", "blinken-optimistic-future")],
            USER_ID,
        ))
        .await;
    let confirm = remove["data"]["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    let click = fake::button(&confirm, USER_ID);
    fake.interact(click.clone()).await;
    followup(&fake, &click).await;
    let history = fake::subcommand(
        "curate",
        "history",
        &[("id", "blinken-optimistic-future")],
        USER_ID,
    );
    let body = fake.interact(history.clone()).await;
    assert_eq!(body["type"], 5, "deferred before reading the log: {body}");
    let text = followup(&fake, &history).await;
    assert!(text.contains("change 1: removed by <@"), "{text}");
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_opens_the_form_filled_in_changes_only_what_changed_and_refuses_a_stale_edit() {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let open = |user| {
        fake::subcommand(
            "curate",
            "edit",
            &[("id", "blinken-optimistic-future")],
            user,
        )
    };
    let body = fake.interact(open(USER_ID)).await;
    assert_eq!(body["type"], 9, "{body}");
    let inputs: Vec<&Value> = body["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| &row["components"][0])
        .collect();
    assert!(
        inputs[0]["value"]
            .as_str()
            .unwrap()
            .starts_with("I remain fully, strongly optimistic")
    );
    assert_eq!(inputs[1]["value"], "antony-blinken");
    assert_eq!(inputs[2]["value"], "voa-2025-us-rok-strong");
    assert_eq!(inputs[3]["value"], "2025-01-06");
    assert_eq!(inputs[4]["value"], "us-rok-alliance");
    let custom_id = body["data"]["custom_id"].as_str().unwrap().to_string();
    let text = inputs[0]["value"].as_str().unwrap().to_string();
    let fields = |topics: &'static str| {
        vec![
            ("text", text.clone()),
            ("speaker", "antony-blinken".to_string()),
            ("source", "voa-2025-us-rok-strong".to_string()),
            ("date", "2025-01-06".to_string()),
            ("topics", topics.to_string()),
        ]
    };
    let submit_with = |custom_id: &str, topics: &'static str| {
        let f = fields(topics);
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fake::modal_submit(custom_id, &pairs, USER_ID)
    };
    let before = std::fs::read_to_string(data.join("quotes.toml")).unwrap();
    let submit = submit_with(&custom_id, "us-rok-alliance, optimism");
    fake.interact(submit.clone()).await;
    let reply = followup(&fake, &submit).await;
    assert!(
        reply.contains("Edited `blinken-optimistic-future` (change 1)"),
        "{reply}"
    );
    let after = std::fs::read_to_string(data.join("quotes.toml")).unwrap();
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        changed,
        [(
            "topics = [\"us-rok-alliance\"]",
            "topics = [\"us-rok-alliance\", \"optimism\"]"
        )]
    );

    // A form opened before someone else changed the record is refused when submitted.
    let body = fake.interact(open(USER_ID)).await;
    let custom_id = body["data"]["custom_id"].as_str().unwrap().to_string();
    std::fs::write(
        data.join("quotes.toml"),
        after.replace("\"optimism\"", "\"hope\""),
    )
    .unwrap();
    let submit = submit_with(&custom_id, "us-rok-alliance, optimism, future");
    fake.interact(submit.clone()).await;
    let reply = followup(&fake, &submit).await;
    assert!(reply.contains("was changed since you opened it"), "{reply}");
    assert!(
        std::fs::read_to_string(data.join("quotes.toml"))
            .unwrap()
            .contains("\"hope\"")
    );
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submit_from_someone_else_is_refused_without_using_up_the_moderators_form() {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let command = fake::subcommand("curate", "quote", &[], USER_ID);
    let body = fake.interact(command).await;
    let custom_id = body["data"]["custom_id"].as_str().unwrap().to_string();
    let fields = [
        (
            "text",
            "Our alliance is ironclad, and it will stay that way.",
        ),
        ("speaker", "antony-blinken"),
        ("source", "voa-2025-us-rok-strong"),
    ];

    // Someone else submits the moderator's form: refused, privately, and nothing is saved.
    let body = fake
        .interact(fake::modal_submit(&custom_id, &fields, OTHER_USER_ID))
        .await;
    assert_eq!(body["type"], 4, "{body}");
    assert_eq!(body["data"]["flags"], 64, "{body}");
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap()
            .contains("belongs to the moderator who opened it"),
        "{body}"
    );
    assert!(!state.join("audit.jsonl").exists());

    // The moderator's own submit is still answered and saved.
    let submit = fake::modal_submit(&custom_id, &fields, USER_ID);
    let body = fake.interact(submit.clone()).await;
    assert_eq!(body["type"], 5, "{body}");
    let text = followup(&fake, &submit).await;
    assert!(text.contains("Added"), "{text}");
    let quotes = std::fs::read_to_string(data.join("quotes.toml")).unwrap();
    assert!(quotes.contains("Our alliance is ironclad"));
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submit_from_someone_else_that_cannot_be_answered_still_leaves_the_moderators_form_open()
{
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let command = fake::subcommand("curate", "quote", &[], USER_ID);
    let body = fake.interact(command).await;
    let custom_id = body["data"]["custom_id"].as_str().unwrap().to_string();
    let fields = [
        (
            "text",
            "Our alliance is ironclad, and it will stay that way.",
        ),
        ("speaker", "antony-blinken"),
        ("source", "voa-2025-us-rok-strong"),
    ];
    // A forged or replayed submit whose interaction Discord no longer knows: the refusal
    // itself fails (404), and the moderator's form must survive that too.
    let mut forged = fake::modal_submit(&custom_id, &fields, OTHER_USER_ID);
    forged["token"] = serde_json::json!("expired-token");
    fake.dispatch("INTERACTION_CREATE", forged).await;
    fake.wait_for("the refusal Discord answers with 404", |r| {
        r.path.contains("/expired-token/callback")
    })
    .await;
    let submit = fake::modal_submit(&custom_id, &fields, USER_ID);
    let body = fake.interact(submit.clone()).await;
    assert_eq!(body["type"], 5, "{body}");
    let text = followup(&fake, &submit).await;
    assert!(text.contains("Added"), "{text}");
    assert!(
        std::fs::read_to_string(data.join("quotes.toml"))
            .unwrap()
            .contains("Our alliance is ironclad")
    );
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_only_a_facts_text_keeps_its_figure_exactly() {
    let (_dir, data, state) = workspace();
    let facts_path = data.join("facts.toml");
    // A qualifier without a unit, and a unit of several words.
    let facts = std::fs::read_to_string(&facts_path)
        .unwrap()
        .replace(
            "figure = { value = 1000, unit = \"casualties\", qualifier = \"more than\" }",
            "figure = { value = 1000, qualifier = \"more than\" }",
        )
        .replace(
            "figure = { value = 7, unit = \"decades\" }",
            "figure = { value = 7, unit = \"full decades\", qualifier = \"at least\" }",
        );
    std::fs::write(&facts_path, &facts).unwrap();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let mut revision = 0;
    for (id, figure_shown) in [
        (
            "dprk-casualties-ukraine-december-2024",
            "value = 1000, qualifier = \"more than\"",
        ),
        (
            "us-rok-alliance-seven-decades",
            "value = 7, unit = \"full decades\", qualifier = \"at least\"",
        ),
    ] {
        let body = fake
            .interact(fake::subcommand("curate", "edit", &[("id", id)], USER_ID))
            .await;
        assert_eq!(body["type"], 9, "{body}");
        let inputs: Vec<(String, String)> = body["data"]["components"]
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
        assert_eq!(inputs[1].1, figure_shown);
        let custom_id = body["data"]["custom_id"].as_str().unwrap().to_string();
        let before = std::fs::read_to_string(&facts_path).unwrap();
        // The moderator changes the text and nothing else.
        let fields: Vec<(&str, &str)> = inputs
            .iter()
            .map(|(k, v)| {
                if k == "text" {
                    (k.as_str(), "Reworded by a moderator.")
                } else {
                    (k.as_str(), v.as_str())
                }
            })
            .collect();
        let submit = fake::modal_submit(&custom_id, &fields, USER_ID);
        fake.interact(submit.clone()).await;
        let reply = followup(&fake, &submit).await;
        revision += 1;
        assert!(
            reply.contains(&format!("Edited `{id}` (change {revision})")),
            "{reply}"
        );
        let after = std::fs::read_to_string(&facts_path).unwrap();
        let changed: Vec<(&str, &str)> = before
            .lines()
            .zip(after.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert!(changed[0].1.starts_with("text = "), "{changed:?}");
    }
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_quote_a_fact_refers_to_shows_the_fact_and_removes_the_reference_with_it_in_one_undoable_change()
 {
    let (_dir, data, state) = workspace();
    let quotes = std::fs::read_to_string(data.join("quotes.toml")).unwrap();
    let facts = std::fs::read_to_string(data.join("facts.toml")).unwrap();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let body = fake
        .interact(fake::subcommand(
            "curate",
            "remove",
            &[("id", "blinken-alliance-linchpin")],
            USER_ID,
        ))
        .await;
    let content = body["data"]["content"].as_str().unwrap();
    assert!(
        content.contains("`us-rok-alliance-seven-decades`"),
        "{content}"
    );
    let button = &body["data"]["components"][0]["components"][0];
    assert_eq!(button["label"], "Remove with references");
    let click = fake::button(button["custom_id"].as_str().unwrap(), USER_ID);
    fake.interact(click.clone()).await;
    let text = followup(&fake, &click).await;
    assert!(
        text.contains("Edited `us-rok-alliance-seven-decades` (change 1)")
            && text.contains("Removed `blinken-alliance-linchpin` (change 2)"),
        "{text}"
    );
    let catalog = quotebot::store::load_catalog(&data).unwrap();
    assert!(catalog.quote("blinken-alliance-linchpin").is_none());
    assert!(
        catalog
            .fact("us-rok-alliance-seven-decades")
            .unwrap()
            .related
            .is_empty()
    );
    // One undo reverses both.
    let undo = fake::subcommand("curate", "undo", &[], USER_ID);
    fake.interact(undo.clone()).await;
    let text = followup(&fake, &undo).await;
    assert!(
        text.contains("Undid change 2") && text.contains("Undid change 1"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(data.join("quotes.toml")).unwrap(),
        quotes
    );
    assert_eq!(
        std::fs::read_to_string(data.join("facts.toml")).unwrap(),
        facts
    );
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn korean_forms_are_answered_saved_and_found_by_korean_queries() {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;

    // A quote by a new speaker named in Hangul, from a new source with a Korean title.
    let command = fake::subcommand("curate", "quote", &[], USER_ID);
    let body = fake.interact(command.clone()).await;
    let custom_id = body["data"]["custom_id"].as_str().unwrap().to_string();
    let submit = fake::modal_submit(
        &custom_id,
        &[
            (
                "text",
                "자유와 평화를 위한 한미 동맹은 그 어느 때보다 굳건합니다.",
            ),
            ("speaker", "윤석열"),
            ("source", "대통령실 브리핑"),
            ("date", "2025-01-06"),
            ("topics", "한미 동맹"),
        ],
        USER_ID,
    );
    let body = fake.interact(submit.clone()).await;
    assert_eq!(body["type"], 5, "{body}");
    let text = followup(&fake, &submit).await;
    assert!(text.contains("Added `yun-seog-yeol`"), "{text}");

    // A fact in Korean from a new source with a Korean title and an address.
    let command = fake::subcommand("curate", "fact", &[], USER_ID);
    let body = fake.interact(command.clone()).await;
    let custom_id = body["data"]["custom_id"].as_str().unwrap().to_string();
    let submit = fake::modal_submit(
        &custom_id,
        &[
            (
                "text",
                "한국 기업들은 미국에 1,400억 달러 이상을 투자했습니다.",
            ),
            ("figure", "140e9 USD more than"),
            (
                "source",
                "한미 투자 보고서 | https://example.org/invest-2025",
            ),
            ("as_of", "2024"),
            ("topics", ""),
        ],
        USER_ID,
    );
    fake.interact(submit.clone()).await;
    let text = followup(&fake, &submit).await;
    assert!(text.starts_with("Added `"), "{text}");

    // Saved in files that parse, with the names as typed.
    let catalog = quotebot::store::load_catalog(&data).expect("the written data is valid");
    assert_eq!(catalog.speaker("yun-seog-yeol").unwrap().name, "윤석열");
    assert!(
        catalog
            .sources()
            .iter()
            .any(|s| s.title == "대통령실 브리핑")
    );
    assert!(
        catalog
            .sources()
            .iter()
            .any(|s| s.title == "한미 투자 보고서")
    );

    // Found by Korean queries, and by a Korean word as it is typed.
    let body = fake
        .interact(fake::slash_command("quote", &[("query", "한미 동맹")]))
        .await;
    let embed = &body["data"]["embeds"][0];
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("굳건합니다"),
        "{body}"
    );
    assert!(
        embed["title"].as_str().unwrap_or("").contains("윤석열")
            || embed.to_string().contains("윤석열"),
        "{embed}"
    );
    let body = fake
        .interact(fake::slash_command("fact", &[("query", "투자했습니다")]))
        .await;
    assert!(
        body["data"]["embeds"][0].to_string().contains("1,400억"),
        "{body}"
    );
    let body = fake
        .interact(fake::autocomplete("quote", "query", "굳건"))
        .await;
    let choices = body["data"]["choices"].as_array().unwrap();
    assert!(
        choices
            .iter()
            .any(|c| c["name"].as_str().unwrap().contains("굳건합니다")),
        "{body}"
    );
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_a_hand_edited_quote_too_long_for_the_form_answers_instead_of_failing() {
    let (_dir, data, state) = workspace();
    let quotes = std::fs::read_to_string(data.join("quotes.toml")).unwrap();
    let long = "동맹 ".repeat(2100);
    std::fs::write(
        data.join("quotes.toml"),
        format!(
            "{quotes}\n[[quote]]\nid = \"long-quote\"\ntext = \"{long}\"\nspeaker = \"antony-blinken\"\nsource = \"voa-2025-us-rok-strong\"\n"
        ),
    )
    .unwrap();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let body = fake
        .interact(fake::subcommand(
            "curate",
            "edit",
            &[("id", "long-quote")],
            USER_ID,
        ))
        .await;
    assert_eq!(
        body["type"], 4,
        "a message, not a form Discord would refuse: {body}"
    );
    let content = body["data"]["content"].as_str().unwrap();
    assert!(
        content.contains("`long-quote` has a text of 6300 characters"),
        "{content}"
    );
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_near_duplicate_check_past_its_time_budget_asks_before_saving_instead_of_saving_unchecked()
 {
    let (_dir, data, state) = workspace();
    let fake = FakeDiscord::start().await;
    // Every search waits until the end of the test: the check exceeds its budget.
    let app = Arc::new(App::open(data.to_path_buf(), state.to_path_buf()).unwrap());
    let closed = crate::support::hold_searches(&app);
    let budgets = TimeBudgets {
        search: Duration::from_millis(100),
        ..TimeBudgets::default()
    };
    let running = start_with(&fake, &data, &state, app, budgets, None).await;
    let before = std::fs::read(data.join("quotes.toml")).unwrap();
    let command = fake::subcommand("curate", "quote", &[], USER_ID);
    let body = fake.interact(command.clone()).await;
    let custom_id = body["data"]["custom_id"].as_str().unwrap().to_string();
    let submit = fake::modal_submit(
        &custom_id,
        &[
            (
                "text",
                "Nothing like this sentence is in the seed data, word for word.",
            ),
            ("speaker", "antony-blinken"),
            ("source", "Remarks | https://example.org/remarks"),
        ],
        USER_ID,
    );
    let token = submit["token"].as_str().unwrap().to_string();
    fake.interact(submit).await;
    let answer = fake
        .wait_for("the form's answer", |r| {
            r.method == "PATCH" && r.path.contains("/webhooks/") && r.path.contains(&token)
        })
        .await;
    let text = answer.body["content"].as_str().unwrap();
    assert!(text.contains("took too long"), "{text}");
    assert!(text.contains("Save anyway?"), "{text}");
    let confirm = answer.body["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(confirm.starts_with("qb:confirm:"), "{}", answer.body);
    assert_eq!(std::fs::read(data.join("quotes.toml")).unwrap(), before);
    // Confirmed, it is saved.
    let click = fake::button(&confirm, USER_ID);
    fake.interact(click.clone()).await;
    let text = followup(&fake, &click).await;
    assert!(text.contains("(change 1)"), "{text}");
    assert_ne!(std::fs::read(data.join("quotes.toml")).unwrap(), before);
    drop(closed);
    stop(running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fact_whose_figure_is_long_but_fits_the_form_opens_the_edit_form() {
    let (_dir, data, state) = workspace();
    let facts_path = data.join("facts.toml");
    let unit = "decades of an alliance ".repeat(8);
    let unit = unit.trim();
    let facts = std::fs::read_to_string(&facts_path).unwrap().replace(
        "figure = { value = 7, unit = \"decades\" }",
        &format!("figure = {{ value = 7, unit = \"{unit}\" }}"),
    );
    std::fs::write(&facts_path, &facts).unwrap();
    let fake = FakeDiscord::start().await;
    let running = start(&fake, &data, &state).await;
    let body = fake
        .interact(fake::subcommand(
            "curate",
            "edit",
            &[("id", "us-rok-alliance-seven-decades")],
            USER_ID,
        ))
        .await;
    // The figure field takes 4,000 characters: a 200-character figure is a form, not a refusal.
    assert_eq!(body["type"], 9, "{body}");
    assert!(body.to_string().contains(unit), "{body}");
    stop(running).await;
}
