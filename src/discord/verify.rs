//! `/verify` and the "Verify quote" message command: a circulating quote checked against the
//! record, answered privately with a Share button that posts the same verdict in the channel.
//! Commands only translate: the claim goes to `core::verify` through the app's snapshot, off
//! the async runtime within the search budget, and the verdict is rendered by `core::render`.
//!
//! Both commands, like `/quote`, can be installed on a user account as well as on a server, so
//! they answer in any server, DM or group DM their user is in.

use poise::serenity_prelude as serenity;
use serenity::CreateInteractionResponse;

use super::embed::{self, ephemeral, message, no_mentions};
use super::framework::{
    AppContext, ComponentId, Context, Data, Error, Refused, Unfinished, complete_names, private,
    within_budget,
};
use crate::core::limits::{self, EmbedView};
use crate::core::render;
use crate::core::search::names::speaker_choices;

/// The label of the button that posts a private verdict publicly.
const SHARE: &str = "Share in channel";

/// Checks `text` (with the speaker named apart from it, if any) and answers privately with the
/// verdict and a Share button.
async fn answer(ctx: Context<'_>, text: &str, speaker: Option<String>) -> Result<(), Error> {
    if crate::core::search::normalize::tokens(text).is_empty() {
        return private(ctx, "There are no words to verify in that.").await;
    }
    let snapshot = ctx.data().app.snapshot();
    let claim = text.to_string();
    let budget = ctx.data().budgets.search;
    let view = match within_budget("a verification", budget, move || {
        let verdict = snapshot.verify(&claim, speaker.as_deref());
        render::verdict_embed(&snapshot.catalog, &verdict)
    })
    .await
    {
        Ok(view) => view,
        Err(Unfinished::OverBudget) => return private(ctx, render::wording::TOO_SLOW).await,
        Err(failed @ Unfinished::Failed) => return Err(failed.into()),
    };
    let share = ctx.data().shares.open(ctx.author().id.get(), view.clone());
    let button = serenity::CreateButton::new(limits::fit(
        &ComponentId::Share(share).to_string(),
        limits::CUSTOM_ID,
    ))
    .label(SHARE)
    .style(serenity::ButtonStyle::Primary);
    ctx.send(
        poise::CreateReply::default()
            .embed(embed::embed(&view))
            .components(vec![serenity::CreateActionRow::Buttons(vec![button])])
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}

async fn autocomplete_speaker(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    complete_names(ctx, partial, speaker_choices).await
}

/// Did they really say that? Check a quote as it circulates against the record.
#[poise::command(
    slash_command,
    install_context = "Guild|User",
    interaction_context = "Guild|BotDm|PrivateChannel"
)]
pub async fn verify(
    ctx: Context<'_>,
    #[description = "The quote as it circulates (with \"— Name\" if it names the speaker)"]
    text: String,
    #[description = "Who it is attributed to"]
    #[autocomplete = "autocomplete_speaker"]
    speaker: Option<String>,
) -> Result<(), Error> {
    answer(ctx, &text, speaker).await
}

/// Verify the quote in a message against the record.
#[poise::command(
    context_menu_command = "Verify quote",
    install_context = "Guild|User",
    interaction_context = "Guild|BotDm|PrivateChannel"
)]
pub async fn verify_message(ctx: AppContext<'_>, message: serenity::Message) -> Result<(), Error> {
    answer(Context::Application(ctx), &message.content, None).await
}

/// A Share click: the private verdict posted in the channel for everyone, mentions off; only
/// the person who asked can share it.
pub fn on_share(data: &Data, user: u64, share: u64) -> CreateInteractionResponse {
    match data.shares.take(share, user) {
        Ok(view) => shared(&view),
        Err(Refused::Expired) => CreateInteractionResponse::Message(ephemeral(
            "This verdict has expired or was already shared; run /verify again.",
        )),
        Err(Refused::NotYours) => CreateInteractionResponse::Message(ephemeral(
            "Only the person who asked can share this verdict.",
        )),
    }
}

fn shared(view: &EmbedView) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(message().embed(embed::embed(view)))
}
