//! The real bot driven end to end through the fake Discord on 127.0.0.1.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use quotebot::app::App;
use quotebot::config::{Config, TimeBudgets, Token};
use quotebot::discord::RunError;

use crate::fake_discord::{self as fake, BAD_TOKEN, FakeDiscord, GUILD_ID, OTHER_USER_ID, USER_ID};
use crate::support::seed_catalog;

pub(crate) struct Bot {
    task: JoinHandle<Result<(), RunError>>,
    stop: oneshot::Sender<()>,
    /// The bot's own state directory, when the test did not give one.
    _state: Option<tempfile::TempDir>,
}

fn config_with(fake: &FakeDiscord, state: &std::path::Path, budgets: TimeBudgets) -> Config {
    let mut config = Config::default();
    config.discord.api_base = fake.api_base().parse().unwrap();
    config.discord.guilds = vec![GUILD_ID];
    config.state_dir = state.to_path_buf();
    config.discord.time_budgets = budgets;
    config
}

fn start_bot(fake: &FakeDiscord, token: &str) -> Bot {
    let state = tempfile::tempdir().unwrap();
    let mut bot = start_bot_with(fake, token, seed_catalog(), state.path());
    bot._state = Some(state);
    bot
}

pub(crate) fn start_bot_with(
    fake: &FakeDiscord,
    token: &str,
    catalog: quotebot::core::catalog::Catalog,
    state: &std::path::Path,
) -> Bot {
    let app = Arc::new(App::new(catalog));
    start_bot_budgeted(fake, token, app, state, TimeBudgets::default())
}

fn start_bot_budgeted(
    fake: &FakeDiscord,
    token: &str,
    app: Arc<App>,
    state: &std::path::Path,
    budgets: TimeBudgets,
) -> Bot {
    if std::env::var_os("RUST_LOG").is_some() {
        quotebot::logging::init(None);
    }
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(quotebot::discord::run(
        config_with(fake, state, budgets),
        Token::new(token.to_string()),
        app,
        async move {
            let _ = stopped.await;
        },
    ));
    Bot {
        task,
        stop,
        _state: None,
    }
}

pub(crate) async fn stop(bot: Bot) {
    let _ = bot.stop.send(());
    let result = tokio::time::timeout(Duration::from_secs(10), bot.task)
        .await
        .expect("the bot stops within 10 s")
        .expect("the bot task did not panic");
    assert!(result.is_ok(), "{result:?}");
}

pub(crate) const TOKEN: &str = "fake-token-for-tests";

