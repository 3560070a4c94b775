//! Changes to the database: atomic, audited, reversible, never losing a hand edit.

use std::io;
use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use proptest::prelude::*;
use quotebot::core::search::normalize::is_blank;

use quotebot::app::{Actor, App, ApplyError};
use quotebot::core::edit::{Action, Change, EditError, Record, apply_to_texts};
use quotebot::core::model::{Quote, QuoteKind};
use quotebot::store::WriteStep;

use crate::support::{parse, workspace};

const ACTOR: Actor = Actor {
    user: 7,
    guild: Some(1),
};

fn quote(id: &str, text: &str) -> Quote {
    Quote {
        id: id.into(),
        text: text.into(),
        speaker: "antony-blinken".into(),
        source: "voa-2025-us-rok-strong".into(),
        kind: QuoteKind::Verbatim,
        date: None,
        context: None,
        topics: vec!["us-rok-alliance".into()],
        related: vec![],
        provenance: Default::default(),
    }
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

fn now() -> Timestamp {
    "2025-02-01T12:00:00Z".parse().unwrap()
}

#[test]
fn a_fault_at_any_write_step_leaves_exactly_the_old_or_the_new_file_and_no_temp_file() {
    for step in [
        WriteStep::Serialized,
        WriteStep::TempWritten,
        WriteStep::TempSynced,
        WriteStep::Renamed,
    ] {
        let (_dir, data, state) = workspace();
        let old = std::fs::read(data.join("quotes.toml")).unwrap();
        let app = App::open(data.clone(), state.clone()).unwrap();
        app.set_write_hook(move |at| {
            if at == step {
                Err(io::Error::other("injected"))
            } else {
                Ok(())
            }
        });
        let change = Change::add(Record::Quote(quote("new-one", "Fresh words.")));
        let result = app.apply(vec![change], ACTOR, now());
        assert!(
            matches!(result, Err(ApplyError::Io(_))),
            "{step:?}: {result:?}"
        );
        let after = std::fs::read(data.join("quotes.toml")).unwrap();
        let reparsed = quotebot::store::load_catalog(&data).expect("still a valid database");
        // Even after the rename (a directory sync that failed), a change reported as failed
        // is put back: it has no audit line.
        assert_eq!(after, old, "{step:?}: as before");
        assert!(reparsed.quote("new-one").is_none(), "{step:?}");
        // Memory agrees with the disk.
        assert_eq!(
            app.snapshot().catalog.quote("new-one").is_some(),
            reparsed.quote("new-one").is_some(),
            "{step:?}"
        );
        assert!(
            temp_files(&data).is_empty(),
            "{step:?}: {:?}",
            temp_files(&data)
        );
    }
}

#[test]
fn a_process_killed_mid_write_leaves_a_valid_database_and_the_next_start_cleans_up() {
    let helper = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/crash_write");
    if !helper.exists() {
        panic!("the crash helper was not built: {}", helper.display());
    }
    for (step, written) in [
        ("serialized", false),
        ("temp-written", false),
        ("temp-synced", false),
        ("renamed", true),
    ] {
        let (_dir, data, state) = workspace();
        let old = std::fs::read(data.join("quotes.toml")).unwrap();
        let status = std::process::Command::new(&helper)
            .args([data.to_str().unwrap(), state.to_str().unwrap(), step])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(!status.success(), "{step}: the helper was killed");
        let catalog = quotebot::store::load_catalog(&data).expect("valid after a crash");
        assert_eq!(
            catalog.quote("crash-test-quote").is_some(),
            written,
            "{step}"
        );
        if !written {
            assert_eq!(
                std::fs::read(data.join("quotes.toml")).unwrap(),
                old,
                "{step}"
            );
        }
        // The next start removes what the crash left behind.
        let _app = App::open(data.clone(), state.clone()).unwrap();
        assert!(
            temp_files(&data).is_empty(),
            "{step}: {:?}",
            temp_files(&data)
        );
    }
}

#[test]
fn a_hundred_concurrent_adds_are_all_saved_and_audited() {
    let (_dir, data, state) = workspace();
    let app = Arc::new(App::open(data.clone(), state.clone()).unwrap());
    let handles: Vec<_> = (0..100)
        .map(|n| {
            let app = app.clone();
            std::thread::spawn(move || {
                let change = Change::add(Record::Quote(quote(
                    &format!("concurrent-{n}"),
                    &format!("Words number {n}."),
                )));
                app.apply(
                    vec![change],
                    Actor {
                        user: n,
                        guild: None,
                    },
                    now(),
                )
                .unwrap()
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let catalog = quotebot::store::load_catalog(&data).unwrap();
    for n in 0..100 {
        assert!(catalog.quote(&format!("concurrent-{n}")).is_some(), "{n}");
    }
    let audit = app.audit().unwrap();
    assert_eq!(audit.len(), 100);
    let mut revisions: Vec<u64> = audit.iter().map(|e| e.revision).collect();
    revisions.sort();
    assert_eq!(revisions, (1..=100).collect::<Vec<_>>());
    assert_eq!(
        app.snapshot().catalog.quotes().len(),
        catalog.quotes().len()
    );
}

#[test]
fn the_same_change_undone_by_several_moderators_at_once_is_undone_once_and_the_others_are_told_so()
{
    let (_dir, data, state) = workspace();
    let app = Arc::new(App::open(data.clone(), state.clone()).unwrap());
    app.apply(
        vec![Change::add(Record::Quote(quote("undo-race", "Contested.")))],
        ACTOR,
        now(),
    )
    .unwrap();
    let start = Arc::new(std::sync::Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (app, start) = (app.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                app.undo(Some(1), ACTOR, now())
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let done = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(done, 1, "{results:?}");
    for result in &results {
        assert!(
            matches!(result, Ok(_) | Err(ApplyError::AlreadyUndone(1))),
            "every other moderator is told it is already undone: {result:?}"
        );
    }
    assert_eq!(app.audit().unwrap().len(), 2);
    assert!(app.snapshot().catalog.quote("undo-race").is_none());
}

#[test]
fn undo_applies_the_inverse_as_a_new_change_and_a_stale_edit_is_refused() {
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state.clone()).unwrap();
    let added = app
        .apply(
            vec![Change::add(Record::Quote(quote("undo-me", "Short-lived.")))],
            ACTOR,
            now(),
        )
        .unwrap();
    assert_eq!(added[0].revision, 1);
    let undone = app.undo(None, ACTOR, now()).unwrap();
    assert_eq!(undone[0].revision, 2);
    assert_eq!(undone[0].undo_of, Some(1));
    assert_eq!(undone[0].action(), Action::Remove);
    assert!(app.snapshot().catalog.quote("undo-me").is_none());
    assert!(matches!(
        app.undo(Some(1), ACTOR, now()),
        Err(ApplyError::AlreadyUndone(1))
    ));
    // Undoing the undo brings it back.
    app.undo(Some(2), ACTOR, now()).unwrap();
    assert!(app.snapshot().catalog.quote("undo-me").is_some());
    let lines = std::fs::read_to_string(state.join("audit.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 3);
    assert!(
        lines
            .lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );

    // An edit prepared from an old view of the record is refused.
    let current = Record::find(&app.snapshot().catalog, "undo-me").unwrap();
    app.apply(
        vec![Change::edit(
            current.clone(),
            Record::Quote(quote("undo-me", "Edited once.")),
        )],
        ACTOR,
        now(),
    )
    .unwrap();
    let stale = app.apply(
        vec![Change::edit(
            current,
            Record::Quote(quote("undo-me", "Edited twice.")),
        )],
        ACTOR,
        now(),
    );
    assert!(
        matches!(stale, Err(ApplyError::Edit(EditError::Stale(_)))),
        "{stale:?}"
    );
}

#[test]
fn hand_edits_are_loaded_never_overwritten_and_invalid_ones_block_writes() {
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state.clone()).unwrap();
    let path = data.join("quotes.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\n# Added by hand.\n[[quote]]\nid = \"by-hand\"\ntext = \"Typed in an editor.\"\nspeaker = \"antony-blinken\"\nsource = \"voa-2025-us-rok-strong\"\n");
    std::fs::write(&path, &text).unwrap();
    app.apply(
        vec![Change::add(Record::Quote(quote(
            "by-moderator",
            "Sent from Discord.",
        )))],
        ACTOR,
        now(),
    )
    .unwrap();
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(
        after.contains("# Added by hand.")
            && after.contains("by-hand")
            && after.contains("by-moderator")
    );

    // A broken hand edit: the last good catalog keeps serving; writes are refused untouched.
    std::fs::write(&path, format!("{after}\n[[quote]\n")).unwrap();
    assert!(app.reload().is_err());
    assert!(app.snapshot().catalog.quote("by-hand").is_some());
    let broken = std::fs::read(&path).unwrap();
    let refused = app.apply(
        vec![Change::add(Record::Quote(quote("blocked", "No.")))],
        ACTOR,
        now(),
    );
    assert!(
        matches!(refused, Err(ApplyError::DiskInvalid(_))),
        "{refused:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), broken);
    // Fixed by hand: reloaded.
    std::fs::write(&path, &after).unwrap();
    assert_eq!(app.reload(), Ok(false), "same text as loaded before");
}

/// Text from `pattern` that shows something: a name or text of only invisible characters is
/// refused, in the data as in the forms.
fn shows_something(pattern: &'static str) -> impl Strategy<Value = String> {
    pattern.prop_filter("not blank", |s: &String| !is_blank(s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_valid_records_serialize_and_parse_back_unchanged_with_comments_kept(
        quotes in proptest::collection::vec(
            ("[a-z0-9][a-z0-9-]{0,20}", shows_something("\\PC{1,80}"), proptest::option::of(shows_something("\\PC{1,30}")), proptest::bool::ANY,
             proptest::collection::vec("[a-z][a-z-]{0,10}", 0..3)),
            1..6)
    ) {
        let speakers = "# Who said it\n[[speaker]]\nid = \"s\"  # the only one\nname = \"Sam\"\n".to_string();
        let sources = "[[source]]\nid = \"src\"\ntitle = \"T\"\n".to_string();
        let texts = [speakers.clone(), sources.clone(), "# Quotes, curated.\n".to_string(), "# none\n".to_string(), String::new(), String::new()];
        let mut records = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (id, text, context, paraphrase, topics) in quotes {
            if !seen.insert(id.clone()) || id == "s" || id == "src" || text.trim().is_empty() {
                continue;
            }
            let context = context.filter(|c| !c.trim().is_empty());
            let mut topics = topics;
            topics.dedup();
            records.push(Quote {
                id, text, speaker: "s".into(), source: "src".into(),
                kind: if paraphrase { QuoteKind::Paraphrase } else { QuoteKind::Verbatim },
                date: None, context, topics, related: vec![], provenance: Default::default(),
            });
        }
        let changes: Vec<Change> = records.iter().cloned().map(|q| Change::add(Record::Quote(q))).collect();
        let (new, _) = apply_to_texts(&texts, &changes).unwrap();
        prop_assert!(new[2].starts_with("# Quotes, curated.\n"));
        prop_assert_eq!(&new[0], &speakers);
        let catalog = parse(&new[0], &new[1], &new[2], &new[3]).unwrap();
        prop_assert_eq!(catalog.quotes(), records.as_slice());
    }
}

#[test]
fn moderator_forms_become_validated_changes() {
    use quotebot::core::moderation::{QuoteForm, quote_changes};
    let catalog = crate::support::seed_catalog();
    let form = |text: &str, speaker: &str, source: &str, date: &str, topics: &str| QuoteForm {
        text: text.into(),
        speaker: speaker.into(),
        source: source.into(),
        date: date.into(),
        topics: topics.into(),
    };
    let added = |changes: &[Change]| -> Vec<String> {
        changes
            .iter()
            .map(|c| format!("{:?} {}", c.action(), c.id()))
            .collect()
    };
    // Existing speaker by id, by name and by alias; existing source by id and by its URL.
    for speaker in ["antony-blinken", "Antony Blinken", "secretary blinken"] {
        let changes = quote_changes(
            &catalog,
            &form("Words.", speaker, "voa-2025-us-rok-strong", "", ""),
            None,
        )
        .unwrap();
        assert_eq!(changes.len(), 1, "{speaker}: only the quote is added");
    }
    let by_url =
        "https://editorials.voa.gov/a/u-s-relations-with-south-korea-remain-strong/7927513.html";
    assert_eq!(
        quote_changes(
            &catalog,
            &form("Words.", "antony-blinken", by_url, "", ""),
            None
        )
        .unwrap()
        .len(),
        1
    );
    // New speaker and source are created with the quote, referenced first.
    let changes = quote_changes(
        &catalog,
        &form(
            "New words.",
            "Yoon Suk Yeol",
            "Press release | https://example.org/x",
            "2024-12",
            "Martial law, Democracy",
        ),
        None,
    )
    .unwrap();
    assert_eq!(
        added(&changes),
        [
            "Add yoon-suk-yeol",
            "Add press-release",
            "Add yeol-new-words"
        ]
    );
    let Some(Record::Quote(q)) = changes[2].after() else {
        panic!()
    };
    assert_eq!(q.topics, ["martial-law", "democracy"]);
    assert_eq!(q.date.unwrap().to_string(), "2024-12");
    // Every problem names its field.
    let cases = [
        (
            form("", "antony-blinken", "voa-2025-us-rok-strong", "", ""),
            "Text: is required",
        ),
        (
            form(
                &"x".repeat(4001),
                "antony-blinken",
                "voa-2025-us-rok-strong",
                "",
                "",
            ),
            "Text: is longer than 4000 characters",
        ),
        (
            form(
                "W",
                "antony-blinken",
                "voa-2025-us-rok-strong",
                "2025-02-30",
                "",
            ),
            "Date: invalid date",
        ),
        (
            form(
                "W",
                "voa-2025-us-rok-strong",
                "voa-2025-us-rok-strong",
                "",
                "",
            ),
            "Speaker: `voa-2025-us-rok-strong` is a source, not a speaker",
        ),
        (
            form("W", "no-such-person", "voa-2025-us-rok-strong", "", ""),
            "Speaker: there is no speaker `no-such-person`",
        ),
        (
            form("W", "antony-blinken", "Title | https://bad url", "", ""),
            "Source: “https://bad url” is not a valid http(s) address",
        ),
        (
            form(
                "W",
                "antony-blinken",
                "voa-2025-us-rok-strong",
                "",
                "a,b,c,d,e,f,g,h,i,j,k",
            ),
            "Topics: at most 10 topics",
        ),
    ];
    for (form, want) in cases {
        let error = quote_changes(&catalog, &form, None)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with(want), "{error} / {want}");
    }
}

#[test]
fn a_fact_form_adds_a_typed_figure_and_can_be_saved() {
    use quotebot::core::moderation::{FactForm, fact_changes};
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state).unwrap();
    let form = FactForm {
        text: "South Korea's exports to the United States reached a record high.".into(),
        figure: "131.6e9 USD about".into(),
        source: "Trade statistics | https://example.org/trade-2024".into(),
        as_of: "2024".into(),
        topics: "Trade investment".into(),
    };
    let changes = fact_changes(&app.snapshot().catalog, &form, None).unwrap();
    let entries = app.apply(changes, ACTOR, now()).unwrap();
    assert_eq!(entries.len(), 2, "the new source, then the fact");
    let catalog = quotebot::store::load_catalog(&data).unwrap();
    let fact = catalog.fact(entries[1].id()).unwrap();
    let figure = fact.figure.as_ref().unwrap();
    assert_eq!(
        (
            figure.value,
            figure.unit.as_deref(),
            figure.qualifier.as_deref()
        ),
        (131.6e9, Some("USD"), Some("about"))
    );
    assert_eq!(fact.topics, ["trade-investment"]);
    assert_eq!(
        catalog.source(&fact.source).unwrap().url.as_deref(),
        Some("https://example.org/trade-2024")
    );
    let text = std::fs::read_to_string(data.join("facts.toml")).unwrap();
    assert!(
        text.contains("figure = { value = 131600000000, unit = \"USD\", qualifier = \"about\" }"),
        "{text}"
    );
}

/// A database whose quotes file has comments before, between, inside and after its records.
fn commented_workspace() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    std::path::PathBuf,
    String,
) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let state = dir.path().join("state");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("speakers.toml"),
        "[[speaker]]\nid = \"s\"\nname = \"Sam\"\n",
    )
    .unwrap();
    std::fs::write(
        data.join("sources.toml"),
        "[[source]]\nid = \"src\"\ntitle = \"T\"\n",
    )
    .unwrap();
    std::fs::write(data.join("facts.toml"), "# no facts\n").unwrap();
    let quotes = "# The file's header.\n# Second header line.\n\n[[quote]]\n# inside the first\nid = \"q1\"\ntext = \"One.\"  # as published\nspeaker = \"s\"\nsource = \"src\"\n\n# a note after q1, apart from q2\n\n# about q2\n[[quote]]\nid = \"q2\"\ntext = \"Two.\"\nspeaker = \"s\"\n# why this source\nsource = \"src\"\ntopics = [\"a\"]  # one topic\n\n[[quote]]\nid = \"q3\"\ntext = \"\"\"Three,\n\n# not a comment: inside a string\n\"\"\"\nspeaker = \"s\"\nsource = \"src\"\n\n# The end of the file.\n".to_string();
    std::fs::write(data.join("quotes.toml"), &quotes).unwrap();
    (dir, data, state, quotes)
}

#[test]
fn removing_any_record_keeps_the_comments_that_are_not_its_own_and_undo_restores_the_file_byte_for_byte()
 {
    // (record, comments that must survive its removal, its own text that must go)
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "q1",
            &[
                "# The file's header.\n# Second header line.\n",
                "# a note after q1",
                "# about q2",
                "# The end",
            ],
            "# inside the first",
        ),
        (
            "q2",
            &[
                "# The file's header.",
                "# a note after q1",
                "# The end",
                "# inside the first",
            ],
            "# about q2",
        ),
        (
            "q3",
            &[
                "# The file's header.",
                "# a note after q1",
                "# about q2",
                "# The end of the file.\n",
            ],
            "# not a comment",
        ),
    ];
    for (id, kept, gone) in cases {
        let (_dir, data, state, original) = commented_workspace();
        let app = App::open(data.clone(), state.clone()).unwrap();
        let record = Record::find(&app.snapshot().catalog, id).unwrap();
        app.apply(vec![Change::remove(record)], ACTOR, now())
            .unwrap();
        let removed = std::fs::read_to_string(data.join("quotes.toml")).unwrap();
        for comment in *kept {
            assert!(
                removed.contains(comment),
                "{id}: lost {comment:?}:\n{removed}"
            );
        }
        assert!(!removed.contains(gone), "{id}: kept {gone:?}:\n{removed}");
        // A restart in between: the audit log alone carries what undo needs.
        drop(app);
        let app = App::open(data.clone(), state.clone()).unwrap();
        app.undo(None, ACTOR, now()).unwrap();
        let restored = std::fs::read_to_string(data.join("quotes.toml")).unwrap();
        assert_eq!(restored, original, "{id}: remove + undo is byte-identical");
    }
}

#[test]
fn an_edit_keeps_every_comment_that_is_not_on_the_edited_value() {
    let (_dir, data, state, _) = commented_workspace();
    let app = App::open(data.clone(), state.clone()).unwrap();
    let before = Record::find(&app.snapshot().catalog, "q2").unwrap();
    let Record::Quote(mut q) = before.clone() else {
        panic!()
    };
    q.text = "Two, corrected.".into();
    q.topics = vec![];
    q.source = "src".into();
    app.apply(vec![Change::edit(before, Record::Quote(q))], ACTOR, now())
        .unwrap();
    let text = std::fs::read_to_string(data.join("quotes.toml")).unwrap();
    for comment in [
        "# The file's header.",
        "# inside the first",
        "text = \"One.\"  # as published",
        "# a note after q1",
        "# about q2",
        "# why this source\nsource = \"src\"",
        "# The end of the file.",
    ] {
        assert!(text.contains(comment), "lost {comment:?}:\n{text}");
    }
    assert!(text.contains("text = \"Two, corrected.\""), "{text}");
    assert!(!text.contains("topics = [\"a\"]"), "{text}");
    // A rewritten value keeps the comment after it on its line.
    let before = Record::find(&app.snapshot().catalog, "q1").unwrap();
    let Record::Quote(mut q) = before.clone() else {
        panic!()
    };
    q.text = "One, corrected.".into();
    app.apply(vec![Change::edit(before, Record::Quote(q))], ACTOR, now())
        .unwrap();
    let text = std::fs::read_to_string(data.join("quotes.toml")).unwrap();
    assert!(
        text.contains("text = \"One, corrected.\"  # as published"),
        "{text}"
    );
}

#[test]
fn a_removed_field_leaves_the_comment_above_it_for_the_field_after() {
    let (_dir, data, state, _) = commented_workspace();
    std::fs::write(
        data.join("quotes.toml"),
        "[[quote]]\nid = \"q1\"\ntext = \"One.\"\n# the date is approximate\ndate = \"2025\"\nspeaker = \"s\"\n# last comment\ntopics = [\"a\"]\nsource = \"src\"\n",
    )
    .unwrap();
    let app = App::open(data.clone(), state.clone()).unwrap();
    let before = Record::find(&app.snapshot().catalog, "q1").unwrap();
    let Record::Quote(mut q) = before.clone() else {
        panic!()
    };
    q.date = None;
    q.topics = vec![];
    app.apply(vec![Change::edit(before, Record::Quote(q))], ACTOR, now())
        .unwrap();
    let text = std::fs::read_to_string(data.join("quotes.toml")).unwrap();
    assert!(
        text.contains("# the date is approximate\nspeaker = \"s\""),
        "{text}"
    );
    assert!(text.contains("# last comment\nsource = \"src\""), "{text}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn remove_then_undo_gives_back_the_same_bytes(
        records in proptest::collection::vec(
            (proptest::option::of("# [a-z ]{0,12}\n"), proptest::bool::ANY, proptest::option::of("  # [a-z]{1,8}"), proptest::option::of("# [a-z]{1,8}\n")),
            1..5),
        header in proptest::option::of("# [A-Za-z ]{0,20}\n"),
        trailer in proptest::option::of("\n# [a-z ]{0,12}\n"),
        pick in 0usize..5,
    ) {
        let mut text = header.clone().unwrap_or_default();
        for (n, (above, blank, after_value, inside)) in records.iter().enumerate() {
            if *blank || n > 0 {
                text.push('\n');
            }
            text.push_str(above.as_deref().unwrap_or(""));
            text.push_str(&format!("[[quote]]\nid = \"q{n}\"\n{}text = \"Words {n}.\"{}\nspeaker = \"s\"\nsource = \"src\"\n",
                inside.as_deref().unwrap_or(""), after_value.as_deref().unwrap_or("")));
        }
        text.push_str(trailer.as_deref().unwrap_or(""));
        let texts = [
            "[[speaker]]\nid = \"s\"\nname = \"Sam\"\n".to_string(),
            "[[source]]\nid = \"src\"\ntitle = \"T\"\n".to_string(),
            text.clone(),
            String::new(),
            String::new(),
            String::new(),
        ];
        let catalog = parse(&texts[0], &texts[1], &texts[2], &texts[3]).unwrap();
        let id = format!("q{}", pick % records.len());
        let record = Record::find(&catalog, &id).unwrap();
        let removed = quotebot::core::edit::apply(&catalog, &texts, &[Change::remove(record.clone())]).unwrap();
        prop_assert!(removed.catalog.quote(&id).is_none());
        if let Some(header) = &header {
            prop_assert!(removed.texts[2].starts_with(header.as_str()), "header kept:\n{}", removed.texts[2]);
        }
        let undo = removed.changes[0].inverse();
        let restored = quotebot::core::edit::apply(&removed.catalog, &removed.texts, &[undo]).unwrap();
        prop_assert_eq!(&restored.texts[2], &text);
        prop_assert_eq!(Record::find(&restored.catalog, &id), Some(record));
    }
}

fn add_quote(app: &App, id: &str) -> Result<Vec<quotebot::core::edit::AuditEntry>, ApplyError> {
    app.apply(
        vec![Change::add(Record::Quote(quote(id, "Words to count.")))],
        ACTOR,
        now(),
    )
}

#[test]
fn a_rotated_or_truncated_audit_log_never_restarts_the_revisions_or_prunes_a_new_backup() {
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state.clone()).unwrap();
    for n in 0..3 {
        add_quote(&app, &format!("before-rotation-{n}")).unwrap();
    }
    // The operator rotates the log away, and the backups directory is full of later ones.
    std::fs::rename(state.join("audit.jsonl"), state.join("audit.jsonl.1")).unwrap();
    let backups = state.join("backups");
    for revision in 100..150u64 {
        std::fs::write(backups.join(format!("{revision:08}-quotes.toml")), "x").unwrap();
    }
    // The app that made the changes, and one started after the rotation.
    for (n, app) in [app, App::open(data.clone(), state.clone()).unwrap()]
        .into_iter()
        .enumerate()
    {
        let entries = add_quote(&app, &format!("after-rotation-{n}")).unwrap();
        let revision = entries[0].revision;
        assert!(revision > 149, "revision {revision} reuses an old number");
        let backup = backups.join(format!("{revision:08}-quotes.toml"));
        assert!(backup.exists(), "the new change's backup was pruned");
    }
    let kept = std::fs::read_dir(&backups).unwrap().count();
    assert_eq!(kept, 50, "still only the newest fifty kept");
}

#[test]
fn an_audit_line_cut_without_its_newline_does_not_swallow_the_next_entry() {
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state.clone()).unwrap();
    add_quote(&app, "first-entry").unwrap();
    let log = state.join("audit.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.trim_end_matches('\n')).unwrap();
    add_quote(&app, "second-entry").unwrap();
    let entries = app.audit().unwrap();
    let ids: Vec<&str> = entries.iter().map(|e| e.id()).collect();
    assert_eq!(ids, ["first-entry", "second-entry"]);
    assert_eq!(entries[1].revision, 2);
}

#[test]
fn a_garbled_or_unreadable_audit_log_refuses_every_change_until_it_is_fixed() {
    for garble in ["garbled-line", "cut-entry", "directory"] {
        let (_dir, data, state) = workspace();
        let app = App::open(data.clone(), state.clone()).unwrap();
        add_quote(&app, "logged").unwrap();
        let log = state.join("audit.jsonl");
        let good = std::fs::read_to_string(&log).unwrap();
        match garble {
            "garbled-line" => std::fs::write(&log, format!("{good}not json at all\n{good}")),
            "cut-entry" => std::fs::write(&log, &good[..good.len() / 2]),
            _ => std::fs::remove_file(&log).and_then(|()| std::fs::create_dir(&log)),
        }
        .unwrap();
        let quotes = std::fs::read(data.join("quotes.toml")).unwrap();
        for app in [app, App::open(data.clone(), state.clone()).unwrap()] {
            let refused = add_quote(&app, "not-accepted");
            let Err(ApplyError::Audit(error)) = &refused else {
                panic!("{garble}: {refused:?}");
            };
            let message = error.to_string();
            assert!(message.contains("audit.jsonl"), "{garble}: {message}");
            if garble == "garbled-line" {
                assert!(message.contains("audit.jsonl:2:"), "{message}");
            }
            assert!(matches!(app.audit(), Err(ApplyError::Audit(_))), "{garble}");
            assert!(matches!(
                app.undo(None, ACTOR, now()),
                Err(ApplyError::Audit(_))
            ));
            assert_eq!(std::fs::read(data.join("quotes.toml")).unwrap(), quotes);
            assert!(app.snapshot().catalog.quote("not-accepted").is_none());
        }
        // Fixed: changes are accepted again, numbered after the last one.
        if garble == "directory" {
            std::fs::remove_dir(&log).unwrap();
        }
        std::fs::write(&log, &good).unwrap();
        let app = App::open(data.clone(), state.clone()).unwrap();
        assert_eq!(add_quote(&app, "accepted").unwrap()[0].revision, 2);
    }
}

#[test]
fn the_writer_holds_an_os_lock_on_the_data_directory_while_it_writes() {
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state.clone()).unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (dir, record) = (data.clone(), seen.clone());
    app.set_write_hook(move |_| {
        // Another open of the directory, as another process would make: it must be refused.
        let other = std::fs::File::open(&dir).unwrap();
        let free = other.try_lock().is_ok();
        record.lock().unwrap().push(free);
        Ok(())
    });
    add_quote(&app, "locked-write").unwrap();
    let seen = seen.lock().unwrap().clone();
    assert!(
        !seen.is_empty() && seen.iter().all(|free| !free),
        "{seen:?}"
    );
    // Released afterwards.
    let other = std::fs::File::open(&data).unwrap();
    assert!(other.try_lock().is_ok());
}

#[test]
fn a_hand_edit_saved_between_the_read_and_the_rename_is_never_overwritten() {
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state.clone()).unwrap();
    let speakers = std::fs::read_to_string(data.join("speakers.toml")).unwrap();
    let quotes_path = data.join("quotes.toml");
    let hand_edit = std::fs::read_to_string(&quotes_path)
        .unwrap()
        .replace("linchpin of peace", "linchpin of peace (hand edit)");
    let synced = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (path, edit, count) = (quotes_path.clone(), hand_edit.clone(), synced.clone());
    app.set_write_hook(move |step| {
        // The second file's write (quotes.toml, after speakers.toml): a person saves it.
        if step == WriteStep::TempSynced
            && count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 1
        {
            std::fs::write(&path, &edit)?;
        }
        Ok(())
    });
    let speaker = quotebot::core::model::Speaker {
        id: "new-speaker".into(),
        name: "New Speaker".into(),
        role: None,
        aliases: vec![],
        roles: vec![],
        wikidata: None,
    };
    let mut q = quote("by-new-speaker", "Fresh words.");
    q.speaker = "new-speaker".into();
    let result = app.apply(
        vec![
            Change::add(Record::Speaker(speaker)),
            Change::add(Record::Quote(q)),
        ],
        ACTOR,
        now(),
    );
    let Err(ApplyError::Conflict(path)) = &result else {
        panic!("{result:?}");
    };
    assert!(path.ends_with("quotes.toml"), "{path}");
    assert_eq!(std::fs::read_to_string(&quotes_path).unwrap(), hand_edit);
    assert_eq!(
        std::fs::read_to_string(data.join("speakers.toml")).unwrap(),
        speakers,
        "the part already written is put back"
    );
    assert!(app.audit().unwrap().is_empty(), "nothing audited");
    let snapshot = app.snapshot();
    assert!(snapshot.catalog.speaker("new-speaker").is_none());
    assert!(
        snapshot
            .catalog
            .quote("blinken-alliance-linchpin")
            .unwrap()
            .text
            .contains("(hand edit)"),
        "the hand edit is loaded"
    );
    assert!(temp_files(&data).is_empty());
}

