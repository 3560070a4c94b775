//! Open data (contract §4.3): the catalog written out as JSON, JSON Lines or CSV, and such a file
//! read back as records merged into a catalog.
//!
//! Both directions are driven by the schema, never by a list of keys of their own: an export
//! writes each record's values exactly as the writer writes them into the TOML files
//! ([`Record::fields`]), turned into JSON; an import turns each record it reads back into a
//! TOML table and reads that with the data files' own reader ([`data::read_records`]), so an
//! imported record passes exactly the checks a hand-written one does, against the catalog it is
//! about to join, and every problem is reported at the line of the import file where its record
//! starts (`FILE:LINE: message`), all at once.
//!
//! A CSV file holds one kind. A row may leave its id out (one is generated as the moderator
//! forms generate them) and may name its speaker by name and its source as
//! `Title | https://url` (resolved as the forms resolve them, in [`crate::core::moderation`]:
//! an existing one is reused, a new one is created with the import).

use std::collections::{HashMap, HashSet};

use serde_json::Value as Json;
use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value as Toml};

use super::catalog::Catalog;
use super::data::{self, DataFile};
use super::edit::Change;
use super::model::{EntryKind, FieldValue, Record};
use super::moderation::{self, NEAR_DUPLICATE, Taken};
use super::schema::{Key, Kind, Shape};
use super::search::{self, Query, SearchIndex};

/// The largest file an import reads: checked from the file's size before it is read, so a
/// huge file is refused with a message instead of filling memory.
pub const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;

/// The formats of an export or an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One object: `{"speakers": [...], "sources": [...], ...}`.
    Json,
    /// One record a line, with a `"type"` key.
    JsonLines,
    /// One kind, a header row of its keys.
    Csv,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Json, Format::JsonLines, Format::Csv];

    /// The name the command line and file extensions use: `json`, `jsonl`, `csv`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::JsonLines => "jsonl",
            Format::Csv => "csv",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The format a file's extension names (`.json`, `.jsonl` or `.ndjson`, `.csv`).
    pub fn from_path(path: &str) -> Option<Format> {
        let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "ndjson" => Some(Format::JsonLines),
            other => Format::parse(other),
        }
    }
}

/// The plural a kind goes by in a JSON export's keys, `--kind` and file names: `quotes`.
pub fn plural(kind: Kind) -> &'static str {
    let file = kind.file();
    file.strip_suffix(".toml").unwrap_or(file)
}

/// The kind a plural names: `quotes` → quote.
pub fn kind_from_plural(name: &str) -> Option<Kind> {
    Kind::ALL.into_iter().find(|k| plural(*k) == name)
}

fn plurals() -> String {
    Kind::ALL
        .iter()
        .map(|k| plural(*k))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// Export

/// The catalog as `format`: every kind (or only `kind`) for JSON and JSON Lines; one kind
/// (`kind`, default quotes) for CSV. The output depends only on the catalog: records in file
/// order, keys in the schema's order.
pub fn export(catalog: &Catalog, format: Format, kind: Option<Kind>) -> String {
    let kinds: Vec<Kind> = match kind {
        Some(kind) => vec![kind],
        // Synonym groups (beyond the contract's five files) are listed only when the database
        // has some, so a database without synonyms.toml exports exactly the contract's object.
        None => Kind::ALL
            .into_iter()
            .filter(|&k| k != Kind::Synonym || !catalog.synonyms().is_empty())
            .collect(),
    };
    match format {
        Format::Json => {
            let mut out = String::from("{");
            for (n, kind) in kinds.iter().enumerate() {
                out.push_str(if n == 0 { "\n  " } else { ",\n  " });
                push_json_string(&mut out, plural(*kind));
                out.push_str(": [");
                let mut any = false;
                for record in catalog.records(*kind) {
                    out.push_str(if any { ",\n    " } else { "\n    " });
                    push_record(&mut out, &record, false);
                    any = true;
                }
                out.push_str(if any { "\n  ]" } else { "]" });
            }
            out.push_str("\n}\n");
            out
        }
        Format::JsonLines => {
            let mut out = String::new();
            for kind in kinds {
                for record in catalog.records(kind) {
                    push_record(&mut out, &record, true);
                    out.push('\n');
                }
            }
            out
        }
        Format::Csv => export_csv(catalog, kind.unwrap_or(Kind::Quote)),
    }
}

/// One record as a JSON object on one line, its keys as the TOML file has them.
fn push_record(out: &mut String, record: &Record, with_type: bool) {
    out.push('{');
    let mut first = true;
    if with_type {
        out.push_str("\"type\":");
        push_json_string(out, record.kind().table());
        first = false;
    }
    for (key, value) in record.fields() {
        let Some(value) = value else { continue };
        if !first {
            out.push(',');
        }
        first = false;
        push_json_string(out, key);
        out.push(':');
        push_json(out, &value);
    }
    out.push('}');
}

fn push_json_string(out: &mut String, text: &str) {
    out.push_str(&Json::from(text).to_string());
}

/// A TOML value as JSON, tables with their keys in order.
fn push_json(out: &mut String, value: &Toml) {
    match value {
        Toml::String(s) => push_json_string(out, s.value()),
        Toml::Integer(i) => out.push_str(&i.value().to_string()),
        Toml::Float(f) => out.push_str(
            &serde_json::Number::from_f64(*f.value())
                .map_or_else(|| "null".to_string(), |n| n.to_string()),
        ),
        Toml::Boolean(b) => out.push_str(if *b.value() { "true" } else { "false" }),
        Toml::Datetime(d) => push_json_string(out, &d.value().to_string()),
        Toml::Array(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                push_json(out, item);
            }
            out.push(']');
        }
        Toml::InlineTable(table) => {
            out.push('{');
            for (n, (key, item)) in table.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                push_json_string(out, key);
                out.push(':');
                push_json(out, item);
            }
            out.push('}');
        }
    }
}

