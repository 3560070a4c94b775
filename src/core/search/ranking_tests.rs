//! Ranking rules, each on a small hand-built catalog where the rule alone decides the order.
//! Every test is named after the behaviour it protects.

use super::{Mode, Query, SearchIndex, search};
use crate::core::catalog::Catalog;
use crate::core::data::DataFiles;

/// A catalog of the given quotes (id, text) from one source, by Sam Speaker (with the extra
/// speaker keys) except those whose id starts with "filler", by Olga Other.
fn catalog(speaker_keys: &str, quotes: &[(&str, &str)], facts: &[(&str, &str)]) -> Catalog {
    catalog_with_topics(speaker_keys, quotes, facts, None)
}

fn catalog_with_topics(
    speaker_keys: &str,
    quotes: &[(&str, &str)],
    facts: &[(&str, &str)],
    topics: Option<(&str, &str)>,
) -> Catalog {
    catalog_with_extras(speaker_keys, quotes, facts, topics, "")
}

/// [`catalog_with_topics`] with a `synonyms.toml`.
fn catalog_with_extras(
    speaker_keys: &str,
    quotes: &[(&str, &str)],
    facts: &[(&str, &str)],
    topics: Option<(&str, &str)>,
    synonyms: &str,
) -> Catalog {
    let speakers = format!(
        "[[speaker]]\nid = \"s\"\nname = \"Sam Speaker\"\n{speaker_keys}\n\n[[speaker]]\nid = \"o\"\nname = \"Olga Other\"\n"
    );
    let mut quote_text = String::new();
    for (id, text) in quotes {
        let topic = topics.map_or(String::new(), |(slug, _)| {
            if id.starts_with("tagged") {
                format!("topics = [\"{slug}\"]\n")
            } else {
                String::new()
            }
        });
        let speaker = if id.starts_with("filler") { "o" } else { "s" };
        quote_text.push_str(&format!(
            "[[quote]]\nid = \"{id}\"\ntext = \"{text}\"\nspeaker = \"{speaker}\"\nsource = \"src\"\ndate = \"2024-06-01\"\n{topic}\n"
        ));
    }
    let mut fact_text = String::new();
    for (id, text) in facts {
        fact_text.push_str(&format!(
            "[[fact]]\nid = \"{id}\"\ntext = \"{text}\"\nsource = \"src\"\n\n"
        ));
    }
    let texts = [
        speakers,
        "[[source]]\nid = \"src\"\ntitle = \"Record\"\n".to_string(),
        quote_text,
        fact_text,
        topics.map_or(String::new(), |(_, text)| text.to_string()),
        synonyms.to_string(),
    ];
    DataFiles::named(&texts)
        .parse()
        .expect("the test catalog is valid")
}

/// The ids of the hits for `text`, best first.
fn ranked(catalog: &Catalog, text: &str, mode: Mode) -> Vec<String> {
    ranked_for(catalog, &typed(text, mode))
}

/// `text` asked in `mode`, for up to 25 hits, without filters.
fn typed(text: &str, mode: Mode) -> Query<'_> {
    Query {
        mode,
        ..Query::new(text, 25)
    }
}

/// The ids of the hits for `query` (filters and all), best first.
fn ranked_for(catalog: &Catalog, query: &Query<'_>) -> Vec<String> {
    let index = SearchIndex::build(catalog);
    search(&index, catalog, query)
        .hits
        .iter()
        .map(|h| h.entry(catalog).id().to_string())
        .collect()
}

/// Asserts that `want` is the first hit for `query`.
fn assert_first(catalog: &Catalog, query: &str, mode: Mode, want: &str) {
    assert_first_for(catalog, &typed(query, mode), want);
}

/// Asserts that `want` is the first hit for `query` (filters and all).
fn assert_first_for(catalog: &Catalog, query: &Query<'_>, want: &str) {
    let ids = ranked_for(catalog, query);
    assert_eq!(
        ids.first().map(String::as_str),
        Some(want),
        "{:?} ({:?}): {ids:?}",
        query.text,
        query.mode
    );
}

/// A long entry that continues "the United States comm…" late in its text.
const LONG_CONTINUATION: &str = "In the long and proud history of our two nations, through war \
     and peace and every hardship between, the United States committee on veterans met with our \
     friends again";

