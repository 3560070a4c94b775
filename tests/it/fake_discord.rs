//! A fake Discord for end-to-end tests: the REST API under `/api/v10` and the gateway
//! websocket, both on 127.0.0.1 with ports chosen by the system. It speaks just enough of the
//! protocol (HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME, RECONNECT, close
//! codes) for the real bot to run against it, and records every request the bot makes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, Notify, mpsc};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

pub const APP_ID: u64 = 900_000_000_000_000_001;
pub const BOT_ID: u64 = 900_000_000_000_000_002;
pub const GUILD_ID: u64 = 900_000_000_000_000_003;
pub const CHANNEL_ID: u64 = 900_000_000_000_000_004;
pub const USER_ID: u64 = 900_000_000_000_000_005;
pub const OTHER_USER_ID: u64 = 900_000_000_000_000_006;
/// IDENTIFY with this token is refused with close code 4004, as Discord does.
pub const BAD_TOKEN: &str = "bad-token";

/// One HTTP request the bot made.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub body: Value,
    /// The body as sent (a multipart upload's parts, which `body` cannot hold).
    pub raw: Vec<u8>,
    /// When the request arrived.
    pub at: std::time::Instant,
}

#[derive(Default)]
struct State {
    requests: Mutex<Vec<Recorded>>,
    changed: Notify,
    connection: Mutex<Option<mpsc::UnboundedSender<Message>>>,
    identifies: AtomicUsize,
    /// Message posts still to refuse with 429 before accepting.
    rate_limit_next: AtomicUsize,
    /// Refuse command registration with 500.
    refuse_registration: std::sync::atomic::AtomicBool,
    resumes: AtomicUsize,
    seq: AtomicU64,
    /// The 429's `retry_after` in milliseconds (0: the default, 200) and `global` flag.
    retry_after_ms: AtomicU64,
    rate_limit_global: std::sync::atomic::AtomicBool,
    /// Message posts still to refuse with 400 (Invalid Form Body) before accepting.
    reject_next: AtomicUsize,
    /// Which server each channel is in (`GET /channels/{id}`); others are in `GUILD_ID`.
    channel_guilds: std::sync::Mutex<std::collections::HashMap<u64, u64>>,
    /// Attachments served at `GET /attachments/{name}`, as Discord's CDN serves uploads.
    files: std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>,
}

