//! Every kind of data error is reported at its exact line and column, all at once.

use crate::support::{
    FACTS, QUOTES, SOURCES, SPEAKERS, parse, parse_with_extras, parse_with_topics,
};

/// Which file a case replaces.
#[derive(Clone, Copy)]
enum File {
    Speakers,
    Sources,
    Quotes,
    Facts,
}

fn errors_for(file: File, text: &str) -> Vec<String> {
    let mut files = [SPEAKERS, SOURCES, QUOTES, FACTS];
    files[file as usize] = text;
    match parse(files[0], files[1], files[2], files[3]) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_minimal_files_are_valid() {
    let catalog = parse(SPEAKERS, SOURCES, QUOTES, FACTS).expect("valid");
    assert_eq!(catalog.quotes().len(), 1);
    assert_eq!(catalog.facts().len(), 1);
}

#[test]
fn each_error_kind_is_reported_at_its_position() {
    use File::*;
    let q = "[[quote]]\nid = \"q\"\ntext = \"x\"\nspeaker = \"s\"\nsource = \"src\"\n";
    let cases: &[(&str, File, String, &str)] = &[
        (
            "unknown key",
            Quotes,
            format!("{q}speakr = \"s\"\n"),
            "quotes.toml:6:1: unknown key `speakr` in [[quote]] (did you mean `speaker`?)",
        ),
        (
            "missing required field",
            Quotes,
            "[[quote]]\nid = \"q\"\nspeaker = \"s\"\nsource = \"src\"\n".into(),
            "quotes.toml:1:1: [[quote]] is missing required field `text`",
        ),
        (
            "empty text",
            Quotes,
            q.replace("\"x\"", "\"   \""),
            "quotes.toml:3:8: `text` must not be empty",
        ),
        (
            "duplicate id across files",
            Facts,
            FACTS.replace("\"f\"", "\"q\""),
            "facts.toml:2:6: duplicate id `q`: already used by a quote at quotes.toml:2",
        ),
        (
            "dangling speaker",
            Quotes,
            q.replace("\"s\"", "\"nobody\""),
            "quotes.toml:4:11: `speaker` refers to unknown speaker `nobody`",
        ),
        (
            "dangling source",
            Facts,
            FACTS.replace("\"src\"", "\"gone\""),
            "facts.toml:4:10: `source` refers to unknown source `gone`",
        ),
        (
            "dangling related",
            Quotes,
            format!("{q}related = [\"no-such-fact\"]\n"),
            "quotes.toml:6:12: `related` refers to unknown fact `no-such-fact`",
        ),
        (
            "related of the wrong kind",
            Quotes,
            format!("{q}related = [\"s\"]\n"),
            "quotes.toml:6:12: `related` refers to `s`, which is a speaker, not a fact",
        ),
        (
            "bad id slug",
            Speakers,
            SPEAKERS.replace("\"s\"", "\"Bad_Id\""),
            "speakers.toml:2:6: invalid id \"Bad_Id\"",
        ),
        (
            "bad date",
            Quotes,
            format!("{q}date = \"2025-02-30\"\n"),
            "quotes.toml:6:8: `date`: invalid date \"2025-02-30\": February 2025 has 28 days",
        ),
        (
            "date in another format",
            Sources,
            format!("{SOURCES}published = \"Jan 2025\"\n"),
            "sources.toml:4:13: `published`: invalid date \"Jan 2025\"",
        ),
        (
            "non-http url",
            Sources,
            format!("{SOURCES}url = \"ftp://example.org/x\"\n"),
            "sources.toml:4:7: `url` must be an http:// or https:// address",
        ),
        (
            "url a URL parser refuses",
            Sources,
            format!("{SOURCES}url = \"https://[/x)\"\n"),
            "sources.toml:4:7: `url` must be an http:// or https:// address, found \"https://[/x)\"",
        ),
        (
            "url without its slashes",
            Sources,
            format!("{SOURCES}url = \"https:example.org\"\n"),
            "sources.toml:4:7: `url` must be an http:// or https:// address, found \"https:example.org\"",
        ),
        (
            "url with a bad port",
            Sources,
            format!("{SOURCES}url = \"https://example.org:99999/\"\n"),
            "sources.toml:4:7: `url` must be an http:// or https:// address",
        ),
        (
            "year 0000",
            Quotes,
            format!("{q}date = \"0000\"\n"),
            "quotes.toml:6:8: `date`: invalid date \"0000\": there is no year 0000 (years start at 0001)",
        ),
        (
            "malformed toml",
            Quotes,
            "[[quote]\nid = \"q\"\n".into(),
            "quotes.toml:1:9: malformed TOML: unclosed array table",
        ),
        (
            "wrong type",
            Quotes,
            q.replace("\"x\"", "5"),
            "quotes.toml:3:8: `text` must be a string, found an integer",
        ),
        (
            "unknown quote kind",
            Quotes,
            format!("{q}kind = \"summary\"\n"),
            "quotes.toml:6:8: `kind` must be \"verbatim\" or \"paraphrase\"",
        ),
        (
            "unknown figure key",
            Facts,
            format!("{FACTS}figure = {{ value = 1, units = \"USD\" }}\n"),
            "facts.toml:5:23: unknown key `units` in `figure` (did you mean `unit`?)",
        ),
        (
            "figure without value",
            Facts,
            format!("{FACTS}figure = {{ unit = \"USD\" }}\n"),
            "facts.toml:5:10: `figure` is missing required field `value`",
        ),
        (
            "bad topic",
            Facts,
            format!("{FACTS}topics = [\"Trade Investment\"]\n"),
            "facts.toml:5:11: invalid topic \"Trade Investment\"",
        ),
        (
            "single table instead of array",
            Speakers,
            "[speaker]\nid = \"s\"\nname = \"S\"\n".into(),
            "speakers.toml:1:1: `speaker` must be written as [[speaker]] tables",
        ),
        (
            "stray top-level key",
            Sources,
            format!("version = 2\n{SOURCES}"),
            "sources.toml:1:1: unknown key `version`: this file holds only [[source]] tables",
        ),
    ];
    for (name, file, text, want) in cases {
        let errors = errors_for(*file, text);
        assert!(
            errors.iter().any(|e| e.starts_with(want)),
            "{name}: expected an error starting with\n  {want}\ngot\n  {errors:#?}"
        );
    }
}

#[test]
fn all_problems_are_reported_at_once_in_file_order() {
    let quotes =
        "[[quote]]\nid = \"Q1\"\ntext = \"\"\nspeaker = \"nobody\"\nsource = \"src\"\ncolour = 1\n";
    let facts = "[[fact]]\nid = \"f\"\ntext = \"y\"\nsource = \"src\"\nas_of = \"2025-13\"\n";
    let errors = parse(SPEAKERS, SOURCES, quotes, facts).unwrap_err();
    let found: Vec<(String, usize)> = errors.iter().map(|e| (e.path.clone(), e.line)).collect();
    assert_eq!(
        found,
        vec![
            ("quotes.toml".to_string(), 2),
            ("quotes.toml".to_string(), 3),
            ("quotes.toml".to_string(), 4),
            ("quotes.toml".to_string(), 6),
            ("facts.toml".to_string(), 5),
        ],
        "{errors:#?}"
    );
}

#[test]
fn an_unparsable_file_is_reported_once_without_a_cascade_of_unknown_references_into_it() {
    // Quotes that name the speaker and source, and facts related to the quote, while the
    // speakers, sources or quotes file cannot be parsed.
    let quotes_with_related = "[[quote]]\nid = \"q\"\ntext = \"x\"\nspeaker = \"s\"\nsource = \"src\"\nrelated = [\"f\"]\n";
    let facts_with_related =
        "[[fact]]\nid = \"f\"\ntext = \"y\"\nsource = \"src\"\nrelated = [\"q\"]\n";
    for broken in 0..4 {
        let mut files = [SPEAKERS, SOURCES, quotes_with_related, facts_with_related];
        files[broken] = "[[oops]\n";
        let errors = parse(files[0], files[1], files[2], files[3]).unwrap_err();
        assert_eq!(errors.len(), 1, "file {broken}: {errors:#?}");
        assert!(
            errors[0].message.starts_with("malformed TOML"),
            "{errors:?}"
        );
    }
    // References to ids that exist nowhere are still reported when another file is broken.
    let errors = parse(
        "[[oops]\n",
        SOURCES,
        &QUOTES.replace("\"src\"", "\"no-such-source\""),
        FACTS,
    )
    .unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("unknown source `no-such-source`")),
        "{errors:#?}"
    );
}