/// A catalog of generated quotes (id, text), as `catalog` makes it.
fn catalog_of(quotes: &[(String, String)]) -> Catalog {
    let quotes: Vec<(&str, &str)> = quotes
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    catalog("", &quotes, &[])
}

/// Asserts that every id of `first` ranks above every id of `then` (all must be found).
fn assert_before(ids: &[String], first: &[&str], then: &[&str], query: &str) {
    let rank = |id: &str| {
        ids.iter()
            .position(|x| x == id)
            .unwrap_or_else(|| panic!("{query:?}: {id} not found in {ids:?}"))
    };
    for a in first {
        for b in then {
            assert!(
                rank(a) < rank(b),
                "{query:?}: {a} should rank above {b}: {ids:?}"
            );
        }
    }
}

#[test]
fn a_completion_that_continues_the_typed_phrase_beats_words_found_apart() {
    let catalog = catalog(
        "",
        &[
            (
                "continues",
                "the United States commitment to defend our allies",
            ),
            (
                "continues-too",
                "Across the United States committees met in every town",
            ),
            (
                "apart",
                "The United States and its partners heard the committee",
            ),
            ("one-edit", "The United States come first in trade"),
            (
                "one-edit-apart",
                "The United States will come to the table with the committee",
            ),
            ("filler-1", "Our commitment to peace is firm"),
            ("filler-2", "A commitment was made and kept"),
            ("filler-3", "Commitment matters to every ally"),
        ],
        &[],
    );
    for mode in [Mode::Suggest] {
        for query in [
            "the United States comm",
            "united states comm",
            "the unitde states comm",
            "United States commi",
        ] {
            let ids = ranked(&catalog, query, mode);
            assert_before(
                &ids,
                &["continues", "continues-too"],
                &["apart", "one-edit", "one-edit-apart", "filler-1"],
                query,
            );
        }
    }
}

#[test]
fn a_continuation_is_found_among_many_entries_with_the_same_words_apart() {
    // Every word is shared: ranked by the words alone, the hundreds of short entries with
    // "united", "states" and "committee" apart fill every place the phrase check reads, and
    // the one long entry that continues the phrase is never looked at.
    let apart: Vec<(String, String)> = (0..600)
        .map(|i| {
            (
                format!("apart-{i}"),
                format!("States united, the committee and the states; united committee {i}"),
            )
        })
        .collect();
    let mut quotes = apart;
    quotes.push(("continues".into(), LONG_CONTINUATION.into()));
    let catalog = catalog_of(&quotes);
    for query in [
        "the United States comm",
        "united states committ",
        "the unitde states comm",
    ] {
        assert_first(&catalog, query, Mode::Suggest, "continues");
    }
}

#[test]
fn a_continuation_is_found_among_many_entries_with_the_same_words_in_order_but_apart() {
    // The words in the typed order, but with a word between them: no continuation, however
    // many such entries there are and however well the words alone rank them.
    let mut quotes: Vec<(String, String)> = (0..600)
        .map(|i| {
            (
                format!("apart-{i}"),
                format!("the United Nations States committee {i}"),
            )
        })
        .collect();
    quotes.push(("continues".into(), LONG_CONTINUATION.into()));
    let catalog = catalog_of(&quotes);
    for query in ["the United States comm", "united states committ"] {
        assert_first(&catalog, query, Mode::Suggest, "continues");
    }
}

#[test]
fn a_continuation_through_a_rare_completion_beyond_those_the_first_pass_weighs_is_found() {
    // "al" has more completions than the first pass weighs; the entry that continues "with
    // our al…" does so with the rarest of them, and an entry with "with our" and a common
    // completion apart must not pass it.
    let letters = |i: usize| -> String {
        let a = (b'a' + (i / 26) as u8) as char;
        let b = (b'a' + (i % 26) as u8) as char;
        format!("al{a}{b}")
    };
    let mut quotes: Vec<(String, String)> = (0..90)
        .map(|i| {
            (
                format!("filler-{i}"),
                format!(
                    "{} {} {} stands",
                    letters(i),
                    letters(i + 1),
                    letters(i + 2)
                ),
            )
        })
        .collect();
    quotes.push((
        "apart".into(),
        "with our friends we stand, alaa and alab".into(),
    ));
    quotes.push((
        "continues".into(),
        "they stand with our alzzz friends".into(),
    ));
    let catalog = catalog_of(&quotes);
    assert_first(&catalog, "with our al", Mode::Suggest, "continues");
}

