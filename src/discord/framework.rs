//! What every feature of the bot shares, and nothing feature-specific: the framework types
//! (`Data`, `Context`, `Error`), the size-bounded store behind buttons that come back later, the
//! one typed custom id of every button and form, private replies, autocomplete within a time
//! budget, and running blocking work off the async runtime within one.
//!
//! The feature modules (`lookup`, `fotd`, `curate`, `exchange`) depend on this module and on `embed`, never
//! on each other; `discord/mod.rs` lists their commands and routes clicks to them by id.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poise::serenity_prelude as serenity;

use super::embed::no_mentions;
use crate::app::{App, Snapshot, off_runtime};
use crate::clock::{Clock, Stopwatch};
use crate::config::TimeBudgets;
use crate::core::edit::Change;
use crate::core::limits::{self, EmbedView};
use crate::core::model::EntryKind;
use crate::core::moderation::{Denied, Moderators};
use crate::core::render;
use crate::core::search::{MAX_CHOICES, Mode, Query};
use crate::scheduler::GuildSchedules;

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Context<'a> = poise::Context<'a, Data, Error>;
pub type AppContext<'a> = poise::ApplicationContext<'a, Data, Error>;

/// Paging sessions kept in memory; the oldest are forgotten first.
pub const MAX_SESSIONS: usize = 10_000;
/// Memory all paging sessions together may hold; the oldest are forgotten first.
pub const MAX_SESSION_BYTES: usize = 8 << 20;
/// Changes waiting for confirmation kept in memory; the oldest are forgotten first.
pub const MAX_PENDING: usize = 1000;

/// What every command can reach.
pub struct Data {
    pub app: Arc<App>,
    /// What the "previous/next" buttons of `lookup`'s answers page through.
    pub sessions: SessionStore<Paging>,
    pub started: Stopwatch,
    /// Per-server fact-of-the-day settings, shared with the scheduler.
    pub guild_schedules: Arc<GuildSchedules>,
    pub state_dir: PathBuf,
    pub clock: Arc<dyn Clock>,
    /// Who may change the database.
    pub moderators: Moderators,
    /// `curate`'s changes waiting for a moderator's confirmation.
    pub pending: SessionStore<PendingChange>,
    /// Private answers a Share button can post publicly, by their owner.
    pub shares: SessionStore<EmbedView>,
    /// How long a search or an autocomplete list may take (config's [`TimeBudgets`]).
    pub budgets: TimeBudgets,
}

impl Data {
    /// Why no fact of the day is posted, when the ledger cannot be read (told by `/about` and
    /// `/fotd show`).
    pub fn fotd_paused(&self) -> Option<String> {
        self.guild_schedules.ledger_problem().map(|problem| {
            format!(
                "Paused: nothing is posted while the bot cannot read its fact-of-the-day ledger ({}). The bot's operator has been told; it reads the ledger again every minute and resumes by itself.",
                problem.brief()
            )
        })
    }
}

/// What a paging session pages through, recomputed from the current snapshot on every page. A
/// session keeps what was asked (a few ids, or which speaker, source or topic), never a whole
/// list, so repeated lookups on a large database cannot grow memory without bound.
#[derive(Clone, Debug, PartialEq)]
pub enum Paging {
    /// Search results, one card a page: a few ids.
    Results(Vec<String>),
    /// A list of everything one speaker said, by speaker id.
    Speaker(String),
    /// A list of everything from one source, by source id.
    Source(String),
    /// A list of everything on one topic.
    Topic(String),
}

impl Paging {
    /// Memory the strings hold.
    fn heap_bytes(&self) -> usize {
        match self {
            Paging::Results(ids) => {
                ids.capacity() * std::mem::size_of::<String>()
                    + ids.iter().map(String::capacity).sum::<usize>()
            }
            Paging::Speaker(s) | Paging::Source(s) | Paging::Topic(s) => s.capacity(),
        }
    }
}

/// Changes waiting for their moderator to click confirm.
pub struct PendingChange {
    pub changes: Vec<Change>,
}

/// Values that buttons come back to later (a paging session, a change awaiting confirmation),
/// by the number in the button's id, each with the user it belongs to. Bounded in number and,
/// when given a way to weigh values, in bytes; the oldest are forgotten first.
pub struct SessionStore<T> {
    max_entries: usize,
    max_bytes: usize,
    /// Heap memory a value holds beyond its own size.
    weigh: fn(&T) -> usize,
    inner: Mutex<Sessions<T>>,
}