#[test]
fn malformed_files_do_not_hide_errors_in_other_files() {
    let errors = parse("[[speaker]\n", SOURCES, QUOTES, "[[fact]]\nid = \"f\"\n").unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.path == "speakers.toml" && e.message.starts_with("malformed"))
    );
    assert!(
        errors
            .iter()
            .any(|e| e.path == "facts.toml" && e.message.contains("`text`"))
    );
}

#[test]
fn arbitrary_bytes_never_panic_the_parser() {
    use proptest::prelude::*;
    proptest!(ProptestConfig::with_cases(200), |(text in "\\PC{0,200}", file in 0usize..4)| {
        let mut files = [SPEAKERS, SOURCES, QUOTES, FACTS];
        files[file] = &text;
        let _ = parse(files[0], files[1], files[2], files[3]);
    });
}

#[test]
fn large_files_are_read_in_slices_with_exact_positions_and_multiline_strings_intact() {
    // Enough tables for several slices, a multi-line string holding a line that looks like a
    // table header, and errors near the end.
    let mut quotes = String::new();
    for n in 0..4_500 {
        quotes.push_str(&format!(
            "[[quote]]\nid = \"q{n}\"\ntext = \"words {n}\"\nspeaker = \"s\"\nsource = \"src\"\n\n"
        ));
    }
    quotes.push_str("[[quote]]\nid = \"multi\"\ntext = \"\"\"\nline one\n[[quote]]\nline three\"\"\"\nspeaker = \"s\"\nsource = \"src\"\n\n");
    let line_of_bad = quotes.lines().count() + 4;
    quotes.push_str(
        "[[quote]]\nid = \"bad\"\ntext = \"x\"\nspeaker = \"ghost\"\nsource = \"src\"\nextra = 1\n",
    );
    let errors = parse(SPEAKERS, SOURCES, &quotes, FACTS).unwrap_err();
    let found: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with(&format!(
            "quotes.toml:{line_of_bad}:11: `speaker` refers to unknown speaker `ghost`"
        )),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with(&format!(
            "quotes.toml:{}:1: unknown key `extra`",
            line_of_bad + 2
        )),
        "{found:#?}"
    );

    let valid = quotes[..quotes.rfind("[[quote]]\nid = \"bad\"").unwrap()].to_string();
    let catalog = parse(SPEAKERS, SOURCES, &valid, FACTS).expect("valid");
    assert_eq!(catalog.quotes().len(), 4_501);
    assert_eq!(
        catalog.quote("multi").unwrap().text,
        "line one\n[[quote]]\nline three"
    );
    assert_eq!(catalog.quote("q4499").unwrap().text, "words 4499");
}