#[test]
fn a_typo_in_a_short_or_common_word_is_read_where_the_words_around_it_confirm_it() {
    // "te", "nd", "fo" and "al" are one letter short of "the", "and", "for" and "all"; too
    // many words are an edit from them to believe one anywhere, but in the phrase typed the
    // neighbours decide.
    let catalog = catalog(
        "",
        &[
            (
                "phrase",
                "The prohibition of the importation and the cold facts of it all",
            ),
            (
                "apart",
                "Of the long prohibition: cold and hard, and all done for it",
            ),
            ("filler-1", "Prohibition ended; the war began cold"),
            ("filler-2", "For all the years of the war"),
        ],
        &[],
    );
    for (query, mode) in [
        ("te prohibition of", Mode::Search),
        ("te prohi", Mode::Suggest),
        ("nd the col", Mode::Suggest),
        ("of it al", Mode::Search),
    ] {
        assert_first(&catalog, query, mode, "phrase");
    }
}

#[test]
fn an_indexed_word_far_rarer_than_one_an_edit_away_is_read_as_its_typo() {
    // "teh" is in one entry, "the" in all of them: "teh" typed among other words is "the".
    // The other words are common too, so that the rare "teh" would decide alone.
    let mut quotes: Vec<(String, String)> = (0..300)
        .map(|i| {
            let text = format!("the matter {i} of the day: united, they stand up");
            (format!("filler-{i}"), text)
        })
        .collect();
    quotes.push((
        "typo-in-record".into(),
        "devolve on teh Engineer Department".into(),
    ));
    quotes.push((
        "meant".into(),
        "the procedure set up by the United Nations was rejected".into(),
    ));
    let catalog = catalog_of(&quotes);
    for (query, mode) in [
        ("up by teh United", Mode::Search),
        ("set up by teh Uni", Mode::Suggest),
    ] {
        assert_first(&catalog, query, mode, "meant");
    }
    // Alone, the word is what was typed: the entry that has it comes first.
    assert_first(&catalog, "teh", Mode::Search, "typo-in-record");
}

#[test]
fn an_exact_prefix_beats_an_edit_tolerant_one() {
    let catalog = catalog(
        "",
        &[
            ("prefix", "our commitment stands"),
            ("one-edit", "we come in peace"),
            ("defence", "the defence budget grew"),
            ("deafen", "they deafen the hall"),
        ],
        &[],
    );
    let cases = [
        ("comm", "prefix", "one-edit"),
        ("our comm", "prefix", "one-edit"),
        ("defen", "defence", "deafen"),
    ];
    for mode in [Mode::Suggest, Mode::Search] {
        for (query, first, then) in cases {
            let ids = ranked(&catalog, query, mode);
            assert_before(&ids, &[first], &[then], &format!("{query} ({mode:?})"));
        }
    }
}

#[test]
fn an_exact_word_beats_a_typo_corrected_one() {
    let catalog = catalog(
        "",
        &[
            ("exact", "strong, as ever, is our alliance"),
            ("typo", "a strung alliance"),
            ("filler-1", "a strong wind"),
            ("filler-2", "peace and prosperity"),
        ],
        &[],
    );
    for query in ["strong alliance", "alliance strong"] {
        let ids = ranked(&catalog, query, Mode::Search);
        assert_before(&ids, &["exact"], &["typo"], query);
    }
}

#[test]
fn words_typed_without_a_space_or_with_two_are_found_as_words() {
    let catalog = catalog(
        "",
        &[
            ("other", "the commitment of states and the united fronts"),
            (
                "phrase",
                "the United States commitment to defend our allies",
            ),
        ],
        &[],
    );
    for (query, mode) in [
        ("unitedstates commitment", Mode::Search),
        ("the unitedstates", Mode::Search),
        ("unitedstates", Mode::Search),
        ("united  states commitment", Mode::Search),
        ("the unitedsta", Mode::Suggest),
        ("unitedstates comm", Mode::Suggest),
    ] {
        assert_first(&catalog, query, mode, "phrase");
    }
}

