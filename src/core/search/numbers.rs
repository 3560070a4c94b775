//! Numbers written in English words, for queries: "a thousand" finds "1000", "seventy" finds
//! "70", "one hundred forty billion" finds "$140 billion", and "7" finds "seven". Figures in
//! the records are mostly digits (normalised one way by `normalize::each_search_token`), while
//! people type either; this is language, not a synonym list, so it lives in code.

/// The value of a one-word English number ("seven" 7, "seventy" 70, "thousand" 1000).
pub(crate) fn word_value(word: &str) -> Option<u32> {
    let at = NUMBER_WORDS[..30].iter().position(|w| *w == word)? as u32;
    Some(match at {
        0..=20 => at,
        21..=27 => (at - 18) * 10,
        28 => 100,
        _ => 1000,
    })
}

/// The one-word spelling of a number written in digits ("7" → "seven"), if it has one.
pub(crate) fn spelled(digits: &str) -> Option<&'static str> {
    if digits.is_empty()
        || digits.len() > 4
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.starts_with('0') && digits != "0")
    {
        return None;
    }
    let value: usize = digits.parse().ok()?;
    let at = match value {
        0..=19 => value,
        20..=90 if value.is_multiple_of(10) => 18 + value / 10,
        100 => 28,
        1000 => 29,
        _ => return None,
    };
    Some(NUMBER_WORDS[at])
}

/// What a word is, as a part of a spelled number.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    /// 1–9.
    Unit,
    /// 10–19.
    Teen,
    /// 20, 30 … 90.
    Tens,
    Hundred,
    Thousand,
    /// "and" between "hundred" or "thousand" and what follows ("one hundred and forty").
    And,
}

fn part(word: &str) -> Option<(Part, u32)> {
    if word == "and" {
        return Some((Part::And, 0));
    }
    let value = word_value(word)?;
    let part = match value {
        0 => return None,
        1..=9 => Part::Unit,
        10..=19 => Part::Teen,
        100 => Part::Hundred,
        1000 => Part::Thousand,
        _ => Part::Tens,
    };
    Some((part, value))
}

/// How many of `words` (from the first) spell one number, and its value: "one hundred forty"
/// is 140 (three words), "twenty five" 25, "two thousand and twenty four" 2024. "one two" is
/// two numbers, so only its first word counts.
fn spelled_number(words: &[String]) -> Option<(usize, u32)> {
    let (mut total, mut chunk) = (0u32, 0u32);
    let mut last: Option<Part> = None;
    let mut used = 0;
    for (i, word) in words.iter().enumerate() {
        let Some((part, value)) = part(word) else {
            break;
        };
        let fits = match part {
            Part::Unit => matches!(
                last,
                None | Some(Part::Tens | Part::Hundred | Part::Thousand | Part::And)
            ),
            Part::Teen | Part::Tens => matches!(
                last,
                None | Some(Part::Hundred | Part::Thousand | Part::And)
            ),
            Part::Hundred => matches!(last, Some(Part::Unit | Part::Teen)) && chunk < 100,
            Part::Thousand => {
                matches!(
                    last,
                    Some(Part::Unit | Part::Teen | Part::Tens | Part::Hundred)
                ) && total == 0
            }
            Part::And => {
                matches!(last, Some(Part::Hundred | Part::Thousand))
                    && words
                        .get(i + 1)
                        .and_then(|w| part_of(w))
                        .is_some_and(|p| matches!(p, Part::Unit | Part::Teen | Part::Tens))
            }
        };
        if !fits {
            break;
        }
        match part {
            Part::Unit | Part::Teen | Part::Tens => chunk += value,
            Part::Hundred => chunk *= 100,
            Part::Thousand => {
                total = chunk * 1000;
                chunk = 0;
            }
            Part::And => {}
        }
        last = Some(part);
        used = i + 1;
    }
    (used > 0).then_some((used, total + chunk))
}

fn part_of(word: &str) -> Option<Part> {
    part(word).map(|(p, _)| p)
}

/// Whether a run of number words followed by `rest` may not be finished, `rest` being at most
/// the word still being typed: it is that word, or that word may begin one ("one hundred fo").
fn may_go_on(rest: &[String]) -> bool {
    match rest {
        [] => true,
        [typing] => NUMBER_WORDS.iter().any(|w| w.starts_with(typing.as_str())),
        _ => false,
    }
}

const NUMBER_WORDS: [&str; 31] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "and",
];

/// Replaces each run of two or more words that spell one number with its digits, so that
/// "one hundred forty billion dollars" reads as "140 billion dollars", as the records' figures
/// are indexed. A single number word is left alone (it is matched both ways when expanded); so
/// is a run reaching the last word when that word is still being typed.
pub(crate) fn join_spelled(words: &mut Vec<String>, open_last: bool) {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        match spelled_number(&words[i..]) {
            Some((n, value)) if n >= 2 && !(open_last && may_go_on(&words[i + n..])) => {
                out.push(value.to_string());
                i += n;
            }
            _ => {
                out.push(std::mem::take(&mut words[i]));
                i += 1;
            }
        }
    }
    *words = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(text: &str, open_last: bool) -> String {
        let mut words: Vec<String> = text.split(' ').map(str::to_string).collect();
        join_spelled(&mut words, open_last);
        words.join(" ")
    }

    #[test]
    fn runs_of_number_words_read_as_their_digits() {
        for (typed, read) in [
            ("one hundred forty billion dollars", "140 billion dollars"),
            ("one hundred and forty", "140"),
            ("twenty five years", "25 years"),
            ("two thousand and twenty four", "2024"),
            ("seven hundred thousand troops", "700000 troops"),
            ("a thousand troops", "a thousand troops"),
            ("seventy years", "seventy years"),
            ("one two three", "one two three"),
            ("rock and roll", "rock and roll"),
            ("one and only", "one and only"),
            ("ninety nine problems", "99 problems"),
            ("twelve hundred", "1200"),
            ("forty twenty", "forty twenty"),
        ] {
            assert_eq!(joined(typed, false), read, "{typed}");
        }
    }

    #[test]
    fn a_number_still_being_typed_is_left_as_typed() {
        assert_eq!(joined("one hundred fo", true), "one hundred fo");
        assert_eq!(joined("one hundred forty bil", true), "140 bil");
    }

    #[test]
    fn one_word_numbers_and_their_digits_meet_both_ways() {
        for value in [0u32, 1, 7, 12, 19, 20, 70, 90, 100, 1000] {
            let word = spelled(&value.to_string()).unwrap();
            assert_eq!(word_value(word), Some(value), "{word}");
        }
        for digits in ["25", "07", "101", "1200", "12345", "x"] {
            assert_eq!(spelled(digits), None, "{digits}");
        }
    }
}