struct Sessions<T> {
    next: u64,
    by_id: HashMap<u64, Session<T>>,
    order: VecDeque<u64>,
    /// Sum of [`SessionStore::bytes_of`] over `by_id`.
    bytes: usize,
}

struct Session<T> {
    owner: u64,
    value: T,
}

/// Why a session cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Forgotten (the oldest go first), or never opened.
    Expired,
    /// It belongs to someone else.
    NotYours,
}

impl SessionStore<Paging> {
    /// Paging sessions: at most [`MAX_SESSIONS`], holding at most [`MAX_SESSION_BYTES`].
    pub fn paging() -> Self {
        SessionStore::new(MAX_SESSIONS).with_byte_budget(MAX_SESSION_BYTES, Paging::heap_bytes)
    }
}

impl SessionStore<PendingChange> {
    /// Confirmations: at most [`MAX_PENDING`]; each holds one form's changes.
    pub fn pending() -> Self {
        SessionStore::new(MAX_PENDING)
    }
}

/// Private answers waiting to be shared kept in memory; the oldest are forgotten first.
pub const MAX_SHARES: usize = 1000;

impl SessionStore<EmbedView> {
    /// Answers to share: at most [`MAX_SHARES`], holding at most [`MAX_SESSION_BYTES`].
    pub fn shares() -> Self {
        SessionStore::new(MAX_SHARES).with_byte_budget(MAX_SESSION_BYTES, |view| {
            // Four bytes a character at most, and the fields' own strings.
            view.total_chars() * 4 + view.fields.len() * std::mem::size_of::<limits::EmbedField>()
        })
    }
}

impl<T> SessionStore<T> {
    /// A store of at most `max_entries` values, bounded in number only.
    pub fn new(max_entries: usize) -> Self {
        SessionStore {
            max_entries,
            max_bytes: usize::MAX,
            weigh: |_| 0,
            inner: Mutex::new(Sessions {
                next: 0,
                by_id: HashMap::new(),
                order: VecDeque::new(),
                bytes: 0,
            }),
        }
    }

    /// Also bounded to `max_bytes`, counting what `weigh` says each value holds on the heap.
    pub fn with_byte_budget(mut self, max_bytes: usize, weigh: fn(&T) -> usize) -> Self {
        self.max_bytes = max_bytes;
        self.weigh = weigh;
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sessions<T>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Memory one session holds: its own size, its place in the order and the map's key, and
    /// what its value holds.
    fn bytes_of(&self, value: &T) -> usize {
        std::mem::size_of::<Session<T>>() + std::mem::size_of::<u64>() * 2 + (self.weigh)(value)
    }

    /// Keeps `value` for `owner`; its number goes into the buttons' ids.
    pub fn open(&self, owner: u64, value: T) -> u64 {
        let bytes = self.bytes_of(&value);
        let mut store = self.lock();
        store.next += 1;
        let id = store.next;
        store.bytes += bytes;
        store.by_id.insert(id, Session { owner, value });
        store.order.push_back(id);
        while store.order.len() > self.max_entries || store.bytes > self.max_bytes {
            let Some(old) = store.order.pop_front() else {
                break;
            };
            if let Some(gone) = store.by_id.remove(&old) {
                store.bytes -= self.bytes_of(&gone.value);
            }
        }
        id
    }

    /// A copy of session `id`, when `user` owns it.
    pub fn get(&self, id: u64, user: u64) -> Result<T, Refused>
    where
        T: Clone,
    {
        let store = self.lock();
        let session = store.by_id.get(&id).ok_or(Refused::Expired)?;
        if session.owner != user {
            return Err(Refused::NotYours);
        }
        Ok(session.value.clone())
    }

    /// Session `id`, removed, when `user` owns it (it stays for its owner otherwise).
    pub fn take(&self, id: u64, user: u64) -> Result<T, Refused> {
        let mut store = self.lock();
        match store.by_id.get(&id) {
            None => return Err(Refused::Expired),
            Some(session) if session.owner != user => return Err(Refused::NotYours),
            Some(_) => {}
        }
        let session = store.by_id.remove(&id).ok_or(Refused::Expired)?;
        store.order.retain(|&o| o != id);
        store.bytes -= self.bytes_of(&session.value);
        Ok(session.value)
    }

    /// Memory held by the open sessions, as counted against the byte budget.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// How many sessions are open.
    pub fn count(&self) -> usize {
        self.lock().by_id.len()
    }
}

/// The custom id of every button and form the bot sends, parsed and written only here. The
/// text form is what Discord stores in a message and sends back on a click, so it stays as it
/// is: messages sent by an earlier version keep working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentId {
    /// Page `index` of paging session `session`: `qb:page:{session}:{index}`.
    Page { session: u64, index: usize },
    /// A private, copy-ready citation of an entry: `qb:cite:{entry id}`.
    Cite(String),
    /// An entry's published translations, privately: `qb:translations:{entry id}`.
    Translations(String),
    /// Save the pending change `n`: `qb:confirm:{n}`.
    Confirm(u64),
    /// Drop the pending change `n`: `qb:cancel:{n}`.
    Cancel(u64),
    /// Post the private answer `n` publicly: `qb:share:{n}`.
    Share(u64),
    /// The form opened in answer to the interaction with this id: `{interaction id}`.
    Form(u64),
}

