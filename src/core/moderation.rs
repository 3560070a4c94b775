//! Moderation rules: who may change the database, and how a moderator's form becomes
//! validated changes (new speakers and sources created as needed, ids generated, every field
//! checked with a message that says what to fix).

use super::catalog::Catalog;
use super::edit::{Change, Record};
use super::model::{
    Fact, Figure, PartialDate, Provenance, Quote, QuoteKind, Source, Speaker, is_valid_id,
};
use super::schema::FIGURE_KEYS;
use super::search::normalize::{is_blank, tokens};

/// The longest text a quote or fact may have: what an embed can show with its label.
pub const MAX_TEXT: usize = 4000;
pub const MAX_NAME: usize = 200;
pub const MAX_SOURCE: usize = 400;
pub const MAX_TOPICS: usize = 10;
/// A new quote or fact whose best search match scores this much already exists, near enough:
/// a form asks before saving it, an import lists it.
pub const NEAR_DUPLICATE: f32 = 0.85;

/// Ids already given to records about to be added, which a generated id must not take.
pub type Taken = std::collections::HashSet<String>;

/// Who may change the database (contract §3, `[moderation]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moderators {
    /// The home server, where moderator roles count (`guild = 0` in the config: none).
    pub guild: Option<std::num::NonZeroU64>,
    pub roles: Vec<u64>,
    pub users: Vec<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("Changes to the database can only be made in a server.")]
    DirectMessage,
    #[error("Changes to the database can only be made in the home server.")]
    OtherGuild,
    #[error("Only moderators can change the database.")]
    NotModerator,
}

impl Moderators {
    /// Whether `user`, acting in `guild` with `roles`, may change the database: listed users
    /// anywhere the bot is (in a server), or holders of a listed role in the home server.
    pub fn check(&self, user: u64, guild: Option<u64>, roles: &[u64]) -> Result<(), Denied> {
        let Some(guild) = guild else {
            return Err(Denied::DirectMessage);
        };
        if self.users.contains(&user) {
            return Ok(());
        }
        if self.guild.map(std::num::NonZeroU64::get) != Some(guild) {
            return Err(Denied::OtherGuild);
        }
        if roles.iter().any(|r| self.roles.contains(r)) {
            Ok(())
        } else {
            Err(Denied::NotModerator)
        }
    }
}

/// What a moderator typed in the quote form.
#[derive(Debug, Clone, Default)]
pub struct QuoteForm {
    pub text: String,
    pub speaker: String,
    pub source: String,
    pub date: String,
    pub topics: String,
}

/// What a moderator typed in the fact form.
#[derive(Debug, Clone, Default)]
pub struct FactForm {
    pub text: String,
    pub figure: String,
    pub source: String,
    pub as_of: String,
    pub topics: String,
}

/// A field the moderator must fix, with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FormError {
    pub field: &'static str,
    pub message: String,
}

pub(super) fn bad(field: &'static str, message: impl Into<String>) -> FormError {
    FormError {
        field,
        message: message.into(),
    }
}

pub(super) fn required(field: &'static str, value: &str, max: usize) -> Result<String, FormError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(bad(field, "is required"));
    }
    if is_blank(value) {
        return Err(bad(
            field,
            "is required, and what was typed shows nothing (only spaces or invisible characters)",
        ));
    }
    if value.chars().count() > max {
        return Err(bad(field, format!("is longer than {max} characters")));
    }
    Ok(value.to_string())
}

pub(super) fn date(field: &'static str, value: &str) -> Result<Option<PartialDate>, FormError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    PartialDate::parse(value)
        .map(Some)
        .map_err(|m| bad(field, m))
}