pub struct FakeDiscord {
    pub http_port: u16,
    state: Arc<State>,
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let http_port = http.local_addr().unwrap().port();
        let ws_port = ws.local_addr().unwrap().port();
        let state = Arc::new(State::default());
        let s = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = http.accept().await {
                tokio::spawn(serve_http(stream, s.clone(), ws_port));
            }
        });
        let s = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = ws.accept().await {
                tokio::spawn(serve_gateway(stream, s.clone(), ws_port));
            }
        });
        FakeDiscord { http_port, state }
    }

    pub fn api_base(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// Refuses every command registration with a server error.
    pub fn refuse_registration(&self) {
        self.state.refuse_registration.store(true, Ordering::SeqCst);
    }

    /// Refuses the next `n` message posts with 429.
    pub fn rate_limit_next_messages(&self, n: usize) {
        self.state.rate_limit_next.store(n, Ordering::SeqCst);
    }

    /// Refuses the next `n` message posts with 429 asking for `retry_after` seconds.
    pub fn rate_limit_next_messages_for(&self, n: usize, retry_after: f64, global: bool) {
        self.state
            .retry_after_ms
            .store((retry_after * 1000.0) as u64, Ordering::SeqCst);
        self.state.rate_limit_global.store(global, Ordering::SeqCst);
        self.rate_limit_next_messages(n);
    }

    /// Refuses the next `n` message posts with 400, as Discord refuses a message it will
    /// never accept (an embed URL it rejects, for example).
    pub fn reject_next_messages(&self, n: usize) {
        self.state.reject_next.store(n, Ordering::SeqCst);
    }

    /// Puts `channel` in `guild` (every other channel is in `GUILD_ID`).
    pub fn set_channel_guild(&self, channel: u64, guild: u64) {
        self.state
            .channel_guilds
            .lock()
            .unwrap()
            .insert(channel, guild);
    }

    /// Serves `bytes` as an uploaded attachment; returns its URL.
    pub fn serve_file(&self, name: &str, bytes: Vec<u8>) -> String {
        self.state
            .files
            .lock()
            .unwrap()
            .insert(name.to_string(), bytes);
        format!("{}/attachments/{name}", self.api_base())
    }

    /// IDENTIFYs answered with READY and GUILD_CREATE (queued before they are counted).
    pub fn identifies(&self) -> usize {
        self.state.identifies.load(Ordering::SeqCst)
    }

    pub fn resumes(&self) -> usize {
        self.state.resumes.load(Ordering::SeqCst)
    }

    pub async fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().await.clone()
    }

    /// Waits until a request matching `matches` has been recorded, and returns it.
    pub async fn wait_for(&self, what: &str, matches: impl Fn(&Recorded) -> bool) -> Recorded {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let notified = self.state.changed.notified();
            if let Some(found) = self.state.requests.lock().await.iter().find(|r| matches(r)) {
                return found.clone();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let seen: Vec<String> = self
                    .requests()
                    .await
                    .iter()
                    .map(|r| format!("{} {}", r.method, r.path))
                    .collect();
                panic!("timed out waiting for {what}; requests seen: {seen:#?}");
            }
        }
    }

    /// Waits until `check` holds for the fake's counters.
    pub async fn wait_until(&self, what: &str, check: impl Fn(&FakeDiscord) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while !check(self) {
            if tokio::time::Instant::now() > deadline {
                panic!("timed out waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The bot is connected and its commands are registered.
    pub async fn wait_ready(&self) {
        self.wait_for("command registration", |r| {
            r.method == "PUT" && r.path.ends_with("/commands")
        })
        .await;
    }

    /// Sends a raw gateway payload on the current connection.
    pub async fn send(&self, payload: Value) {
        let sender = self.state.connection.lock().await.clone();
        sender
            .expect("the bot is connected")
            .send(Message::Text(payload.to_string()))
            .unwrap();
    }

    /// Sends a dispatch event with the next sequence number, its JSON text passed through
    /// `edit` first (to send what a `Value` cannot hold, like an escaped lone surrogate).
    pub async fn dispatch_text(&self, event: &str, data: Value, edit: impl Fn(String) -> String) {
        let s = self.state.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let text = edit(json!({"op": 0, "s": s, "t": event, "d": data}).to_string());
        let sender = self.state.connection.lock().await.clone();
        sender
            .expect("the bot is connected")
            .send(Message::Text(text))
            .unwrap();
    }

    /// Sends a dispatch event with the next sequence number.
    pub async fn dispatch(&self, event: &str, data: Value) {
        let s = self.state.seq.fetch_add(1, Ordering::SeqCst) + 1;
        self.send(json!({"op": 0, "s": s, "t": event, "d": data}))
            .await;
    }

    /// Sends `/about` and waits for its answer. The gateway delivers events in order and the
    /// bot reads them in order, so when this returns the bot has read every event sent before:
    /// a test that asserts something did not happen waits on this, not on a sleep.
    pub async fn round_trip(&self) {
        self.interact(slash_command("about", &[])).await;
    }

    /// Sends an INTERACTION_CREATE and waits for the bot's callback to it.
    pub async fn interact(&self, interaction: Value) -> Value {
        let path = format!(
            "/api/v10/interactions/{}/{}/callback",
            interaction["id"].as_str().unwrap(),
            interaction["token"].as_str().unwrap()
        );
        self.dispatch("INTERACTION_CREATE", interaction).await;
        self.wait_for(&format!("the callback {path}"), |r| {
            r.path.starts_with(&path)
        })
        .await
        .body
    }
}

async fn serve_http(mut stream: TcpStream, state: Arc<State>, ws_port: u16) {
    let mut buffer = Vec::new();
    loop {
        // Read one request: headers, then a body of content-length bytes.
        let header_end = loop {
            if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..header_end]).to_string();
        let mut lines = head.lines();
        let mut request_line = lines.next().unwrap_or("").split_whitespace();
        let method = request_line.next().unwrap_or("").to_string();
        let path = request_line.next().unwrap_or("").to_string();
        let length: usize = lines
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse().ok())
            .unwrap_or(0);
        while buffer.len() < header_end + length {
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let body_bytes = buffer[header_end..header_end + length].to_vec();
        buffer.drain(..header_end + length);
        let body = serde_json::from_slice(&body_bytes).unwrap_or(Value::Null);
        let file = (method == "GET")
            .then(|| path.strip_prefix("/attachments/"))
            .flatten()
            .and_then(|name| state.files.lock().unwrap().get(name).cloned());
        let limited = method == "POST"
            && path.contains("/messages")
            && state
                .rate_limit_next
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
        let refused = method == "PUT"
            && path.ends_with("/commands")
            && state.refuse_registration.load(Ordering::SeqCst);
        let rejected = !limited
            && method == "POST"
            && path.contains("/messages")
            && state
                .reject_next
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
        let channel_lookup = (method == "GET")
            .then(|| path.strip_prefix("/api/v10/channels/"))
            .flatten()
            .and_then(|id| id.parse::<u64>().ok());
        let (status, response) = if let Some(channel) = channel_lookup {
            let guild = state
                .channel_guilds
                .lock()
                .unwrap()
                .get(&channel)
                .copied()
                .unwrap_or(GUILD_ID);
            (200, Some(channel_json(channel, guild)))
        } else if rejected {
            (
                400,
                Some(json!({"message": "Invalid Form Body", "code": 50035,
                    "errors": {"embeds": {"0": {"url": {"_errors": [{"code": "URL_TYPE_INVALID_URL", "message": "Not a well formed URL."}]}}}}})),
            )
        } else if refused {
            (
                500,
                Some(json!({"message": "Internal Server Error", "code": 0})),
            )
        } else if limited {
            (
                429,
                Some(json!({
                    "message": "You are being rate limited.",
                    "retry_after": match state.retry_after_ms.load(Ordering::SeqCst) {
                        0 => 0.2,
                        ms => ms as f64 / 1000.0,
                    },
                    "global": state.rate_limit_global.load(Ordering::SeqCst),
                })),
            )
        } else {
            route(&method, &path, ws_port)
        };
        state.requests.lock().await.push(Recorded {
            method,
            path,
            body,
            raw: body_bytes,
            at: std::time::Instant::now(),
        });
        state.changed.notify_waiters();
        let (content_type, bytes) = match file {
            Some(bytes) => ("application/octet-stream", bytes),
            None => (
                "application/json",
                response
                    .map(|v| v.to_string())
                    .unwrap_or_default()
                    .into_bytes(),
            ),
        };
        let status = if content_type == "application/json" {
            status
        } else {
            200
        };
        let mut reply = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
            bytes.len()
        )
        .into_bytes();
        reply.extend_from_slice(&bytes);
        if stream.write_all(&reply).await.is_err() {
            return;
        }
    }
}

fn route(method: &str, path: &str, ws_port: u16) -> (u16, Option<Value>) {
    let path = path.split('?').next().unwrap_or(path);
    match (method, path) {
        ("GET", "/api/v10/gateway/bot") => (
            200,
            Some(json!({
                "url": format!("ws://127.0.0.1:{ws_port}"),
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
            })),
        ),
        ("GET", "/api/v10/gateway") => (
            200,
            Some(json!({"url": format!("ws://127.0.0.1:{ws_port}")})),
        ),
        ("GET", "/api/v10/oauth2/applications/@me") => (
            200,
            Some(json!({
                "id": APP_ID.to_string(), "name": "quotebot", "icon": null, "description": "",
                "rpc_origins": [], "bot_public": false, "bot_require_code_grant": false,
                "owner": user(USER_ID, "owner", false), "verify_key": "00", "team": null,
                "flags": 0, "integration_types_config": {}
            })),
        ),
        ("PUT", p) if p.ends_with("/commands") => (200, Some(json!([]))),
        ("POST", p) if p.starts_with("/api/v10/channels/") && p.ends_with("/messages") => {
            let channel = p
                .trim_start_matches("/api/v10/channels/")
                .trim_end_matches("/messages");
            let mut message = message_json();
            message["channel_id"] = json!(channel);
            (200, Some(message))
        }
        // An interaction whose token has expired (or was never real): Discord's 404.
        ("POST", p) if p.starts_with("/api/v10/interactions/") && p.contains("/expired-") => (
            404,
            Some(json!({"message": "Unknown interaction", "code": 10062})),
        ),
        ("POST", p) if p.starts_with("/api/v10/interactions/") => (204, None),
        ("PATCH" | "POST", p) if p.starts_with("/api/v10/webhooks/") => (200, Some(message_json())),
        _ => (404, Some(json!({"message": "Unknown", "code": 0}))),
    }
}

/// A server text channel as Discord returns it.
fn channel_json(id: u64, guild: u64) -> Value {
    json!({
        "id": id.to_string(), "type": 0, "guild_id": guild.to_string(), "name": "facts",
        "position": 0, "permission_overwrites": [], "nsfw": false, "topic": null,
        "last_message_id": null, "parent_id": null, "rate_limit_per_user": 0
    })
}

fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({"id": id.to_string(), "username": name, "discriminator": "0", "global_name": null, "avatar": null, "bot": bot})
}

