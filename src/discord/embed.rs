//! Plain views from the core turned into serenity builders. Limits were already applied by
//! `core::limits`; this module only copies, and disables mentions on every message it builds.

use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponseMessage,
};

use crate::core::limits::{self, EmbedView};

/// No pings, ever: no users, roles, @everyone or replied-to authors.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .empty_users()
        .empty_roles()
        .everyone(false)
        .replied_user(false)
}

pub fn embed(view: &EmbedView) -> CreateEmbed {
    let view = limits::fit_embed(view);
    let mut embed = CreateEmbed::new()
        .title(view.title)
        .description(view.description)
        .footer(CreateEmbedFooter::new(view.footer))
        .colour(0x2b6cb0);
    if let Some(url) = view.url {
        embed = embed.url(url);
    }
    for field in view.fields {
        embed = embed.field(field.name, field.value, field.inline);
    }
    embed
}

/// The buttons under a paged answer.
pub struct Buttons {
    /// Previous/next custom ids, when there is more than one result.
    pub paging: Option<(String, String, bool, bool)>,
    pub cite: Option<String>,
    /// The Translations button's custom id, when the entry has published translations.
    pub translations: Option<String>,
    pub source_url: Option<String>,
}

pub fn buttons(buttons: &Buttons) -> Vec<CreateActionRow> {
    if buttons.paging.is_none()
        && buttons.cite.is_none()
        && buttons.translations.is_none()
        && buttons.source_url.is_none()
    {
        return Vec::new();
    }
    let mut row = Vec::new();
    if let Some((prev, next, has_prev, has_next)) = &buttons.paging {
        row.push(
            CreateButton::new(limits::fit(prev, limits::CUSTOM_ID))
                .label("◀ Previous")
                .style(ButtonStyle::Secondary)
                .disabled(!has_prev),
        );
        row.push(
            CreateButton::new(limits::fit(next, limits::CUSTOM_ID))
                .label("Next ▶")
                .style(ButtonStyle::Secondary)
                .disabled(!has_next),
        );
    }
    if let Some(cite) = &buttons.cite {
        row.push(
            CreateButton::new(limits::fit(cite, limits::CUSTOM_ID))
                .label("Cite")
                .style(ButtonStyle::Primary),
        );
    }
    if let Some(translations) = &buttons.translations {
        row.push(
            CreateButton::new(limits::fit(translations, limits::CUSTOM_ID))
                .label("Translations")
                .style(ButtonStyle::Secondary),
        );
    }
    if let Some(url) = buttons
        .source_url
        .as_ref()
        .filter(|u| u.len() <= limits::URL && u.starts_with("http"))
    {
        row.push(CreateButton::new_link(url).label("Source"));
    }
    vec![CreateActionRow::Buttons(row)]
}

/// A message answering an interaction, mentions disabled.
pub fn message() -> CreateInteractionResponseMessage {
    CreateInteractionResponseMessage::new().allowed_mentions(no_mentions())
}

/// A short private note to the user who clicked or typed.
pub fn ephemeral(text: &str) -> CreateInteractionResponseMessage {
    message()
        .content(limits::fit(text, limits::CONTENT))
        .ephemeral(true)
}
