//! Lookups end to end through the fake Discord: a quote's published translations on request
//! (found by their own words, shown privately with their language and source, escaped, never
//! pinging), `/topic` and its autocomplete by names and aliases in any script, and `/verify`'s
//! speaker autocomplete for a name typed in part or misspelled.

use serde_json::Value;

use crate::discord::{TOKEN, assert_no_pings, start_bot_with, stop};
use crate::fake_discord::{self as fake, FakeDiscord, OTHER_USER_ID};
use crate::support::parse_with_topics;

const SPEAKERS: &str = "[[speaker]]\nid = \"s\"\nname = \"Sam Speaker\"\nrole = \"Envoy\"\n\n[[speaker]]\nid = \"antony-blinken\"\nname = \"Antony Blinken\"\nrole = \"U.S. Secretary of State\"\naliases = [\"Secretary Blinken\"]\n\n[[speaker]]\nid = \"yoon\"\nname = \"윤석열\"\naliases = [\"Yoon Suk Yeol\"]\n";
const SOURCES: &str = "[[source]]\nid = \"src\"\ntitle = \"Remarks in Seoul\"\nurl = \"https://example.org/remarks\"\n\n[[source]]\nid = \"yonhap\"\ntitle = \"연합뉴스 *속보*\"\nurl = \"https://example.org/ko/remarks\"\n\n[[source]]\nid = \"plain\"\ntitle = \"A Plain Source\"\n";
const QUOTES: &str = "[[quote]]\nid = \"ironclad\"\ntext = \"The alliance is ironclad.\"\nspeaker = \"s\"\nsource = \"src\"\ntopics = [\"north-korea\", \"sanctions\"]\ntranslations = [\n  { language = \"ko\", text = \"동맹은 철통같습니다 @everyone <@123> **굳건**\", source = \"yonhap\" },\n  { language = \"ar\", text = \"التحالف متين.\", source = \"plain\" },\n]\n\n[[quote]]\nid = \"untranslated\"\ntext = \"Deterrence holds on the peninsula.\"\nspeaker = \"yoon\"\nsource = \"src\"\ntopics = [\"alliance\"]\n";
const TOPICS: &str = "[[topic]]\nid = \"north-korea\"\nname = \"North Korea\"\naliases = [\"DPRK\", \"북한\"]\n\n[[topic]]\nid = \"alliance\"\nname = \"한미 동맹\"\naliases = [\"U.S.-ROK alliance\"]\n";

fn catalog() -> quotebot::core::catalog::Catalog {
    parse_with_topics([SPEAKERS, SOURCES, QUOTES, ""], Some(TOPICS)).expect("valid")
}

