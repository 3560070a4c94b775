//! Verifying circulating quotes against the bundled database (contract §4.2): a table of claims
//! covering every `match` and `attribution`, and the command line's JSON.

use std::path::Path;
use std::process::Command;

use quotebot::app::Snapshot;
use quotebot::core::verify::{Attribution, DiffOp, Match};

use crate::support::{repo_data, seed_catalog, workspace};

const ESSENTIAL: &str = "blinken-alliance-essential";
const RUSSIA: &str = "blinken-russia-space-technology";
const OPTIMISTIC: &str = "blinken-optimistic-future";
const LINCHPIN: &str = "blinken-alliance-linchpin";
const INVESTMENT: &str = "rok-investment-140bn";

/// A claim, the `--speaker` given with it, and the match, attribution and record it should get.
pub type Case<'a> = (
    &'a str,
    Option<&'a str>,
    Match,
    Attribution,
    Option<&'a str>,
);

/// Claims against the seed database covering every match and attribution but the record's
/// status (see [`a_disputed_or_misattributed_record_says_so_whoever_the_claim_names`]), with
/// their verdicts: (claim, --speaker, match, attribution, record).
pub fn seed_claims() -> Vec<Case<'static>> {
    vec![
        // The whole quote, curly quotes and a dash: exact, and the speaker confirmed.
        (
            "“I remain fully, strongly optimistic that the United States and South Korea will continue to go together into a future of our own making.” — Antony Blinken",
            None,
            Match::Exact,
            Attribution::Confirmed,
            Some(OPTIMISTIC),
        ),
        // Straight quotes, the speaker by an alias, as "Name said".
        (
            "Secretary Blinken said \"I remain fully, strongly optimistic that the United States and South Korea will continue to go together into a future of our own making\"",
            None,
            Match::Exact,
            Attribution::Confirmed,
            Some(OPTIMISTIC),
        ),
        // Curly and straight quotation marks mixed, and a hyphen before the name.
        (
            "“Today, the alliance between the United States and Korea remains more essential than ever in shaping our shared future.\" - Blinken",
            None,
            Match::Excerpt,
            Attribution::Confirmed,
            Some(ESSENTIAL),
        ),
        // The whole quote without its ellipsis and without the bracketed insertion: exact.
        (
            "Today, the alliance between the United States and Korea remains more essential than ever in shaping our shared future. And I believe it's also stronger than ever in taking on that task. We've enhanced our extended deterrence, the United States commitment to defend our allies with the full range of our conventional and nuclear capabilities, as well as our ability to coordinate and respond to DPRK aggression, including through the nuclear consultative group.",
            None,
            Match::Exact,
            Attribution::Unstated,
            Some(ESSENTIAL),
        ),
        // Across the record's ellipsis.
        (
            "We’ve enhanced our extended deterrence",
            None,
            Match::Excerpt,
            Attribution::Unstated,
            Some(ESSENTIAL),
        ),
        // Across a bracketed insertion, with and without its words.
        (
            "respond to DPRK Democratic People's Republic of Korea aggression, including through the nuclear consultative group",
            None,
            Match::Excerpt,
            Attribution::Unstated,
            Some(ESSENTIAL),
        ),
        (
            "respond to DPRK aggression, including through the nuclear consultative group",
            None,
            Match::Excerpt,
            Attribution::Unstated,
            Some(ESSENTIAL),
        ),
        (
            "Putin may be close to reversing a decades long policy by Russia",
            None,
            Match::Excerpt,
            Attribution::Unstated,
            Some(RUSSIA),
        ),
        (
            "Vladimir Putin may be close to reversing a decades-long policy by Russia",
            None,
            Match::Excerpt,
            Attribution::Unstated,
            Some(RUSSIA),
        ),
        // An ellipsis in the claim skips the record's words there.
        (
            "\"We’ve enhanced … our extended deterrence … as well as our ability to coordinate\"",
            None,
            Match::Excerpt,
            Attribution::Unstated,
            Some(ESSENTIAL),
        ),
        // One changed word: altered, not exact.
        (
            "\"the alliance between the United States and Korea remains more important than ever in shaping our shared future\" — Antony Blinken",
            None,
            Match::Altered,
            Attribution::Confirmed,
            Some(ESSENTIAL),
        ),
        // A changed number in a fact: altered.
        (
            "South Korea has become a leading investor in the United States, committing more than $14 billion since 2021",
            None,
            Match::Altered,
            Attribution::Unstated,
            Some(INVESTMENT),
        ),
        // The speaker swapped, in the text and by the option.
        (
            "“I remain fully, strongly optimistic that the United States and South Korea will continue to go together into a future of our own making.” — Cho Tae-yul",
            None,
            Match::Exact,
            Attribution::OtherSpeaker,
            Some(OPTIMISTIC),
        ),
        (
            "I remain fully, strongly optimistic that the United States and South Korea will continue to go together",
            Some("Kim Jong Un"),
            Match::Excerpt,
            Attribution::OtherSpeaker,
            Some(OPTIMISTIC),
        ),
        // The option wins over a name in the text.
        (
            "“I remain fully, strongly optimistic that the United States and South Korea will continue to go together” — Cho Tae-yul",
            Some("antony-blinken"),
            Match::Excerpt,
            Attribution::Confirmed,
            Some(OPTIMISTIC),
        ),
        // A fact is its source's statement: naming a person is someone else.
        (
            "Blinken: \"South Korea has become a leading investor in the United States\"",
            None,
            Match::Excerpt,
            Attribution::OtherSpeaker,
            Some(INVESTMENT),
        ),
        // Only a paraphrase is on record.
        (
            "“For seven decades, the U.S.-South Korea alliance has been the linchpin of peace, security, and prosperity in Northeast Asia” — Blinken",
            None,
            Match::Paraphrase,
            Attribution::Confirmed,
            Some(LINCHPIN),
        ),
        // Nothing close.
        (
            "The moon is made of green cheese, and the alliance is over",
            None,
            Match::None,
            Attribution::Unstated,
            None,
        ),
        (
            "“한미 동맹은 그 어느 때보다 중요하다” — 윤석열",
            None,
            Match::None,
            Attribution::Unstated,
            None,
        ),
        (
            "東京タワーは赤い",
            None,
            Match::None,
            Attribution::Unstated,
            None,
        ),
    ]
}