/// The prefix of every button id (forms use their interaction's id).
const PREFIX: &str = "qb:";

/// A custom id that is none of the bot's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadId {
    /// Not one the bot makes: some other component's.
    #[error("not one of the bot's custom ids")]
    Foreign,
    /// In the bot's form but not one it makes (damaged or forged).
    #[error("a damaged custom id")]
    Damaged,
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ComponentId::Page { session, index } => write!(f, "{PREFIX}page:{session}:{index}"),
            ComponentId::Cite(entry) => write!(f, "{PREFIX}cite:{entry}"),
            ComponentId::Translations(entry) => write!(f, "{PREFIX}translations:{entry}"),
            ComponentId::Confirm(n) => write!(f, "{PREFIX}confirm:{n}"),
            ComponentId::Cancel(n) => write!(f, "{PREFIX}cancel:{n}"),
            ComponentId::Share(n) => write!(f, "{PREFIX}share:{n}"),
            ComponentId::Form(interaction) => write!(f, "{interaction}"),
        }
    }
}

impl FromStr for ComponentId {
    type Err = BadId;

    fn from_str(text: &str) -> Result<Self, BadId> {
        let Some(rest) = text.strip_prefix(PREFIX) else {
            return match text.parse::<u64>() {
                Ok(interaction) => Ok(ComponentId::Form(interaction)),
                Err(_) => Err(BadId::Foreign),
            };
        };
        let (kind, arguments) = rest.split_once(':').ok_or(BadId::Damaged)?;
        let number = |s: &str| s.parse::<u64>().map_err(|_| BadId::Damaged);
        match kind {
            "page" => {
                let (session, index) = arguments.split_once(':').ok_or(BadId::Damaged)?;
                Ok(ComponentId::Page {
                    session: number(session)?,
                    index: index.parse().map_err(|_| BadId::Damaged)?,
                })
            }
            "cite" if !arguments.is_empty() => Ok(ComponentId::Cite(arguments.to_string())),
            "translations" if !arguments.is_empty() => {
                Ok(ComponentId::Translations(arguments.to_string()))
            }
            "confirm" => Ok(ComponentId::Confirm(number(arguments)?)),
            "cancel" => Ok(ComponentId::Cancel(number(arguments)?)),
            "share" => Ok(ComponentId::Share(number(arguments)?)),
            _ => Err(BadId::Damaged),
        }
    }
}

/// The server-side check of a moderator: listed users, or listed roles in the home server
/// (every command, submit and click that changes the database asks it; server admins can
/// override Discord's command permissions).
pub fn authorize(
    data: &Data,
    user: u64,
    guild: Option<u64>,
    member: Option<&serenity::Member>,
) -> Result<(), Denied> {
    let roles: Vec<u64> = member
        .map(|m| m.roles.iter().map(|r| r.get()).collect())
        .unwrap_or_default();
    data.moderators.check(user, guild, &roles)
}

/// [`authorize`] for the user of a slash command.
pub fn authorize_command(ctx: AppContext<'_>) -> Result<(), Denied> {
    authorize(
        ctx.data(),
        ctx.interaction.user.id.get(),
        ctx.interaction.guild_id.map(|g| g.get()),
        ctx.interaction.member.as_deref(),
    )
}

