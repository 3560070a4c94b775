//! Speaker, source and topic names as people type them, matched to ids: the bot's options and
//! autocomplete and the command line's filters all match names here.
//!
//! A name matches when it contains the typed words (after the same normalisation as search:
//! case, diacritics, punctuation) or is close to them (Jaro-Winkler, so a misspelled name, or
//! one misspelled word of it, still matches). Choices come best first, at most
//! [`MAX_CHOICES`] of them.

use super::normalize::tokens;
use super::{Choice, MAX_CHOICES};
use crate::core::catalog::Catalog;
use crate::core::model::Speaker;

/// How close a speaker's name or alias must be to the typed text.
const SPEAKER_CLOSENESS: f64 = 0.8;
/// How close a source's title must be to the typed text.
const SOURCE_CLOSENESS: f64 = 0.75;

/// How well a speaker's name or aliases match `typed` (normalised: [`tokens`] joined by
/// spaces): 1 when one of them contains it, else the best Jaro-Winkler of the whole name or
/// one of its words (so a misspelled name, or one misspelled word of it, still scores high).
fn speaker_score(speaker: &Speaker, typed: &str) -> f64 {
    std::iter::once(&speaker.name)
        .chain(&speaker.aliases)
        .map(|name| {
            let words = tokens(name);
            let name = words.join(" ");
            if typed.is_empty() || name.contains(typed) {
                1.0
            } else {
                // A misspelled full name, or one misspelled word of it ("blinkin").
                words
                    .iter()
                    .map(|w| strsim::jaro_winkler(typed, w))
                    .fold(strsim::jaro_winkler(typed, &name), f64::max)
            }
        })
        .fold(0.0, f64::max)
}

/// Speakers whose name or alias matches the typed text, best first; the name (with the role,
/// when there is one) and the id.
pub fn speaker_choices(catalog: &Catalog, typed: &str) -> Vec<Choice> {
    let typed = tokens(typed).join(" ");
    let scored = catalog.speakers().iter().filter_map(|s| {
        let best = speaker_score(s, &typed);
        let label = match &s.role {
            Some(role) => format!("{} ({role})", s.name),
            None => s.name.clone(),
        };
        (best >= SPEAKER_CLOSENESS).then(|| (best, label, s.id.clone()))
    });
    best_first(scored.collect())
}

/// Whether `text` names the speaker `id`: it is the id, or a name or alias (possibly
/// misspelled) that matches this speaker at least as well as any other. A name two speakers
/// share, or part of it ("Jefferson"), names both; [`resolve_speaker`] would pick one of them.
pub fn names_speaker(catalog: &Catalog, text: &str, id: &str) -> bool {
    let text = text.trim();
    if catalog.speaker(text).is_some() {
        return text == id;
    }
    let typed = tokens(text).join(" ");
    let Some(speaker) = catalog.speaker(id).filter(|_| !typed.is_empty()) else {
        return false;
    };
    // No speaker scores above 1, and below the closeness nobody is named: only a name
    // between the two (a misspelling) needs the other speakers' scores.
    let score = speaker_score(speaker, &typed);
    score >= 1.0
        || (score >= SPEAKER_CLOSENESS
            && catalog
                .speakers()
                .iter()
                .all(|other| speaker_score(other, &typed) <= score))
}

/// A speaker's id from its id, or from a (possibly misspelled) name or alias.
pub fn resolve_speaker(catalog: &Catalog, text: &str) -> Option<String> {
    let text = text.trim();
    if catalog.speaker(text).is_some() {
        return Some(text.to_string());
    }
    first_value(speaker_choices(catalog, text))
}

/// Sources whose title contains the typed words or is close to them, best first; the title
/// and the id.
pub fn source_choices(catalog: &Catalog, typed: &str) -> Vec<Choice> {
    let typed = tokens(typed).join(" ");
    let scored = catalog
        .sources()
        .iter()
        .map(|s| {
            let title = tokens(&s.title).join(" ");
            let score = if typed.is_empty() || title.contains(&typed) {
                1.0
            } else {
                strsim::jaro_winkler(&typed, &title)
            };
            (score, s.title.clone(), s.id.clone())
        })
        .filter(|(score, _, _)| *score >= SOURCE_CLOSENESS);
    best_first(scored.collect())
}

/// A source's id from its id, or from (part of, or a misspelling of) its title.
pub fn resolve_source(catalog: &Catalog, text: &str) -> Option<String> {
    let text = text.trim();
    if catalog.source(text).is_some() {
        return Some(text.to_string());
    }
    first_value(source_choices(catalog, text))
}

/// Topics in use or named in topics.toml whose slug contains the typed text made a slug, or
/// whose name or an alias contains the typed words, in slug order; shown by their name (the
/// slug when topics.toml does not name them), the slug as the value.
pub fn topic_choices(catalog: &Catalog, typed: &str) -> Vec<Choice> {
    let slug = topic_slug(typed);
    let words = tokens(typed).join(" ");
    // A topic named in topics.toml matches by its name and aliases as well as by its slug.
    let named = |topic: &str| {
        !words.is_empty()
            && catalog.topic(topic).is_some_and(|t| {
                std::iter::once(&t.name)
                    .chain(&t.aliases)
                    .any(|name| tokens(name).join(" ").contains(&words))
            })
    };
    let mut topics: Vec<&str> = catalog
        .entries()
        .flat_map(|e| e.topics().iter().map(String::as_str))
        .chain(catalog.topics().iter().map(|t| t.id.as_str()))
        .filter(|t| t.contains(&slug) || named(t))
        .collect();
    topics.sort_unstable();
    topics.dedup();
    topics
        .into_iter()
        .take(MAX_CHOICES)
        .map(|t| Choice {
            name: catalog.topic_name(t).to_string(),
            value: t.to_string(),
        })
        .collect()
}

