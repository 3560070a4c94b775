//! Discord's length limits, enforced in this one place.
//!
//! Everything the bot sends is first built as a plain [`EmbedView`] or text and passed through
//! [`fit_embed`] or [`fit`], which cut on character boundaries (never inside a UTF-8
//! sequence) and mark the cut with an ellipsis. The Discord layer only copies the result into
//! serenity's builders.

pub const CONTENT: usize = 2000;
pub const EMBED_TITLE: usize = 256;
pub const EMBED_DESCRIPTION: usize = 4096;
pub const EMBED_FIELDS: usize = 25;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1024;
pub const FOOTER: usize = 2048;
pub const EMBED_TOTAL: usize = 6000;
pub const CHOICES: usize = 25;
pub const CHOICE_NAME: usize = 100;
pub const CHOICE_VALUE: usize = 100;
pub const CUSTOM_ID: usize = 100;
pub const BUTTON_LABEL: usize = 80;
pub const URL: usize = 512;

/// `text` cut to at most `max` characters, ending in "…" when cut; never empty when `text`
/// is not.
pub fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// `text` as a fenced code block of at most `max` characters in all: the text is cut inside
/// the fences (marked with "…"), so the block is always closed, and a fence inside the text
/// is defused ("```" → "'''") so that it cannot close the block early.
pub fn code_block(text: &str, max: usize) -> String {
    const OPEN: &str = "```\n";
    const CLOSE: &str = "\n```";
    let inner = text.replace("```", "'''");
    let room = max.saturating_sub(OPEN.len() + CLOSE.len());
    format!("{OPEN}{}{CLOSE}", fit(&inner, room))
}

/// A plain embed: what Discord shows, before any limit is applied.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbedView {
    pub title: String,
    /// A link for the title; dropped when it is not a short http(s) URL.
    pub url: Option<String>,
    pub description: String,
    pub fields: Vec<EmbedField>,
    pub footer: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmbedField {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

impl EmbedView {
    /// Characters Discord counts toward the 6000 total.
    pub fn total_chars(&self) -> usize {
        self.title.chars().count()
            + self.description.chars().count()
            + self.footer.chars().count()
            + self
                .fields
                .iter()
                .map(|f| f.name.chars().count() + f.value.chars().count())
                .sum::<usize>()
    }
}

/// The embed within every Discord limit: each part cut to its own limit, empty fields
/// dropped, at most 25 fields, and the whole within 6000 characters (the description gives
/// way first, then fields from the last).
pub fn fit_embed(view: &EmbedView) -> EmbedView {
    let mut out = EmbedView {
        title: fit(&view.title, EMBED_TITLE),
        url: view
            .url
            .clone()
            .filter(|u| u.len() <= URL && (u.starts_with("https://") || u.starts_with("http://"))),
        description: fit(&view.description, EMBED_DESCRIPTION),
        fields: view
            .fields
            .iter()
            .filter(|f| !f.name.trim().is_empty() && !f.value.trim().is_empty())
            .take(EMBED_FIELDS)
            .map(|f| EmbedField {
                name: fit(&f.name, FIELD_NAME),
                value: fit(&f.value, FIELD_VALUE),
                inline: f.inline,
            })
            .collect(),
        footer: fit(&view.footer, FOOTER),
    };
    let excess = out.total_chars().saturating_sub(EMBED_TOTAL);
    if excess > 0 {
        let keep = out.description.chars().count().saturating_sub(excess);
        out.description = fit(&out.description, keep.max(1));
    }
    while out.total_chars() > EMBED_TOTAL && !out.fields.is_empty() {
        out.fields.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutting_keeps_whole_characters_and_marks_the_cut() {
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("abcd", 3), "ab…");
        assert_eq!(fit("한국어입니다", 4), "한국어…");
        assert_eq!(fit("👍👍👍", 2), "👍…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn a_code_block_cut_to_its_limit_stays_closed_and_cannot_be_closed_early() {
        let long = "한".repeat(CONTENT * 2);
        let block = code_block(&long, CONTENT);
        assert_eq!(block.chars().count(), CONTENT);
        assert!(
            block.starts_with("```\n") && block.ends_with("…\n```"),
            "{block}"
        );
        assert_eq!(
            code_block("a ``` b ```` c", CONTENT),
            "```\na ''' b '''` c\n```"
        );
        assert_eq!(code_block("short", CONTENT), "```\nshort\n```");
    }
}