fn any_figure_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(any::<String>().prop_filter("not blank", |s| !is_blank(s)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_figure_round_trips_through_the_fact_form_and_a_text_only_edit_keeps_its_bytes(
        value in prop_oneof![
            any::<f64>().prop_filter("finite", |v| v.is_finite()),
            any::<i64>().prop_map(|i| i as f64),
            (-1_000_000i64..1_000_000).prop_map(|i| i as f64 / 100.0),
        ],
        unit in any_figure_text(),
        qualifier in any_figure_text(),
    ) {
        use quotebot::core::model::{Fact, Figure};
        use quotebot::core::moderation::{FactForm, fact_changes, figure_text, parse_figure};
        let figure = Figure { value, unit, qualifier };
        let parsed = parse_figure(&figure_text(&figure)).unwrap().unwrap();
        prop_assert_eq!(parsed.value.to_bits(), figure.value.to_bits());
        prop_assert_eq!(&parsed, &figure);

        let texts = [
            "[[speaker]]\nid = \"s\"\nname = \"Sam\"\n".to_string(),
            "[[source]]\nid = \"src\"\ntitle = \"T\"\n".to_string(),
            String::new(),
            "# Facts\n".to_string(),
            String::new(),
            String::new(),
        ];
        let fact = Fact {
            id: "f".into(), text: "A figure.".into(), source: "src".into(), as_of: None,
            topics: vec![], figure: Some(figure.clone()), related: vec![],
            provenance: Default::default(),
        };
        let catalog = parse(&texts[0], &texts[1], &texts[2], &texts[3]).unwrap();
        let added = quotebot::core::edit::apply(&catalog, &texts, &[Change::add(Record::Fact(fact.clone()))]).unwrap();
        let stored = added.catalog.fact("f").unwrap().clone();
        prop_assert_eq!(stored.figure.as_ref(), Some(&figure));
        let mut form = FactForm::filled(&stored);
        form.text = "A figure, reworded.".into();
        let changes = fact_changes(&added.catalog, &form, Some(&stored)).unwrap();
        let edited = quotebot::core::edit::apply(&added.catalog, &added.texts, &changes).unwrap();
        let figure_lines = |text: &str| -> Vec<String> {
            text.lines().filter(|l| !l.starts_with("text =")).map(str::to_string).collect()
        };
        prop_assert_eq!(figure_lines(&edited.texts[3]), figure_lines(&added.texts[3]));
        prop_assert_eq!(edited.catalog.fact("f").unwrap().figure.as_ref(), Some(&figure));
        prop_assert_eq!(&edited.catalog.fact("f").unwrap().text, "A figure, reworded.");
    }
}

#[test]
fn removing_a_fact_with_its_references_never_leaves_an_invalid_database_on_disk() {
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state.clone()).unwrap();
    let catalog = app.snapshot().catalog.clone();
    // Listed by quotes and by another fact.
    let fact = Record::find(&catalog, "us-second-largest-investor-in-rok").unwrap();
    let changes = quotebot::core::edit::remove_with_references(&catalog, &fact);
    assert!(changes.len() > 2, "{changes:?}");
    let dir = data.clone();
    let states = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = states.clone();
    app.set_write_hook(move |step| {
        if step == WriteStep::Renamed {
            seen.lock()
                .unwrap()
                .push(
                    quotebot::store::load_catalog(&dir)
                        .map(|_| ())
                        .map_err(|e| {
                            e.diagnostics
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                        }),
                );
        }
        Ok(())
    });
    app.apply(changes, ACTOR, now()).unwrap();
    let states = std::mem::take(&mut *states.lock().unwrap());
    assert_eq!(states.len(), 2, "two files written");
    for state in states.iter() {
        assert!(state.is_ok(), "an invalid database on disk: {state:?}");
    }
    let undone = app.undo(None, ACTOR, now()).unwrap();
    assert_eq!(undone.len(), 4);
    assert_eq!(
        Record::find(&app.snapshot().catalog, "us-second-largest-investor-in-rok"),
        Some(fact)
    );
}

