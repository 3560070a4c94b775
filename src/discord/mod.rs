//! The one module that talks to Discord: client and framework setup, the gateway check,
//! the command list and its registration, routing button clicks to the feature that made the
//! button, errors shown to users, and shutdown.
//!
//! Each feature is a module of its own (`lookup`, `fotd`, `curate`, `exchange`) that depends only on
//! `framework` (and `embed`); this module is the only one that knows them all.
//!
//! `run` takes its shutdown signal as a future so tests (and the CLI's signal handler) decide
//! when the bot stops.

pub mod curate;
pub mod embed;
pub mod exchange;
pub mod fotd;
pub mod framework;
pub mod lookup;
pub mod verify;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{CreateInteractionResponse, GatewayIntents};

use tokio::sync::{mpsc, watch};

use crate::app::{App, off_runtime};
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, Register, Token};
use crate::core::limits::EmbedView;
use crate::scheduler::{GuildSchedules, Poster, Scheduler, SendError, ShardRange};
use crate::store;
use embed::{ephemeral, no_mentions};
use framework::{BadId, ComponentId, Data, Error, SessionStore};

/// Why the bot stopped other than by being asked to.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(
        "the Discord API at {api_base} did not answer GET /api/v10/gateway/bot: {detail}; check discord.api_base and the network"
    )]
    Gateway { api_base: String, detail: String },
    #[error("Discord rejected the token ({how}); check the token in ${token_env}")]
    BadToken {
        token_env: String,
        how: &'static str,
    },
    #[error("the Discord client failed: {0}")]
    Client(String),
    #[error("the state directory cannot be used: {0}")]
    State(String),
}

/// Builds the HTTP client: timeouts, no mentions by default, and, for any base URL other than
/// Discord's own, that base with the rate limiter off (serenity's rate limiter would otherwise
/// talk to discord.com directly).
pub fn http(config: &Config, token: &Token) -> Result<serenity::Http, RunError> {
    let mut builder = serenity::HttpBuilder::new(token.expose())
        .client(reqwest_client()?)
        .default_allowed_mentions(no_mentions());
    if !config.discord.api_base.is_discord() {
        builder = builder
            .proxy(config.discord.api_base.as_str())
            .ratelimiter_disabled(true);
    }
    Ok(builder.build())
}

/// Which shards this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sharding {
    /// As many as Discord recommends, all in this process.
    #[default]
    Auto,
    /// Shards `first..=last` of `total`, for running one bot across several processes (the
    /// fact of the day then posts only to the servers on them).
    Range(ShardRange),
}

/// How to run: which shards, and which clock the fact of the day follows.
#[derive(Clone)]
pub struct RunOptions {
    pub sharding: Sharding,
    pub clock: Arc<dyn Clock>,
    /// Told what every look of the hand-edit watcher at the data files found, so that tests
    /// wait for the look they need instead of sleeping past it.
    pub watched: Option<mpsc::UnboundedSender<Watched>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            sharding: Sharding::Auto,
            clock: Arc::new(SystemClock),
            watched: None,
        }
    }
}

/// What one look of the hand-edit watcher at the data files found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    /// The files are as last loaded.
    Unchanged,
    /// They changed and are valid: the new catalog is published.
    Reloaded,
    /// They changed but are invalid: the last good catalog is still served.
    Invalid,
}

/// Runs the bot until `shutdown` completes or the connection fails for good.
pub async fn run(
    config: Config,
    token: Token,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    run_with(config, token, app, RunOptions::default(), shutdown).await
}