#[test]
fn of_two_words_one_edit_from_a_typo_the_commoner_wins_not_the_rarer() {
    // "amricans" is one edit from "Americans" (in many entries) and from "Africans" (in one):
    // the rare guess must not outweigh the likely one because it is rare.
    let mut quotes: Vec<(String, String)> = (0..40)
        .map(|i| {
            let text = format!("Americans have earned {i} things and Americans know it");
            (format!("americans-{i}"), text)
        })
        .collect();
    quotes.push(("africans".into(), "Africans have become vocal".into()));
    let catalog = catalog_of(&quotes);
    for (query, mode) in [
        ("amricans have", Mode::Search),
        ("Amricans ha", Mode::Suggest),
    ] {
        let ids = ranked(&catalog, query, mode);
        let first = ids.first().map(String::as_str).unwrap_or_default();
        assert!(first.starts_with("americans-"), "{query:?}: {ids:?}");
    }
}

#[test]
fn words_run_together_are_read_as_two_even_when_one_edit_from_a_rarer_word() {
    // "isnot" is one edit from "snot" and "doall" from "doll", but "is not" and "do all" are
    // what the rest of the query and the record say.
    let catalog = catalog(
        "",
        &[
            (
                "phrase",
                "We should all agree the answer is not to defund the police",
            ),
            ("do-all", "We must do all these things"),
            (
                "rare",
                "An answer to the snot-nosed critics, not to the police",
            ),
            (
                "doll",
                "The little girl loves her doll and all these things",
            ),
        ],
        &[],
    );
    for (query, want) in [
        ("answer isnot to", "phrase"),
        ("the answer isnot to defund", "phrase"),
        ("doall these things", "do-all"),
    ] {
        assert_first(&catalog, query, Mode::Search, want);
    }
    // A word that is a typo of a far commoner word is not cut in two.
    assert_first(&catalog, "snot nosed", Mode::Search, "rare");
}

#[test]
fn a_speakers_role_finds_their_quotes() {
    // The role held on the quote's date (2024-06-01), else `role`.
    let secretary = catalog(
        "role = \"Senator\"\nroles = [{ title = \"Secretary of Defense\", from = \"2024-01-01\" }]",
        &[
            ("by-them", "the budget must grow"),
            ("filler-1", "defense of the realm"),
            ("filler-2", "the secret of the realm"),
            ("filler-3", "peace and prosperity"),
        ],
        &[],
    );
    for query in [
        "secretary of defense budget",
        "what did the defense secretary say",
        "secretary",
    ] {
        let ids = ranked(&secretary, query, Mode::Search);
        assert_eq!(ids.first().map(String::as_str), Some("by-them"), "{query}");
    }
    let admiral = catalog(
        "role = \"Rear Admiral\"",
        &[
            ("by-them", "a ship in port is safe"),
            ("filler-1", "an admiral of ships"),
        ],
        &[],
    );
    let ids = ranked(&admiral, "rear admiral port", Mode::Search);
    assert_eq!(ids.first().map(String::as_str), Some("by-them"));
}

#[test]
fn a_figure_matches_in_any_of_its_spellings() {
    let catalog = catalog(
        "",
        &[("decoy", "we found 140 reasons and a billion stars")],
        &[
            (
                "dollars-sign",
                "Korea committed more than $140 billion since 2021.",
            ),
            ("spelled", "Trade reached 140 billion dollars in goods."),
            ("abbreviated", "Exports hit 140bn in a single year."),
        ],
    );
    for query in [
        "$140 billion",
        "140 billion dollars",
        "140bn",
        "$140bn",
        "$140B",
        "140,000,000,000 dollars",
        "US$ 140 billion",
    ] {
        let ids = ranked(&catalog, query, Mode::Search);
        let rank = |id: &str| ids.iter().position(|x| x == id);
        for id in ["dollars-sign", "spelled", "abbreviated"] {
            assert!(
                rank(id).is_some_and(|r| rank("decoy").is_none_or(|d| r < d)),
                "{query}: {id} before the decoy: {ids:?}"
            );
        }
    }
}

