//! The slash commands and their autocomplete. Commands only translate: read options, ask the
//! app's current snapshot, render through the core, reply with mentions off.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poise::serenity_prelude as serenity;

use std::path::PathBuf;

use super::embed::{self, Buttons, no_mentions};
use crate::app::{App, Snapshot};
use crate::clock::Clock;
use crate::config::TimeBudgets;
use crate::core::catalog::Entry;
use crate::core::limits;
use crate::core::model::EntryKind;
use crate::core::render;
use crate::core::schedule::{Decision, GuildSetting, decide, local_date, planned};
use crate::core::search::normalize::tokens;
use crate::core::search::{MAX_CHOICES, Mode, Query};
use crate::scheduler::{ChangeError, GuildSchedules};
use crate::store;

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// How many results one answer can page through.
const PAGE_LIMIT: usize = 10;
/// Paging sessions kept in memory; the oldest are forgotten first.
const MAX_SESSIONS: usize = 10_000;

/// What every command can reach.
pub struct Data {
    pub app: Arc<App>,
    pub sessions: Sessions,
    pub started: crate::clock::Stopwatch,
    /// Per-server fact-of-the-day settings, shared with the scheduler.
    pub guild_schedules: Arc<GuildSchedules>,
    pub state_dir: PathBuf,
    pub clock: Arc<dyn Clock>,
    /// Who may change the database.
    pub moderators: crate::core::moderation::Moderators,
    /// Changes waiting for a moderator's confirmation.
    pub pending: super::curate::Pending,
    /// How long a search or an autocomplete list may take (config's [`TimeBudgets`]).
    pub budgets: TimeBudgets,
}

/// The result lists behind "previous/next" buttons, by session number. A session keeps what
/// was asked (a few ids, or which speaker, source or topic), never a whole list, and the store
/// is bounded in bytes as well as in number, so repeated lookups on a large database cannot
/// grow memory without bound.
#[derive(Default)]
pub struct Sessions {
    inner: Mutex<SessionStore>,
}

#[derive(Default)]
struct SessionStore {
    next: u64,
    by_id: HashMap<u64, Session>,
    order: VecDeque<u64>,
    /// Sum of [`Session::bytes`] over `by_id`.
    bytes: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub owner: u64,
    pub view: View,
}

/// What a session pages through, recomputed from the current snapshot on every page.
#[derive(Clone, Debug, PartialEq)]
pub enum View {
    /// Search results, one card a page: at most [`PAGE_LIMIT`] ids.
    Results(Vec<String>),
    /// A list of everything one speaker said, by speaker id.
    Speaker(String),
    /// A list of everything from one source, by source id.
    Source(String),
    /// A list of everything on one topic.
    Topic(String),
}

impl Session {
    /// Memory the session holds, its own size and what its strings hold.
    pub fn bytes(&self) -> usize {
        let strings = match &self.view {
            View::Results(ids) => {
                ids.capacity() * std::mem::size_of::<String>()
                    + ids.iter().map(String::capacity).sum::<usize>()
            }
            View::Speaker(s) | View::Source(s) | View::Topic(s) => s.capacity(),
        };
        std::mem::size_of::<Session>() + std::mem::size_of::<u64>() * 2 + strings
    }
}

/// Entries on one page of a list.
const LIST_PAGE: usize = 8;
/// Memory all paging sessions together may hold; the oldest are forgotten first.
pub const MAX_SESSION_BYTES: usize = 8 << 20;

impl Sessions {
    pub fn open(&self, session: Session) -> u64 {
        let mut store = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        store.next += 1;
        let id = store.next;
        store.bytes += session.bytes();
        store.by_id.insert(id, session);
        store.order.push_back(id);
        while store.order.len() > MAX_SESSIONS || store.bytes > MAX_SESSION_BYTES {
            let Some(old) = store.order.pop_front() else {
                break;
            };
            if let Some(gone) = store.by_id.remove(&old) {
                store.bytes -= gone.bytes();
            }
        }
        id
    }

    pub fn get(&self, id: u64) -> Option<Session> {
        let store = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        store.by_id.get(&id).cloned()
    }

    /// Memory held by the open sessions, as counted against [`MAX_SESSION_BYTES`].
    pub fn bytes(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).bytes
    }
}

/// A list's title and introduction.
type ListHeading = (String, String);

