//! Changes to the curated database, applied to the files' text so that everything a person
//! wrote by hand (comments, order, formatting) survives.
//!
//! A [`Change`] adds, edits or removes one record; it carries the record as it was (`before`)
//! and as it will be (`after`), which makes every change checkable (the current record must be
//! exactly `before`, or the edit is stale) and reversible (the inverse swaps them). Applying
//! changes yields new texts for the four files; the caller re-validates the whole catalog from
//! those texts before writing anything.

use serde::{Deserialize, Serialize};
use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::catalog::Catalog;
use super::data::{DataFile, DataFiles, FILE_NAMES, parse_catalog};
use super::diag::Diagnostic;
use super::model::{Fact, Figure, Quote, QuoteKind, Source, Speaker};

/// Any record of the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Record {
    Speaker(Speaker),
    Source(Source),
    Quote(Quote),
    Fact(Fact),
}

impl Record {
    pub fn id(&self) -> &str {
        match self {
            Record::Speaker(r) => &r.id,
            Record::Source(r) => &r.id,
            Record::Quote(r) => &r.id,
            Record::Fact(r) => &r.id,
        }
    }

    /// The file (index into [`FILE_NAMES`]) and table name the record lives in.
    pub fn place(&self) -> (usize, &'static str) {
        match self {
            Record::Speaker(_) => (0, "speaker"),
            Record::Source(_) => (1, "source"),
            Record::Quote(_) => (2, "quote"),
            Record::Fact(_) => (3, "fact"),
        }
    }

    /// The record with this id in the catalog, of any kind.
    pub fn find(catalog: &Catalog, id: &str) -> Option<Record> {
        catalog
            .speaker(id)
            .map(|r| Record::Speaker(r.clone()))
            .or_else(|| catalog.source(id).map(|r| Record::Source(r.clone())))
            .or_else(|| catalog.quote(id).map(|r| Record::Quote(r.clone())))
            .or_else(|| catalog.fact(id).map(|r| Record::Fact(r.clone())))
    }

    /// The record's fields as TOML values, in the order the contract lists them; `None` for
    /// an absent optional field.
    fn fields(&self) -> Vec<(&'static str, Option<Value>)> {
        fn text(s: &str) -> Option<Value> {
            Some(Value::from(s))
        }
        fn opt(s: &Option<String>) -> Option<Value> {
            s.as_deref().map(Value::from)
        }
        fn list(items: &[String]) -> Option<Value> {
            (!items.is_empty()).then(|| Value::Array(items.iter().map(String::as_str).collect()))
        }
        fn date(d: &Option<super::model::PartialDate>) -> Option<Value> {
            d.map(|d| Value::from(d.to_string()))
        }
        match self {
            Record::Speaker(s) => vec![
                ("id", text(&s.id)),
                ("name", text(&s.name)),
                ("role", opt(&s.role)),
                ("aliases", list(&s.aliases)),
            ],
            Record::Source(s) => vec![
                ("id", text(&s.id)),
                ("title", text(&s.title)),
                ("outlet", opt(&s.outlet)),
                ("url", opt(&s.url)),
                ("published", date(&s.published)),
            ],
            Record::Quote(q) => vec![
                ("id", text(&q.id)),
                ("text", text(&q.text)),
                ("speaker", text(&q.speaker)),
                ("source", text(&q.source)),
                (
                    "kind",
                    (q.kind == QuoteKind::Paraphrase).then(|| Value::from("paraphrase")),
                ),
                ("date", date(&q.date)),
                ("context", opt(&q.context)),
                ("topics", list(&q.topics)),
                ("related", list(&q.related)),
            ],
            Record::Fact(f) => vec![
                ("id", text(&f.id)),
                ("text", text(&f.text)),
                ("source", text(&f.source)),
                ("as_of", date(&f.as_of)),
                ("topics", list(&f.topics)),
                ("figure", f.figure.as_ref().map(figure_value)),
                ("related", list(&f.related)),
            ],
        }
    }
}

fn number_value(value: f64) -> Value {
    // Whole numbers are written as integers, as a person would.
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

fn figure_value(figure: &Figure) -> Value {
    let mut table = InlineTable::new();
    table.insert("value", number_value(figure.value));
    if let Some(unit) = &figure.unit {
        table.insert("unit", Value::from(unit.as_str()));
    }
    if let Some(qualifier) = &figure.qualifier {
        table.insert("qualifier", Value::from(qualifier.as_str()));
    }
    Value::InlineTable(table)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Add,
    Edit,
    Remove,
}

/// One record added, edited or removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub action: Action,
    pub before: Option<Record>,
    pub after: Option<Record>,
}

