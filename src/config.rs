//! `config.toml` (contract §3) read into a [`Config`], every problem reported with its line;
//! and the Discord token, which is only ever read from the environment.

use std::fmt;
use std::path::PathBuf;

use toml_edit::Item;

use crate::core::diag::{Diagnostic, SourceText};
use crate::core::moderation::Moderators;
use crate::core::schedule::{ChannelSchedule, parse_time_of_day};
use crate::core::toml_view::{Checker, Node, Record, parse_document};

pub const DEFAULT_API_BASE: &str = "https://discord.com";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
    pub discord: DiscordConfig,
    /// Who may change the database, as the core checks it.
    pub moderation: Moderators,
    /// The configured fact-of-the-day channels, each already a schedule: its time of day and
    /// time zone parsed once, here.
    pub fact_of_the_day: Vec<ChannelSchedule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Register {
    Guilds,
    Global,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiscordConfig {
    /// The name of the environment variable holding the token, never the token.
    pub token_env: String,
    pub api_base: ApiBase,
    pub register: Register,
    pub guilds: Vec<u64>,
    /// How long searches may take before the user is told so. Not a `config.toml` key: the
    /// defaults fit Discord's three seconds, and tests shorten them to force the bound.
    pub time_budgets: TimeBudgets,
}

/// Time bounds on work done for an interaction, off the async runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeBudgets {
    /// A `/quote` or `/fact` search, and the near-duplicate check of a form: past it, a
    /// private "took too long" (or, for a form, a question before saving).
    pub search: std::time::Duration,
    /// An autocomplete list: past it, a plain list of first entries.
    pub autocomplete: std::time::Duration,
}

impl Default for TimeBudgets {
    /// Discord wants the first response within three seconds.
    fn default() -> Self {
        TimeBudgets {
            search: std::time::Duration::from_millis(2000),
            autocomplete: std::time::Duration::from_millis(1500),
        }
    }
}

/// The base URL of Discord's API (or of a proxy or a fake Discord): http or https, with no
/// query or fragment, written without a trailing slash where it is shown or joined to a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBase(url::Url);

/// Why a text is not an [`ApiBase`]. The text itself is not kept: it may be a pasted token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`api_base` must be an http:// or https:// URL with no query or fragment")]
pub struct InvalidApiBase;

impl std::str::FromStr for ApiBase {
    type Err = InvalidApiBase;

    fn from_str(text: &str) -> Result<ApiBase, InvalidApiBase> {
        if !crate::core::data::is_http_url(text) || text.contains(['?', '#']) {
            return Err(InvalidApiBase);
        }
        url::Url::parse(text.trim_end_matches('/'))
            .map(ApiBase)
            .map_err(|_| InvalidApiBase)
    }
}

impl ApiBase {
    /// Discord's own API.
    pub fn discord() -> ApiBase {
        ApiBase(url::Url::parse(DEFAULT_API_BASE).expect("a valid constant URL"))
    }

    pub fn is_discord(&self) -> bool {
        *self == ApiBase::discord()
    }

    /// The URL without a trailing slash, ready for a path to be appended.
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    pub fn url(&self) -> &url::Url {
        &self.0
    }
}

impl fmt::Display for ApiBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            state_dir: PathBuf::from("state"),
            discord: DiscordConfig {
                token_env: "DISCORD_TOKEN".to_string(),
                api_base: ApiBase::discord(),
                register: Register::Guilds,
                guilds: Vec::new(),
                time_budgets: TimeBudgets::default(),
            },
            moderation: Moderators::default(),
            fact_of_the_day: Vec::new(),
        }
    }
}

const TOP_KEYS: &[&str] = &[
    "data_dir",
    "state_dir",
    "discord",
    "moderation",
    "fact_of_the_day",
];
const DISCORD_KEYS: &[&str] = &["token_env", "api_base", "register", "guilds"];
const MODERATION_KEYS: &[&str] = &["guild", "roles", "users"];
const FOTD_KEYS: &[&str] = &["channel", "time", "timezone"];

