//! What the provenance keys show a reader: the role held on a quote's date, the locator, the
//! first further appearance, the archive copy, the status (a misattributed quote never shown
//! as the speaker's words), and the three citation formats.

use quotebot::core::catalog::Entry;
use quotebot::core::limits;
use quotebot::core::render;

use crate::support::parse;

const SPEAKERS: &str = "[[speaker]]\nid = \"s\"\nname = \"Sam Speaker\"\nrole = \"Official\"\nroles = [\n  { title = \"Senator\", from = \"2013\", until = \"2021-01-20\" },\n  { title = \"Secretary of State\", from = \"2021-01-26\", until = \"2025-01-20\" },\n]\n";
const SOURCES: &str = "[[source]]\nid = \"src\"\ntitle = \"Remarks in Seoul\"\noutlet = \"State Department\"\nurl = \"https://example.org/remarks\"\npublished = \"2025-01-06\"\narchive_url = \"https://web.archive.org/web/2025/https://example.org/remarks\"\naccessed = \"2025-01-08\"\nlanguage = \"en\"\n\n[[source]]\nid = \"wire\"\ntitle = \"Wire report\"\n\n[[source]]\nid = \"fact-check\"\ntitle = \"A fact check\"\n";

fn quote(extra: &str, date: &str) -> String {
    format!(
        "[[quote]]\nid = \"q\"\ntext = \"The alliance is ironclad.\"\nspeaker = \"s\"\nsource = \"src\"\ndate = \"{date}\"\n{extra}"
    )
}

fn card_of(quotes: &str) -> render::Card {
    let catalog = parse(SPEAKERS, SOURCES, quotes, "").expect("valid");
    let entry = catalog.entry("q").unwrap();
    assert!(matches!(entry, Entry::Quote(_)));
    render::card(&catalog, entry)
}

#[test]
fn a_quote_shows_the_role_held_on_its_date_and_the_fallback_role_otherwise() {
    let cases = [
        ("2015-06-01", "Sam Speaker, Senator"),
        ("2023", "Sam Speaker, Secretary of State"),
        ("2021-01-23", "Sam Speaker, Official"),
        ("2026-03", "Sam Speaker, Official"),
    ];
    for (date, heading) in cases {
        let card = card_of(&quote("", date));
        assert_eq!(card.heading, heading, "{date}");
        assert!(render::card_text(&card).contains(heading), "{date}");
    }
    // A year that spans both roles shows both, as the person held both offices in it.
    assert_eq!(
        card_of(&quote("", "2021")).heading,
        "Sam Speaker, Senator; Secretary of State"
    );
}

#[test]
fn the_card_shows_the_locator_the_first_appearance_and_links_the_archive_copy() {
    let card = card_of(&quote(
        "locator = \"para. 4\"\nappearances = [\n  { source = \"wire\", locator = \"p. 2\", date = \"2025-01-07\" },\n  { source = \"src\" },\n  { source = \"wire\" },\n]\n",
        "2024-05-05",
    ));
    let text = render::card_text(&card);
    assert!(text.contains("Where: para. 4"), "{text}");
    assert!(
        text.contains("Also in: Wire report, p. 2, 7 January 2025 (and 2 more)"),
        "{text}"
    );
    assert!(
        text.contains(
            "Archived copy: https://web.archive.org/web/2025/https://example.org/remarks"
        ),
        "{text}"
    );
    let embed = render::card_embed(&card, None);
    let source = embed.fields.iter().find(|f| f.name == "Source").unwrap();
    assert!(source.value.contains("para. 4"), "{}", source.value);
    assert!(
        source.value.contains(
            "[Archived copy](https://web.archive.org/web/2025/https://example.org/remarks)"
        ),
        "{}",
        source.value
    );
    assert!(
        embed
            .fields
            .iter()
            .any(|f| f.name == "Also in" && f.value.contains("(and 2 more)"))
    );
}

#[test]
fn a_misattributed_quote_is_never_presented_as_the_speakers_words() {
    let card = card_of(&quote(
        "status = \"misattributed\"\nstatus_note = \"First said by a novelist in 1990.\"\nevidence = [\"fact-check\"]\n",
        "2023",
    ));
    let text = render::card_text(&card);
    let embed = render::card_embed(&card, None);
    let citations = [
        render::citation(&card),
        render::citation_chicago(&card),
        render::citation_markdown(&card),
    ];
    for shown in [
        text.as_str(),
        embed.title.as_str(),
        &citations[0],
        &citations[2],
    ] {
        assert!(!shown.contains("— Sam Speaker"), "{shown}");
        assert!(
            !shown.contains("Sam Speaker, Secretary of State"),
            "{shown}"
        );
        assert!(shown.contains("Misattributed"), "{shown}");
    }
    assert!(text.contains("First said by a novelist in 1990."), "{text}");
    assert!(
        embed
            .description
            .starts_with("**Misattributed**: First said by a novelist")
    );
    assert!(
        citations[1].starts_with("Misattributed to Sam Speaker"),
        "{}",
        citations[1]
    );
    assert!(!citations[1].contains("quoted in"), "{}", citations[1]);
    // Disputed and verified are said too; sourced (the default) is not.
    let disputed = card_of(&quote(
        "status = \"disputed\"\nstatus_note = \"The transcript differs.\"\n",
        "2023",
    ));
    assert!(render::card_text(&disputed).contains("[Disputed] The transcript differs."));
    assert!(render::citation(&disputed).contains("[Disputed] (The transcript differs.)"));
    let sourced = card_of(&quote("", "2023"));
    assert!(!render::card_text(&sourced).contains("[Sourced]"));
}

#[test]
fn cite_offers_plain_chicago_and_markdown_with_the_archive_copy_and_accessed_date() {
    let card = card_of(&quote("locator = \"para. 4\"\n", "2023-03-01"));
    assert_eq!(
        render::citation(&card),
        "“The alliance is ironclad.” — Sam Speaker, Secretary of State, 1 March 2023. Remarks in Seoul, State Department, 6 January 2025, para. 4. https://example.org/remarks Archived: https://web.archive.org/web/2025/https://example.org/remarks (accessed 8 January 2025)"
    );
    assert_eq!(
        render::citation_chicago(&card),
        "Sam Speaker, quoted in “Remarks in Seoul,” State Department, January 6, 2025, para. 4, https://example.org/remarks, archived at https://web.archive.org/web/2025/https://example.org/remarks, accessed January 8, 2025."
    );
    assert_eq!(
        render::citation_markdown(&card),
        "“The alliance is ironclad.” — Sam Speaker, Secretary of State, 1 March 2023. [Remarks in Seoul](<https://example.org/remarks>) (State Department, 6 January 2025, para. 4, [archived](<https://web.archive.org/web/2025/https://example.org/remarks>), accessed 8 January 2025)"
    );
    let message = render::citations_message(&card);
    for label in ["**Plain text**", "**Chicago**", "**Markdown**"] {
        assert!(message.contains(label), "{message}");
    }
    assert_eq!(message.matches("```").count(), 6, "{message}");
    // However long the words, the three fit one message, each block closed.
    let long =
        card_of(&quote("", "2023").replace("The alliance is ironclad.", &"word ".repeat(2_000)));
    let message = render::citations_message(&long);
    assert!(
        message.chars().count() <= limits::CONTENT,
        "{}",
        message.chars().count()
    );
    assert_eq!(message.matches("```").count(), 6);
}