/// Confirm (labelled `label`, styled `style`) and cancel buttons for pending change `pending`:
/// clicks on them come back as [`ComponentId::Confirm`] and [`ComponentId::Cancel`], which
/// `curate` answers for every feature that opens a pending change.
pub fn confirm_buttons(
    pending: u64,
    label: &str,
    style: serenity::ButtonStyle,
) -> Vec<serenity::CreateActionRow> {
    vec![serenity::CreateActionRow::Buttons(vec![
        serenity::CreateButton::new(ComponentId::Confirm(pending).to_string())
            .label(label)
            .style(style),
        serenity::CreateButton::new(ComponentId::Cancel(pending).to_string())
            .label("Cancel")
            .style(serenity::ButtonStyle::Secondary),
    ])]
}

/// A short private reply, mentions off.
pub async fn private(ctx: Context<'_>, text: &str) -> Result<(), Error> {
    ctx.send(
        poise::CreateReply::default()
            .content(limits::fit(text, limits::CONTENT))
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}

/// Why work run [`within_budget`] gave no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unfinished {
    /// It took longer than its budget (it runs on, and what it finds is dropped).
    #[error("the work exceeded its time budget")]
    OverBudget,
    /// It panicked, or the runtime is shutting down (logged by `app::off_runtime`).
    #[error("the work did not finish")]
    Failed,
}

/// Runs `work` off the async runtime (`app::off_runtime`), waiting at most `budget` for it: so
/// one slow search or name match never holds up other interactions, and the user gets an
/// answer within Discord's three seconds. `what` names the work in the log line that reports
/// an overrun.
pub async fn within_budget<T: Send + 'static>(
    what: &'static str,
    budget: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Unfinished> {
    match tokio::time::timeout(budget, off_runtime(work)).await {
        Ok(Some(done)) => Ok(done),
        Ok(None) => Err(Unfinished::Failed),
        Err(_) => {
            tracing::warn!(?budget, "{what} exceeded its time budget");
            Err(Unfinished::OverBudget)
        }
    }
}

