//! Looking things up: `/quote`, `/fact`, `/random`, `/speaker`, `/source`, `/topic` and
//! `/about`, their autocomplete, and the buttons under an answer (previous/next, Cite). Commands
//! only translate: read options, ask the app's current snapshot, render through the core,
//! reply with mentions off.

use poise::serenity_prelude as serenity;
use serenity::CreateInteractionResponse;

use super::embed::{self, Buttons, ephemeral, message, no_mentions};
use super::framework::{
    ComponentId, Context, Data, Error, Paging, Refused, Unfinished, complete_entries,
    complete_names, private, within_budget,
};
use crate::app::Snapshot;
use crate::core::catalog::{Catalog, Entry};
use crate::core::model::EntryKind;
use crate::core::render;
use crate::core::search::Query;
use crate::core::search::names::{
    resolve_source, resolve_speaker, resolve_topic, source_choices, speaker_choices, topic_choices,
    topic_slug,
};

/// How many results one answer can page through.
const PAGE_LIMIT: usize = 10;
/// Entries on one page of a list.
const LIST_PAGE: usize = 8;

/// A list's title and introduction.
type ListHeading = (String, String);

/// The ids a session pages through now, and for a list its title and introduction; `None`
/// when what it names is gone from the database.
fn resolve(snapshot: &Snapshot, paging: &Paging) -> Option<(Vec<String>, Option<ListHeading>)> {
    let catalog = &snapshot.catalog;
    Some(match paging {
        Paging::Results(ids) => (ids.clone(), None),
        Paging::Speaker(id) => {
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
        Paging::Source(id) => {
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
                source
                    .archive_url
                    .as_ref()
                    .map(|url| format!("{}: {url}", render::wording::ARCHIVE_COPY)),
            ]
            .into_iter()
            .flatten()
            .collect();
            (ids, Some((source.title.clone(), details.join(" · "))))
        }
        Paging::Topic(topic) => {
            let ids = catalog
                .entries()
                .filter(|e| e.topics().contains(topic))
                .map(|e| e.id().to_string())
                .collect();
            (ids, Some(render::topic_heading(catalog, topic)))
        }
    })
}

/// The embed and buttons for page `index` of a session: one card, or one page of a list.
fn page(
    snapshot: &Snapshot,
    session: u64,
    paging: &Paging,
    index: usize,
) -> Option<(serenity::CreateEmbed, Vec<serenity::CreateActionRow>)> {
    let (ids, list) = resolve(snapshot, paging)?;
    let (view, pages, cite, translations, source_url) = match &list {
        Some((title, intro)) => {
            let pages = ids.len().div_ceil(LIST_PAGE).max(1);
            if index >= pages {
                return None;
            }
            let view = render::list_embed(&snapshot.catalog, title, intro, &ids, index, LIST_PAGE);
            (view, pages, None, None, None)
        }
        None => {
            let card = snapshot.card(ids.get(index)?)?;
            let view = render::card_embed(&card, Some((index, ids.len())));
            let cite = ComponentId::Cite(card.id.clone()).to_string();
            let translations = (!card.translations.is_empty())
                .then(|| ComponentId::Translations(card.id.clone()).to_string());
            (
                view,
                ids.len(),
                Some(cite),
                translations,
                card.source.url.clone(),
            )
        }
    };
    let to = |index| ComponentId::Page { session, index }.to_string();
    let paging = (pages > 1).then(|| {
        (
            to(index.saturating_sub(1)),
            to(index + 1),
            index > 0,
            index + 1 < pages,
        )
    });
    let buttons = embed::buttons(&Buttons {
        paging,
        cite,
        translations,
        source_url,
    });
    Some((embed::embed(&view), buttons))
}