async fn serve_gateway(stream: TcpStream, state: Arc<State>, ws_port: u16) {
    let Ok(socket) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    *state.connection.lock().await = Some(tx.clone());
    let writer = tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
    });
    let _ = tx.send(Message::Text(
        json!({"op": 10, "d": {"heartbeat_interval": 41250}}).to_string(),
    ));
    while let Some(Ok(message)) = source.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let Ok(payload) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        match payload["op"].as_u64() {
            Some(1) => {
                let _ = tx.send(Message::Text(json!({"op": 11}).to_string()));
            }
            Some(2) => {
                let token = payload["d"]["token"].as_str().unwrap_or("");
                if token.trim_start_matches("Bot ") == BAD_TOKEN {
                    let _ = tx.send(Message::Close(Some(CloseFrame {
                        code: CloseCode::Library(4004),
                        reason: "Authentication failed.".into(),
                    })));
                    // Let the writer send the close frame before the connection drops.
                    drop(tx);
                    let _ = tokio::time::timeout(Duration::from_secs(2), writer).await;
                    return;
                }
                let s = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                let ready = json!({"op": 0, "s": s, "t": "READY", "d": {
                    "v": 10,
                    "user": user(BOT_ID, "quotebot", true),
                    "guilds": [{"id": GUILD_ID.to_string(), "unavailable": true}],
                    "session_id": "fake-session",
                    "resume_gateway_url": format!("ws://127.0.0.1:{ws_port}"),
                    "shard": [0, 1],
                    "application": {"id": APP_ID.to_string(), "flags": 0}
                }});
                let _ = tx.send(Message::Text(ready.to_string()));
                let s = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                let guild = json!({"op": 0, "s": s, "t": "GUILD_CREATE", "d": guild()});
                let _ = tx.send(Message::Text(guild.to_string()));
                // Counted once READY and GUILD_CREATE are queued: whatever a test sends after
                // seeing the count reaches the bot after them, never before its READY.
                state.identifies.fetch_add(1, Ordering::SeqCst);
            }
            Some(6) => {
                state.resumes.fetch_add(1, Ordering::SeqCst);
                let s = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                let resumed = json!({"op": 0, "s": s, "t": "RESUMED", "d": {}});
                let _ = tx.send(Message::Text(resumed.to_string()));
            }
            _ => {}
        }
    }
    writer.abort();
}

