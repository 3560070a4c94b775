//! Fact of the day over simulated days and restarts (tokio's paused clock and an injected wall
//! clock), and end to end through the fake Discord.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{oneshot, watch};

use quotebot::app::App;
use quotebot::clock::Clock;
use quotebot::config::{Config, FactOfTheDay, Token};
use quotebot::core::limits::EmbedView;
use quotebot::core::schedule::{ChannelSchedule, local_date};
use quotebot::discord::RunOptions;
use quotebot::scheduler::{Poster, Scheduler, SendError};

use crate::fake_discord::{FakeDiscord, GUILD_ID};
use crate::support::seed_catalog;

/// Wall time that moves with tokio's (paused, auto-advancing) clock.
#[derive(Clone)]
struct TestClock {
    base: Timestamp,
    start: tokio::time::Instant,
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        self.base + self.start.elapsed()
    }
}

/// Records posts; can refuse the next ones with a chosen error.
#[derive(Clone, Default)]
struct RecordingPoster {
    sent: Arc<Mutex<Vec<(u64, String, Timestamp)>>>,
    failures: Arc<Mutex<Vec<SendError>>>,
    clock: Arc<Mutex<Option<TestClock>>>,
}

impl Poster for RecordingPoster {
    async fn post(&self, channel: u64, view: EmbedView, _nonce: String) -> Result<(), SendError> {
        if let Some(error) = self.failures.lock().unwrap().pop() {
            return Err(error);
        }
        let now = self.clock.lock().unwrap().as_ref().unwrap().now();
        self.sent.lock().unwrap().push((channel, view.title, now));
        Ok(())
    }
}

fn schedules() -> Vec<ChannelSchedule> {
    vec![
        ChannelSchedule {
            channel: 1,
            hour: 9,
            minute: 0,
            time_zone: jiff::tz::TimeZone::get("Asia/Seoul").unwrap(),
        },
        ChannelSchedule {
            channel: 2,
            hour: 2,
            minute: 30,
            time_zone: jiff::tz::TimeZone::get("America/New_York").unwrap(),
        },
    ]
}

