//! Every state file the bot persists, damaged in every way we can think of: each failure is an
//! error naming the file and what is wrong, never a panic, and a missing file is the empty
//! state.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use quotebot::app::App;
use quotebot::config::{Config, Token};
use quotebot::store::{self, StateError};
use tokio::sync::oneshot;

use crate::fake_discord::{FakeDiscord, GUILD_ID};
use crate::support::seed_catalog;

/// How one state file is loaded, with its name: `Ok(true)` when it loaded as empty state.
type Loader = fn(&Path) -> Result<bool, StateError>;

fn files() -> Vec<(&'static str, Loader, &'static str)> {
    vec![
        (
            store::GUILD_SETTINGS,
            |d| store::load_guild_settings(d).map(|s| s.is_empty()),
            r#"{"5": {"channel": 55, "hour": 9, "minute": 30, "timezone": "Asia/Seoul"}}"#,
        ),
        (
            store::LEDGER,
            |d| store::load_ledgers(d).map(|l| l.is_empty()),
            r#"{"55": {"last_posted": "2025-01-07", "last_fact": "a", "cycle": 0, "posted": ["a"], "intent": null, "failed": null}}"#,
        ),
        (
            store::REGISTERED,
            |d| store::load_registration(d).map(|r| r.is_none()),
            r#"{"register": "guilds", "guilds": [1], "commands": []}"#,
        ),
    ]
}

#[test]
fn every_state_file_loads_when_valid_and_is_empty_state_when_missing() {
    for (name, load, valid) in files() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()), Ok(true), "{name} missing");
        std::fs::write(dir.path().join(name), valid).unwrap();
        assert_eq!(load(dir.path()), Ok(false), "{name} valid");
    }
}