impl Change {
    pub fn add(record: Record) -> Change {
        Change {
            action: Action::Add,
            before: None,
            after: Some(record),
        }
    }

    pub fn edit(before: Record, after: Record) -> Change {
        Change {
            action: Action::Edit,
            before: Some(before),
            after: Some(after),
        }
    }

    pub fn remove(before: Record) -> Change {
        Change {
            action: Action::Remove,
            before: Some(before),
            after: None,
        }
    }

    pub fn id(&self) -> &str {
        self.after
            .as_ref()
            .or(self.before.as_ref())
            .map_or("", Record::id)
    }

    /// The change that undoes this one.
    pub fn inverse(&self) -> Change {
        Change {
            action: match self.action {
                Action::Add => Action::Remove,
                Action::Remove => Action::Add,
                Action::Edit => Action::Edit,
            },
            before: self.after.clone(),
            after: self.before.clone(),
        }
    }
}

/// One line of the audit log: who changed what, when, from what to what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The change id: 1 for the first change ever made, then one more for each.
    pub revision: u64,
    /// RFC 3339.
    pub time: String,
    pub actor: u64,
    pub guild: Option<u64>,
    pub action: Action,
    pub id: String,
    pub before: Option<Record>,
    pub after: Option<Record>,
    /// The change this one undid, if it is an undo.
    #[serde(default)]
    pub undo_of: Option<u64>,
}

impl AuditEntry {
    pub fn change(&self) -> Change {
        Change {
            action: self.action,
            before: self.before.clone(),
            after: self.after.clone(),
        }
    }
}

/// Why a change cannot be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    #[error("`{0}` does not exist")]
    NotFound(String),
    #[error("the id `{0}` is already taken")]
    Taken(String),
    #[error("`{0}` was changed since you opened it; open it again")]
    Stale(String),
    #[error("an edit cannot change an id (`{0}` → `{1}`)")]
    IdChanged(String, String),
    #[error("{file} cannot be parsed as TOML: {message}")]
    Malformed { file: &'static str, message: String },
    #[error("the change would make the database invalid: {}", first_message(.0))]
    Invalid(Vec<Diagnostic>),
}

fn first_message(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .first()
        .map_or_else(String::new, |d| d.message.clone())
}

/// Checks that each change starts from the catalog as it is: added ids are free, edited and
/// removed records are exactly as the moderator saw them.
pub fn check(catalog: &Catalog, changes: &[Change]) -> Result<(), EditError> {
    let mut added: Vec<&str> = Vec::new();
    for change in changes {
        match (&change.before, &change.after) {
            (None, Some(after)) => {
                if catalog.contains_id(after.id()) || added.contains(&after.id()) {
                    return Err(EditError::Taken(after.id().to_string()));
                }
                added.push(after.id());
            }
            (Some(before), after) => {
                if let Some(after) = after
                    && after.id() != before.id()
                {
                    return Err(EditError::IdChanged(
                        before.id().to_string(),
                        after.id().to_string(),
                    ));
                }
                match Record::find(catalog, before.id()) {
                    None => return Err(EditError::NotFound(before.id().to_string())),
                    Some(current) if current != *before => {
                        return Err(EditError::Stale(before.id().to_string()));
                    }
                    Some(_) => {}
                }
            }
            (None, None) => {}
        }
    }
    Ok(())
}

/// Applies changes to the four files' texts (speakers, sources, quotes, facts), keeping
/// everything else in them as it was. Only the texts of touched files change.
pub fn apply_to_texts(texts: &[String; 4], changes: &[Change]) -> Result<[String; 4], EditError> {
    let mut out = texts.clone();
    for change in changes {
        let record = change.after.as_ref().or(change.before.as_ref());
        let Some(record) = record else { continue };
        let (file, table) = record.place();
        let mut doc: DocumentMut =
            out[file]
                .parse()
                .map_err(|e: toml_edit::TomlError| EditError::Malformed {
                    file: FILE_NAMES[file],
                    message: e.message().to_string(),
                })?;
        match (&change.before, &change.after) {
            (None, Some(after)) => add(&mut doc, table, after),
            (Some(before), Some(after)) => {
                let element = find_mut(&mut doc, table, before.id())
                    .ok_or_else(|| EditError::NotFound(before.id().to_string()))?;
                update(element, before, after);
            }
            (Some(before), None) => {
                let array = array_mut(&mut doc, table)
                    .ok_or_else(|| EditError::NotFound(before.id().to_string()))?;
                let index = position(array, before.id())
                    .ok_or_else(|| EditError::NotFound(before.id().to_string()))?;
                array.remove(index);
            }
            (None, None) => {}
        }
        out[file] = doc.to_string();
    }
    Ok(out)
}