fn choices(body: &Value) -> Vec<(String, String)> {
    assert_eq!(body["type"], 8, "an autocomplete answer: {body}");
    body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_translated_quote_is_found_by_its_korean_words_and_shows_its_translations_on_request() {
    let fake = FakeDiscord::start().await;
    let state = tempfile::tempdir().unwrap();
    let bot = start_bot_with(&fake, TOKEN, catalog(), state.path());
    fake.wait_ready().await;

    // The Korean translation's words find the quote, whose card offers its translations.
    let body = fake
        .interact(fake::slash_command(
            "quote",
            &[("query", "동맹은 철통같습니다")],
        ))
        .await;
    let embed = &body["data"]["embeds"][0];
    assert!(
        embed["footer"]["text"]
            .as_str()
            .unwrap()
            .starts_with("id: ironclad"),
        "{body}"
    );
    assert!(
        !body.to_string().contains("철통같습니다"),
        "translations are shown on request only: {body}"
    );
    let buttons = body["data"]["components"][0]["components"]
        .as_array()
        .unwrap();
    let translations = buttons
        .iter()
        .find(|b| b["label"] == "Translations")
        .unwrap_or_else(|| panic!("a Translations button: {body}"));
    let custom_id = translations["custom_id"].as_str().unwrap().to_string();
    assert_eq!(custom_id, "qb:translations:ironclad");

    // Anyone may ask; the answer is private, named by language, escaped, linked, no pings.
    let body = fake.interact(fake::button(&custom_id, OTHER_USER_ID)).await;
    assert_eq!(body["type"], 4, "{body}");
    assert_eq!(body["data"]["flags"], 64, "privately: {body}");
    assert_no_pings(&body);
    let embed = &body["data"]["embeds"][0];
    let fields = embed["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 2, "{embed}");
    assert_eq!(fields[0]["name"], "Korean (한국어) · ko");
    assert_eq!(
        fields[0]["value"],
        "동맹은 철통같습니다 @\u{200B}everyone \\<@\u{200B}123\\> \\*\\*굳건\\*\\*\n— [연합뉴스 \\*속보\\*](https://example.org/ko/remarks)"
    );
    assert_eq!(fields[1]["name"], "Arabic (العربية) · ar");
    assert_eq!(fields[1]["value"], "التحالف متين.\n— A Plain Source");

    // A quote with no translation offers no button.
    let body = fake
        .interact(fake::slash_command(
            "quote",
            &[("query", "deterrence holds on the peninsula")],
        ))
        .await;
    assert!(
        body["data"]["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap()
            .starts_with("id: untranslated"),
        "{body}"
    );
    assert!(!body.to_string().contains("qb:translations:"), "{body}");
    // A button for an entry that is gone (or forged) answers privately.
    let body = fake
        .interact(fake::button("qb:translations:no-such-entry", OTHER_USER_ID))
        .await;
    assert_eq!(body["data"]["flags"], 64);
    assert_eq!(
        body["data"]["content"],
        "That entry is no longer in the database."
    );
    stop(bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_autocomplete_matches_names_and_aliases_in_any_script_and_topic_shows_the_name() {
    let fake = FakeDiscord::start().await;
    let state = tempfile::tempdir().unwrap();
    let bot = start_bot_with(&fake, TOKEN, catalog(), state.path());
    fake.wait_ready().await;
    let offered = async |typed: &str| {
        choices(
            &fake
                .interact(fake::autocomplete("topic", "name", typed))
                .await,
        )
    };
    // (typed, what is offered, in order)
    let long = "ㄱ".repeat(50) + &"🙂".repeat(50);
    let cases: Vec<(&str, Vec<(String, String)>)> = vec![
        ("DPRK", vec![pair("North Korea", "north-korea")]),
        ("dprk", vec![pair("North Korea", "north-korea")]),
        ("north", vec![pair("North Korea", "north-korea")]),
        ("북한", vec![pair("North Korea", "north-korea")]),
        ("한미", vec![pair("한미 동맹", "alliance")]),
        ("rok alliance", vec![pair("한미 동맹", "alliance")]),
        // A slug topics.toml does not name is offered as itself.
        ("sanc", vec![pair("sanctions", "sanctions")]),
        (
            "",
            vec![
                pair("한미 동맹", "alliance"),
                pair("North Korea", "north-korea"),
                pair("sanctions", "sanctions"),
            ],
        ),
        (&long, vec![]),
        ("nothing-like-this", vec![]),
    ];
    for (typed, want) in cases {
        assert_eq!(offered(typed).await, want, "{typed:?}");
    }
    let hundred = "a".repeat(100);
    assert_eq!(offered(&hundred).await, vec![]);

    // /topic is headed by the name topics.toml gives, or by the slug it does not name.
    for (typed, title) in [
        ("DPRK", "Topic: North Korea"),
        ("north-korea", "Topic: North Korea"),
        ("북한", "Topic: North Korea"),
        ("sanctions", "Topic: sanctions"),
        ("alliance", "Topic: 한미 동맹"),
    ] {
        let body = fake
            .interact(fake::slash_command("topic", &[("name", typed)]))
            .await;
        assert_eq!(body["data"]["embeds"][0]["title"], title, "{typed}: {body}");
        assert_no_pings(&body);
    }
    stop(bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_offers_the_right_speaker_for_part_of_a_name_or_a_misspelled_one() {
    let fake = FakeDiscord::start().await;
    let state = tempfile::tempdir().unwrap();
    let bot = start_bot_with(&fake, TOKEN, catalog(), state.path());
    fake.wait_ready().await;
    let offered = async |typed: &str| {
        choices(
            &fake
                .interact(fake::autocomplete("verify", "speaker", typed))
                .await,
        )
    };
    // (typed, the speaker offered first)
    let cases = [
        ("Antony Blinken", "antony-blinken"),
        ("blink", "antony-blinken"),
        ("Secretary Blinken", "antony-blinken"),
        ("Blinkin", "antony-blinken"),
        ("Antny Blinkn", "antony-blinken"),
        ("sam", "s"),
        ("Sam Speakr", "s"),
        ("Yoon", "yoon"),
        ("Yoon Sukyeol", "yoon"),
        ("윤석열", "yoon"),
        ("윤석", "yoon"),
    ];
    for (typed, id) in cases {
        let found = offered(typed).await;
        assert_eq!(
            found.first().map(|(_, value)| value.as_str()),
            Some(id),
            "{typed:?}: {found:?}"
        );
    }
    assert_eq!(
        offered("blinkin").await.first(),
        Some(&pair(
            "Antony Blinken (U.S. Secretary of State)",
            "antony-blinken"
        )),
        "shown with the role"
    );
    assert!(offered("zzzzqqqq").await.is_empty());
    // Every speaker when nothing is typed yet.
    assert_eq!(offered("").await.len(), 3);
    stop(bot).await;
}
