//! The fact-of-the-day task: asks `core::schedule` what is due, records the intent, posts,
//! records the result. It keeps no timer of its own that could drift or double: it wakes at
//! the next due instant or after a minute, whichever is sooner, and decides again from the
//! wall clock and the ledger.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::app::{App, off_runtime};
use crate::clock::Clock;
use crate::core::limits::EmbedView;
use crate::core::render;
use crate::core::schedule::{
    ChannelSchedule, Decision, GuildSetting, Ledger, Post, decide, local_date, with_failure,
    with_intent, with_posted, with_skipped,
};
use crate::store;

/// The longest the task sleeps before deciding again (and before reading an unreadable state
/// file again).
const RECHECK: Duration = Duration::from_secs(60);
/// Between sends to different channels: well under Discord's 50 requests a second.
const PACE: Duration = Duration::from_millis(50);
/// Attempts at one post before waiting for the next check.
const ATTEMPTS: u32 = 5;
/// The longest a rate limit is waited out within one attempt series.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);
/// Facts Discord refuses in a row, for one channel on one day, before giving the day up.
const MAX_SKIPS: u32 = 10;

/// Why a send failed.
#[derive(Debug, Clone, PartialEq)]
pub enum SendError {
    /// Rate limited (429): try again after this long; `global` when the whole bot is limited,
    /// not only this channel.
    RateLimited { after: Duration, global: bool },
    /// A server error or a timeout: try again with backoff.
    Transient(String),
    /// The channel is gone or the bot may not post there (403/404): give up for the day.
    Refused(String),
    /// Discord refused this message itself (400, for example a URL in the embed it rejects):
    /// the fact is skipped and the next one posted.
    Rejected(String),
}

/// Sends one post to a channel.
pub trait Poster: Send + Sync + 'static {
    fn post(
        &self,
        channel: u64,
        view: EmbedView,
        nonce: String,
    ) -> impl Future<Output = Result<(), SendError>> + Send;

    /// The server a channel belongs to (asked once per channel when this process runs only
    /// some of the shards).
    fn channel_guild(&self, channel: u64) -> impl Future<Output = Result<u64, SendError>> + Send {
        async move {
            Err(SendError::Refused(format!(
                "cannot look up the server of channel {channel}"
            )))
        }
    }
}

/// The shards one process runs, when it runs only some: the process posts only to channels
/// of servers on its shards, so that each channel is posted to by exactly one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardRange {
    pub first: u32,
    pub last: u32,
    pub total: u32,
}

impl ShardRange {
    /// The shard a server is on: Discord's rule, `(server_id >> 22) % total`.
    pub fn shard_of(&self, guild: u64) -> u64 {
        (guild >> 22) % u64::from(self.total.max(1))
    }

    pub fn owns(&self, guild: u64) -> bool {
        (u64::from(self.first)..=u64::from(self.last)).contains(&self.shard_of(guild))
    }
}

/// Why `/fotd set` or `/fotd off` did not change anything.
#[derive(Debug)]
pub enum ChangeError {
    /// The settings file could not be read at startup: saving now would lose every other
    /// server's setting.
    Unavailable(store::StateError),
    /// The new settings could not be written.
    Save(store::StoreError),
}

/// State files the task could not read, as the operator and `/fotd` and `/about` see them.
#[derive(Default, Clone)]
struct Problems {
    settings: Option<store::StateError>,
    ledger: Option<store::StateError>,
}

/// What `/fotd` and the task share: per-server settings (a change wakes the task), the
/// ledgers as last saved (so `/fotd show` never reads the disk), and any state file that could
/// not be read.
#[derive(Default)]
pub struct GuildSchedules {
    settings: std::sync::RwLock<store::GuildSettings>,
    ledgers: std::sync::RwLock<BTreeMap<u64, Ledger>>,
    problems: std::sync::RwLock<Problems>,
    changed: tokio::sync::Notify,
}

impl GuildSchedules {
    pub fn new(settings: store::GuildSettings) -> GuildSchedules {
        GuildSchedules {
            settings: std::sync::RwLock::new(settings),
            ..Default::default()
        }
    }

