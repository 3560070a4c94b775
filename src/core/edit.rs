//! Changes to the curated database, applied to the files' text so that everything a person
//! wrote by hand (comments, order, formatting) survives.
//!
//! A [`Change`] adds, edits or removes one record; it carries the record as it was (`before`,
//! for an edit or a removal) and as it will be (`after`, for an add or an edit), which makes
//! every change checkable (the current record must be exactly `before`, or the edit is stale)
//! and reversible (the inverse swaps them). Which keys a record writes, in which order and
//! how, comes from [`crate::core::schema`]. Applying
//! changes yields new texts for the data files; the caller re-validates the whole catalog from
//! those texts before writing anything.

use serde::{Deserialize, Serialize};
use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::catalog::Catalog;
use super::data::{DataFiles, FILE_NAMES, Texts};
use super::diag::Diagnostic;
pub use super::model::Record;
use super::model::{FieldValue, Figure};

impl Record {
    /// The speaker, source, quote or fact with this id in the catalog.
    pub fn find(catalog: &Catalog, id: &str) -> Option<Record> {
        catalog.record(id)
    }

    /// The record in the catalog that this one is a version of: same kind, same id.
    pub fn current(&self, catalog: &Catalog) -> Option<Record> {
        catalog.record_of(self.kind(), self.id())
    }

    /// The record's fields as TOML values, exactly as the writer writes them, in the schema's
    /// order; `None` for a key the file does not hold.
    pub fn fields(&self) -> Vec<(&'static str, Option<Value>)> {
        self.kind()
            .keys()
            .iter()
            .map(|key| (key.name, self.value(key.name).map(toml_value)))
            .collect()
    }
}

/// A record's value as TOML.
fn toml_value(value: FieldValue<'_>) -> Value {
    match value {
        FieldValue::Text(text) => Value::from(text),
        FieldValue::List(items) => Value::Array(items.iter().map(String::as_str).collect()),
        FieldValue::Date(date) => Value::from(date.to_string()),
        FieldValue::Figure(figure) => figure_value(figure),
        FieldValue::Tables(rows) => Value::Array(
            rows.rows()
                .into_iter()
                .map(|row| {
                    let mut table = InlineTable::new();
                    for (key, value) in row {
                        if let Some(value) = value {
                            table.insert(key, toml_value(value));
                        }
                    }
                    Value::InlineTable(table)
                })
                .collect(),
        ),
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

/// One record added, edited or removed. Each action holds exactly the records it needs, so an
/// add with a "before" or a removal with an "after" cannot be built.
///
/// `text` is filled in when the change is applied: for a removal, the record's own bytes and
/// where they stood in its file (and the add that undoes it carries them back); for an edit,
/// the bytes it replaced. Undo uses them to put a file back byte for byte.
// An edit holds two records, an add one: the size difference is that of one record, and
// changes are made a few at a time, so boxing would only add indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Add {
        after: Record,
        text: Option<RecordText>,
    },
    Edit {
        before: Record,
        after: Record,
        text: Option<RecordText>,
    },
    Remove {
        before: Record,
        text: Option<RecordText>,
    },
}

/// A record's bytes as written in its file (its comments, formatting and the blank line that
/// set it apart included) and the byte offset they started at. For an edit, `replaces` holds
/// the bytes the edit wrote at `at` and `bytes` the ones it replaced, so that its inverse puts
/// the record's old text back exactly (a multi-line list with comments in it included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordText {
    pub at: usize,
    pub bytes: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

impl Change {
    pub fn add(record: Record) -> Change {
        Change::Add {
            after: record,
            text: None,
        }
    }

    pub fn edit(before: Record, after: Record) -> Change {
        Change::Edit {
            before,
            after,
            text: None,
        }
    }

    pub fn remove(before: Record) -> Change {
        Change::Remove { before, text: None }
    }

    pub fn action(&self) -> Action {
        match self {
            Change::Add { .. } => Action::Add,
            Change::Edit { .. } => Action::Edit,
            Change::Remove { .. } => Action::Remove,
        }
    }

    /// The record as it was: `None` for an add.
    pub fn before(&self) -> Option<&Record> {
        match self {
            Change::Add { .. } => None,
            Change::Edit { before, .. } | Change::Remove { before, .. } => Some(before),
        }
    }

    /// The record as it will be: `None` for a removal.
    pub fn after(&self) -> Option<&Record> {
        match self {
            Change::Add { after, .. } | Change::Edit { after, .. } => Some(after),
            Change::Remove { .. } => None,
        }
    }

    /// The record the change is about: as it will be, or for a removal as it was.
    pub fn record(&self) -> &Record {
        match self {
            Change::Add { after, .. } | Change::Edit { after, .. } => after,
            Change::Remove { before, .. } => before,
        }
    }

    pub fn text(&self) -> Option<&RecordText> {
        match self {
            Change::Add { text, .. } | Change::Edit { text, .. } | Change::Remove { text, .. } => {
                text.as_ref()
            }
        }
    }

    fn text_mut(&mut self) -> &mut Option<RecordText> {
        match self {
            Change::Add { text, .. } | Change::Edit { text, .. } | Change::Remove { text, .. } => {
                text
            }
        }
    }

    pub fn id(&self) -> &str {
        self.record().id()
    }

    /// The change that undoes this one.
    pub fn inverse(&self) -> Change {
        match self.clone() {
            Change::Add { after, text } => Change::Remove {
                before: after,
                text,
            },
            Change::Edit {
                before,
                after,
                text,
            } => Change::Edit {
                before: after,
                after: before,
                text,
            },
            Change::Remove { before, text } => Change::Add {
                after: before,
                text,
            },
        }
    }
}