#[test]
fn claims_against_the_seed_database_get_the_verdict_a_reader_would_expect() {
    let snapshot = Snapshot::new(seed_catalog());
    for (claim, speaker, matched, attribution, record) in &seed_claims() {
        let verdict = snapshot.verify(claim, *speaker);
        assert_eq!(
            (
                verdict.matched,
                verdict.attribution,
                verdict.record.as_ref().map(|(_, id)| id.as_str())
            ),
            (*matched, *attribution, *record),
            "{claim}: {verdict:#?}"
        );
        if *matched == Match::None {
            assert!(verdict.diff.is_empty(), "{claim}");
            assert_eq!(verdict.similarity, 0.0);
        } else {
            assert!(verdict.similarity > 0.5, "{claim}: {}", verdict.similarity);
        }
        if matches!(matched, Match::Exact | Match::Excerpt) {
            assert_eq!(verdict.similarity, 1.0, "{claim}");
        }
    }
}

#[test]
fn an_altered_claim_shows_the_changed_word_or_number_in_its_diff() {
    let snapshot = Snapshot::new(seed_catalog());
    let verdict = snapshot.verify(
        "the alliance between the United States and Korea remains more important than ever",
        None,
    );
    assert_eq!(
        verdict.diff,
        [
            DiffOp::Same("the alliance between the United States and Korea remains more".into()),
            DiffOp::Changed {
                claim: "important".into(),
                record: "essential".into()
            },
            DiffOp::Same("than ever".into()),
        ]
    );
    let verdict = snapshot.verify(
        "committing more than $14 billion since 2021, from semiconductor plants in Michigan",
        None,
    );
    assert!(
        verdict.diff.contains(&DiffOp::Changed {
            claim: "$14".into(),
            record: "$140".into()
        }),
        "{:?}",
        verdict.diff
    );
    // Words dropped and added show as such.
    let verdict = snapshot.verify(
        "the alliance between the United States and Korea remains essential than ever, believe me",
        None,
    );
    assert_eq!(verdict.matched, Match::Altered);
    assert!(
        verdict.diff.contains(&DiffOp::Missing("more".into())),
        "{:?}",
        verdict.diff
    );
    assert!(
        verdict.diff.contains(&DiffOp::Added("believe me".into())),
        "{:?}",
        verdict.diff
    );
}

/// The seed database with two quotes the curators marked (one disputed, one misattributed)
/// and an archived copy of its source.
fn seed_with_marked_quotes() -> (tempfile::TempDir, Snapshot) {
    let (dir, data, _state) = workspace();
    let mut quotes = std::fs::read_to_string(data.join("quotes.toml")).unwrap();
    quotes.push_str(
        "\n[[quote]]\nid = \"blinken-ironclad-disputed\"\ntext = \"Our commitment to the Republic of Korea is ironclad and will never waver.\"\nspeaker = \"antony-blinken\"\nsource = \"voa-2025-us-rok-strong\"\nstatus = \"disputed\"\nstatus_note = \"The editorial does not carry these words; only a wire report does.\"\nevidence = [\"voa-2025-us-rok-strong\"]\n\
         \n[[quote]]\nid = \"blinken-peace-misattributed\"\ntext = \"Peace on the peninsula is worth every sacrifice we make together.\"\nspeaker = \"antony-blinken\"\nsource = \"voa-2025-us-rok-strong\"\nstatus = \"misattributed\"\nstatus_note = \"Said by another official at the same event.\"\n",
    );
    std::fs::write(data.join("quotes.toml"), quotes).unwrap();
    let sources = std::fs::read_to_string(data.join("sources.toml")).unwrap().replace(
        "published = \"2025-01\"",
        "published = \"2025-01\"\narchive_url = \"https://web.archive.org/web/2025/voa-editorial\"",
    );
    std::fs::write(data.join("sources.toml"), sources).unwrap();
    let catalog = quotebot::store::load_catalog(&data).expect("valid data");
    (dir, Snapshot::new(catalog))
}