/// "Alliance, extended deterrence" → ["alliance", "extended-deterrence"]; other scripts are
/// transliterated ("동맹" → "dongmaeng").
fn topics(value: &str) -> Result<Vec<String>, FormError> {
    let mut out: Vec<String> = Vec::new();
    for part in value.split([',', ';', '\n']) {
        let slug = slug(part, usize::MAX);
        if slug.is_empty() {
            continue;
        }
        if !is_valid_id(&slug) {
            return Err(bad(
                "Topics",
                format!(
                    "“{}” cannot be a topic (at most 64 letters, digits and hyphens)",
                    crate::core::limits::fit(part.trim(), 80)
                ),
            ));
        }
        if !out.contains(&slug) {
            out.push(slug);
        }
    }
    if out.len() > MAX_TOPICS {
        return Err(bad("Topics", format!("at most {MAX_TOPICS} topics")));
    }
    Ok(out)
}

/// Characters of a generated id before any "-2" that makes it unique.
const ID_BASE_CHARS: usize = 48;

/// Text as an id-shaped slug of at most `max_words` words: transliterated to ASCII in any
/// script (Hangul and Han a syllable at a time: "윤석열" → "yun-seog-yeol"), lowercase words
/// joined by hyphens. Empty when nothing letter- or digit-like remains.
pub fn slug(text: &str, max_words: usize) -> String {
    use super::search::normalize::{is_ignorable, is_unspaced};
    let mut ascii = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else if is_ignorable(c) {
            // Zero-width and other invisible characters neither split nor join words.
        } else if is_hangul_syllable(c) || is_unspaced(c) {
            // One syllable or ideograph: a word part of its own ("yun-seog-yeol").
            ascii.push(' ');
            ascii.push_str(deunicode::deunicode_char(c).unwrap_or(""));
            ascii.push(' ');
        } else {
            // A letter inside a word ("é" → "e", "П" → "P"), or punctuation that separates.
            match deunicode::deunicode_char(c) {
                Some(t) => ascii.push_str(t),
                None => ascii.push(' '),
            }
        }
    }
    tokens(&ascii)
        .into_iter()
        .take(max_words)
        .collect::<Vec<_>>()
        .join("-")
}

fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// A stable short name for text that has nothing to transliterate (emoji, symbols only).
fn fallback_id(text: &str) -> String {
    // FNV-1a: the same text always gives the same id, on every machine and version.
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("entry-{:08x}", hash >> 32)
}

/// `base` cut to at most `max` bytes of the id alphabet, on a word boundary when one is near,
/// never leaving a trailing hyphen.
fn cut_id(base: &str, max: usize) -> String {
    // `base` is ASCII, but cutting by characters keeps this safe whatever it holds.
    let cut: String = base.chars().take(max).collect();
    let cut = if cut.len() < base.len() {
        match cut.rfind('-') {
            Some(at) if at >= max / 2 => cut[..at].to_string(),
            _ => cut,
        }
    } else {
        cut
    };
    cut.trim_matches('-').to_string()
}

/// A fresh id from words, unique in the catalog and among ids about to be added: the words
/// transliterated in any script, or a stable short hash of them when nothing remains.
pub fn fresh_id(catalog: &Catalog, words: &str, taken: &Taken) -> String {
    let base = cut_id(&slug(words, 6), ID_BASE_CHARS);
    let base = if base.is_empty() || !is_valid_id(&base) {
        fallback_id(words.trim())
    } else {
        base
    };
    let free = |id: &str| !catalog.contains_id(id) && !taken.contains(id);
    if free(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| free(id))
        .unwrap_or(base)
}

/// An id of another kind, or something that looks like an id but names nothing, is a mistake
/// to report rather than a new record to create.
fn not_an_id_of(
    catalog: &Catalog,
    field: &'static str,
    value: &str,
    noun: &str,
) -> Result<(), FormError> {
    if let Some(record) = catalog.record(value) {
        let kind = record.kind().noun();
        return Err(bad(field, format!("`{value}` is a {kind}, not a {noun}")));
    }
    if is_valid_id(value) && value.contains('-') && !value.contains(' ') {
        return Err(bad(
            field,
            format!("there is no {noun} `{value}`; to add one, type its name"),
        ));
    }
    Ok(())
}

