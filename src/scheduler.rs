//! The fact-of-the-day task: asks `core::schedule` what is due, records the intent, posts,
//! records the result. It keeps no timer of its own that could drift or double: it wakes at
//! the next due instant or after a minute, whichever is sooner, and decides again from the
//! wall clock and the ledger.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::app::App;
use crate::clock::Clock;
use crate::core::limits::EmbedView;
use crate::core::render;
use crate::core::schedule::{
    ChannelSchedule, Decision, GuildSetting, Ledger, Post, decide, with_failure, with_intent,
    with_posted,
};
use crate::store;

/// The longest the task sleeps before deciding again.
const RECHECK: Duration = Duration::from_secs(60);
/// Between sends to different channels: well under Discord's 50 requests a second.
const PACE: Duration = Duration::from_millis(50);
/// Attempts at one post before waiting for the next check.
const ATTEMPTS: u32 = 5;

/// Why a send failed.
#[derive(Debug, Clone, PartialEq)]
pub enum SendError {
    /// Rate limited: try again after this long.
    RetryAfter(Duration),
    /// A server error or a timeout: try again with backoff.
    Transient(String),
    /// The channel is gone or the bot may not post there: give up for the day.
    Refused(String),
}

/// Sends one post to a channel.
pub trait Poster: Send + Sync + 'static {
    fn post(
        &self,
        channel: u64,
        view: EmbedView,
        nonce: String,
    ) -> impl Future<Output = Result<(), SendError>> + Send;
}

/// What `/fotd` and the task share: per-server settings (a change wakes the task) and the
/// ledgers as last saved (so `/fotd show` never reads the disk).
#[derive(Default)]
pub struct GuildSchedules {
    settings: std::sync::RwLock<store::GuildSettings>,
    ledgers: std::sync::RwLock<BTreeMap<u64, Ledger>>,
    changed: tokio::sync::Notify,
}

impl GuildSchedules {
    pub fn new(settings: store::GuildSettings) -> GuildSchedules {
        GuildSchedules {
            settings: std::sync::RwLock::new(settings),
            ledgers: Default::default(),
            changed: tokio::sync::Notify::new(),
        }
    }

    /// A channel's ledger as last saved.
    pub fn ledger(&self, channel: u64) -> Ledger {
        self.ledgers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&channel)
            .cloned()
            .unwrap_or_default()
    }

    fn set_ledgers(&self, ledgers: &BTreeMap<u64, Ledger>) {
        *self.ledgers.write().unwrap_or_else(|p| p.into_inner()) = ledgers.clone();
    }

    pub fn get(&self, guild: u64) -> Option<GuildSetting> {
        self.read().get(&guild).cloned()
    }

    /// Applies a change and returns every setting, for the caller to persist.
    pub fn update(&self, guild: u64, setting: Option<GuildSetting>) -> store::GuildSettings {
        let all = {
            let mut settings = self.settings.write().unwrap_or_else(|p| p.into_inner());
            match setting {
                Some(s) => settings.insert(guild, s),
                None => settings.remove(&guild),
            };
            settings.clone()
        };
        self.changed.notify_one();
        all
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, store::GuildSettings> {
        self.settings.read().unwrap_or_else(|p| p.into_inner())
    }

    fn schedules(&self) -> Vec<ChannelSchedule> {
        self.read()
            .values()
            .filter_map(GuildSetting::schedule)
            .collect()
    }
}

#[derive(Clone)]
pub struct Scheduler<P, C> {
    /// From config.toml.
    pub schedules: Vec<ChannelSchedule>,
    /// Set from Discord by each server's managers.
    pub guilds: Arc<GuildSchedules>,
    pub app: Arc<App>,
    pub state_dir: PathBuf,
    pub poster: P,
    pub clock: C,
}