#[test]
fn a_disputed_or_misattributed_record_says_so_whoever_the_claim_names() {
    let (_dir, snapshot) = seed_with_marked_quotes();
    for (claim, speaker, matched, attribution, note) in [
        (
            "“Our commitment to the Republic of Korea is ironclad and will never waver” — Antony Blinken",
            None,
            Match::Exact,
            Attribution::Disputed,
            "only a wire report does",
        ),
        (
            "our commitment to the Republic of Korea is ironclad",
            Some("Kim Jong Un"),
            Match::Excerpt,
            Attribution::Disputed,
            "Evidence: U.S. Relations With South Korea Remain Strong",
        ),
        (
            "Blinken said “Peace on the peninsula is worth every sacrifice we make together”",
            None,
            Match::Exact,
            Attribution::Misattributed,
            "Said by another official at the same event.",
        ),
        (
            "Peace on the peninsula is worth every sacrifice",
            None,
            Match::Excerpt,
            Attribution::Misattributed,
            "The record marks this misattributed",
        ),
    ] {
        let verdict = snapshot.verify(claim, speaker);
        assert_eq!(
            (verdict.matched, verdict.attribution),
            (matched, attribution),
            "{claim}"
        );
        let text = quotebot::core::render::verdict_text(&snapshot.catalog, &verdict);
        assert!(text.contains(note), "{text}");
        assert!(
            text.contains("Archived copy: https://web.archive.org/web/2025/voa-editorial"),
            "{text}"
        );
    }
}

fn quotebot(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_quotebot"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .arg("--data")
        .arg(repo_data())
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Checks a verdict object has exactly the contract's keys, each of its type.
fn assert_verdict_shape(value: &serde_json::Value) {
    let object = value.as_object().expect("an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "attribution",
            "claim",
            "diff",
            "match",
            "note",
            "record",
            "similarity",
            "took_us"
        ],
        "{value}"
    );
    assert!(value["claim"].is_string() && value["note"].is_string());
    assert!(
        ["exact", "excerpt", "altered", "paraphrase", "none"]
            .contains(&value["match"].as_str().unwrap())
    );
    assert!(
        [
            "confirmed",
            "other_speaker",
            "disputed",
            "misattributed",
            "unstated"
        ]
        .contains(&value["attribution"].as_str().unwrap())
    );
    assert!(value["record"].is_string() || value["record"].is_null());
    assert!(value["similarity"].is_f64() || value["similarity"].is_u64());
    assert!(value["took_us"].is_u64());
    for op in value["diff"].as_array().unwrap() {
        let keys: Vec<&str> = op.as_object().unwrap().keys().map(String::as_str).collect();
        let want: &[&str] = match op["op"].as_str().unwrap() {
            "same" => &["op", "text"],
            "changed" => &["op", "claim", "record"],
            "missing" => &["op", "record"],
            "added" => &["op", "claim"],
            other => panic!("unknown op {other}"),
        };
        assert_eq!(keys, want, "{op}");
    }
}

#[test]
fn verify_json_is_exactly_the_contract_shape_and_batch_gives_one_line_per_claim() {
    let output = quotebot(&[
        "verify",
        "--json",
        "“the alliance between the United States and Korea remains more important than ever” — Antony Blinken",
    ]);
    assert!(output.status.success(), "{output:?}");
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_verdict_shape(&value);
    assert_eq!(value["match"], "altered");
    assert_eq!(value["attribution"], "confirmed");
    assert_eq!(value["record"], ESSENTIAL);
    assert_eq!(
        value["diff"][1],
        serde_json::json!({"op": "changed", "claim": "important", "record": "essential"})
    );

    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("claims.txt");
    std::fs::write(
        &batch,
        "We’ve enhanced our extended deterrence\nThe moon is made of green cheese\n“한미 동맹” — 윤석열\n",
    )
    .unwrap();
    let output = quotebot(&["verify", "--batch", batch.to_str().unwrap(), "--json"]);
    assert!(output.status.success(), "{output:?}");
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    lines.iter().for_each(assert_verdict_shape);
    assert_eq!(lines[0]["match"], "excerpt");
    assert_eq!(lines[1]["match"], "none");
    assert_eq!(lines[1]["record"], serde_json::Value::Null);
    assert_eq!(lines[1]["diff"], serde_json::json!([]));
    assert_eq!(lines[2]["claim"], "“한미 동맹” — 윤석열");
}

#[test]
fn verify_text_says_the_verdict_in_plain_words_and_bad_input_is_a_usage_error() {
    let output = quotebot(&["verify", "We’ve enhanced our extended deterrence"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("These exact words are on record, as an excerpt"),
        "{text}"
    );
    assert!(text.contains("id: blinken-alliance-essential"), "{text}");
    assert!(text.contains("https://editorials.voa.gov/"), "{text}");

    let output = quotebot(&["verify", "“…”"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("verify needs the words of the claim")
    );
    let output = quotebot(&["verify", "--batch", "/nonexistent/claims.txt", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("/nonexistent/claims.txt")
    );
}