/// The speaker a form (or an imported row) names: an existing id, an existing name or alias,
/// or a new speaker, whose addition is pushed onto `changes` and whose id onto `taken`.
pub fn speaker(
    catalog: &Catalog,
    value: &str,
    changes: &mut Vec<Change>,
    taken: &mut Taken,
) -> Result<String, FormError> {
    let value = required("Speaker", value, MAX_NAME)?;
    if catalog.speaker(&value).is_some() {
        return Ok(value);
    }
    let wanted = tokens(&value);
    if let Some(existing) = catalog.speakers().iter().find(|s| {
        std::iter::once(&s.name)
            .chain(&s.aliases)
            .any(|n| tokens(n) == wanted)
    }) {
        return Ok(existing.id.clone());
    }
    not_an_id_of(catalog, "Speaker", &value, "speaker")?;
    let id = fresh_id(catalog, &value, taken);
    taken.insert(id.clone());
    changes.push(Change::add(Record::Speaker(Speaker {
        id: id.clone(),
        name: value,
        role: None,
        aliases: Vec::new(),
        roles: Vec::new(),
        wikidata: None,
    })));
    Ok(id)
}

/// The source a form (or an imported row) names: an existing id, or a new one from
/// "Title | https://url", a URL, or a title (pushed onto `changes`, its id onto `taken`). A URL
/// already used by a source reuses that source.
pub fn source(
    catalog: &Catalog,
    value: &str,
    changes: &mut Vec<Change>,
    taken: &mut Taken,
) -> Result<String, FormError> {
    let value = required("Source", value, MAX_SOURCE)?;
    if catalog.source(&value).is_some() {
        return Ok(value);
    }
    not_an_id_of(catalog, "Source", &value, "source")?;
    // "Title | https://…", "Title https://…", or a bare URL: the address starts at its scheme.
    let (title, url) = match value.find("https://").or_else(|| value.find("http://")) {
        Some(at) => (
            value[..at]
                .trim()
                .trim_end_matches(['|', '-', '—'])
                .trim()
                .to_string(),
            Some(value[at..].trim().to_string()),
        ),
        None => (value.clone(), None),
    };
    if let Some(url) = &url {
        if !super::data::is_http_url(url) {
            return Err(bad(
                "Source",
                format!("“{url}” is not a valid http(s) address"),
            ));
        }
        if let Some(existing) = catalog
            .sources()
            .iter()
            .find(|s| s.url.as_deref() == Some(url))
        {
            return Ok(existing.id.clone());
        }
    }
    let title = if is_blank(&title) {
        url.clone().unwrap_or_default()
    } else {
        title
    };
    if let Some(existing) = catalog
        .sources()
        .iter()
        .find(|s| s.title == title && url.is_none())
    {
        return Ok(existing.id.clone());
    }
    let id = fresh_id(catalog, &title, taken);
    taken.insert(id.clone());
    changes.push(Change::add(Record::Source(Source {
        id: id.clone(),
        title,
        outlet: None,
        url,
        published: None,
        archive_url: None,
        accessed: None,
        language: None,
    })));
    Ok(id)
}

impl QuoteForm {
    /// The form filled with a quote, as `/curate edit` shows it.
    pub fn filled(quote: &Quote) -> QuoteForm {
        QuoteForm {
            text: quote.text.clone(),
            speaker: quote.speaker.clone(),
            source: quote.source.clone(),
            date: quote.date.map(|d| d.to_string()).unwrap_or_default(),
            topics: quote.topics.join(", "),
        }
    }
}

impl FactForm {
    /// The form filled with a fact, as `/curate edit` shows it; the figure in the syntax
    /// [`parse_figure`] reads back exactly.
    pub fn filled(fact: &Fact) -> FactForm {
        FactForm {
            text: fact.text.clone(),
            figure: fact.figure.as_ref().map(figure_text).unwrap_or_default(),
            source: fact.source.clone(),
            as_of: fact.as_of.map(|d| d.to_string()).unwrap_or_default(),
            topics: fact.topics.join(", "),
        }
    }
}