#[test]
fn an_acronym_alias_from_topics_finds_the_topic() {
    let topics = "[[topic]]\nid = \"ncg\"\nname = \"Nuclear Consultative Group\"\naliases = [\"NCG\", \"N.C.G.\"]\n";
    let catalog = catalog_with_topics(
        "",
        &[
            ("tagged", "the group met in Seoul to coordinate"),
            ("other", "a consultative group met in Seoul"),
        ],
        &[],
        Some(("ncg", topics)),
    );
    for query in [
        "ncg seoul",
        "N.C.G. meeting",
        "nuclear consultative group seoul",
    ] {
        assert_first(&catalog, query, Mode::Search, "tagged");
    }
}

#[test]
fn an_acronym_from_topics_and_its_name_find_each_other_in_any_text() {
    // No record is filed under the topics: topics.toml only says that "DPRK" spells the
    // initials of "Democratic People's Republic of Korea" and "U.S." those of "United States".
    let topics = "[[topic]]\nid = \"north-korea\"\nname = \"North Korea\"\n\
                  aliases = [\"DPRK\", \"Democratic People's Republic of Korea\"]\n\n\
                  [[topic]]\nid = \"us\"\nname = \"United States\"\naliases = [\"U.S.\"]\n";
    let catalog = catalog_with_topics(
        "",
        &[
            (
                "spelled",
                "the Democratic People's Republic of Korea fired a missile",
            ),
            ("acronym", "The DPRK launched a satellite"),
            ("states", "the United States trade deficit grew"),
            ("pronoun", "let us trade and grow together"),
            ("filler", "a missile and a satellite were seen"),
        ],
        &[],
        Some(("unused", topics)),
    );
    for (query, want) in [
        ("dprk missile", "spelled"),
        ("democratic peoples republic of korea launched", "acronym"),
        ("U.S. trade deficit", "states"),
        ("US trade deficit", "states"),
    ] {
        assert_first(&catalog, query, Mode::Search, want);
    }
    // "us" written in small letters is the pronoun, not the United States.
    let ids = ranked(&catalog, "united states", Mode::Search);
    assert!(!ids.iter().any(|id| id == "pronoun"), "{ids:?}");
}

#[test]
fn a_typed_phrase_that_repeats_a_word_is_continued_by_the_entry_that_repeats_it() {
    // "r" begins more words than the first pass walks, the common ones first, so "rocket" is
    // no first-pass completion of it; it is one of the finished words, and the entry that
    // continues "little rocket man little r…" with it must still be read as continuing it.
    let fillers: Vec<(String, String)> = (0..100)
        .map(|i| {
            let word = |k: usize| {
                let k = (i + k) % 100;
                format!(
                    "r{}{}",
                    (b'a' + (k / 10) as u8) as char,
                    (b'a' + (k % 10) as u8) as char
                )
            };
            (
                format!("filler-{i}"),
                format!("{} {} {}", word(0), word(1), word(2)),
            )
        })
        .collect();
    let mut quotes = fillers;
    quotes.push(("continues".into(), "little rocket man little rocket".into()));
    quotes.push((
        "apart".into(),
        "a man with a rocket and a little raffish friend".into(),
    ));
    let catalog = catalog_of(&quotes);
    let ids = ranked(&catalog, "little rocket man little r", Mode::Suggest);
    assert_before(
        &ids,
        &["continues"],
        &["apart"],
        "little rocket man little r",
    );
}

#[test]
fn a_speaker_filter_keeps_the_continuation_by_that_speaker_among_many_by_others() {
    // Hundreds of entries by another speaker continue the phrase; the one by the speaker asked
    // for must not be crowded out of the phrase check by entries the filter then removes.
    let apart: Vec<(String, String)> = (0..300)
        .map(|i| {
            (
                format!("apart-{i}"),
                format!("States united, the committee and the states; united committee {i}"),
            )
        })
        .collect();
    let others: Vec<(String, String)> = (0..250)
        .map(|i| {
            (
                format!("filler-{i}"),
                format!("the United States committee met {i}"),
            )
        })
        .collect();
    let mut quotes = apart;
    quotes.extend(others);
    quotes.push(("continues".into(), LONG_CONTINUATION.into()));
    let catalog = catalog_of(&quotes);
    let query = Query {
        mode: Mode::Suggest,
        speaker: Some("s"),
        ..Query::new("the United States comm", 25)
    };
    assert_first_for(&catalog, &query, "continues");
}

