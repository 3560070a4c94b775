//! The provenance forms (contract §4.1): what a moderator types about where a record comes
//! from, turned into a validated edit of that record. A speaker's form holds its dated roles
//! (one a line, "Title | from | until") and Wikidata id; a source's its archive copy, when it
//! was last checked and its language; a quote's or fact's its locator, status, status note,
//! evidence and language. Each form is filled in a syntax that reads back exactly, and a field
//! left as it was filled keeps the record's own value, never re-read; every field typed is
//! checked as the data files check it, with a message that says what to fix (for roles, which
//! line).

use super::catalog::Catalog;
use super::data::{check_language_tag, is_http_url, is_wikidata_id};
use super::edit::{Change, Record};
use super::limits::fit;
use super::model::{PartialDate, Provenance, Role, Source, Speaker, Status};
use super::moderation::{FormError, MAX_NAME, bad, date, field, required};
use super::schema::STATUSES;
use super::search::normalize::is_blank;

/// The longest locator: a paragraph, a page or a timestamp, never a passage.
pub const MAX_LOCATOR: usize = 200;
/// The longest status note.
pub const MAX_STATUS_NOTE: usize = 1000;
/// The most roles one form may list.
pub const MAX_ROLES: usize = 50;
/// The longest archive address (as long as a source's own address may be in its form).
pub const MAX_URL: usize = 400;
/// The longest language tag a form takes (RFC 5646 tags in use are far shorter).
pub const MAX_LANGUAGE: usize = 35;
/// The most evidence sources one form may list.
pub const MAX_EVIDENCE: usize = 20;

/// How a role line is written, shown with every problem in one.
pub const ROLE_LINE_HELP: &str = "write one role a line as “Title | from | until”, like “U.S. Secretary of State | 2021-01-26 | 2025-01-20”, leaving out “| until” for a role still held";

/// What a moderator typed in a speaker's provenance form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpeakerProvenanceForm {
    /// One role a line: "Title | from | until" (until left out while held).
    pub roles: String,
    pub wikidata: String,
}

/// What a moderator typed in a source's provenance form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceProvenanceForm {
    pub archive_url: String,
    pub accessed: String,
    pub language: String,
}

/// What a moderator typed in a quote's or fact's provenance form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryProvenanceForm {
    pub locator: String,
    pub status: String,
    pub status_note: String,
    /// Source ids, separated by commas.
    pub evidence: String,
    pub language: String,
}

/// Roles as the form shows them: one a line, "Title | from | until", or "Title | from" for a
/// role still held. A title with a bar in it gets a trailing bar, so its last bar is never
/// read as the one before a date: every role reads back as itself through [`parse_roles`].
pub fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|role| match (&role.until, role.title.contains('|')) {
            (Some(until), _) => format!("{} | {} | {until}", role.title, role.from),
            (None, false) => format!("{} | {}", role.title, role.from),
            (None, true) => format!("{} | {} |", role.title, role.from),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Roles from what a moderator typed, one a line (blank lines skipped): the last two bars
/// separate the dates when there are three parts or more, the one bar the start date when
/// there are two. Every problem names its line.
pub fn parse_roles(text: &str) -> Result<Vec<Role>, FormError> {
    let mut roles = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if is_blank(line) {
            continue;
        }
        let role = parse_role_line(line).map_err(|problem| {
            bad(
                "Roles",
                format!("line {} (“{}”): {problem}", index + 1, fit(line.trim(), 80)),
            )
        })?;
        roles.push(role);
    }
    if roles.len() > MAX_ROLES {
        return Err(bad(
            "Roles",
            format!("at most {MAX_ROLES} roles, one a line"),
        ));
    }
    Ok(roles)
}

fn parse_role_line(line: &str) -> Result<Role, String> {
    let parts: Vec<&str> = line.split('|').collect();
    let (title, from, until) = match parts.as_slice() {
        [_] => return Err(format!("has no start date: {ROLE_LINE_HELP}")),
        [title, from] => (title.to_string(), *from, ""),
        [title @ .., from, until] => (title.join("|"), *from, *until),
        [] => unreachable!("split yields at least one part"),
    };
    let title =
        required("Roles", &title, MAX_NAME).map_err(|e| format!("the title {}", e.message))?;
    let from = from.trim();
    if from.is_empty() {
        return Err(format!("has no start date: {ROLE_LINE_HELP}"));
    }
    let from = PartialDate::parse(from).map_err(|m| format!("the start date: {m}"))?;
    let until = match until.trim() {
        "" => None,
        until => Some(PartialDate::parse(until).map_err(|m| format!("the end date: {m}"))?),
    };
    if let Some(until) = until
        && until.wholly_before(&from)
    {
        return Err(format!(
            "ends ({until}) before it starts ({from}): a role cannot end before it starts"
        ));
    }
    Ok(Role { title, from, until })
}

