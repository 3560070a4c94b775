//! `/curate` and "Save as quote": moderators add, edit, remove and undo from Discord, and
//! confirm what they started (here or in `/curate import`, which `exchange` adds to `/curate`).
//!
//! Authorisation is checked by the bot on every command, modal submit and button click (server
//! admins can override Discord's command permissions). Modal submits and clicks are deferred
//! before any disk I/O; the change is saved by the app's one writer; the follow-up only
//! reports it, so a failed follow-up never loses a saved change.

use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, CreateActionRow, CreateInteractionResponse, CreateInteractionResponseMessage,
    EditInteractionResponse,
};

use super::embed::{self, no_mentions};
use super::framework::{
    AppContext, ComponentId, Context, Data, Error, PendingChange, Refused, authorize,
    authorize_command, complete, complete_entries, confirm_buttons, within_budget,
};
use crate::app::{Actor, ApplyError, off_runtime};
use crate::core::catalog::Entry;
use crate::core::edit::{self, Change, Record};
use crate::core::limits;
use crate::core::model::EntryKind;
use crate::core::moderation::{FactForm, NEAR_DUPLICATE, QuoteForm, fact_changes, quote_changes};
use crate::core::provenance_form::{
    EntryProvenanceForm, SourceProvenanceForm, SpeakerProvenanceForm, entry_provenance_changes,
    source_provenance_changes, speaker_provenance_changes,
};
use crate::core::render;
use crate::core::search::{Mode, Query};

/// Shorter than the 15 minutes an interaction token lives, so the answer can still be sent.
const MODAL_WAIT: Duration = Duration::from_secs(14 * 60);

/// The forms' length limits, as the `max_length` attributes below write them (the derive takes
/// only literals): an edit form is filled only when every value fits them.
const FORM_TEXT_MAX: usize = 4000;
const FORM_FIGURE_MAX: usize = 4000;
const FORM_TOPICS_MAX: usize = 300;

#[derive(Debug, poise::Modal)]
#[name = "Add a quote"]
struct QuoteModal {
    #[name = "Text, exactly as published"]
    #[paragraph]
    #[max_length = 4000]
    text: String,
    #[name = "Speaker: an id, or a new name"]
    #[max_length = 200]
    speaker: String,
    #[name = "Source: an id, or title | https://url"]
    #[max_length = 400]
    source: String,
    #[name = "Date: YYYY, YYYY-MM or YYYY-MM-DD"]
    #[max_length = 10]
    date: Option<String>,
    #[name = "Topics, separated by commas"]
    #[max_length = 300]
    topics: Option<String>,
}

#[derive(Debug, poise::Modal)]
#[name = "Add a fact"]
struct FactModal {
    #[name = "Text of the fact"]
    #[paragraph]
    #[max_length = 4000]
    text: String,
    #[name = "Figure: value = 140e9, unit = \"USD\""]
    #[max_length = 4000]
    figure: Option<String>,
    #[name = "Source: an id, or title | https://url"]
    #[max_length = 400]
    source: String,
    #[name = "As of: YYYY, YYYY-MM or YYYY-MM-DD"]
    #[max_length = 10]
    as_of: Option<String>,
    #[name = "Topics, separated by commas"]
    #[max_length = 300]
    topics: Option<String>,
}

/// A speaker's provenance (contract §4.1): its dated roles and Wikidata id.
#[derive(Debug, poise::Modal)]
#[name = "Provenance of a speaker"]
struct SpeakerProvenanceModal {
    #[name = "Roles, one a line: Title | from | until"]
    #[placeholder = "U.S. Secretary of State | 2021-01-26 | 2025-01-20\n(leave out | until for a role still held)"]
    #[paragraph]
    #[max_length = 4000]
    roles: Option<String>,
    #[name = "Wikidata id: Q and digits"]
    #[placeholder = "Q123"]
    #[max_length = 20]
    wikidata: Option<String>,
}

/// A source's provenance: its archived copy, when it was last checked and its language.
#[derive(Debug, poise::Modal)]
#[name = "Provenance of a source"]
struct SourceProvenanceModal {
    #[name = "Archive URL: an http(s) copy of the page"]
    #[placeholder = "https://web.archive.org/web/2025/https://…"]
    #[max_length = 400]
    archive_url: Option<String>,
    #[name = "Accessed: YYYY, YYYY-MM or YYYY-MM-DD"]
    #[max_length = 10]
    accessed: Option<String>,
    #[name = "Language: a BCP 47 tag like en or ko"]
    #[max_length = 35]
    language: Option<String>,
}