/// Runs the scheduler for `days` of simulated time, then stops it.
async fn run_for(
    poster: &RecordingPoster,
    clock: &TestClock,
    state: &std::path::Path,
    duration: Duration,
) {
    *poster.clock.lock().unwrap() = Some(clock.clone());
    let (stop, stopped) = watch::channel(false);
    let scheduler = Scheduler {
        schedules: schedules(),
        guilds: Default::default(),
        app: Arc::new(App::new(seed_catalog())),
        state_dir: state.to_path_buf(),
        poster: poster.clone(),
        clock: clock.clone(),
    };
    let task = tokio::spawn(scheduler.run(stopped));
    tokio::time::sleep(duration).await;
    stop.send(true).unwrap();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn one_post_per_channel_per_local_day_across_restarts_and_dst() {
    let state = tempfile::tempdir().unwrap();
    let poster = RecordingPoster::default();
    // Starts the day before New York springs forward (2025-03-09); runs 5 days in pieces,
    // restarting at awkward moments, including exactly at a post time.
    let start: Timestamp = "2025-03-07T12:00:00Z".parse().unwrap();
    let clock = TestClock {
        base: start,
        start: tokio::time::Instant::now(),
    };
    let pieces = [
        Duration::from_secs(11 * 3600), // to 23:00Z: Seoul's 09:00 of the 8th is 00:00Z
        Duration::from_secs(3600),      // restart exactly at Seoul's post time
        Duration::from_secs(30 * 3600),
        Duration::from_secs(7),             // a short run
        Duration::from_secs(3 * 24 * 3600), // then days on end
    ];
    for piece in pieces {
        run_for(&poster, &clock, state.path(), piece).await;
    }
    let sent = poster.sent.lock().unwrap().clone();
    let mut per_day: BTreeMap<(u64, String), usize> = BTreeMap::new();
    let all = schedules();
    for (channel, _, at) in &sent {
        let zone = &all
            .iter()
            .find(|s| s.channel == *channel)
            .unwrap()
            .time_zone;
        *per_day
            .entry((*channel, local_date(*at, zone).to_string()))
            .or_default() += 1;
    }
    assert!(per_day.values().all(|n| *n == 1), "{per_day:#?}");
    // Seoul: the 7th (started after 09:00 KST: one catch-up) through the 12th.
    let seoul: Vec<&String> = per_day
        .keys()
        .filter(|(c, _)| *c == 1)
        .map(|(_, d)| d)
        .collect();
    assert_eq!(
        seoul,
        [
            "2025-03-07",
            "2025-03-08",
            "2025-03-09",
            "2025-03-10",
            "2025-03-11",
            "2025-03-12"
        ]
    );
    // New York's spring-forward day posts at 03:00 EDT, the first valid instant after 02:30.
    let ny_on_9th = sent
        .iter()
        .find(|(c, _, at)| {
            *c == 2 && local_date(*at, &schedules()[1].time_zone).to_string() == "2025-03-09"
        })
        .expect("a post on the spring-forward day");
    assert!(ny_on_9th.2 >= "2025-03-09T07:00:00Z".parse::<Timestamp>().unwrap());
    assert!(
        ny_on_9th.2 < "2025-03-09T07:01:01Z".parse::<Timestamp>().unwrap(),
        "{}",
        ny_on_9th.2
    );
    // The five facts rotate without repeats within a cycle.
    let seoul_titles: Vec<&String> = sent
        .iter()
        .filter(|(c, _, _)| *c == 1)
        .map(|(_, t, _)| t)
        .collect();
    let first_five: std::collections::HashSet<_> = seoul_titles.iter().take(5).collect();
    assert_eq!(first_five.len(), 5, "{seoul_titles:#?}");
}

#[tokio::test(start_paused = true)]
async fn rate_limits_and_server_errors_are_retried_refusals_wait_for_tomorrow() {
    let state = tempfile::tempdir().unwrap();
    let poster = RecordingPoster::default();
    let clock = TestClock {
        // 09:00:30 in Seoul (New York, 19:00 the day before, also catches up).
        base: "2025-01-07T00:00:30Z".parse().unwrap(),
        start: tokio::time::Instant::now(),
    };
    *poster.failures.lock().unwrap() = vec![
        SendError::Transient("HTTP 502".into()),
        SendError::RetryAfter(Duration::from_millis(300)),
    ];
    run_for(&poster, &clock, state.path(), Duration::from_secs(120)).await;
    let seoul = |p: &RecordingPoster| {
        p.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|(c, _, _)| *c == 1)
            .count()
    };
    assert_eq!(seoul(&poster), 1, "one message after a 429 and a 502");
    assert_eq!(poster.sent.lock().unwrap().len(), 2);

    // Refused (403/404): no retry today, a post tomorrow.
    let state = tempfile::tempdir().unwrap();
    let poster = RecordingPoster::default();
    *poster.failures.lock().unwrap() = vec![SendError::Refused("HTTP 403".into())];
    let clock = TestClock {
        base: "2025-01-07T00:00:30Z".parse().unwrap(),
        start: tokio::time::Instant::now(),
    };
    run_for(
        &poster,
        &clock,
        state.path(),
        Duration::from_secs(23 * 3600),
    )
    .await;
    assert!(
        poster.sent.lock().unwrap().iter().all(|(c, _, _)| *c != 1),
        "no Seoul post on the refused day"
    );
    run_for(&poster, &clock, state.path(), Duration::from_secs(2 * 3600)).await;
    assert_eq!(
        poster
            .sent
            .lock()
            .unwrap()
            .iter()
            .filter(|(c, _, _)| *c == 1)
            .count(),
        1
    );
}