/// [`run`] with explicit options.
pub async fn run_with(
    config: Config,
    token: Token,
    app: Arc<App>,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    let RunOptions {
        sharding,
        clock,
        watched,
    } = options;
    let http = http(&config, &token)?;
    // Serenity would silently fall back to Discord's real gateway if this failed; check first.
    let gateway = http.get_bot_gateway().await.map_err(|e| match &e {
        // This is how Discord answers a bad token before any gateway connection.
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response))
            if response.status_code.as_u16() == 401 =>
        {
            RunError::BadToken {
                token_env: config.discord.token_env.clone(),
                how: "401 Unauthorized from GET /api/v10/gateway/bot",
            }
        }
        _ => RunError::Gateway {
            api_base: config.discord.api_base.to_string(),
            detail: e.to_string(),
        },
    })?;
    if !(gateway.url.starts_with("ws://") || gateway.url.starts_with("wss://")) {
        return Err(RunError::Gateway {
            api_base: config.discord.api_base.to_string(),
            detail: format!(
                "it returned {:?}, which is not a websocket URL",
                gateway.url
            ),
        });
    }
    tracing::info!(shards = gateway.shards, "gateway answered; connecting");

    let schedules = config.fact_of_the_day.clone();
    // A settings file that cannot be used is reported and re-read; it never stops the bot.
    let dir = config.state_dir.clone();
    let settings = off_runtime(move || store::load_guild_settings(&dir))
        .await
        .ok_or_else(|| RunError::State("the settings file could not be read".into()))?;
    let guild_schedules = Arc::new(GuildSchedules::loaded(settings));
    let scheduler_app = app.clone();
    let app_for_watcher = app.clone();
    let data_guilds = guild_schedules.clone();
    let data_clock = clock.clone();
    let moderators = config.moderation.clone();
    let register = config.discord.register.clone();
    let state_dir = config.state_dir.clone();
    let guilds = config.discord.guilds.clone();
    let budgets = config.discord.time_budgets;
    let options = poise::FrameworkOptions {
        commands: commands(),
        allowed_mentions: Some(no_mentions()),
        // Owners are not used, and asking for them is one more request at startup.
        initialize_owners: false,
        on_error: |error| Box::pin(on_error(error)),
        event_handler: |framework, event| {
            Box::pin(on_event(
                framework.serenity_context,
                event,
                framework.user_data,
            ))
        },
        ..Default::default()
    };
    let framework = poise::Framework::builder()
        .options(options)
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "ready");
                let commands = &framework.options().commands;
                // Registration is skipped when the same commands were already registered in
                // the same place: Discord rate-limits it, and global changes take time to show.
                let scope = match register {
                    Register::Global => "global",
                    Register::Guilds => "guilds",
                };
                let wanted = serde_json::json!({
                    "register": scope,
                    "guilds": guilds,
                    "commands": poise::builtins::create_application_commands(commands),
                });
                let dir = state_dir.clone();
                let recorded = off_runtime(move || store::load_registration(&dir)).await.unwrap_or(Ok(None)).unwrap_or_else(|e| {
                    tracing::error!(error = %e, "the registration record is unusable; registering again, which replaces it");
                    None
                });
                // Compared as read back from text, as the record was: a float in an option's
                // bounds need not survive the text round trip bit for bit.
                let wanted_as_read: Option<serde_json::Value> =
                    serde_json::from_str(&wanted.to_string()).ok();
                if recorded.is_some() && recorded == wanted_as_read {
                    tracing::info!(
                        "commands unchanged since the last registration; not registering"
                    );
                } else {
                    // A failed registration is logged, not fatal: commands registered before
                    // keep working, and the bot must still answer (poise holds every event
                    // until this setup returns).
                    let registered = match register {
                        Register::Global => poise::builtins::register_globally(ctx, commands).await,
                        Register::Guilds => {
                            let mut result = Ok(());
                            for guild in &guilds {
                                result = result.and(
                                    poise::builtins::register_in_guild(ctx, commands, (*guild).into())
                                        .await,
                                );
                            }
                            result
                        }
                    };
                    match registered {
                        Ok(()) => {
                            let (dir, record) = (state_dir.clone(), wanted.clone());
                            if let Some(Err(e)) = off_runtime(move || store::save_registration(&dir, &record)).await {
                                tracing::warn!(error = %e, "could not record the command registration");
                            }
                        }
                        Err(e) => tracing::error!(error = %e, "registering the commands failed; will try again at the next start"),
                    }
                }
                Ok(Data {
                    app,
                    sessions: SessionStore::paging(),
                    started: crate::clock::Stopwatch::start(),
                    guild_schedules: data_guilds,
                    state_dir,
                    clock: data_clock,
                    moderators,
                    pending: SessionStore::pending(),
                    shares: SessionStore::shares(),
                    budgets,
                })
            })
        })
        .build();

    let mut client = serenity::ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
        .framework(framework)
        .await
        .map_err(|e| RunError::Client(e.to_string()))?;
    let (stop, stopped) = watch::channel(false);
    let stop = Arc::new(stop);
    let shards = client.shard_manager.clone();
    let stop_on_signal = stop.clone();
    let stopper = tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down");
        let _ = stop_on_signal.send(true);
        // Shutting down shards that have not started yet does nothing, and a shutdown asked for
        // while the bot is still connecting must not be lost: ask again until the client has
        // stopped (this task is aborted then).
        loop {
            shards.shutdown_all().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    // Started here, once, not on every READY: it needs only the HTTP client.
    let scheduler = tokio::spawn(supervise(
        Scheduler {
            schedules,
            guilds: guild_schedules,
            app: scheduler_app,
            state_dir: config.state_dir.clone(),
            poster: HttpPoster {
                http: client.http.clone(),
                client: reqwest_client()?,
            },
            clock,
            shards: match sharding {
                Sharding::Auto => None,
                Sharding::Range(range) => Some(range),
            },
        },
        stopped,
    ));
    let watcher = tokio::spawn(watch_files(app_for_watcher, stop.subscribe(), watched));
    let result = match sharding {
        Sharding::Auto => client.start_autosharded().await,
        Sharding::Range(ShardRange { first, last, total }) => {
            client.start_shard_range(first..last + 1, total).await
        }
    };
    stopper.abort();
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(2), watcher).await;
    if tokio::time::timeout(Duration::from_secs(5), scheduler)
        .await
        .is_err()
    {
        tracing::warn!("the fact-of-the-day task did not stop in time");
    }
    match result {
        Ok(()) => Ok(()),
        Err(serenity::Error::Gateway(serenity::GatewayError::InvalidAuthentication)) => {
            Err(RunError::BadToken {
                token_env: config.discord.token_env.clone(),
                how: "gateway close 4004",
            })
        }
        Err(e) => Err(RunError::Client(e.to_string())),
    }
}