/// A quote's or fact's provenance: where in its source, how far checked, in which language.
#[derive(Debug, poise::Modal)]
#[name = "Provenance of a quote or fact"]
struct EntryProvenanceModal {
    #[name = "Locator: paragraph, page or timestamp"]
    #[placeholder = "para. 4"]
    #[max_length = 200]
    locator: Option<String>,
    #[name = "Status: sourced, verified, disputed…"]
    #[placeholder = "sourced, verified, disputed or misattributed"]
    #[max_length = 20]
    status: Option<String>,
    #[name = "Status note: why (needed if disputed)"]
    #[paragraph]
    #[max_length = 1000]
    status_note: Option<String>,
    #[name = "Evidence: source ids, separated by commas"]
    #[max_length = 1000]
    evidence: Option<String>,
    #[name = "Language of the text: a BCP 47 tag"]
    #[placeholder = "en"]
    #[max_length = 35]
    language: Option<String>,
}

impl From<SpeakerProvenanceModal> for SpeakerProvenanceForm {
    fn from(m: SpeakerProvenanceModal) -> Self {
        SpeakerProvenanceForm {
            roles: m.roles.unwrap_or_default(),
            wikidata: m.wikidata.unwrap_or_default(),
        }
    }
}

impl From<SourceProvenanceModal> for SourceProvenanceForm {
    fn from(m: SourceProvenanceModal) -> Self {
        SourceProvenanceForm {
            archive_url: m.archive_url.unwrap_or_default(),
            accessed: m.accessed.unwrap_or_default(),
            language: m.language.unwrap_or_default(),
        }
    }
}

impl From<EntryProvenanceModal> for EntryProvenanceForm {
    fn from(m: EntryProvenanceModal) -> Self {
        EntryProvenanceForm {
            locator: m.locator.unwrap_or_default(),
            status: m.status.unwrap_or_default(),
            status_note: m.status_note.unwrap_or_default(),
            evidence: m.evidence.unwrap_or_default(),
            language: m.language.unwrap_or_default(),
        }
    }
}

/// A filled form value, or none for an empty field (Discord shows its placeholder then).
fn filled_value(value: String) -> Option<String> {
    Some(value).filter(|v| !v.is_empty())
}

impl From<QuoteModal> for QuoteForm {
    fn from(m: QuoteModal) -> Self {
        QuoteForm {
            text: m.text,
            speaker: m.speaker,
            source: m.source,
            date: m.date.unwrap_or_default(),
            topics: m.topics.unwrap_or_default(),
        }
    }
}

impl From<FactModal> for FactForm {
    fn from(m: FactModal) -> Self {
        FactForm {
            text: m.text,
            figure: m.figure.unwrap_or_default(),
            source: m.source,
            as_of: m.as_of.unwrap_or_default(),
            topics: m.topics.unwrap_or_default(),
        }
    }
}

async fn private(ctx: AppContext<'_>, text: &str) -> Result<(), Error> {
    super::framework::private(poise::Context::Application(ctx), text).await
}

/// Shows a modal as the command's first response and waits for its submission.
async fn open_modal<M: poise::Modal>(
    ctx: AppContext<'_>,
    defaults: Option<M>,
) -> Result<Option<(M, serenity::ModalInteraction)>, Error> {
    use futures_util::StreamExt;
    let custom_id = ComponentId::Form(ctx.interaction.id.get()).to_string();
    // Listen before showing the modal, so a quick submit is not missed.
    let wanted = custom_id.clone();
    let mut submissions =
        serenity::collector::ModalInteractionCollector::new(&ctx.serenity_context().shard)
            .filter(move |m| m.data.custom_id == wanted)
            .timeout(MODAL_WAIT)
            .stream();
    ctx.interaction
        .create_response(ctx.serenity_context(), M::create(defaults, custom_id))
        .await?;
    ctx.has_sent_initial_response
        .store(true, std::sync::atomic::Ordering::SeqCst);
    // Only the moderator who opened the form may submit it; anyone else (a forged or replayed
    // submit) is refused without using the form up, and the wait goes on.
    let owner = ctx.interaction.user.id;
    let submitted = loop {
        let Some(submitted) = submissions.next().await else {
            return Ok(None);
        };
        if submitted.user.id == owner {
            break submitted;
        }
        // A refusal Discord does not take (an expired or forged interaction) ends nothing.
        if let Err(e) = submitted
            .create_response(
                ctx.serenity_context(),
                CreateInteractionResponse::Message(embed::ephemeral(
                    render::wording::FORM_NOT_YOURS,
                )),
            )
            .await
        {
            tracing::warn!(error = %e, user = %submitted.user.id, "could not refuse a form submitted by someone else; still waiting for its moderator");
        }
    };
    let form = M::parse(submitted.data.clone()).map_err(|e| format!("unreadable form: {e}"))?;
    Ok(Some((form, submitted)))
}