#[test]
fn a_name_title_or_text_of_only_invisible_characters_is_reported_as_blank() {
    let speakers =
        "[[speaker]]\nid = \"s\"\nname = \"\\u200B\\u2060\\u202E\"\naliases = [\"\\uFEFF\"]\n";
    let errors = errors_for(File::Speakers, speakers);
    assert_eq!(
        errors,
        [
            "speakers.toml:3:8: `name` must not be blank: it holds only invisible characters",
            "speakers.toml:4:12: `aliases` must not hold a string of only invisible characters",
        ],
    );
    let quotes = QUOTES.replace("\"x\"", "\"\\u200D \\u3164\"");
    let errors = errors_for(File::Quotes, &quotes);
    assert_eq!(
        errors,
        ["quotes.toml:3:8: `text` must not be blank: it holds only invisible characters"],
    );
    // Zero-width characters in an id or a topic are named as what makes it invalid.
    let quotes = QUOTES.replace("id = \"q\"", "id = \"q\\u200B\"");
    let errors = errors_for(File::Quotes, &quotes);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("quotes.toml:2:6: "), "{errors:?}");
}

/// Asserts, for each (case name, file text, message start), that `errors_of` the text include
/// an error starting with that message.
fn assert_each_error(cases: &[(&str, String, &str)], errors_of: impl Fn(&str) -> Vec<String>) {
    for (name, text, want) in cases {
        let errors = errors_of(text);
        assert!(
            errors.iter().any(|e| e.starts_with(want)),
            "{name}: expected an error starting with\n  {want}\ngot\n  {errors:#?}"
        );
    }
}