/// How often the data files are checked for hand edits.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// Reloads the data files when they change on disk (checked every few seconds, and at once on
/// SIGHUP) if they are valid; otherwise keeps serving the last good catalog and logs the
/// problems once.
async fn watch_files(
    app: Arc<App>,
    mut stopped: watch::Receiver<bool>,
    watched: Option<mpsc::UnboundedSender<Watched>>,
) {
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let mut last_problems: Vec<String> = Vec::new();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(WATCH_EVERY) => {}
            _ = async { match hangup.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {
                tracing::info!("SIGHUP: reloading the data files");
            }
            _ = stopped.changed() => return,
        }
        if *stopped.borrow() {
            return;
        }
        let worker = app.clone();
        // A reload that did not finish is logged by `off_runtime`, and tried again next time.
        let Some(reloaded) = off_runtime(move || worker.reload()).await else {
            continue;
        };
        let found = match reloaded {
            Ok(true) => {
                last_problems.clear();
                tracing::info!("the data files changed on disk; reloaded");
                Watched::Reloaded
            }
            Ok(false) => {
                last_problems.clear();
                Watched::Unchanged
            }
            Err(problems) => {
                let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
                if problems != last_problems {
                    for problem in &problems {
                        tracing::error!(%problem, "the data files changed on disk but are invalid; still serving the last good catalog");
                    }
                    last_problems = problems;
                }
                Watched::Invalid
            }
        };
        if let Some(watched) = &watched {
            let _ = watched.send(found);
        }
    }
}