#[test]
fn every_damaged_state_file_is_an_error_naming_the_file_and_the_problem() {
    // (file, what is written there, words the problem must contain)
    let mut cases: Vec<(&str, &str, &str)> = Vec::new();
    for (name, _, valid) in files() {
        cases.push((name, "", "is empty"));
        cases.push((name, "  \n", "is empty"));
        cases.push((name, &valid[..valid.len() / 2], "EOF while parsing"));
        cases.push((name, "\u{0}\u{1}garbage", "is not valid"));
        cases.push((name, "[1, 2, 3]", "is not"));
    }
    cases.extend([
        // Wrong types.
        (store::GUILD_SETTINGS, r#"{"5": {"channel": "55", "hour": 9, "minute": 0, "timezone": "UTC"}}"#, "invalid type"),
        (store::GUILD_SETTINGS, r#"{"5": {"channel": 55, "hour": -1, "minute": 0, "timezone": "UTC"}}"#, "invalid value"),
        (store::GUILD_SETTINGS, r#"{"five": {"channel": 55, "hour": 9, "minute": 0, "timezone": "UTC"}}"#, "is not valid"),
        (store::GUILD_SETTINGS, r#"{"5": {"channel": 55, "hour": 9}}"#, "missing field"),
        (store::LEDGER, r#"{"55": {"last_posted": "2025-13-40"}}"#, "is not valid"),
        (store::LEDGER, r#"{"55": {"cycle": "one"}}"#, "invalid type"),
        (store::LEDGER, r#"{"55": {"posted": "a"}}"#, "invalid type"),
        (store::REGISTERED, r#""just a string""#, "not a registration record"),
        (store::REGISTERED, r#"{"register": 1, "commands": []}"#, "not a registration record"),
        // Values out of range.
        (store::GUILD_SETTINGS, r#"{"5": {"channel": 55, "hour": 24, "minute": 0, "timezone": "UTC"}}"#, "server 5: hour 24"),
        (store::GUILD_SETTINGS, r#"{"5": {"channel": 55, "hour": 300, "minute": 0, "timezone": "UTC"}}"#, "is not valid"),
        (store::GUILD_SETTINGS, r#"{"5": {"channel": 55, "hour": 9, "minute": 60, "timezone": "UTC"}}"#, "server 5: minute 60"),
        (store::GUILD_SETTINGS, r#"{"5": {"channel": 55, "hour": 9, "minute": 0, "timezone": "Mars/Olympus"}}"#, "not an IANA time zone"),
        (store::GUILD_SETTINGS, r#"{"5": {"channel": 0, "hour": 9, "minute": 0, "timezone": "UTC"}}"#, "server 5: channel is 0"),
        (store::GUILD_SETTINGS, r#"{"0": {"channel": 55, "hour": 9, "minute": 0, "timezone": "UTC"}}"#, "server 0"),
        (store::LEDGER, r#"{"0": {}}"#, "channel 0"),
        (store::LEDGER, r#"{"55": {"intent": {"date": "2025-01-07", "fact": "a", "nonce": "012345678901234567890123456789"}}}"#, "channel 55: intent.nonce"),
        (store::LEDGER, r#"{"55": {"intent": {"date": "2025-01-07", "fact": "", "nonce": "n"}}}"#, "intent.fact is empty"),
        (store::LEDGER, r#"{"55": {"posted": [""]}}"#, "empty fact id"),
    ]);
    let loaders: std::collections::HashMap<&str, Loader> =
        files().into_iter().map(|(n, l, _)| (n, l)).collect();
    for (name, text, words) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), text).unwrap();
        let error = loaders[name](dir.path()).expect_err(&format!("{name}: {text:?}"));
        assert_eq!(error.path, dir.path().join(name), "{text:?}");
        assert!(
            error
                .to_string()
                .starts_with(&dir.path().join(name).display().to_string()),
            "{error}"
        );
        assert!(error.problem.contains(words), "{name} {text:?}: {error}");
    }
}

#[test]
fn an_unreadable_state_file_is_an_error_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    for (name, load, valid) in files() {
        // A directory where the file should be: unreadable even to root.
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(name)).unwrap();
        let error = load(dir.path()).expect_err(name);
        assert!(error.problem.starts_with("cannot be read"), "{error}");
        assert_eq!(error.path, dir.path().join(name));
        // No permission (not enforced for root, which reads anything).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, valid).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&path).is_err() {
            let error = load(dir.path()).expect_err(name);
            assert!(error.problem.contains("ermission denied"), "{error}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_registration_record_is_reported_and_replaced_by_registering_again() {
    let state = tempfile::tempdir().unwrap();
    let record = state.path().join(store::REGISTERED);
    std::fs::write(&record, "{\"register\": \"gui").unwrap();
    let fake = FakeDiscord::start().await;
    let mut config = Config::default();
    config.discord.api_base = fake.api_base().parse().unwrap();
    config.discord.guilds = vec![GUILD_ID];
    config.state_dir = state.path().to_path_buf();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(quotebot::discord::run(
        config,
        Token::new("state-test-token".into()),
        Arc::new(App::new(seed_catalog())),
        async move {
            let _ = stopped.await;
        },
    ));
    fake.wait_ready().await;
    fake.wait_until("the record is rewritten", |_| {
        store::load_registration(state.path()).is_ok_and(|r| r.is_some())
    })
    .await;
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[test]
fn a_ledger_at_the_highest_cycle_number_loads_and_still_posts_the_next_fact_without_a_panic() {
    use quotebot::core::schedule::{ChannelSchedule, Decision, decide, with_posted};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(store::LEDGER),
        r#"{"55": {"last_posted": "2025-01-06", "last_fact": "b", "cycle": 4294967295, "posted": ["a", "b"]}}"#,
    )
    .unwrap();
    let ledgers = store::load_ledgers(dir.path()).expect("a ledger the program could write");
    let ledger = &ledgers[&55];
    let schedule = ChannelSchedule {
        channel: 55,
        time: jiff::civil::time(9, 0, 0, 0),
        time_zone: jiff::tz::TimeZone::UTC,
    };
    let facts = ["a", "b"];
    let now = "2025-01-07T10:00:00Z".parse().unwrap();
    let Decision::Post(post) = decide(&schedule, ledger, &facts, now) else {
        panic!("a fact is due")
    };
    assert_eq!(
        post.fact, "a",
        "a new cycle, not opening with the last fact"
    );
    let next = with_posted(ledger, &post, &facts);
    assert_eq!(next.posted, vec!["a".to_string()]);
    assert_ne!(next.cycle, ledger.cycle, "a new cycle");
}
