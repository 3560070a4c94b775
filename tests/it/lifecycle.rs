//! `quotebot run` as a process: validation before connecting, one instance per state
//! directory, and a clean exit on SIGTERM.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::fake_discord::{FakeDiscord, GUILD_ID};

fn write_config(dir: &Path, api_base: &str) -> std::path::PathBuf {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "data_dir = {data:?}\nstate_dir = \"state\"\n[discord]\ntoken_env = \"QUOTEBOT_TEST_TOKEN\"\napi_base = \"{api_base}\"\nguilds = [{GUILD_ID}]\n"
        ),
    )
    .unwrap();
    path
}

fn spawn(config: &Path, token: Option<&str>) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quotebot"));
    command
        .args(["--config", config.to_str().unwrap(), "run"])
        .env_remove("QUOTEBOT_TEST_TOKEN")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(token) = token {
        command.env("QUOTEBOT_TEST_TOKEN", token);
    }
    command.spawn().unwrap()
}

/// Waits for the process to exit, up to `limit`; kills it and fails otherwise.
fn wait(child: &mut Child, limit: Duration) -> (i32, String) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            return (status.code().unwrap_or(-1), stderr);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the process did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_shuts_the_bot_down_cleanly_and_a_second_instance_is_refused() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &fake.api_base());
    let token = "process-test-token-value";
    let mut first = spawn(&config, Some(token));
    fake.wait_ready().await;

    // A second instance on the same state directory refuses to start.
    let mut second = spawn(&config, Some(token));
    let (code, stderr) = tokio::task::block_in_place(|| wait(&mut second, Duration::from_secs(10)));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("already running"), "{stderr}");

    sigterm(&first);
    let started = Instant::now();
    let (code, stderr) = tokio::task::block_in_place(|| wait(&mut first, Duration::from_secs(10)));
    assert_eq!(code, 0, "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(stderr.contains("shutting down"), "{stderr}");
    assert!(
        !stderr.contains(token),
        "the token must never be logged: {stderr}"
    );
}

#[test]
fn run_refuses_to_start_without_a_token_or_with_bad_data() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens here; validation must fail before any connection is tried.
    let config = write_config(dir.path(), "http://127.0.0.1:9");
    let (code, stderr) = wait(&mut spawn(&config, None), Duration::from_secs(10));
    assert_eq!(code, 78, "{stderr}");
    assert!(stderr.contains("QUOTEBOT_TEST_TOKEN"), "{stderr}");

    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for name in ["speakers.toml", "sources.toml", "quotes.toml", "facts.toml"] {
        std::fs::write(data.join(name), "[[oops\n").unwrap();
    }
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replace(
        &format!(
            "data_dir = {:?}",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
        ),
        "data_dir = \"data\"",
    );
    std::fs::write(&config, text).unwrap();
    let (code, stderr) = wait(&mut spawn(&config, Some("t")), Duration::from_secs(10));
    assert_eq!(code, 65, "{stderr}");
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains("malformed TOML"))
            .count(),
        4,
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_exits_non_zero_with_a_clear_message() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &fake.api_base());
    let mut child = spawn(&config, Some(crate::fake_discord::BAD_TOKEN));
    let (code, stderr) = tokio::task::block_in_place(|| wait(&mut child, Duration::from_secs(10)));
    // 78, like any configuration problem, so that supervisors do not restart it in a loop.
    assert_eq!(code, 78, "{stderr}");
    assert!(
        stderr.contains("Discord rejected the token (gateway close 4004)"),
        "{stderr}"
    );
    assert!(stderr.contains("QUOTEBOT_TEST_TOKEN"), "{stderr}");
}

/// A one-route HTTP server on loopback that answers every request with `status` and a Discord
/// error body quoting the request's Authorization header, as a misbehaving proxy might.
fn echoing_api(status: u16) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut authorization = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("authorization:") {
                    let start = line.len() - value.len();
                    authorization = line[start..].trim().to_string();
                }
            }
            let body =
                serde_json::json!({"message": format!("bad header {authorization}"), "code": 0})
                    .to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

#[test]
fn a_token_rejected_by_get_gateway_bot_exits_78_and_never_reaches_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &echoing_api(401));
    let token = "echoed-secret-token-401";
    let (code, stderr) = wait(&mut spawn(&config, Some(token)), Duration::from_secs(10));
    assert_eq!(code, 78, "{stderr}");
    assert!(stderr.contains("Discord rejected the token"), "{stderr}");
    assert!(stderr.contains("QUOTEBOT_TEST_TOKEN"), "{stderr}");
    assert!(
        !stderr.contains(token),
        "the token reached stderr: {stderr}"
    );
}

#[test]
fn an_api_error_quoting_the_token_is_scrubbed_from_the_final_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &echoing_api(500));
    let token = "echoed-secret-token-500";
    let (code, stderr) = wait(&mut spawn(&config, Some(token)), Duration::from_secs(20));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("did not answer GET /api/v10/gateway/bot"),
        "{stderr}"
    );
    assert!(stderr.contains("[redacted]"), "{stderr}");
    assert!(
        !stderr.contains(token),
        "the token reached stderr: {stderr}"
    );
}