/// An optional text field: empty means none; what is typed must show something and fit.
fn optional_text(name: &'static str, value: &str, max: usize) -> Result<Option<String>, FormError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    required(name, value, max).map(Some)
}

fn archive_url(value: &str) -> Result<Option<String>, FormError> {
    let Some(url) = optional_text("Archive URL", value, MAX_URL)? else {
        return Ok(None);
    };
    if !is_http_url(&url) {
        return Err(bad(
            "Archive URL",
            format!("“{}” is not an http:// or https:// address", fit(&url, 100)),
        ));
    }
    Ok(Some(url))
}

fn language(value: &str) -> Result<Option<String>, FormError> {
    let Some(tag) = optional_text("Language", value, MAX_LANGUAGE)? else {
        return Ok(None);
    };
    check_language_tag(&tag).map_err(|problem| {
        bad(
            "Language",
            format!(
                "“{}” is not a BCP 47 language tag like “en”, “ko” or “zh-Hant” ({problem})",
                fit(&tag, 40)
            ),
        )
    })?;
    Ok(Some(tag))
}

fn wikidata(value: &str) -> Result<Option<String>, FormError> {
    let Some(id) = optional_text("Wikidata", value, 20)? else {
        return Ok(None);
    };
    if !is_wikidata_id(&id) {
        return Err(bad(
            "Wikidata",
            format!(
                "“{}” is not a Wikidata item id: `Q` and digits, like “Q123”",
                fit(&id, 40)
            ),
        ));
    }
    Ok(Some(id))
}

fn status(value: &str) -> Result<Status, FormError> {
    let word = value.trim().to_lowercase();
    if word.is_empty() {
        return Ok(Status::default());
    }
    Status::parse(&word).ok_or_else(|| {
        bad(
            "Status",
            format!(
                "“{}” is not a status: write one of {}",
                fit(value.trim(), 40),
                STATUSES.join(", ")
            ),
        )
    })
}

/// Source ids separated by commas, semicolons, spaces or lines; each must name a source.
fn evidence(catalog: &Catalog, value: &str) -> Result<Vec<String>, FormError> {
    let mut ids: Vec<String> = Vec::new();
    for id in value
        .split([',', ';', '\n', ' '])
        .map(str::trim)
        .filter(|id| !is_blank(id))
    {
        if catalog.source(id).is_none() {
            let problem = match catalog.record(id) {
                Some(record) => format!("`{id}` is a {}, not a source", record.kind().noun()),
                None => format!("there is no source `{}`", fit(id, 80)),
            };
            return Err(bad("Evidence", problem));
        }
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_string());
        }
    }
    if ids.len() > MAX_EVIDENCE {
        return Err(bad("Evidence", format!("at most {MAX_EVIDENCE} sources")));
    }
    Ok(ids)
}

/// An edit of `before` into `after`, or no change at all when the form changed nothing.
fn edit_unless_same(before: Record, after: Record) -> Vec<Change> {
    if before == after {
        Vec::new()
    } else {
        vec![Change::edit(before, after)]
    }
}

impl SpeakerProvenanceForm {
    /// The form filled with a speaker's provenance.
    pub fn filled(speaker: &Speaker) -> SpeakerProvenanceForm {
        SpeakerProvenanceForm {
            roles: roles_text(&speaker.roles),
            wikidata: speaker.wikidata.clone().unwrap_or_default(),
        }
    }
}

impl SourceProvenanceForm {
    /// The form filled with a source's provenance.
    pub fn filled(source: &Source) -> SourceProvenanceForm {
        SourceProvenanceForm {
            archive_url: source.archive_url.clone().unwrap_or_default(),
            accessed: source.accessed.map(|d| d.to_string()).unwrap_or_default(),
            language: source.language.clone().unwrap_or_default(),
        }
    }
}