#[test]
fn undo_says_there_is_nothing_to_undo_or_which_change_does_not_exist() {
    let (_dir, data, state) = workspace();
    let app = App::open(data, state).unwrap();
    assert!(matches!(
        app.undo(None, ACTOR, now()),
        Err(ApplyError::NothingToUndo)
    ));
    assert!(matches!(
        app.undo(Some(99), ACTOR, now()),
        Err(ApplyError::NoSuchChange(99))
    ));
    // Change 0 is not a sentinel for "none": it is simply a change that does not exist.
    assert!(matches!(
        app.undo(Some(0), ACTOR, now()),
        Err(ApplyError::NoSuchChange(0))
    ));
}

#[test]
fn removing_a_record_whose_referrers_list_it_in_commented_multiline_arrays_then_undoing_is_byte_identical()
 {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let state = dir.path().join("state");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("speakers.toml"),
        "[[speaker]]\nid = \"s\"\nname = \"Sam\"\n",
    )
    .unwrap();
    std::fs::write(
        data.join("sources.toml"),
        "[[source]]\nid = \"src\"\ntitle = \"T\"\n",
    )
    .unwrap();
    let quotes = "[[quote]]\r\nid = \"q1\"\r\ntext = \"One.\"\r\nspeaker = \"s\"\r\nsource = \"src\"\r\n# the fact it backs\r\nrelated = [\"f1\"]\r\n\r\n[[quote]]\r\nid = \"q2\"\r\ntext = \"Two.\"\r\nspeaker = \"s\"\r\nsource = \"src\"  # end\r\n";
    let facts = "# facts\n[[fact]] # header\nid = \"f1\"\ntext = \"F.\"\nsource = \"src\"\nfigure = { value = 1000, qualifier = \"more than\" } # fig\nrelated = [\n  \"q1\", # the first\n  \"q2\",\t# the second\n]  # both\n\n[[fact]]\nid = \"f2\"\ntext = \"G.\"\nsource = \"src\"\nrelated = [ \"q2\" , \"f1\" ]\n\n# tail";
    std::fs::write(data.join("quotes.toml"), quotes).unwrap();
    std::fs::write(data.join("facts.toml"), facts).unwrap();
    for id in ["q1", "q2", "f1"] {
        let app = App::open(data.clone(), state.clone()).unwrap();
        let catalog = app.snapshot().catalog.clone();
        let record = Record::find(&catalog, id).unwrap();
        let changes = quotebot::core::edit::remove_with_references(&catalog, &record);
        assert!(changes.len() > 1, "{id} has referrers");
        app.apply(changes, ACTOR, now()).unwrap();
        // A restart in between: the audit log alone carries what undo needs.
        drop(app);
        let app = App::open(data.clone(), state.clone()).unwrap();
        app.undo(None, ACTOR, now()).unwrap();
        assert_eq!(
            std::fs::read_to_string(data.join("facts.toml")).unwrap(),
            facts,
            "{id}: facts.toml after remove + undo"
        );
        assert_eq!(
            std::fs::read_to_string(data.join("quotes.toml")).unwrap(),
            quotes,
            "{id}: quotes.toml after remove + undo"
        );
    }
}

