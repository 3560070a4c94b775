//! Fact of the day over simulated days and restarts (tokio's paused clock and an injected wall
//! clock), and end to end through the fake Discord.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{oneshot, watch};

use quotebot::app::App;
use quotebot::clock::Clock;
use quotebot::config::{Config, Token};
use quotebot::core::limits::EmbedView;
use quotebot::core::schedule::GuildSetting;
use quotebot::core::schedule::{ChannelSchedule, local_date};
use quotebot::discord::{RunOptions, Sharding};
use quotebot::scheduler::{GuildSchedules, Poster, Scheduler, SendError, ShardRange};

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
            time: jiff::civil::time(9, 0, 0, 0),
            time_zone: jiff::tz::TimeZone::get("Asia/Seoul").unwrap(),
        },
        ChannelSchedule {
            channel: 2,
            time: jiff::civil::time(2, 30, 0, 0),
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
        shards: None,
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
        SendError::RateLimited {
            after: Duration::from_millis(300),
            global: false,
        },
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
    config.discord.api_base = fake.api_base().parse().unwrap();
    config.discord.guilds = vec![GUILD_ID];
    config.state_dir = state.to_path_buf();
    config.fact_of_the_day = vec![ChannelSchedule {
        channel: 777,
        time: jiff::civil::time(9, 0, 0, 0),
        time_zone: jiff::tz::TimeZone::get("Asia/Seoul").unwrap(),
    }];
    config
}

/// Runs the bot at 09:00 in Seoul on 2025-01-07 until it has posted (`wait_for_post`) or has
/// decided not to, then stops it.
async fn run_bot_until_posts(fake: &FakeDiscord, state: &std::path::Path, wait_for_post: bool) {
    use std::os::unix::fs::MetadataExt;
    let ledger = state.join("fotd-ledger.json");
    let ledger_file = || std::fs::metadata(&ledger).map(|m| m.ino()).ok();
    let before = ledger_file();
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
        // Posted once the ledger says so: Discord has answered (after any retry).
        fake.wait_until("the ledger records the post", |_| {
            std::fs::read_to_string(&ledger)
                .is_ok_and(|t| t.contains("\"last_posted\": \"2025-01-07\""))
        })
        .await;
    }
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    // The bot stops only after the fact-of-the-day task, which saves its ledger (a new file)
    // only once it has decided what is due: so it did decide, and anything it posted is seen.
    assert_ne!(
        ledger_file(),
        before,
        "the fact-of-the-day task decided before the bot stopped"
    );
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
            "resolved": {"channels": {
                "888": {"id": "888", "name": "facts", "type": 0, "permissions": "0"},
                "999": {"id": "999", "name": "elsewhere", "type": 0, "permissions": "0"}
            }}
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

/// Log lines written while the guard lives (on this thread: the paused-clock tests run their
/// tasks on it).
fn capture_logs() -> (tracing::subscriber::DefaultGuard, Arc<Mutex<Vec<u8>>>) {
    #[derive(Clone)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let lines = Arc::new(Mutex::new(Vec::new()));
    let writer = Buffer(lines.clone());
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    (tracing::subscriber::set_default(subscriber), lines)
}

fn logged(lines: &Arc<Mutex<Vec<u8>>>) -> String {
    String::from_utf8_lossy(&lines.lock().unwrap()).into_owned()
}

/// Starts the scheduler with the test's channels (and `guilds`) at `clock`; returns what
/// stops it.
fn start_scheduler(
    poster: &RecordingPoster,
    clock: &TestClock,
    state: &std::path::Path,
    guilds: Arc<GuildSchedules>,
) -> (watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    *poster.clock.lock().unwrap() = Some(clock.clone());
    let (stop, stopped) = watch::channel(false);
    let scheduler = Scheduler {
        schedules: schedules(),
        guilds,
        app: Arc::new(App::new(seed_catalog())),
        state_dir: state.to_path_buf(),
        poster: poster.clone(),
        clock: clock.clone(),
        shards: None,
    };
    (stop, tokio::spawn(scheduler.run(stopped)))
}

fn posts_to(poster: &RecordingPoster, channel: u64) -> usize {
    poster
        .sent
        .lock()
        .unwrap()
        .iter()
        .filter(|(c, _, _)| *c == channel)
        .count()
}

