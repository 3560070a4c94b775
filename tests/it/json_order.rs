//! Every JSON the command line prints has its keys in the order contract §2 and §4 list them,
//! read from the raw text (a parsed value would hide the order a script or a reader sees).

use std::path::Path;
use std::process::{Command, Output};

use quotebot::core::schema::{self, Kind};

use crate::support::{repo_data, workspace};

fn quotebot(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_quotebot"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{args:?}: {output:?}");
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The keys of every object in `text`, in the order they are written, objects in the order
/// they open.
fn objects(text: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    // For each open bracket: the object's index in `out`, or None for a list.
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '{' => {
                open.push(Some(out.len()));
                out.push(Vec::new());
            }
            '[' => open.push(None),
            '}' | ']' => {
                open.pop();
            }
            '"' => {
                let mut end = at + 1;
                let mut escaped = false;
                for (i, c) in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        end = i;
                        break;
                    }
                }
                let string: String = serde_json::from_str(&text[at..=end]).unwrap();
                while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                    chars.next();
                }
                if chars.peek().is_some_and(|(_, c)| *c == ':')
                    && let Some(Some(object)) = open.last()
                {
                    out[*object].push(string);
                }
            }
            _ => {}
        }
    }
    out
}

fn keys(names: &[&str]) -> Vec<String> {
    names.iter().map(|k| k.to_string()).collect()
}

const VERDICT: [&str; 8] = [
    "claim",
    "match",
    "attribution",
    "record",
    "similarity",
    "diff",
    "note",
    "took_us",
];

/// A verdict's keys, and each diff step's, in the contract's order; returns the diff steps'
/// key lists.
fn assert_verdict_order(line: &str) -> Vec<Vec<String>> {
    let found = objects(line);
    assert_eq!(found[0], keys(&VERDICT), "{line}");
    let steps = found[1..].to_vec();
    for step in &steps {
        assert!(
            [
                keys(&["op", "text"]),
                keys(&["op", "claim", "record"]),
                keys(&["op", "record"]),
                keys(&["op", "claim"]),
            ]
            .contains(step),
            "{step:?} in {line}"
        );
    }
    steps
}

#[test]
fn verify_json_keys_come_in_the_contracts_order() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = quotebot(
        repo,
        &[
            "verify",
            "--json",
            "“the alliance between the United States and Korea remains more important than ever in shaping our shared future and also” — Antony Blinken",
        ],
    );
    let steps = assert_verdict_order(&stdout(&output));
    for shape in [
        keys(&["op", "text"]),
        keys(&["op", "claim", "record"]),
        keys(&["op", "claim"]),
    ] {
        assert!(steps.contains(&shape), "{shape:?} in {steps:?}");
    }
    let output = quotebot(
        repo,
        &[
            "verify",
            "--json",
            "Today, the alliance between the United States and Korea remains essential than ever in shaping our shared future",
        ],
    );
    assert!(assert_verdict_order(&stdout(&output)).contains(&keys(&["op", "record"])));

    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("claims.txt");
    std::fs::write(
        &batch,
        "We’ve enhanced our extended deterrence\nThe moon is made of green cheese\n",
    )
    .unwrap();
    let output = quotebot(
        repo,
        &["verify", "--batch", batch.to_str().unwrap(), "--json"],
    );
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 2);
    for line in text.lines() {
        assert_verdict_order(line);
    }
}

#[test]
fn search_and_suggest_json_keys_come_in_the_contracts_order() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let search = keys(&["query", "results", "took_us", "confident", "did_you_mean"]);
    let result = keys(&["id", "kind", "score"]);
    let output = quotebot(repo, &["search", "--json", "alliance"]);
    let found = objects(&stdout(&output));
    assert_eq!(found[0], search);
    assert!(found.len() > 1);
    for object in &found[1..] {
        assert_eq!(*object, result);
    }

    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("queries.txt");
    std::fs::write(&batch, "alliance\nsatelite\n").unwrap();
    let output = quotebot(
        repo,
        &["search", "--batch", batch.to_str().unwrap(), "--json"],
    );
    for line in stdout(&output).lines() {
        let found = objects(line);
        assert_eq!(found[0], search, "{line}");
        for object in &found[1..] {
            assert_eq!(*object, result, "{line}");
        }
    }

    let choice = keys(&["name", "value"]);
    let output = quotebot(repo, &["suggest", "--json", "allian"]);
    let found = objects(&stdout(&output));
    assert!(!found.is_empty());
    for object in &found {
        assert_eq!(*object, choice);
    }
    let output = quotebot(
        repo,
        &["suggest", "--batch", batch.to_str().unwrap(), "--json"],
    );
    for line in stdout(&output).lines() {
        let found = objects(line);
        assert_eq!(found[0], keys(&["query", "choices", "took_us"]), "{line}");
        for object in &found[1..] {
            assert_eq!(*object, choice, "{line}");
        }
    }
}

