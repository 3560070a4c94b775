//! Text to search tokens: one normalisation shared by the index and every query, so that what
//! a person types and what the catalog says meet in the same form.
//!
//! Tokens are lowercase, without diacritics (NFKD, combining marks dropped), with apostrophes
//! removed inside words ("People’s" → "peoples", "it's" → "its"), dotted acronyms joined
//! ("U.S." → "us") and digit groups joined ("1,000" → "1000"). Everything else that is not a
//! letter or digit separates tokens.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Characters kept of one token; a longer run of letters is not a word anyone types.
pub const MAX_TOKEN_CHARS: usize = 64;

/// Invisible characters that never separate words: zero-width space, non-joiner and joiner,
/// word joiner and invisible operators, soft hyphen, byte-order mark, bidirectional marks and
/// controls, Mongolian and Hangul fillers, variation selectors and tags.
pub fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Whether `text` shows nothing: only whitespace, control characters, invisible characters
/// ([`is_ignorable`]), combining marks with nothing to combine with, or the braille blank.
/// A name, title or text like that is as good as empty.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace()
            || c.is_control()
            || is_ignorable(c)
            || is_combining_mark(c)
            || c == '\u{2800}'
    })
}

/// Scripts written without spaces between words, indexed one character at a time: Han
/// ideographs, hiragana and katakana, Thai, Lao, Khmer and Myanmar letters.
pub fn is_unspaced(c: char) -> bool {
    matches!(
        c,
        '\u{3040}'..='\u{30FF}'
            | '\u{31F0}'..='\u{31FF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{3FFFF}'
            | '\u{0E00}'..='\u{0EFF}'
            | '\u{1000}'..='\u{109F}'
            | '\u{1780}'..='\u{17FF}'
    )
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ' | '`' | '´')
}

/// The normalised tokens of `text`, in order.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_token(text, |t| out.push(t.to_string()));
    out
}

/// Calls `f` with each normalised token of `text`, in order, without allocating per token.
pub fn each_token(text: &str, f: impl FnMut(&str)) {
    scan(text, false, f)
}

/// The tokens search indexes and queries with: [`tokens`], with figures written one way
/// whatever their spelling ([`each_search_token`]).
pub fn search_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_search_token(text, |t| out.push(t.to_string()));
    out
}

/// [`each_token`], with figures normalised so that "$140 billion", "140 billion dollars",
/// "140bn" and "140,000,000,000" meet: a currency sign before a number is read as its word
/// ("$" → "dollars", before the number), a magnitude written after digits is split off and
/// spelled out ("140bn" → "140", "billion"; k, m, mn, b, bn, t, tn), and a number with six or
/// more trailing zeros is written as its leading digits and magnitude. Only search uses this:
/// what a word *is* (verify, slugs) stays as written.
pub fn each_search_token(text: &str, f: impl FnMut(&str)) {
    scan(text, true, f)
}

/// The word a currency sign stands for when it is written before a number.
fn currency_word(c: char) -> Option<&'static str> {
    match c {
        '$' => Some("dollars"),
        '€' => Some("euros"),
        '£' => Some("pounds"),
        '¥' => Some("yen"),
        '₩' => Some("won"),
        _ => None,
    }
}

/// The word for a magnitude abbreviated after digits ("bn" in "140bn").
fn magnitude_word(suffix: &str) -> Option<&'static str> {
    match suffix {
        "k" => Some("thousand"),
        "m" | "mn" | "mln" => Some("million"),
        "b" | "bn" | "bln" => Some("billion"),
        "t" | "tn" | "trn" => Some("trillion"),
        _ => None,
    }
}

/// Emits one finished token, with figures spelled one way when `figures` is on.
fn emit(token: &str, figures: bool, f: &mut impl FnMut(&str)) {
    if !figures || !token.starts_with(|c: char| c.is_ascii_digit()) {
        f(token);
        return;
    }
    let digits = token.bytes().take_while(u8::is_ascii_digit).count();
    let (number, suffix) = token.split_at(digits);
    if let Some(word) = magnitude_word(suffix) {
        emit(number, figures, f);
        f(word);
        return;
    }
    if !suffix.is_empty() {
        f(token);
        return;
    }
    let zeros = number.bytes().rev().take_while(|&b| b == b'0').count();
    let magnitude = match zeros {
        12.. => Some((12, "trillion")),
        9.. => Some((9, "billion")),
        6.. => Some((6, "million")),
        _ => None,
    };
    match magnitude {
        Some((cut, word)) if number.len() > cut && number.len() <= cut + 3 => {
            f(&number[..number.len() - cut]);
            f(word);
        }
        _ => f(token),
    }
}

fn scan(text: &str, figures: bool, mut f: impl FnMut(&str)) {
    let mut f = |t: &str| emit(t, figures, &mut f);
    let chars: Vec<char> = if text.is_ascii() {
        text.bytes()
            .map(|b| b.to_ascii_lowercase() as char)
            .collect()
    } else {
        text.nfkd()
            .filter(|c| !is_combining_mark(*c) && !is_ignorable(*c))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let mut current = String::new();
    // Characters in `current`, and characters read since the token started or since its last
    // joined dot.
    let mut length = 0;
    let mut segment = 0;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let after_next = chars.get(i + 2).copied();
        if is_unspaced(c) && c.is_alphanumeric() {
            if !current.is_empty() {
                f(&current);
                current.clear();
            }
            let mut buffer = [0u8; 4];
            f(c.encode_utf8(&mut buffer));
            length = 0;
            segment = 0;
        } else if c.is_alphanumeric() {
            if length < MAX_TOKEN_CHARS {
                current.push(c);
                length += 1;
            }
            segment += 1;
        } else if is_apostrophe(c) && !current.is_empty() && next.is_some_and(char::is_alphanumeric)
        {
            // An apostrophe inside a word joins it: "it's" → "its".
        } else if c == '.'
            && segment == 1
            && current.chars().last().is_some_and(char::is_alphabetic)
            && next.is_some_and(char::is_alphabetic)
            && after_next.is_none_or(|c| !c.is_alphanumeric())
        {
            // A dotted acronym of single letters: "u.s." reads as one token "us".
            segment = 0;
        } else if c == ','
            && !current.is_empty()
            && current.chars().all(|c| c.is_ascii_digit())
            && chars.len() >= i + 4
            && chars[i + 1..i + 4].iter().all(char::is_ascii_digit)
            && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            // A thousands separator: "1,000" → "1000".
        } else {
            if !current.is_empty() {
                f(&current);
                current.clear();
            }
            length = 0;
            segment = 0;
            if figures
                && next.is_some_and(|c| c.is_ascii_digit())
                && let Some(word) = currency_word(c)
            {
                f(word);
            }
        }
    }
    if !current.is_empty() {
        f(&current);
    }
}

/// English function words: matched exactly when present, never "corrected" into another
/// word, and weighing little when absent, so "how much has korea invested" is about Korea
/// and investment.
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he",
    "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "many", "me", "more", "most",
    "much", "my", "no", "not", "of", "on", "or", "our", "said", "say", "says", "she", "so", "than",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "was", "we",
    "were", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you", "your",
];

pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// Whether the text ends inside a word, so its last token may be a prefix still being typed.
/// Invisible characters and combining marks after the last letter do not end the word.
pub fn ends_mid_word(text: &str) -> bool {
    text.chars()
        .rev()
        .find(|c| !is_ignorable(*c) && !is_combining_mark(*c))
        .is_some_and(char::is_alphanumeric)
}

/// A Hangul word being typed whose last syllable ends in a final consonant, with that consonant
/// moved to start the next syllable, as the input method will move it when a vowel follows:
/// "평활" is on its way to "평화를". Tokens hold Hangul decomposed into jamo, as here.
pub fn hangul_carry(word: &str) -> Option<String> {
    const CARRY: [&str; 27] = [
        "\u{1100}",
        "\u{1101}",
        "\u{11A8}\u{1109}",
        "\u{1102}",
        "\u{11AB}\u{110C}",
        "\u{11AB}\u{1112}",
        "\u{1103}",
        "\u{1105}",
        "\u{11AF}\u{1100}",
        "\u{11AF}\u{1106}",
        "\u{11AF}\u{1107}",
        "\u{11AF}\u{1109}",
        "\u{11AF}\u{1110}",
        "\u{11AF}\u{1111}",
        "\u{11AF}\u{1112}",
        "\u{1106}",
        "\u{1107}",
        "\u{11B8}\u{1109}",
        "\u{1109}",
        "\u{110A}",
        "\u{110B}",
        "\u{110C}",
        "\u{110E}",
        "\u{110F}",
        "\u{1110}",
        "\u{1111}",
        "\u{1112}",
    ];
    let last = word.chars().last()?;
    let index = (last as u32).checked_sub(0x11A8)? as usize;
    let carried = CARRY.get(index)?;
    let mut out = word[..word.len() - last.len_utf8()].to_string();
    out.push_str(carried);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_table() {
        let cases: &[(&str, &[&str])] = &[
            ("Linchpin of PEACE", &["linchpin", "of", "peace"]),
            ("People’s Republic", &["peoples", "republic"]),
            ("it's We've", &["its", "weve"]),
            ("Café Séoul", &["cafe", "seoul"]),
            ("U.S.-South Korea", &["us", "south", "korea"]),
            ("the U.S. and", &["the", "us", "and"]),
            (
                "more than 1,000 forces",
                &["more", "than", "1000", "forces"],
            ),
            ("$140 billion", &["140", "billion"]),
            ("[Vladimir] Putin...", &["vladimir", "putin"]),
            ("end. Next", &["end", "next"]),
            ("a.b.c.", &["abc"]),
            ("1,2,3", &["1", "2", "3"]),
            ("‘quoted’", &["quoted"]),
            ("", &[]),
            ("allia\u{200B}nce", &["alliance"]),
            ("soft\u{00AD}ware \u{FEFF}bom", &["software", "bom"]),
            (
                "zero\u{200C}width\u{200D}joiners\u{2060}here",
                &["zerowidthjoinershere"],
            ),
            ("\u{202B}שלום\u{202C} world", &["שלום", "world"]),
            ("東京タワー", &["東", "京", "タ", "ワ", "ー"]),
        ];
        for (text, want) in cases {
            assert_eq!(tokens(text), *want, "{text:?}");
        }
    }

    #[test]
    fn a_figure_is_tokenised_one_way_for_search_whatever_its_spelling() {
        let cases: &[(&str, &[&str])] = &[
            ("$140 billion", &["dollars", "140", "billion"]),
            ("140 billion dollars", &["140", "billion", "dollars"]),
            ("140bn", &["140", "billion"]),
            ("$140B", &["dollars", "140", "billion"]),
            ("140,000,000,000", &["140", "billion"]),
            ("5m people", &["5", "million", "people"]),
            ("€2.5tn", &["euros", "2", "5", "trillion"]),
            ("₩1,000,000", &["won", "1", "million"]),
            // Not figures: kept as written.
            (
                "1st 2nd 90s f35 1000 2021",
                &["1st", "2nd", "90s", "f35", "1000", "2021"],
            ),
            ("$ alone", &["alone"]),
        ];
        for (text, want) in cases {
            assert_eq!(search_tokens(text), *want, "{text:?}");
        }
        // What a word is elsewhere (verify, slugs) does not change.
        assert_eq!(tokens("$140bn"), ["140bn"]);
    }

    #[test]
    fn a_run_of_letters_longer_than_a_word_is_cut_to_one_bounded_token() {
        let long = "ab".repeat(80_000);
        assert_eq!(
            tokens(&format!("x {long} y")),
            ["x", &long[..MAX_TOKEN_CHARS], "y"]
        );
        let wide = "한".repeat(1000);
        let t = tokens(&wide);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].chars().count(), MAX_TOKEN_CHARS);
    }

    #[test]
    fn a_final_consonant_being_typed_moves_to_the_next_syllable() {
        use unicode_normalization::UnicodeNormalization;
        let jamo = |s: &str| s.nfkd().collect::<String>();
        assert_eq!(hangul_carry(&jamo("평활")), Some(jamo("평화ㄹ")));
        assert_eq!(hangul_carry(&jamo("닭")), Some(jamo("달ㄱ")));
        assert_eq!(hangul_carry(&jamo("화")), None);
        assert_eq!(hangul_carry("word"), None);
        assert!(ends_mid_word("deter\u{200B}"));
        assert!(ends_mid_word("cafe\u{0301}"));
    }

    #[test]
    fn stopword_list_is_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_stopword("how") && is_stopword("the") && !is_stopword("korea"));
    }

    #[test]
    fn a_trailing_letter_means_a_word_is_still_being_typed() {
        assert!(ends_mid_word("extended deter"));
        assert!(!ends_mid_word("extended deterrence "));
        assert!(!ends_mid_word(""));
    }
}
