//! `/curate export` and `/curate import`: the database as a file for moderators, and a file of
//! records merged into it after a preview and its moderator's confirmation.
//!
//! Both only translate: `core::exchange` writes the export and plans the import, the app's one
//! writer saves it as one step. The import waits as a pending change behind the framework's
//! Confirm button (answered by `curate` for every pending change), so only the moderator who
//! started it can confirm it. The discord root adds both to `/curate`. An attachment's size is
//! checked from its metadata before it is downloaded, and the download stops at the limit.

use poise::serenity_prelude as serenity;
use serenity::{ButtonStyle, CreateAttachment};

use super::embed::no_mentions;
use super::framework::{
    AppContext, Context, Error, PendingChange, authorize_command, confirm_buttons,
};
use crate::core::exchange::{self, Format, Import, MAX_IMPORT_BYTES, Plan, plural};
use crate::core::limits;
use crate::core::schema::Kind;

/// The largest file the bot attaches: Discord refuses larger uploads in servers without boosts.
const MAX_ATTACHMENT_BYTES: usize = 8 * 1024 * 1024;
/// How long a download may take.
const DOWNLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// Ids listed by name in a preview, per list; the rest are counted.
const LISTED: usize = 15;

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum FormatChoice {
    #[name = "json"]
    Json,
    #[name = "jsonl"]
    JsonLines,
    #[name = "csv"]
    Csv,
}

impl From<FormatChoice> for Format {
    fn from(choice: FormatChoice) -> Format {
        match choice {
            FormatChoice::Json => Format::Json,
            FormatChoice::JsonLines => Format::JsonLines,
            FormatChoice::Csv => Format::Csv,
        }
    }
}

async fn autocomplete_kind(
    _ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let choices = Kind::ALL
        .iter()
        .map(|k| plural(*k))
        .filter(|name| name.starts_with(partial.trim()))
        .map(|name| serenity::AutocompleteChoice::new(name, name))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Export the database as a file (moderators only).
#[poise::command(slash_command, guild_only, rename = "export")]
pub async fn curate_export(
    ctx: AppContext<'_>,
    #[description = "json (the whole database, default), jsonl, or csv (one kind)"] format: Option<
        FormatChoice,
    >,
    #[description = "Only this kind (for csv, default quotes)"]
    #[autocomplete = "autocomplete_kind"]
    kind: Option<String>,
) -> Result<(), Error> {
    if let Err(denied) = authorize_command(ctx) {
        return private(ctx, &denied.to_string()).await;
    }
    let format = format.map_or(Format::Json, Format::from);
    let kind = match kind.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => match exchange::kind_from_plural(name) {
            Some(kind) => Some(kind),
            None => {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| plural(*k)).collect();
                return private(
                    ctx,
                    &format!("There is no kind “{name}”: one of {}.", names.join(", ")),
                )
                .await;
            }
        },
    };
    ctx.defer_ephemeral().await?;
    let snapshot = ctx.data().app.snapshot();
    let Some(text) =
        crate::app::off_runtime(move || exchange::export(&snapshot.catalog, format, kind)).await
    else {
        return private(ctx, "The export could not be made; try again.").await;
    };
    let name = match (format, kind) {
        (Format::Csv, kind) => format!("{}.csv", plural(kind.unwrap_or(Kind::Quote))),
        (format, Some(kind)) => format!("{}.{}", plural(kind), format.name()),
        (format, None) => format!("quotebot.{}", format.name()),
    };
    if text.len() > MAX_ATTACHMENT_BYTES {
        return private(
            ctx,
            &format!(
                "The export is {} MiB, more than the {} MiB Discord takes in one file: export one kind as CSV, or ask the operator to run `quotebot export`.",
                text.len().div_ceil(1 << 20),
                MAX_ATTACHMENT_BYTES >> 20
            ),
        )
        .await;
    }
    let reply = poise::CreateReply::default()
        .content(format!("The database as `{name}`."))
        .attachment(CreateAttachment::bytes(text.into_bytes(), name))
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    ctx.send(reply).await?;
    Ok(())
}