/// Parses config text; relative directories are kept as written (the caller resolves them).
pub fn parse_config(path: &str, text: &str) -> Result<Config, Vec<Diagnostic>> {
    let source = SourceText::new(path, text);
    let document = parse_document(&source).map_err(|d| vec![d])?;
    let mut checker = Checker::new(&source);
    let root = Record::from_table(document.as_table());
    checker.reject_unknown_keys(&root, TOP_KEYS, "config");
    let mut config = Config::default();
    if let Some(dir) = checker.string(&root, "data_dir", false, "config") {
        config.data_dir = PathBuf::from(dir.value);
    }
    if let Some(dir) = checker.string(&root, "state_dir", false, "config") {
        config.state_dir = PathBuf::from(dir.value);
    }
    if let Some(discord) = section(&mut checker, &root, "discord") {
        checker.reject_unknown_keys(&discord, DISCORD_KEYS, "[discord]");
        if let Some(name) = checker.string(&discord, "token_env", false, "[discord]") {
            if is_env_name(&name.value) {
                config.discord.token_env = name.value;
            } else {
                checker.error(
                    name.span,
                    "`token_env` must be the NAME of an environment variable (letters, digits, _), not the token itself",
                );
            }
        }
        if let Some(base) = checker.string(&discord, "api_base", false, "[discord]") {
            if let Ok(api_base) = base.value.parse::<ApiBase>() {
                config.discord.api_base = api_base;
            } else {
                checker.error(
                    base.span,
                    // The value is not echoed: a token pasted into the wrong key must not
                    // reach stderr, and the position says where to look.
                    "`api_base` must be an http:// or https:// URL with no query or fragment (the value is not shown, in case it is a pasted secret)".to_string(),
                );
            }
        }
        if let Some(register) = checker.string(&discord, "register", false, "[discord]") {
            match register.value.as_str() {
                "guilds" => config.discord.register = Register::Guilds,
                "global" => config.discord.register = Register::Global,
                other => checker.error(
                    register.span,
                    format!("`register` must be \"guilds\" or \"global\", found {other:?}"),
                ),
            }
        }
        config.discord.guilds = checker.snowflake_list(&discord, "guilds");
    }
    if let Some(moderation) = section(&mut checker, &root, "moderation") {
        checker.reject_unknown_keys(&moderation, MODERATION_KEYS, "[moderation]");
        // 0, the documented default, is no home server.
        config.moderation.guild = checker
            .snowflake(&moderation, "guild")
            .and_then(std::num::NonZeroU64::new);
        config.moderation.roles = checker.snowflake_list(&moderation, "roles");
        config.moderation.users = checker.snowflake_list(&moderation, "users");
    }
    if let Some(field) = root.get("fact_of_the_day") {
        match field.node {
            Node::Item(Item::ArrayOfTables(array)) => {
                for table in array.iter() {
                    let record = Record::from_table(table);
                    if let Some(entry) = read_fact_of_the_day(&mut checker, &record) {
                        config.fact_of_the_day.push(entry);
                    }
                }
            }
            other => checker.error(
                other.span(),
                format!(
                    "`fact_of_the_day` must be written as [[fact_of_the_day]] tables, found {}",
                    other.type_name()
                ),
            ),
        }
    }
    if checker.errors.is_empty() {
        Ok(config)
    } else {
        let mut errors = checker.errors;
        errors.sort();
        Err(errors)
    }
}

fn section<'d>(checker: &mut Checker<'_>, root: &Record<'d>, key: &str) -> Option<Record<'d>> {
    let field = root.get(key)?;
    let record = Record::from_node(field.node);
    if record.is_none() {
        checker.error(
            field.node.span(),
            format!(
                "`{key}` must be a [{key}] table, found {}",
                field.node.type_name()
            ),
        );
    }
    record
}