/// Defers the modal submit (before any disk I/O) after checking who submitted it.
async fn defer_submit(
    ctx: &serenity::Context,
    data: &Data,
    submit: &serenity::ModalInteraction,
) -> Result<bool, Error> {
    if let Err(denied) = authorize(
        data,
        submit.user.id.get(),
        submit.guild_id.map(|g| g.get()),
        submit.member.as_ref(),
    ) {
        submit
            .create_response(
                ctx,
                CreateInteractionResponse::Message(embed::ephemeral(&denied.to_string())),
            )
            .await?;
        return Ok(false);
    }
    submit
        .create_response(
            ctx,
            CreateInteractionResponse::Defer(
                CreateInteractionResponseMessage::new()
                    .ephemeral(true)
                    .allowed_mentions(no_mentions()),
            ),
        )
        .await?;
    Ok(true)
}

/// Changes listed one by one in the answer to a save; more are summed up.
const SAVED_LISTED: usize = 10;

/// Saves through the app's one writer, off the async runtime.
async fn save(data: &Data, changes: Vec<Change>, actor: Actor) -> Result<String, String> {
    let app = data.app.clone();
    let now = data.clock.now();
    // A save that did not finish is logged by `off_runtime`; whether it was written is not
    // known, and the moderator is told where to look.
    let result = off_runtime(move || app.apply(changes, actor, now))
        .await
        .ok_or("the save did not finish; see /curate history before trying again")?;
    match result {
        // An import is many changes: a summary, not a list Discord would cut.
        Ok(entries) if entries.len() > SAVED_LISTED => {
            let count = |action| entries.iter().filter(|e| e.action() == action).count();
            let first = entries.first().map_or(0, |e| e.revision);
            let last = entries.last().map_or(0, |e| e.revision);
            Ok(format!(
                "Saved {} changes as one step, changes {first} to {last} ({} added, {} edited, {} removed); `/curate undo change:{first}` reverts them all",
                entries.len(),
                count(crate::core::edit::Action::Add),
                count(crate::core::edit::Action::Edit),
                count(crate::core::edit::Action::Remove)
            ))
        }
        Ok(entries) => {
            let list: Vec<String> = entries
                .iter()
                .map(|e| {
                    format!(
                        "{} `{}` (change {})",
                        action_word(e.action()),
                        e.id(),
                        e.revision
                    )
                })
                .collect();
            Ok(list.join("; "))
        }
        Err(e) => Err(e.brief()),
    }
}

fn action_word(action: crate::core::edit::Action) -> &'static str {
    match action {
        crate::core::edit::Action::Add => "Added",
        crate::core::edit::Action::Edit => "Edited",
        crate::core::edit::Action::Remove => "Removed",
    }
}

/// Reports the result on a deferred interaction; failing to report never undoes a save.
async fn report(
    ctx: &serenity::Context,
    submit: &serenity::ModalInteraction,
    text: &str,
    buttons: Vec<CreateActionRow>,
) {
    let edit = EditInteractionResponse::new()
        .content(limits::fit(text, limits::CONTENT))
        .components(buttons)
        .allowed_mentions(no_mentions());
    if let Err(e) = submit.edit_response(ctx, edit).await {
        tracing::warn!(error = %e, "the result could not be shown (the change itself is saved)");
    }
}

/// What the near-duplicate check of a new entry found.
enum Similar {
    Nothing,
    /// An entry this close already exists: its label and id.
    Found(String),
    /// The check did not finish within the search budget.
    Unchecked,
}