impl EntryProvenanceForm {
    /// The form filled with a quote's or fact's provenance.
    pub fn filled(provenance: &Provenance) -> EntryProvenanceForm {
        EntryProvenanceForm {
            locator: provenance.locator.clone().unwrap_or_default(),
            status: provenance.status.as_str().to_string(),
            status_note: provenance.status_note.clone().unwrap_or_default(),
            evidence: provenance.evidence.join(", "),
            language: provenance.language.clone().unwrap_or_default(),
        }
    }
}

/// The change a speaker's provenance form makes (none when it changes nothing).
pub fn speaker_provenance_changes(
    form: &SpeakerProvenanceForm,
    existing: &Speaker,
) -> Result<Vec<Change>, FormError> {
    let filled = SpeakerProvenanceForm::filled(existing);
    let roles = field(
        &form.roles,
        Some(&filled.roles),
        || existing.roles.clone(),
        parse_roles,
    )?;
    let wikidata = field(
        &form.wikidata,
        Some(&filled.wikidata),
        || existing.wikidata.clone(),
        wikidata,
    )?;
    let after = Speaker {
        roles,
        wikidata,
        ..existing.clone()
    };
    Ok(edit_unless_same(
        Record::Speaker(existing.clone()),
        Record::Speaker(after),
    ))
}

/// The change a source's provenance form makes (none when it changes nothing).
pub fn source_provenance_changes(
    form: &SourceProvenanceForm,
    existing: &Source,
) -> Result<Vec<Change>, FormError> {
    let filled = SourceProvenanceForm::filled(existing);
    let archive_url = field(
        &form.archive_url,
        Some(&filled.archive_url),
        || existing.archive_url.clone(),
        archive_url,
    )?;
    let accessed = field(
        &form.accessed,
        Some(&filled.accessed),
        || existing.accessed,
        |d| date("Accessed", d),
    )?;
    let language = field(
        &form.language,
        Some(&filled.language),
        || existing.language.clone(),
        language,
    )?;
    let after = Source {
        archive_url,
        accessed,
        language,
        ..existing.clone()
    };
    Ok(edit_unless_same(
        Record::Source(existing.clone()),
        Record::Source(after),
    ))
}

