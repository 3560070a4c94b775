//! Every input in any script gets an answer: arbitrary Unicode (combining marks, emoji, RTL,
//! zero-width characters, 4-byte characters at every cut point) through every moderator form
//! field and every search option, at the core level: form → changes → `edit::apply` → the
//! written files parse again; search, suggest and rendering answer within Discord's limits.

use proptest::prelude::*;
use quotebot::app::Snapshot;
use quotebot::core::catalog::{Catalog, Entry};
use quotebot::core::data::Texts;
use quotebot::core::edit;
use quotebot::core::limits;
use quotebot::core::model::{EntryKind, is_valid_id};
use quotebot::core::moderation::{FactForm, QuoteForm, fact_changes, quote_changes};
use quotebot::core::render;
use quotebot::core::search::{MAX_CHOICE_NAME, MAX_CHOICES, Mode, Query};

use crate::support::{repo_data, seed_catalog};

fn seed_texts() -> Texts {
    quotebot::store::read_data(&repo_data()).unwrap().texts
}

/// Pieces that break naive text handling, mixed with ordinary words.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{1,6}",
        "[a-zA-Z]{1,8}",
        Just(" ".to_string()),
        Just("\u{200B}".to_string()), // zero-width space
        Just("\u{200C}\u{200D}".to_string()),
        Just("\u{2060}\u{FEFF}\u{00AD}".to_string()),
        Just("e\u{0301}\u{0323}".to_string()), // stacked combining marks
        Just("\u{0301}".to_string()),          // a combining mark with nothing to combine with
        Just("👩‍👩‍👧‍👦".to_string()),                // ZWJ emoji sequence
        Just("🇰🇷".to_string()),
        Just("𝔘𝔫𝔦𝔠𝔬𝔡𝔢".to_string()), // 4-byte letters
        Just("𠜎𠜱".to_string()),    // 4-byte ideographs
        Just("윤석열".to_string()),
        Just("한미 동맹".to_string()),
        Just("ㄱㅎ".to_string()),
        Just("القدس".to_string()),
        Just("\u{202E}שלום\u{202C}".to_string()), // RTL override
        Just("東京".to_string()),
        Just("Пхеньян".to_string()),
        Just("1,000".to_string()),
        Just("U.S.".to_string()),
        Just("https://example.org/😀".to_string()),
        Just("|".to_string()),
        Just(",".to_string()),
        Just("\"'\\".to_string()),
    ]
}

fn text(max_pieces: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..max_pieces).prop_map(|p| p.concat())
}

/// The form's changes applied to the files' texts, which must parse again into a catalog that
/// holds every added record; or a form error that says which field and fits a message.
fn apply_form(
    catalog: &Catalog,
    texts: &Texts,
    changes: Result<Vec<edit::Change>, quotebot::core::moderation::FormError>,
) -> Result<Catalog, String> {
    let changes = match changes {
        Ok(changes) => changes,
        Err(e) => {
            let message = e.to_string();
            assert!(!e.message.is_empty(), "an error says what is wrong");
            assert!(message.chars().count() < limits::CONTENT, "{message}");
            return Err(message);
        }
    };
    for change in &changes {
        let id = change.id();
        assert!(is_valid_id(id), "generated id {id:?}");
    }
    let edit::Applied {
        texts: new_texts,
        catalog: new_catalog,
        ..
    } = edit::apply(catalog, texts, &changes)
        .unwrap_or_else(|e| panic!("a validated form was refused by the database: {e}"));
    // What was written parses again, the same.
    let reparsed =
        crate::support::parse(&new_texts[0], &new_texts[1], &new_texts[2], &new_texts[3])
            .unwrap_or_else(|e| panic!("the written files do not parse: {e:?}"));
    for change in &changes {
        assert!(reparsed.contains_id(change.id()), "{} saved", change.id());
    }
    Ok(new_catalog)
}