/// Whether the moderator left a field as the form was filled (line endings and surrounding
/// space aside, which a text box may change on its own).
pub(super) fn untouched(typed: &str, filled: &str) -> bool {
    let clean = |s: &str| s.replace("\r\n", "\n").trim().to_string();
    clean(typed) == clean(filled)
}

/// A field of an edit form: the record's own value when the moderator left the field as it
/// was filled (never re-read, so never rewritten), otherwise what they typed, read.
pub(super) fn field<T>(
    typed: &str,
    filled: Option<&str>,
    kept: impl FnOnce() -> T,
    read: impl FnOnce(&str) -> Result<T, FormError>,
) -> Result<T, FormError> {
    match filled {
        Some(filled) if untouched(typed, filled) => Ok(kept()),
        _ => read(typed),
    }
}

/// The changes a quote form makes: new speaker and source records when needed, then the quote
/// added (or, with `existing`, edited in place keeping its id, kind, context and links, and
/// every field the moderator did not change).
pub fn quote_changes(
    catalog: &Catalog,
    form: &QuoteForm,
    existing: Option<&Quote>,
) -> Result<Vec<Change>, FormError> {
    let filled = existing.map(QuoteForm::filled);
    let was = |f: fn(&QuoteForm) -> &String| filled.as_ref().map(|q| f(q).as_str());
    let old = existing.cloned();
    let text = field(
        &form.text,
        was(|f| &f.text),
        || old.as_ref().map(|q| q.text.clone()).unwrap_or_default(),
        |t| required("Text", t, MAX_TEXT),
    )?;
    let mut changes = Vec::new();
    let mut taken = Taken::new();
    let speaker = match &old {
        Some(q) if untouched(&form.speaker, &q.speaker) => q.speaker.clone(),
        _ => speaker(catalog, &form.speaker, &mut changes, &mut taken)?,
    };
    let source = match &old {
        Some(q) if untouched(&form.source, &q.source) => q.source.clone(),
        _ => source(catalog, &form.source, &mut changes, &mut taken)?,
    };
    let date = field(
        &form.date,
        was(|f| &f.date),
        || old.as_ref().and_then(|q| q.date),
        |d| date("Date", d),
    )?;
    let topics = field(
        &form.topics,
        was(|f| &f.topics),
        || old.as_ref().map(|q| q.topics.clone()).unwrap_or_default(),
        topics,
    )?;
    let quote = match existing {
        Some(old) => Quote {
            text,
            speaker,
            source,
            date,
            topics,
            ..old.clone()
        },
        None => {
            let name = catalog
                .speaker(&speaker)
                .map_or(form.speaker.as_str(), |s| s.name.as_str());
            Quote {
                id: quote_id(catalog, name, &text, &taken),
                text,
                speaker,
                source,
                kind: QuoteKind::Verbatim,
                date,
                context: None,
                topics,
                related: Vec::new(),
                provenance: Provenance::default(),
            }
        }
    };
    changes.push(match existing {
        Some(old) => Change::edit(Record::Quote(old.clone()), Record::Quote(quote)),
        None => Change::add(Record::Quote(quote)),
    });
    Ok(changes)
}

/// The id a new quote gets: the speaker's last name and the quote's first words
/// ("tae-yul-we-will-stand-with"), unique in the catalog and among `taken`.
pub fn quote_id(catalog: &Catalog, speaker_name: &str, text: &str, taken: &Taken) -> String {
    let last = speaker_name.split_whitespace().last().unwrap_or("");
    let words: String = text
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");
    fresh_id(catalog, &format!("{last} {words}"), taken)
}