#[test]
fn a_number_typed_in_words_finds_the_figure_written_in_digits_and_back() {
    let catalog = catalog(
        "",
        &[
            ("filler-troops", "Troops were sent north in the spring."),
            ("sent-1000", "More than 1000 troops were sent."),
            ("filler-days", "It took 7 days to cross."),
            ("seven-decades", "The alliance has stood for seven decades."),
            (
                "filler-spelled",
                "One hundred billion dollars over forty years.",
            ),
            (
                "investment",
                "Korea committed more than $140 billion since 2021.",
            ),
        ],
        &[],
    );
    assert_first(
        &catalog,
        "a thousand troops sent",
        Mode::Search,
        "sent-1000",
    );
    assert_first(&catalog, "7 decades", Mode::Search, "seven-decades");
    assert_first(
        &catalog,
        "one hundred forty billion dollars",
        Mode::Search,
        "investment",
    );
}

#[test]
fn a_word_finds_its_synonyms_below_itself_and_its_own_forms() {
    let synonyms = "[[synonym]]\nid = \"troops\"\nwords = [\"troops\", \"forces\"]\n\n\
                    [[synonym]]\nid = \"hopeful\"\nwords = [\"hopeful\", \"optimistic\"]\n";
    let catalog = catalog_with_extras(
        "",
        &[
            ("filler-convoy", "The convoy was sent north."),
            ("forces", "The forces were sent north."),
            ("troops", "The troop was sent north."),
            ("filler-future", "We look to the future of the alliance."),
            (
                "optimism",
                "I remain optimistic about the future of the alliance.",
            ),
        ],
        &[],
        None,
        synonyms,
    );
    // The word's own stem first, a synonym next, an entry without either last.
    assert_eq!(
        ranked(&catalog, "troops sent north", Mode::Search)[..3],
        ["troops", "forces", "filler-convoy"]
    );
    assert_first(
        &catalog,
        "hopeful about the future alliance",
        Mode::Search,
        "optimism",
    );
    // A word still being typed is completed, not read as its synonyms.
    assert_first(&catalog, "the forc", Mode::Suggest, "forces");
}

#[test]
fn every_word_side_by_side_in_another_order_beats_the_words_apart() {
    let catalog = catalog(
        "",
        &[
            (
                "filler-apart",
                "What did it cost the nation? A high of ten.",
            ),
            ("span", "Families suffer from the high cost of living."),
        ],
        &[],
    );
    assert_first(&catalog, "cost the high of", Mode::Search, "span");
    // In the query's own order, the phrase still comes first.
    let catalog = catalog_with_extras(
        "",
        &[
            (
                "filler-span",
                "Families suffer from the high cost of living.",
            ),
            ("phrase", "It would cost the high of heart their lives."),
        ],
        &[],
        None,
        "",
    );
    assert_first(&catalog, "cost the high of", Mode::Search, "phrase");
}

#[test]
fn the_last_word_of_a_search_stands_for_its_synonyms_and_digits_too() {
    let synonyms = "[[synonym]]\nid = \"hopeful\"\nwords = [\"hopeful\", \"optimistic\"]\n";
    let catalog = catalog_with_extras(
        "",
        &[
            ("filler-future", "We look to the future of the alliance."),
            ("optimism", "I remain optimistic about the future."),
            ("filler-troops", "Troops were sent in the spring."),
            ("thousand", "More than 1000 troops were sent."),
        ],
        &[],
        None,
        synonyms,
    );
    // `/quote` options arrive trimmed: the last word has no space after it.
    assert_first(&catalog, "hopeful", Mode::Search, "optimism");
    assert_first(&catalog, "future hopeful", Mode::Search, "optimism");
    assert_first(&catalog, "troops sent a thousand", Mode::Search, "thousand");
    assert_first(
        &catalog,
        "troops sent one thousand",
        Mode::Search,
        "thousand",
    );
}