fn errors_with_topics(file: Option<File>, text: &str, topics: Option<&str>) -> Vec<String> {
    let mut files = [SPEAKERS, SOURCES, QUOTES, FACTS];
    if let Some(file) = file {
        files[file as usize] = text;
    }
    match parse_with_topics(files, topics) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

/// The provenance keys of contract §4.1, each checked by its shape with its exact position.
#[test]
fn each_provenance_error_is_reported_at_its_position() {
    use File::*;
    let q = QUOTES;
    let s = SPEAKERS;
    let src = SOURCES;
    let cases: &[(&str, File, String, &str)] = &[
        (
            "a role that ends before it starts",
            Speakers,
            format!(
                "{s}roles = [{{ title = \"Senator\", from = \"2021-01-26\", until = \"2020\" }}]\n"
            ),
            "speakers.toml:4:60: `until` (2020) is before `from` (2021-01-26): a role cannot end before it starts",
        ),
        (
            "a role without a start",
            Speakers,
            format!("{s}roles = [{{ title = \"Senator\" }}]\n"),
            "speakers.toml:4:10: an entry of `roles` is missing required field `from`",
        ),
        (
            "an unknown key inside a role",
            Speakers,
            format!("{s}roles = [{{ title = \"Senator\", from = \"2021\", untill = \"2022\" }}]\n"),
            "speakers.toml:4:46: unknown key `untill` in an entry of `roles` (did you mean `until`?)",
        ),
        (
            "a bad date inside a role",
            Speakers,
            format!("{s}roles = [{{ title = \"Senator\", from = \"2021-02-30\" }}]\n"),
            "speakers.toml:4:38: `from`: invalid date \"2021-02-30\"",
        ),
        (
            "roles that are not tables",
            Speakers,
            format!("{s}roles = [\"Senator\"]\n"),
            "speakers.toml:4:10: `roles` must hold only inline tables",
        ),
        (
            "a wikidata id without its Q",
            Speakers,
            format!("{s}wikidata = \"123\"\n"),
            "speakers.toml:4:12: `wikidata` must be a Wikidata item id: `Q` and digits",
        ),
        (
            "a non-http archive url",
            Sources,
            format!("{src}archive_url = \"ftp://archive.example/x\"\n"),
            "sources.toml:4:15: `archive_url` must be an http:// or https:// address",
        ),
        (
            "a bad accessed date",
            Sources,
            format!("{src}accessed = \"2025-1-8\"\n"),
            "sources.toml:4:12: `accessed`: invalid date \"2025-1-8\"",
        ),
        (
            "a language that is not a tag",
            Sources,
            format!("{src}language = \"english\"\n"),
            "sources.toml:4:12: `language` must be a BCP 47 language tag",
        ),
        (
            "a malformed language tag",
            Quotes,
            format!("{q}language = \"en--us\"\n"),
            "quotes.toml:6:12: `language` must be a BCP 47 language tag",
        ),
        (
            "an appearance in an unknown source",
            Quotes,
            format!("{q}appearances = [{{ source = \"nowhere\", locator = \"p. 2\" }}]\n"),
            "quotes.toml:6:27: `source` refers to unknown source `nowhere`",
        ),
        (
            "an appearance in a speaker",
            Facts,
            format!("{FACTS}appearances = [{{ source = \"s\" }}]\n"),
            "facts.toml:5:27: `source` refers to `s`, which is a speaker, not a source",
        ),
        (
            "an unknown key inside an appearance",
            Quotes,
            format!("{q}appearances = [{{ source = \"src\", page = \"2\" }}]\n"),
            "quotes.toml:6:34: unknown key `page` in an entry of `appearances`",
        ),
        (
            "a translation in an unknown source",
            Quotes,
            format!(
                "{q}translations = [{{ language = \"ko\", text = \"말\", source = \"gone\" }}]\n"
            ),
            "quotes.toml:6:57: `source` refers to unknown source `gone`",
        ),
        (
            "a translation without its text",
            Facts,
            format!("{FACTS}translations = [{{ language = \"ko\", source = \"src\" }}]\n"),
            "facts.toml:5:17: an entry of `translations` is missing required field `text`",
        ),
        (
            "a translation in no language",
            Quotes,
            format!(
                "{q}translations = [{{ language = \"korean\", text = \"말\", source = \"src\" }}]\n"
            ),
            "quotes.toml:6:30: `language` must be a BCP 47 language tag",
        ),
        (
            "an unknown status",
            Quotes,
            format!("{q}status = \"fake\"\n"),
            "quotes.toml:6:10: `status` must be \"sourced\" or \"verified\" or \"disputed\" or \"misattributed\", found \"fake\"",
        ),
        (
            "misattributed without a note",
            Quotes,
            format!("{q}status = \"misattributed\"\n"),
            "quotes.toml:6:10: `status = \"misattributed\"` needs a `status_note` saying why",
        ),
        (
            "disputed without a note",
            Facts,
            format!("{FACTS}status = \"disputed\"\n"),
            "facts.toml:5:10: `status = \"disputed\"` needs a `status_note` saying why",
        ),
        (
            "evidence that is not a source",
            Quotes,
            format!("{q}status = \"verified\"\nevidence = [\"q\"]\n"),
            "quotes.toml:7:13: `evidence` refers to `q`, which is a quote, not a source",
        ),
        (
            "an empty locator",
            Quotes,
            format!("{q}locator = \" \"\n"),
            "quotes.toml:6:11: `locator` must not be empty",
        ),
    ];
    for (name, file, text, want) in cases {
        let errors = errors_for(*file, text);
        assert!(
            errors.iter().any(|e| e.starts_with(want)),
            "{name}: expected an error starting with\n  {want}\ngot\n  {errors:#?}"
        );
    }
}

#[test]
fn every_provenance_key_written_well_is_read_into_the_record() {
    let speakers = format!(
        "{SPEAKERS}roles = [\n  {{ title = \"Senator\", from = \"2013\", until = \"2021-01-20\" }},\n  {{ title = \"Secretary\", from = \"2021-01-26\" }},\n]\nwikidata = \"Q123\"\n"
    );
    let sources = format!(
        "{SOURCES}archive_url = \"https://web.archive.org/web/2025/https://example.org/\"\naccessed = \"2025-01-08\"\nlanguage = \"en\"\n\n[[source]]\nid = \"ko-src\"\ntitle = \"번역\"\nlanguage = \"ko\"\n"
    );
    let quotes = format!(
        "{QUOTES}locator = \"para. 4\"\nappearances = [{{ source = \"ko-src\", locator = \"00:12:31\", date = \"2025-01-06\" }}]\nstatus = \"misattributed\"\nstatus_note = \"Said by someone else.\"\nevidence = [\"ko-src\"]\nlanguage = \"en-US\"\ntranslations = [{{ language = \"ko\", text = \"말\", source = \"ko-src\" }}]\n"
    );
    let catalog = parse(&speakers, &sources, &quotes, FACTS).expect("valid");
    let speaker = catalog.speaker("s").unwrap();
    assert_eq!(speaker.roles.len(), 2);
    assert_eq!(speaker.roles[1].until, None);
    assert_eq!(speaker.wikidata.as_deref(), Some("Q123"));
    let source = catalog.source("src").unwrap();
    assert_eq!(source.accessed.unwrap().to_string(), "2025-01-08");
    assert_eq!(source.language.as_deref(), Some("en"));
    let quote = catalog.quote("q").unwrap();
    let p = &quote.provenance;
    assert_eq!(p.locator.as_deref(), Some("para. 4"));
    assert_eq!(p.appearances[0].locator.as_deref(), Some("00:12:31"));
    assert_eq!(p.status.as_str(), "misattributed");
    assert_eq!(p.evidence, ["ko-src"]);
    assert_eq!(p.translations[0].text, "말");
}

#[test]
fn topics_toml_is_optional_and_a_topic_it_does_not_name_stays_valid() {
    let quotes = format!("{QUOTES}topics = [\"north-korea\", \"unnamed-topic\"]\n");
    let without = parse(SPEAKERS, SOURCES, &quotes, FACTS).expect("valid without topics.toml");
    assert!(without.topics().is_empty());
    assert_eq!(without.topic_name("north-korea"), "north-korea");
    let topics = "[[topic]]\nid = \"north-korea\"\nname = \"North Korea\"\naliases = [\"DPRK\"]\ndescription = \"The DPRK.\"\n";
    let with = parse_with_topics([SPEAKERS, SOURCES, &quotes, FACTS], Some(topics))
        .expect("valid with topics.toml");
    assert_eq!(with.topic_name("north-korea"), "North Korea");
    assert_eq!(with.topic_name("unnamed-topic"), "unnamed-topic");
    assert_eq!(with.topic("north-korea").unwrap().aliases, ["DPRK"]);
}

#[test]
fn each_topics_toml_error_is_reported_at_its_position() {
    let t = "[[topic]]\nid = \"north-korea\"\nname = \"North Korea\"\n";
    let cases: &[(&str, String, &str)] = &[
        (
            "unknown key",
            format!("{t}alias = [\"DPRK\"]\n"),
            "topics.toml:4:1: unknown key `alias` in [[topic]] (did you mean `aliases`?)",
        ),
        (
            "duplicate id",
            format!("{t}\n[[topic]]\nid = \"north-korea\"\nname = \"DPRK\"\n"),
            "topics.toml:6:6: duplicate topic id `north-korea`: already used by the topic at topics.toml:2",
        ),
        (
            "missing name",
            "[[topic]]\nid = \"north-korea\"\n".into(),
            "topics.toml:1:1: [[topic]] is missing required field `name`",
        ),
        (
            "bad id",
            "[[topic]]\nid = \"North Korea\"\nname = \"North Korea\"\n".into(),
            "topics.toml:2:6: invalid id \"North Korea\"",
        ),
        (
            "stray table",
            format!("{t}\n[[topics]]\nid = \"x\"\n"),
            "topics.toml:5:3: unknown key `topics`: this file holds only [[topic]] tables",
        ),
        ("malformed file", "[[topic]\n".into(), "topics.toml:1:"),
    ];
    assert_each_error(cases, |topics| errors_with_topics(None, "", Some(topics)));
}

#[test]
fn a_topic_may_share_its_slug_with_a_record_and_topics_toml_never_hides_other_errors() {
    let topics = "[[topic]]\nid = \"q\"\nname = \"Q\"\nbogus = 1\n";
    let errors = errors_with_topics(Some(File::Quotes), "[[quote]]\nid = \"q\"\n", Some(topics));
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("quotes.toml:1:1: [[quote]] is missing required field `text`")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("topics.toml:4:1: unknown key `bogus`")),
        "{errors:#?}"
    );
    assert!(
        !errors.iter().any(|e| e.contains("duplicate")),
        "{errors:#?}"
    );
}