/// Whether an entry this close to the new one already exists. The search runs off the async
/// runtime and within the search budget, like `/quote`'s.
async fn near_duplicate(data: &Data, changes: &[Change], kind: EntryKind) -> Similar {
    let Some(text) = changes.iter().find_map(|c| match c {
        Change::Add {
            after: Record::Quote(q),
            ..
        } => Some(q.text.clone()),
        Change::Add {
            after: Record::Fact(f),
            ..
        } => Some(f.text.clone()),
        _ => None,
    }) else {
        return Similar::Nothing;
    };
    let snapshot = data.app.snapshot();
    let check = within_budget("the near-duplicate check", data.budgets.search, move || {
        let outcome = snapshot.search(&Query {
            kind: Some(kind),
            ..Query::new(&text, 1)
        });
        let best = outcome.hits.first().filter(|h| h.score >= NEAR_DUPLICATE)?;
        let entry = best.entry(&snapshot.catalog);
        Some(format!(
            "{} (`{}`)",
            render::choice_label(&snapshot.catalog, entry),
            entry.id()
        ))
    });
    match check.await {
        Ok(Some(existing)) => Similar::Found(existing),
        Ok(None) => Similar::Nothing,
        Err(_) => Similar::Unchecked,
    }
}

/// After a form: validate, check for near duplicates, save, report.
async fn finish_form(
    ctx: &serenity::Context,
    data: &Data,
    submit: serenity::ModalInteraction,
    changes: Result<Vec<Change>, String>,
    kind: Option<EntryKind>,
) -> Result<(), Error> {
    if !defer_submit(ctx, data, &submit).await? {
        return Ok(());
    }
    let changes = match changes {
        Ok(c) if c.is_empty() => {
            report(
                ctx,
                &submit,
                "Nothing was saved: the form was left as it was.",
                Vec::new(),
            )
            .await;
            return Ok(());
        }
        Ok(c) => c,
        Err(problem) => {
            report(
                ctx,
                &submit,
                &format!("Nothing was saved. {problem}"),
                Vec::new(),
            )
            .await;
            return Ok(());
        }
    };
    let owner = submit.user.id.get();
    let actor = Actor {
        user: owner,
        guild: submit.guild_id.map(|g| g.get()),
    };
    let similar = match kind {
        Some(kind) => near_duplicate(data, &changes, kind).await,
        None => Similar::Nothing,
    };
    let question = match similar {
        Similar::Nothing => None,
        Similar::Found(existing) => Some(format!(
            "This looks like an entry that already exists: {existing}. Save anyway?"
        )),
        Similar::Unchecked => Some(
            "The check for an entry like this one took too long, so it may already exist. Save anyway?"
                .to_string(),
        ),
    };
    if let Some(text) = question {
        let pending = data.pending.open(owner, PendingChange { changes });
        let buttons = confirm_buttons(pending, "Save anyway", ButtonStyle::Primary);
        report(ctx, &submit, &text, buttons).await;
        return Ok(());
    }
    let text = match save(data, changes, actor).await {
        Ok(done) => format!("{done}."),
        Err(problem) => format!("Nothing was saved: {problem}"),
    };
    report(ctx, &submit, &text, Vec::new()).await;
    Ok(())
}