/// Opens a paging session for the invoking user and replies with its first page.
async fn reply_with_session(
    ctx: Context<'_>,
    snapshot: &Snapshot,
    paging: Paging,
) -> Result<(), Error> {
    let session = ctx
        .data()
        .sessions
        .open(ctx.author().id.get(), paging.clone());
    let Some((embed, components)) = page(snapshot, session, &paging, 0) else {
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

/// A previous/next click: the page, for the person who asked only.
pub fn on_page(data: &Data, user: u64, session: u64, index: usize) -> CreateInteractionResponse {
    match data.sessions.get(session, user) {
        Err(Refused::Expired) => CreateInteractionResponse::Message(ephemeral(
            "These results have expired; run the command again.",
        )),
        Err(Refused::NotYours) => CreateInteractionResponse::Message(ephemeral(
            "Only the person who asked can page through these results; run the command yourself to browse.",
        )),
        Ok(paging) => match page(&data.app.snapshot(), session, &paging, index) {
            Some((embed, components)) => CreateInteractionResponse::UpdateMessage(
                message().embed(embed).components(components),
            ),
            None => CreateInteractionResponse::Message(ephemeral(
                "That entry is no longer in the database.",
            )),
        },
    }
}

/// A Cite click: a private, copy-ready citation, for anyone.
pub fn on_cite(data: &Data, entry: &str) -> CreateInteractionResponse {
    match data.app.snapshot().card(entry) {
        Some(card) => {
            CreateInteractionResponse::Message(ephemeral(&render::citations_message(&card)))
        }
        None => CreateInteractionResponse::Message(ephemeral(
            "That entry is no longer in the database.",
        )),
    }
}

/// A Translations click: the entry's published translations, privately, for anyone.
pub fn on_translations(data: &Data, entry: &str) -> CreateInteractionResponse {
    match data.app.snapshot().card(entry) {
        Some(card) => CreateInteractionResponse::Message(
            message()
                .embed(embed::embed(&render::translations_embed(&card)))
                .ephemeral(true),
        ),
        None => CreateInteractionResponse::Message(ephemeral(
            "That entry is no longer in the database.",
        )),
    }
}

/// What a lookup found: the entries to page through, or the private answer instead.
enum Found {
    Ids(Vec<String>),
    Private(String),
}

/// Answers a lookup: the best match with paging, or a private "did you mean". The search runs
/// off the async runtime within the search budget.
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
    let budget = ctx.data().budgets.search;
    let found = match within_budget("a search", budget, move || {
        lookup(&worker, &query, kind, speaker, topic)
    })
    .await
    {
        Ok(found) => found,
        Err(Unfinished::OverBudget) => Found::Private(render::wording::TOO_SLOW.to_string()),
        Err(failed @ Unfinished::Failed) => return Err(failed.into()),
    };
    match found {
        Found::Ids(ids) => reply_with_session(ctx, &snapshot, Paging::Results(ids)).await,
        Found::Private(text) => private(ctx, &text).await,
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
        Some(text) => match resolve_speaker(&snapshot.catalog, text) {
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

/// Pages through what a speaker, source or topic name typed as `typed` names, as `paging`
/// makes it: the name is matched off the async runtime within the search budget (the search
/// hook runs first, as for a search); a private answer when nothing matches or the matching
/// took too long.
async fn list_named(
    ctx: Context<'_>,
    what: &str,
    typed: &str,
    find: fn(&Catalog, &str) -> Option<String>,
    paging: fn(String) -> Paging,
) -> Result<(), Error> {
    let snapshot = ctx.data().app.snapshot();
    let worker = snapshot.clone();
    let text = typed.to_string();
    let budget = ctx.data().budgets.search;
    let found = match within_budget("matching a name", budget, move || {
        worker.searching();
        find(&worker.catalog, &text)
    })
    .await
    {
        Ok(found) => found,
        Err(Unfinished::OverBudget) => return private(ctx, render::wording::TOO_SLOW).await,
        Err(failed @ Unfinished::Failed) => return Err(failed.into()),
    };
    match found {
        Some(id) => reply_with_session(ctx, &snapshot, paging(id)).await,
        None => private(ctx, &format!("No {what} matches “{}”.", typed.trim())).await,
    }
}

async fn autocomplete_quote(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    complete_entries(ctx, partial, Some(EntryKind::Quote)).await
}

async fn autocomplete_fact(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    complete_entries(ctx, partial, Some(EntryKind::Fact)).await
}

async fn autocomplete_speaker(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    complete_names(ctx, partial, speaker_choices).await
}

async fn autocomplete_source(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    complete_names(ctx, partial, source_choices).await
}

async fn autocomplete_topic(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    complete_names(ctx, partial, topic_choices).await
}

/// Look up what someone said: the best match, its source and related figures.
#[poise::command(
    slash_command,
    install_context = "Guild|User",
    interaction_context = "Guild|BotDm|PrivateChannel"
)]
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
    reply_with_session(ctx, &snapshot, Paging::Results(ids)).await
}

/// Everything one speaker said, a page at a time.
#[poise::command(slash_command)]
pub async fn speaker(
    ctx: Context<'_>,
    #[description = "The speaker's name (or part of it)"]
    #[autocomplete = "autocomplete_speaker"]
    name: String,
) -> Result<(), Error> {
    list_named(ctx, "speaker", &name, resolve_speaker, Paging::Speaker).await
}

/// Everything quoted from one source, a page at a time.
#[poise::command(slash_command)]
pub async fn source(
    ctx: Context<'_>,
    #[description = "The source's title (or part of it)"]
    #[autocomplete = "autocomplete_source"]
    query: String,
) -> Result<(), Error> {
    list_named(ctx, "source", &query, resolve_source, Paging::Source).await
}

/// Everything on one topic, a page at a time.
#[poise::command(slash_command)]
pub async fn topic(
    ctx: Context<'_>,
    #[description = "The topic"]
    #[autocomplete = "autocomplete_topic"]
    name: String,
) -> Result<(), Error> {
    list_named(ctx, "topic", &name, resolve_topic, Paging::Topic).await
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
    if let Some(paused) = ctx.data().fotd_paused() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discord::framework::{MAX_SESSION_BYTES, MAX_SESSIONS, SessionStore};

    /// A database of `n` quotes, all by one speaker, from one source, on one topic.
    fn big_snapshot(n: usize) -> Snapshot {
        let mut quotes = String::new();
        for i in 0..n {
            quotes.push_str(&format!(
                "[[quote]]\nid = \"quote-number-{i}-with-a-long-id-to-take-memory\"\ntext = \"words {i}\"\nspeaker = \"s\"\nsource = \"src\"\ntopics = [\"t\"]\n"
            ));
        }
        let catalog = crate::core::data::DataFiles::named(&[
            "[[speaker]]\nid = \"s\"\nname = \"Sam\"\n".to_string(),
            "[[source]]\nid = \"src\"\ntitle = \"T\"\n".to_string(),
            quotes,
            "".to_string(),
            String::new(),
            String::new(),
        ])
        .parse()
        .unwrap();
        Snapshot::new(catalog)
    }

    #[test]
    fn a_list_session_holds_what_was_asked_not_the_list_and_still_pages_through_it() {
        let snapshot = big_snapshot(3000);
        let sessions = SessionStore::paging();
        for paging in [
            Paging::Topic("t".into()),
            Paging::Speaker("s".into()),
            Paging::Source("src".into()),
        ] {
            let before = sessions.bytes();
            let id = sessions.open(1, paging.clone());
            assert!(
                sessions.bytes() - before < 200,
                "{} bytes",
                sessions.bytes() - before
            );
            let pages = 3000usize.div_ceil(LIST_PAGE);
            assert!(page(&snapshot, id, &paging, pages - 1).is_some());
            assert!(page(&snapshot, id, &paging, pages).is_none());
        }
        assert!(sessions.bytes() < 600);
    }

    #[test]
    fn many_large_sessions_stay_within_the_byte_budget_forgetting_the_oldest() {
        let sessions = SessionStore::paging();
        let ids: Vec<String> = (0..PAGE_LIMIT).map(|i| format!("{i:0>64}")).collect();
        let mut first = 0;
        let mut last = 0;
        for n in 0..3 * MAX_SESSIONS {
            let paging = if n % 2 == 0 {
                Paging::Results(ids.clone())
            } else {
                Paging::Topic("t".repeat(64))
            };
            last = sessions.open(1, paging);
            if n == 0 {
                first = last;
            }
            assert!(sessions.bytes() <= MAX_SESSION_BYTES);
        }
        assert!(sessions.get(last, 1).is_ok());
        assert!(sessions.get(first, 1).is_err());
        assert!(sessions.count() <= MAX_SESSIONS);
    }
}