#[test]
fn a_figure_with_anything_after_its_closing_brace_is_refused_not_silently_cut() {
    use quotebot::core::moderation::parse_figure;
    for typed in [
        "value = 1 }\nunit = { a = 1",
        "value = 1, unit = \"USD\" }\n[evil]\nk = {",
        "{ value = 1 } qualifier = { x = 1",
    ] {
        let error = parse_figure(typed).expect_err(typed);
        assert_eq!(error.field, "Figure", "{typed}");
    }
    // The table itself still reads, braces or not.
    let f = parse_figure("{ value = 2, unit = \"USD\" }")
        .unwrap()
        .unwrap();
    assert_eq!((f.value, f.unit.as_deref()), (2.0, Some("USD")));
}

#[test]
fn a_data_directory_locked_by_another_process_refuses_a_change_after_a_bounded_wait_instead_of_hanging()
 {
    let (_dir, data, state) = workspace();
    let before = std::fs::read(data.join("quotes.toml")).unwrap();
    let app = App::open(data.clone(), state.clone()).unwrap();
    app.set_lock_wait(std::time::Duration::from_millis(100));
    // Another process's lock: a separate open of the directory, as a second process has.
    let other = std::fs::File::open(&data).unwrap();
    other.lock().unwrap();
    let result = add_quote(&app, "while-locked");
    assert!(matches!(result, Err(ApplyError::Busy(_))), "{result:?}");
    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("locked by another process")
    );
    assert_eq!(std::fs::read(data.join("quotes.toml")).unwrap(), before);
    // The writer is not stuck: readers and the next change go through once it is released.
    assert_eq!(app.audit().unwrap().len(), 0);
    other.unlock().unwrap();
    add_quote(&app, "after-release").unwrap();
}