/// Every answer a search-driven command can give for `query`, checked against the limits.
fn every_answer_fits(snapshot: &Snapshot, query: &str) {
    for kind in [None, Some(EntryKind::Quote), Some(EntryKind::Fact)] {
        let outcome = snapshot.search(&Query {
            kind,
            ..Query::new(query, 10)
        });
        let text = render::weak_answer_text(&snapshot.catalog, query, &outcome);
        assert!((1..=limits::CONTENT).contains(&text.chars().count()));
        for hit in &outcome.hits {
            let card = render::card(&snapshot.catalog, hit.entry(&snapshot.catalog));
            let view = limits::fit_embed(&render::card_embed(&card, Some((0, 10))));
            assert!(view.total_chars() <= limits::EMBED_TOTAL);
        }
        let choices = snapshot.suggest(&Query {
            kind,
            mode: Mode::Suggest,
            ..Query::new(query, MAX_CHOICES)
        });
        assert!(choices.len() <= MAX_CHOICES);
        for choice in choices {
            let n = choice.name.chars().count();
            assert!((1..=MAX_CHOICE_NAME).contains(&n), "{:?}", choice.name);
            assert!(choice.value.len() <= limits::CHOICE_VALUE);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_unicode_in_any_form_field_gets_an_answer_and_leaves_a_valid_database(
        quote_text in text(12),
        speaker in text(5),
        source in text(5),
        date in text(2),
        topics in text(5),
        fact_text in text(12),
        figure in text(3),
    ) {
        let catalog = seed_catalog();
        let texts = seed_texts();
        let form = QuoteForm {
            text: quote_text.clone(),
            speaker: speaker.clone(),
            source: source.clone(),
            date: date.clone(),
            topics: topics.clone(),
        };
        if let Ok(after) = apply_form(&catalog, &texts, quote_changes(&catalog, &form, None)) {
            let snapshot = Snapshot::new(after);
            every_answer_fits(&snapshot, &quote_text);
            every_answer_fits(&snapshot, &speaker);
        }
        // The same fields as an edit of an existing quote and an existing fact.
        let existing = catalog.quote("blinken-alliance-linchpin").unwrap();
        let _ = apply_form(&catalog, &texts, quote_changes(&catalog, &form, Some(existing)));
        let form = FactForm {
            text: fact_text.clone(),
            figure,
            source,
            as_of: date,
            topics,
        };
        let _ = apply_form(&catalog, &texts, fact_changes(&catalog, &form, None));
        let existing = catalog.facts().first().unwrap();
        let _ = apply_form(&catalog, &texts, fact_changes(&catalog, &form, Some(existing)));
    }

    #[test]
    fn any_unicode_query_speaker_or_topic_option_gets_an_answer_within_limits(
        query in text(10),
        speaker in text(3),
        topic in text(3),
    ) {
        let snapshot = Snapshot::new(seed_catalog());
        every_answer_fits(&snapshot, &query);
        let outcome = snapshot.search(&Query {
            speaker: Some(&speaker),
            topic: Some(&topic),
            ..Query::new(&query, 10)
        });
        prop_assert!(outcome.hits.is_empty(), "no speaker or topic is named like that");
    }
}

/// Multi-byte characters at every byte offset a cut could fall on, in every form field.
#[test]
fn multi_byte_characters_at_every_cut_point_in_every_form_field_are_answered() {
    let catalog = seed_catalog();
    let texts = seed_texts();
    for wide in ["𝔘", "한", "👩‍👩‍👧‍👦", "e\u{0301}\u{200B}"] {
        // Ids are cut near 48 bytes and text fields at their limits: every offset around.
        for pad in (0..4).chain(44..52) {
            let value = "a".repeat(pad) + &wide.repeat(16);
            let spaced = format!("{} {}", "b".repeat(pad), [wide; 12].join(" "));
            for value in [&value, &spaced] {
                let form = QuoteForm {
                    text: value.clone(),
                    speaker: value.clone(),
                    source: value.clone(),
                    date: String::new(),
                    topics: value.clone(),
                };
                // Topics of wide characters may be refused as too long, with a message.
                if let Err(e) = quote_changes(&catalog, &form, None) {
                    assert_eq!(e.field, "Topics", "{e}");
                }
                let form = QuoteForm {
                    topics: String::new(),
                    ..form
                };
                apply_form(&catalog, &texts, quote_changes(&catalog, &form, None))
                    .expect("a text, a new speaker and a new source are accepted");
                let form = FactForm {
                    text: value.clone(),
                    figure: String::new(),
                    source: value.clone(),
                    as_of: String::new(),
                    topics: String::new(),
                };
                apply_form(&catalog, &texts, fact_changes(&catalog, &form, None))
                    .expect("a fact with a new source is accepted");
            }
        }
    }
}

#[test]
fn korean_names_become_romanised_ids_and_korean_text_is_found_as_it_is_typed() {
    let catalog = seed_catalog();
    let texts = seed_texts();
    let form = QuoteForm {
        text: "자유와 평화를 위한 한미 동맹은 그 어느 때보다 굳건합니다.".into(),
        speaker: "윤석열".into(),
        source: "대통령실 브리핑".into(),
        date: "2025-01-06".into(),
        topics: "한미 동맹".into(),
    };
    let changes = quote_changes(&catalog, &form, None).unwrap();
    let ids: Vec<&str> = changes.iter().map(|c| c.id()).collect();
    assert_eq!(ids[0], "yun-seog-yeol", "{ids:?}");
    assert!(ids.iter().all(|id| is_valid_id(id)), "{ids:?}");
    let after = apply_form(&catalog, &texts, Ok(changes.clone())).unwrap();
    let quote_id = changes.last().unwrap().id().to_string();
    let quote = after.quote(&quote_id).unwrap();
    assert_eq!(quote.topics, ["han-mi-dong-maeng"]);
    assert_eq!(after.speaker("yun-seog-yeol").unwrap().name, "윤석열");

    let snapshot = Snapshot::new(after);
    let found = |query: &str, mode: Mode| {
        snapshot
            .search(&Query {
                mode,
                ..Query::new(query, 5)
            })
            .hits
            .first()
            .map(|h| h.entry(&snapshot.catalog).id().to_string())
    };
    // Whole words, a word inside the sentence, and words as an IME composes them.
    for query in ["한미 동맹", "굳건합니다", "동맹은"] {
        assert_eq!(
            found(query, Mode::Search).as_deref(),
            Some(&*quote_id),
            "{query}"
        );
    }
    for typed in [
        "굳건",
        "굳거",
        "한미 동매",
        "한미 동맹ㅇ",
        "자유와 평",
        "자유와 평활",
    ] {
        let choices = snapshot.suggest(&Query::new(typed, MAX_CHOICES));
        assert!(
            choices.iter().any(|c| c.value == quote_id),
            "{typed}: {choices:?}"
        );
    }
    // The speaker's name finds the speaker's quote.
    assert_eq!(
        found("윤석열 동맹", Mode::Search).as_deref(),
        Some(&*quote_id)
    );
    let card = snapshot.card(&quote_id).unwrap();
    assert!(render::card_text(&card).contains("굳건합니다"));
    assert!(matches!(
        snapshot.catalog.entry(&quote_id),
        Some(Entry::Quote(_))
    ));
}

#[test]
fn zero_width_characters_do_not_split_words_or_the_correction() {
    let snapshot = Snapshot::new(seed_catalog());
    let plain = snapshot.search(&Query::new("alliance linchpin", 5));
    for query in [
        "allia\u{200B}nce linchpin",
        "alli\u{00AD}ance lin\u{200D}chpin",
        "\u{FEFF}alliance lin\u{2060}chpin",
    ] {
        let outcome = snapshot.search(&Query::new(query, 5));
        assert_eq!(
            outcome.hits.first().map(|h| h.index),
            plain.hits.first().map(|h| h.index),
            "{query:?}"
        );
        if let Some(correction) = &outcome.correction {
            assert!(!correction.contains("allia "), "{query:?}: {correction}");
            assert!(correction.starts_with("alliance "), "{correction}");
        }
    }
    let outcome = snapshot.search(&Query::new("alli\u{200B}ence linchpin", 5));
    assert_eq!(outcome.correction.as_deref(), Some("alliance linchpin"));
    // A word being typed is still open after an invisible character.
    let choices = snapshot.suggest(&Query::new("extended deter\u{200B}", MAX_CHOICES));
    assert_eq!(
        choices.first().map(|c| c.value.as_str()),
        Some("blinken-alliance-essential")
    );
}