#[test]
fn a_common_word_with_a_rare_synonym_still_finds_the_entries_holding_it() {
    // "years" is in more than a quarter of a corpus of over 2,000 entries (a word the first
    // pass may leave to re-ranking); its synonym "decades" is rare, yet in more entries than
    // the answer lists.
    let synonyms = "[[synonym]]\nid = \"years\"\nwords = [\"years\", \"decades\"]\n";
    let texts: Vec<(String, String)> = (0..8_400)
        .map(|i| {
            let text = if i % 3 == 0 {
                format!("Entry {i} spans many years.")
            } else if i % 100 == 1 {
                format!("Entry {i} spans decades.")
            } else {
                format!("Entry {i} is about something else.")
            };
            let id = if i % 3 == 0 {
                format!("years-{i}")
            } else {
                format!("filler-{i}")
            };
            (id, text)
        })
        .collect();
    let quotes: Vec<(&str, &str)> = texts
        .iter()
        .map(|(id, text)| (id.as_str(), text.as_str()))
        .collect();
    let catalog = catalog_with_extras("", &quotes, &[], None, synonyms);
    let ids = ranked(&catalog, "years", Mode::Search);
    assert!(
        ids.first().is_some_and(|id| id.starts_with("years-")),
        "{ids:?}"
    );
}

/// Words that make an entry long (about forty positions) without any query word but "and".
const LONG_FILLER: &str = "was one of many long and plain entries, written here to make the \
     text long enough: rivers, bridges, roads, farms, schools, ports, mills, mines, shops, \
     banks, courts, halls, parks, fields, lakes, hills and towns";

/// An entry that continues "and this year", a word longer than the fillers built on
/// [`LONG_FILLER`], so that the words alone rank it below them.
fn long_continuation_of_and_this_year() -> String {
    format!("And this year 4000 {LONG_FILLER}, and a good long day")
}

#[test]
fn a_phrase_of_everyday_words_is_found_through_the_rarer_word_being_typed() {
    // "and" and "this" are in every entry; only a thousand have a word beginning "ye", apart
    // from them, and one, the last, continues "and this ye…" (and is a little longer than
    // the rest, so the words alone rank it last). Checked by the finished words
    // alone, the phrase check reads the entries in turn and runs out of positions before the
    // last; walking the word being typed too leaves only the thousand and one to read.
    let mut quotes: Vec<(String, String)> = (0..3000)
        .map(|i| (format!("plain-{i}"), format!("And this {i} {LONG_FILLER}")))
        .collect();
    quotes.extend((0..1000).map(|i| {
        (
            format!("apart-{i}"),
            format!("And this {i} {LONG_FILLER}, and a good year"),
        )
    }));
    // As long as the others and a word longer, so the words alone rank it below all of them.
    quotes.push(("continues".into(), long_continuation_of_and_this_year()));
    let catalog = catalog_of(&quotes);
    assert_first(&catalog, "And this ye", Mode::Suggest, "continues");
    assert_first(&catalog, "and htis yea", Mode::Suggest, "continues");
}

#[test]
fn a_speaker_filter_narrows_the_phrase_check_before_it_chooses_what_to_read() {
    // Three thousand entries by Olga Other continue "and this ye…", more than the phrase
    // check can read; Sam Speaker has four hundred short entries with the words out of order
    // (the first pass's best) and one long one that continues the phrase. Filtered to Sam,
    // the phrase check must read Sam's entries only, or it spends its budget on Olga's and
    // never reaches the one that continues the phrase.
    let mut quotes: Vec<(String, String)> = (0..3000)
        .map(|i| {
            (
                format!("filler-{i}"),
                format!("And this year {i} {LONG_FILLER}"),
            )
        })
        .collect();
    quotes.extend((0..400).map(|i| (format!("apart-{i}"), format!("This {i} year and more"))));
    quotes.push(("continues".into(), long_continuation_of_and_this_year()));
    let catalog = catalog_of(&quotes);
    let query = Query {
        mode: Mode::Suggest,
        speaker: Some("s"),
        ..Query::new("And this ye", 25)
    };
    assert_first_for(&catalog, &query, "continues");
}