#[test]
fn a_write_failing_on_the_second_file_of_a_step_puts_the_first_back_so_nothing_is_saved_unaudited()
{
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state.clone()).unwrap();
    let catalog = app.snapshot().catalog.clone();
    let fact = Record::find(&catalog, "us-second-largest-investor-in-rok").unwrap();
    let changes = quotebot::core::edit::remove_with_references(&catalog, &fact);
    let files = ["quotes.toml", "facts.toml"].map(|f| std::fs::read(data.join(f)).unwrap());
    let renames = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = renames.clone();
    app.set_write_hook(move |step| {
        // The first file is renamed into place; the second fails before its rename.
        if step == WriteStep::TempSynced && count.load(std::sync::atomic::Ordering::SeqCst) == 1 {
            return Err(io::Error::other("disk full"));
        }
        if step == WriteStep::Renamed {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    });
    let result = app.apply(changes, ACTOR, now());
    assert!(matches!(result, Err(ApplyError::Io(_))), "{result:?}");
    assert_eq!(renames.load(std::sync::atomic::Ordering::SeqCst), 1);
    for (name, before) in ["quotes.toml", "facts.toml"].iter().zip(&files) {
        assert_eq!(
            &std::fs::read(data.join(name)).unwrap(),
            before,
            "{name} is as it was"
        );
    }
    assert!(
        app.audit().unwrap().is_empty(),
        "nothing saved, nothing audited"
    );
    assert_eq!(
        Record::find(&app.snapshot().catalog, "us-second-largest-investor-in-rok"),
        Some(fact)
    );
}