/// Whether `keys` appear in the order of `order` (each at most once).
fn in_order(keys: &[String], order: &[&str]) -> bool {
    let at: Vec<Option<usize>> = keys
        .iter()
        .map(|k| order.iter().position(|o| o == k))
        .collect();
    at.iter().all(Option::is_some) && at.windows(2).all(|w| w[0] < w[1])
}

#[test]
fn export_json_keys_follow_the_files_and_the_schema() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = repo_data();
    let output = quotebot(repo, &["--data", data.to_str().unwrap(), "export"]);
    let text = stdout(&output);
    let found = objects(&text);
    assert_eq!(
        found[0],
        keys(&[
            "speakers", "sources", "quotes", "facts", "topics", "synonyms"
        ]),
        "the top level"
    );
    // Each record line: its keys in its kind's schema order, nested tables in theirs.
    let mut checked = 0;
    for line in text.lines().filter(|line| line.starts_with("    {")) {
        let found = objects(line);
        let record = &found[0];
        let kind = Kind::ALL
            .into_iter()
            .filter(|k| in_order(record, &schema::key_names(k.keys())))
            .find(|k| record.iter().all(|key| k.key(key).is_some()))
            .unwrap_or_else(|| panic!("{record:?} is in no kind's schema order: {line}"));
        for nested in &found[1..] {
            let orders = [
                schema::key_names(schema::ROLE_KEYS),
                schema::key_names(schema::APPEARANCE_KEYS),
                schema::key_names(schema::TRANSLATION_KEYS),
                schema::key_names(schema::FIGURE_KEYS),
            ];
            assert!(
                orders.iter().any(|order| in_order(nested, order)),
                "{kind:?}: {nested:?} in {line}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "{checked} records checked");
}

#[test]
fn import_json_keys_come_in_the_contracts_order_and_imported_tables_keep_the_schemas() {
    let (dir, _, _) = workspace();
    // A speaker whose roles list their keys out of order, and a quote with a translation.
    std::fs::write(
        dir.path().join("new.jsonl"),
        concat!(
            r#"{"type":"speaker","id":"kim-example","name":"Kim Example","roles":[{"until":"2024-01-01","from":"2020-01-01","title":"Minister"}]}"#,
            "\n",
            r#"{"type":"quote","id":"kim-said","text":"강한 동맹.","speaker":"kim-example","source":"voa-2025-us-rok-strong","translations":[{"text":"A strong alliance.","source":"voa-2025-us-rok-strong","language":"en"}]}"#,
            "\n"
        ),
    )
    .unwrap();
    let output = quotebot(
        dir.path(),
        &["--data", "data", "import", "new.jsonl", "--json"],
    );
    let text = stdout(&output);
    assert_eq!(
        objects(&text)[0],
        keys(&[
            "added",
            "changed",
            "unchanged",
            "near_duplicates",
            "problems"
        ]),
        "{text}"
    );
    let speakers = std::fs::read_to_string(dir.path().join("data/speakers.toml")).unwrap();
    assert!(
        speakers.contains(
            r#"roles = [{ title = "Minister", from = "2020-01-01", until = "2024-01-01" }]"#
        ),
        "{speakers}"
    );
    let quotes = std::fs::read_to_string(dir.path().join("data/quotes.toml")).unwrap();
    assert!(
        quotes.contains(
            r#"translations = [{ language = "en", text = "A strong alliance.", source = "voa-2025-us-rok-strong" }]"#
        ),
        "{quotes}"
    );
}