/// Autocomplete choices within Discord's limits.
pub fn to_response(choices: Vec<(String, String)>) -> serenity::CreateAutocompleteResponse {
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

/// Autocomplete choices made from the current snapshot off the async runtime within the
/// autocomplete budget; past it, the `fallback` list is offered instead of letting Discord's
/// three seconds run out.
pub async fn complete(
    ctx: Context<'_>,
    make: impl FnOnce(&Snapshot) -> Vec<(String, String)> + Send + 'static,
    fallback: impl FnOnce(&Snapshot) -> Vec<(String, String)>,
) -> serenity::CreateAutocompleteResponse {
    let snapshot = ctx.data().app.snapshot();
    let worker = snapshot.clone();
    let budget = ctx.data().budgets.autocomplete;
    match within_budget("autocomplete", budget, move || make(&worker)).await {
        Ok(choices) => to_response(choices),
        Err(_) => to_response(fallback(&snapshot)),
    }
}

/// Names (speakers, sources, topics) that `choices` matches to the text typed so far; every
/// name, first ones first, when the matching runs out of time.
pub async fn complete_names(
    ctx: Context<'_>,
    typed: &str,
    choices: fn(&crate::core::catalog::Catalog, &str) -> Vec<crate::core::search::Choice>,
) -> serenity::CreateAutocompleteResponse {
    let pairs = |found: Vec<crate::core::search::Choice>| -> Vec<(String, String)> {
        found.into_iter().map(|c| (c.name, c.value)).collect()
    };
    let typed = typed.to_string();
    complete(
        ctx,
        move |s| pairs(choices(&s.catalog, &typed)),
        move |s| pairs(choices(&s.catalog, "")),
    )
    .await
}

/// Quotes and facts (or only one `kind`) matching the text typed so far, best first; the first
/// entries of the database when the matching runs out of time.
pub async fn complete_entries(
    ctx: Context<'_>,
    typed: &str,
    kind: Option<EntryKind>,
) -> serenity::CreateAutocompleteResponse {
    let typed = typed.to_string();
    complete(
        ctx,
        move |s| entry_choices(s, &typed, kind),
        |s| first_entries(s, kind),
    )
    .await
}

fn entry_choices(
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

fn first_entries(snapshot: &Snapshot, kind: Option<EntryKind>) -> Vec<(String, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_component_id_reads_back_as_written_within_discords_limit() {
        for id in [
            ComponentId::Page {
                session: u64::MAX,
                index: usize::MAX,
            },
            ComponentId::Page {
                session: 1,
                index: 0,
            },
            ComponentId::Cite("a".repeat(64)),
            ComponentId::Cite("quote-with:colon".into()),
            ComponentId::Translations("a".repeat(64)),
            ComponentId::Confirm(7),
            ComponentId::Cancel(u64::MAX),
            ComponentId::Form(1_000_000_000_000_000_001),
        ] {
            let text = id.to_string();
            assert!(text.chars().count() <= limits::CUSTOM_ID, "{text}");
            assert_eq!(text.parse::<ComponentId>(), Ok(id));
        }
    }

    #[test]
    fn the_wire_format_of_ids_is_unchanged() {
        let table = [
            (
                ComponentId::Page {
                    session: 3,
                    index: 2,
                },
                "qb:page:3:2",
            ),
            (ComponentId::Cite("x-y".into()), "qb:cite:x-y"),
            (
                ComponentId::Translations("x-y".into()),
                "qb:translations:x-y",
            ),
            (ComponentId::Confirm(12), "qb:confirm:12"),
            (ComponentId::Cancel(12), "qb:cancel:12"),
            (ComponentId::Form(99), "99"),
        ];
        for (id, text) in table {
            assert_eq!(id.to_string(), text);
        }
    }

    #[test]
    fn damaged_and_foreign_ids_are_told_apart() {
        for damaged in [
            "qb:",
            "qb:page",
            "qb:page:1",
            "qb:page:x:1",
            "qb:page:1:-1",
            "qb:cite:",
            "qb:translations:",
            "qb:confirm:",
            "qb:confirm:abc",
            "qb:cancel:1:2",
            "qb:delete:1",
        ] {
            assert_eq!(
                damaged.parse::<ComponentId>(),
                Err(BadId::Damaged),
                "{damaged}"
            );
        }
        for foreign in ["", "other:page:1:2", "12a", "-1"] {
            assert_eq!(
                foreign.parse::<ComponentId>(),
                Err(BadId::Foreign),
                "{foreign}"
            );
        }
    }

    #[test]
    fn a_session_is_only_its_owners_and_taking_it_uses_it_up() {
        let store = SessionStore::new(10);
        let id = store.open(1, "kept".to_string());
        assert_eq!(store.get(id, 2), Err(Refused::NotYours));
        assert_eq!(store.take(id, 2), Err(Refused::NotYours));
        assert_eq!(store.get(id, 1).as_deref(), Ok("kept"));
        assert_eq!(store.take(id, 1).as_deref(), Ok("kept"));
        assert_eq!(store.take(id, 1), Err(Refused::Expired));
        assert_eq!(store.get(id + 1, 1), Err(Refused::Expired));
        assert_eq!(store.count(), 0);
        assert_eq!(store.bytes(), 0);
    }

    #[test]
    fn a_store_bounded_in_number_forgets_the_oldest_first() {
        let store = SessionStore::new(3);
        let ids: Vec<u64> = (0..5).map(|n| store.open(1, n)).collect();
        assert_eq!(store.count(), 3);
        assert_eq!(store.get(ids[1], 1), Err(Refused::Expired));
        assert_eq!(store.get(ids[2], 1), Ok(2));
        // A session taken early leaves room, not a stale place in the order.
        store.take(ids[3], 1).unwrap();
        let newest = store.open(1, 9);
        assert_eq!(store.get(ids[2], 1), Ok(2));
        assert_eq!(store.get(newest, 1), Ok(9));
    }

    #[test]
    fn the_byte_accounting_matches_what_is_held_through_opens_evictions_and_takes() {
        let store = SessionStore::paging();
        let mut ids = Vec::new();
        for n in 0..2 * MAX_SESSIONS {
            let paging = match n % 3 {
                0 => Paging::Results(vec!["x".repeat(n % 200); 10]),
                1 => Paging::Topic("t".repeat(n % 300)),
                _ => Paging::Speaker(String::new()),
            };
            ids.push(store.open(n as u64 % 7, paging));
            if n % 5 == 0 {
                let _ = store.take(ids[n / 2], n as u64 % 7);
            }
            assert!(store.bytes() <= MAX_SESSION_BYTES);
        }
        let inner = store.lock();
        let held: usize = inner.by_id.values().map(|s| store.bytes_of(&s.value)).sum();
        assert_eq!(held, inner.bytes);
        assert_eq!(inner.order.len(), inner.by_id.len());
        assert!(inner.by_id.len() <= MAX_SESSIONS);
    }
}