impl<P: Poster, C: Clock> Scheduler<P, C> {
    /// Runs until `shutdown` turns true, persisting the ledger before returning.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut ledgers = match store::load_ledgers(&self.state_dir) {
            Ok(l) => {
                self.guilds.set_ledgers(&l);
                l
            }
            Err(e) => {
                // Without the ledger, posting could repeat today's post: do not post at all.
                tracing::error!(error = %e, "fact of the day disabled: the ledger cannot be read");
                return;
            }
        };
        loop {
            let mut wake = self.clock.now() + RECHECK;
            let mut schedules = self.schedules.clone();
            for extra in self.guilds.schedules() {
                if !schedules.iter().any(|s| s.channel == extra.channel) {
                    schedules.push(extra);
                }
            }
            for schedule in &schedules {
                let now = self.clock.now();
                let snapshot = self.app.snapshot();
                let facts = snapshot.catalog.fact_ids();
                let ledger = ledgers.get(&schedule.channel).cloned().unwrap_or_default();
                let post = match decide(schedule, &ledger, &facts, now) {
                    Decision::Wait(at) => {
                        wake = wake.min(at);
                        continue;
                    }
                    Decision::Post(post) => post,
                };
                let Some(card) = snapshot.card(&post.fact) else {
                    continue;
                };
                let view = render::fact_of_the_day_embed(&card, &post.date.to_string());
                let intent = with_intent(&ledger, &post);
                ledgers.insert(schedule.channel, intent.clone());
                if !self.save(&ledgers) {
                    // Sending without a recorded intent could post twice after a crash.
                    ledgers.insert(schedule.channel, ledger);
                    continue;
                }
                match self.send(&post, view, &mut shutdown).await {
                    Ok(()) => {
                        tracing::info!(channel = post.channel, fact = %post.fact, date = %post.date, "fact of the day posted");
                        ledgers.insert(schedule.channel, with_posted(&intent, &post, &facts));
                    }
                    Err(SendError::Refused(reason)) => {
                        tracing::warn!(channel = post.channel, %reason, "fact of the day refused; skipping this channel today");
                        ledgers.insert(schedule.channel, with_failure(&intent, post.date));
                    }
                    Err(error) => {
                        tracing::warn!(
                            channel = post.channel,
                            ?error,
                            "fact of the day not sent yet; will retry"
                        );
                    }
                }
                self.save(&ledgers);
                if *shutdown.borrow() {
                    return;
                }
                tokio::time::sleep(PACE).await;
            }
            let now = self.clock.now();
            let delay = Duration::try_from(wake - now)
                .unwrap_or(Duration::ZERO)
                .min(RECHECK)
                .max(Duration::from_millis(10));
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = self.guilds.changed.notified() => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                self.save(&ledgers);
                return;
            }
        }
    }

    fn save(&self, ledgers: &BTreeMap<u64, Ledger>) -> bool {
        match store::save_ledgers(&self.state_dir, ledgers) {
            Ok(()) => {
                self.guilds.set_ledgers(ledgers);
                true
            }
            Err(e) => {
                tracing::error!(error = %e, dir = %self.state_dir.display(), "cannot write the fact-of-the-day ledger");
                false
            }
        }
    }

    /// One post with bounded retries: rate limits honoured, server errors backed off.
    async fn send(
        &self,
        post: &Post,
        view: EmbedView,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<(), SendError> {
        let mut backoff = Duration::from_secs(1);
        let mut last = SendError::Transient("not attempted".into());
        for _ in 0..ATTEMPTS {
            match self
                .poster
                .post(post.channel, view.clone(), post.nonce.clone())
                .await
            {
                Ok(()) => return Ok(()),
                Err(SendError::Refused(reason)) => return Err(SendError::Refused(reason)),
                Err(error) => {
                    let wait = match &error {
                        SendError::RetryAfter(after) => (*after).min(RECHECK),
                        _ => {
                            let wait = backoff;
                            backoff = (backoff * 2).min(Duration::from_secs(30));
                            wait
                        }
                    };
                    last = error;
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = shutdown.changed() => return Err(last),
                    }
                }
            }
        }
        Err(last)
    }
}