fn guild() -> Value {
    json!({
        "id": GUILD_ID.to_string(), "name": "Policy Wonks", "icon": null, "icon_hash": null,
        "splash": null, "discovery_splash": null, "owner_id": USER_ID.to_string(),
        "afk_channel_id": null, "afk_timeout": 300, "verification_level": 0,
        "default_message_notifications": 0, "explicit_content_filter": 0, "roles": [],
        "emojis": [], "features": [], "mfa_level": 0, "application_id": null,
        "system_channel_id": null, "system_channel_flags": 0, "rules_channel_id": null,
        "vanity_url_code": null, "description": null, "banner": null, "premium_tier": 0,
        "preferred_locale": "en-US", "public_updates_channel_id": null, "nsfw_level": 0,
        "stickers": [], "premium_progress_bar_enabled": false,
        "joined_at": "2025-01-06T00:00:00.000000+00:00", "large": false, "member_count": 2,
        "voice_states": [], "members": [], "channels": [], "threads": [], "presences": [],
        "stage_instances": [], "guild_scheduled_events": []
    })
}

static NEXT_INTERACTION: AtomicU64 = AtomicU64::new(1);

fn member(user_id: u64) -> Value {
    member_with(user_id, "2248473465835073")
}

fn member_with(user_id: u64, permissions: &str) -> Value {
    json!({
        "user": user(user_id, "reader", false), "nick": null, "avatar": null, "banner": null,
        "roles": [], "joined_at": "2025-01-06T00:00:00.000000+00:00", "premium_since": null,
        "deaf": false, "mute": false, "flags": 0, "pending": false,
        "permissions": permissions, "communication_disabled_until": null
    })
}