#[tokio::test(start_paused = true)]
async fn a_ledger_dated_in_the_future_is_reported_and_today_still_posts() {
    let (_guard, logs) = capture_logs();
    let state = tempfile::tempdir().unwrap();
    // Written while the clock ran years ahead.
    std::fs::write(
        state.path().join("fotd-ledger.json"),
        r#"{"1": {"last_posted": "2031-05-01", "last_fact": "us-second-largest-investor-in-rok", "cycle": 0, "posted": ["us-second-largest-investor-in-rok"]}}"#,
    )
    .unwrap();
    let poster = RecordingPoster::default();
    let clock = TestClock {
        base: "2025-01-07T00:00:30Z".parse().unwrap(),
        start: tokio::time::Instant::now(),
    };
    run_for(&poster, &clock, state.path(), Duration::from_secs(120)).await;
    assert_eq!(posts_to(&poster, 1), 1, "today's post is made");
    let text = logged(&logs);
    assert!(
        text.lines().any(|l| l.contains("WARN")
            && l.contains("channel=1")
            && l.contains("last_posted=2031-05-01")
            && l.contains("dated after today")),
        "{text}"
    );
    let ledger = std::fs::read_to_string(state.path().join("fotd-ledger.json")).unwrap();
    assert!(
        ledger.contains("\"last_posted\": \"2025-01-07\""),
        "{ledger}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_ledger_pauses_posting_says_why_and_resumes_once_fixed() {
    let state = tempfile::tempdir().unwrap();
    // Unreadable even to root: a directory where the file should be.
    let ledger = state.path().join("fotd-ledger.json");
    std::fs::create_dir(&ledger).unwrap();
    let poster = RecordingPoster::default();
    let clock = TestClock {
        base: "2025-01-07T00:00:30Z".parse().unwrap(),
        start: tokio::time::Instant::now(),
    };
    let guilds = Arc::new(GuildSchedules::default());
    let (stop, task) = start_scheduler(&poster, &clock, state.path(), guilds.clone());
    tokio::time::sleep(Duration::from_secs(30)).await;
    let problem = guilds
        .ledger_problem()
        .expect("the problem is kept for /fotd and /about");
    assert_eq!(problem.path, ledger);
    assert!(
        problem
            .brief()
            .starts_with("fotd-ledger.json: cannot be read"),
        "{problem}"
    );
    assert!(
        poster.sent.lock().unwrap().is_empty(),
        "nothing posted without a ledger"
    );
    // The operator moves it aside: the next read finds no ledger, and posting resumes.
    std::fs::remove_dir(&ledger).unwrap();
    tokio::time::sleep(Duration::from_secs(61)).await;
    assert!(guilds.ledger_problem().is_none());
    assert_eq!(posts_to(&poster, 1), 1);
    stop.send(true).unwrap();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_settings_file_out_of_range_is_reported_never_panics_and_is_read_again_once_fixed() {
    let state = tempfile::tempdir().unwrap();
    let path = state.path().join("fotd-guilds.json");
    std::fs::write(
        &path,
        r#"{"5": {"channel": 55, "hour": 24, "minute": 0, "timezone": "UTC"}}"#,
    )
    .unwrap();
    let guilds = Arc::new(GuildSchedules::loaded(
        quotebot::store::load_guild_settings(state.path()),
    ));
    let problem = guilds.settings_problem().expect("reported");
    assert_eq!(problem.path, path);
    assert!(problem.problem.contains("server 5: hour 24"), "{problem}");
    // Changes are refused: saving would drop every other server's setting.
    let refused = guilds.change(5, None, |_| panic!("nothing is saved"));
    assert!(matches!(
        refused,
        Err(quotebot::scheduler::ChangeError::Unavailable(_))
    ));
    let poster = RecordingPoster::default();
    let clock = TestClock {
        base: "2025-01-07T00:00:30Z".parse().unwrap(),
        start: tokio::time::Instant::now(),
    };
    let (stop, task) = start_scheduler(&poster, &clock, state.path(), guilds.clone());
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(
        posts_to(&poster, 1),
        1,
        "the configured channels still post"
    );
    assert_eq!(posts_to(&poster, 55), 0);
    std::fs::write(
        &path,
        r#"{"5": {"channel": 55, "hour": 0, "minute": 0, "timezone": "UTC"}}"#,
    )
    .unwrap();
    tokio::time::sleep(Duration::from_secs(61)).await;
    assert!(guilds.settings_problem().is_none());
    assert_eq!(posts_to(&poster, 55), 1, "the fixed server's channel posts");
    stop.send(true).unwrap();
    task.await.unwrap();
}

#[test]
fn two_servers_changing_their_settings_at_once_both_keep_them() {
    let state = tempfile::tempdir().unwrap();
    let guilds = Arc::new(GuildSchedules::default());
    let threads: Vec<_> = (1..=16u64)
        .map(|guild| {
            let guilds = guilds.clone();
            let dir = state.path().to_path_buf();
            std::thread::spawn(move || {
                let setting = GuildSetting {
                    channel: guild * 100,
                    hour: 9,
                    minute: 0,
                    timezone: "UTC".into(),
                };
                guilds
                    .change(guild, Some(setting), |all| {
                        quotebot::store::save_guild_settings(&dir, all)
                    })
                    .unwrap();
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let saved = quotebot::store::load_guild_settings(state.path()).unwrap();
    assert_eq!(saved.len(), 16, "{saved:?}");
}

#[test]
fn discord_refusals_are_sorted_by_whose_problem_they_are() {
    use quotebot::discord::send_error;
    let limited = |after: f64, global| SendError::RateLimited {
        after: Duration::from_secs_f64(after),
        global,
    };
    // (status, Retry-After header, X-RateLimit-Global header, body, meaning)
    type Case<'a> = (u16, Option<&'a str>, Option<&'a str>, &'a str, SendError);
    let cases: Vec<Case> = vec![
        (
            429,
            None,
            None,
            r#"{"retry_after": 2.5, "global": false}"#,
            limited(2.5, false),
        ),
        (
            429,
            None,
            None,
            r#"{"retry_after": 7, "global": true}"#,
            limited(7.0, true),
        ),
        (429, Some("3"), Some("true"), "", limited(3.0, true)),
        (429, None, None, "", limited(1.0, false)),
        (502, None, None, "", SendError::Transient("HTTP 502".into())),
    ];
    for (status, header, global, body, want) in cases {
        assert_eq!(
            send_error(status, header, global, body.as_bytes()),
            want,
            "{status} {body}"
        );
    }
    assert!(matches!(
        send_error(400, None, None, br#"{"message": "Invalid Form Body", "code": 50035}"#),
        SendError::Rejected(m) if m.contains("Invalid Form Body")
    ));
    for (status, body) in [(403, "Missing Access"), (404, "Unknown Channel")] {
        let json = format!(r#"{{"message": "{body}"}}"#);
        assert!(matches!(
            send_error(status, None, None, json.as_bytes()),
            SendError::Refused(m) if m.contains(body)
        ));
    }
    assert!(matches!(
        send_error(
            400,
            None,
            None,
            br#"{"message": "Cannot send messages in a non-text channel", "code": 50008}"#
        ),
        SendError::Refused(_)
    ));
}

/// Runs the bot (config channel 777, and `options`) until `done` holds, then stops it.
async fn run_bot_until(config: Config, at: &str, sharding: Sharding, done: impl AsyncFnOnce()) {
    let (stop, stopped) = oneshot::channel::<()>();
    let options = RunOptions {
        clock: Arc::new(FixedClock(at.parse().unwrap())),
        sharding,
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
    done().await;
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

async fn message_posts(fake: &FakeDiscord, channel: u64) -> Vec<crate::fake_discord::Recorded> {
    let path = format!("/api/v10/channels/{channel}/messages");
    fake.requests()
        .await
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fact_discord_refuses_is_skipped_the_next_posted_and_not_retried_the_next_day() {
    let state = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start().await;
    fake.reject_next_messages(1);
    let ledger = state.path().join("fotd-ledger.json");
    let config = bot_config(&fake, state.path());
    run_bot_until(
        config.clone(),
        "2025-01-07T00:00:00Z",
        Sharding::Auto,
        async || {
            fake.wait_until("the refused fact and the next one", |_| {
                std::fs::read_to_string(&ledger)
                    .is_ok_and(|t| t.contains("\"last_posted\": \"2025-01-07\""))
            })
            .await;
        },
    )
    .await;
    run_bot_until(config, "2025-01-08T00:00:00Z", Sharding::Auto, async || {
        fake.wait_until("the next day's post", |_| {
            std::fs::read_to_string(&ledger)
                .is_ok_and(|t| t.contains("\"last_posted\": \"2025-01-08\""))
        })
        .await;
    })
    .await;
    let posts = message_posts(&fake, 777).await;
    let fact = |i: usize| posts[i].body["embeds"][0]["description"].to_string();
    assert_eq!(
        posts.len(),
        3,
        "refused, its replacement, the next day's: {posts:#?}"
    );
    assert_ne!(fact(1), fact(0), "the refused fact is skipped the same day");
    assert_ne!(fact(2), fact(0), "and not tried again the next day");
    assert!(
        posts[1].body["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("2025-01-07")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_waited_out_as_long_as_discord_asks() {
    let state = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start().await;
    fake.rate_limit_next_messages_for(1, 2.5, false);
    let ledger = state.path().join("fotd-ledger.json");
    run_bot_until(
        bot_config(&fake, state.path()),
        "2025-01-07T00:00:00Z",
        Sharding::Auto,
        async || {
            fake.wait_until("the post after the 429", |_| {
                std::fs::read_to_string(&ledger)
                    .is_ok_and(|t| t.contains("\"last_posted\": \"2025-01-07\""))
            })
            .await;
        },
    )
    .await;
    let posts = message_posts(&fake, 777).await;
    assert_eq!(posts.len(), 2, "{posts:#?}");
    let waited = posts[1].at - posts[0].at;
    assert!(
        waited >= Duration::from_millis(2500),
        "retried after {waited:?}"
    );
}

fn set_options(channel: &str) -> serde_json::Value {
    serde_json::json!([
        {"name": "channel", "type": 7, "value": channel},
        {"name": "time", "type": 3, "value": "09:00"},
        {"name": "timezone", "type": 3, "value": "Asia/Seoul"}
    ])
}

fn reply(body: &serde_json::Value) -> String {
    body["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fotd_set_refuses_a_channel_of_another_server() {
    let state = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start().await;
    fake.set_channel_guild(999, 12_345);
    let mut config = bot_config(&fake, state.path());
    config.fact_of_the_day.clear();
    run_bot_until(config, "2025-01-07T00:00:00Z", Sharding::Auto, async || {
        fake.wait_ready().await;
        let body = fake
            .interact(fotd_command("set", set_options("999"), "32"))
            .await;
        assert_eq!(body["data"]["flags"], 64, "{body}");
        assert!(
            reply(&body).contains("not a channel of this server"),
            "{body}"
        );
        assert!(!state.path().join("fotd-guilds.json").exists());
        // This server's own channel is accepted.
        let body = fake
            .interact(fotd_command("set", set_options("888"), "32"))
            .await;
        assert!(reply(&body).contains("<#888> at 09:00"), "{body}");
    })
    .await;
    let saved = quotebot::store::load_guild_settings(state.path()).unwrap();
    assert_eq!(saved[&GUILD_ID].channel, 888);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settings_file_with_an_hour_of_24_is_shown_to_fotd_and_about_and_configured_channels_still_post()
 {
    let state = tempfile::tempdir().unwrap();
    let bad = format!(
        r#"{{"{GUILD_ID}": {{"channel": 888, "hour": 24, "minute": 0, "timezone": "Asia/Seoul"}}}}"#
    );
    std::fs::write(state.path().join("fotd-guilds.json"), &bad).unwrap();
    let fake = FakeDiscord::start().await;
    run_bot_until(
        bot_config(&fake, state.path()),
        "2025-01-07T00:00:00Z",
        Sharding::Auto,
        async || {
            fake.wait_ready().await;
            fake.wait_for("the configured channel's post", |r| {
                r.method == "POST" && r.path == "/api/v10/channels/777/messages"
            })
            .await;
            let about = reply(
                &fake
                    .interact(crate::fake_discord::slash_command("about", &[]))
                    .await,
            );
            assert!(about.contains("fotd-guilds.json: server"), "{about}");
            assert!(about.contains("hour 24"), "{about}");
            let show = reply(
                &fake
                    .interact(fotd_command("show", serde_json::json!([]), "32"))
                    .await,
            );
            assert!(
                show.contains("fotd-guilds.json") && show.contains("hour 24"),
                "{show}"
            );
            let set = reply(
                &fake
                    .interact(fotd_command("set", set_options("888"), "32"))
                    .await,
            );
            assert!(set.contains("nothing changed"), "{set}");
            let off = reply(
                &fake
                    .interact(fotd_command("off", serde_json::json!([]), "32"))
                    .await,
            );
            assert!(off.contains("nothing changed"), "{off}");
        },
    )
    .await;
    assert_eq!(
        std::fs::read_to_string(state.path().join("fotd-guilds.json")).unwrap(),
        bad,
        "the file is left for the operator to fix"
    );
    assert!(message_posts(&fake, 888).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_ledger_is_shown_by_fotd_set_fotd_show_and_about() {
    let state = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(state.path().join("fotd-ledger.json")).unwrap();
    let fake = FakeDiscord::start().await;
    let mut config = bot_config(&fake, state.path());
    config.fact_of_the_day.clear();
    run_bot_until(config, "2025-01-07T00:00:00Z", Sharding::Auto, async || {
        fake.wait_ready().await;
        let set = reply(
            &fake
                .interact(fotd_command("set", set_options("888"), "32"))
                .await,
        );
        assert!(set.contains("<#888> at 09:00"), "saved: {set}");
        assert!(
            set.contains("Paused") && set.contains("fotd-ledger.json"),
            "{set}"
        );
        let show = reply(
            &fake
                .interact(fotd_command("show", serde_json::json!([]), "32"))
                .await,
        );
        assert!(
            show.contains("Paused") && show.contains("fotd-ledger.json"),
            "{show}"
        );
        let about = reply(
            &fake
                .interact(crate::fake_discord::slash_command("about", &[]))
                .await,
        );
        assert!(
            about.contains("Paused") && about.contains("fotd-ledger.json"),
            "{about}"
        );
    })
    .await;
    assert!(message_posts(&fake, 888).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_different_shards_post_a_channel_once() {
    let fake = FakeDiscord::start().await;
    let states = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let owner = ((GUILD_ID >> 22) % 2) as usize;
    let mut runs = Vec::new();
    for (shard, state) in states.iter().enumerate() {
        let (stop, stopped) = oneshot::channel::<()>();
        let options = RunOptions {
            clock: Arc::new(FixedClock("2025-01-07T00:00:00Z".parse().unwrap())),
            sharding: Sharding::Range(ShardRange {
                first: shard as u32,
                last: shard as u32,
                total: 2,
            }),
            ..Default::default()
        };
        let task = tokio::spawn(quotebot::discord::run_with(
            bot_config(&fake, state.path()),
            Token::new("fotd-test-token".into()),
            Arc::new(App::new(seed_catalog())),
            options,
            async move {
                let _ = stopped.await;
            },
        ));
        runs.push((stop, task));
    }
    // Both look the channel's server up; only the process on its shard posts.
    let lookups = async || {
        fake.requests()
            .await
            .iter()
            .filter(|r| r.method == "GET" && r.path == "/api/v10/channels/777")
            .count()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while lookups().await < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "both processes look the channel up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    fake.wait_for("the owner's post", |r| {
        r.method == "POST" && r.path == "/api/v10/channels/777/messages"
    })
    .await;
    for (stop, task) in runs {
        let _ = stop.send(());
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    }
    assert_eq!(message_posts(&fake, 777).await.len(), 1);
    let ledger = |i: usize| std::fs::read_to_string(states[i].path().join("fotd-ledger.json"));
    assert!(ledger(owner).unwrap().contains("\"777\""));
    assert!(
        !ledger(1 - owner).is_ok_and(|l| l.contains("777")),
        "the other process has no ledger for the channel"
    );
}
