//! Search quality on the seed database and on small fixtures: typos, prefixes, fields, order.

use proptest::prelude::*;
use quotebot::app::Snapshot;
use quotebot::core::catalog::Catalog;
use quotebot::core::model::EntryKind;
use quotebot::core::search::{MAX_CHOICE_NAME, MAX_CHOICES, Mode, Query};

use crate::support::{SOURCES, parse, seed_catalog};

fn top(snapshot: &Snapshot, text: &str) -> Option<String> {
    let outcome = snapshot.search(&Query::new(text, 5));
    outcome
        .hits
        .first()
        .map(|h| h.entry(&snapshot.catalog).id().to_string())
}

#[test]
fn the_seed_databases_natural_questions_rank_the_right_entry_first() {
    let snapshot = Snapshot::new(seed_catalog());
    let cases = [
        (
            "linchpin of pease northeast asia",
            "blinken-alliance-linchpin",
        ),
        (
            "blinkin satellite technology",
            "blinken-russia-space-technology",
        ),
        (
            "how much has korea invested in the us",
            "rok-investment-140bn",
        ),
        ("nucelar consultative gruop", "blinken-alliance-essential"),
        (
            "north korean troops killed ukraine",
            "dprk-casualties-ukraine-december-2024",
        ),
        ("extended deter", "blinken-alliance-essential"),
        (
            "trilateral cooperation years ahead",
            "blinken-trilateral-strategic-interest",
        ),
        (
            "shared democratic values",
            "blinken-shared-democratic-values",
        ),
        (
            "optimistic future of our own making",
            "blinken-optimistic-future",
        ),
        (
            "second largest investor",
            "us-second-largest-investor-in-rok",
        ),
        ("goods exports market", "us-largest-rok-export-market"),
        (
            "Putin accepting DPRK nuclear weapons",
            "blinken-russia-space-technology",
        ),
        (
            "taiwan strait partnership",
            "blinken-trilateral-partnership",
        ),
    ];
    for (query, want) in cases {
        assert_eq!(top(&snapshot, query).as_deref(), Some(want), "{query}");
        assert!(
            snapshot.search(&Query::new(query, 5)).confident,
            "{query} should be confident"
        );
    }
}

#[test]
fn a_query_about_nothing_in_the_database_is_not_presented_as_an_answer() {
    let snapshot = Snapshot::new(seed_catalog());
    for query in ["zebra giraffe elephant", "bitcoin price prediction", "qqqq"] {
        let outcome = snapshot.search(&Query::new(query, 5));
        assert!(!outcome.confident, "{query}");
    }
}

#[test]
fn misspelled_words_are_offered_as_a_correction() {
    let snapshot = Snapshot::new(seed_catalog());
    let outcome = snapshot.search(&Query::new("nucelar consultative gruop", 5));
    assert_eq!(
        outcome.correction.as_deref(),
        Some("nuclear consultative group")
    );
    let outcome = snapshot.search(&Query::new("nuclear consultative group", 5));
    assert_eq!(outcome.correction, None);
}

/// A small catalog where the right answer is decided by one feature at a time.
fn fixture() -> Catalog {
    let speakers = r#"
[[speaker]]
id = "ada"
name = "Ada Lovelace"
aliases = ["Countess of Lovelace"]

[[speaker]]
id = "grace"
name = "Grace Hopper"
role = "Rear Admiral"
"#;
    let quotes = r#"
[[quote]]
id = "engine"
text = "The Analytical Engine weaves algebraic patterns just as the Jacquard loom weaves flowers."
speaker = "ada"
source = "src"
topics = ["computing"]

[[quote]]
id = "ship"
text = "A ship in port is safe, but that is not what ships are built for."
speaker = "grace"
source = "src"
topics = ["courage"]

[[quote]]
id = "easier"
text = "It is easier to ask forgiveness than it is to get permission."
speaker = "grace"
source = "src"

[[quote]]
id = "patterns-shuffled"
text = "Flowers and patterns are woven by looms and engines alike."
speaker = "grace"
source = "src"
"#;
    let facts = r#"
[[fact]]
id = "loom-count"
text = "Jacquard looms numbered in the thousands in Lyon."
source = "src"
topics = ["computing"]
"#;
    parse(speakers, SOURCES, quotes, facts).expect("fixture is valid")
}

#[test]
fn ranking_table_on_a_small_fixture() {
    let snapshot = Snapshot::new(fixture());
    let cases = [
        // exact phrase
        ("jacquard loom weaves flowers", "engine"),
        // one typo per word
        ("analitical engnie", "engine"),
        // transposed letters
        ("forgivenses permisison", "easier"),
        // shuffled words still find the quote; the phrase order decides between close ones
        ("weaves engine analytical patterns algebraic", "engine"),
        // a speaker's name as a field, with a keyword
        ("hopper ship", "ship"),
        ("lovelace patterns", "engine"),
        // a misspelled speaker plus a keyword
        ("grase hoper forgiveness", "easier"),
        // an alias
        ("countess of lovelace loom", "engine"),
        // a topic
        ("courage port", "ship"),
        // a prefix cut mid-word
        ("safe in po", "ship"),
        ("forgiv", "easier"),
    ];
    for (query, want) in cases {
        assert_eq!(top(&snapshot, query).as_deref(), Some(want), "{query}");
    }
}