/// One line of the audit log: who changed what, when, from what to what. It is written and
/// read as [`AuditLine`], the log's JSON shape, which stays as it has always been.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "AuditLine<Record, RecordText>")]
pub struct AuditEntry {
    /// The change id: 1 for the first change ever made, then one more for each.
    pub revision: u64,
    /// RFC 3339.
    pub time: String,
    pub actor: u64,
    pub guild: Option<u64>,
    /// What was changed, with the bytes an exact undo needs.
    pub change: Change,
    /// The change this one undid, if it is an undo.
    pub undo_of: Option<u64>,
    /// The revision of the first entry written in the same step: changes made together (a
    /// form's new speaker and its quote, a removal and the references it removed) are undone
    /// together. Absent in entries written before steps existed (each is its own step).
    pub step: Option<u64>,
}

/// An audit log line as JSON: the change spelled out as `action`, `id`, `before`, `after` and
/// `text`. Reading one checks that its action holds exactly the records it needs.
#[derive(Serialize, Deserialize)]
#[serde(bound(deserialize = "R: Deserialize<'de>, T: Deserialize<'de>"))]
struct AuditLine<R, T> {
    revision: u64,
    time: String,
    actor: u64,
    guild: Option<u64>,
    action: Action,
    id: String,
    before: Option<R>,
    after: Option<R>,
    #[serde(default)]
    undo_of: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    step: Option<u64>,
    /// A removed record's own bytes and place, or the bytes an edit replaced, for an exact
    /// undo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<T>,
}

impl Serialize for AuditEntry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        AuditLine {
            revision: self.revision,
            time: self.time.clone(),
            actor: self.actor,
            guild: self.guild,
            action: self.change.action(),
            id: self.change.id().to_string(),
            before: self.change.before(),
            after: self.change.after(),
            undo_of: self.undo_of,
            step: self.step,
            text: self.change.text(),
        }
        .serialize(serializer)
    }
}

impl TryFrom<AuditLine<Record, RecordText>> for AuditEntry {
    type Error = String;

    fn try_from(line: AuditLine<Record, RecordText>) -> Result<AuditEntry, String> {
        let change = match (line.action, line.before, line.after) {
            (Action::Add, None, Some(after)) => Change::Add {
                after,
                text: line.text,
            },
            (Action::Edit, Some(before), Some(after)) => Change::Edit {
                before,
                after,
                text: line.text,
            },
            (Action::Remove, Some(before), None) => Change::Remove {
                before,
                text: line.text,
            },
            (action, before, after) => {
                let has = |r: &Option<Record>| if r.is_some() { "a" } else { "no" };
                return Err(format!(
                    "{:?} with {} `before` and {} `after`",
                    action,
                    has(&before),
                    has(&after)
                ));
            }
        };
        if change.id() != line.id {
            return Err(format!(
                "`id` is `{}` but the record is `{}`",
                line.id,
                change.id()
            ));
        }
        Ok(AuditEntry {
            revision: line.revision,
            time: line.time,
            actor: line.actor,
            guild: line.guild,
            change,
            undo_of: line.undo_of,
            step: line.step,
        })
    }
}

impl AuditEntry {
    pub fn action(&self) -> Action {
        self.change.action()
    }

    /// The id of the record changed.
    pub fn id(&self) -> &str {
        self.change.id()
    }