/// Applies changes and re-validates the whole database from the new texts.
pub fn apply(
    catalog: &Catalog,
    texts: &[String; 4],
    changes: &[Change],
) -> Result<([String; 4], Catalog), EditError> {
    check(catalog, changes)?;
    let new_texts = apply_to_texts(texts, changes)?;
    let file = |i: usize| DataFile {
        path: FILE_NAMES[i],
        text: &new_texts[i],
    };
    let catalog = parse_catalog(&DataFiles {
        speakers: file(0),
        sources: file(1),
        quotes: file(2),
        facts: file(3),
    })
    .map_err(EditError::Invalid)?;
    Ok((new_texts, catalog))
}

fn array_mut<'d>(doc: &'d mut DocumentMut, table: &str) -> Option<&'d mut ArrayOfTables> {
    doc.get_mut(table).and_then(Item::as_array_of_tables_mut)
}

fn position(array: &ArrayOfTables, id: &str) -> Option<usize> {
    array
        .iter()
        .position(|t| t.get("id").and_then(Item::as_str) == Some(id))
}

fn find_mut<'d>(doc: &'d mut DocumentMut, table: &str, id: &str) -> Option<&'d mut Table> {
    let array = array_mut(doc, table)?;
    let index = position(array, id)?;
    array.get_mut(index)
}

fn add(doc: &mut DocumentMut, table: &str, record: &Record) {
    let mut new = Table::new();
    for (key, value) in record.fields() {
        if let Some(value) = value {
            new.insert(key, Item::Value(value));
        }
    }
    // A blank line between tables, as in the curated files.
    new.decor_mut().set_prefix("\n");
    match array_mut(doc, table) {
        Some(array) => array.push(new),
        None => {
            // In a file with no tables yet, its comments are the document's trailing text;
            // they stay above the first table rather than drifting below it.
            let trailing = doc.trailing().as_str().unwrap_or("").to_string();
            if !trailing.trim().is_empty() {
                new.decor_mut()
                    .set_prefix(format!("{}\n", trailing.trim_end()) + "\n");
                doc.set_trailing("");
            }
            let mut array = ArrayOfTables::new();
            array.push(new);
            doc.insert(table, Item::ArrayOfTables(array));
        }
    }
}

/// Changes only the fields that differ, so untouched lines keep their formatting.
fn update(element: &mut Table, before: &Record, after: &Record) {
    let old = before.fields();
    for (key, value) in after.fields() {
        let unchanged = old
            .iter()
            .find(|(k, _)| *k == key)
            .is_some_and(|(_, v)| same(v.as_ref(), value.as_ref()));
        if unchanged {
            continue;
        }
        match value {
            Some(value) => {
                element.insert(key, Item::Value(value));
            }
            None => {
                element.remove(key);
            }
        }
    }
}

fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.to_string().trim() == b.to_string().trim(),
        _ => false,
    }
}