/// A wall clock that stands still.
struct FixedClock(Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

fn bot_config(fake: &FakeDiscord, state: &std::path::Path) -> Config {
    let mut config = Config::default();
    config.discord.api_base = fake.api_base();
    config.discord.guilds = vec![GUILD_ID];
    config.state_dir = state.to_path_buf();
    config.fact_of_the_day = vec![FactOfTheDay {
        channel: 777,
        time: (9, 0),
        timezone: "Asia/Seoul".into(),
    }];
    config
}

async fn run_bot_until_posts(fake: &FakeDiscord, state: &std::path::Path, wait_for_post: bool) {
    let (stop, stopped) = oneshot::channel::<()>();
    let options = RunOptions {
        clock: Arc::new(FixedClock("2025-01-07T00:00:00Z".parse().unwrap())),
        ..Default::default()
    };
    let task = tokio::spawn(quotebot::discord::run_with(
        bot_config(fake, state),
        Token::new("fotd-test-token".into()),
        Arc::new(App::new(seed_catalog())),
        options,
        async move {
            let _ = stopped.await;
        },
    ));
    fake.wait_until("identify", |f| f.identifies() >= 1).await;
    if wait_for_post {
        fake.wait_for("a message post", |r| {
            r.method == "POST" && r.path == "/api/v10/channels/777/messages"
        })
        .await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_one_post_per_day_through_the_fake_discord_across_a_restart_and_a_429() {
    let state = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start().await;
    fake.rate_limit_next_messages(1);
    run_bot_until_posts(&fake, state.path(), true).await;
    // Restarted at the same moment of the same day: nothing more is posted.
    run_bot_until_posts(&fake, state.path(), false).await;
    let posts: Vec<_> = fake
        .requests()
        .await
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.contains("/channels/"))
        .collect();
    assert_eq!(
        posts.len(),
        2,
        "one refused with 429, one accepted: {posts:#?}"
    );
    let body = &posts[1].body;
    assert_eq!(body["enforce_nonce"], true);
    assert_eq!(
        posts[0].body["nonce"], body["nonce"],
        "the retry reuses the nonce"
    );
    assert_eq!(body["allowed_mentions"]["parse"], serde_json::json!([]));
    assert!(
        body["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Fact of the day, 2025-01-07")
    );
}

fn fotd_command(sub: &str, options: serde_json::Value, permissions: &str) -> serde_json::Value {
    crate::fake_discord::command_with(
        serde_json::json!({
            "id": "1", "name": "fotd", "type": 1,
            "options": [{"name": sub, "type": 1, "options": options}],
            "resolved": {"channels": {"888": {"id": "888", "name": "facts", "type": 0, "permissions": "0"}}}
        }),
        permissions,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_managers_set_show_and_stop_the_fact_of_the_day_from_discord() {
    let state = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start().await;
    let (stop, stopped) = oneshot::channel::<()>();
    let mut config = bot_config(&fake, state.path());
    config.fact_of_the_day.clear();
    let options = RunOptions {
        clock: Arc::new(FixedClock("2025-01-07T00:00:00Z".parse().unwrap())),
        ..Default::default()
    };
    let task = tokio::spawn(quotebot::discord::run_with(
        config,
        Token::new("fotd-test-token".into()),
        Arc::new(App::new(seed_catalog())),
        options,
        async move {
            let _ = stopped.await;
        },
    ));
    fake.wait_ready().await;
    let set = serde_json::json!([
        {"name": "channel", "type": 7, "value": "888"},
        {"name": "time", "type": 3, "value": "09:00"},
        {"name": "timezone", "type": 3, "value": "Asia/Seoul"}
    ]);
    // Without Manage Server: refused, nothing saved.
    let body = fake.interact(fotd_command("set", set.clone(), "0")).await;
    assert_eq!(body["data"]["flags"], 64, "{body}");
    assert!(!state.path().join("fotd-guilds.json").exists());

    // Bad input is explained, nothing saved.
    let bad = serde_json::json!([
        {"name": "channel", "type": 7, "value": "888"},
        {"name": "time", "type": 3, "value": "9am"},
        {"name": "timezone", "type": 3, "value": "Asia/Seoul"}
    ]);
    let body = fake.interact(fotd_command("set", bad, "32")).await;
    assert!(
        body["data"]["content"].as_str().unwrap().contains("HH:MM"),
        "{body}"
    );
    assert!(!state.path().join("fotd-guilds.json").exists());

    // A manager (Manage Server = 32) sets it: saved, and the post follows (09:00 in Seoul now).
    let body = fake.interact(fotd_command("set", set, "32")).await;
    let text = body["data"]["content"].as_str().unwrap();
    assert!(text.contains("<#888> at 09:00 Asia/Seoul"), "{text}");
    assert!(text.contains("<t:"), "a Discord timestamp: {text}");
    let saved = std::fs::read_to_string(state.path().join("fotd-guilds.json")).unwrap();
    assert!(saved.contains("Asia/Seoul"));
    fake.wait_for("the post", |r| {
        r.method == "POST" && r.path == "/api/v10/channels/888/messages"
    })
    .await;
    // The ledger is written once Discord has answered.
    let ledger = state.path().join("fotd-ledger.json");
    fake.wait_until("the ledger records the post", |_| {
        std::fs::read_to_string(&ledger)
            .is_ok_and(|t| t.contains("\"last_posted\": \"2025-01-07\""))
    })
    .await;

    // Show tells the next time: tomorrow, since today's is posted.
    let body = fake
        .interact(fotd_command("show", serde_json::json!([]), "32"))
        .await;
    let text = body["data"]["content"].as_str().unwrap();
    let tomorrow = "2025-01-08T00:00:00Z"
        .parse::<Timestamp>()
        .unwrap()
        .as_second();
    assert!(text.contains(&format!("<t:{tomorrow}:F>")), "{text}");

    let body = fake
        .interact(fotd_command("off", serde_json::json!([]), "32"))
        .await;
    assert!(body["data"]["content"].as_str().unwrap().contains("off"));
    let saved = std::fs::read_to_string(state.path().join("fotd-guilds.json")).unwrap();
    assert!(!saved.contains("Asia/Seoul"));
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