#[test]
fn kind_speaker_and_topic_filters_restrict_the_answers() {
    let snapshot = Snapshot::new(fixture());
    let facts_only = Query {
        kind: Some(EntryKind::Fact),
        ..Query::new("jacquard loom", 5)
    };
    let outcome = snapshot.search(&facts_only);
    assert!(!outcome.hits.is_empty());
    assert!(outcome.hits.iter().all(|h| h.kind == EntryKind::Fact));

    let by_grace = Query {
        speaker: Some("grace"),
        ..Query::new("patterns flowers", 5)
    };
    let ids: Vec<&str> = snapshot
        .search(&by_grace)
        .hits
        .iter()
        .map(|h| h.entry(&snapshot.catalog).id())
        .collect();
    assert_eq!(ids, vec!["patterns-shuffled"]);

    let computing = Query {
        topic: Some("computing"),
        ..Query::new("looms", 5)
    };
    let outcome = snapshot.search(&computing);
    assert!(outcome.hits.iter().all(|h| {
        h.entry(&snapshot.catalog)
            .topics()
            .contains(&"computing".to_string())
    }));
    assert_eq!(outcome.hits.len(), 2);
}

#[test]
fn suggest_completes_the_word_being_typed() {
    let snapshot = Snapshot::new(seed_catalog());
    let choices = snapshot.suggest(&Query {
        mode: Mode::Suggest,
        ..Query::new("extended deter", MAX_CHOICES)
    });
    assert_eq!(choices[0].value, "blinken-alliance-essential");
    let choices = snapshot.suggest(&Query::new("satel", MAX_CHOICES));
    assert_eq!(choices[0].value, "blinken-russia-space-technology");
    // Nothing typed yet: the first entries, so the list is never empty.
    let choices = snapshot.suggest(&Query::new("", MAX_CHOICES));
    assert_eq!(choices.len(), 13);
}

#[test]
fn a_completion_that_continues_the_typed_phrase_beats_words_found_apart_in_the_seed() {
    let snapshot = Snapshot::new(seed_catalog());
    // Whether an entry's words hold "united states comm…", adjacent and in order.
    let continues = |id: &str| {
        let text = snapshot
            .catalog
            .entry(id)
            .expect("a choice is an entry")
            .text();
        let words = quotebot::core::search::normalize::tokens(text);
        words
            .windows(3)
            .any(|w| w[0] == "united" && w[1] == "states" && w[2].starts_with("comm"))
    };
    for typed in [
        "the United States comm",
        "United States comm",
        "the united states commi",
        "the Untied States comm",
        "the unitedstates comm",
        "the united  states comm",
    ] {
        let choices = snapshot.suggest(&Query::new(typed, MAX_CHOICES));
        let first_apart = choices.iter().position(|c| !continues(&c.value));
        let last_continuing = choices.iter().rposition(|c| continues(&c.value));
        assert!(
            last_continuing.is_some_and(|last| first_apart.is_none_or(|apart| last < apart)),
            "{typed}: {:?}",
            choices.iter().map(|c| &c.value).collect::<Vec<_>>()
        );
        assert_eq!(
            last_continuing,
            Some(1),
            "{typed}: both continuing entries, first"
        );
    }
}

#[test]
fn a_figure_matches_in_any_of_its_spellings_in_the_seed() {
    let snapshot = Snapshot::new(seed_catalog());
    let cases = [
        ("korea 140bn investment", "rok-investment-140bn"),
        ("$140B invested by korea", "rok-investment-140bn"),
        ("140,000,000,000 dollars", "rok-investment-140bn"),
        ("140 billion dollars", "rok-investment-140bn"),
        // The figure's unit ("rank") is searched with the fact.
        (
            "where does the US rank among investors in South Korea",
            "us-second-largest-investor-in-rok",
        ),
    ];
    for (query, want) in cases {
        assert_eq!(top(&snapshot, query).as_deref(), Some(want), "{query}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn suggest_always_returns_at_most_25_choices_with_valid_names_and_stable_ids(text in "\\PC{0,120}") {
        let snapshot = Snapshot::new(seed_catalog());
        let choices = snapshot.suggest(&Query::new(&text, MAX_CHOICES));
        prop_assert!(choices.len() <= MAX_CHOICES);
        for choice in &choices {
            let n = choice.name.chars().count();
            prop_assert!((1..=MAX_CHOICE_NAME).contains(&n), "{n}: {}", choice.name);
            prop_assert!(snapshot.catalog.entry(&choice.value).is_some());
        }
        // The same text gives the same choices.
        prop_assert_eq!(choices, snapshot.suggest(&Query::new(&text, MAX_CHOICES)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_embed_fits_discords_limits_for_any_unicode(
        title in "\\PC{0,400}",
        description in "\\PC{0,5000}",
        footer in "\\PC{0,2100}",
        fields in proptest::collection::vec(("\\PC{0,300}", "\\PC{0,1200}"), 0..30),
    ) {
        use quotebot::core::limits::{self, EmbedField, EmbedView, fit_embed};
        let view = EmbedView {
            title,
            url: Some("https://example.org".into()),
            description,
            fields: fields
                .into_iter()
                .map(|(name, value)| EmbedField { name, value, inline: false })
                .collect(),
            footer,
        };
        let fitted = fit_embed(&view);
        let chars = |s: &str| s.chars().count();
        prop_assert!(chars(&fitted.title) <= limits::EMBED_TITLE);
        prop_assert!(chars(&fitted.description) <= limits::EMBED_DESCRIPTION);
        prop_assert!(chars(&fitted.footer) <= limits::FOOTER);
        prop_assert!(fitted.fields.len() <= limits::EMBED_FIELDS);
        for field in &fitted.fields {
            prop_assert!((1..=limits::FIELD_NAME).contains(&chars(&field.name)));
            prop_assert!((1..=limits::FIELD_VALUE).contains(&chars(&field.value)));
        }
        prop_assert!(fitted.total_chars() <= limits::EMBED_TOTAL);
        // Nothing is cut that did not need to be.
        if chars(&view.description) <= 1000 && view.fields.is_empty() {
            prop_assert_eq!(&fitted.description, &view.description);
        }
    }
}