fn read_fact_of_the_day(checker: &mut Checker<'_>, record: &Record<'_>) -> Option<ChannelSchedule> {
    const WHAT: &str = "[[fact_of_the_day]]";
    checker.reject_unknown_keys(record, FOTD_KEYS, WHAT);
    let channel = match record.get("channel") {
        Some(_) => checker.snowflake(record, "channel"),
        None => {
            checker.error(
                record.span.clone(),
                format!("{WHAT} is missing required field `channel`"),
            );
            None
        }
    };
    let time = checker.string(record, "time", true, WHAT).and_then(|t| {
        match parse_time_of_day(&t.value) {
            Some(time) => Some(time),
            None => {
                checker.error(
                    t.span,
                    format!(
                        "`time` must be a 24-hour time like \"09:00\", found {:?}",
                        t.value
                    ),
                );
                None
            }
        }
    });
    let timezone = checker
        .string(record, "timezone", true, WHAT)
        .and_then(|tz| match jiff::tz::TimeZone::get(&tz.value) {
            Ok(zone) => Some(zone),
            Err(_) => {
                checker.error(
                    tz.span,
                    format!(
                        "unknown time zone {:?}: use an IANA name like \"Asia/Seoul\"",
                        tz.value
                    ),
                );
                None
            }
        });
    match channel {
        Some(0) => {
            checker.error(
                record.get("channel").and_then(|f| f.node.span()),
                "`channel` must be a channel id, not 0",
            );
            None
        }
        Some(channel) => Some(ChannelSchedule {
            channel,
            time: time?,
            time_zone: timezone?,
        }),
        None => None,
    }
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The Discord token. Deliberately not `Debug`-printable or `Display`able, so it cannot reach
/// a log line by accident.
pub struct Token(String);

impl Token {
    /// A token from a value already taken from a safe place (the environment, or a test).
    pub fn new(value: String) -> Token {
        Token(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// The token's environment variable is unset, empty or not Unicode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the Discord token is missing: set the environment variable {variable} (named by discord.token_env)"
)]
pub struct MissingToken {
    pub variable: String,
}

/// Reads the token from the environment variable the config names.
pub fn token_from_env(config: &Config) -> Result<Token, MissingToken> {
    match std::env::var(&config.discord.token_env) {
        Ok(token) if !token.trim().is_empty() => Ok(Token(token.trim().to_string())),
        _ => Err(MissingToken {
            variable: config.discord.token_env.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_example_parses() {
        let text = r#"
data_dir = "data"
state_dir = "state"

[discord]
token_env = "DISCORD_TOKEN"
api_base = "https://discord.com"
register = "guilds"
guilds = [123, "456"]

[moderation]
guild = 1
roles = []
users = ["42"]

[[fact_of_the_day]]
channel = 7
time = "09:00"
timezone = "Asia/Seoul"
"#;
        let config = parse_config("config.toml", text).unwrap();
        assert_eq!(config.discord.guilds, vec![123, 456]);
        assert_eq!(config.moderation.users, vec![42]);
        assert_eq!(
            config.fact_of_the_day[0].time,
            jiff::civil::time(9, 0, 0, 0)
        );
        assert_eq!(
            config.fact_of_the_day[0].time_zone.iana_name(),
            Some("Asia/Seoul")
        );
    }

    #[test]
    fn the_home_server_zero_means_none() {
        let home = |text: &str| parse_config("config.toml", text).unwrap().moderation.guild;
        assert_eq!(home("[moderation]\nguild = 0\n"), None);
        assert_eq!(home(""), None);
        assert_eq!(
            home("[moderation]\nguild = \"77\"\n"),
            std::num::NonZeroU64::new(77)
        );
    }

    #[test]
    fn every_config_problem_is_reported_with_its_line() {
        let text = "data_dr = \"x\"\n[discord]\nregister = \"everywhere\"\napi_base = \"ftp://x\"\n[[fact_of_the_day]]\nchannel = 1\ntime = \"25:00\"\ntimezone = \"Mars/Olympus\"\n";
        let errors = parse_config("config.toml", text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 3, 4, 7, 8], "{errors:?}");
        assert!(errors[0].message.contains("did you mean `data_dir`"));
    }

    #[test]
    fn times_and_snowflakes_are_digits_only_and_api_base_is_a_real_url() {
        for time in [
            "+9:+5", "+9:05", "09:+5", " 9:05", "9:05", "09:5", "24:00", "09:60",
        ] {
            assert_eq!(parse_time_of_day(time), None, "{time}");
        }
        assert_eq!(
            parse_time_of_day("23:59"),
            Some(jiff::civil::time(23, 59, 0, 0))
        );
        let text = "[discord]\napi_base = \"https://[/x)\"\nguilds = [\"+5\", \" 6\", \"7\"]\n[moderation]\nusers = [\"-1\"]\n";
        let errors = parse_config("config.toml", text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 3, 5], "{errors:?}");
        let ok = "[discord]\napi_base = \"http://127.0.0.1:8080/api/\"\n";
        assert_eq!(
            parse_config("config.toml", ok)
                .unwrap()
                .discord
                .api_base
                .as_str(),
            "http://127.0.0.1:8080/api"
        );
    }
}