/// Runs the fact-of-the-day task, restarting it if it ever panics, until shutdown.
async fn supervise(
    scheduler: Scheduler<HttpPoster, Arc<dyn Clock>>,
    stopped: watch::Receiver<bool>,
) {
    loop {
        match tokio::spawn(scheduler.clone().run(stopped.clone())).await {
            Ok(()) => return,
            Err(error) => {
                tracing::error!(%error, "the fact-of-the-day task failed; restarting it");
                tokio::time::sleep(Duration::from_secs(5)).await;
                if *stopped.borrow() {
                    return;
                }
            }
        }
    }
}

/// The client every request to Discord goes through (serenity's and the fact-of-the-day
/// posts'), with its timeouts.
fn reqwest_client() -> Result<reqwest::Client, RunError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| RunError::Client(e.to_string()))
}

/// Posts through Discord's REST API with a nonce Discord enforces, so a resend after a crash
/// is not a second message. The request is made directly (built by serenity, sent here) so
/// that a refusal's status, headers and body are all seen: serenity keeps only the message of
/// an error, not a 429's `retry_after` or `global`.
#[derive(Clone)]
struct HttpPoster {
    http: Arc<serenity::Http>,
    client: reqwest::Client,
}

impl Poster for HttpPoster {
    async fn post(&self, channel: u64, view: EmbedView, nonce: String) -> Result<(), SendError> {
        let message = serenity::CreateMessage::new()
            .embed(embed::embed(&view))
            .allowed_mentions(no_mentions())
            .nonce(serenity::Nonce::String(nonce))
            .enforce_nonce(true);
        let body = serde_json::to_vec(&message).map_err(|e| SendError::Rejected(e.to_string()))?;
        let request = ::serenity::http::Request::new(
            ::serenity::http::Route::ChannelMessages {
                channel_id: serenity::ChannelId::new(channel),
            },
            ::serenity::http::LightMethod::Post,
        )
        .body(Some(body))
        .build(&self.client, self.http.token(), self.http.proxy.as_deref())
        .map_err(|e| SendError::Transient(e.to_string()))?;
        let response = request
            .send()
            .await
            .map_err(|e| SendError::Transient(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        if response.status().is_success() {
            return Ok(());
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = header("retry-after");
        let global = header("x-ratelimit-global");
        let body = response.bytes().await.unwrap_or_default();
        Err(send_error(
            status,
            retry_after.as_deref(),
            global.as_deref(),
            &body,
        ))
    }

    async fn channel_guild(&self, channel: u64) -> Result<u64, SendError> {
        match serenity::ChannelId::new(channel)
            .to_channel(&self.http)
            .await
        {
            Ok(serenity::Channel::Guild(c)) => Ok(c.guild_id.get()),
            Ok(_) => Err(SendError::Refused(format!(
                "channel {channel} is not a server channel"
            ))),
            Err(serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response))) => {
                match response.status_code.as_u16() {
                    429 | 500..=599 => Err(SendError::Transient(format!(
                        "HTTP {}",
                        response.status_code
                    ))),
                    status => Err(SendError::Refused(format!(
                        "HTTP {status}: {}",
                        response.error.message
                    ))),
                }
            }
            Err(other) => Err(SendError::Transient(other.to_string())),
        }
    }
}

/// What an unsuccessful answer to a message post means. 429: wait as long as the body's
/// `retry_after` (or the `Retry-After` header) says, at least a little, and say whether the
/// limit is global; 5xx: try again; 400: this message is refused (the fact, not the channel);
/// anything else (403, 404): the channel is refused.
pub fn send_error(
    status: u16,
    retry_after_header: Option<&str>,
    global_header: Option<&str>,
    body: &[u8],
) -> SendError {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let message = json["message"].as_str().unwrap_or("").to_string();
    match status {
        429 => {
            let seconds = json["retry_after"]
                .as_f64()
                .or_else(|| retry_after_header.and_then(|h| h.trim().parse::<f64>().ok()))
                .filter(|s| s.is_finite() && *s >= 0.0)
                .unwrap_or(1.0);
            let global = json["global"].as_bool().unwrap_or(false)
                || global_header.is_some_and(|h| h.trim().eq_ignore_ascii_case("true"));
            SendError::RateLimited {
                after: Duration::from_secs_f64(seconds.clamp(0.05, 3600.0)),
                global,
            }
        }
        500..=599 => SendError::Transient(format!("HTTP {status}")),
        // 50008: "cannot send messages in a non-text channel" is the channel's problem.
        400 if json["code"].as_i64() != Some(50008) => {
            SendError::Rejected(format!("HTTP 400: {message} {}", json["errors"]))
        }
        _ => SendError::Refused(format!("HTTP {status}: {message}")),
    }
}

static CORRELATION: AtomicU64 = AtomicU64::new(1);

/// A short id that ties what a user sees to the log line with the details.
fn correlation_id() -> String {
    let n = CORRELATION.fetch_add(1, Ordering::Relaxed);
    format!("E{:x}{n}", std::process::id())
}

async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Setup { error, .. } => {
            tracing::error!(%error, "setup failed (command registration?)");
        }
        poise::FrameworkError::Command { error, ctx, .. } => {
            let id = correlation_id();
            tracing::error!(correlation = %id, command = %ctx.command().name, %error, "command failed");
            let _ = ctx
                .send(
                    poise::CreateReply::default()
                        .content(format!("Something went wrong on our side (ref {id})."))
                        .ephemeral(true)
                        .allowed_mentions(no_mentions()),
                )
                .await;
        }
        other => {
            let id = correlation_id();
            tracing::warn!(correlation = %id, error = %other, "interaction error");
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(correlation = %id, error = %e, "while reporting an error");
            }
        }
    }
}