#[test]
fn a_change_whose_audit_line_cannot_be_written_is_put_back_and_refused_so_undo_never_skips_it() {
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state.clone()).unwrap();
    add_quote(&app, "logged-first").unwrap();
    let catalog = app.snapshot().catalog.clone();
    let fact = Record::find(&catalog, "us-second-largest-investor-in-rok").unwrap();
    let changes = quotebot::core::edit::remove_with_references(&catalog, &fact);
    let files = ["quotes.toml", "facts.toml"].map(|f| std::fs::read(data.join(f)).unwrap());
    app.set_write_hook(|step| {
        if step == WriteStep::AuditAppend {
            Err(io::Error::other("no space left on device"))
        } else {
            Ok(())
        }
    });
    let result = app.apply(changes, ACTOR, now());
    assert!(matches!(result, Err(ApplyError::Io(_))), "{result:?}");
    for (name, before) in ["quotes.toml", "facts.toml"].iter().zip(&files) {
        assert_eq!(
            &std::fs::read(data.join(name)).unwrap(),
            before,
            "{name} is as it was"
        );
    }
    assert!(Record::find(&app.snapshot().catalog, "us-second-largest-investor-in-rok").is_some());
    assert_eq!(app.audit().unwrap().len(), 1);
    // Undo still means the last change that was really made.
    app.set_write_hook(|_| Ok(()));
    let undone = app.undo(None, ACTOR, now()).unwrap();
    assert_eq!(undone[0].id(), "logged-first");
}