pub(crate) fn assert_no_pings(body: &Value) {
    let mentions = &body["data"]["allowed_mentions"];
    assert!(mentions.is_object(), "allowed_mentions must be set: {body}");
    assert_eq!(mentions["parse"], serde_json::json!([]), "{body}");
    for key in ["users", "roles"] {
        assert!(
            mentions[key].as_array().is_none_or(Vec::is_empty),
            "{key} must be empty: {body}"
        );
    }
    assert_ne!(mentions["replied_user"], Value::Bool(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_command_autocomplete_and_buttons_answer_through_the_fake_discord() {
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake, TOKEN);
    fake.wait_ready().await;

    // A slash command: callback type 4 with the quote as an embed, buttons, no pings.
    let body = fake
        .interact(fake::slash_command(
            "quote",
            &[("query", "linchpin of pease")],
        ))
        .await;
    assert_eq!(body["type"], 4, "{body}");
    let embed = &body["data"]["embeds"][0];
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("the linchpin of peace"),
        "{body}"
    );
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("Paraphrase, not a verbatim quote")
    );
    assert_eq!(embed["title"], "Antony Blinken, U.S. Secretary of State");
    assert!(
        embed["footer"]["text"]
            .as_str()
            .unwrap()
            .contains("id: blinken-alliance-linchpin")
    );
    let fields = embed["fields"].as_array().unwrap();
    assert!(
        fields.iter().any(|f| f["name"] == "Related figures"
            && f["value"].as_str().unwrap().contains("7 decades"))
    );
    assert_no_pings(&body);
    let buttons = body["data"]["components"][0]["components"]
        .as_array()
        .unwrap();
    let next = buttons
        .iter()
        .find(|b| b["label"] == "Next ▶")
        .expect("a next button")["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        buttons
            .iter()
            .any(|b| b["label"] == "Source" && b["url"].is_string())
    );

    // Autocomplete: callback type 8 with at most 25 choices, the best first.
    let body = fake
        .interact(fake::autocomplete("quote", "query", "satellite tech"))
        .await;
    assert_eq!(body["type"], 8, "{body}");
    let choices = body["data"]["choices"].as_array().unwrap();
    assert!(!choices.is_empty() && choices.len() <= 25);
    assert_eq!(choices[0]["value"], "blinken-russia-space-technology");

    // The person who asked pages with the button: type 7 updates the message in place.
    let body = fake.interact(fake::button(&next, USER_ID)).await;
    assert_eq!(body["type"], 7, "{body}");
    assert!(
        body["data"]["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap()
            .contains("result 2 of")
    );
    assert_no_pings(&body);

    // Someone else gets a private note instead.
    let body = fake.interact(fake::button(&next, OTHER_USER_ID)).await;
    assert_eq!(body["type"], 4, "{body}");
    assert_eq!(body["data"]["flags"], 64, "ephemeral: {body}");

    // Cite: a private, copy-ready citation.
    let body = fake
        .interact(fake::button("qb:cite:blinken-optimistic-future", USER_ID))
        .await;
    let text = body["data"]["content"].as_str().unwrap();
    assert!(
        text.contains("“I remain fully, strongly optimistic"),
        "{text}"
    );
    assert!(
        text.contains("U.S. Relations With South Korea Remain Strong"),
        "{text}"
    );

    stop(bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weak_match_is_a_private_did_you_mean_not_an_answer() {
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake, TOKEN);
    fake.wait_ready().await;
    let body = fake
        .interact(fake::slash_command("quote", &[("query", "zebra giraffe")]))
        .await;
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64, "{body}");
    assert!(body["data"]["embeds"].as_array().is_none_or(Vec::is_empty));
    assert_no_pings(&body);
    let body = fake
        .interact(fake::slash_command(
            "fact",
            &[("query", "how much has korea invested")],
        ))
        .await;
    assert!(
        body["data"]["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("more than $140 billion"),
        "{body}"
    );
    stop(bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_requests_and_malformed_interactions_do_not_stop_the_bot() {
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake, TOKEN);
    fake.wait_ready().await;

    // Discord asks the bot to reconnect (op 7): it resumes the session.
    fake.send(serde_json::json!({"op": 7, "d": null})).await;
    fake.wait_until("a RESUME", |f| f.resumes() == 1).await;
    let body = fake
        .interact(fake::slash_command(
            "quote",
            &[("query", "extended deterrence")],
        ))
        .await;
    assert_eq!(body["type"], 4, "{body}");

    // An interaction missing required fields is dropped; the next one is answered.
    let mut broken = fake::slash_command("quote", &[("query", "linchpin")]);
    broken.as_object_mut().unwrap().remove("locale");
    broken.as_object_mut().unwrap().remove("member");
    fake.dispatch("INTERACTION_CREATE", broken).await;
    let body = fake
        .interact(fake::slash_command(
            "quote",
            &[("query", "shared democratic values")],
        ))
        .await;
    assert!(
        body["data"]["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap()
            .contains("blinken-shared-democratic-values")
    );
    assert_eq!(fake.identifies(), 1, "resumed, never re-identified");
    stop(bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_stops_the_bot_with_a_clear_error_and_no_retry_loop() {
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake, BAD_TOKEN);
    let result = tokio::time::timeout(Duration::from_secs(10), bot.task)
        .await
        .expect("gives up quickly")
        .unwrap();
    let error = result.unwrap_err();
    assert!(matches!(error, RunError::BadToken { .. }), "{error}");
    assert!(error.to_string().contains("4004"));
    assert_eq!(fake.identifies(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_api_base_fails_before_connecting() {
    // A loopback port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let state = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.discord.api_base = format!("http://127.0.0.1:{port}").parse().unwrap();
    config.state_dir = state.path().to_path_buf();
    let app = Arc::new(App::new(seed_catalog()));
    let result = quotebot::discord::run(config, Token::new(TOKEN.into()), app, async {}).await;
    let error = result.unwrap_err();
    assert!(matches!(error, RunError::Gateway { .. }), "{error}");
    assert!(error.to_string().contains("/api/v10/gateway/bot"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_asked_for_while_the_bot_is_still_connecting_stops_it() {
    let fake = FakeDiscord::start().await;
    let state = tempfile::tempdir().unwrap();
    let app = Arc::new(App::new(seed_catalog()));
    let config = config_with(&fake, state.path(), TimeBudgets::default());
    // Asked for before the gateway is even checked: the shards start after it.
    let run = quotebot::discord::run(config, Token::new(TOKEN.into()), app, async {});
    let result = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("the bot stops within 10 s");
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speaker_source_and_topic_list_what_they_hold() {
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake, TOKEN);
    fake.wait_ready().await;
    let body = fake
        .interact(fake::slash_command("speaker", &[("name", "blinkin")]))
        .await;
    let embed = &body["data"]["embeds"][0];
    assert_eq!(embed["title"], "Antony Blinken", "{body}");
    let text = embed["description"].as_str().unwrap();
    assert!(text.contains("U.S. Secretary of State"));
    assert!(text.contains("`blinken-optimistic-future`"), "{text}");
    assert!(
        embed["footer"]["text"]
            .as_str()
            .unwrap()
            .starts_with("8 entries")
    );

    let body = fake
        .interact(fake::slash_command(
            "source",
            &[("query", "relations with south korea")],
        ))
        .await;
    let embed = &body["data"]["embeds"][0];
    assert_eq!(
        embed["title"], "U.S. Relations With South Korea Remain Strong",
        "{body}"
    );
    assert!(
        embed["footer"]["text"]
            .as_str()
            .unwrap()
            .starts_with("13 entries")
    );
    // 13 entries at 8 a page: a next button.
    let buttons = body["data"]["components"][0]["components"]
        .as_array()
        .unwrap();
    let next = buttons.iter().find(|b| b["label"] == "Next ▶").unwrap()["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = fake.interact(fake::button(&next, USER_ID)).await;
    assert_eq!(body["type"], 7);
    assert!(
        body["data"]["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap()
            .ends_with("page 2 of 2")
    );

    let body = fake
        .interact(fake::slash_command("topic", &[("name", "ukraine war")]))
        .await;
    let text = body["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(
        text.contains("`dprk-casualties-ukraine-december-2024`"),
        "{body}"
    );
    stop(bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotes_full_of_mentions_never_ping_anyone_in_any_payload() {
    let speakers =
        "[[speaker]]\nid = \"s\"\nname = \"@everyone <@123>\"\nrole = \"<@&456> @here\"\n";
    let sources =
        "[[source]]\nid = \"src\"\ntitle = \"@here digest\"\nurl = \"https://example.org/x\"\n";
    let mut quotes = String::new();
    for n in 0..3 {
        quotes.push_str(&format!(
            "[[quote]]\nid = \"ping-{n}\"\ntext = \"@everyone wake up @here <@123> <@&456> <@!789> alarm {n}\"\nspeaker = \"s\"\nsource = \"src\"\ncontext = \"<@123>\"\nrelated = [\"f\"]\n\n"
        ));
    }
    let facts = "[[fact]]\nid = \"f\"\ntext = \"@everyone counts <@&456>\"\nsource = \"src\"\nfigure = { value = 3, unit = \"@here\" }\n";
    let catalog = crate::support::parse(speakers, sources, &quotes, facts).unwrap();
    let fake = FakeDiscord::start().await;
    let state = tempfile::tempdir().unwrap();
    let bot = start_bot_with(&fake, TOKEN, catalog, state.path());
    fake.wait_ready().await;
    let body = fake
        .interact(fake::slash_command("quote", &[("query", "wake up alarm")]))
        .await;
    assert!(
        body["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("@everyone")
    );
    let next = body["data"]["components"][0]["components"][1]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    fake.interact(fake::button(&next, USER_ID)).await;
    fake.interact(fake::button(&next, OTHER_USER_ID)).await;
    fake.interact(fake::button("qb:cite:ping-0", USER_ID)).await;
    fake.interact(fake::slash_command("fact", &[("query", "counts")]))
        .await;
    fake.interact(fake::slash_command(
        "quote",
        &[("query", "nothing like it")],
    ))
    .await;
    fake.interact(fake::slash_command("speaker", &[("name", "everyone")]))
        .await;
    fake.interact(fake::slash_command("about", &[])).await;
    let posted: Vec<_> = fake
        .requests()
        .await
        .into_iter()
        .filter(|r| r.method != "GET" && r.path.contains("/interactions/"))
        .collect();
    assert_eq!(posted.len(), 8);
    for request in posted {
        assert_no_pings(&request.body);
    }
    stop(bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_registered_once_and_skipped_when_unchanged() {
    let state = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start().await;
    let bot = start_bot_with(&fake, TOKEN, seed_catalog(), state.path());
    fake.wait_ready().await;
    stop(bot).await;
    let registered = |requests: &[fake::Recorded]| {
        requests
            .iter()
            .filter(|r| r.method == "PUT" && r.path.ends_with("/commands"))
            .count()
    };
    assert_eq!(registered(&fake.requests().await), 1);
    let put = fake
        .requests()
        .await
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    let names: Vec<&str> = put
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "quote",
            "fact",
            "speaker",
            "source",
            "topic",
            "random",
            "about",
            "fotd",
            "curate",
            "Save as quote",
            "verify",
            "Verify quote"
        ]
    );
    // /quote, /verify and "Verify quote" can be installed on a user account and used in any
    // server, bot DM or group DM; moderation and the fact of the day stay in servers.
    let command = |name: &str| {
        put.body
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    for name in ["quote", "verify", "Verify quote"] {
        let c = command(name);
        assert_eq!(c["integration_types"], serde_json::json!([0, 1]), "{c}");
        assert_eq!(c["contexts"], serde_json::json!([0, 1, 2]), "{c}");
    }
    for name in ["curate", "fotd", "Save as quote"] {
        let c = command(name);
        assert_eq!(c["integration_types"], serde_json::json!([0]), "{c}");
        assert_eq!(c["contexts"], serde_json::json!([0]), "{c}");
    }

    // Restarted with the same commands: connected, answering, but not registering again.
    let fake = FakeDiscord::start().await;
    let bot = start_bot_with(&fake, TOKEN, seed_catalog(), state.path());
    let body = {
        fake.wait_until("identify", |f| f.identifies() == 1).await;
        fake.interact(fake::slash_command("about", &[])).await
    };
    assert_eq!(body["type"], 4);
    assert_eq!(registered(&fake.requests().await), 0);
    stop(bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_command_registration_does_not_stop_the_bot_answering() {
    let fake = FakeDiscord::start().await;
    fake.refuse_registration();
    let bot = start_bot(&fake, TOKEN);
    fake.wait_ready().await;
    let body = fake
        .interact(fake::slash_command(
            "quote",
            &[("query", "linchpin of peace")],
        ))
        .await;
    assert_eq!(body["type"], 4, "{body}");
    stop(bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_past_its_time_budget_gets_a_private_too_long_and_autocomplete_a_fallback_list() {
    let fake = FakeDiscord::start().await;
    let state = tempfile::tempdir().unwrap();
    // Every search waits until the end of the test: it exceeds any budget.
    let app = Arc::new(App::new(seed_catalog()));
    let closed = crate::support::hold_searches(&app);
    let budgets = TimeBudgets {
        search: Duration::from_millis(100),
        autocomplete: Duration::from_millis(100),
    };
    let bot = start_bot_budgeted(&fake, TOKEN, app, state.path(), budgets);
    fake.wait_ready().await;
    for (command, option) in [
        ("quote", "query"),
        ("fact", "query"),
        ("speaker", "name"),
        ("source", "query"),
        ("topic", "name"),
    ] {
        let body = fake
            .interact(fake::slash_command(
                command,
                &[(option, "optimistic future")],
            ))
            .await;
        assert_eq!(body["type"], 4, "{body}");
        assert_eq!(body["data"]["flags"], 64, "private: {body}");
        assert!(
            body["data"]["content"]
                .as_str()
                .unwrap()
                .contains("took too long"),
            "{body}"
        );
        assert_no_pings(&body);
    }
    // Autocomplete still answers, with the first entries instead of matches.
    let body = fake
        .interact(fake::autocomplete("quote", "query", "optimistic"))
        .await;
    assert_eq!(body["type"], 8, "{body}");
    let values: Vec<&str> = body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    let first: Vec<String> = seed_catalog()
        .entries()
        .filter(|e| e.kind() == quotebot::core::model::EntryKind::Quote)
        .take(values.len().max(1))
        .map(|e| e.id().to_string())
        .collect();
    assert_eq!(values, first);
    drop(closed);
    stop(bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citation_too_long_for_one_message_is_cut_inside_its_code_block_which_stays_closed() {
    let speakers = "[[speaker]]\nid = \"s\"\nname = \"한국어 화자\"\nrole = \"외교부 장관\"\n";
    let sources = format!(
        "[[source]]\nid = \"src\"\ntitle = \"{}\"\nurl = \"https://example.org/x\"\n",
        "제목 ".repeat(100)
    );
    let quotes = format!(
        "[[quote]]\nid = \"long\"\ntext = \"{}\"\nspeaker = \"s\"\nsource = \"src\"\n",
        "동맹은 굳건하다 ```. ".repeat(200)
    );
    let catalog =
        crate::support::parse(speakers, &sources, &quotes, crate::support::FACTS).unwrap();
    let fake = FakeDiscord::start().await;
    let state = tempfile::tempdir().unwrap();
    let bot = start_bot_with(&fake, TOKEN, catalog, state.path());
    fake.wait_ready().await;
    let body = fake.interact(fake::button("qb:cite:long", USER_ID)).await;
    let text = body["data"]["content"].as_str().unwrap();
    // Three citations (plain, Chicago, Markdown), each cut inside its own closed block.
    assert!(text.chars().count() <= 2000, "{text}");
    assert!(
        text.starts_with("**Plain text**\n```\n“동맹은 굳건하다 '''."),
        "{text}"
    );
    assert!(text.ends_with("…\n```"), "{text}");
    assert_eq!(text.matches("```").count(), 6, "{text}");
    assert!(
        text.contains("**Chicago**\n```\n한국어 화자, quoted in"),
        "{text}"
    );
    stop(bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interaction_with_an_escaped_lone_surrogate_does_not_stop_the_bot_answering() {
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake, TOKEN);
    fake.wait_ready().await;
    // JSON may escape half a surrogate pair, which no Rust string can hold.
    let bad = fake::slash_command("quote", &[("query", "LONE optimistic")]);
    fake.dispatch_text("INTERACTION_CREATE", bad, |t| t.replace("LONE", "\\ud800"))
        .await;
    let body = fake
        .interact(fake::slash_command(
            "quote",
            &[("query", "optimistic future")],
        ))
        .await;
    assert_eq!(body["type"], 4, "{body}");
    stop(bot).await;
}

/// The CLI's verdict for `claim`: its JSON object.
fn cli_verdict(claim: &str) -> Value {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_quotebot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--data", "data", "verify", "--json", claim])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Checks a verdict embed says what the CLI says: the same verdict, the same record.
fn assert_same_verdict(embed: &Value, cli: &Value) {
    let title = embed["title"].as_str().unwrap();
    assert!(
        cli["note"].as_str().unwrap().starts_with(title),
        "{embed} vs {cli}"
    );
    assert_eq!(
        embed["footer"]["text"],
        format!("id: {}", cli["record"].as_str().unwrap()),
        "{embed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_answers_privately_as_the_cli_does_and_share_posts_it_without_pings() {
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake, TOKEN);
    fake.wait_ready().await;
    let claim = "“the alliance between the United States and Korea remains more important than ever” *@everyone* <@42>";
    let body = fake
        .interact(fake::slash_command(
            "verify",
            &[("text", claim), ("speaker", "Blinken")],
        ))
        .await;
    assert_eq!(body["type"], 4, "{body}");
    assert_eq!(body["data"]["flags"], 64, "private by default: {body}");
    assert_no_pings(&body);
    let embed = body["data"]["embeds"][0].clone();
    assert_same_verdict(&embed, &cli_verdict(&format!("{claim} — Antony Blinken")));
    assert!(
        embed["title"]
            .as_str()
            .unwrap()
            .starts_with("The words were altered")
    );
    let description = embed["description"].as_str().unwrap();
    assert!(
        description.contains("~~essential~~ → **important**"),
        "{description}"
    );
    // The claim is escaped: no formatting or mention gets through.
    assert!(
        description.contains("\\*@\u{200B}everyone\\* \\<@\u{200B}42"),
        "{description}"
    );
    assert!(!description.contains("<@42>") && !description.contains("@everyone"));
    let button = &body["data"]["components"][0]["components"][0];
    let share = button["custom_id"].as_str().unwrap().to_string();
    assert!(share.starts_with("qb:share:"), "{button}");

    // Someone else cannot share it; its owner posts it in the channel, publicly, once.
    let other = fake.interact(fake::button(&share, OTHER_USER_ID)).await;
    assert_eq!(other["data"]["flags"], 64, "{other}");
    assert!(
        other["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Only the person who asked")
    );
    let shared = fake.interact(fake::button(&share, USER_ID)).await;
    assert_eq!(shared["type"], 4, "{shared}");
    assert_ne!(shared["data"]["flags"], 64, "public: {shared}");
    assert_no_pings(&shared);
    assert_eq!(shared["data"]["embeds"][0], embed);
    let again = fake.interact(fake::button(&share, USER_ID)).await;
    assert_eq!(again["data"]["flags"], 64, "{again}");
    stop(bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_quote_on_a_message_checks_its_text_as_the_cli_does() {
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake, TOKEN);
    fake.wait_ready().await;
    let text = "Blinken said “We’ve enhanced our extended deterrence”";
    let message = serde_json::json!({
        "id": "5555", "channel_id": fake::CHANNEL_ID.to_string(),
        "author": {"id": "42", "username": "someone", "discriminator": "0", "global_name": null, "avatar": null},
        "content": text, "timestamp": "2025-01-06T00:00:00.000000+00:00",
        "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 0
    });
    let mut command = fake::slash_command("verify", &[]);
    command["data"] = serde_json::json!({
        "id": "3", "name": "Verify quote", "type": 3, "target_id": "5555",
        "resolved": {"messages": {"5555": message}}
    });
    let body = fake.interact(command).await;
    assert_eq!(body["type"], 4, "{body}");
    assert_eq!(body["data"]["flags"], 64, "{body}");
    let embed = &body["data"]["embeds"][0];
    assert_same_verdict(embed, &cli_verdict(text));
    assert!(
        embed["title"]
            .as_str()
            .unwrap()
            .starts_with("These exact words are on record")
    );
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("Attribution confirmed"),
        "{embed}"
    );
    let button = &body["data"]["components"][0]["components"][0];
    let shared = fake
        .interact(fake::button(button["custom_id"].as_str().unwrap(), USER_ID))
        .await;
    assert_eq!(shared["data"]["embeds"][0], *embed);
    assert_no_pings(&shared);
    stop(bot).await;
}

/// The embed the bot posted is the view `want`, as the embed builder sends it.
fn assert_embed_is(embed: &Value, want: &quotebot::core::limits::EmbedView, claim: &str) {
    assert_eq!(embed["title"], want.title.as_str(), "{claim}");
    assert_eq!(embed["description"], want.description.as_str(), "{claim}");
    assert_eq!(embed["footer"]["text"], want.footer.as_str(), "{claim}");
    let fields: Vec<(String, String)> = want
        .fields
        .iter()
        .map(|f| (f.name.clone(), f.value.clone()))
        .collect();
    let posted: Vec<(String, String)> = embed["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| {
                    (
                        f["name"].as_str().unwrap().to_string(),
                        f["value"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(posted, fields, "{claim}");
}

/// A "Verify quote" interaction on a message whose text is `content`.
fn verify_quote_on(content: &str) -> Value {
    let message = serde_json::json!({
        "id": "5555", "channel_id": fake::CHANNEL_ID.to_string(),
        "author": {"id": "42", "username": "someone", "discriminator": "0", "global_name": null, "avatar": null},
        "content": content, "timestamp": "2025-01-06T00:00:00.000000+00:00",
        "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 0
    });
    let mut command = fake::slash_command("verify", &[]);
    command["data"] = serde_json::json!({
        "id": "3", "name": "Verify quote", "type": 3, "target_id": "5555",
        "resolved": {"messages": {"5555": message}}
    });
    command
}

/// The three ways to verify give the same verdict on every claim of the seed table: the CLI's
/// JSON has the table's match, attribution and record, and /verify (with the speaker option
/// when the table gives one) and "Verify quote" (on a message of the claim's text, when no
/// speaker is given apart) post exactly the embed of that verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_verify_quote_and_the_cli_give_the_same_verdict_on_every_claim() {
    use quotebot::core::{limits, render};
    let snapshot = quotebot::app::Snapshot::new(crate::support::seed_catalog());
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake, TOKEN);
    fake.wait_ready().await;
    let claims = crate::verify::seed_claims();
    let mut by_message = 0;
    for (claim, speaker, matched, attribution, record) in &claims {
        let mut args = vec!["--data", "data", "verify", "--json", claim];
        if let Some(speaker) = speaker {
            args.extend(["--speaker", speaker]);
        }
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_quotebot"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(&args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let cli: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(
            (&cli["match"], &cli["attribution"], &cli["record"]),
            (
                &Value::from(matched.as_str()),
                &Value::from(attribution.as_str()),
                &record.map_or(Value::Null, Value::from)
            ),
            "{claim}"
        );

        let verdict = snapshot.verify(claim, *speaker);
        assert_eq!(
            (verdict.matched, verdict.attribution),
            (*matched, *attribution)
        );
        let want = limits::fit_embed(&render::verdict_embed(&snapshot.catalog, &verdict));
        let mut options = vec![("text", *claim)];
        if let Some(speaker) = speaker {
            options.push(("speaker", *speaker));
        }
        let body = fake.interact(fake::slash_command("verify", &options)).await;
        assert_eq!(body["type"], 4, "{claim}: {body}");
        assert_embed_is(&body["data"]["embeds"][0], &want, claim);

        if speaker.is_none() {
            let body = fake.interact(verify_quote_on(claim)).await;
            assert_eq!(body["type"], 4, "{claim}: {body}");
            assert_embed_is(&body["data"]["embeds"][0], &want, claim);
            by_message += 1;
        }
    }
    assert!(
        by_message >= claims.len() - 3,
        "{by_message} of {}",
        claims.len()
    );
    stop(bot).await;
}