async fn on_event(
    ctx: &serenity::Context,
    event: &serenity::FullEvent,
    data: &Data,
) -> Result<(), Error> {
    if let serenity::FullEvent::InteractionCreate {
        interaction: serenity::Interaction::Component(component),
    } = event
        && let Err(error) = on_component(ctx, data, component).await
    {
        let id = correlation_id();
        tracing::error!(correlation = %id, %error, "button failed");
        let _ = component
            .create_response(
                ctx,
                CreateInteractionResponse::Message(ephemeral(&format!(
                    "Something went wrong on our side (ref {id})."
                ))),
            )
            .await;
    }
    Ok(())
}

/// Every command, in the order Discord lists them.
fn commands() -> Vec<poise::Command<Data, Error>> {
    vec![
        lookup::quote(),
        lookup::fact(),
        lookup::speaker(),
        lookup::source(),
        lookup::topic(),
        lookup::random(),
        lookup::about(),
        fotd::fotd(),
        curate(),
        curate::save_as_quote(),
        verify::verify(),
        verify::verify_message(),
    ]
}

/// `/curate`: its own subcommands and `exchange`'s export and import.
fn curate() -> poise::Command<Data, Error> {
    let mut curate = curate::curate();
    curate.subcommands.extend(exchange::curate_subcommands());
    curate
}

/// A button click, handed to the feature that made the button by its id.
async fn on_component(
    ctx: &serenity::Context,
    data: &Data,
    component: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    let response = match component.data.custom_id.parse::<ComponentId>() {
        Ok(ComponentId::Page { session, index }) => {
            lookup::on_page(data, component.user.id.get(), session, index)
        }
        Ok(ComponentId::Cite(entry)) => lookup::on_cite(data, &entry),
        Ok(ComponentId::Translations(entry)) => lookup::on_translations(data, &entry),
        Ok(ComponentId::Share(share)) => verify::on_share(data, component.user.id.get(), share),
        Ok(ComponentId::Confirm(pending)) => {
            return curate::on_confirm(ctx, data, component, pending, true).await;
        }
        Ok(ComponentId::Cancel(pending)) => {
            return curate::on_confirm(ctx, data, component, pending, false).await;
        }
        // Forms are answered where they were opened; other ids are not the bot's.
        Ok(ComponentId::Form(_)) | Err(BadId::Foreign) => return Ok(()),
        Err(BadId::Damaged) => CreateInteractionResponse::Message(ephemeral(
            "This button is not valid; run the command again.",
        )),
    };
    component.create_response(ctx, response).await?;
    Ok(())
}