/// How a key's value is written in a CSV cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// As the text itself.
    Text,
    /// A list of strings, joined with `;` (a `;`, a `\` and white space at either end of an
    /// item escaped with `\`).
    List,
    /// A nested or numeric value, as JSON.
    Json,
}

fn cell_of(shape: Shape) -> Cell {
    match shape {
        Shape::Id
        | Shape::Text
        | Shape::Url
        | Shape::Date
        | Shape::OneOf(_)
        | Shape::Reference(_)
        | Shape::Language
        | Shape::WikidataId => Cell::Text,
        Shape::References(_) | Shape::TextList | Shape::Words | Shape::Topics => Cell::List,
        Shape::Figure | Shape::Number | Shape::Tables(_) => Cell::Json,
    }
}

fn export_csv(catalog: &Catalog, kind: Kind) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let keys = kind.keys();
    // Writing to memory cannot fail.
    let _ = writer.write_record(keys.iter().map(|k| k.name));
    let mut row: Vec<String> = Vec::with_capacity(keys.len());
    for record in catalog.records(kind) {
        row.clear();
        for (key, (_, value)) in keys.iter().zip(record.fields()) {
            row.push(value.map_or_else(String::new, |v| csv_cell(key, &v)));
        }
        let _ = writer.write_record(&row);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

fn csv_cell(key: &Key, value: &Toml) -> String {
    match (cell_of(key.shape), value) {
        (Cell::Text, Toml::String(s)) => s.value().clone(),
        (Cell::List, Toml::Array(items)) if items.iter().all(|i| i.as_str().is_some()) => items
            .iter()
            .filter_map(Toml::as_str)
            .map(escape_item)
            .collect::<Vec<_>>()
            .join(";"),
        _ => {
            let mut out = String::new();
            push_json(&mut out, value);
            out
        }
    }
}

/// A list item as a CSV cell holds it: `\` and `;` escaped, and white space at either end (which
/// a reader otherwise trims).
fn escape_item(item: &str) -> String {
    let chars: Vec<char> = item.chars().collect();
    let lead = chars.iter().take_while(|c| c.is_whitespace()).count();
    let trail = chars.iter().rev().take_while(|c| c.is_whitespace()).count();
    let mut out = String::with_capacity(item.len() + 2);
    for (i, &c) in chars.iter().enumerate() {
        let edge = c.is_whitespace() && (i < lead || i >= chars.len() - trail);
        if c == '\\' || c == ';' || edge {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A CSV list cell's items: split at each `;` not escaped by `\`, white space trimmed from
/// both ends of each item unless escaped, empty items dropped. A `\` before anything but `\`,
/// `;` or white space is kept as it is.
fn split_list(cell: &str) -> Vec<String> {
    let mut items: Vec<Vec<(char, bool)>> = vec![Vec::new()];
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        let current = items.last_mut().expect("never empty");
        match c {
            '\\' => match chars.peek() {
                Some(&next) if next == '\\' || next == ';' || next.is_whitespace() => {
                    current.push((next, true));
                    chars.next();
                }
                _ => current.push(('\\', false)),
            },
            ';' => items.push(Vec::new()),
            c => current.push((c, false)),
        }
    }
    items
        .into_iter()
        .filter_map(|item| {
            let loose = |(c, escaped): &(char, bool)| !escaped && c.is_whitespace();
            let start = item.iter().position(|c| !loose(c))?;
            let end = item.iter().rposition(|c| !loose(c))?;
            Some(item[start..=end].iter().map(|(c, _)| *c).collect())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Import

/// A file to import: its name as messages should show it, its text and its format.
#[derive(Debug, Clone, Copy)]
pub struct Import<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub format: Format,
}

/// What an import would do: the ids it adds, changes and leaves as they are, the new records
/// that look like existing quotes or facts, every problem, and the changes that do it (one step
/// for the one writer). When there are problems nothing is to be written.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub unchanged: Vec<String>,
    /// (new id, existing id).
    pub near_duplicates: Vec<(String, String)>,
    /// `FILE:LINE: message`, in the order of the file.
    pub problems: Vec<String>,
    pub changes: Vec<Change>,
}

impl Plan {
    /// The plan as the contract's JSON object, keys in its order.
    pub fn to_json(&self) -> String {
        let list = |ids: &[String]| Json::from(ids.to_vec()).to_string();
        let pairs: Vec<Json> = self
            .near_duplicates
            .iter()
            .map(|(new, old)| Json::from(vec![new.clone(), old.clone()]))
            .collect();
        format!(
            "{{\"added\": {}, \"changed\": {}, \"unchanged\": {}, \"near_duplicates\": {}, \"problems\": {}}}",
            list(&self.added),
            list(&self.changed),
            list(&self.unchanged),
            Json::from(pairs),
            list(&self.problems)
        )
    }

    /// Whether the import changes anything.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// A problem at a line of the import file.
struct Problem {
    line: usize,
    message: String,
}

/// One record as read from the import file, before it is checked: its kind, the line it starts
/// on and its keys with their values.
struct Raw {
    kind: Kind,
    line: usize,
    /// Read from a CSV row, whose speaker and source may be given by name.
    csv: bool,
    fields: Vec<(String, Json)>,
}

impl Raw {
    fn get(&self, key: &str) -> Option<&Json> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn id(&self) -> Option<&str> {
        self.get("id").and_then(Json::as_str)
    }
}

/// What an import does with a new quote or fact that looks like one the database has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NearDuplicates {
    /// Listed in `near_duplicates` and left out: not added (the default). A curator adds one
    /// on purpose, never by accident in a batch.
    #[default]
    LeaveOut,
    /// Listed in `near_duplicates` and added with the rest (`--allow-near-duplicates`).
    Add,
}

/// [`plan_with`] leaving near duplicates out.
pub fn plan(catalog: &Catalog, index: &SearchIndex, import: Import<'_>) -> Plan {
    plan_with(catalog, index, import, NearDuplicates::LeaveOut)
}

/// Reads `import` and plans merging its records into `catalog`: records with an id the catalog
/// does not have are added, records with one it has are changed when they differ and left
/// alone when they do not. Every record is checked as a data file's record is, references
/// included (to the catalog's records and the import's own); new quotes and facts are searched
/// for in `index` (the catalog's) as the forms do, and close matches listed in
/// `near_duplicates`: left out of `added` and of the changes unless `near` says to add them (a
/// record of the import that refers to one left out is then a problem at its line).
pub fn plan_with(
    catalog: &Catalog,
    index: &SearchIndex,
    import: Import<'_>,
    near: NearDuplicates,
) -> Plan {
    plan_all(catalog, index, &[import], near)
}

/// [`plan_with`] for several files planned as one import: references may go from any file to
/// any other (a quotes CSV and a facts CSV whose `related` lists name each other), an id twice
/// among them is a problem, and problems name the file and line they are at.
pub fn plan_all(
    catalog: &Catalog,
    index: &SearchIndex,
    imports: &[Import<'_>],
    near: NearDuplicates,
) -> Plan {
    let mut problems = Vec::new();
    let mut created = Vec::new();
    let mut raws = Vec::new();
    // The files share one numbering of lines: line n of file k is `starts[k] + n`.
    let mut starts = Vec::with_capacity(imports.len());
    let mut next = 0;
    for &import in imports {
        let (first_raw, first_problem) = (raws.len(), problems.len());
        raws.extend(match import.format {
            // A byte order mark (Windows tools write one) is skipped, as read_csv skips it.
            Format::Json => read_json(without_bom(import.text), &mut problems),
            Format::JsonLines => read_json_lines(without_bom(import.text), &mut problems),
            Format::Csv => read_csv(import, &mut problems),
        });
        for raw in &mut raws[first_raw..] {
            raw.line += next;
        }
        for problem in &mut problems[first_problem..] {
            problem.line += next;
        }
        starts.push(next);
        next += import.text.lines().count() + 2;
    }
    let place = |line: usize| {
        let file = starts
            .partition_point(|&start| start < line)
            .saturating_sub(1);
        let path = imports.get(file).map_or("", |import| import.path);
        format!("{path}:{}", line - starts.get(file).copied().unwrap_or(0))
    };
    // A CSV row's speaker or source given by name: a record of the database or of the import
    // with that id, else one the import creates (once for all the rows that name it).
    resolve_names(catalog, &mut raws, &mut created, &mut problems);
    let raws = distinct(catalog, raws, &place, &mut problems);
    let lines: HashMap<String, usize> = raws
        .iter()
        .filter_map(|r| Some((r.id()?.to_string(), r.line)))
        .collect();
    let records = check(catalog, &created, raws, &mut problems);

    let mut plan = Plan::default();
    for change in created {
        plan.added.push(change.id().to_string());
        plan.changes.push(change);
    }
    for record in records {
        match record.current(catalog) {
            None => {
                plan.added.push(record.id().to_string());
                plan.changes.push(Change::add(record));
            }
            Some(existing) if existing == record => plan.unchanged.push(record.id().to_string()),
            Some(existing) => {
                plan.changed.push(record.id().to_string());
                plan.changes.push(Change::edit(existing, record));
            }
        }
    }
    plan.near_duplicates = near_duplicates(catalog, index, &plan.changes);
    if near == NearDuplicates::LeaveOut && !plan.near_duplicates.is_empty() {
        leave_out_near_duplicates(&mut plan, &lines, &mut problems);
    }
    problems.sort_by_key(|p| p.line);
    plan.problems = problems
        .into_iter()
        .map(|p| format!("{}: {}", place(p.line), p.message))
        .collect();
    plan.problems.dedup();
    if !plan.problems.is_empty() {
        plan.changes.clear();
    }
    // `lines` keeps the order of the file for the lists.
    let order = |id: &String| lines.get(id).copied().unwrap_or(0);
    plan.added.sort_by_key(order);
    plan.changed.sort_by_key(order);
    plan.unchanged.sort_by_key(order);
    plan
}

/// Takes the near duplicates out of the plan's additions; a record still in the plan that
/// refers to one of them is reported at its line (it would refer to nothing).
fn leave_out_near_duplicates(
    plan: &mut Plan,
    lines: &HashMap<String, usize>,
    problems: &mut Vec<Problem>,
) {
    let left_out: HashMap<&str, &str> = plan
        .near_duplicates
        .iter()
        .map(|(new, old)| (new.as_str(), old.as_str()))
        .collect();
    let is_left_out = |c: &Change| {
        matches!(c, Change::Add { .. })
            && matches!(c.record(), Record::Quote(_) | Record::Fact(_))
            && left_out.contains_key(c.id())
    };
    plan.changes.retain(|c| !is_left_out(c));
    plan.added.retain(|id| !left_out.contains_key(id.as_str()));
    for change in &plan.changes {
        let Some(record) = change.after() else {
            continue;
        };
        for (key, value) in record.values() {
            let Some(FieldValue::List(ids)) = value else {
                continue;
            };
            if !matches!(
                record.kind().key(key).map(|k| k.shape),
                Some(Shape::References(_))
            ) {
                continue;
            }
            for id in ids {
                if let Some(existing) = left_out.get(id.as_str()) {
                    problems.push(Problem {
                        line: lines.get(record.id()).copied().unwrap_or(1),
                        message: format!(
                            "`{key}` names `{id}`, a near duplicate of `{existing}` that is left out; leave the reference out, or import with --allow-near-duplicates to add it"
                        ),
                    });
                }
            }
        }
    }
}

/// Drops (and reports) a record whose id an earlier one in the file has (in its namespace: a
/// topic may share its slug with a record), or that the catalog has as a record of another
/// kind.
fn distinct(
    catalog: &Catalog,
    raws: Vec<Raw>,
    place: &dyn Fn(usize) -> String,
    problems: &mut Vec<Problem>,
) -> Vec<Raw> {
    let mut seen: HashMap<(bool, String), usize> = HashMap::new();
    raws.into_iter()
        .filter(|raw| {
            let Some(id) = raw.id() else { return true };
            let own = raw.kind.own_ids();
            if let Some(first) = seen.get(&(own, id.to_string())) {
                problems.push(Problem {
                    line: raw.line,
                    message: format!("duplicate id `{id}`: already used at {}", place(*first)),
                });
                return false;
            }
            seen.insert((own, id.to_string()), raw.line);
            if own {
                return true;
            }
            match catalog.kind_of(id) {
                Some(kind) if kind != raw.kind => {
                    problems.push(Problem {
                        line: raw.line,
                        message: format!(
                            "`{id}` is a {} in the database, so a {} cannot have its id",
                            kind.noun(),
                            raw.kind.noun()
                        ),
                    });
                    false
                }
                _ => true,
            }
        })
        .collect()
}

/// Checks the records with the data files' own reader: each is written as a TOML table, the
/// tables of a kind read as that kind's file would be, and each problem put back at the line
/// of the import file where its record starts.
fn check(
    catalog: &Catalog,
    created: &[Change],
    raws: Vec<Raw>,
    problems: &mut Vec<Problem>,
) -> Vec<Record> {
    struct Written {
        kind: Kind,
        path: String,
        text: String,
        /// (first line of a table in `text`, the line its record starts on in the import).
        starts: Vec<(usize, usize)>,
    }
    let mut written: Vec<Written> = Kind::ALL
        .iter()
        .map(|&kind| Written {
            kind,
            path: format!("<{}>", plural(kind)),
            text: String::new(),
            starts: Vec::new(),
        })
        .collect();
    let mut text_lines = vec![1usize; Kind::ALL.len()];
    for raw in raws {
        let file = raw.kind.index();
        let table = toml_table(&raw, problems);
        let mut doc = DocumentMut::new();
        let mut array = ArrayOfTables::new();
        array.push(table);
        doc.insert(raw.kind.table(), Item::ArrayOfTables(array));
        let rendered = doc.to_string();
        let out = &mut written[file];
        out.starts.push((text_lines[file], raw.line));
        text_lines[file] += rendered.matches('\n').count();
        out.text.push_str(&rendered);
    }
    let written: Vec<Written> = written.into_iter().filter(|w| !w.text.is_empty()).collect();
    let files: Vec<(Kind, DataFile<'_>)> = written
        .iter()
        .map(|w| {
            (
                w.kind,
                DataFile {
                    path: &w.path,
                    text: &w.text,
                },
            )
        })
        .collect();
    // References may name the catalog's records and the speakers and sources a CSV's rows
    // create.
    let created: HashMap<&str, Kind> = created
        .iter()
        .map(|c| (c.id(), c.record().kind()))
        .collect();
    let outside = |id: &str| catalog.kind_of(id).or_else(|| created.get(id).copied());
    let (records, diagnostics) = data::read_records(&files, &outside);
    for diagnostic in diagnostics {
        let Some(file) = written.iter().find(|w| w.path == diagnostic.path) else {
            continue;
        };
        let at = file
            .starts
            .partition_point(|(start, _)| *start <= diagnostic.line);
        let line = file.starts[at.saturating_sub(1)].1;
        problems.push(Problem {
            line,
            message: diagnostic.message,
        });
    }
    records
}

/// A record's keys and values as a TOML table; a value TOML cannot hold is reported.
fn toml_table(raw: &Raw, problems: &mut Vec<Problem>) -> Table {
    let mut table = Table::new();
    for (key, value) in &raw.fields {
        match toml_of(value) {
            Ok(Some(value)) => {
                table.insert(key, Item::Value(value));
            }
            Ok(None) => {}
            Err(message) => problems.push(Problem {
                line: raw.line,
                message: format!("`{key}`: {message}"),
            }),
        }
    }
    table
}

/// A JSON value as TOML; `None` for null (a key given as null is a key left out).
fn toml_of(value: &Json) -> Result<Option<Toml>, String> {
    Ok(Some(match value {
        Json::Null => return Ok(None),
        Json::Bool(b) => Toml::from(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Toml::from(i),
            None => Toml::from(n.as_f64().ok_or("a number out of range")?),
        },
        Json::String(s) => Toml::from(s.as_str()),
        Json::Array(items) => {
            let mut array = toml_edit::Array::new();
            for item in items {
                array.push(toml_of(item)?.ok_or("a list cannot hold null")?);
            }
            Toml::Array(array)
        }
        Json::Object(map) => {
            let mut table = InlineTable::new();
            for (key, item) in map {
                if let Some(item) = toml_of(item)? {
                    table.insert(key, item);
                }
            }
            Toml::InlineTable(table)
        }
    }))
}

/// New quotes and facts whose best match among the catalog's scores as a near duplicate, as
/// the forms check them: (new id, existing id).
fn near_duplicates(
    catalog: &Catalog,
    index: &SearchIndex,
    changes: &[Change],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for change in changes {
        let (kind, text) = match change {
            Change::Add {
                after: Record::Quote(q),
                ..
            } => (EntryKind::Quote, &q.text),
            Change::Add {
                after: Record::Fact(f),
                ..
            } => (EntryKind::Fact, &f.text),
            _ => continue,
        };
        let outcome = search::search(
            index,
            catalog,
            &Query {
                kind: Some(kind),
                ..Query::new(text, 1)
            },
        );
        if let Some(best) = outcome.hits.first().filter(|h| h.score >= NEAR_DUPLICATE) {
            out.push((
                change.id().to_string(),
                best.entry(catalog).id().to_string(),
            ));
        }
    }
    out
}

/// serde_json's message without the position it appends (the line is reported separately).
fn json_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    }
}

fn type_name(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "true or false",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// A whole-database JSON file: `{"speakers": [{...}, ...], ...}`.
/// Parses JSON text, refusing an object that gives a key twice: serde_json keeps the last
/// silently, and the data files' own reader refuses a key given twice.
fn parse_json(text: &str) -> Result<Json, serde_json::Error> {
    use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
    /// Any JSON value, checked for keys given twice in every object.
    struct Checked;
    impl<'de> serde::Deserialize<'de> for Checked {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(CheckedVisitor)
        }
    }
    struct CheckedVisitor;
    impl<'de> Visitor<'de> for CheckedVisitor {
        type Value = Checked;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_unit<E>(self) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
            while seq.next_element::<Checked>()?.is_some() {}
            Ok(Checked)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
            let mut seen = HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !seen.insert(key.clone()) {
                    return Err(de::Error::custom(format!("duplicate key `{key}`")));
                }
                map.next_value::<Checked>()?;
            }
            Ok(Checked)
        }
    }
    serde_json::from_str::<Checked>(text)?;
    serde_json::from_str(text)
}

fn read_json(text: &str, problems: &mut Vec<Problem>) -> Vec<Raw> {
    let value: Json = match parse_json(text) {
        Ok(value) => value,
        Err(e) => {
            problems.push(Problem {
                line: e.line().max(1),
                message: format!("not valid JSON: {}", json_message(&e)),
            });
            return Vec::new();
        }
    };
    let Json::Object(top) = value else {
        problems.push(Problem {
            line: 1,
            message: format!(
                "expected one object like {{\"quotes\": [...]}}, found {}",
                type_name(&value)
            ),
        });
        return Vec::new();
    };
    let places = json_places(text);
    let mut raws = Vec::new();
    // In the order of the schema's kinds, so records are read before what refers to them.
    let mut keys: Vec<(String, Json)> = top.into_iter().collect();
    keys.sort_by_key(|(key, _)| kind_from_plural(key).map_or(usize::MAX, Kind::index));
    for (key, value) in keys {
        let place = places.get(&key);
        let key_line = place.map_or(1, |p| p.line);
        if place.is_some_and(|p| p.times > 1) {
            problems.push(Problem {
                line: key_line,
                message: format!("`{key}` is given more than once"),
            });
            continue;
        }
        let Some(kind) = kind_from_plural(&key) else {
            problems.push(Problem {
                line: key_line,
                message: format!("unknown key `{key}`: expected {}", plurals()),
            });
            continue;
        };
        let Json::Array(items) = value else {
            problems.push(Problem {
                line: key_line,
                message: format!(
                    "`{key}` must be a list of records, found {}",
                    type_name(&value)
                ),
            });
            continue;
        };
        for (n, item) in items.into_iter().enumerate() {
            let line = place
                .and_then(|p| p.elements.get(n).copied())
                .unwrap_or(key_line);
            match item {
                Json::Object(map) => raws.push(Raw {
                    kind,
                    line,
                    csv: false,
                    fields: map.into_iter().collect(),
                }),
                other => problems.push(Problem {
                    line,
                    message: format!(
                        "a {} must be an object {{\"id\": ...}}, found {}",
                        kind.noun(),
                        type_name(&other)
                    ),
                }),
            }
        }
    }
    raws
}

/// Where a top-level key of a JSON object is, how often it is given, and the lines its list's
/// elements start on.
#[derive(Debug, Default)]
struct Place {
    line: usize,
    times: usize,
    elements: Vec<usize>,
}

/// The places of a JSON object's top-level keys. The text is valid JSON (serde_json read it
/// first), so only strings, nesting, commas and line breaks need following.
fn json_places(text: &str) -> HashMap<String, Place> {
    let mut places: HashMap<String, Place> = HashMap::new();
    let mut depth = 0usize;
    let mut line = 1usize;
    let (mut in_string, mut escaped) = (false, false);
    let mut string_start = 0;
    let mut string_is_key = false;
    let (mut expect_key, mut expect_element) = (false, false);
    let mut current: Option<String> = None;
    for (at, c) in text.char_indices() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                if string_is_key {
                    let key: String =
                        serde_json::from_str(&text[string_start..=at]).unwrap_or_default();
                    let place = places.entry(key.clone()).or_default();
                    if place.times == 0 {
                        place.line = line;
                    }
                    place.times += 1;
                    current = Some(key);
                }
            }
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if depth == 2
            && expect_element
            && c != ']'
            && let Some(place) = current.as_ref().and_then(|k| places.get_mut(k))
        {
            place.elements.push(line);
        }
        expect_element = false;
        match c {
            '"' => {
                in_string = true;
                string_start = at;
                string_is_key = depth == 1 && expect_key;
                expect_key = false;
            }
            '{' | '[' => {
                depth += 1;
                expect_key = depth == 1 && c == '{';
                expect_element = depth == 2 && c == '[';
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            ',' => {
                expect_key = depth == 1;
                expect_element = depth == 2;
            }
            _ => {}
        }
    }
    places
}

/// JSON Lines: one record a line, its kind in `"type"`; blank lines are skipped.
fn read_json_lines(text: &str, problems: &mut Vec<Problem>) -> Vec<Raw> {
    let mut raws = Vec::new();
    for (n, line_text) in text.lines().enumerate() {
        let line = n + 1;
        if line_text.trim().is_empty() {
            continue;
        }
        let mut problem = |message: String| problems.push(Problem { line, message });
        let value: Json = match parse_json(line_text) {
            Ok(value) => value,
            Err(e) => {
                problem(format!("not valid JSON: {}", json_message(&e)));
                continue;
            }
        };
        let Json::Object(mut map) = value else {
            problem(format!(
                "a record must be an object {{\"type\": ..., \"id\": ...}}, found {}",
                type_name(&value)
            ));
            continue;
        };
        let tables: Vec<String> = Kind::ALL
            .iter()
            .map(|k| format!("\"{}\"", k.table()))
            .collect();
        let kind = match map.remove("type") {
            Some(Json::String(table)) => match Kind::from_table(&table) {
                Some(kind) => kind,
                None => {
                    problem(format!(
                        "unknown `type` {table:?}: expected {}",
                        tables.join(", ")
                    ));
                    continue;
                }
            },
            Some(other) => {
                problem(format!(
                    "`type` must be one of {}, found {}",
                    tables.join(", "),
                    type_name(&other)
                ));
                continue;
            }
            None => {
                problem(format!(
                    "a record needs a `type`: one of {}",
                    tables.join(", ")
                ));
                continue;
            }
        };
        raws.push(Raw {
            kind,
            line,
            csv: false,
            fields: map.into_iter().collect(),
        });
    }
    raws
}

/// The kind a CSV file's rows are: the one its file name names (`quotes.csv`) when its columns
/// fit it, else the only kind whose keys include every column and whose required keys (an id
/// aside) are all there.
fn csv_kind(path: &str, columns: &[String]) -> Result<Kind, String> {
    let fits = |kind: Kind| columns.iter().all(|c| kind.key(c).is_some());
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_lowercase();
    if let Some(kind) = Kind::ALL
        .into_iter()
        .find(|k| name.contains(plural(*k)) && fits(*k))
    {
        return Ok(kind);
    }
    let complete = |kind: Kind| {
        kind.keys()
            .iter()
            .filter(|k| k.required && k.name != "id")
            .all(|k| columns.iter().any(|c| c == k.name))
    };
    let candidates: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| fits(*k) && complete(*k))
        .collect();
    match candidates[..] {
        [kind] => Ok(kind),
        _ => Err(format!(
            "the columns ({}) are not those of one kind of record; a CSV file holds one kind: name it after the kind ({}) and give its columns (`quotebot export --format csv --kind KIND` shows them)",
            columns.join(", "),
            Kind::ALL
                .iter()
                .map(|k| format!("{}.csv", plural(*k)))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The text without the byte order mark it may start with.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// A CSV file of one kind: a header row of keys, then one record a row. Rows may leave the id
/// out and name their speaker and source as the forms do; the new speakers and sources that
/// takes go into `created`.
fn read_csv(import: Import<'_>, problems: &mut Vec<Problem>) -> Vec<Raw> {
    let text = without_bom(import.text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let columns: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            problems.push(Problem {
                line: 1,
                message: format!("the header row cannot be read: {e}"),
            });
            return Vec::new();
        }
    };
    if columns.iter().all(String::is_empty) {
        problems.push(Problem {
            line: 1,
            message: "the file has no header row: the first row names the columns (id, text, ...)"
                .to_string(),
        });
        return Vec::new();
    }
    let kind = match csv_kind(import.path, &columns) {
        Ok(kind) => kind,
        Err(message) => {
            problems.push(Problem { line: 1, message });
            return Vec::new();
        }
    };
    let mut seen = HashSet::new();
    for column in &columns {
        if !seen.insert(column) {
            problems.push(Problem {
                line: 1,
                message: format!("the column `{column}` is given twice"),
            });
        }
    }
    let keys: Vec<&'static Key> = columns.iter().filter_map(|c| kind.key(c)).collect();
    let mut lines = LineCounter::new(text);
    let mut raws = Vec::new();
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(1, |p| lines.line_at(p.byte()));
                problems.push(Problem {
                    line,
                    message: format!("this row cannot be read: {e}"),
                });
                continue;
            }
        };
        let line = row.position().map_or(1, |p| lines.line_at(p.byte()));
        if row.len() != keys.len() {
            problems.push(Problem {
                line,
                message: format!(
                    "this row has {} cells, the header {}",
                    row.len(),
                    keys.len()
                ),
            });
            continue;
        }
        let mut fields = Vec::new();
        for (key, cell) in keys.iter().zip(row.iter()) {
            if cell.is_empty() {
                continue;
            }
            let value = match cell_of(key.shape) {
                Cell::Text => Json::from(cell),
                Cell::List => Json::from(split_list(cell)),
                Cell::Json => match serde_json::from_str(cell) {
                    Ok(value) => value,
                    Err(e) => {
                        problems.push(Problem {
                            line,
                            message: format!(
                                "`{}` is written as JSON (like {}), and this is not: {}",
                                key.name,
                                json_example(key.shape),
                                json_message(&e)
                            ),
                        });
                        continue;
                    }
                },
            };
            fields.push((key.name.to_string(), value));
        }
        raws.push(Raw {
            kind,
            line,
            csv: true,
            fields,
        });
    }
    raws
}

