//! Rendering: catalog entries to [`Card`]s (a plain view of one answer), and every piece of
//! user-facing wording. The CLI prints a card as text; the Discord layer turns the same card
//! into an embed, so both give the same answer.

use crate::core::catalog::{Catalog, Entry};
use crate::core::limits::{EmbedField, EmbedView, fit_embed};
use crate::core::model::{
    EntryKind, Fact, Figure, PartialDate, Provenance, Quote, QuoteKind, Source, Status,
};
use crate::core::search::{Hit, Outcome};
use crate::core::verify::{Attribution, DiffOp, Match, Verdict};

/// Where an answer comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceLine {
    pub title: String,
    pub outlet: Option<String>,
    pub url: Option<String>,
    /// The publication date at its own precision ("January 2025").
    pub published: Option<String>,
    /// A copy that survives link rot.
    pub archive_url: Option<String>,
    /// When the curator last checked the url, at its precision ("8 January 2025").
    pub accessed: Option<String>,
    /// The publication date as Chicago style writes it ("January 6, 2025").
    published_chicago: Option<String>,
    accessed_chicago: Option<String>,
}

impl SourceLine {
    /// The outlet and publication date, those that are known.
    pub fn details(&self) -> Vec<&str> {
        [self.outlet.as_deref(), self.published.as_deref()]
            .into_iter()
            .flatten()
            .collect()
    }
}

/// A related entry shown under an answer: a figure under a quote, a quote under a fact.
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedLine {
    pub id: String,
    pub text: String,
}

/// One answer, ready to show: everything a person needs to trust and cite it.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub id: String,
    pub kind: EntryKind,
    /// Quotes only: a paraphrase is labelled and never shown in quotation marks.
    pub quote_kind: Option<QuoteKind>,
    /// The quote in quotation marks, the labelled paraphrase, or the fact.
    pub body: String,
    /// "Antony Blinken, U.S. Secretary of State" for quotes; "Fact" or the figure for facts.
    pub heading: String,
    pub speaker: Option<String>,
    pub role: Option<String>,
    /// When it was said (quotes) or as of when it holds (facts), at its precision.
    pub date: Option<String>,
    pub context: Option<String>,
    /// A fact's figure, formatted ("$140 billion").
    pub figure: Option<String>,
    pub source: SourceLine,
    pub related: Vec<RelatedLine>,
    /// Topic names (the slug for a topic topics.toml does not name).
    pub topics: Vec<String>,
    /// Where in the source: "para. 4", a page, a timestamp.
    pub locator: Option<String>,
    /// The first further source with the same words, and how many more there are.
    pub appearance: Option<(String, usize)>,
    /// The status when it is not the default "sourced", with its note.
    pub status: Option<(Status, Option<String>)>,
    /// Published translations; shown on request.
    pub translations: Vec<TranslationLine>,
}

/// A published translation as a card shows it on request.
#[derive(Debug, Clone, PartialEq)]
pub struct TranslationLine {
    /// The BCP 47 tag as the data writes it ("ko", "zh-Hant").
    pub language: String,
    pub text: String,
    /// The translation's own source: its title, and its address when it has one.
    pub source: String,
    pub source_url: Option<String>,
}

impl Card {
    /// Whether the record says these words were wrongly attributed to the speaker: such a
    /// card never presents them as the speaker's.
    pub fn misattributed(&self) -> bool {
        matches!(self.status, Some((Status::Misattributed, _)))
    }
}

/// Wording shown to people, kept in one place.
pub mod wording {
    pub const PARAPHRASE_LABEL: &str = "Paraphrase, not a verbatim quote";
    pub const RELATED_FIGURES: &str = "Related figures";
    pub const RELATED_QUOTES: &str = "Related quotes";
    pub const NO_MATCH: &str = "Nothing in the database matches that.";
    pub const TOO_SLOW: &str =
        "That search took too long to answer; try fewer or more distinctive words.";
    pub const DID_YOU_MEAN: &str = "Did you mean";
    pub const CLOSEST: &str = "Closest matches";
    pub const FORM_NOT_YOURS: &str =
        "This form belongs to the moderator who opened it; nothing was saved.";
    pub const ARCHIVE_COPY: &str = "Archived copy";
    pub const LOCATOR: &str = "Where";
    pub const ALSO_IN: &str = "Also in";
    pub const TRANSLATIONS: &str = "Translations";
    pub const CITE_PLAIN: &str = "Plain text";
    pub const CITE_CHICAGO: &str = "Chicago";
    pub const CITE_MARKDOWN: &str = "Markdown";

    /// How a status other than "sourced" is announced on a card.
    pub fn status_label(status: crate::core::model::Status) -> &'static str {
        use crate::core::model::Status;
        match status {
            Status::Sourced => "Sourced",
            Status::Verified => "Verified against a primary record",
            Status::Disputed => "Disputed",
            Status::Misattributed => "Misattributed",
        }
    }

    /// The line that replaces "who said it" on a misattributed quote.
    pub fn misattributed_to(name: &str) -> String {
        format!("Misattributed to {name}: the record says {name} did not say this")
    }
}

