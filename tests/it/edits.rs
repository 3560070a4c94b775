//! Changes to the database: atomic, audited, reversible, never losing a hand edit.

use std::io;
use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use proptest::prelude::*;

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
        let result = app.apply(vec![change], ACTOR, now(), None);
        assert!(
            matches!(result, Err(ApplyError::Io(_))),
            "{step:?}: {result:?}"
        );
        let after = std::fs::read(data.join("quotes.toml")).unwrap();
        let reparsed = quotebot::store::load_catalog(&data).expect("still a valid database");
        if step == WriteStep::Renamed {
            assert_ne!(after, old, "{step:?}: the rename happened");
            assert!(reparsed.quote("new-one").is_some());
        } else {
            assert_eq!(after, old, "{step:?}: untouched");
        }
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
                    None,
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
fn undo_applies_the_inverse_as_a_new_change_and_a_stale_edit_is_refused() {
    let (_dir, data, state) = workspace();
    let app = App::open(data.clone(), state.clone()).unwrap();
    let added = app
        .apply(
            vec![Change::add(Record::Quote(quote("undo-me", "Short-lived.")))],
            ACTOR,
            now(),
            None,
        )
        .unwrap();
    assert_eq!(added[0].revision, 1);
    let undone = app.undo(None, ACTOR, now()).unwrap();
    assert_eq!(undone[0].revision, 2);
    assert_eq!(undone[0].undo_of, Some(1));
    assert_eq!(undone[0].action, Action::Remove);
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
        None,
    )
    .unwrap();
    let stale = app.apply(
        vec![Change::edit(
            current,
            Record::Quote(quote("undo-me", "Edited twice.")),
        )],
        ACTOR,
        now(),
        None,
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
        None,
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
        None,
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_valid_records_serialize_and_parse_back_unchanged_with_comments_kept(
        quotes in proptest::collection::vec(
            ("[a-z0-9][a-z0-9-]{0,20}", "\\PC{1,80}", proptest::option::of("\\PC{1,30}"), proptest::bool::ANY,
             proptest::collection::vec("[a-z][a-z-]{0,10}", 0..3)),
            1..6)
    ) {
        let speakers = "# Who said it\n[[speaker]]\nid = \"s\"  # the only one\nname = \"Sam\"\n".to_string();
        let sources = "[[source]]\nid = \"src\"\ntitle = \"T\"\n".to_string();
        let texts = [speakers.clone(), sources.clone(), "# Quotes, curated.\n".to_string(), "# none\n".to_string()];
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
                date: None, context, topics, related: vec![],
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
            .map(|c| format!("{:?} {}", c.action, c.id()))
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
    let Some(Record::Quote(q)) = &changes[2].after else {
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
    let entries = app.apply(changes, ACTOR, now(), None).unwrap();
    assert_eq!(entries.len(), 2, "the new source, then the fact");
    let catalog = quotebot::store::load_catalog(&data).unwrap();
    let fact = catalog.fact(&entries[1].id).unwrap();
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