/// A number as the figure syntax writes it: whole numbers as integers, others in Rust's
/// shortest round-trip form (a valid TOML float), so it reads back as the same `f64`.
fn number_text(value: f64) -> String {
    if value == 0.0 && value.is_sign_negative() {
        "-0.0".to_string()
    } else if value.fract() == 0.0 && value.abs() < 9.0e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:?}")
    }
}

/// A TOML basic string: quoted, with every character TOML does not allow raw escaped.
fn string_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A figure in the form's syntax, the body of a TOML inline table:
/// `value = 1000, unit = "casualties", qualifier = "more than"`.
pub fn figure_text(figure: &Figure) -> String {
    let mut parts = vec![format!("value = {}", number_text(figure.value))];
    if let Some(unit) = &figure.unit {
        parts.push(format!("unit = {}", string_text(unit)));
    }
    if let Some(qualifier) = &figure.qualifier {
        parts.push(format!("qualifier = {}", string_text(qualifier)));
    }
    parts.join(", ")
}

const FIGURE_HELP: &str = "write it like “value = 140e9, unit = \"USD\", qualifier = \"more than\"”, or as a number and a one-word unit like “1000 casualties”";

/// A figure from what a moderator typed: the inline-table syntax the edit form is filled with
/// (`value = 140e9, unit = "USD", qualifier = "more than"`, braces optional), or the shorthand
/// "140e9 USD more than" (a number, a one-word unit, then the qualifier); empty → none.
pub fn parse_figure(value: &str) -> Result<Option<Figure>, FormError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.contains('=') {
        return parse_figure_table(value).map(Some);
    }
    // A word that shows nothing (a zero-width character between spaces) is no word.
    let mut parts = value.split_whitespace().filter(|w| !is_blank(w));
    let number = parts.next().unwrap_or("").replace(',', "");
    let number: f64 = number
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite())
        .ok_or_else(|| bad("Figure", format!("starts with the number: {FIGURE_HELP}")))?;
    let unit = parts.next().map(str::to_string);
    let qualifier: Vec<&str> = parts.collect();
    Ok(Some(Figure {
        value: number,
        unit,
        qualifier: (!qualifier.is_empty()).then(|| qualifier.join(" ")),
    }))
}