/// Change the database (moderators only).
#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "curate_quote",
        "curate_fact",
        "curate_edit",
        "curate_provenance",
        "curate_remove",
        "curate_history",
        "curate_undo"
    ),
    subcommand_required,
    install_context = "Guild",
    interaction_context = "Guild",
    rename = "curate",
    default_member_permissions = "MANAGE_MESSAGES"
)]
pub async fn curate(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Add a quote (opens a form).
#[poise::command(slash_command, guild_only, rename = "quote")]
async fn curate_quote(ctx: AppContext<'_>) -> Result<(), Error> {
    add_quote(ctx, None).await
}

async fn add_quote(ctx: AppContext<'_>, text: Option<String>) -> Result<(), Error> {
    if let Err(denied) = authorize_command(ctx) {
        return private(ctx, &denied.to_string()).await;
    }
    let defaults = text.map(|text| QuoteModal {
        text: limits::fit(&text, crate::core::moderation::MAX_TEXT),
        speaker: String::new(),
        source: String::new(),
        date: None,
        topics: None,
    });
    let Some((form, submit)) = open_modal::<QuoteModal>(ctx, defaults).await? else {
        return Ok(());
    };
    let snapshot = ctx.data().app.snapshot();
    let changes = quote_changes(&snapshot.catalog, &form.into(), None).map_err(|e| e.to_string());
    finish_form(
        ctx.serenity_context(),
        ctx.data(),
        submit,
        changes,
        Some(EntryKind::Quote),
    )
    .await
}

/// Add a fact (opens a form).
#[poise::command(slash_command, guild_only, rename = "fact")]
async fn curate_fact(ctx: AppContext<'_>) -> Result<(), Error> {
    if let Err(denied) = authorize_command(ctx) {
        return private(ctx, &denied.to_string()).await;
    }
    let Some((form, submit)) = open_modal::<FactModal>(ctx, None).await? else {
        return Ok(());
    };
    let snapshot = ctx.data().app.snapshot();
    let changes = fact_changes(&snapshot.catalog, &form.into(), None).map_err(|e| e.to_string());
    finish_form(
        ctx.serenity_context(),
        ctx.data(),
        submit,
        changes,
        Some(EntryKind::Fact),
    )
    .await
}

async fn autocomplete_entry(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    complete_entries(ctx, partial, None).await
}

/// Edit a quote or fact (opens the form, filled in).
#[poise::command(slash_command, guild_only, rename = "edit")]
async fn curate_edit(
    ctx: AppContext<'_>,
    #[description = "The quote or fact"]
    #[autocomplete = "autocomplete_entry"]
    id: String,
) -> Result<(), Error> {
    if let Err(denied) = authorize_command(ctx) {
        return private(ctx, &denied.to_string()).await;
    }
    // The record as the moderator sees it now: the save is refused if it changes meanwhile.
    let snapshot = ctx.data().app.snapshot();
    match snapshot.catalog.entry(id.trim()) {
        Some(Entry::Quote(quote)) => {
            let quote = quote.clone();
            let filled = QuoteForm::filled(&quote);
            let defaults = QuoteModal {
                text: filled.text,
                speaker: filled.speaker,
                source: filled.source,
                date: Some(filled.date).filter(|v| !v.is_empty()),
                topics: Some(filled.topics).filter(|v| !v.is_empty()),
            };
            let too_long = too_long_for_form(&[
                ("text", &defaults.text, FORM_TEXT_MAX),
                (
                    "topics",
                    defaults.topics.as_deref().unwrap_or(""),
                    FORM_TOPICS_MAX,
                ),
            ]);
            if let Some(problem) = too_long {
                return private(ctx, &format!("`{}` {problem}", quote.id)).await;
            }
            let Some((form, submit)) = open_modal(ctx, Some(defaults)).await? else {
                return Ok(());
            };
            let catalog = &ctx.data().app.snapshot().catalog;
            let changes =
                quote_changes(catalog, &form.into(), Some(&quote)).map_err(|e| e.to_string());
            finish_form(
                ctx.serenity_context(),
                ctx.data(),
                submit,
                changes,
                Some(EntryKind::Quote),
            )
            .await
        }
        Some(Entry::Fact(fact)) => {
            let fact = fact.clone();
            // Filled in a syntax that reads back exactly; a field left as filled is kept as
            // the fact has it, never re-read.
            let filled = FactForm::filled(&fact);
            let defaults = FactModal {
                text: filled.text,
                figure: Some(filled.figure).filter(|v| !v.is_empty()),
                source: filled.source,
                as_of: Some(filled.as_of).filter(|v| !v.is_empty()),
                topics: Some(filled.topics).filter(|v| !v.is_empty()),
            };
            let too_long = too_long_for_form(&[
                ("text", &defaults.text, FORM_TEXT_MAX),
                (
                    "figure",
                    defaults.figure.as_deref().unwrap_or(""),
                    FORM_FIGURE_MAX,
                ),
                (
                    "topics",
                    defaults.topics.as_deref().unwrap_or(""),
                    FORM_TOPICS_MAX,
                ),
            ]);
            if let Some(problem) = too_long {
                return private(ctx, &format!("`{}` {problem}", fact.id)).await;
            }
            let Some((form, submit)) = open_modal(ctx, Some(defaults)).await? else {
                return Ok(());
            };
            let catalog = &ctx.data().app.snapshot().catalog;
            let changes =
                fact_changes(catalog, &form.into(), Some(&fact)).map_err(|e| e.to_string());
            finish_form(
                ctx.serenity_context(),
                ctx.data(),
                submit,
                changes,
                Some(EntryKind::Fact),
            )
            .await
        }
        None => private(ctx, &format!("There is no quote or fact `{}`.", id.trim())).await,
    }
}

/// Speakers, sources, quotes and facts matching the text typed so far: a few of each kind of
/// name first, then entries best first; the first of each past the autocomplete budget.
async fn autocomplete_record(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let typed = partial.to_string();
    complete(
        ctx,
        move |s| record_choices(s, &typed),
        |s| record_choices_without_search(&s.catalog, ""),
    )
    .await
}

/// Names shown of each kind before the entries.
const NAMES_PER_KIND: usize = 8;

fn record_choices_without_search(
    catalog: &crate::core::catalog::Catalog,
    typed: &str,
) -> Vec<(String, String)> {
    use crate::core::search::names::{source_choices, speaker_choices};
    let labelled = |noun: &str, choices: Vec<crate::core::search::Choice>| {
        choices
            .into_iter()
            .take(NAMES_PER_KIND)
            .map(|c| {
                (
                    limits::fit(&format!("{noun}: {}", c.name), limits::CHOICE_NAME),
                    c.value,
                )
            })
            .collect::<Vec<_>>()
    };
    let mut choices = labelled("Speaker", speaker_choices(catalog, typed));
    choices.extend(labelled("Source", source_choices(catalog, typed)));
    choices
}

fn record_choices(snapshot: &crate::app::Snapshot, typed: &str) -> Vec<(String, String)> {
    let mut choices = record_choices_without_search(&snapshot.catalog, typed);
    let room = limits::CHOICES.saturating_sub(choices.len());
    choices.extend(
        snapshot
            .suggest(&Query {
                mode: Mode::Suggest,
                ..Query::new(typed, room)
            })
            .into_iter()
            .take(room)
            .map(|c| (c.name, c.value)),
    );
    choices
}

/// Edit where a record comes from: roles, archive copy, locator, status (opens a form, filled in).
#[poise::command(slash_command, guild_only, rename = "provenance")]
async fn curate_provenance(
    ctx: AppContext<'_>,
    #[description = "The speaker, source, quote or fact"]
    #[autocomplete = "autocomplete_record"]
    id: String,
) -> Result<(), Error> {
    if let Err(denied) = authorize_command(ctx) {
        return private(ctx, &denied.to_string()).await;
    }
    // The record as the moderator sees it now: the save is refused if it changes meanwhile.
    let snapshot = ctx.data().app.snapshot();
    let Some(record) = Record::find(&snapshot.catalog, id.trim()) else {
        return private(
            ctx,
            &format!(
                "There is no speaker, source, quote or fact `{}`.",
                limits::fit(id.trim(), 100)
            ),
        )
        .await;
    };
    let (submit, changes) = match &record {
        Record::Speaker(speaker) => {
            let filled = SpeakerProvenanceForm::filled(speaker);
            if let Some(problem) = too_long_for_form(&[("roles", &filled.roles, 4000)]) {
                return private(ctx, &format!("`{}` {problem}", speaker.id)).await;
            }
            let defaults = SpeakerProvenanceModal {
                roles: filled_value(filled.roles),
                wikidata: filled_value(filled.wikidata),
            };
            let Some((form, submit)) = open_modal(ctx, Some(defaults)).await? else {
                return Ok(());
            };
            (submit, speaker_provenance_changes(&form.into(), speaker))
        }
        Record::Source(source) => {
            let filled = SourceProvenanceForm::filled(source);
            if let Some(problem) = too_long_for_form(&[
                ("archive URL", &filled.archive_url, 400),
                ("language", &filled.language, 35),
            ]) {
                return private(ctx, &format!("`{}` {problem}", source.id)).await;
            }
            let defaults = SourceProvenanceModal {
                archive_url: filled_value(filled.archive_url),
                accessed: filled_value(filled.accessed),
                language: filled_value(filled.language),
            };
            let Some((form, submit)) = open_modal(ctx, Some(defaults)).await? else {
                return Ok(());
            };
            (submit, source_provenance_changes(&form.into(), source))
        }
        // `Record::find` looks among speakers, sources, quotes and facts; a topic or a synonym
        // group has no provenance keys to edit.
        Record::Topic(_) | Record::Synonym(_) => {
            return private(
                ctx,
                &format!(
                    "`{}` is a {}: it has no provenance to edit.",
                    record.id(),
                    record.kind().noun()
                ),
            )
            .await;
        }
        Record::Quote(_) | Record::Fact(_) => {
            let provenance = match &record {
                Record::Quote(q) => &q.provenance,
                Record::Fact(f) => &f.provenance,
                _ => unreachable!("matched as a quote or fact"),
            };
            let filled = EntryProvenanceForm::filled(provenance);
            if let Some(problem) = too_long_for_form(&[
                ("locator", &filled.locator, 200),
                ("status note", &filled.status_note, 1000),
                ("evidence list", &filled.evidence, 1000),
                ("language", &filled.language, 35),
            ]) {
                return private(ctx, &format!("`{}` {problem}", record.id())).await;
            }
            let defaults = EntryProvenanceModal {
                locator: filled_value(filled.locator),
                status: filled_value(filled.status),
                status_note: filled_value(filled.status_note),
                evidence: filled_value(filled.evidence),
                language: filled_value(filled.language),
            };
            let Some((form, submit)) = open_modal(ctx, Some(defaults)).await? else {
                return Ok(());
            };
            // Evidence is checked against the sources there are when the form comes back.
            let catalog = &ctx.data().app.snapshot().catalog;
            (
                submit,
                entry_provenance_changes(catalog, &form.into(), &record),
            )
        }
    };
    finish_form(
        ctx.serenity_context(),
        ctx.data(),
        submit,
        changes.map_err(|e| e.to_string()),
        None,
    )
    .await
}

/// A field of a record (edited by hand) longer than its form field holds: Discord refuses such
/// a form, so the moderator is told instead of getting no answer, and nothing is cut.
fn too_long_for_form(fields: &[(&str, &str, usize)]) -> Option<String> {
    let (name, value, max) = fields
        .iter()
        .find(|(_, value, max)| value.chars().count() > *max)?;
    Some(format!(
        "has a {name} of {} characters, longer than the form's {max}; edit it in the data files.",
        value.chars().count()
    ))
}

/// Remove a quote or fact (asks to confirm).
#[poise::command(slash_command, guild_only, rename = "remove")]
async fn curate_remove(
    ctx: AppContext<'_>,
    #[description = "The quote or fact"]
    #[autocomplete = "autocomplete_entry"]
    id: String,
) -> Result<(), Error> {
    if let Err(denied) = authorize_command(ctx) {
        return private(ctx, &denied.to_string()).await;
    }
    let snapshot = ctx.data().app.snapshot();
    let Some(record) = Record::find(&snapshot.catalog, id.trim())
        .filter(|r| matches!(r, Record::Quote(_) | Record::Fact(_)))
    else {
        return private(ctx, &format!("There is no quote or fact `{}`.", id.trim())).await;
    };
    let card = snapshot.card(record.id());
    // Records whose `related` lists this one would be left dangling: they are shown, and
    // their references are removed with it, as one change that one undo reverses.
    let referrers = edit::referrers(&snapshot.catalog, record.id());
    let (question, label) = if referrers.is_empty() {
        (
            format!(
                "Remove `{}`? It can be undone with /curate undo.",
                record.id()
            ),
            "Remove",
        )
    } else {
        const SHOWN: usize = 20;
        let mut ids: Vec<String> = referrers
            .iter()
            .take(SHOWN)
            .map(|r| format!("`{}`", r.id()))
            .collect();
        if referrers.len() > SHOWN {
            ids.push(format!("and {} more", referrers.len() - SHOWN));
        }
        (
            format!(
                "Remove `{}`? {} {} list it as related: {}. Removing it also removes it from their `related` lists, as one change that one /curate undo reverses.",
                record.id(),
                referrers.len(),
                if referrers.len() == 1 {
                    "record"
                } else {
                    "records"
                },
                ids.join(", ")
            ),
            "Remove with references",
        )
    };
    let pending = ctx.data().pending.open(
        ctx.interaction.user.id.get(),
        PendingChange {
            changes: edit::remove_with_references(&snapshot.catalog, &record),
        },
    );
    let mut reply = poise::CreateReply::default()
        .content(limits::fit(&question, limits::CONTENT))
        .ephemeral(true)
        .allowed_mentions(no_mentions())
        .components(confirm_buttons(pending, label, ButtonStyle::Danger));
    if let Some(card) = card {
        reply = reply.embed(embed::embed(&render::card_embed(&card, None)));
    }
    poise::send_application_reply(ctx, reply).await?;
    Ok(())
}

/// Every change made to a record.
#[poise::command(slash_command, guild_only, rename = "history")]
async fn curate_history(
    ctx: AppContext<'_>,
    #[description = "The quote, fact, speaker or source id"]
    #[autocomplete = "autocomplete_entry"]
    id: String,
) -> Result<(), Error> {
    if let Err(denied) = authorize_command(ctx) {
        return private(ctx, &denied.to_string()).await;
    }
    // The audit log is read from disk: defer first.
    ctx.defer_ephemeral().await?;
    let app = ctx.data().app.clone();
    let entries = match off_runtime(move || app.audit())
        .await
        .ok_or("reading the audit log did not finish")?
    {
        Ok(entries) => entries,
        Err(e) => return private(ctx, &e.brief()).await,
    };
    let lines: Vec<String> = entries
        .iter()
        .filter(|e| e.id() == id.trim())
        .map(|e| {
            let undo = e
                .undo_of
                .map(|r| format!(", undoing change {r}"))
                .unwrap_or_default();
            format!(
                "• change {}: {} by <@{}> on {}{undo}",
                e.revision,
                action_word(e.action()).to_lowercase(),
                e.actor,
                e.time
            )
        })
        .collect();
    let text = if lines.is_empty() {
        format!("No changes to `{}` were made from Discord.", id.trim())
    } else {
        format!("Changes to `{}`:\n{}", id.trim(), lines.join("\n"))
    };
    private(ctx, &text).await
}

/// Undo a change (by default your latest), as a new change.
#[poise::command(slash_command, guild_only, rename = "undo")]
async fn curate_undo(
    ctx: AppContext<'_>,
    #[description = "The change number (default: your latest)"]
    #[min = 1]
    change: Option<u64>,
) -> Result<(), Error> {
    if let Err(denied) = authorize_command(ctx) {
        return private(ctx, &denied.to_string()).await;
    }
    ctx.defer_ephemeral().await?;
    let actor = Actor {
        user: ctx.interaction.user.id.get(),
        guild: ctx.interaction.guild_id.map(|g| g.get()),
    };
    let app = ctx.data().app.clone();
    let now = ctx.data().clock.now();
    let result = off_runtime(move || app.undo(change, actor, now))
        .await
        .ok_or("the undo did not finish")?;
    let text = match result {
        Ok(entries) => entries
            .iter()
            // Every entry an undo writes undoes one.
            .filter_map(|e| {
                let of = e.undo_of?;
                Some(format!(
                    "Undid change {of}: {} `{}` (change {}).",
                    action_word(e.action()).to_lowercase(),
                    e.id(),
                    e.revision
                ))
            })
            .collect::<Vec<_>>()
            .join(" "),
        Err(ApplyError::NothingToUndo) => "You have no change to undo.".to_string(),
        Err(e) => format!("Nothing was undone: {}", e.brief()),
    };
    private(ctx, &text).await
}

/// Save a message's text as a quote (opens the form, filled in).
#[poise::command(
    context_menu_command = "Save as quote",
    guild_only,
    install_context = "Guild",
    interaction_context = "Guild"
)]
pub async fn save_as_quote(ctx: AppContext<'_>, message: serenity::Message) -> Result<(), Error> {
    add_quote(ctx, Some(message.content)).await
}