/// The ids a view pages through now, and for a list its title and introduction; `None` when
/// what it names is gone from the database.
fn resolve(snapshot: &Snapshot, view: &View) -> Option<(Vec<String>, Option<ListHeading>)> {
    let catalog = &snapshot.catalog;
    Some(match view {
        View::Results(ids) => (ids.clone(), None),
        View::Speaker(id) => {
            let speaker = catalog.speaker(id)?;
            let ids = catalog
                .quotes()
                .iter()
                .filter(|q| q.speaker == speaker.id)
                .map(|q| q.id.clone())
                .collect();
            let mut intro = speaker.role.clone().unwrap_or_default();
            if !speaker.aliases.is_empty() {
                intro.push_str(&format!("\nAlso known as: {}", speaker.aliases.join(", ")));
            }
            (ids, Some((speaker.name.clone(), intro.trim().to_string())))
        }
        View::Source(id) => {
            let source = catalog.source(id)?;
            let ids = catalog
                .entries()
                .filter(|e| match e {
                    Entry::Quote(q) => q.source == source.id,
                    Entry::Fact(f) => f.source == source.id,
                })
                .map(|e| e.id().to_string())
                .collect();
            let details: Vec<String> = [
                source.outlet.clone(),
                source.published.map(|d| d.human()),
                source.url.clone(),
            ]
            .into_iter()
            .flatten()
            .collect();
            (ids, Some((source.title.clone(), details.join(" · "))))
        }
        View::Topic(topic) => {
            let ids = catalog
                .entries()
                .filter(|e| e.topics().contains(topic))
                .map(|e| e.id().to_string())
                .collect();
            (ids, Some((format!("Topic: {topic}"), String::new())))
        }
    })
}

/// Button custom ids: `qb:page:{session}:{index}` and `qb:cite:{entry id}`.
pub fn page_id(session: u64, index: usize) -> String {
    format!("qb:page:{session}:{index}")
}

pub fn cite_id(entry: &str) -> String {
    format!("qb:cite:{entry}")
}

/// The embed and buttons for page `index` of a session: one card, or one page of a list.
pub fn page(
    snapshot: &Snapshot,
    session_id: u64,
    session: &Session,
    index: usize,
) -> Option<(serenity::CreateEmbed, Vec<serenity::CreateActionRow>)> {
    let (ids, list) = resolve(snapshot, &session.view)?;
    let ids = &ids;
    let (view, pages, cite, source_url) = match &list {
        Some((title, intro)) => {
            let pages = ids.len().div_ceil(LIST_PAGE).max(1);
            if index >= pages {
                return None;
            }
            let view = render::list_embed(&snapshot.catalog, title, intro, ids, index, LIST_PAGE);
            (view, pages, None, None)
        }
        None => {
            let card = snapshot.card(ids.get(index)?)?;
            let view = render::card_embed(&card, Some((index, ids.len())));
            (
                view,
                ids.len(),
                Some(cite_id(&card.id)),
                card.source.url.clone(),
            )
        }
    };
    let paging = (pages > 1).then(|| {
        (
            page_id(session_id, index.saturating_sub(1)),
            page_id(session_id, index + 1),
            index > 0,
            index + 1 < pages,
        )
    });
    let buttons = embed::buttons(&Buttons {
        paging,
        cite,
        source_url,
    });
    Some((embed::embed(&view), buttons))
}