/// The figure's keys for a message: "value, unit and qualifier".
fn figure_key_names() -> String {
    let names: Vec<&str> = FIGURE_KEYS.iter().map(|k| k.name).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

fn parse_figure_table(text: &str) -> Result<Figure, FormError> {
    let body = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    let doc: toml_edit::DocumentMut =
        format!("figure = {{ {body} }}")
            .parse()
            .map_err(|e: toml_edit::TomlError| {
                bad(
                    "Figure",
                    format!(
                        "cannot be read ({}): {FIGURE_HELP}",
                        e.message().trim().replace('\n', " ")
                    ),
                )
            })?;
    // Text after a closing brace would be read as more of the document, and dropped.
    if let Some((key, _)) = doc.iter().find(|(k, _)| *k != "figure") {
        return Err(bad(
            "Figure",
            format!("has text after its closing brace (`{key}`): {FIGURE_HELP}"),
        ));
    }
    let table = doc
        .get("figure")
        .and_then(|i| i.as_inline_table())
        .ok_or_else(|| bad("Figure", FIGURE_HELP))?;
    if let Some((key, _)) = table
        .iter()
        .find(|(k, _)| !FIGURE_KEYS.iter().any(|allowed| allowed.name == *k))
    {
        return Err(bad(
            "Figure",
            format!("has no `{key}`: only {}", figure_key_names()),
        ));
    }
    let value = match table.get("value") {
        Some(toml_edit::Value::Integer(i)) => *i.value() as f64,
        Some(toml_edit::Value::Float(f)) if f.value().is_finite() => *f.value(),
        Some(_) => return Err(bad("Figure", "`value` must be a finite number")),
        None => return Err(bad("Figure", format!("needs a `value`: {FIGURE_HELP}"))),
    };
    let text_of = |key: &str| -> Result<Option<String>, FormError> {
        match table.get(key) {
            None => Ok(None),
            Some(toml_edit::Value::String(s)) if !is_blank(s.value()) => {
                Ok(Some(s.value().clone()))
            }
            Some(toml_edit::Value::String(_)) => {
                Err(bad("Figure", format!("`{key}` must not be empty")))
            }
            Some(_) => Err(bad(
                "Figure",
                format!("`{key}` must be text in quotes, like {key} = \"USD\""),
            )),
        }
    };
    Ok(Figure {
        value,
        unit: text_of("unit")?,
        qualifier: text_of("qualifier")?,
    })
}

/// The changes a fact form makes (a new source when needed, then the fact); with `existing`,
/// every field the moderator did not change keeps the fact's own value.
pub fn fact_changes(
    catalog: &Catalog,
    form: &FactForm,
    existing: Option<&Fact>,
) -> Result<Vec<Change>, FormError> {
    let filled = existing.map(FactForm::filled);
    let was = |f: fn(&FactForm) -> &String| filled.as_ref().map(|q| f(q).as_str());
    let old = existing.cloned();
    let text = field(
        &form.text,
        was(|f| &f.text),
        || old.as_ref().map(|f| f.text.clone()).unwrap_or_default(),
        |t| required("Text", t, MAX_TEXT),
    )?;
    let figure = field(
        &form.figure,
        was(|f| &f.figure),
        || old.as_ref().and_then(|f| f.figure.clone()),
        parse_figure,
    )?;
    let mut changes = Vec::new();
    let mut taken = Taken::new();
    let source = match &old {
        Some(f) if untouched(&form.source, &f.source) => f.source.clone(),
        _ => source(catalog, &form.source, &mut changes, &mut taken)?,
    };
    let as_of = field(
        &form.as_of,
        was(|f| &f.as_of),
        || old.as_ref().and_then(|f| f.as_of),
        |d| date("As of", d),
    )?;
    let topics = field(
        &form.topics,
        was(|f| &f.topics),
        || old.as_ref().map(|f| f.topics.clone()).unwrap_or_default(),
        topics,
    )?;
    let fact = match existing {
        Some(old) => Fact {
            text,
            source,
            as_of,
            topics,
            figure,
            ..old.clone()
        },
        None => Fact {
            id: fresh_id(catalog, &text, &taken),
            text,
            source,
            as_of,
            topics,
            figure,
            related: Vec::new(),
            provenance: Provenance::default(),
        },
    };
    changes.push(match existing {
        Some(old) => Change::edit(Record::Fact(old.clone()), Record::Fact(fact)),
        None => Change::add(Record::Fact(fact)),
    });
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorisation_table() {
        let mods = Moderators {
            guild: std::num::NonZeroU64::new(10),
            roles: vec![100],
            users: vec![7],
        };
        // (case, user, guild, roles, expected)
        type Case<'a> = (&'a str, u64, Option<u64>, &'a [u64], Result<(), Denied>);
        let cases: &[Case] = &[
            ("listed user in the home guild", 7, Some(10), &[], Ok(())),
            ("listed user in another guild", 7, Some(99), &[], Ok(())),
            (
                "listed user in a DM",
                7,
                None,
                &[],
                Err(Denied::DirectMessage),
            ),
            (
                "moderator role in the home guild",
                8,
                Some(10),
                &[5, 100],
                Ok(()),
            ),
            (
                "moderator role id in another guild",
                8,
                Some(99),
                &[100],
                Err(Denied::OtherGuild),
            ),
            (
                "no role in the home guild",
                8,
                Some(10),
                &[5],
                Err(Denied::NotModerator),
            ),
            (
                "anyone in a DM",
                8,
                None,
                &[100],
                Err(Denied::DirectMessage),
            ),
        ];
        for (name, user, guild, roles, want) in cases {
            assert_eq!(mods.check(*user, *guild, roles), *want, "{name}");
        }
        // Nothing configured: nobody.
        assert_eq!(
            Moderators::default().check(1, Some(0), &[0]),
            Err(Denied::OtherGuild)
        );
    }

    #[test]
    fn figures_parse_from_what_moderators_type() {
        let f = parse_figure("140e9 USD more than").unwrap().unwrap();
        assert_eq!(
            (f.value, f.unit.as_deref(), f.qualifier.as_deref()),
            (140e9, Some("USD"), Some("more than"))
        );
        let f = parse_figure("1,000 casualties").unwrap().unwrap();
        assert_eq!(
            (f.value, f.unit.as_deref(), f.qualifier),
            (1000.0, Some("casualties"), None)
        );
        assert_eq!(parse_figure("  ").unwrap(), None);
        assert_eq!(parse_figure("lots").unwrap_err().field, "Figure");
        // The syntax the edit form is filled with: several words in a unit, no unit at all.
        let f = parse_figure("value = 1000, qualifier = \"more than\"")
            .unwrap()
            .unwrap();
        assert_eq!(
            (f.value, f.unit, f.qualifier.as_deref()),
            (1000.0, None, Some("more than"))
        );
        let f = parse_figure("{ value = 2.5e3, unit = \"metric tons\" }")
            .unwrap()
            .unwrap();
        assert_eq!((f.value, f.unit.as_deref()), (2500.0, Some("metric tons")));
        for bad_figure in [
            "value = \"many\"",
            "unit = \"USD\"",
            "value = 1, unit = \"\"",
            "value = 1, units = \"USD\"",
            "value = 1, unit = USD",
            "value = nan",
        ] {
            let error = parse_figure(bad_figure).unwrap_err();
            assert_eq!(error.field, "Figure", "{bad_figure}");
        }
    }

    fn tiny_catalog() -> Catalog {
        crate::core::data::DataFiles::named(&[
            "[[speaker]]\nid = \"s\"\nname = \"Sam\"\n".to_string(),
            "[[source]]\nid = \"src\"\ntitle = \"A Title\"\n".to_string(),
            "".to_string(),
            "".to_string(),
            String::new(),
            String::new(),
        ])
        .parse()
        .unwrap()
    }

    #[test]
    fn every_required_field_of_only_invisible_characters_is_refused_by_name() {
        let catalog = tiny_catalog();
        let blanks = [
            "\u{200B}",
            "\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}",
            " \u{200E}\u{200F}\u{202A}\u{202E}\u{2066}\u{2069} ",
            "\u{3164}\u{115F}\u{1160}\u{FFA0}",
            "\u{00A0}\u{3000}\u{2003}\u{0301}",
            "\u{0301}\u{0308}",
            "\u{2800}",
            "\u{E0041}\u{FE0F}\u{00AD}",
        ];
        for blank in blanks {
            let quote = QuoteForm {
                text: "Words.".into(),
                speaker: "s".into(),
                source: "src".into(),
                ..QuoteForm::default()
            };
            let fact = FactForm {
                text: "Words.".into(),
                source: "src".into(),
                ..FactForm::default()
            };
            assert!(quote_changes(&catalog, &quote, None).is_ok());
            assert!(fact_changes(&catalog, &fact, None).is_ok());
            let cases: [(&str, Result<Vec<Change>, FormError>); 5] = [
                (
                    "Text",
                    quote_changes(
                        &catalog,
                        &QuoteForm {
                            text: blank.into(),
                            ..quote.clone()
                        },
                        None,
                    ),
                ),
                (
                    "Speaker",
                    quote_changes(
                        &catalog,
                        &QuoteForm {
                            speaker: blank.into(),
                            ..quote.clone()
                        },
                        None,
                    ),
                ),
                (
                    "Source",
                    quote_changes(
                        &catalog,
                        &QuoteForm {
                            source: blank.into(),
                            ..quote.clone()
                        },
                        None,
                    ),
                ),
                (
                    "Text",
                    fact_changes(
                        &catalog,
                        &FactForm {
                            text: blank.into(),
                            ..fact.clone()
                        },
                        None,
                    ),
                ),
                (
                    "Source",
                    fact_changes(
                        &catalog,
                        &FactForm {
                            source: blank.into(),
                            ..fact.clone()
                        },
                        None,
                    ),
                ),
            ];
            for (field, result) in cases {
                let error = result.expect_err(&format!("{field} = {blank:?} is refused"));
                assert_eq!(error.field, field, "{blank:?}");
                assert!(error.message.starts_with("is required"), "{error}");
            }
        }
    }

    #[test]
    fn a_source_title_or_figure_word_of_only_invisible_characters_is_no_title_or_word() {
        let catalog = tiny_catalog();
        let quote = QuoteForm {
            text: "Words.".into(),
            speaker: "s".into(),
            source: "\u{200B}\u{2060} https://example.org/a".into(),
            ..QuoteForm::default()
        };
        let changes = quote_changes(&catalog, &quote, None).unwrap();
        let Some(Record::Source(source)) = changes[0].after() else {
            panic!("a new source first: {changes:?}");
        };
        assert_eq!(source.title, "https://example.org/a");
        let figure = parse_figure("1000 \u{200B} more than").unwrap().unwrap();
        assert_eq!(figure.unit.as_deref(), Some("more"));
        assert_eq!(figure.qualifier.as_deref(), Some("than"));
        let error = parse_figure("value = 3, unit = \"\u{200B}\"").unwrap_err();
        assert_eq!(error.field, "Figure");
    }

    #[test]
    fn a_source_url_must_satisfy_a_url_parser() {
        let catalog = crate::core::data::DataFiles::named(&[
            "[[speaker]]\nid = \"s\"\nname = \"Sam\"\n".to_string(),
            "".to_string(),
            "".to_string(),
            "".to_string(),
            String::new(),
            String::new(),
        ])
        .parse()
        .unwrap();
        let form = |source: &str| QuoteForm {
            text: "Words.".into(),
            speaker: "s".into(),
            source: source.into(),
            ..QuoteForm::default()
        };
        let error = quote_changes(&catalog, &form("A title | https://[/x)"), None).unwrap_err();
        assert_eq!(error.field, "Source");
        assert!(quote_changes(&catalog, &form("A title | https://example.org/a"), None).is_ok());
    }

    #[test]
    fn slugs_transliterate_every_script_into_the_id_alphabet() {
        assert_eq!(slug("윤석열", 6), "yun-seog-yeol");
        assert_eq!(slug("Café Séoul", 6), "cafe-seoul");
        assert_eq!(slug("U.S.-South Korea", 6), "us-south-korea");
        assert_eq!(slug("allia\u{200B}nce", 6), "alliance");
        assert_eq!(slug("한미 동맹", 6), "han-mi-dong-maeng");
        assert_eq!(
            slug("one two three four five six seven", 6)
                .split('-')
                .count(),
            6
        );
        for text in ["Пхеньян", "Ελλάδα", "القدس", "東京", "ソウル", "मुंबई"]
        {
            let slug = slug(text, 6);
            assert!(is_valid_id(&slug), "{text:?} → {slug:?}");
        }
    }

    #[test]
    fn ids_are_cut_on_word_boundaries_and_never_end_in_a_hyphen() {
        let long = "a".repeat(30) + "-" + &"b".repeat(30);
        assert_eq!(cut_id(&long, 48), "a".repeat(30));
        assert_eq!(cut_id(&"c".repeat(100), 48), "c".repeat(48));
        assert_eq!(cut_id("short-id", 48), "short-id");
    }

    #[test]
    fn text_with_nothing_to_transliterate_gets_a_stable_hashed_id() {
        let a = fallback_id("🙂🙂");
        assert!(is_valid_id(&a) && a.starts_with("entry-"), "{a}");
        assert_eq!(a, fallback_id("🙂🙂"));
        assert_ne!(a, fallback_id("🙃"));
    }
}