/// A confirm (`confirm`) or cancel click on pending change `pending`; only the moderator who
/// started may click, and only while still a moderator.
pub async fn on_confirm(
    ctx: &serenity::Context,
    data: &Data,
    component: &serenity::ComponentInteraction,
    pending: u64,
    confirm: bool,
) -> Result<(), Error> {
    let respond = |text: String| CreateInteractionResponse::Message(embed::ephemeral(&text));
    if let Err(denied) = authorize(
        data,
        component.user.id.get(),
        component.guild_id.map(|g| g.get()),
        component.member.as_ref(),
    ) {
        component
            .create_response(ctx, respond(denied.to_string()))
            .await?;
        return Ok(());
    }
    let pending = match data.pending.take(pending, component.user.id.get()) {
        Ok(p) => p,
        Err(refused) => {
            let message = match refused {
                Refused::Expired => "This confirmation has expired; start again.",
                Refused::NotYours => "Only the moderator who started this can confirm it.",
            };
            component
                .create_response(ctx, respond(message.to_string()))
                .await?;
            return Ok(());
        }
    };
    if !confirm {
        let done = CreateInteractionResponseMessage::new()
            .content("Cancelled; nothing changed.")
            .components(Vec::new())
            .embeds(Vec::new())
            .allowed_mentions(no_mentions());
        component
            .create_response(ctx, CreateInteractionResponse::UpdateMessage(done))
            .await?;
        return Ok(());
    }
    // Acknowledge before touching the disk.
    component
        .create_response(ctx, CreateInteractionResponse::Acknowledge)
        .await?;
    let actor = Actor {
        user: component.user.id.get(),
        guild: component.guild_id.map(|g| g.get()),
    };
    let text = match save(data, pending.changes, actor).await {
        Ok(done) => format!("{done}."),
        Err(problem) => format!("Nothing was saved: {problem}"),
    };
    let edit = EditInteractionResponse::new()
        .content(limits::fit(&text, limits::CONTENT))
        .components(Vec::new())
        .embeds(Vec::new())
        .allowed_mentions(no_mentions());
    if let Err(e) = component.edit_response(ctx, edit).await {
        tracing::warn!(error = %e, "the result could not be shown (the change itself is saved)");
    }
    Ok(())
}