/// Opens a session for the invoking user and replies with its first page.
async fn reply_with_session(
    ctx: Context<'_>,
    snapshot: &Snapshot,
    session: Session,
) -> Result<(), Error> {
    let id = ctx.data().sessions.open(session.clone());
    let Some((embed, components)) = page(snapshot, id, &session, 0) else {
        return private(ctx, render::wording::NO_MATCH).await;
    };
    ctx.send(
        poise::CreateReply::default()
            .embed(embed)
            .components(components)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}

/// What a lookup found: the entries to page through, or the private answer instead.
enum Found {
    Ids(Vec<String>),
    Private(String),
}

/// Answers a lookup: the best match with paging, or a private "did you mean". The search runs
/// off the async runtime and within the search budget, so one slow query never holds up other
/// interactions and the user always gets an answer in Discord's three seconds.
async fn answer(
    ctx: Context<'_>,
    query: &str,
    kind: Option<EntryKind>,
    speaker: Option<String>,
    topic: Option<String>,
) -> Result<(), Error> {
    let snapshot = ctx.data().app.snapshot();
    let worker = snapshot.clone();
    let query = query.to_string();
    let task = tokio::task::spawn_blocking(move || lookup(&worker, &query, kind, speaker, topic));
    let found = match tokio::time::timeout(ctx.data().budgets.search, task).await {
        Ok(found) => found?,
        Err(_) => {
            tracing::warn!("a search exceeded its time budget");
            Found::Private(render::wording::TOO_SLOW.to_string())
        }
    };
    let ids = match found {
        Found::Ids(ids) => ids,
        Found::Private(text) => return private(ctx, &text).await,
    };
    let session = Session {
        owner: ctx.author().id.get(),
        view: View::Results(ids),
    };
    reply_with_session(ctx, &snapshot, session).await
}

/// Runs `find` on the current snapshot off the async runtime, within the search budget (like
/// [`answer`]'s search): the snapshot and what was found, or `None` when it took too long and
/// the user has been told so privately.
async fn within_budget<T: Send + 'static>(
    ctx: Context<'_>,
    find: impl FnOnce(&Snapshot) -> T + Send + 'static,
) -> Result<Option<(Arc<Snapshot>, T)>, Error> {
    let snapshot = ctx.data().app.snapshot();
    let worker = snapshot.clone();
    let task = tokio::task::spawn_blocking(move || {
        worker.searching();
        find(&worker)
    });
    match tokio::time::timeout(ctx.data().budgets.search, task).await {
        Ok(found) => Ok(Some((snapshot, found?))),
        Err(_) => {
            tracing::warn!("a lookup exceeded its time budget");
            private(ctx, render::wording::TOO_SLOW).await?;
            Ok(None)
        }
    }
}

/// The search behind [`answer`], on a blocking thread.
fn lookup(
    snapshot: &Snapshot,
    query: &str,
    kind: Option<EntryKind>,
    speaker: Option<String>,
    topic: Option<String>,
) -> Found {
    let speaker = match speaker.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => match resolve_speaker(snapshot, text) {
            Some(id) => Some(id),
            None => return Found::Private(format!("No speaker matches “{text}”.")),
        },
    };
    let topic = topic.map(|t| topic_slug(&t)).filter(|t| !t.is_empty());
    // A value picked from autocomplete is an id: show exactly that entry.
    match snapshot.catalog.entry(query.trim()) {
        Some(entry) if kind.is_none_or(|k| k == entry.kind()) => {
            Found::Ids(vec![entry.id().to_string()])
        }
        _ => {
            let outcome = snapshot.search(&Query {
                kind,
                speaker: speaker.as_deref(),
                topic: topic.as_deref(),
                ..Query::new(query, PAGE_LIMIT)
            });
            if !outcome.confident {
                return Found::Private(render::weak_answer_text(
                    &snapshot.catalog,
                    query,
                    &outcome,
                ));
            }
            Found::Ids(
                outcome
                    .hits
                    .iter()
                    .map(|h| h.entry(&snapshot.catalog).id().to_string())
                    .collect(),
            )
        }
    }
}

