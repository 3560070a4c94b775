//! The benchmark's own text normalisation, independent of quotebot's (which the ranking work
//! may change): relevance sets must not move when the thing measured changes.
//!
//! Text is decomposed (NFKD), combining marks and invisible format characters are dropped, it is
//! lowercased, and every run of letters and digits is a token; an apostrophe between letters
//! joins ("it's" → "its"). Everything else separates tokens.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ')
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

/// The normalised tokens of `text`, in order.
pub fn tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text
        .nfkd()
        .filter(|c| !is_combining_mark(*c) && !is_invisible(*c))
        .flat_map(char::to_lowercase)
        .collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            current.push(c);
        } else if is_apostrophe(c)
            && !current.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
        {
            // Inside a word: joins it.
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether `words` (normalised tokens) occur in `text_tokens` adjacent and in order; with
/// `last_is_prefix`, the last of them only has to start a token.
pub fn contains_phrase(text_tokens: &[String], words: &[String], last_is_prefix: bool) -> bool {
    let n = words.len();
    if n == 0 || text_tokens.len() < n {
        return false;
    }
    text_tokens.windows(n).any(|w| {
        w[..n - 1] == words[..n - 1]
            && if last_is_prefix {
                w[n - 1].starts_with(words[n - 1].as_str())
            } else {
                w[n - 1] == words[n - 1]
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<String> {
        tokens(s)
    }

    #[test]
    fn tokens_fold_case_marks_and_apostrophes() {
        assert_eq!(t("It's Café—U.S."), ["its", "cafe", "u", "s"]);
        assert_eq!(
            t("한미 동맹"),
            ["한미", "동맹"].map(|w| w.nfkd().collect::<String>())
        );
        assert_eq!(t("zero\u{200B}width"), ["zerowidth"]);
    }

    #[test]
    fn a_phrase_must_be_adjacent_and_in_order() {
        let text = t("the United States commitment to defend our allies");
        assert!(contains_phrase(&text, &t("united states comm"), true));
        assert!(!contains_phrase(&text, &t("united states comm"), false));
        assert!(!contains_phrase(&text, &t("states united"), false));
        assert!(!contains_phrase(&text, &t("united commitment"), false));
        assert!(contains_phrase(&text, &t("defend our allies"), false));
    }
}