/// The line a CSV row starts on, from its byte offset. The reader's own line count is one
/// short after `\r\n` (it ends a row at `\r` and counts the `\n` with the next), so lines
/// are counted here, forward only, from the offsets of rows in order.
struct LineCounter<'t> {
    text: &'t str,
    at: usize,
    line: usize,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> Self {
        LineCounter {
            text,
            at: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, byte: u64) -> usize {
        let bytes = self.text.as_bytes();
        let mut start = (byte as usize).min(bytes.len());
        // A row's offset may be that of the line break ending the row before.
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= self.at {
            self.line += bytes[self.at..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.at = start;
        }
        self.line
    }
}

fn json_example(shape: Shape) -> &'static str {
    match shape {
        Shape::Figure => "{\"value\": 140e9, \"unit\": \"USD\"}",
        _ => "1000",
    }
}

/// Rows that name a speaker or source by name or title (not by id) get the id of the one named,
/// existing or created; rows without an id get one, as the forms do.
fn resolve_names(
    catalog: &Catalog,
    raws: &mut [Raw],
    created: &mut Vec<Change>,
    problems: &mut Vec<Problem>,
) {
    let mut taken: Taken = raws
        .iter()
        .filter_map(|r| r.id().map(str::to_string))
        .collect();
    let declared: HashSet<(Kind, String)> = raws
        .iter()
        .filter_map(|r| Some((r.kind, r.id()?.to_string())))
        .collect();
    // The same name on many rows is one speaker (or source): the first row's.
    let mut named: HashMap<(Kind, String), String> = HashMap::new();
    for raw in raws.iter_mut().filter(|raw| raw.csv) {
        let (kind, line) = (raw.kind, raw.line);
        for (key, value) in raw.fields.iter_mut() {
            let Some(shape) = kind.key(key).map(|k| k.shape) else {
                continue;
            };
            let target = match shape {
                Shape::Reference([Kind::Speaker]) => Kind::Speaker,
                Shape::Reference([Kind::Source]) => Kind::Source,
                _ => continue,
            };
            let Some(text) = value.as_str() else { continue };
            if catalog.kind_of(text) == Some(target)
                || declared.contains(&(target, text.to_string()))
            {
                continue;
            }
            let place = (target, text.to_string());
            let id = match named.get(&place) {
                Some(id) => id.clone(),
                None => {
                    let resolved = match target {
                        Kind::Speaker => moderation::speaker(catalog, text, created, &mut taken),
                        _ => moderation::source(catalog, text, created, &mut taken),
                    };
                    match resolved {
                        Ok(id) => {
                            named.insert(place, id.clone());
                            id
                        }
                        Err(e) => {
                            problems.push(Problem {
                                line,
                                message: format!("`{key}`: {}", e.message),
                            });
                            continue;
                        }
                    }
                }
            };
            *value = Json::from(id);
        }
        if raw.get("id").is_none()
            && let Some(id) = new_id(catalog, raw, created, &taken)
        {
            taken.insert(id.clone());
            raw.fields.insert(0, ("id".to_string(), Json::from(id)));
        }
    }
}