/// A short private reply, mentions off.
pub(super) async fn private(ctx: Context<'_>, text: &str) -> Result<(), Error> {
    ctx.send(
        poise::CreateReply::default()
            .content(limits::fit(text, limits::CONTENT))
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}

/// A speaker id from an id or a (possibly misspelled) name or alias.
fn resolve_speaker(snapshot: &Snapshot, text: &str) -> Option<String> {
    if snapshot.catalog.speaker(text).is_some() {
        return Some(text.to_string());
    }
    speaker_choices(snapshot, text)
        .into_iter()
        .next()
        .map(|(_, id)| id)
}

/// Speakers whose name or alias matches typed text, best first, as (label, id).
fn speaker_choices(snapshot: &Snapshot, typed: &str) -> Vec<(String, String)> {
    let typed = tokens(typed).join(" ");
    let mut scored: Vec<(f64, String, String)> = snapshot
        .catalog
        .speakers()
        .iter()
        .filter_map(|s| {
            let best = std::iter::once(&s.name)
                .chain(&s.aliases)
                .map(|name| {
                    let words = tokens(name);
                    let name = words.join(" ");
                    if typed.is_empty() || name.contains(&typed) {
                        1.0
                    } else {
                        // A misspelled full name, or one misspelled word of it ("blinkin").
                        words
                            .iter()
                            .map(|w| strsim::jaro_winkler(&typed, w))
                            .fold(strsim::jaro_winkler(&typed, &name), f64::max)
                    }
                })
                .fold(0.0, f64::max);
            let label = match &s.role {
                Some(role) => format!("{} ({role})", s.name),
                None => s.name.clone(),
            };
            (best >= 0.8).then(|| (best, label, s.id.clone()))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
        .into_iter()
        .take(limits::CHOICES)
        .map(|(_, label, id)| (label, id))
        .collect()
}

/// Topics that contain the typed text, as (label, value).
fn topic_choices(snapshot: &Snapshot, typed: &str) -> Vec<(String, String)> {
    // Typed as the slug is made, in any script: "한미 동맹" → "han-mi-dong-maeng".
    let typed = topic_slug(typed);
    let mut topics: Vec<&str> = snapshot
        .catalog
        .entries()
        .flat_map(|e| e.topics().iter().map(String::as_str))
        .filter(|t| t.contains(&typed))
        .collect();
    topics.sort_unstable();
    topics.dedup();
    topics
        .into_iter()
        .take(limits::CHOICES)
        .map(|t| (t.to_string(), t.to_string()))
        .collect()
}

/// A topic as typed, as the slug it is stored as.
fn topic_slug(typed: &str) -> String {
    crate::core::moderation::slug(typed, usize::MAX)
}

/// Sources whose title contains the typed words or is close to them, as (label, id).
fn source_choices(snapshot: &Snapshot, typed: &str) -> Vec<(String, String)> {
    let typed = tokens(typed).join(" ");
    let mut scored: Vec<(f64, String, String)> = snapshot
        .catalog
        .sources()
        .iter()
        .map(|s| {
            let title = tokens(&s.title).join(" ");
            let score = if typed.is_empty() || title.contains(&typed) {
                1.0
            } else {
                strsim::jaro_winkler(&typed, &title)
            };
            (score, s.title.clone(), s.id.clone())
        })
        .filter(|(score, _, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
        .into_iter()
        .take(limits::CHOICES)
        .map(|(_, title, id)| (title, id))
        .collect()
}

async fn autocomplete_source(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let typed = partial.to_string();
    bounded(
        ctx.data().budgets.autocomplete,
        ctx.data().app.snapshot(),
        move |s| source_choices(s, &typed),
        |s| source_choices(s, ""),
    )
    .await
}

/// Autocomplete choices within Discord's limits.
pub(super) fn to_response(choices: Vec<(String, String)>) -> serenity::CreateAutocompleteResponse {
    let choices = choices
        .into_iter()
        .take(limits::CHOICES)
        .map(|(name, value)| {
            serenity::AutocompleteChoice::new(
                limits::fit(&name, limits::CHOICE_NAME),
                limits::fit(&value, limits::CHOICE_VALUE),
            )
        })
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Runs a choice-making function off the async runtime, bounded in time; on timeout the
/// fallback list is offered instead of letting Discord's three seconds run out.
pub(super) async fn bounded(
    budget: Duration,
    snapshot: Arc<Snapshot>,
    make: impl FnOnce(&Snapshot) -> Vec<(String, String)> + Send + 'static,
    fallback: impl FnOnce(&Snapshot) -> Vec<(String, String)>,
) -> serenity::CreateAutocompleteResponse {
    let worker = snapshot.clone();
    let task = tokio::task::spawn_blocking(move || make(&worker));
    match tokio::time::timeout(budget, task).await {
        Ok(Ok(choices)) => to_response(choices),
        _ => {
            tracing::warn!("autocomplete exceeded its time budget; answering with a fallback");
            to_response(fallback(&snapshot))
        }
    }
}

pub(super) fn entry_choices(
    snapshot: &Snapshot,
    typed: &str,
    kind: Option<EntryKind>,
) -> Vec<(String, String)> {
    snapshot
        .suggest(&Query {
            kind,
            mode: Mode::Suggest,
            ..Query::new(typed, MAX_CHOICES)
        })
        .into_iter()
        .map(|c| (c.name, c.value))
        .collect()
}

pub(super) fn first_entries(snapshot: &Snapshot, kind: Option<EntryKind>) -> Vec<(String, String)> {
    snapshot
        .catalog
        .entries()
        .filter(|e| kind.is_none_or(|k| k == e.kind()))
        .take(limits::CHOICES)
        .map(|e| {
            (
                render::choice_label(&snapshot.catalog, e),
                e.id().to_string(),
            )
        })
        .collect()
}

async fn autocomplete_quote(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let typed = partial.to_string();
    bounded(
        ctx.data().budgets.autocomplete,
        ctx.data().app.snapshot(),
        move |s| entry_choices(s, &typed, Some(EntryKind::Quote)),
        |s| first_entries(s, Some(EntryKind::Quote)),
    )
    .await
}

async fn autocomplete_fact(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let typed = partial.to_string();
    bounded(
        ctx.data().budgets.autocomplete,
        ctx.data().app.snapshot(),
        move |s| entry_choices(s, &typed, Some(EntryKind::Fact)),
        |s| first_entries(s, Some(EntryKind::Fact)),
    )
    .await
}

async fn autocomplete_speaker(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let typed = partial.to_string();
    bounded(
        ctx.data().budgets.autocomplete,
        ctx.data().app.snapshot(),
        move |s| speaker_choices(s, &typed),
        |s| speaker_choices(s, ""),
    )
    .await
}

async fn autocomplete_topic(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let typed = partial.to_string();
    bounded(
        ctx.data().budgets.autocomplete,
        ctx.data().app.snapshot(),
        move |s| topic_choices(s, &typed),
        |s| topic_choices(s, ""),
    )
    .await
}

/// Look up what someone said: the best match, its source and related figures.
#[poise::command(slash_command)]
pub async fn quote(
    ctx: Context<'_>,
    #[description = "Words you remember (typos are fine), or a speaker and a keyword"]
    #[autocomplete = "autocomplete_quote"]
    query: String,
    #[description = "Only quotes by this speaker"]
    #[autocomplete = "autocomplete_speaker"]
    speaker: Option<String>,
    #[description = "Only quotes on this topic"]
    #[autocomplete = "autocomplete_topic"]
    topic: Option<String>,
) -> Result<(), Error> {
    answer(ctx, &query, Some(EntryKind::Quote), speaker, topic).await
}

/// Look up a fact or figure, with its source and the quotes it relates to.
#[poise::command(slash_command)]
pub async fn fact(
    ctx: Context<'_>,
    #[description = "What the figure is about"]
    #[autocomplete = "autocomplete_fact"]
    query: String,
    #[description = "Only facts on this topic"]
    #[autocomplete = "autocomplete_topic"]
    topic: Option<String>,
) -> Result<(), Error> {
    answer(ctx, &query, Some(EntryKind::Fact), None, topic).await
}

/// A random quote or fact, optionally on one topic.
#[poise::command(slash_command)]
pub async fn random(
    ctx: Context<'_>,
    #[description = "Only entries on this topic"]
    #[autocomplete = "autocomplete_topic"]
    topic: Option<String>,
) -> Result<(), Error> {
    let snapshot = ctx.data().app.snapshot();
    let topic = topic.as_deref().map(topic_slug);
    let entries: Vec<Entry<'_>> = snapshot
        .catalog
        .entries()
        .filter(|e| topic.as_ref().is_none_or(|t| e.topics().contains(t)))
        .collect();
    if entries.is_empty() {
        return private(ctx, "Nothing in the database has that topic.").await;
    }
    // The interaction id is random enough to pick with, and keeps the core free of a clock.
    let pick = (ctx.id() % entries.len() as u64) as usize;
    let ids = vec![entries[pick].id().to_string()];
    drop(entries);
    let session = Session {
        owner: ctx.author().id.get(),
        view: View::Results(ids),
    };
    reply_with_session(ctx, &snapshot, session).await
}

/// Everything one speaker said, a page at a time.
#[poise::command(slash_command)]
pub async fn speaker(
    ctx: Context<'_>,
    #[description = "The speaker's name (or part of it)"]
    #[autocomplete = "autocomplete_speaker"]
    name: String,
) -> Result<(), Error> {
    let typed = name.trim().to_string();
    let Some((snapshot, found)) = within_budget(ctx, move |s| {
        resolve_speaker(s, &typed).and_then(|id| s.catalog.speaker(&id).cloned())
    })
    .await?
    else {
        return Ok(());
    };
    let Some(speaker) = found else {
        return private(ctx, &format!("No speaker matches “{}”.", name.trim())).await;
    };
    let session = Session {
        owner: ctx.author().id.get(),
        view: View::Speaker(speaker.id),
    };
    reply_with_session(ctx, &snapshot, session).await
}

/// Everything quoted from one source, a page at a time.
#[poise::command(slash_command)]
pub async fn source(
    ctx: Context<'_>,
    #[description = "The source's title (or part of it)"]
    #[autocomplete = "autocomplete_source"]
    query: String,
) -> Result<(), Error> {
    let typed = query.clone();
    let Some((snapshot, id)) = within_budget(ctx, move |snapshot| {
        match snapshot.catalog.source(typed.trim()) {
            Some(s) => Some(s.id.clone()),
            None => source_choices(snapshot, &typed)
                .into_iter()
                .next()
                .map(|(_, id)| id),
        }
    })
    .await?
    else {
        return Ok(());
    };
    let Some(source) = id.and_then(|id| snapshot.catalog.source(&id).cloned()) else {
        return private(ctx, &format!("No source matches “{}”.", query.trim())).await;
    };
    let session = Session {
        owner: ctx.author().id.get(),
        view: View::Source(source.id),
    };
    reply_with_session(ctx, &snapshot, session).await
}

/// Everything on one topic, a page at a time.
#[poise::command(slash_command)]
pub async fn topic(
    ctx: Context<'_>,
    #[description = "The topic"]
    #[autocomplete = "autocomplete_topic"]
    name: String,
) -> Result<(), Error> {
    let typed = name.clone();
    let Some((snapshot, found)) =
        within_budget(ctx, move |s| topic_choices(s, &typed).into_iter().next()).await?
    else {
        return Ok(());
    };
    let topic = match found {
        Some((_, t)) => t,
        None => return private(ctx, &format!("No topic matches “{}”.", name.trim())).await,
    };
    let session = Session {
        owner: ctx.author().id.get(),
        view: View::Topic(topic),
    };
    reply_with_session(ctx, &snapshot, session).await
}

/// What this bot is: version, database size, uptime.
#[poise::command(slash_command)]
pub async fn about(ctx: Context<'_>) -> Result<(), Error> {
    let snapshot = ctx.data().app.snapshot();
    let c = &snapshot.catalog;
    let uptime = ctx.data().started.elapsed().as_secs();
    let revision = match ctx.data().app.revision() {
        Some(r) => format!(" Data revision {r}."),
        None => String::new(),
    };
    let mut fotd = String::new();
    if let Some(paused) = fotd_paused(ctx.data()) {
        fotd.push_str(&format!(" Fact of the day: {paused}"));
    }
    if let Some(problem) = ctx.data().guild_schedules.settings_problem() {
        fotd.push_str(&format!(
            " Fact of the day: the servers' settings cannot be read ({}), so only configured channels are posted to.",
            problem.brief()
        ));
    }
    let text = format!(
        "quotebot {} — {} quotes, {} facts, {} speakers, {} sources.{revision} Up {}h {}m.{fotd}",
        env!("CARGO_PKG_VERSION"),
        c.quotes().len(),
        c.facts().len(),
        c.speakers().len(),
        c.sources().len(),
        uptime / 3600,
        (uptime % 3600) / 60
    );
    private(ctx, &text).await
}

/// Fact of the day for this server: set, stop, or show it (server managers only).
#[poise::command(
    slash_command,
    guild_only,
    rename = "fotd",
    subcommands("fotd_set", "fotd_off", "fotd_show"),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn fotd(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// IANA time zones containing the typed text.
fn timezone_choices(typed: &str) -> Vec<(String, String)> {
    let typed = typed.trim().to_lowercase().replace(' ', "_");
    jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_string())
        .filter(|name| name.to_lowercase().contains(&typed))
        .take(limits::CHOICES)
        .map(|name| (name.clone(), name))
        .collect()
}

async fn autocomplete_timezone(
    _ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    to_response(timezone_choices(partial))
}

/// Post a fact every day in a channel at a local time.
#[poise::command(
    slash_command,
    guild_only,
    rename = "set",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn fotd_set(
    ctx: Context<'_>,
    #[description = "The channel to post in"]
    #[channel_types("Text", "News")]
    channel: serenity::ChannelId,
    #[description = "Local time of day, 24-hour, like 09:00"] time: String,
    #[description = "IANA time zone, like Asia/Seoul"]
    #[autocomplete = "autocomplete_timezone"]
    timezone: String,
) -> Result<(), Error> {
    let Some(guild) = ctx.guild_id() else {
        return private(ctx, "This works only in a server.").await;
    };
    let Some((hour, minute)) = crate::config::parse_time_of_day(time.trim()) else {
        return private(
            ctx,
            &format!(
                "“{}” is not a time of day: use 24-hour HH:MM, like 09:00.",
                time.trim()
            ),
        )
        .await;
    };
    let timezone = timezone.trim().to_string();
    if jiff::tz::TimeZone::get(&timezone).is_err() {
        return private(
            ctx,
            &format!("“{timezone}” is not a time zone: use an IANA name like Asia/Seoul."),
        )
        .await;
    }
    // Only a channel of this server: the id comes from the command, and a crafted one could
    // name any channel the bot can see.
    match channel.to_channel(ctx).await {
        Ok(serenity::Channel::Guild(c)) if c.guild_id == guild => {}
        Ok(_) => {
            return private(
                ctx,
                &format!("<#{channel}> is not a channel of this server; pick one of this server's text channels."),
            )
            .await;
        }
        Err(e) => {
            tracing::warn!(error = %e, channel = channel.get(), "cannot look up a /fotd set channel");
            return private(
                ctx,
                &format!("I cannot see the channel <#{channel}>; check that I may view it, then try again. Nothing changed."),
            )
            .await;
        }
    }
    let setting = GuildSetting {
        channel: channel.get(),
        hour,
        minute,
        timezone,
    };
    let data = ctx.data();
    if let Err(reply) = change_setting(data, guild.get(), Some(setting.clone())).await {
        return private(ctx, &reply).await;
    }
    private(ctx, &fotd_summary(data, &setting)).await
}

/// Saves a server's change under the scheduler's lock (off the async threads: it syncs the
/// file); the reply to give when it did not happen.
async fn change_setting(
    data: &Data,
    guild: u64,
    setting: Option<GuildSetting>,
) -> Result<Option<GuildSetting>, String> {
    let schedules = data.guild_schedules.clone();
    let dir = data.state_dir.clone();
    let changed = tokio::task::spawn_blocking(move || {
        schedules.change(guild, setting, |all| store::save_guild_settings(&dir, all))
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "saving the fact-of-the-day settings failed");
        "The setting could not be saved; nothing changed.".to_string()
    })?;
    changed.map_err(|error| match error {
        ChangeError::Unavailable(problem) => {
            tracing::error!(error = %problem, "a /fotd change was refused: the settings file cannot be used");
            format!(
                "The fact-of-the-day settings cannot be changed now: the saved settings cannot be read ({}). Saving would lose other servers' settings, so nothing changed; the bot's operator has been told.",
                problem.brief()
            )
        }
        ChangeError::Save(e) => {
            tracing::error!(error = %e, "cannot save the fact-of-the-day settings");
            "The setting could not be saved; nothing changed.".to_string()
        }
    })
}

/// Stop the fact of the day in this server.
#[poise::command(
    slash_command,
    guild_only,
    rename = "off",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn fotd_off(ctx: Context<'_>) -> Result<(), Error> {
    let Some(guild) = ctx.guild_id() else {
        return private(ctx, "This works only in a server.").await;
    };
    let data = ctx.data();
    if data.guild_schedules.settings_problem().is_none()
        && data.guild_schedules.get(guild.get()).is_none()
    {
        return private(ctx, "The fact of the day is not on in this server.").await;
    }
    if let Err(reply) = change_setting(data, guild.get(), None).await {
        return private(ctx, &reply).await;
    }
    private(ctx, "The fact of the day is off in this server.").await
}

/// Where and when the next fact of the day is posted, and which fact it will be.
#[poise::command(
    slash_command,
    guild_only,
    rename = "show",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn fotd_show(ctx: Context<'_>) -> Result<(), Error> {
    let Some(guild) = ctx.guild_id() else {
        return private(ctx, "This works only in a server.").await;
    };
    let data = ctx.data();
    if let Some(problem) = data.guild_schedules.settings_problem() {
        return private(
            ctx,
            &format!(
                "The fact-of-the-day settings cannot be read now ({}); the bot's operator has been told, and the bot reads them again every minute.",
                problem.brief()
            ),
        )
        .await;
    }
    match data.guild_schedules.get(guild.get()) {
        Some(setting) => private(ctx, &fotd_summary(data, &setting)).await,
        None => {
            private(
                ctx,
                "The fact of the day is off in this server. Turn it on with /fotd set.",
            )
            .await
        }
    }
}

/// "Posts in #channel at 09:00 Asia/Seoul; next <t:…:F>: <fact>".
fn fotd_summary(data: &Data, setting: &GuildSetting) -> String {
    let Some(schedule) = setting.schedule() else {
        return "The saved time zone is no longer valid; set it again with /fotd set.".to_string();
    };
    let now = data.clock.now();
    let ledger = data.guild_schedules.ledger(setting.channel);
    let snapshot = data.app.snapshot();
    let facts = snapshot.catalog.fact_ids();
    // The same decision the scheduler makes: due now, or the next instant.
    let when = match decide(&schedule, &ledger, &facts, now) {
        Decision::Post(_) => now,
        Decision::Wait(at) => at,
    };
    let today = local_date(now, &schedule.time_zone);
    let day = local_date(when, &schedule.time_zone);
    let fact = planned(setting.channel, &ledger, &facts, day, today).and_then(|id| {
        snapshot
            .catalog
            .fact(&id)
            .map(|f| (id.clone(), f.text.clone()))
    });
    let mut text = format!(
        "Fact of the day posts in <#{}> at {:02}:{:02} {}. Next: <t:{}:F> (<t:{}:R>)",
        setting.channel,
        setting.hour,
        setting.minute,
        setting.timezone,
        when.as_second(),
        when.as_second()
    );
    match fact {
        Some((id, fact)) => text.push_str(&format!(", with: {fact} (`{id}`)")),
        None => text.push_str(", but the database has no facts yet."),
    }
    if let Some(paused) = fotd_paused(data) {
        text.push_str(&format!("\n{paused}"));
    }
    text
}

/// Why nothing is being posted, when the ledger cannot be read.
fn fotd_paused(data: &Data) -> Option<String> {
    data.guild_schedules.ledger_problem().map(|problem| {
        format!(
            "Paused: nothing is posted while the bot cannot read its fact-of-the-day ledger ({}). The bot's operator has been told; it reads the ledger again every minute and resumes by itself.",
            problem.brief()
        )
    })
}

pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        quote(),
        fact(),
        speaker(),
        source(),
        topic(),
        random(),
        about(),
        fotd(),
        super::curate::curate(),
        super::curate::save_as_quote(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::data::{DataFile, DataFiles, parse_catalog};

    /// A database of `n` quotes, all by one speaker, from one source, on one topic.
    fn big_snapshot(n: usize) -> Snapshot {
        let mut quotes = String::new();
        for i in 0..n {
            quotes.push_str(&format!(
                "[[quote]]\nid = \"quote-number-{i}-with-a-long-id-to-take-memory\"\ntext = \"words {i}\"\nspeaker = \"s\"\nsource = \"src\"\ntopics = [\"t\"]\n"
            ));
        }
        let file = |path, text| DataFile { path, text };
        let catalog = parse_catalog(&DataFiles {
            speakers: file("speakers.toml", "[[speaker]]\nid = \"s\"\nname = \"Sam\"\n"),
            sources: file("sources.toml", "[[source]]\nid = \"src\"\ntitle = \"T\"\n"),
            quotes: file("quotes.toml", &quotes),
            facts: file("facts.toml", ""),
        })
        .unwrap();
        Snapshot::new(catalog)
    }

    #[test]
    fn a_list_session_holds_what_was_asked_not_the_list_and_still_pages_through_it() {
        let snapshot = big_snapshot(3000);
        let sessions = Sessions::default();
        for view in [
            View::Topic("t".into()),
            View::Speaker("s".into()),
            View::Source("src".into()),
        ] {
            let session = Session { owner: 1, view };
            assert!(session.bytes() < 200, "{} bytes", session.bytes());
            let id = sessions.open(session.clone());
            let pages = 3000usize.div_ceil(LIST_PAGE);
            assert!(page(&snapshot, id, &session, pages - 1).is_some());
            assert!(page(&snapshot, id, &session, pages).is_none());
        }
        assert!(sessions.bytes() < 600);
    }

    #[test]
    fn many_large_sessions_stay_within_the_byte_budget_forgetting_the_oldest() {
        let sessions = Sessions::default();
        let ids: Vec<String> = (0..PAGE_LIMIT).map(|i| format!("{i:0>64}")).collect();
        let mut first = 0;
        let mut last = 0;
        for n in 0..3 * MAX_SESSIONS {
            let view = if n % 2 == 0 {
                View::Results(ids.clone())
            } else {
                View::Topic("t".repeat(64))
            };
            last = sessions.open(Session { owner: 1, view });
            if n == 0 {
                first = last;
            }
            assert!(sessions.bytes() <= MAX_SESSION_BYTES);
        }
        assert!(sessions.get(last).is_some());
        assert!(sessions.get(first).is_none());
        // The accounting matches what is held.
        let store = sessions.inner.lock().unwrap();
        let held: usize = store.by_id.values().map(Session::bytes).sum();
        assert_eq!(held, store.bytes);
        assert!(store.by_id.len() <= MAX_SESSIONS);
    }
}