    /// The step this entry belongs to (its own revision when it was written alone).
    pub fn step(&self) -> u64 {
        self.step.unwrap_or(self.revision)
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
    #[error("`{0}` would not read back as it was given; nothing was saved")]
    Unfaithful(String),
}

fn first_message(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .first()
        .map_or_else(String::new, |d| d.message.clone())
}

/// Checks that each change starts from the catalog as it is: added ids are free, edited and
/// removed records are exactly as the moderator saw them.
pub fn check(catalog: &Catalog, changes: &[Change]) -> Result<(), EditError> {
    // A set, not a list: an import adds tens of thousands of records at once.
    // Keyed by namespace: a topic may share its slug with a record.
    let mut added: std::collections::HashSet<(bool, &str)> = std::collections::HashSet::new();
    for change in changes {
        match change {
            Change::Add { after, .. } => {
                let kind = after.kind();
                if catalog.id_taken(kind, after.id()) || !added.insert((kind.own_ids(), after.id()))
                {
                    return Err(EditError::Taken(after.id().to_string()));
                }
            }
            Change::Edit { before, after, .. } if after.id() != before.id() => {
                return Err(EditError::IdChanged(
                    before.id().to_string(),
                    after.id().to_string(),
                ));
            }
            Change::Edit { before, .. } | Change::Remove { before, .. } => {
                match before.current(catalog) {
                    None => return Err(EditError::NotFound(before.id().to_string())),
                    Some(current) if current != *before => {
                        return Err(EditError::Stale(before.id().to_string()));
                    }
                    Some(_) => {}
                }
            }
        }
    }
    Ok(())
}

/// Applies changes to the files' texts (one per kind, in the order of `Kind::ALL`), keeping
/// everything else in them as it was. Only the texts of touched files change. Returns the new
/// texts and the changes as applied: a removal carries the record's own bytes and place
/// ([`RecordText`]), which its inverse uses to put them back byte for byte.
pub fn apply_to_texts(
    texts: &Texts,
    changes: &[Change],
) -> Result<(Texts, Vec<Change>), EditError> {
    let mut out = texts.clone();
    let mut applied = Vec::with_capacity(changes.len());
    let mut next = 0;
    while next < changes.len() {
        // A run of plain adds (an import's, a form's new speaker and its quote) is written in
        // one pass over each file, not one parse and one rewrite of the whole file per record.
        let run = changes[next..]
            .iter()
            .take_while(|c| matches!(c, Change::Add { text: None, .. }))
            .count();
        if run > 0 {
            let adds = &changes[next..next + run];
            for (file, text) in out.iter_mut().enumerate() {
                let records: Vec<&Record> = adds
                    .iter()
                    .map(Change::record)
                    .filter(|r| r.kind().index() == file)
                    .collect();
                if let Some(first) = records.first() {
                    *text = add_all(text, first.kind().table(), &records).map_err(|e| {
                        EditError::Malformed {
                            file: FILE_NAMES[file],
                            message: e.message().to_string(),
                        }
                    })?;
                }
            }
            applied.extend_from_slice(adds);
            next += run;
            continue;
        }
        let mut change = changes[next].clone();
        next += 1;
        let kind = change.record().kind();
        let (file, table) = (kind.index(), kind.table());
        let malformed = |e: toml_edit::TomlError| EditError::Malformed {
            file: FILE_NAMES[file],
            message: e.message().to_string(),
        };
        let saved = change.text().cloned();
        let text = match &change {
            Change::Remove { before, .. } => {
                let (at, end) = record_range(&out[file], table, before.id())
                    .map_err(malformed)?
                    .ok_or_else(|| EditError::NotFound(before.id().to_string()))?;
                let removed = RecordText {
                    at,
                    bytes: out[file][at..end].to_string(),
                    replaces: None,
                };
                out[file].replace_range(at..end, "");
                Some(removed)
            }
            Change::Add { after, .. } => {
                let restored = saved
                    .as_ref()
                    .and_then(|t| restore(&out[file], table, after.id(), t));
                match restored {
                    Some(text) => {
                        out[file] = text;
                        saved
                    }
                    None => {
                        let mut doc: DocumentMut = out[file].parse().map_err(malformed)?;
                        add(&mut doc, table, after);
                        out[file] = no_blank_start(&out[file], doc.to_string());
                        None
                    }
                }
            }
            Change::Edit { before, after, .. } => {
                let old_text = out[file].clone();
                let spliced = saved
                    .as_ref()
                    .and_then(|t| splice(&old_text, table, before.id(), t));
                if let Some(text) = spliced {
                    out[file] = text;
                } else {
                    out[file] = edited(&out[file], file, before, after)?;
                }
                Some(difference(&old_text, &out[file]))
            }
        };
        *change.text_mut() = text;
        applied.push(change);
    }
    Ok((out, applied))
}

/// The text of file `file` with one record rewritten from `before` to `after`, changing only
/// what differs.
fn edited(text: &str, file: usize, before: &Record, after: &Record) -> Result<String, EditError> {
    let not_found = || EditError::NotFound(before.id().to_string());
    let mut doc: DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| EditError::Malformed {
                file: FILE_NAMES[file],
                message: e.message().to_string(),
            })?;
    let array = array_mut(&mut doc, before.kind().table()).ok_or_else(not_found)?;
    let index = position(array, before.id()).ok_or_else(not_found)?;
    let element = array.get_mut(index).ok_or_else(not_found)?;
    let orphans = update(element, before, after);
    if !orphans.is_empty() {
        // Comments above a removed last field stay, above what follows the record.
        match array.get_mut(index + 1) {
            Some(next) => {
                let prefix = decor_text(next.decor().prefix());
                next.decor_mut().set_prefix(orphans + &prefix);
            }
            None => {
                let trailing = decor_text(Some(doc.trailing()));
                doc.set_trailing(orphans + &trailing);
            }
        }
    }
    Ok(doc.to_string())
}

/// What applying changes yields: the new texts, the catalog re-validated from them, and the
/// changes as applied (see [`apply_to_texts`]).
#[derive(Debug)]
pub struct Applied {
    pub texts: Texts,
    pub catalog: Catalog,
    pub changes: Vec<Change>,
}

/// Applies changes and re-validates the whole database from the new texts. Every record the
/// changes add or edit must read back exactly as given.
pub fn apply(catalog: &Catalog, texts: &Texts, changes: &[Change]) -> Result<Applied, EditError> {
    check(catalog, changes)?;
    let (new_texts, applied) = apply_to_texts(texts, changes)?;
    // Restored bytes that no longer fit (the file or the log was edited since): the record is
    // written from its fields instead.
    let restored = changes.iter().any(|c| {
        matches!(
            c,
            Change::Add { text: Some(_), .. } | Change::Edit { text: Some(_), .. }
        )
    });
    let from_fields = || {
        let plain: Vec<Change> = changes
            .iter()
            .cloned()
            .map(|mut c| {
                if c.after().is_some() {
                    *c.text_mut() = None;
                }
                c
            })
            .collect();
        apply(catalog, texts, &plain)
    };
    let new_catalog = match DataFiles::named(&new_texts).parse() {
        Ok(c) => c,
        Err(_) if restored => return from_fields(),
        Err(e) => return Err(EditError::Invalid(e)),
    };
    let mismatch = applied.iter().find(|c| {
        c.after()
            .is_some_and(|after| after.current(&new_catalog).as_ref() != Some(after))
    });
    if let Some(change) = mismatch {
        if restored {
            return from_fields();
        }
        return Err(EditError::Unfaithful(change.id().to_string()));
    }
    Ok(Applied {
        texts: new_texts,
        catalog: new_catalog,
        changes: applied,
    })
}

/// The changes that remove a quote or fact together with every reference to it: each record
/// whose `related` lists it is edited to drop it, then it is removed. Applied as one step.
pub fn remove_with_references(catalog: &Catalog, record: &Record) -> Vec<Change> {
    let id = record.id();
    let mut changes: Vec<Change> = referrers(catalog, id)
        .into_iter()
        .map(|before| {
            let mut after = before.clone();
            match &mut after {
                Record::Quote(q) => q.related.retain(|r| r != id),
                Record::Fact(f) => f.related.retain(|r| r != id),
                Record::Speaker(_) | Record::Source(_) | Record::Topic(_) | Record::Synonym(_) => {}
            }
            Change::edit(before, after)
        })
        .collect();
    changes.push(Change::remove(record.clone()));
    changes
}