/// The fields every interaction carries, shaped as Discord documents them.
fn interaction(kind: u8, user_id: u64, data: Value) -> Value {
    let id = 1_000_000_000_000_000_000 + NEXT_INTERACTION.fetch_add(1, Ordering::SeqCst);
    json!({
        "id": id.to_string(),
        "application_id": APP_ID.to_string(),
        "type": kind,
        "data": data,
        "guild_id": GUILD_ID.to_string(),
        "channel_id": CHANNEL_ID.to_string(),
        "channel": {"id": CHANNEL_ID.to_string(), "type": 0, "name": "general"},
        "member": member(user_id),
        "token": format!("interaction-token-{id}"),
        "version": 1,
        "app_permissions": "2248473465835073",
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID.to_string()},
        "context": 0,
        "attachment_size_limit": 8388608
    })
}

/// A slash command with string options, `(name, value)`.
pub fn slash_command(name: &str, options: &[(&str, &str)]) -> Value {
    let options: Vec<Value> = options
        .iter()
        .map(|(n, v)| json!({"name": n, "type": 3, "value": v}))
        .collect();
    interaction(
        2,
        USER_ID,
        json!({"id": "1", "name": name, "type": 1, "options": options}),
    )
}

/// Autocomplete for `focused` of a command while `typed` is being typed.
pub fn autocomplete(name: &str, focused: &str, typed: &str) -> Value {
    interaction(
        4,
        USER_ID,
        json!({"id": "1", "name": name, "type": 1,
               "options": [{"name": focused, "type": 3, "value": typed, "focused": true}]}),
    )
}

/// A button click on a message the bot sent, by `user_id`.
pub fn button(custom_id: &str, user_id: u64) -> Value {
    let mut value = interaction(
        3,
        user_id,
        json!({"custom_id": custom_id, "component_type": 2}),
    );
    value["message"] = message_json();
    value
}

/// A message as Discord returns it.
fn message_json() -> Value {
    json!({
        "id": "1234", "channel_id": CHANNEL_ID.to_string(), "author": user(BOT_ID, "quotebot", true),
        "content": "", "timestamp": "2025-01-06T00:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 20, "flags": 0, "components": []
    })
}

/// A slash command with arbitrary `data` (subcommands, resolved channels), sent by a member
/// with the given permission bits.
pub fn command_with(data: Value, permissions: &str) -> Value {
    let mut value = interaction(2, USER_ID, data);
    value["member"] = member_with(USER_ID, permissions);
    value
}

/// A modal submission by `user_id` of `fields` (custom id, value) for the modal `custom_id`.
pub fn modal_submit(custom_id: &str, fields: &[(&str, &str)], user_id: u64) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(id, value)| json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]}))
        .collect();
    interaction(
        5,
        user_id,
        json!({"custom_id": custom_id, "components": rows}),
    )
}

/// `/{name} {sub}` with an attachment option `option` (uploaded as `filename`, `size` bytes,
/// at `url`) and string options, by `user_id`: the attachment resolved as Discord sends it.
pub fn subcommand_with_attachment(
    name: &str,
    sub: &str,
    option: &str,
    (filename, size, url): (&str, u64, &str),
    strings: &[(&str, &str)],
    user_id: u64,
) -> Value {
    let attachment_id = "1300000000000000001";
    let mut options = vec![json!({"name": option, "type": 11, "value": attachment_id})];
    options.extend(
        strings
            .iter()
            .map(|(n, v)| json!({"name": n, "type": 3, "value": v})),
    );
    interaction(
        2,
        user_id,
        json!({"id": "1", "name": name, "type": 1,
               "options": [{"name": sub, "type": 1, "options": options}],
               "resolved": {"attachments": {attachment_id: {
                   "id": attachment_id, "filename": filename, "size": size, "url": url,
                   "proxy_url": url, "content_type": "text/plain; charset=utf-8"}}}}),
    )
}

/// A slash command with a subcommand and string options, by `user_id`.
pub fn subcommand(name: &str, sub: &str, options: &[(&str, &str)], user_id: u64) -> Value {
    let options: Vec<Value> = options
        .iter()
        .map(|(n, v)| json!({"name": n, "type": 3, "value": v}))
        .collect();
    interaction(
        2,
        user_id,
        json!({"id": "1", "name": name, "type": 1, "options": [{"name": sub, "type": 1, "options": options}]}),
    )
}