#[test]
fn synonyms_toml_is_optional_and_each_of_its_errors_is_reported_at_its_position() {
    let files = [SPEAKERS, SOURCES, QUOTES, FACTS];
    let without = parse_with_extras(files, None, None).expect("valid without synonyms.toml");
    assert!(without.synonyms().is_empty());
    let good = "[[synonym]]\nid = \"troops\"\nwords = [\"troops\", \"forces\", \"soldiers\"]\n";
    let with = parse_with_extras(files, None, Some(good)).expect("valid with synonyms.toml");
    assert_eq!(with.synonyms()[0].words, ["troops", "forces", "soldiers"]);
    let g = "[[synonym]]\nid = \"troops\"\n";
    let cases: &[(&str, String, &str)] = &[
        (
            "a phrase",
            format!("{g}words = [\"troops\", \"armed forces\"]\n"),
            "synonyms.toml:3:20: `words` holds \"armed forces\": each entry must be a single word",
        ),
        (
            "a hyphenated word",
            format!("{g}words = [\"troops\", \"foot-soldiers\"]\n"),
            "synonyms.toml:3:20: `words` holds \"foot-soldiers\"",
        ),
        (
            "one word",
            format!("{g}words = [\"troops\"]\n"),
            "synonyms.toml:3:9: `words` must list at least two words that mean the same",
        ),
        (
            "a word twice",
            format!("{g}words = [\"troops\", \"forces\", \"Troops\"]\n"),
            "synonyms.toml:3:30: `words` lists \"Troops\" twice",
        ),
        (
            "no words",
            g.to_string(),
            "synonyms.toml:1:1: [[synonym]] is missing required field `words`",
        ),
        (
            "not a list",
            format!("{g}words = \"troops forces\"\n"),
            "synonyms.toml:3:9: ",
        ),
        (
            "only an apostrophe",
            format!("{g}words = [\"troops\", \"'\"]\n"),
            "synonyms.toml:3:20: `words` holds \"'\": each entry must be a single word",
        ),
        (
            "too many words",
            format!(
                "{g}words = [{}]\n",
                (0..21)
                    .map(|i| format!("\"w{i}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "synonyms.toml:3:9: `words` lists 21 words, more than the 20 a group may hold",
        ),
        (
            "a function word",
            format!("{g}words = [\"said\", \"told\", \"the\"]\n"),
            "synonyms.toml:3:26: `words` holds \"the\", a function word search does not look for",
        ),
        (
            "the same word written two ways",
            format!("{g}words = [\"café\", \"cafe\\u0301\"]\n"),
            "synonyms.toml:3:18: `words` lists \"cafe\\u{301}\" twice",
        ),
        (
            "a word search reads as two",
            format!("{g}words = [\"peace\", \"和平\"]\n"),
            "synonyms.toml:3:19: `words` holds \"和平\": search reads it as more than one word",
        ),
        (
            "duplicate id",
            format!("{good}\n[[synonym]]\nid = \"troops\"\nwords = [\"army\", \"military\"]\n"),
            "synonyms.toml:6:6: duplicate synonym group id `troops`",
        ),
        (
            "unknown key",
            format!("{good}word = \"x\"\n"),
            "synonyms.toml:4:1: unknown key `word` in [[synonym]] (did you mean `words`?)",
        ),
    ];
    assert_each_error(cases, |synonyms| {
        match parse_with_extras(files, None, Some(synonyms)) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    });
    // A value that is not a list is reported once, as what it should be.
    let errors =
        parse_with_extras(files, None, Some(&format!("{g}words = \"troops\"\n"))).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    // Accents written as separate marks (as macOS may paste them) are letters of the word.
    let decomposed = "[[synonym]]\nid = \"cafe\"\nwords = [\"cafe\\u0301\", \"coffeehouse\"]\n";
    parse_with_extras(files, None, Some(decomposed)).expect("a decomposed accent is a letter");
    // A group's id may be a record's or a topic's: synonym groups are a namespace of their own.
    let same_id = "[[synonym]]\nid = \"s\"\nwords = [\"speak\", \"state\"]\n";
    parse_with_extras(files, None, Some(same_id)).expect("a group may share a speaker's id");
}