/// The quotes and facts whose `related` lists `id`, in file order.
pub fn referrers(catalog: &Catalog, id: &str) -> Vec<Record> {
    let quotes = catalog
        .quotes()
        .iter()
        .filter(|q| q.id != id && q.related.iter().any(|r| r == id))
        .map(|q| Record::Quote(q.clone()));
    let facts = catalog
        .facts()
        .iter()
        .filter(|f| f.id != id && f.related.iter().any(|r| r == id))
        .map(|f| Record::Fact(f.clone()));
    quotes.chain(facts).collect()
}

fn array_mut<'d>(doc: &'d mut DocumentMut, table: &str) -> Option<&'d mut ArrayOfTables> {
    doc.get_mut(table).and_then(Item::as_array_of_tables_mut)
}

fn position(array: &ArrayOfTables, id: &str) -> Option<usize> {
    array
        .iter()
        .position(|t| t.get("id").and_then(Item::as_str) == Some(id))
}

/// The byte range a record occupies in its file's text: from the blank line and comments
/// directly above its header (for the first record, only from its header: what is above it is
/// the file's) to the end of its last line. Comments separated from it by a blank line belong
/// to the record before, and stay.
fn record_range(
    text: &str,
    table: &str,
    id: &str,
) -> Result<Option<(usize, usize)>, toml_edit::TomlError> {
    let doc = toml_edit::Document::parse(text)?;
    let Some(array) = doc.get(table).and_then(Item::as_array_of_tables) else {
        return Ok(None);
    };
    let Some(index) = position(array, id) else {
        return Ok(None);
    };
    let spans = |t: &Table| -> Option<(usize, usize)> {
        let header = t.span()?.start;
        Some((
            line_start(text, header),
            line_end(text, item_end(t).max(header)),
        ))
    };
    let Some((header, end)) = array.get(index).and_then(spans) else {
        return Ok(None);
    };
    let start = if index == 0 {
        // The blank lines above the first record (those an add writes below a file's heading
        // comments) go with it; the heading comments stay.
        let mut start = header;
        while start > 0 {
            let above = line_start(text, start - 1);
            if !text[above..start].trim().is_empty() {
                break;
            }
            start = above;
        }
        start
    } else {
        let previous_end = array.get(index - 1).and_then(spans).map_or(0, |(_, e)| e);
        attached_start(text, previous_end, header)
    };
    Ok(Some((start, end)))
}