    /// From the settings file as loaded: when it could not be read, no server's setting is
    /// known, changes are refused (they would overwrite the others) and the task reads the
    /// file again every minute.
    pub fn loaded(settings: Result<store::GuildSettings, store::StateError>) -> GuildSchedules {
        match settings {
            Ok(settings) => GuildSchedules::new(settings),
            Err(error) => {
                tracing::error!(%error, "the fact-of-the-day server settings cannot be used; no server's fact of the day is posted and /fotd set is refused until the file is fixed (re-read every minute)");
                let schedules = GuildSchedules::default();
                schedules.problems_mut().settings = Some(error);
                schedules
            }
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

    fn problems_mut(&self) -> std::sync::RwLockWriteGuard<'_, Problems> {
        self.problems.write().unwrap_or_else(|p| p.into_inner())
    }

    fn problems(&self) -> Problems {
        self.problems
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The settings file's problem, when it could not be read.
    pub fn settings_problem(&self) -> Option<store::StateError> {
        self.problems().settings
    }

    /// The ledger's problem, when it could not be read: nothing is posted until it can be.
    pub fn ledger_problem(&self) -> Option<store::StateError> {
        self.problems().ledger
    }

    pub fn get(&self, guild: u64) -> Option<GuildSetting> {
        self.read().get(&guild).cloned()
    }

    /// Sets (or, with `None`, removes) a server's setting and saves every setting with `save`,
    /// all under the one lock the task reads through, so two servers changing theirs at once
    /// both keep their change. Nothing changes when the save fails. Returns the previous
    /// setting.
    pub fn change(
        &self,
        guild: u64,
        setting: Option<GuildSetting>,
        save: impl FnOnce(&store::GuildSettings) -> Result<(), store::StoreError>,
    ) -> Result<Option<GuildSetting>, ChangeError> {
        if let Some(problem) = self.settings_problem() {
            return Err(ChangeError::Unavailable(problem));
        }
        let previous = {
            let mut settings = self.settings.write().unwrap_or_else(|p| p.into_inner());
            let mut next = settings.clone();
            let previous = match setting {
                Some(s) => next.insert(guild, s),
                None => next.remove(&guild),
            };
            save(&next).map_err(ChangeError::Save)?;
            *settings = next;
            previous
        };
        self.changed.notify_one();
        Ok(previous)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, store::GuildSettings> {
        self.settings.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Every valid server setting as (server, schedule).
    fn schedules(&self) -> Vec<(u64, ChannelSchedule)> {
        self.read()
            .iter()
            .filter_map(|(guild, s)| Some((*guild, s.schedule()?)))
            .collect()
    }

    /// Takes the settings file as read again after it could not be read before.
    fn reloaded_settings(&self, loaded: Result<store::GuildSettings, store::StateError>) {
        match loaded {
            Ok(settings) => {
                *self.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
                self.problems_mut().settings = None;
                tracing::info!(
                    file = store::GUILD_SETTINGS,
                    "the fact-of-the-day server settings can be read again"
                );
            }
            Err(error) => {
                let mut problems = self.problems_mut();
                if problems.settings.as_ref() != Some(&error) {
                    tracing::error!(%error, "the fact-of-the-day server settings still cannot be used");
                    problems.settings = Some(error);
                }
            }
        }
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
    /// The shards this process runs, when it runs only some (`None`: all of them).
    pub shards: Option<ShardRange>,
}

/// Which servers the task knows configured channels to be in, for sharded processes.
#[derive(Default)]
struct Ownership {
    guild_of: HashMap<u64, u64>,
    reported: HashSet<u64>,
}

impl<P: Poster, C: Clock> Scheduler<P, C> {
    /// Runs until `shutdown` turns true, persisting the ledger before returning.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let Some(mut ledgers) = self.load_ledgers(&mut shutdown).await else {
            return;
        };
        let mut ownership = Ownership::default();
        loop {
            if self.guilds.settings_problem().is_some() {
                let dir = self.state_dir.clone();
                if let Some(loaded) = off_runtime(move || store::load_guild_settings(&dir)).await {
                    self.guilds.reloaded_settings(loaded);
                }
            }
            let mut wake = self.clock.now() + RECHECK;
            let schedules = self.owned_schedules(&mut ownership).await;
            for schedule in &schedules {
                let (at, pause) = self.post_due(schedule, &mut ledgers, &mut shutdown).await;
                if let Some(at) = at {
                    wake = wake.min(at);
                }
                if *shutdown.borrow() {
                    self.save(&ledgers).await;
                    return;
                }
                let Some(pause) = pause else {
                    continue;
                };
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = shutdown.changed() => {}
                }
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
                self.save(&ledgers).await;
                return;
            }
        }
    }

    /// The ledgers from disk. While they cannot be read nothing is posted (a post could repeat
    /// today's), the problem is shown to `/fotd` and `/about`, and the file is read again every
    /// minute. `None` on shutdown.
    async fn load_ledgers(
        &self,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Option<BTreeMap<u64, Ledger>> {
        loop {
            let dir = self.state_dir.clone();
            match off_runtime(move || store::load_ledgers(&dir)).await {
                // Not read (the runtime is stopping): tried again after the wait, if ever.
                None => {}
                Some(Ok(ledgers)) => {
                    if self.guilds.problems_mut().ledger.take().is_some() {
                        tracing::info!(
                            "the fact-of-the-day ledger can be read again; posting resumes"
                        );
                    }
                    self.guilds.set_ledgers(&ledgers);
                    return Some(ledgers);
                }
                Some(Err(error)) => {
                    let mut problems = self.guilds.problems_mut();
                    if problems.ledger.as_ref() != Some(&error) {
                        tracing::error!(%error, "fact of the day paused: the ledger cannot be used; reading it again every minute (see README, \"Fact of the day\", to recover)");
                        problems.ledger = Some(error);
                    }
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(RECHECK) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                return None;
            }
        }
    }

    /// The configured channels and the servers' own, without duplicates, and, in a process
    /// that runs only some shards, only those whose server is on them.
    async fn owned_schedules(&self, ownership: &mut Ownership) -> Vec<ChannelSchedule> {
        let mut schedules: Vec<ChannelSchedule> = Vec::new();
        for schedule in &self.schedules {
            if self.owns_configured(schedule.channel, ownership).await {
                schedules.push(schedule.clone());
            }
        }
        for (guild, extra) in self.guilds.schedules() {
            let owned = self.shards.is_none_or(|range| range.owns(guild));
            if owned && !schedules.iter().any(|s| s.channel == extra.channel) {
                schedules.push(extra);
            }
        }
        schedules
    }

    /// Whether this process posts to a configured channel: always when it runs every shard;
    /// otherwise when the channel's server (looked up once) is on its shards.
    async fn owns_configured(&self, channel: u64, ownership: &mut Ownership) -> bool {
        let Some(range) = self.shards else {
            return true;
        };
        if let Some(guild) = ownership.guild_of.get(&channel) {
            return range.owns(*guild);
        }
        match self.poster.channel_guild(channel).await {
            Ok(guild) => {
                ownership.guild_of.insert(channel, guild);
                let shard = range.shard_of(guild);
                if range.owns(guild) {
                    tracing::info!(
                        channel,
                        guild,
                        shard,
                        "fact-of-the-day channel is on this process's shards; posting to it here"
                    );
                    true
                } else {
                    tracing::info!(
                        channel,
                        guild,
                        shard,
                        first = range.first,
                        last = range.last,
                        "fact-of-the-day channel is on another process's shards; that process posts to it"
                    );
                    false
                }
            }
            Err(error) => {
                if ownership.reported.insert(channel) {
                    tracing::warn!(
                        channel,
                        ?error,
                        "cannot tell which server a fact-of-the-day channel is in, so which process posts to it; asking again every minute"
                    );
                }
                false
            }
        }
    }

    /// Posts to one channel if due, skipping facts Discord refuses. Returns when the channel is
    /// next due (if known) and, after a send, how long to wait before the next one (longer
    /// after a global rate limit).
    async fn post_due(
        &self,
        schedule: &ChannelSchedule,
        ledgers: &mut BTreeMap<u64, Ledger>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> (Option<jiff::Timestamp>, Option<Duration>) {
        let mut skipped = 0;
        loop {
            let now = self.clock.now();
            let snapshot = self.app.snapshot();
            let facts = snapshot.catalog.fact_ids();
            let ledger = ledgers.get(&schedule.channel).cloned().unwrap_or_default();
            let post = match decide(schedule, &ledger, &facts, now) {
                Decision::Wait(at) => return (Some(at), None),
                Decision::Post(post) => post,
            };
            if let Some(last) = ledger.last_posted
                && last > post.date
            {
                tracing::warn!(
                    channel = post.channel,
                    last_posted = %last,
                    today = %local_date(now, &schedule.time_zone),
                    "the ledger's last post is dated after today (the clock ran ahead when it was made); posting today anyway"
                );
            }
            let Some(card) = snapshot.card(&post.fact) else {
                return (None, None);
            };
            let view = render::fact_of_the_day_embed(&card, &post.date.to_string());
            let intent = with_intent(&ledger, &post);
            ledgers.insert(schedule.channel, intent.clone());
            if !self.save(ledgers).await {
                // Sending without a recorded intent could post twice after a crash.
                ledgers.insert(schedule.channel, ledger);
                return (None, None);
            }
            let mut pause = PACE;
            match self.send(&post, view, shutdown).await {
                Ok(()) => {
                    tracing::info!(channel = post.channel, fact = %post.fact, date = %post.date, "fact of the day posted");
                    ledgers.insert(schedule.channel, with_posted(&intent, &post, &facts));
                }
                Err(SendError::Rejected(reason)) => {
                    skipped += 1;
                    tracing::warn!(channel = post.channel, fact = %post.fact, %reason, "Discord refused this fact; skipping it and posting the next one (fix the fact so it is accepted next cycle)");
                    ledgers.insert(schedule.channel, with_skipped(&intent, &post, &facts));
                    if skipped < MAX_SKIPS {
                        self.save(ledgers).await;
                        tokio::select! {
                            _ = tokio::time::sleep(PACE) => {}
                            _ = shutdown.changed() => {}
                        }
                        if *shutdown.borrow() {
                            return (None, None);
                        }
                        continue;
                    }
                    tracing::error!(
                        channel = post.channel,
                        skipped,
                        "Discord refused every fact tried today; trying again tomorrow"
                    );
                    let current = ledgers.get(&schedule.channel).cloned().unwrap_or_default();
                    ledgers.insert(schedule.channel, with_failure(&current, post.date));
                }
                Err(SendError::Refused(reason)) => {
                    tracing::warn!(channel = post.channel, %reason, "fact of the day refused; skipping this channel today");
                    ledgers.insert(schedule.channel, with_failure(&intent, post.date));
                }
                Err(error) => {
                    if let SendError::RateLimited {
                        after,
                        global: true,
                    } = &error
                    {
                        pause = (*after).min(MAX_RETRY_AFTER);
                    }
                    tracing::warn!(
                        channel = post.channel,
                        ?error,
                        "fact of the day not sent yet; will retry"
                    );
                }
            }
            self.save(ledgers).await;
            return (None, Some(pause));
        }
    }

    /// Writes the ledgers (off the async runtime: the write syncs the file and the directory).
    async fn save(&self, ledgers: &BTreeMap<u64, Ledger>) -> bool {
        let (dir, saved) = (self.state_dir.clone(), ledgers.clone());
        match off_runtime(move || store::save_ledgers(&dir, &saved)).await {
            Some(Ok(())) => {
                self.guilds.set_ledgers(ledgers);
                true
            }
            Some(Err(e)) => {
                tracing::error!(error = %e, "cannot write the fact-of-the-day ledger");
                false
            }
            None => false,
        }
    }

    /// One post with bounded retries: rate limits waited out as long as Discord asks (up to
    /// ten minutes), server errors backed off.
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
                Err(error @ (SendError::Refused(_) | SendError::Rejected(_))) => return Err(error),
                Err(error) => {
                    let wait = match &error {
                        SendError::RateLimited { after, .. } => (*after).min(MAX_RETRY_AFTER),
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
