//! The bundled database is the seed article, curated completely and exactly.

use quotebot::core::model::QuoteKind;

use crate::support::seed_catalog;

const ARTICLE: &str = include_str!("../fixtures/voa-2025-us-rok-strong.txt");

/// The passages the article puts inside quotation marks.
fn quoted_passages() -> Vec<&'static str> {
    ARTICLE
        .split('“')
        .skip(1)
        .map(|rest| rest.split('”').next().unwrap())
        .collect()
}

#[test]
fn every_quoted_passage_of_the_article_is_a_verbatim_quote_character_for_character() {
    let catalog = seed_catalog();
    let passages = quoted_passages();
    assert_eq!(passages.len(), 4);
    for passage in passages {
        let quote = catalog
            .quotes()
            .iter()
            .find(|q| q.text == passage)
            .unwrap_or_else(|| panic!("missing verbatim quote: {passage}"));
        assert_eq!(quote.kind, QuoteKind::Verbatim, "{}", quote.id);
        assert_eq!(quote.speaker, "antony-blinken");
    }
}

#[test]
fn editorial_marks_are_kept_exactly() {
    let catalog = seed_catalog();
    let texts: Vec<&str> = catalog.quotes().iter().map(|q| q.text.as_str()).collect();
    for mark in [
        "We've enhanced ... our extended deterrence",
        "DPRK [Democratic People’s Republic of Korea] aggression",
        "that [Vladimir] Putin may be close",
    ] {
        assert!(texts.iter().any(|t| t.contains(mark)), "{mark}");
    }
}

#[test]
fn reported_statements_are_paraphrases_never_verbatim_quotes() {
    let catalog = seed_catalog();
    let paraphrases = [
        "the linchpin of peace, security, and prosperity in Northeast Asia",
        "has forged a partnership for peace and stability from the Korean Peninsula to the Taiwan Strait",
        "grounded not just in economic or security interests, but in our shared democratic values",
        "warned about the growing military cooperation between North Korea and Russia",
    ];
    for words in paraphrases {
        let quote = catalog
            .quotes()
            .iter()
            .find(|q| q.text.contains(words))
            .unwrap_or_else(|| panic!("missing paraphrase: {words}"));
        assert_eq!(quote.kind, QuoteKind::Paraphrase, "{}", quote.id);
        assert!(
            ARTICLE.contains(words),
            "paraphrase text comes from the article"
        );
    }
    // Nothing outside the article's quotation marks is stored as verbatim.
    let passages = quoted_passages();
    for quote in catalog.quotes() {
        if quote.kind == QuoteKind::Verbatim {
            assert!(passages.contains(&quote.text.as_str()), "{}", quote.id);
        }
    }
}

#[test]
fn the_editorials_figures_are_typed_facts_sourced_to_it() {
    let catalog = seed_catalog();
    let figure = |needle: &str| {
        let fact = catalog
            .facts()
            .iter()
            .find(|f| f.text.contains(needle))
            .unwrap_or_else(|| panic!("missing fact: {needle}"));
        assert_eq!(fact.source, "voa-2025-us-rok-strong");
        let f = fact.figure.clone().expect("typed figure");
        (
            f.value,
            f.unit.unwrap_or_default(),
            f.qualifier.unwrap_or_default(),
        )
    };
    assert_eq!(
        figure("1000 North Korean forces"),
        (1000.0, "casualties".into(), "more than".into())
    );
    assert_eq!(
        figure("second largest investor"),
        (2.0, "rank".into(), String::new())
    );
    assert_eq!(
        figure("largest goods exports market"),
        (1.0, "rank".into(), String::new())
    );
    assert_eq!(
        figure("$140 billion"),
        (140e9, "USD".into(), "more than".into())
    );
    assert_eq!(
        figure("seven decades"),
        (7.0, "decades".into(), String::new())
    );
}

#[test]
fn everything_has_topics_and_traces_to_the_editorial_without_invented_details() {
    let catalog = seed_catalog();
    for entry in catalog.entries() {
        assert!(!entry.topics().is_empty(), "{} has no topics", entry.id());
    }
    let source = catalog.source("voa-2025-us-rok-strong").unwrap();
    assert_eq!(
        source.title,
        "U.S. Relations With South Korea Remain Strong"
    );
    assert_eq!(
        source.url.as_deref(),
        Some(
            "https://editorials.voa.gov/a/u-s-relations-with-south-korea-remain-strong/7927513.html"
        )
    );
    // The article does not give the day it was published.
    assert_eq!(
        source.published.map(|d| d.to_string()).as_deref(),
        Some("2025-01")
    );
    assert!(catalog.quotes().iter().all(|q| q.source == source.id));
}

#[test]
fn quotes_about_the_figures_link_to_them() {
    let catalog = seed_catalog();
    let related = catalog.related_facts("blinken-russia-space-technology");
    assert!(
        related
            .iter()
            .any(|f| f.id == "dprk-casualties-ukraine-december-2024")
    );
    let related = catalog.related_facts("blinken-shared-democratic-values");
    assert!(related.iter().any(|f| f.id == "rok-investment-140bn"));
}