/// Import records from a file: a preview, then Confirm (moderators only).
#[poise::command(slash_command, guild_only, rename = "import")]
pub async fn curate_import(
    ctx: AppContext<'_>,
    #[description = "A JSON, JSON Lines or CSV file, as /curate export writes them"]
    file: serenity::Attachment,
    #[description = "The file's format (default: from its name)"] format: Option<FormatChoice>,
) -> Result<(), Error> {
    if let Err(denied) = authorize_command(ctx) {
        return private(ctx, &denied.to_string()).await;
    }
    // The size Discord reports, before anything is downloaded.
    if u64::from(file.size) > MAX_IMPORT_BYTES {
        return private(
            ctx,
            &format!(
                "`{}` is {} MiB; an import may be at most {} MiB. Split it into smaller files.",
                limits::fit(&file.filename, 100),
                u64::from(file.size).div_ceil(1 << 20),
                MAX_IMPORT_BYTES >> 20
            ),
        )
        .await;
    }
    let Some(format) = format
        .map(Format::from)
        .or_else(|| Format::from_path(&file.filename))
    else {
        return private(
            ctx,
            &format!(
                "Cannot tell the format of `{}` from its name: choose json, jsonl or csv.",
                limits::fit(&file.filename, 100)
            ),
        )
        .await;
    };
    ctx.defer_ephemeral().await?;
    let text = match download(&file.url).await {
        Ok(text) => text,
        Err(problem) => {
            tracing::warn!(url = %file.url, %problem, "an import's attachment could not be read");
            return private(ctx, &format!("Nothing was imported: {problem}")).await;
        }
    };
    let snapshot = ctx.data().app.snapshot();
    let path = file.filename.clone();
    let Some(plan) = crate::app::off_runtime(move || {
        let import = Import {
            path: &path,
            text: &text,
            format,
        };
        exchange::plan(&snapshot.catalog, &snapshot.index, import)
    })
    .await
    else {
        return private(ctx, "The file could not be read; try again.").await;
    };
    let preview = preview(&file.filename, &plan);
    let mut reply = poise::CreateReply::default()
        .content(limits::fit(&preview, limits::CONTENT))
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    if plan.problems.is_empty() && !plan.is_empty() {
        let pending = ctx.data().pending.open(
            ctx.interaction.user.id.get(),
            PendingChange {
                changes: plan.changes,
            },
        );
        reply = reply.components(confirm_buttons(pending, "Import", ButtonStyle::Primary));
    }
    ctx.send(reply).await?;
    Ok(())
}

async fn private(ctx: AppContext<'_>, text: &str) -> Result<(), Error> {
    super::framework::private(poise::Context::Application(ctx), text).await
}

/// The subcommands this feature adds to `/curate`.
pub fn curate_subcommands() -> Vec<poise::Command<super::framework::Data, Error>> {
    vec![curate_export(), curate_import()]
}

/// Downloads an attachment as text, refusing more than [`MAX_IMPORT_BYTES`] whatever its
/// metadata said.
async fn download(url: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .timeout(DOWNLOAD_TIMEOUT)
        .build()
        .map_err(|e| format!("the file could not be downloaded ({e})"))?;
    let mut response = client
        .get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("the file could not be downloaded ({})", e.without_url()))?;
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("the file could not be downloaded ({})", e.without_url()))?
    {
        if (bytes.len() + chunk.len()) as u64 > MAX_IMPORT_BYTES {
            return Err(format!(
                "the file is larger than the {} MiB an import may be",
                MAX_IMPORT_BYTES >> 20
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "the file is not UTF-8 text (byte {} is not)",
            e.utf8_error().valid_up_to() + 1
        )
    })
}

/// What an import would do, for the moderator to confirm: ids added, changed, flagged as near
/// duplicates, left as they are; or why nothing can be imported.
fn preview(name: &str, plan: &Plan) -> String {
    let name = limits::fit(name, 100);
    if !plan.problems.is_empty() {
        let shown: Vec<String> = plan
            .problems
            .iter()
            .take(LISTED)
            .map(|p| limits::fit(p, 200))
            .collect();
        let more = plan.problems.len().saturating_sub(LISTED);
        return format!(
            "Nothing can be imported from `{name}`: {} problem{}. Fix {} and try again.\n```\n{}{}\n```",
            plan.problems.len(),
            if plan.problems.len() == 1 { "" } else { "s" },
            if plan.problems.len() == 1 {
                "it"
            } else {
                "them"
            },
            shown.join("\n").replace("```", "'''"),
            if more > 0 {
                format!("\n... and {more} more")
            } else {
                String::new()
            }
        );
    }
    if plan.is_empty() {
        return format!(
            "Nothing to import from `{name}`: its {} record{} already in the database as {}.",
            plan.unchanged.len(),
            if plan.unchanged.len() == 1 {
                " is"
            } else {
                "s are"
            },
            if plan.unchanged.len() == 1 {
                "it is"
            } else {
                "they are"
            }
        );
    }
    let ids = |ids: &[String]| {
        let mut shown: Vec<String> = ids
            .iter()
            .take(LISTED)
            .map(|id| format!("`{id}`"))
            .collect();
        if ids.len() > LISTED {
            shown.push(format!("and {} more", ids.len() - LISTED));
        }
        shown.join(", ")
    };
    let mut lines = vec![format!(
        "Import `{name}`: {} to add, {} to change, {} unchanged. One change that one /curate undo reverts.",
        plan.added.len(),
        plan.changed.len(),
        plan.unchanged.len()
    )];
    if !plan.added.is_empty() {
        lines.push(format!("Add: {}", ids(&plan.added)));
    }
    if !plan.changed.is_empty() {
        lines.push(format!("Change: {}", ids(&plan.changed)));
    }
    if !plan.near_duplicates.is_empty() {
        let mut pairs: Vec<String> = plan
            .near_duplicates
            .iter()
            .take(LISTED)
            .map(|(new, old)| format!("`{new}` looks like `{old}`"))
            .collect();
        if plan.near_duplicates.len() > LISTED {
            pairs.push(format!("and {} more", plan.near_duplicates.len() - LISTED));
        }
        lines.push(format!(
            "Near duplicates, left out (add one with /curate quote or /curate fact, which asks first): {}",
            pairs.join("; ")
        ));
    }
    lines.join("\n")
}