/// An empty database's texts, with a comment heading each file.
pub fn empty_texts() -> [String; 4] {
    FILE_NAMES.map(|name| format!("# {name}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts() -> [String; 4] {
        [
            "# Speakers, curated by hand.\n\n[[speaker]]\nid = \"s\"   # keep me\nname = \"Sam\"\n".into(),
            "[[source]]\nid = \"src\"\ntitle = \"A Title\"\n".into(),
            "# Quotes\n\n[[quote]]\nid = \"q1\"\ntext = \"First words.\"  # as published\nspeaker = \"s\"\nsource = \"src\"\ntopics = [\"a\", \"b\"]\n\n# The second one\n[[quote]]\nid = \"q2\"\ntext = \"Second words.\"\nspeaker = \"s\"\nsource = \"src\"\n".into(),
            "# no facts yet\n".into(),
        ]
    }

    fn catalog(texts: &[String; 4]) -> Catalog {
        let file = |i: usize| DataFile {
            path: FILE_NAMES[i],
            text: &texts[i],
        };
        parse_catalog(&DataFiles {
            speakers: file(0),
            sources: file(1),
            quotes: file(2),
            facts: file(3),
        })
        .unwrap()
    }

    fn quote(id: &str, text: &str) -> Quote {
        Quote {
            id: id.into(),
            text: text.into(),
            speaker: "s".into(),
            source: "src".into(),
            kind: QuoteKind::Verbatim,
            date: None,
            context: None,
            topics: vec![],
            related: vec![],
        }
    }

    #[test]
    fn adding_keeps_every_comment_and_line_of_the_file() {
        let texts = texts();
        let before = catalog(&texts);
        let change = Change::add(Record::Quote(quote("q3", "Third [sic] words ...")));
        let (new, after) = apply(&before, &texts, &[change]).unwrap();
        assert!(new[2].starts_with(&texts[2]), "appended only:\n{}", new[2]);
        assert!(new[2].contains("[[quote]]\nid = \"q3\"\ntext = \"Third [sic] words ...\""));
        assert_eq!(new[0], texts[0]);
        assert_eq!(after.quotes().len(), 3);
    }

    #[test]
    fn editing_changes_only_the_changed_lines() {
        let texts = texts();
        let before = catalog(&texts);
        let old = Record::find(&before, "q1").unwrap();
        let Record::Quote(mut q) = old.clone() else {
            panic!()
        };
        q.topics = vec!["a".into()];
        q.date = Some(super::super::model::PartialDate::parse("2025-01").unwrap());
        let (new, after) = apply(&before, &texts, &[Change::edit(old, Record::Quote(q))]).unwrap();
        assert!(
            new[2].contains("text = \"First words.\"  # as published"),
            "{}",
            new[2]
        );
        assert!(new[2].contains("# The second one"));
        assert_eq!(after.quote("q1").unwrap().topics, vec!["a"]);
        assert_eq!(
            after.quote("q1").unwrap().date.unwrap().to_string(),
            "2025-01"
        );
    }

    #[test]
    fn removing_and_undoing_restore_the_record() {
        let texts = texts();
        let before = catalog(&texts);
        let old = Record::find(&before, "q2").unwrap();
        let remove = Change::remove(old.clone());
        let (removed, after) = apply(&before, &texts, std::slice::from_ref(&remove)).unwrap();
        assert!(after.quote("q2").is_none());
        assert!(removed[2].contains("text = \"First words.\"  # as published"));
        let (_, restored) = apply(&after, &removed, &[remove.inverse()]).unwrap();
        assert_eq!(Record::find(&restored, "q2"), Some(old));
    }

    #[test]
    fn stale_taken_missing_and_invalid_changes_are_refused() {
        let texts = texts();
        let before = catalog(&texts);
        let taken = Change::add(Record::Quote(quote("q1", "x")));
        assert_eq!(
            apply(&before, &texts, &[taken]).unwrap_err(),
            EditError::Taken("q1".into())
        );
        let stale = Change::edit(
            Record::Quote(quote("q1", "not what is there")),
            Record::Quote(quote("q1", "y")),
        );
        assert_eq!(
            apply(&before, &texts, &[stale]).unwrap_err(),
            EditError::Stale("q1".into())
        );
        let missing = Change::remove(Record::Quote(quote("nope", "x")));
        assert_eq!(
            apply(&before, &texts, &[missing]).unwrap_err(),
            EditError::NotFound("nope".into())
        );
        let mut dangling = quote("q9", "x");
        dangling.speaker = "ghost".into();
        let err = apply(&before, &texts, &[Change::add(Record::Quote(dangling))]).unwrap_err();
        assert!(matches!(err, EditError::Invalid(_)), "{err}");
        // The speaker a quote needs can be created in the same change set.
        let speaker = Speaker {
            id: "ghost".into(),
            name: "Ghost".into(),
            role: None,
            aliases: vec![],
        };
        let mut quote9 = quote("q9", "x");
        quote9.speaker = "ghost".into();
        let (new, after) = apply(
            &before,
            &texts,
            &[
                Change::add(Record::Speaker(speaker)),
                Change::add(Record::Quote(quote9)),
            ],
        )
        .unwrap();
        assert!(after.quote("q9").is_some() && new[0].contains("# keep me"));
    }
}
