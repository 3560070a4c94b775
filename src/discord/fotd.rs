//! `/fotd set`, `/fotd off` and `/fotd show`: server managers choose where and when their
//! server's fact of the day is posted. The setting is saved under the scheduler's lock, which
//! the fact-of-the-day task reads.

use poise::serenity_prelude as serenity;

use super::framework::{Context, Data, Error, private, to_response};
use crate::app::off_runtime;
use crate::core::limits;
use crate::core::schedule::{Decision, GuildSetting, decide, local_date, planned};
use crate::scheduler::ChangeError;
use crate::store;

/// Fact of the day for this server: set, stop, or show it (server managers only).
#[poise::command(
    slash_command,
    guild_only,
    install_context = "Guild",
    interaction_context = "Guild",
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
    let Some(at) = crate::core::schedule::parse_time_of_day(time.trim()) else {
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
        hour: at.hour() as u8,
        minute: at.minute() as u8,
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
    // A save that did not finish is logged by `off_runtime`.
    let changed = off_runtime(move || {
        schedules.change(guild, setting, |all| store::save_guild_settings(&dir, all))
    })
    .await
    .ok_or_else(|| "The setting could not be saved; nothing changed.".to_string())?;
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
    if let Some(paused) = data.fotd_paused() {
        text.push_str(&format!("\n{paused}"));
    }
    text
}