/// Formats a figure for people: "$140 billion", "1,000+ casualties", "#2", "7 decades".
pub fn format_figure(figure: &Figure) -> String {
    let unit = figure.unit.as_deref().unwrap_or("");
    let qualifier = figure.qualifier.as_deref().map(str::trim).unwrap_or("");
    let plus = matches!(qualifier, "more than" | "over" | "at least" | "+");
    let number = match unit {
        "USD" => format!("${}", scaled(figure.value)),
        "rank" => format!("#{}", group_digits(figure.value)),
        "percent" | "%" => format!("{}%", group_digits(figure.value)),
        _ => group_digits(figure.value),
    };
    let unit_words = match unit {
        "USD" | "rank" | "percent" | "%" | "" => String::new(),
        other => format!(" {other}"),
    };
    match (unit, qualifier) {
        (_, "") => format!("{number}{unit_words}"),
        ("USD", q) => format!("{q} {number}"),
        (_, _) if plus => format!("{number}+{unit_words}"),
        (_, q) => format!("{q} {number}{unit_words}"),
    }
}

/// "140 billion", "1.5 million", "12,500".
fn scaled(value: f64) -> String {
    for (size, word) in [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")] {
        if value.abs() >= size {
            return format!("{} {word}", trim_float(value / size));
        }
    }
    group_digits(value)
}