#[test]
fn what_a_moderator_is_told_of_a_refused_change_names_no_path() {
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state).unwrap();
    app.set_write_hook(|_| Err(io::Error::other("disk on fire")));
    let error = app
        .apply(
            vec![Change::add(Record::Quote(quote("never-written", "Words.")))],
            ACTOR,
            now(),
        )
        .unwrap_err();
    let path = data.display().to_string();
    assert!(
        error.to_string().contains(&path),
        "the operator's message names the file: {error}"
    );
    let brief = error.brief();
    assert!(!brief.contains(&path), "{brief}");
    assert!(!brief.contains("disk on fire"), "{brief}");
    assert!(brief.contains("nothing was lost"), "{brief}");
}

#[test]
fn a_log_rotated_or_garbled_while_a_step_is_written_is_read_again_not_trusted_from_the_cache() {
    for change in ["rotated", "garbled"] {
        let (_dir, data, state) = workspace();
        let app = App::open(data.clone(), state.clone()).unwrap();
        add_quote(&app, "logged-first").unwrap();
        assert_eq!(app.audit().unwrap().len(), 1, "the cache is warm");
        // Behind the app's back, after the step read the log and before it appends.
        let log = state.join("audit.jsonl");
        app.set_write_hook(move |step| {
            if step == WriteStep::AuditAppend {
                match change {
                    "rotated" => std::fs::rename(&log, log.with_extension("jsonl.1"))?,
                    _ => {
                        let good = std::fs::read_to_string(&log)?;
                        std::fs::write(&log, format!("{good}not json at all\n"))?;
                    }
                }
            }
            Ok(())
        });
        add_quote(&app, "logged-second").unwrap();
        app.set_write_hook(|_| Ok(()));
        let audit = app.audit();
        if change == "rotated" {
            let ids: Vec<String> = audit.unwrap().iter().map(|e| e.id().to_owned()).collect();
            assert_eq!(ids, ["logged-second"], "the log holds only the new entry");
            let undone = app.undo(Some(1), ACTOR, now());
            assert!(
                matches!(undone, Err(ApplyError::NoSuchChange(1))),
                "undo acts only on the log's entries: {undone:?}"
            );
        } else {
            assert!(matches!(audit, Err(ApplyError::Audit(_))), "{audit:?}");
            let undone = app.undo(None, ACTOR, now());
            assert!(matches!(undone, Err(ApplyError::Audit(_))), "{undone:?}");
        }
    }
}

#[test]
fn an_append_that_fails_after_writing_cuts_its_lines_back_out_of_the_log() {
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state.clone()).unwrap();
    add_quote(&app, "logged-first").unwrap();
    let log = state.join("audit.jsonl");
    let before = std::fs::read(&log).unwrap();
    app.set_write_hook(|step| {
        if step == WriteStep::AuditWritten {
            Err(io::Error::other("the disk failed the sync"))
        } else {
            Ok(())
        }
    });
    let result = add_quote(&app, "never-made");
    assert!(matches!(result, Err(ApplyError::Io(_))), "{result:?}");
    assert_eq!(std::fs::read(&log).unwrap(), before, "the log is as it was");
    assert!(app.snapshot().catalog.quote("never-made").is_none());
    let ids: Vec<String> = app
        .audit()
        .unwrap()
        .iter()
        .map(|e| e.id().to_owned())
        .collect();
    assert_eq!(
        ids,
        ["logged-first"],
        "history shows no change that was not made"
    );
}