pub fn resolve_topic(catalog: &Catalog, text: &str) -> Option<String> {
    first_value(topic_choices(catalog, text))
}

/// A topic as typed, as the slug it is stored as ("Extended deterrence" →
/// `extended-deterrence`), whether or not any entry has it.
pub fn topic_slug(typed: &str) -> String {
    crate::core::moderation::slug(typed, usize::MAX)
}

/// Scored (score, name, value) as choices, best score first, then by name.
fn best_first(mut scored: Vec<(f64, String, String)>) -> Vec<Choice> {
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
        .into_iter()
        .take(MAX_CHOICES)
        .map(|(_, name, value)| Choice { name, value })
        .collect()
}

fn first_value(choices: Vec<Choice>) -> Option<String> {
    choices.into_iter().next().map(|c| c.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        crate::core::data::DataFiles::named(&[
            "[[speaker]]\nid = \"antony-blinken\"\nname = \"Antony Blinken\"\nrole = \"U.S. Secretary of State\"\naliases = [\"Tony Blinken\", \"Secretary Blinken\"]\n\
                 [[speaker]]\nid = \"cho-tae-yul\"\nname = \"Cho Tae-yul\"\n\
                 [[speaker]]\nid = \"yun-seog-yeol\"\nname = \"윤석열\"\n".to_string(),
            "[[source]]\nid = \"voa\"\ntitle = \"U.S. Relations With South Korea Remain Strong\"\n\
                 [[source]]\nid = \"presser\"\ntitle = \"Joint Press Availability in Seoul\"\n".to_string(),
            "[[quote]]\nid = \"q\"\ntext = \"x\"\nspeaker = \"antony-blinken\"\nsource = \"voa\"\ntopics = [\"us-rok-alliance\", \"extended-deterrence\", \"han-mi-dong-maeng\"]\n".to_string(),
            "[[fact]]\nid = \"f\"\ntext = \"y\"\nsource = \"voa\"\ntopics = [\"trade-investment\", \"us-rok-alliance\"]\n".to_string(),
            String::new(), String::new(),])
        .parse()
        .unwrap()
    }

    #[test]
    fn speakers_are_found_by_id_name_alias_part_or_misspelling() {
        let catalog = catalog();
        for (typed, id) in [
            ("antony-blinken", Some("antony-blinken")),
            ("  cho-tae-yul ", Some("cho-tae-yul")),
            ("Antony Blinken", Some("antony-blinken")),
            ("tony blinken", Some("antony-blinken")),
            ("secretary", Some("antony-blinken")),
            ("blinkin", Some("antony-blinken")),
            ("Antny Blinken", Some("antony-blinken")),
            ("cho tae yul", Some("cho-tae-yul")),
            ("윤석열", Some("yun-seog-yeol")),
            ("zebra", None),
        ] {
            assert_eq!(resolve_speaker(&catalog, typed).as_deref(), id, "{typed}");
        }
    }

    #[test]
    fn speaker_choices_show_the_role_and_offer_everyone_when_nothing_is_typed() {
        let catalog = catalog();
        let choices = speaker_choices(&catalog, "blinken");
        assert_eq!(choices[0].name, "Antony Blinken (U.S. Secretary of State)");
        assert_eq!(choices[0].value, "antony-blinken");
        assert_eq!(speaker_choices(&catalog, "").len(), 3);
    }

    #[test]
    fn sources_are_found_by_id_part_of_the_title_or_a_misspelling() {
        let catalog = catalog();
        for (typed, id) in [
            ("presser", Some("presser")),
            ("south korea", Some("voa")),
            ("press availability", Some("presser")),
            ("Joint Pres Availabilty in Seoul", Some("presser")),
            ("zebra giraffe", None),
        ] {
            assert_eq!(resolve_source(&catalog, typed).as_deref(), id, "{typed}");
        }
        assert_eq!(source_choices(&catalog, "").len(), 2);
    }

    #[test]
    fn topics_are_typed_as_their_slug_in_any_script() {
        let catalog = catalog();
        for (typed, topic) in [
            ("US-ROK alliance", Some("us-rok-alliance")),
            ("Extended deterrence", Some("extended-deterrence")),
            ("invest", Some("trade-investment")),
            ("한미 동맹", Some("han-mi-dong-maeng")),
            ("zebra", None),
        ] {
            assert_eq!(resolve_topic(&catalog, typed).as_deref(), topic, "{typed}");
        }
        let all: Vec<String> = topic_choices(&catalog, "")
            .into_iter()
            .map(|c| c.value)
            .collect();
        assert_eq!(
            all,
            [
                "extended-deterrence",
                "han-mi-dong-maeng",
                "trade-investment",
                "us-rok-alliance"
            ],
            "each topic once, in order"
        );
        assert_eq!(topic_slug("Extended  Deterrence!"), "extended-deterrence");
    }
}