/// The id a row without one gets: a quote's from its speaker's last name and first words, any
/// other record's from its first required text (a fact's text, a speaker's name).
fn new_id(catalog: &Catalog, raw: &Raw, created: &[Change], taken: &Taken) -> Option<String> {
    let text_key = raw
        .kind
        .keys()
        .iter()
        .find(|k| k.required && k.shape == Shape::Text)?;
    let words = raw.get(text_key.name)?.as_str()?;
    if raw.kind != Kind::Quote {
        return Some(moderation::fresh_id(catalog, words, taken));
    }
    let speaker = raw.get("speaker").and_then(Json::as_str).unwrap_or("");
    let name = match catalog.speaker(speaker) {
        Some(s) => s.name.clone(),
        None => created
            .iter()
            .find_map(|c| match c.after() {
                Some(Record::Speaker(s)) if s.id == speaker => Some(s.name.clone()),
                _ => None,
            })
            .unwrap_or_else(|| speaker.to_string()),
    };
    Some(moderation::quote_id(catalog, &name, words, taken))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_items_keep_semicolons_backslashes_and_edge_spaces() {
        let cases: &[&[&str]] = &[
            &["a", "b"],
            &["a;b", "c\\d", "e\\"],
            &[" lead", "trail ", "  both  ", "in side"],
            &["\\;", ";", "\\"],
            &["한국; 조선", "🙂"],
        ];
        for items in cases {
            let cell = items
                .iter()
                .map(|i| escape_item(i))
                .collect::<Vec<_>>()
                .join(";");
            assert_eq!(split_list(&cell), *items, "{cell:?}");
        }
        // What people type by hand: spaces after the separator, a stray backslash, a trailing
        // separator.
        assert_eq!(split_list("a; b ;c;"), ["a", "b", "c"]);
        assert_eq!(split_list("C:\\path; x"), ["C:\\path", "x"]);
    }

    #[test]
    fn formats_are_named_by_their_extensions() {
        assert_eq!(Format::from_path("a/quotes.CSV"), Some(Format::Csv));
        assert_eq!(Format::from_path("db.jsonl"), Some(Format::JsonLines));
        assert_eq!(Format::from_path("db.ndjson"), Some(Format::JsonLines));
        assert_eq!(Format::from_path("db.json"), Some(Format::Json));
        assert_eq!(Format::from_path("db.toml"), None);
        assert_eq!(Format::from_path("db"), None);
    }

    #[test]
    fn the_lines_of_json_records_are_found_where_each_starts() {
        let text = "{\n  \"speakers\": [\n    {\"id\": \"a\"},\n    {\n      \"id\": \"b,]}\"\n    }\n  ],\n  \"quotes\": [], \"facts\": [{}, {},\n{}]\n}\n";
        let places = json_places(text);
        assert_eq!(places["speakers"].line, 2);
        assert_eq!(places["speakers"].elements, [3, 4]);
        assert!(places["quotes"].elements.is_empty());
        assert_eq!(places["facts"].elements, [8, 8, 9]);
    }
}