fn trim_float(value: f64) -> String {
    let text = format!("{:.2}", value);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A number with thousands separators; fractions keep up to two decimals.
fn group_digits(value: f64) -> String {
    let text = trim_float(value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 { "-" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

fn source_line(source: Option<&Source>, fallback_id: &str) -> SourceLine {
    match source {
        Some(s) => SourceLine {
            title: s.title.clone(),
            outlet: s.outlet.clone(),
            url: s.url.clone(),
            published: s.published.map(|d| d.human()),
            archive_url: s.archive_url.clone(),
            accessed: s.accessed.map(|d| d.human()),
            published_chicago: s.published.map(chicago_date),
            accessed_chicago: s.accessed.map(chicago_date),
        },
        None => SourceLine {
            title: fallback_id.to_string(),
            outlet: None,
            url: None,
            published: None,
            archive_url: None,
            accessed: None,
            published_chicago: None,
            accessed_chicago: None,
        },
    }
}

/// A date as Chicago style writes it, at its precision: "2025", "January 2025",
/// "January 6, 2025".
fn chicago_date(date: PartialDate) -> String {
    let human = date.human();
    match date.day {
        Some(day) => {
            let month_year = human
                .split_once(' ')
                .map_or(human.as_str(), |(_, rest)| rest);
            match month_year.split_once(' ') {
                Some((month, year)) => format!("{month} {day}, {year}"),
                None => human.clone(),
            }
        }
        None => human,
    }
}

/// The provenance parts of a card: locator, first appearance, status, translations.
struct ProvenanceView {
    locator: Option<String>,
    appearance: Option<(String, usize)>,
    status: Option<(Status, Option<String>)>,
    translations: Vec<TranslationLine>,
}

fn provenance_view(catalog: &Catalog, provenance: &Provenance) -> ProvenanceView {
    let title = |id: &str| {
        catalog
            .source(id)
            .map_or(id.to_string(), |s| s.title.clone())
    };
    let appearance = provenance.appearances.first().map(|first| {
        let mut line = title(&first.source);
        for part in [first.locator.clone(), first.date.map(|d| d.human())]
            .into_iter()
            .flatten()
        {
            line.push_str(&format!(", {part}"));
        }
        (line, provenance.appearances.len() - 1)
    });
    ProvenanceView {
        locator: provenance.locator.clone(),
        appearance,
        status: (provenance.status != Status::Sourced)
            .then(|| (provenance.status, provenance.status_note.clone())),
        translations: provenance
            .translations
            .iter()
            .map(|t| TranslationLine {
                language: t.language.clone(),
                text: t.text.clone(),
                source: title(&t.source),
                source_url: catalog.source(&t.source).and_then(|s| s.url.clone()),
            })
            .collect(),
    }
}

/// The quote's body as it must be shown: verbatim in quotation marks, paraphrase unquoted.
pub fn quote_body(quote: &Quote) -> String {
    match quote.kind {
        QuoteKind::Verbatim => format!("“{}”", quote.text),
        QuoteKind::Paraphrase => quote.text.clone(),
    }
}

fn fact_line(fact: &Fact) -> String {
    match &fact.figure {
        Some(figure) => format!("{}: {}", format_figure(figure), fact.text),
        None => fact.text.clone(),
    }
}

/// The card for a quote or fact.
pub fn card(catalog: &Catalog, entry: Entry<'_>) -> Card {
    match entry {
        Entry::Quote(quote) => {
            let speaker = catalog.speaker(&quote.speaker);
            let name = speaker.map_or(quote.speaker.clone(), |s| s.name.clone());
            // The role held on the quote's date (`roles`), else the speaker's `role`.
            let role = speaker.and_then(|s| s.role_on(quote.date));
            let view = provenance_view(catalog, &quote.provenance);
            let misattributed = quote.provenance.status == Status::Misattributed;
            let heading = match &role {
                _ if misattributed => wording::misattributed_to(&name),
                Some(role) => format!("{name}, {role}"),
                None => name.clone(),
            };
            Card {
                id: quote.id.clone(),
                kind: EntryKind::Quote,
                quote_kind: Some(quote.kind),
                body: quote_body(quote),
                heading,
                speaker: Some(name),
                role,
                date: quote.date.map(|d| d.human()),
                context: quote.context.clone(),
                figure: None,
                source: source_line(catalog.source(&quote.source), &quote.source),
                related: catalog
                    .related_facts(&quote.id)
                    .into_iter()
                    .map(|f| RelatedLine {
                        id: f.id.clone(),
                        text: fact_line(f),
                    })
                    .collect(),
                topics: topic_names(catalog, &quote.topics),
                locator: view.locator,
                appearance: view.appearance,
                status: view.status,
                translations: view.translations,
            }
        }
        Entry::Fact(fact) => {
            let figure = fact.figure.as_ref().map(format_figure);
            let view = provenance_view(catalog, &fact.provenance);
            let mut related: Vec<RelatedLine> = catalog
                .related_quotes(&fact.id)
                .into_iter()
                .map(|q| RelatedLine {
                    id: q.id.clone(),
                    text: quote_choice_label(catalog, q),
                })
                .collect();
            related.extend(
                catalog
                    .related_facts(&fact.id)
                    .into_iter()
                    .map(|f| RelatedLine {
                        id: f.id.clone(),
                        text: fact_line(f),
                    }),
            );
            Card {
                id: fact.id.clone(),
                kind: EntryKind::Fact,
                quote_kind: None,
                body: fact.text.clone(),
                heading: figure.clone().unwrap_or_else(|| "Fact".to_string()),
                speaker: None,
                role: None,
                date: fact.as_of.map(|d| d.human()),
                context: None,
                figure,
                source: source_line(catalog.source(&fact.source), &fact.source),
                related,
                topics: topic_names(catalog, &fact.topics),
                locator: view.locator,
                appearance: view.appearance,
                status: view.status,
                translations: view.translations,
            }
        }
    }
}

fn topic_names(catalog: &Catalog, topics: &[String]) -> Vec<String> {
    topics
        .iter()
        .map(|t| catalog.topic_name(t).to_string())
        .collect()
}

/// A topic's title and introduction for `/topic`: its name, then its aliases and description.
pub fn topic_heading(catalog: &Catalog, slug: &str) -> (String, String) {
    let title = format!("Topic: {}", catalog.topic_name(slug));
    let mut intro = Vec::new();
    if let Some(topic) = catalog.topic(slug) {
        if !topic.aliases.is_empty() {
            intro.push(format!("Also known as: {}", topic.aliases.join(", ")));
        }
        intro.extend(topic.description.clone());
    }
    (title, intro.join("\n"))
}

/// The words and who is on record for them, as a citation opens: the quotation (a paraphrase
/// marked), then the speaker, or for a misattributed quote the plain statement that the
/// speaker did not say it, with the note.
fn cited_words(card: &Card) -> String {
    let mut out = match (card.kind, card.quote_kind) {
        (EntryKind::Quote, Some(QuoteKind::Paraphrase)) => format!(
            "{} (paraphrased in the source)",
            card.body.trim_end_matches('.')
        ),
        _ => card.body.clone(),
    };
    if let Some(speaker) = &card.speaker {
        if card.misattributed() {
            out.push_str(&format!(" ({})", wording::misattributed_to(speaker)));
        } else {
            out.push_str(&format!(" — {speaker}"));
            if let Some(role) = &card.role {
                out.push_str(&format!(", {role}"));
            }
        }
    }
    if let Some((status, note)) = &card.status
        && *status != Status::Verified
    {
        if !card.misattributed() {
            out.push_str(&format!(" [{}]", wording::status_label(*status)));
        }
        if let Some(note) = note {
            out.push_str(&format!(" ({note})"));
        }
    }
    out
}

/// A citation a person can paste: the words, who said them, and where (with the locator, the
/// archive copy and when it was accessed, when known).
pub fn citation(card: &Card) -> String {
    let mut out = cited_words(card);
    if let Some(date) = &card.date {
        out.push_str(&format!(", {date}"));
    }
    out.push_str(&format!(". {}", card.source.title));
    if let Some(outlet) = &card.source.outlet {
        out.push_str(&format!(", {outlet}"));
    }
    if let Some(published) = &card.source.published {
        out.push_str(&format!(", {published}"));
    }
    if let Some(locator) = &card.locator {
        out.push_str(&format!(", {locator}"));
    }
    out.push('.');
    if let Some(url) = &card.source.url {
        out.push_str(&format!(" {url}"));
    }
    if let Some(archive) = &card.source.archive_url {
        out.push_str(&format!(" Archived: {archive}"));
    }
    if let Some(accessed) = &card.source.accessed {
        out.push_str(&format!(" (accessed {accessed})"));
    }
    out
}

/// A Chicago-style note: the speaker quoted in the source's title in quotation marks, the
/// outlet, the date, the locator, the URL, the archive copy, and when it was accessed.
pub fn citation_chicago(card: &Card) -> String {
    let mut parts: Vec<String> = Vec::new();
    let title = format!("“{},”", card.source.title.trim_end_matches(['.', ',']));
    match &card.speaker {
        Some(speaker) if card.misattributed() => {
            parts.push(format!("Misattributed to {speaker}; see {title}"))
        }
        Some(speaker) => parts.push(format!("{speaker}, quoted in {title}")),
        None => parts.push(title),
    }
    let mut rest: Vec<String> = Vec::new();
    rest.extend(card.source.outlet.clone());
    rest.extend(card.source.published_chicago.clone());
    rest.extend(card.locator.clone());
    rest.extend(card.source.url.clone());
    if let Some(archive) = &card.source.archive_url {
        rest.push(format!("archived at {archive}"));
    }
    if let Some(accessed) = &card.source.accessed_chicago {
        rest.push(format!("accessed {accessed}"));
    }
    let mut out = parts.join(" ");
    if !rest.is_empty() {
        out.push(' ');
        out.push_str(&rest.join(", "));
    }
    out = out.trim_end_matches(',').to_string();
    out.push('.');
    out
}

/// A Markdown citation: the words, then the source as a link (and the archive copy as one).
pub fn citation_markdown(card: &Card) -> String {
    let mut out = cited_words(card);
    if let Some(date) = &card.date {
        out.push_str(&format!(", {date}"));
    }
    let title = card.source.title.replace(['[', ']'], "");
    let link = match &card.source.url {
        Some(url) => format!("[{title}](<{url}>)"),
        None => title,
    };
    let mut details: Vec<String> = Vec::new();
    details.extend(card.source.outlet.clone());
    details.extend(card.source.published.clone());
    details.extend(card.locator.clone());
    if let Some(archive) = &card.source.archive_url {
        details.push(format!("[archived](<{archive}>)"));
    }
    if let Some(accessed) = &card.source.accessed {
        details.push(format!("accessed {accessed}"));
    }
    out.push_str(&format!(". {link}"));
    if !details.is_empty() {
        out.push_str(&format!(" ({})", details.join(", ")));
    }
    out
}

/// The Cite answer: the three citations, each labelled in a code block of its own (ready to
/// copy), together within one message's limit.
pub fn citations_message(card: &Card) -> String {
    let formats = [
        (wording::CITE_PLAIN, citation(card)),
        (wording::CITE_CHICAGO, citation_chicago(card)),
        (wording::CITE_MARKDOWN, citation_markdown(card)),
    ];
    let share = crate::core::limits::CONTENT / formats.len();
    formats
        .iter()
        .map(|(label, text)| {
            let heading = format!("**{label}**\n");
            let room = share.saturating_sub(heading.chars().count() + 1);
            format!("{heading}{}", crate::core::limits::code_block(text, room))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A card's published translations as text, shown on request (the Translations button, or
/// `quotebot search --translations`).
pub fn translations_text(card: &Card) -> String {
    if card.translations.is_empty() {
        return "No published translation of this entry is on record.".to_string();
    }
    card.translations
        .iter()
        .map(|t| format!("[{}] {}\n  — {}", t.language, t.text, t.source))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A language tag as a reader knows it: the language's English name and its own name when
/// they differ, then the tag ("Korean (한국어) · ko", "Chinese (中文) · zh-Hant"); the tag
/// alone for a language ISO 639 does not name (private use, "x-klingon").
pub fn language_label(tag: &str) -> String {
    let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
    let language = match primary.len() {
        2 => isolang::Language::from_639_1(&primary),
        3 => isolang::Language::from_639_3(&primary),
        _ => None,
    };
    match language {
        Some(language) => {
            let name = language.to_name();
            match language.to_autonym().filter(|own| *own != name) {
                Some(own) => format!("{name} ({own}) · {tag}"),
                None => format!("{name} · {tag}"),
            }
        }
        None => tag.to_string(),
    }
}

/// A card's published translations as an embed, shown on request (the Translations button):
/// one field each, named by its language, with its words and its own source linked. The words
/// and titles come from the data and are escaped, so they cannot format or ping.
pub fn translations_embed(card: &Card) -> EmbedView {
    let fields = card
        .translations
        .iter()
        .take(crate::core::limits::EMBED_FIELDS)
        .map(|t| {
            let title = escape_markdown(&t.source);
            let source = match t.source_url.as_deref().filter(|u| is_plain_url(u)) {
                Some(url) => format!("[{title}]({url})"),
                None => title,
            };
            EmbedField {
                name: language_label(&t.language),
                value: format!("{}\n— {source}", escape_markdown(&t.text)),
                inline: false,
            }
        })
        .collect();
    EmbedView {
        title: format!("{} — {}", wording::TRANSLATIONS, card.heading),
        url: None,
        description: if card.translations.is_empty() {
            "No published translation of this entry is on record.".to_string()
        } else {
            escape_markdown(&card.body)
        },
        fields,
        footer: format!("id: {}", card.id),
    }
}

/// Whether a URL can sit inside a Markdown link as it is: no parenthesis or space to end it.
fn is_plain_url(url: &str) -> bool {
    !url.contains([')', '(', ' ', '<', '>'])
}

/// A card as plain text, as `quotebot search` prints it.
pub fn card_text(card: &Card) -> String {
    let mut lines = Vec::new();
    match (card.kind, card.quote_kind) {
        (EntryKind::Quote, Some(QuoteKind::Paraphrase)) => {
            lines.push(format!("[{}]", wording::PARAPHRASE_LABEL));
            lines.push(card.body.clone());
        }
        (EntryKind::Fact, _) => {
            lines.push(format!("Fact — {}", card.heading));
            lines.push(card.body.clone());
        }
        _ => lines.push(card.body.clone()),
    }
    if let Some((status, note)) = &card.status {
        let mut line = format!("  [{}]", wording::status_label(*status));
        if let Some(note) = note {
            line.push_str(&format!(" {note}"));
        }
        lines.push(line);
    }
    if card.kind == EntryKind::Quote {
        let mut by = format!("  — {}", card.heading);
        if let Some(date) = &card.date {
            by.push_str(&format!(", {date}"));
        }
        lines.push(by);
    } else if let Some(date) = &card.date {
        lines.push(format!("  As of {date}"));
    }
    if let Some(context) = &card.context {
        lines.push(format!("  Context: {context}"));
    }
    let mut source = format!("  Source: {}", card.source.title);
    let details = card.source.details();
    if !details.is_empty() {
        source.push_str(&format!(" ({})", details.join(", ")));
    }
    lines.push(source);
    if let Some(url) = &card.source.url {
        lines.push(format!("          {url}"));
    }
    if let Some(archive) = &card.source.archive_url {
        lines.push(format!("          {}: {archive}", wording::ARCHIVE_COPY));
    }
    if let Some(locator) = &card.locator {
        lines.push(format!("  {}: {locator}", wording::LOCATOR));
    }
    if let Some((first, others)) = &card.appearance {
        lines.push(format!(
            "  {}: {}",
            wording::ALSO_IN,
            also_in(first, *others)
        ));
    }
    if !card.related.is_empty() {
        let heading = match card.kind {
            EntryKind::Quote => wording::RELATED_FIGURES,
            EntryKind::Fact => "Related",
        };
        lines.push(format!("  {heading}:"));
        for related in &card.related {
            lines.push(format!("    • {} [{}]", related.text, related.id));
        }
    }
    if !card.topics.is_empty() {
        lines.push(format!("  Topics: {}", card.topics.join(", ")));
    }
    lines.push(format!("  id: {}", card.id));
    lines.join("\n")
}

/// A card as an embed (within Discord's limits): the words as the description, who and
/// where as fields, the id (and the result's position, when paging) in the footer.
pub fn card_embed(card: &Card, position: Option<(usize, usize)>) -> EmbedView {
    let title = match card.kind {
        EntryKind::Quote => card.heading.clone(),
        EntryKind::Fact => match &card.figure {
            Some(figure) => format!("Fact: {figure}"),
            None => "Fact".to_string(),
        },
    };
    let mut description = match card.quote_kind {
        Some(QuoteKind::Paraphrase) => {
            format!("*{}*\n{}", wording::PARAPHRASE_LABEL, card.body)
        }
        _ => card.body.clone(),
    };
    if let Some((status, note)) = &card.status {
        let mut line = format!("**{}**", wording::status_label(*status));
        if let Some(note) = note {
            line.push_str(&format!(": {note}"));
        }
        description = format!("{line}\n{description}");
    }
    let mut fields = Vec::new();
    let field = |name: &str, value: String, inline: bool| EmbedField {
        name: name.to_string(),
        value,
        inline,
    };
    if let Some(date) = &card.date {
        let name = match card.kind {
            EntryKind::Quote => "Said",
            EntryKind::Fact => "As of",
        };
        fields.push(field(name, date.clone(), true));
    }
    if let Some(context) = &card.context {
        fields.push(field("Context", context.clone(), true));
    }
    let mut source = match &card.source.url {
        Some(url) => format!("[{}]({url})", card.source.title.replace(['[', ']'], "")),
        None => card.source.title.clone(),
    };
    let details = card.source.details();
    if !details.is_empty() {
        source.push_str(&format!(" — {}", details.join(", ")));
    }
    if let Some(locator) = &card.locator {
        source.push_str(&format!(" · {locator}"));
    }
    if let Some(archive) = &card.source.archive_url {
        source.push_str(&format!(" · [{}]({archive})", wording::ARCHIVE_COPY));
    }
    fields.push(field("Source", source, false));
    if let Some((first, others)) = &card.appearance {
        fields.push(field(wording::ALSO_IN, also_in(first, *others), false));
    }
    if !card.related.is_empty() {
        let name = match card.kind {
            EntryKind::Quote => wording::RELATED_FIGURES,
            EntryKind::Fact => wording::RELATED_QUOTES,
        };
        let lines: Vec<String> = card
            .related
            .iter()
            .map(|r| format!("• {}", r.text))
            .collect();
        fields.push(field(name, lines.join("\n"), false));
    }
    if !card.topics.is_empty() {
        fields.push(field("Topics", card.topics.join(", "), false));
    }
    let footer = match position {
        Some((at, of)) if of > 1 => format!("id: {} · result {} of {of}", card.id, at + 1),
        _ => format!("id: {}", card.id),
    };
    fit_embed(&EmbedView {
        title,
        url: card.source.url.clone(),
        description,
        fields,
        footer,
    })
}

/// "VOA, para. 2 (and 2 more)".
fn also_in(first: &str, others: usize) -> String {
    match others {
        0 => first.to_string(),
        1 => format!("{first} (and 1 more)"),
        n => format!("{first} (and {n} more)"),
    }
}

/// The fact-of-the-day post: the fact as a card, titled with the local date.
pub fn fact_of_the_day_embed(card: &Card, date: &str) -> EmbedView {
    let mut view = card_embed(card, None);
    view.title = match &card.figure {
        Some(figure) => format!("Fact of the day, {date}: {figure}"),
        None => format!("Fact of the day, {date}"),
    };
    fit_embed(&view)
}

/// One page of a list of entries (a speaker's quotes, a source's entries, a topic's), as an
/// embed: a line per entry with its id, and the page number in the footer.
pub fn list_embed(
    catalog: &Catalog,
    title: &str,
    intro: &str,
    ids: &[String],
    page: usize,
    per_page: usize,
) -> EmbedView {
    let pages = ids.len().div_ceil(per_page.max(1)).max(1);
    let lines: Vec<String> = ids
        .iter()
        .skip(page * per_page)
        .take(per_page)
        .filter_map(|id| catalog.entry(id))
        .map(|entry| format!("• {} — `{}`", choice_label(catalog, entry), entry.id()))
        .collect();
    let mut description = intro.to_string();
    if !description.is_empty() {
        description.push_str("\n\n");
    }
    if lines.is_empty() {
        description.push_str("Nothing here yet.");
    } else {
        description.push_str(&lines.join("\n"));
    }
    fit_embed(&EmbedView {
        title: title.to_string(),
        url: None,
        description,
        fields: Vec::new(),
        footer: format!("{} entries · page {} of {pages}", ids.len(), page + 1),
    })
}

/// The text shown instead of an answer when nothing matches well.
pub fn weak_answer_text(catalog: &Catalog, query: &str, outcome: &Outcome) -> String {
    crate::core::limits::fit(
        &outcome_text(catalog, query, outcome),
        crate::core::limits::CONTENT,
    )
}

/// A short one-line label for an entry, used in autocomplete and lists.
pub fn choice_label(catalog: &Catalog, entry: Entry<'_>) -> String {
    match entry {
        Entry::Quote(q) => quote_choice_label(catalog, q),
        Entry::Fact(f) => fact_line(f),
    }
}

fn quote_choice_label(catalog: &Catalog, quote: &Quote) -> String {
    let speaker = catalog
        .speaker(&quote.speaker)
        .map_or(quote.speaker.as_str(), |s| s.name.as_str());
    let suffix = format!(" — {speaker}");
    // Keep the speaker visible in a 100-character choice by cutting the text first.
    let budget = 100usize.saturating_sub(suffix.chars().count() + 3).max(20);
    let mut text: String = quote.text.chars().take(budget).collect();
    if quote.text.chars().count() > budget {
        text = text.trim_end().to_string();
        text.push('…');
    }
    match quote.kind {
        QuoteKind::Verbatim => format!("“{text}”{suffix}"),
        QuoteKind::Paraphrase => format!("({text}){suffix}"),
    }
}

/// The whole answer to a search as text: cards when confident, "did you mean" otherwise.
pub fn outcome_text(catalog: &Catalog, query: &str, outcome: &Outcome) -> String {
    if outcome.hits.is_empty() {
        let mut text = wording::NO_MATCH.to_string();
        if let Some(correction) = &outcome.correction {
            text.push_str(&format!(" {}: “{correction}”?", wording::DID_YOU_MEAN));
        }
        return text;
    }
    if !outcome.confident {
        let mut lines = vec![format!("No close match for “{}”.", query.trim())];
        if let Some(correction) = &outcome.correction {
            lines.push(format!("{}: “{correction}”?", wording::DID_YOU_MEAN));
        }
        lines.push(format!("{}:", wording::CLOSEST));
        for hit in &outcome.hits {
            let entry = hit.entry(catalog);
            lines.push(format!(
                "  • {} [{}]",
                choice_label(catalog, entry),
                entry.id()
            ));
        }
        return lines.join("\n");
    }
    outcome
        .hits
        .iter()
        .map(|hit: &Hit| card_text(&card(catalog, hit.entry(catalog))))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Text from outside (a claim, a name someone typed) made safe to show in Discord markdown:
/// every formatting character is escaped, and `@` and `<` cannot start a mention, a role, a
/// channel or an `@everyone` ping.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '<' | '#' | '[' | ']' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            // A zero-width space after `@` keeps "@everyone" and "@here" from being mentions.
            '@' => out.push_str("@\u{200B}"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// The verdict's first sentence: what is on record.
pub fn verdict_headline(verdict: &Verdict) -> &'static str {
    match verdict.matched {
        _ if verdict.empty => "There are no words to check in that claim.",
        Match::Exact => "The exact words are on record.",
        Match::Excerpt => "These exact words are on record, as an excerpt of a longer quote.",
        Match::Altered => {
            "The words were altered: a record is close, but words were changed, added or dropped."
        }
        Match::Paraphrase => {
            "Only a paraphrase is on record, so the exact words can't be confirmed."
        }
        Match::None => "Nothing close to these words is on record.",
    }
}

/// Who said it, as the record has it, compared with who the claim names.
fn attribution_sentence(catalog: &Catalog, verdict: &Verdict) -> Option<String> {
    let (_, id) = verdict.record.as_ref()?;
    let entry = catalog.entry(id)?;
    let named = verdict.named.as_ref().map(|n| n.text.trim().to_string());
    let said_by = match entry {
        Entry::Quote(q) => catalog
            .speaker(&q.speaker)
            .map_or(q.speaker.clone(), |s| s.name.clone()),
        Entry::Fact(f) => catalog
            .source(&f.source)
            .map_or(f.source.clone(), |s| s.title.clone()),
    };
    let by = match entry {
        Entry::Quote(_) => format!("the record attributes it to {said_by}"),
        Entry::Fact(_) => format!("the record states it as a fact from “{said_by}”"),
    };
    let standing = |word: &str| {
        let mut text = format!("The record marks this {word}");
        if let Some(note) = &verdict.standing.note {
            text.push_str(&format!(": {note}"));
        }
        if !verdict.standing.evidence.is_empty() {
            let titles: Vec<String> = verdict
                .standing
                .evidence
                .iter()
                .map(|id| {
                    catalog.source(id).map_or(id.clone(), |s| match &s.url {
                        Some(url) => format!("{} ({url})", s.title),
                        None => s.title.clone(),
                    })
                })
                .collect();
            text.push_str(&format!(". Evidence: {}", titles.join("; ")));
        }
        text.push('.');
        text
    };
    Some(match verdict.attribution {
        Attribution::Confirmed => format!("Attribution confirmed: {by}."),
        Attribution::OtherSpeaker => format!(
            "Attributed to someone else: {by}, not to {}.",
            named.unwrap_or_default()
        ),
        Attribution::Disputed => standing("disputed"),
        Attribution::Misattributed => standing("misattributed"),
        Attribution::Unstated => format!("The claim names no speaker; {by}."),
    })
}

/// The verdict in plain words, one paragraph: the `note` of `quotebot verify --json`.
pub fn verdict_note(catalog: &Catalog, verdict: &Verdict) -> String {
    let mut note = verdict_headline(verdict).to_string();
    if let Some(attribution) = attribution_sentence(catalog, verdict) {
        note.push(' ');
        note.push_str(&attribution);
    }
    if verdict.cut {
        note.push_str(&format!(
            " Only the claim's first {} words were checked.",
            crate::core::verify::MAX_CLAIM_WORDS
        ));
    }
    note
}

/// The archived copy of an entry's source, when the curators keep one.
fn archive_url<'c>(catalog: &'c Catalog, entry: Entry<'_>) -> Option<&'c str> {
    let source = match entry {
        Entry::Quote(q) => &q.source,
        Entry::Fact(f) => &f.source,
    };
    catalog.source(source)?.archive_url.as_deref()
}

/// The record's words, the source (and its archived copy) and the id, as lines of text.
fn record_lines(catalog: &Catalog, id: &str) -> Vec<String> {
    let Some(entry) = catalog.entry(id) else {
        return Vec::new();
    };
    let card = card(catalog, entry);
    let mut lines = vec![format!("On record: {}", card.body)];
    if card.kind == EntryKind::Quote {
        lines.push(format!("  — {}", card.heading));
    }
    let mut source = format!("Source: {}", card.source.title);
    let details = card.source.details();
    if !details.is_empty() {
        source.push_str(&format!(" ({})", details.join(", ")));
    }
    lines.push(source);
    if let Some(url) = &card.source.url {
        lines.push(format!("  {url}"));
    }
    if let Some(archive) = archive_url(catalog, entry) {
        lines.push(format!("  Archived copy: {archive}"));
    }
    lines.push(format!("id: {}", card.id));
    lines
}

/// A diff as plain text: `[-record words-]{+claim words+}`, as `git diff --word-diff` shows it.
pub fn diff_text(diff: &[DiffOp]) -> String {
    diff.iter()
        .map(|op| match op {
            DiffOp::Same(text) => text.clone(),
            DiffOp::Changed { claim, record } => format!("[-{record}-]{{+{claim}+}}"),
            DiffOp::Missing(record) => format!("[-{record}-]"),
            DiffOp::Added(claim) => format!("{{+{claim}+}}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A diff in Discord markdown: the record's words struck through, the claim's in bold, every
/// word escaped so a claim cannot inject formatting or mentions.
pub fn diff_markdown(diff: &[DiffOp]) -> String {
    diff.iter()
        .map(|op| match op {
            DiffOp::Same(text) => escape_markdown(text),
            DiffOp::Changed { claim, record } => format!(
                "~~{}~~ → **{}**",
                escape_markdown(record),
                escape_markdown(claim)
            ),
            DiffOp::Missing(record) => format!("~~{}~~", escape_markdown(record)),
            DiffOp::Added(claim) => format!("**{}**", escape_markdown(claim)),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The nearest records of a `none` verdict, a line each, said to be no match.
fn nearest_lines(catalog: &Catalog, verdict: &Verdict) -> Vec<String> {
    verdict
        .nearest
        .iter()
        .filter_map(|id| catalog.entry(id))
        .map(|entry| format!("• {} [{}]", choice_label(catalog, entry), entry.id()))
        .collect()
}

/// Heading over the nearest records of a `none` verdict.
pub const NEAREST_HEADING: &str = "Nearest on record (not matches)";

/// The verdict as text, as `quotebot verify` prints it.
pub fn verdict_text(catalog: &Catalog, verdict: &Verdict) -> String {
    let mut lines = vec![verdict_note(catalog, verdict)];
    if verdict.matched == Match::Altered {
        lines.push(format!("Changes: {}", diff_text(&verdict.diff)));
    }
    match &verdict.record {
        Some((_, id)) => lines.extend(record_lines(catalog, id)),
        None => {
            let nearest = nearest_lines(catalog, verdict);
            if !nearest.is_empty() {
                lines.push(format!("{NEAREST_HEADING}:"));
                lines.extend(nearest.into_iter().map(|l| format!("  {l}")));
            }
        }
    }
    lines.join("\n")
}

/// The verdict as an embed: the plain-words verdict as the title and first line, the word diff
/// in markdown, the record with its source linked (and its archived copy), and the id.
pub fn verdict_embed(catalog: &Catalog, verdict: &Verdict) -> EmbedView {
    let mut description = vec![format!("> {}", escape_markdown(verdict.claim.trim()))];
    if let Some(attribution) = attribution_sentence(catalog, verdict) {
        description.push(escape_markdown(&attribution));
    }
    if verdict.cut {
        description.push(format!(
            "Only the claim's first {} words were checked.",
            crate::core::verify::MAX_CLAIM_WORDS
        ));
    }
    if verdict.matched == Match::Altered {
        description.push(format!("**Changes:** {}", diff_markdown(&verdict.diff)));
    }
    let mut fields = Vec::new();
    let mut footer = String::from("Checked against the curated record");
    let mut url = None;
    match verdict
        .record
        .as_ref()
        .and_then(|(_, id)| catalog.entry(id))
    {
        Some(entry) => {
            let card = card(catalog, entry);
            let name = match (card.kind, card.quote_kind) {
                (EntryKind::Fact, _) => "The fact on record".to_string(),
                (_, Some(QuoteKind::Paraphrase)) => {
                    format!("On record, as a paraphrase — {}", card.heading)
                }
                _ => format!("On record — {}", card.heading),
            };
            fields.push(EmbedField {
                name,
                value: escape_markdown(&card.body),
                inline: false,
            });
            let mut source = match &card.source.url {
                Some(link) => format!("[{}]({link})", escape_markdown(&card.source.title)),
                None => escape_markdown(&card.source.title),
            };
            let details = card.source.details();
            if !details.is_empty() {
                source.push_str(&format!(" — {}", escape_markdown(&details.join(", "))));
            }
            if let Some(archive) = archive_url(catalog, entry) {
                source.push_str(&format!(" · [archived copy]({archive})"));
            }
            fields.push(EmbedField {
                name: "Source".to_string(),
                value: source,
                inline: false,
            });
            url = card.source.url.clone();
            footer = format!("id: {}", card.id);
        }
        None => {
            let nearest = nearest_lines(catalog, verdict);
            if !nearest.is_empty() {
                fields.push(EmbedField {
                    name: NEAREST_HEADING.to_string(),
                    value: nearest
                        .iter()
                        .map(|l| escape_markdown(l))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    inline: false,
                });
            }
        }
    }
    fit_embed(&EmbedView {
        title: verdict_headline(verdict).to_string(),
        url,
        description: description.join("\n\n"),
        fields,
        footer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(value: f64, unit: Option<&str>, qualifier: Option<&str>) -> Figure {
        Figure {
            value,
            unit: unit.map(str::to_string),
            qualifier: qualifier.map(str::to_string),
        }
    }

    #[test]
    fn figures_read_as_people_write_them() {
        let cases = [
            (figure(140e9, Some("USD"), None), "$140 billion"),
            (
                figure(140e9, Some("USD"), Some("more than")),
                "more than $140 billion",
            ),
            (figure(1.5e6, Some("USD"), None), "$1.5 million"),
            (figure(1000.0, None, Some("more than")), "1,000+"),
            (
                figure(1000.0, Some("casualties"), Some("more than")),
                "1,000+ casualties",
            ),
            (figure(2.0, Some("rank"), None), "#2"),
            (figure(7.0, Some("decades"), None), "7 decades"),
            (figure(1234567.0, None, None), "1,234,567"),
            (figure(12.5, Some("percent"), Some("about")), "about 12.5%"),
        ];
        for (f, want) in cases {
            assert_eq!(format_figure(&f), want);
        }
    }

    #[test]
    fn languages_are_named_in_english_and_in_their_own_words_with_the_tag() {
        let cases = [
            ("ko", "Korean (한국어) · ko"),
            ("en", "English · en"),
            ("zh-Hant", "Chinese (中文) · zh-Hant"),
            ("ar", "Arabic (العربية) · ar"),
            ("kor", "Korean (한국어) · kor"),
            ("x-klingon", "x-klingon"),
            ("qaa", "qaa"),
        ];
        for (tag, want) in cases {
            assert_eq!(language_label(tag), want, "{tag}");
        }
    }

    #[test]
    fn translations_are_escaped_so_they_cannot_format_or_ping() {
        let card = Card {
            id: "q".into(),
            kind: EntryKind::Quote,
            quote_kind: None,
            body: "“Words.”".into(),
            heading: "Sam".into(),
            speaker: None,
            role: None,
            date: None,
            context: None,
            figure: None,
            source: source_line(None, "src"),
            related: Vec::new(),
            topics: Vec::new(),
            locator: None,
            appearance: None,
            status: None,
            translations: vec![TranslationLine {
                language: "ko".into(),
                text: "@everyone **동맹** <@123> [link](https://evil.example)".into(),
                source: "연합_뉴스 *속보*".into(),
                source_url: Some("https://example.org/ko".into()),
            }],
        };
        let view = translations_embed(&card);
        assert_eq!(view.fields.len(), 1);
        let field = &view.fields[0];
        assert_eq!(field.name, "Korean (한국어) · ko");
        assert_eq!(
            field.value,
            "@\u{200B}everyone \\*\\*동맹\\*\\* \\<@\u{200B}123\\> \\[link\\]\\(https://evil.example\\)\n— [연합\\_뉴스 \\*속보\\*](https://example.org/ko)"
        );
        let none = translations_embed(&Card {
            translations: Vec::new(),
            ..card
        });
        assert!(none.description.starts_with("No published translation"));
    }
}