/// The change a quote's or fact's provenance form makes (none when it changes nothing);
/// `existing` is the quote or fact, and anything else is no entry to edit.
pub fn entry_provenance_changes(
    catalog: &Catalog,
    form: &EntryProvenanceForm,
    existing: &Record,
) -> Result<Vec<Change>, FormError> {
    let old = match existing {
        Record::Quote(quote) => &quote.provenance,
        Record::Fact(fact) => &fact.provenance,
        other => {
            return Err(bad(
                "Record",
                format!(
                    "`{}` is a {}, not a quote or fact",
                    other.id(),
                    other.kind().noun()
                ),
            ));
        }
    };
    let filled = EntryProvenanceForm::filled(old);
    let locator = field(
        &form.locator,
        Some(&filled.locator),
        || old.locator.clone(),
        |l| optional_text("Locator", l, MAX_LOCATOR),
    )?;
    let status = field(&form.status, Some(&filled.status), || old.status, status)?;
    let status_note = field(
        &form.status_note,
        Some(&filled.status_note),
        || old.status_note.clone(),
        |n| optional_text("Status note", n, MAX_STATUS_NOTE),
    )?;
    if status.needs_note() && status_note.is_none() {
        return Err(bad(
            "Status note",
            format!(
                "is required when the status is {}: say why",
                status.as_str()
            ),
        ));
    }
    let evidence = field(
        &form.evidence,
        Some(&filled.evidence),
        || old.evidence.clone(),
        |e| evidence(catalog, e),
    )?;
    let language = field(
        &form.language,
        Some(&filled.language),
        || old.language.clone(),
        language,
    )?;
    let provenance = Provenance {
        locator,
        status,
        status_note,
        evidence,
        language,
        ..old.clone()
    };
    let after = match existing {
        Record::Quote(quote) => Record::Quote(super::model::Quote {
            provenance,
            ..quote.clone()
        }),
        Record::Fact(fact) => Record::Fact(super::model::Fact {
            provenance,
            ..fact.clone()
        }),
        _ => unreachable!("only quotes and facts reach here"),
    };
    Ok(edit_unless_same(existing.clone(), after))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> PartialDate {
        PartialDate::parse(text).unwrap()
    }

    #[test]
    fn roles_read_back_exactly_as_the_form_shows_them() {
        let roles = vec![
            Role {
                title: "U.S. Secretary of State".into(),
                from: day("2021-01-26"),
                until: Some(day("2025-01-20")),
            },
            Role {
                title: "외교부 장관".into(),
                from: day("2024-01"),
                until: None,
            },
            Role {
                title: "Chair | Board 🙂".into(),
                from: day("2019"),
                until: None,
            },
            Role {
                title: "وزير الخارجية".into(),
                from: day("2020"),
                until: Some(day("2020")),
            },
        ];
        let text = roles_text(&roles);
        assert_eq!(
            text,
            "U.S. Secretary of State | 2021-01-26 | 2025-01-20\n외교부 장관 | 2024-01\nChair | Board 🙂 | 2019 |\nوزير الخارجية | 2020 | 2020"
        );
        assert_eq!(parse_roles(&text).unwrap(), roles);
        assert_eq!(parse_roles("").unwrap(), Vec::<Role>::new());
        assert_eq!(parse_roles("\n  \n\u{200B}\n").unwrap(), Vec::<Role>::new());
    }

    #[test]
    fn a_bad_role_line_is_named_with_what_is_wrong() {
        // (typed, the words the message must hold)
        let cases: &[(&str, &[&str])] = &[
            (
                "Ambassador",
                &["line 1", "has no start date", "Title | from | until"],
            ),
            ("Ambassador |", &["line 1", "has no start date"]),
            (
                "A | 2021\nB | 2025-01-20 | 2021-01-26",
                &["line 2", "ends (2021-01-26) before it starts (2025-01-20)"],
            ),
            ("A | 2021\n\nB | 2021년", &["line 3", "the start date"]),
            ("A | 2021 | 🙂", &["line 1", "the end date"]),
            (" | 2021", &["line 1", "the title is required"]),
            ("\u{200B} | 2021", &["line 1", "the title is required"]),
            ("A | 2021-13-01", &["line 1", "the start date"]),
        ];
        for (typed, wanted) in cases {
            let error = parse_roles(typed).unwrap_err();
            assert_eq!(error.field, "Roles", "{typed:?}");
            for word in *wanted {
                assert!(error.message.contains(word), "{typed:?}: {error}");
            }
        }
        let long = format!("{} | 2021", "장".repeat(MAX_NAME + 1));
        assert!(
            parse_roles(&long)
                .unwrap_err()
                .message
                .contains("longer than 200")
        );
        let many = "A | 2021\n".repeat(MAX_ROLES + 1);
        assert!(parse_roles(&many).unwrap_err().message.contains("at most"));
    }

    fn speaker() -> Speaker {
        Speaker {
            id: "s".into(),
            name: "Sam".into(),
            role: None,
            aliases: Vec::new(),
            roles: vec![Role {
                title: "Chair".into(),
                from: day("2020"),
                until: None,
            }],
            wikidata: None,
        }
    }

    #[test]
    fn a_speaker_form_left_as_filled_changes_nothing_and_a_typed_role_is_an_edit() {
        let speaker = speaker();
        let form = SpeakerProvenanceForm::filled(&speaker);
        assert!(
            speaker_provenance_changes(&form, &speaker)
                .unwrap()
                .is_empty()
        );
        let typed = SpeakerProvenanceForm {
            roles: "Chair | 2020 | 2024-06\nEnvoy | 2024-07".into(),
            wikidata: "Q42".into(),
        };
        let changes = speaker_provenance_changes(&typed, &speaker).unwrap();
        let Some(Record::Speaker(after)) = changes[0].after() else {
            panic!("{changes:?}");
        };
        assert_eq!(after.roles.len(), 2);
        assert_eq!(after.roles[0].until, Some(day("2024-06")));
        assert_eq!(after.wikidata.as_deref(), Some("Q42"));
        for bad_id in ["42", "Q", "Q012", "q42", "Q４２"] {
            let form = SpeakerProvenanceForm {
                wikidata: bad_id.into(),
                ..form.clone()
            };
            let error = speaker_provenance_changes(&form, &speaker).unwrap_err();
            assert_eq!(error.field, "Wikidata", "{bad_id}");
        }
    }

    #[test]
    fn a_source_form_checks_the_archive_address_date_and_language() {
        let source = Source {
            id: "src".into(),
            title: "T".into(),
            outlet: None,
            url: None,
            published: None,
            archive_url: None,
            accessed: None,
            language: None,
        };
        let form = SourceProvenanceForm {
            archive_url: "https://web.archive.org/web/2025/https://example.org/".into(),
            accessed: "2025-01-08".into(),
            language: "ko".into(),
        };
        let changes = source_provenance_changes(&form, &source).unwrap();
        let Some(Record::Source(after)) = changes[0].after() else {
            panic!("{changes:?}");
        };
        assert_eq!(after.accessed, Some(day("2025-01-08")));
        // (field typed into, value, the field the error names)
        let cases: &[(&str, &str, &str)] = &[
            ("archive_url", "ftp://example.org/copy", "Archive URL"),
            ("archive_url", "web.archive.org/x", "Archive URL"),
            ("archive_url", "\u{200F}https://example.org/", "Archive URL"),
            ("archive_url", "https://example.org/ 🙂", "Archive URL"),
            ("archive_url", "\u{200B}", "Archive URL"),
            ("accessed", "2025년 1월 8일", "Accessed"),
            ("accessed", "yesterday", "Accessed"),
            ("language", "한국어", "Language"),
            ("language", "english", "Language"),
            ("language", "🙂", "Language"),
        ];
        for (name, value, wanted) in cases {
            let mut form = form.clone();
            match *name {
                "archive_url" => form.archive_url = value.to_string(),
                "accessed" => form.accessed = value.to_string(),
                _ => form.language = value.to_string(),
            }
            let error = source_provenance_changes(&form, &source).unwrap_err();
            assert_eq!(error.field, *wanted, "{name} = {value:?}: {error}");
        }
    }

    #[test]
    fn an_entry_form_checks_locator_status_note_and_evidence() {
        let catalog = crate::core::data::DataFiles::named(&[
            "[[speaker]]\nid = \"s\"\nname = \"Sam\"\n".to_string(),
            "[[source]]\nid = \"src\"\ntitle = \"A Title\"\n".to_string(),
            "[[quote]]\nid = \"q\"\ntext = \"Words.\"\nspeaker = \"s\"\nsource = \"src\"\n"
                .to_string(),
            String::new(),
            String::new(),
            String::new(),
        ])
        .parse()
        .unwrap();
        let quote = Record::find(&catalog, "q").unwrap();
        let filled = EntryProvenanceForm::filled(&Provenance::default());
        assert_eq!(filled.status, "sourced");
        assert!(
            entry_provenance_changes(&catalog, &filled, &quote)
                .unwrap()
                .is_empty()
        );
        let typed = EntryProvenanceForm {
            locator: "3번째 문단".into(),
            status: "Disputed".into(),
            status_note: "The transcript differs.".into(),
            evidence: "src".into(),
            language: "en".into(),
        };
        let changes = entry_provenance_changes(&catalog, &typed, &quote).unwrap();
        let Some(Record::Quote(after)) = changes[0].after() else {
            panic!("{changes:?}");
        };
        assert_eq!(after.provenance.locator.as_deref(), Some("3번째 문단"));
        assert_eq!(after.provenance.status, Status::Disputed);
        let cases: Vec<(EntryProvenanceForm, &str, &str)> = vec![
            (
                EntryProvenanceForm {
                    locator: "x".repeat(5000),
                    ..typed.clone()
                },
                "Locator",
                "longer than 200",
            ),
            (
                EntryProvenanceForm {
                    status_note: String::new(),
                    ..typed.clone()
                },
                "Status note",
                "is required when the status is disputed",
            ),
            (
                EntryProvenanceForm {
                    status: "확인됨".into(),
                    ..typed.clone()
                },
                "Status",
                "sourced, verified, disputed, misattributed",
            ),
            (
                EntryProvenanceForm {
                    evidence: "src, s".into(),
                    ..typed.clone()
                },
                "Evidence",
                "`s` is a speaker, not a source",
            ),
            (
                EntryProvenanceForm {
                    evidence: "nowhere".into(),
                    ..typed.clone()
                },
                "Evidence",
                "there is no source `nowhere`",
            ),
        ];
        for (form, field, words) in cases {
            let error = entry_provenance_changes(&catalog, &form, &quote).unwrap_err();
            assert_eq!(error.field, field, "{error}");
            assert!(error.message.contains(words), "{error}");
        }
    }
}