/// The furthest byte any part of a table (its values, subtables, trailing comments on their
/// lines excepted) reaches.
fn item_end(table: &Table) -> usize {
    fn of_item(item: &Item) -> usize {
        match item {
            Item::None => 0,
            Item::Value(v) => v.span().map_or(0, |s| s.end),
            Item::Table(t) => item_end(t),
            Item::ArrayOfTables(a) => a.iter().map(item_end).max().unwrap_or(0),
        }
    }
    let own = table.span().map_or(0, |s| s.end);
    table
        .iter()
        .map(|(_, item)| of_item(item))
        .chain(std::iter::once(own))
        .max()
        .unwrap_or(own)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The end of the line holding `at`, past its newline.
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// Where the comment lines directly above `header` start, with the blank lines above them;
/// never before `floor` (the end of the record before).
fn attached_start(text: &str, floor: usize, header: usize) -> usize {
    let lines: Vec<(usize, &str)> = text[floor..header]
        .split_inclusive('\n')
        .scan(floor, |at, line| {
            let start = *at;
            *at += line.len();
            Some((start, line))
        })
        .collect();
    let mut start = header;
    let mut i = lines.len();
    while i > 0 && lines[i - 1].1.trim_start().starts_with('#') {
        i -= 1;
        start = lines[i].0;
    }
    while i > 0 && lines[i - 1].1.trim().is_empty() {
        i -= 1;
        start = lines[i].0;
    }
    start
}

/// The text with a removed record's bytes put back where they were, when that place is still
/// a line start that yields the record; `None` otherwise.
fn restore(text: &str, table: &str, id: &str, saved: &RecordText) -> Option<String> {
    let at = saved.at;
    if at > text.len()
        || !text.is_char_boundary(at)
        || (at > 0 && !text[..at].ends_with('\n'))
        || !saved.bytes.ends_with('\n') && at < text.len()
    {
        return None;
    }
    let mut out = String::with_capacity(text.len() + saved.bytes.len());
    out.push_str(&text[..at]);
    out.push_str(&saved.bytes);
    out.push_str(&text[at..]);
    let doc = toml_edit::Document::parse(out.as_str()).ok()?;
    let array = doc.get(table).and_then(Item::as_array_of_tables)?;
    let before = toml_edit::Document::parse(text)
        .ok()
        .and_then(|d| {
            d.get(table)
                .and_then(Item::as_array_of_tables)
                .map(|a| a.len())
        })
        .unwrap_or(0);
    (array.len() == before + 1 && position(array, id).is_some()).then_some(out)
}

/// What an edit changed in a file's text, as its inverse needs it: the bytes it replaced
/// (`bytes`) and the ones it wrote (`replaces`) at `at`, the text both share around them aside.
fn difference(before: &str, after: &str) -> RecordText {
    let (b, a) = (before.as_bytes(), after.as_bytes());
    let mut prefix = b.iter().zip(a).take_while(|(x, y)| x == y).count();
    while !before.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let room = b.len().min(a.len()) - prefix;
    let mut suffix = b
        .iter()
        .rev()
        .zip(a.iter().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    while !before.is_char_boundary(b.len() - suffix) {
        suffix -= 1;
    }
    RecordText {
        at: prefix,
        bytes: before[prefix..b.len() - suffix].to_string(),
        replaces: Some(after[prefix..a.len() - suffix].to_string()),
    }
}

/// The text with an edit's old bytes put back in place of the ones it wrote, when those are
/// still where it wrote them, starting inside the record; `None` otherwise.
fn splice(text: &str, table: &str, id: &str, saved: &RecordText) -> Option<String> {
    let written = saved.replaces.as_deref()?;
    let at = saved.at;
    let end = at.checked_add(written.len())?;
    if end > text.len()
        || !text.is_char_boundary(at)
        || !text.is_char_boundary(end)
        || &text[at..end] != written
    {
        return None;
    }
    let (start, stop) = record_range(text, table, id).ok()??;
    if at < start || at > stop {
        return None;
    }
    let mut out = String::with_capacity(text.len() + saved.bytes.len());
    out.push_str(&text[..at]);
    out.push_str(&saved.bytes);
    out.push_str(&text[end..]);
    Some(out)
}

/// The text with `records` (all of one kind, in order) added after its last record, exactly
/// as adding them one at a time to the parsed document would write them, but parsing the text
/// once and never holding the new records in one document: comments and blank lines at the end
/// of the file stay at its end, and a file of comments only keeps them above the first record.
fn add_all(text: &str, table: &str, records: &[&Record]) -> Result<String, toml_edit::TomlError> {
    let parsed = toml_edit::Document::parse(text)?;
    let has_array = parsed.get(table).is_some_and(Item::is_array_of_tables);
    // What follows the last value: the document's trailing comments and whitespace.
    let at = parsed.trailing().span().map_or(text.len(), |s| s.start);
    let trailing = &text[at..];
    let lift = !has_array && !trailing.trim().is_empty();
    let mut out = String::with_capacity(text.len() + records.len() * 256);
    out.push_str(&text[..at]);
    for (n, record) in records.iter().enumerate() {
        let mut doc = DocumentMut::new();
        add(&mut doc, table, record);
        let written = doc.to_string();
        if n == 0 && lift {
            // The comments stay above the first record byte for byte (toml_edit would write
            // their line endings as `\n`), a blank line between them.
            out.push_str(trailing);
            if !trailing.ends_with('\n') {
                out.push('\n');
            }
            out.push('\n');
            out.push_str(written.trim_start_matches('\n'));
        } else {
            out.push_str(&written);
        }
    }
    if !lift {
        out.push_str(trailing);
    }
    Ok(no_blank_start(text, out))
}

/// A file created by a change (its text was empty: an absent optional file) starts with its
/// first table, not with the blank line that sets tables apart.
fn no_blank_start(old: &str, new: String) -> String {
    if old.is_empty() {
        new.trim_start_matches('\n').to_string()
    } else {
        new
    }
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

fn decor_text(raw: Option<&toml_edit::RawString>) -> String {
    raw.and_then(|r| r.as_str()).unwrap_or("").to_string()
}

/// Changes only the fields that differ, so untouched lines keep their formatting. A rewritten
/// value keeps its decoration (the comment after it on its line); comments above a removed
/// field move to the field after it. Returns the comments of a removed last field, for the
/// caller to keep after the record.
fn update(element: &mut Table, before: &Record, after: &Record) -> String {
    let old = before.fields();
    let mut orphans = String::new();
    for (key, value) in after.fields() {
        let unchanged = old
            .iter()
            .find(|(k, _)| *k == key)
            .is_some_and(|(_, v)| same(v.as_ref(), value.as_ref()));
        if unchanged {
            continue;
        }
        match value {
            Some(mut value) => match element.get_mut(key) {
                Some(Item::Value(current)) => {
                    *value.decor_mut() = current.decor().clone();
                    *current = value;
                }
                Some(item) => *item = Item::Value(value),
                None => {
                    element.insert(key, Item::Value(value));
                }
            },
            None => {
                let Some(index) = element.iter().position(|(k, _)| k == key) else {
                    continue;
                };
                let comments = element
                    .key(key)
                    .map(|k| decor_text(k.leaf_decor().prefix()))
                    .unwrap_or_default();
                element.remove(key);
                if !comments.contains('#') {
                    continue;
                }
                let next = element.iter().nth(index).map(|(k, _)| k.to_string());
                match next.and_then(|k| element.key_mut(&k)) {
                    Some(mut next) => {
                        let prefix = decor_text(next.leaf_decor().prefix());
                        next.leaf_decor_mut().set_prefix(comments + &prefix);
                    }
                    None => orphans.push_str(&comments),
                }
            }
        }
    }
    orphans
}

fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.to_string().trim() == b.to_string().trim(),
        _ => false,
    }
}

/// An empty database's texts: a comment heading each file, and no text at all for an optional
/// file (it is absent).
pub fn empty_texts() -> Texts {
    crate::core::schema::KINDS.map(|kind| {
        if kind.optional {
            String::new()
        } else {
            format!("# {}\n", kind.file)
        }
    })
}

/// The changes the audit log records that the data does not hold: for each id, the latest
/// change says the record exists (an add or an edit) but the catalog has no such id. A hand
/// edit may remove a record, but when the records a log describes are missing wholesale, the
/// data directory is not the one the log was written for (a data volume lost in an upgrade, a
/// restored old copy). Newest first.
pub fn missing_records<'a>(catalog: &Catalog, log: &'a [AuditEntry]) -> Vec<&'a AuditEntry> {
    // Topics are a namespace of their own: topic `s` and speaker `s` are two records.
    let namespace = |e: &AuditEntry| e.change.record().kind().own_ids();
    let mut latest: std::collections::HashMap<(bool, &str), &AuditEntry> =
        std::collections::HashMap::new();
    for entry in log {
        let slot = latest
            .entry((namespace(entry), entry.id()))
            .or_insert(entry);
        if entry.revision >= slot.revision {
            *slot = entry;
        }
    }
    let mut missing: Vec<&AuditEntry> = latest
        .into_values()
        .filter(|e| {
            e.action() != Action::Remove && !catalog.id_taken(e.change.record().kind(), e.id())
        })
        .collect();
    missing.sort_by_key(|e| std::cmp::Reverse(e.revision));
    missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Quote, QuoteKind, Speaker};

    fn texts() -> Texts {
        [
            "# Speakers, curated by hand.\n\n[[speaker]]\nid = \"s\"   # keep me\nname = \"Sam\"\n".into(),
            "[[source]]\nid = \"src\"\ntitle = \"A Title\"\n".into(),
            "# Quotes\n\n[[quote]]\nid = \"q1\"\ntext = \"First words.\"  # as published\nspeaker = \"s\"\nsource = \"src\"\ntopics = [\"a\", \"b\"]\n\n# The second one\n[[quote]]\nid = \"q2\"\ntext = \"Second words.\"\nspeaker = \"s\"\nsource = \"src\"\n".into(),
            "# no facts yet\n".into(),
            String::new(), String::new(),]
    }

    fn catalog(texts: &Texts) -> Catalog {
        DataFiles::named(texts).parse().unwrap()
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
            provenance: Default::default(),
        }
    }

    fn logged(revision: u64, action: Action, id: &str) -> AuditEntry {
        let record = Record::Quote(quote(id, "Words."));
        let change = match action {
            Action::Add => Change::add(record),
            Action::Edit => Change::edit(record.clone(), record),
            Action::Remove => Change::remove(record),
        };
        entry(revision, change)
    }

    /// An audit entry of `change` at `revision`, by user 1, outside any guild.
    fn entry(revision: u64, change: Change) -> AuditEntry {
        AuditEntry {
            revision,
            time: "2026-01-01T00:00:00Z".into(),
            actor: 1,
            guild: None,
            change,
            undo_of: None,
            step: None,
        }
    }

    fn speaker(name: &str) -> Record {
        Record::Speaker(Speaker {
            id: "s".into(),
            name: name.into(),
            role: None,
            aliases: vec![],
            roles: vec![],
            wikidata: None,
        })
    }

    /// Lists of inline tables (roles, appearances, translations) are written from the schema's
    /// row keys and read back exactly, and the audit line carries them with the files' keys.
    #[test]
    fn nested_tables_are_written_and_read_back_exactly() {
        use crate::core::model::{Appearance, PartialDate, Role, Translation};
        let texts = texts();
        let before = catalog(&texts);
        let Some(Record::Speaker(old)) = Record::find(&before, "s") else {
            panic!("the speaker is there");
        };
        let date = |t: &str| PartialDate::parse(t).unwrap();
        let mut speaker = old.clone();
        speaker.roles = vec![
            Role {
                title: "Senator".into(),
                from: date("2013"),
                until: Some(date("2021-01-20")),
            },
            Role {
                title: "Secretary".into(),
                from: date("2021-01-26"),
                until: None,
            },
        ];
        let mut q = quote("q3", "Third words.");
        q.provenance.locator = Some("para. 3".into());
        q.provenance.appearances = vec![Appearance {
            source: "src".into(),
            locator: None,
            date: Some(date("2025-01-06")),
        }];
        q.provenance.translations = vec![Translation {
            language: "ko".into(),
            text: "세 번째 말.".into(),
            source: "src".into(),
        }];
        let changes = [
            Change::edit(Record::Speaker(old), Record::Speaker(speaker.clone())),
            Change::add(Record::Quote(q.clone())),
        ];
        let applied = apply(&before, &texts, &changes).expect("written and read back");
        assert!(
            applied.texts[0].contains(
                "roles = [{ title = \"Senator\", from = \"2013\", until = \"2021-01-20\" }, { title = \"Secretary\", from = \"2021-01-26\" }]"
            ),
            "{}",
            applied.texts[0]
        );
        assert_eq!(applied.catalog.speaker("s"), Some(&speaker));
        assert_eq!(applied.catalog.quote("q3"), Some(&q));
        let line = serde_json::to_string(&AuditEntry {
            revision: 1,
            time: "t".into(),
            actor: 1,
            guild: None,
            change: changes[1].clone(),
            undo_of: None,
            step: None,
        })
        .unwrap();
        assert!(
            line.contains(
                r#""locator":"para. 3","appearances":[{"source":"src","date":"2025-01-06"}]"#
            ),
            "{line}"
        );
        let read: AuditEntry = serde_json::from_str(&line).unwrap();
        assert_eq!(read.change, changes[1]);
    }

    /// The audit log's lines are read back by every later version: each action's JSON is
    /// pinned here exactly as the log has always written it.
    #[test]
    fn audit_lines_keep_their_json_shape_for_every_action() {
        let entry =
            |revision: u64, change: Change, undo_of: Option<u64>, step: Option<u64>| AuditEntry {
                revision,
                time: "2026-01-02T03:04:05Z".into(),
                actor: 7,
                guild: Some(10),
                change,
                undo_of,
                step,
            };
        let removed = RecordText {
            at: 12,
            bytes: "\n[[speaker]]\nid = \"s\"\nname = \"Sam\"\n".into(),
            replaces: None,
        };
        let edited = RecordText {
            at: 30,
            bytes: "Sam".into(),
            replaces: Some("Samuel".into()),
        };
        let cases = [
            (
                entry(1, Change::add(speaker("Sam")), None, None),
                r#"{"revision":1,"time":"2026-01-02T03:04:05Z","actor":7,"guild":10,"action":"add","id":"s","before":null,"after":{"type":"speaker","id":"s","name":"Sam","role":null,"aliases":[]},"undo_of":null}"#,
            ),
            (
                entry(
                    2,
                    Change::Edit {
                        before: speaker("Sam"),
                        after: speaker("Samuel"),
                        text: Some(edited),
                    },
                    None,
                    Some(2),
                ),
                r#"{"revision":2,"time":"2026-01-02T03:04:05Z","actor":7,"guild":10,"action":"edit","id":"s","before":{"type":"speaker","id":"s","name":"Sam","role":null,"aliases":[]},"after":{"type":"speaker","id":"s","name":"Samuel","role":null,"aliases":[]},"undo_of":null,"step":2,"text":{"at":30,"bytes":"Sam","replaces":"Samuel"}}"#,
            ),
            (
                entry(
                    3,
                    Change::Remove {
                        before: speaker("Sam"),
                        text: Some(removed.clone()),
                    },
                    None,
                    None,
                ),
                r#"{"revision":3,"time":"2026-01-02T03:04:05Z","actor":7,"guild":10,"action":"remove","id":"s","before":{"type":"speaker","id":"s","name":"Sam","role":null,"aliases":[]},"after":null,"undo_of":null,"text":{"at":12,"bytes":"\n[[speaker]]\nid = \"s\"\nname = \"Sam\"\n"}}"#,
            ),
            (
                entry(
                    4,
                    Change::Add {
                        after: speaker("Sam"),
                        text: Some(removed),
                    },
                    Some(3),
                    None,
                ),
                r#"{"revision":4,"time":"2026-01-02T03:04:05Z","actor":7,"guild":10,"action":"add","id":"s","before":null,"after":{"type":"speaker","id":"s","name":"Sam","role":null,"aliases":[]},"undo_of":3,"text":{"at":12,"bytes":"\n[[speaker]]\nid = \"s\"\nname = \"Sam\"\n"}}"#,
            ),
        ];
        for (entry, json) in cases {
            assert_eq!(serde_json::to_string(&entry).unwrap(), json);
            assert_eq!(serde_json::from_str::<AuditEntry>(json).unwrap(), entry);
        }
    }

    #[test]
    fn an_audit_line_written_before_steps_and_texts_existed_still_reads() {
        let old = r#"{"revision":5,"time":"2025-12-01T00:00:00Z","actor":3,"guild":null,"action":"remove","id":"q2","before":{"type":"quote","id":"q2","text":"Second words.","speaker":"s","source":"src","kind":"verbatim","date":null,"context":null,"topics":[],"related":[]},"after":null}"#;
        let entry: AuditEntry = serde_json::from_str(old).unwrap();
        assert_eq!(
            entry,
            AuditEntry {
                revision: 5,
                time: "2025-12-01T00:00:00Z".into(),
                actor: 3,
                guild: None,
                change: Change::remove(Record::Quote(quote("q2", "Second words."))),
                undo_of: None,
                step: None,
            }
        );
        assert_eq!(entry.step(), 5);
        assert_eq!((entry.action(), entry.id()), (Action::Remove, "q2"));
    }

    #[test]
    fn an_audit_line_whose_action_does_not_fit_its_records_is_refused() {
        let sam = r#"{"type":"speaker","id":"s","name":"Sam","role":null,"aliases":[]}"#;
        let line = |action: &str, id: &str, before: &str, after: &str| {
            format!(
                r#"{{"revision":1,"time":"t","actor":1,"guild":null,"action":"{action}","id":"{id}","before":{before},"after":{after},"undo_of":null}}"#
            )
        };
        for bad in [
            line("add", "s", sam, sam),
            line("add", "s", "null", "null"),
            line("edit", "s", "null", sam),
            line("remove", "s", sam, sam),
            line("remove", "s", "null", "null"),
            line("add", "other", "null", sam),
        ] {
            assert!(serde_json::from_str::<AuditEntry>(&bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<AuditEntry>(&line("add", "s", "null", sam)).is_ok());
    }

    #[test]
    fn records_the_log_says_exist_but_the_data_lacks_are_reported_newest_first() {
        let catalog = catalog(&texts());
        let log = vec![
            logged(1, Action::Add, "gone-1"),
            logged(2, Action::Add, "q1"),
            logged(3, Action::Add, "removed-later"),
            logged(4, Action::Edit, "gone-2"),
            logged(5, Action::Remove, "removed-later"),
            logged(6, Action::Remove, "q2"),
        ];
        let missing: Vec<(u64, &str)> = missing_records(&catalog, &log)
            .iter()
            .map(|e| (e.revision, e.id()))
            .collect();
        // q1 is there; removed-later was removed last; q2 was removed but is back (a hand
        // edit may do that): only the records the log says exist and the data lacks.
        assert_eq!(missing, vec![(4, "gone-2"), (1, "gone-1")]);
        assert!(missing_records(&catalog, &[]).is_empty());
    }

    #[test]
    fn a_topic_the_log_added_and_the_data_holds_is_not_reported_missing() {
        // A topic's slug is a namespace of its own: topic `s` beside speaker `s`.
        let mut texts = texts();
        texts[4] = "[[topic]]\nid = \"s\"\nname = \"Sam's topic\"\n\n[[topic]]\nid = \"t\"\nname = \"T\"\n".into();
        let catalog = catalog(&texts);
        let topic = |id: &str| {
            Record::Topic(crate::core::model::Topic {
                id: id.into(),
                name: "A topic".into(),
                aliases: vec![],
                description: None,
            })
        };
        let log = vec![
            entry(1, Change::add(topic("s"))),
            entry(2, Change::add(topic("t"))),
            entry(3, Change::add(topic("gone-topic"))),
            // A topic sharing the slug of a quote the data holds is still missing.
            entry(4, Change::add(topic("q1"))),
        ];
        let missing: Vec<(u64, &str)> = missing_records(&catalog, &log)
            .iter()
            .map(|e| (e.revision, e.id()))
            .collect();
        assert_eq!(missing, vec![(4, "q1"), (3, "gone-topic")]);
    }

    #[test]
    fn undoing_the_first_record_added_to_a_file_of_comments_gives_the_file_back_byte_for_byte() {
        // A topics.toml with its heading only, and the empty database's files.
        for (file, heading) in [
            (4, "# Topics: how each slug is shown. 주제\n"),
            (4, "# Topics\n\n# none yet\n"),
            (2, "# quotes.toml\n"),
        ] {
            let mut texts = empty_texts();
            texts[file] = heading.to_string();
            let mut catalog = catalog(&texts);
            let record = if file == 4 {
                Record::Topic(crate::core::model::Topic {
                    id: "han-mi".into(),
                    name: "한미 동맹 🤝".into(),
                    aliases: vec!["ROK–US".into()],
                    description: None,
                })
            } else {
                texts[0] = "[[speaker]]\nid = \"s\"\nname = \"Sam\"\n".into();
                texts[1] = "[[source]]\nid = \"src\"\ntitle = \"A Title\"\n".into();
                catalog = self::catalog(&texts);
                Record::Quote(quote("q1", "말씀 ‏RTL‏."))
            };
            let added = apply(&catalog, &texts, &[Change::add(record)]).unwrap();
            assert_ne!(added.texts[file], heading);
            let undone =
                apply(&added.catalog, &added.texts, &[added.changes[0].inverse()]).unwrap();
            assert_eq!(undone.texts[file], heading, "{heading:?}");
        }
    }

    #[test]
    fn a_heading_written_with_windows_line_endings_keeps_them_when_the_first_record_is_added() {
        for heading in [
            "# Topics, edited on Windows 🪟\r\n",
            "# Topics\r\n\r\n# 주제 none yet\r\n",
        ] {
            let mut texts = empty_texts();
            texts[4] = heading.to_string();
            let catalog = catalog(&texts);
            let topic = Record::Topic(crate::core::model::Topic {
                id: "han-mi".into(),
                name: "한미 동맹".into(),
                aliases: vec![],
                description: None,
            });
            let added = apply(&catalog, &texts, &[Change::add(topic)]).unwrap();
            assert!(added.texts[4].starts_with(heading), "{:?}", added.texts[4]);
            assert!(added.catalog.topic("han-mi").is_some());
            let undone =
                apply(&added.catalog, &added.texts, &[added.changes[0].inverse()]).unwrap();
            assert_eq!(undone.texts[4], heading);
        }
    }

    #[test]
    fn adding_keeps_every_comment_and_line_of_the_file() {
        let texts = texts();
        let before = catalog(&texts);
        let change = Change::add(Record::Quote(quote("q3", "Third [sic] words ...")));
        let Applied {
            texts: new,
            catalog: after,
            ..
        } = apply(&before, &texts, &[change]).unwrap();
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
        let Applied {
            texts: new,
            catalog: after,
            ..
        } = apply(&before, &texts, &[Change::edit(old, Record::Quote(q))]).unwrap();
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
        let removed = apply(&before, &texts, std::slice::from_ref(&remove)).unwrap();
        assert!(removed.catalog.quote("q2").is_none());
        assert!(removed.texts[2].contains("text = \"First words.\"  # as published"));
        let restored = apply(
            &removed.catalog,
            &removed.texts,
            &[removed.changes[0].inverse()],
        )
        .unwrap();
        assert_eq!(Record::find(&restored.catalog, "q2"), Some(old));
        assert_eq!(restored.texts, texts, "byte for byte");
    }

    #[test]
    fn undo_of_a_removal_still_restores_the_record_when_the_file_moved_on_meanwhile() {
        let texts = texts();
        let before = catalog(&texts);
        let old = Record::find(&before, "q2").unwrap();
        let removed = apply(&before, &texts, &[Change::remove(old.clone())]).unwrap();
        // Someone adds a long record at the top by hand: the saved offset now falls inside it.
        let mut moved = removed.texts.clone();
        moved[2] = moved[2].replacen(
            "[[quote]]",
            "[[quote]]\nid = \"q0\"\ntext = \"Zero.\"\nspeaker = \"s\"\nsource = \"src\"\ncontext = \"a long context line that shifts every offset below it by a lot\"\n\n[[quote]]",
            1,
        );
        let now = catalog(&moved);
        let undo = removed.changes[0].inverse();
        assert!(undo.text().is_some());
        let restored = apply(&now, &moved, &[undo]).unwrap();
        assert_eq!(Record::find(&restored.catalog, "q2"), Some(old));
        assert_eq!(
            restored.catalog.quote("q0").map(|q| q.text.as_str()),
            Some("Zero.")
        );
        assert_eq!(restored.catalog.quote("q0"), now.quote("q0"));
    }

    #[test]
    fn removing_with_references_edits_every_record_that_lists_it_then_removes_it() {
        let mut texts = texts();
        texts[3] = "[[fact]]\nid = \"f1\"\ntext = \"F.\"\nsource = \"src\"\nrelated = [\"q1\", \"q2\"]  # both\n\n[[fact]]\nid = \"f2\"\ntext = \"G.\"\nsource = \"src\"\nrelated = [\"q1\"]\n".into();
        let before = catalog(&texts);
        let q1 = Record::find(&before, "q1").unwrap();
        let plain = apply(&before, &texts, &[Change::remove(q1.clone())]).unwrap_err();
        assert!(matches!(plain, EditError::Invalid(_)), "{plain}");
        let changes = remove_with_references(&before, &q1);
        let ids: Vec<(Action, &str)> = changes.iter().map(|c| (c.action(), c.id())).collect();
        assert_eq!(
            ids,
            [
                (Action::Edit, "f1"),
                (Action::Edit, "f2"),
                (Action::Remove, "q1")
            ]
        );
        let after = apply(&before, &texts, &changes).unwrap();
        assert!(after.catalog.quote("q1").is_none());
        assert_eq!(after.catalog.fact("f1").unwrap().related, ["q2"]);
        assert!(after.catalog.fact("f2").unwrap().related.is_empty());
        assert!(
            after.texts[3].contains("related = [\"q2\"]  # both"),
            "{}",
            after.texts[3]
        );
        // The inverses, last first, give the database back.
        let undo: Vec<Change> = after.changes.iter().rev().map(Change::inverse).collect();
        let back = apply(&after.catalog, &after.texts, &undo).unwrap();
        assert_eq!(back.texts[2], texts[2]);
        for id in ["q1", "f1", "f2"] {
            assert_eq!(Record::find(&back.catalog, id), Record::find(&before, id));
        }
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
            roles: vec![],
            wikidata: None,
        };
        let mut quote9 = quote("q9", "x");
        quote9.speaker = "ghost".into();
        let Applied {
            texts: new,
            catalog: after,
            ..
        } = apply(
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
