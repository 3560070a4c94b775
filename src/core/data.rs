//! The curated database's text form (contract §1) turned into a [`Catalog`].
//!
//! [`parse_catalog`] takes the four files' paths and texts and returns either a catalog or
//! every problem found, each as `PATH:LINE:COLUMN: message`: malformed TOML, unknown keys,
//! missing or empty required fields, bad ids, dates and URLs, duplicate ids across files and
//! references to ids that do not exist. It reads no files itself.

use std::collections::HashMap;
use std::ops::Range;

use toml_edit::Item;

use super::catalog::Catalog;
use super::diag::{Diagnostic, SourceText};
use super::model::{Fact, Figure, PartialDate, Quote, QuoteKind, Source, Speaker, is_valid_id};
use super::toml_view::{Checker, Node, Record, Spanned, parse_document};

/// One data file's path (as it should appear in messages) and text.
#[derive(Debug, Clone, Copy)]
pub struct DataFile<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

/// The four files of the database.
#[derive(Debug, Clone, Copy)]
pub struct DataFiles<'a> {
    pub speakers: DataFile<'a>,
    pub sources: DataFile<'a>,
    pub quotes: DataFile<'a>,
    pub facts: DataFile<'a>,
}

/// The file names inside the data directory, in the order they are read.
pub const FILE_NAMES: [&str; 4] = ["speakers.toml", "sources.toml", "quotes.toml", "facts.toml"];

const SPEAKER_KEYS: &[&str] = &["id", "name", "role", "aliases"];
const SOURCE_KEYS: &[&str] = &["id", "title", "outlet", "url", "published"];
const QUOTE_KEYS: &[&str] = &[
    "id", "text", "speaker", "source", "kind", "date", "context", "topics", "related",
];
const FACT_KEYS: &[&str] = &[
    "id", "text", "source", "as_of", "topics", "figure", "related",
];
const FIGURE_KEYS: &[&str] = &["value", "unit", "qualifier"];

/// Where an id or a reference was written, to report problems found across files.
#[derive(Debug, Clone)]
struct Site {
    file: usize,
    span: Option<Range<usize>>,
}

/// A reference from one record to another id, checked once every file is read.
struct Reference {
    site: Site,
    target: String,
    field: &'static str,
    allowed: &'static [Kind],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Speaker,
    Source,
    Quote,
    Fact,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Speaker => "speaker",
            Kind::Source => "source",
            Kind::Quote => "quote",
            Kind::Fact => "fact",
        }
    }
}

/// Collects records and cross-file facts while the files are read one by one.
struct Reader<'a> {
    sources: Vec<SourceText<'a>>,
    errors: Vec<Diagnostic>,
    ids: HashMap<String, (Kind, Site)>,
    references: Vec<Reference>,
    /// Kinds whose file could not be parsed: their ids are unknown, so references to them
    /// are not checked (the parse error is reported instead of a cascade of "unknown" ones).
    unreadable: Vec<Kind>,
}

/// Parses and validates the whole database.
pub fn parse_catalog(files: &DataFiles<'_>) -> Result<Catalog, Vec<Diagnostic>> {
    let texts = [files.speakers, files.sources, files.quotes, files.facts];
    let mut reader = Reader {
        sources: texts
            .iter()
            .map(|f| SourceText::new(f.path, f.text))
            .collect(),
        errors: Vec::new(),
        ids: HashMap::new(),
        references: Vec::new(),
        unreadable: Vec::new(),
    };
    let speakers = reader.read_file(0, "speaker", read_speaker);
    let sources = reader.read_file(1, "source", read_source);
    let quotes = reader.read_file(2, "quote", read_quote);
    let facts = reader.read_file(3, "fact", read_fact);
    reader.check_references();
    if reader.errors.is_empty() {
        Ok(Catalog::from_checked(speakers, sources, quotes, facts))
    } else {
        let mut errors = reader.errors;
        errors.sort_by(|a, b| {
            let order = |d: &Diagnostic| texts.iter().position(|f| f.path == d.path);
            (order(a), a.line, a.column).cmp(&(order(b), b.line, b.column))
        });
        errors.dedup();
        Err(errors)
    }
}

/// What reading one record yields: the record (when its required fields are usable), its id
/// site, and the references it makes.
struct Read<T> {
    record: Option<T>,
    id: Option<Spanned<String>>,
    references: Vec<(Spanned<String>, &'static str, &'static [Kind])>,
}

impl<'a> Reader<'a> {
    fn read_file<T>(
        &mut self,
        file: usize,
        table: &'static str,
        read: impl Fn(&mut Checker<'_>, &Record<'_>) -> Read<T>,
    ) -> Vec<T> {
        let kind = match table {
            "speaker" => Kind::Speaker,
            "source" => Kind::Source,
            "quote" => Kind::Quote,
            _ => Kind::Fact,
        };
        let source = &self.sources[file];
        let mut found = Found::default();
        // Large files are parsed a slice of tables at a time, which keeps the parser's
        // document small; a slice that does not parse on its own means the split was unsafe,
        // and the whole file is parsed at once instead (for the right error, too).
        let mut split_ok = true;
        for (offset, chunk) in split_tables(source.text, TABLES_PER_CHUNK) {
            match toml_edit::Document::parse(chunk) {
                Ok(document) => read_document(source, &document, offset, table, &read, &mut found),
                Err(_) => {
                    split_ok = false;
                    break;
                }
            }
        }
        if !split_ok {
            found = Found::default();
            match parse_document(source) {
                Ok(document) => read_document(source, &document, 0, table, &read, &mut found),
                Err(diagnostic) => {
                    self.errors.push(diagnostic);
                    self.unreadable.push(kind);
                    return Vec::new();
                }
            }
        }
        let Found {
            records,
            ids,
            references,
            mut errors,
        } = found;
        self.errors.append(&mut errors);
        for id in ids {
            let site = Site {
                file,
                span: id.span.clone(),
            };
            if let Some((first_kind, first)) = self.ids.get(&id.value) {
                let (line, _) = self.sources[first.file]
                    .line_column(first.span.as_ref().map_or(0, |s| s.start));
                let message = format!(
                    "duplicate id `{}`: already used by a {} at {}:{line}",
                    id.value,
                    first_kind.noun(),
                    self.sources[first.file].path
                );
                self.errors.push(self.sources[file].at(id.span, message));
            } else {
                self.ids.insert(id.value, (kind, site));
            }
        }
        for (target, field, allowed) in references {
            self.references.push(Reference {
                site: Site {
                    file,
                    span: target.span,
                },
                target: target.value,
                field,
                allowed,
            });
        }
        records
    }

    fn check_references(&mut self) {
        for reference in &self.references {
            let message = match self.ids.get(&reference.target) {
                Some((kind, _)) if reference.allowed.contains(kind) => continue,
                None if reference
                    .allowed
                    .iter()
                    .any(|k| self.unreadable.contains(k)) =>
                {
                    continue;
                }
                Some((kind, _)) => format!(
                    "`{}` refers to `{}`, which is a {}, not a {}",
                    reference.field,
                    reference.target,
                    kind.noun(),
                    nouns(reference.allowed)
                ),
                None => format!(
                    "`{}` refers to unknown {} `{}`",
                    reference.field,
                    nouns(reference.allowed),
                    reference.target
                ),
            };
            self.errors
                .push(self.sources[reference.site.file].at(reference.site.span.clone(), message));
        }
    }
}

/// How many `[[table]]`s are parsed at once.
const TABLES_PER_CHUNK: usize = 2_000;

/// What reading one file yields, with spans relative to the whole file.
struct Found<T> {
    records: Vec<T>,
    ids: Vec<Spanned<String>>,
    references: Vec<(Spanned<String>, &'static str, &'static [Kind])>,
    errors: Vec<Diagnostic>,
}

impl<T> Default for Found<T> {
    fn default() -> Self {
        Found {
            records: Vec::new(),
            ids: Vec::new(),
            references: Vec::new(),
            errors: Vec::new(),
        }
    }
}

fn shift(span: Option<Range<usize>>, offset: usize) -> Option<Range<usize>> {
    span.map(|s| s.start + offset..s.end + offset)
}

/// Reads the records of one parsed document that starts at byte `offset` of its file.
fn read_document<T, S: AsRef<str>>(
    source: &SourceText<'_>,
    document: &toml_edit::Document<S>,
    offset: usize,
    table: &'static str,
    read: &impl Fn(&mut Checker<'_>, &Record<'_>) -> Read<T>,
    found: &mut Found<T>,
) {
    let mut checker = Checker::with_offset(source, offset);
    for (key, item) in document.as_table().iter() {
        let key_span = document.as_table().key(key).and_then(|k| k.span());
        if key != table {
            checker.error(
                key_span,
                format!("unknown key `{key}`: this file holds only [[{table}]] tables"),
            );
            continue;
        }
        let Item::ArrayOfTables(array) = item else {
            checker.error(
                item.span().or(key_span),
                format!(
                    "`{table}` must be written as [[{table}]] tables, found {}",
                    Node::Item(item).type_name()
                ),
            );
            continue;
        };
        for table_item in array.iter() {
            let record = Record::from_table(table_item);
            let read = read(&mut checker, &record);
            if let Some(mut id) = read.id {
                id.span = shift(id.span, offset);
                found.ids.push(id);
            }
            for (mut target, field, allowed) in read.references {
                target.span = shift(target.span, offset);
                found.references.push((target, field, allowed));
            }
            found.records.extend(read.record);
        }
    }
    found.errors.append(&mut checker.errors);
}

/// Splits a file of `[[table]]`s into slices of about `per_chunk` tables, each starting at a
/// table header, as (byte offset, slice). Lines inside multi-line strings are never split
/// points; anything unusual only makes a slice fail to parse, and the caller then parses the
/// whole file.
pub fn split_tables(text: &str, per_chunk: usize) -> Vec<(usize, &str)> {
    let mut cuts = vec![0];
    let mut in_basic = false;
    let mut in_literal = false;
    let mut headers = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if !in_basic && !in_literal && line.trim_start().starts_with("[[") {
            headers += 1;
            if headers > 1 && (headers - 1) % per_chunk == 0 {
                cuts.push(offset);
            }
        }
        in_basic ^= line.matches("\"\"\"").count() % 2 == 1;
        in_literal ^= line.matches("\'\'\'").count() % 2 == 1;
        offset += line.len();
    }
    cuts.push(text.len());
    cuts.windows(2).map(|w| (w[0], &text[w[0]..w[1]])).collect()
}

fn nouns(kinds: &[Kind]) -> String {
    kinds
        .iter()
        .map(|k| k.noun())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Reads and checks the `id` field.
fn read_id(checker: &mut Checker<'_>, record: &Record<'_>, what: &str) -> Option<Spanned<String>> {
    let id = checker.string(record, "id", true, what)?;
    if is_valid_id(&id.value) {
        Some(id)
    } else {
        checker.error(
            id.span.clone(),
            format!(
                "invalid id {:?}: ids are lowercase slugs matching ^[a-z0-9][a-z0-9-]{{0,63}}$",
                id.value
            ),
        );
        None
    }
}

fn read_date(
    checker: &mut Checker<'_>,
    record: &Record<'_>,
    key: &str,
    what: &str,
) -> Option<PartialDate> {
    let text = checker.string(record, key, false, what)?;
    match PartialDate::parse(&text.value) {
        Ok(date) => Some(date),
        Err(message) => {
            checker.error(text.span, format!("`{key}`: {message}"));
            None
        }
    }
}

/// Whether a URL is an absolute http(s) URL that a standard URL parser (the `url` crate,
/// which follows the WHATWG URL standard browsers and Discord use) accepts as written: the
/// scheme spelled out with `//`, a host, and no whitespace or control characters anywhere.
pub fn is_http_url(url: &str) -> bool {
    // The parser alone would take `http:example.org`: the `//` must be written out.
    let spelled_out = url.split_once("://").is_some_and(|(scheme, _)| {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    });
    if !spelled_out {
        return false;
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    match url::Url::parse(url) {
        Ok(parsed) => {
            matches!(parsed.scheme(), "http" | "https")
                && parsed.host_str().is_some_and(|h| !h.is_empty())
        }
        Err(_) => false,
    }
}

fn read_topics(checker: &mut Checker<'_>, record: &Record<'_>) -> Vec<String> {
    let topics = checker.string_list(record, "topics");
    let mut out = Vec::new();
    for topic in topics {
        if is_valid_id(&topic.value) {
            out.push(topic.value);
        } else {
            checker.error(
                topic.span,
                format!(
                    "invalid topic {:?}: topics are lowercase slugs like \"us-rok-alliance\"",
                    topic.value
                ),
            );
        }
    }
    out
}

fn read_speaker(checker: &mut Checker<'_>, record: &Record<'_>) -> Read<Speaker> {
    checker.reject_unknown_keys(record, SPEAKER_KEYS, "[[speaker]]");
    let id = read_id(checker, record, "[[speaker]]");
    let name = checker.string(record, "name", true, "[[speaker]]");
    let role = checker.string(record, "role", false, "[[speaker]]");
    let aliases = checker.string_list(record, "aliases");
    let record = match (&id, name) {
        (Some(id), Some(name)) => Some(Speaker {
            id: id.value.clone(),
            name: name.value,
            role: role.map(|r| r.value),
            aliases: aliases.into_iter().map(|a| a.value).collect(),
        }),
        _ => None,
    };
    Read {
        record,
        id,
        references: Vec::new(),
    }
}

fn read_source(checker: &mut Checker<'_>, record: &Record<'_>) -> Read<Source> {
    checker.reject_unknown_keys(record, SOURCE_KEYS, "[[source]]");
    let id = read_id(checker, record, "[[source]]");
    let title = checker.string(record, "title", true, "[[source]]");
    let outlet = checker.string(record, "outlet", false, "[[source]]");
    let url = checker.string(record, "url", false, "[[source]]");
    if let Some(url) = &url
        && !is_http_url(&url.value)
    {
        checker.error(
            url.span.clone(),
            format!(
                "`url` must be an http:// or https:// address, found {:?}",
                url.value
            ),
        );
    }
    let published = read_date(checker, record, "published", "[[source]]");
    let record = match (&id, title) {
        (Some(id), Some(title)) => Some(Source {
            id: id.value.clone(),
            title: title.value,
            outlet: outlet.map(|o| o.value),
            url: url.map(|u| u.value),
            published,
        }),
        _ => None,
    };
    Read {
        record,
        id,
        references: Vec::new(),
    }
}

fn read_quote(checker: &mut Checker<'_>, record: &Record<'_>) -> Read<Quote> {
    checker.reject_unknown_keys(record, QUOTE_KEYS, "[[quote]]");
    let id = read_id(checker, record, "[[quote]]");
    let text = checker.string(record, "text", true, "[[quote]]");
    let speaker = checker.string(record, "speaker", true, "[[quote]]");
    let source = checker.string(record, "source", true, "[[quote]]");
    let kind = match checker.string(record, "kind", false, "[[quote]]") {
        None => Some(QuoteKind::Verbatim),
        Some(kind) => {
            let parsed = QuoteKind::parse(&kind.value);
            if parsed.is_none() {
                checker.error(
                    kind.span,
                    format!(
                        "`kind` must be \"verbatim\" or \"paraphrase\", found {:?}",
                        kind.value
                    ),
                );
            }
            parsed
        }
    };
    let date = read_date(checker, record, "date", "[[quote]]");
    let context = checker.string(record, "context", false, "[[quote]]");
    let topics = read_topics(checker, record);
    let related = checker.string_list(record, "related");

    let mut references: Vec<(Spanned<String>, &'static str, &'static [Kind])> = Vec::new();
    if let Some(s) = &speaker {
        references.push((s.clone(), "speaker", &[Kind::Speaker]));
    }
    if let Some(s) = &source {
        references.push((s.clone(), "source", &[Kind::Source]));
    }
    for r in &related {
        references.push((r.clone(), "related", &[Kind::Fact]));
    }
    let record = match (&id, text, speaker, source, kind) {
        (Some(id), Some(text), Some(speaker), Some(source), Some(kind)) => Some(Quote {
            id: id.value.clone(),
            text: text.value,
            speaker: speaker.value,
            source: source.value,
            kind,
            date,
            context: context.map(|c| c.value),
            topics,
            related: related.into_iter().map(|r| r.value).collect(),
        }),
        _ => None,
    };
    Read {
        record,
        id,
        references,
    }
}

fn read_figure(checker: &mut Checker<'_>, record: &Record<'_>) -> Option<Figure> {
    let field = record.get("figure")?;
    let Some(mut figure) = Record::from_node(field.node) else {
        checker.error(
            field.node.span(),
            format!(
                "`figure` must be a table like {{ value = 140e9, unit = \"USD\" }}, found {}",
                field.node.type_name()
            ),
        );
        return None;
    };
    if figure.span.is_none() {
        figure.span = field.node.span();
    }
    checker.reject_unknown_keys(&figure, FIGURE_KEYS, "`figure`");
    let value = checker.number(&figure, "value");
    if value.is_none() && figure.get("value").is_none() {
        checker.error(
            figure.span.clone(),
            "`figure` is missing required field `value`",
        );
    }
    let unit = checker.string(&figure, "unit", false, "`figure`");
    let qualifier = checker.string(&figure, "qualifier", false, "`figure`");
    Some(Figure {
        value: value?.value,
        unit: unit.map(|u| u.value),
        qualifier: qualifier.map(|q| q.value),
    })
}

fn read_fact(checker: &mut Checker<'_>, record: &Record<'_>) -> Read<Fact> {
    checker.reject_unknown_keys(record, FACT_KEYS, "[[fact]]");
    let id = read_id(checker, record, "[[fact]]");
    let text = checker.string(record, "text", true, "[[fact]]");
    let source = checker.string(record, "source", true, "[[fact]]");
    let as_of = read_date(checker, record, "as_of", "[[fact]]");
    let topics = read_topics(checker, record);
    let figure_written = record.get("figure").is_some();
    let figure = read_figure(checker, record);
    let related = checker.string_list(record, "related");

    let mut references: Vec<(Spanned<String>, &'static str, &'static [Kind])> = Vec::new();
    if let Some(s) = &source {
        references.push((s.clone(), "source", &[Kind::Source]));
    }
    for r in &related {
        references.push((r.clone(), "related", &[Kind::Quote, Kind::Fact]));
    }
    let figure_ok = !figure_written || figure.is_some();
    let record = match (&id, text, source) {
        (Some(id), Some(text), Some(source)) if figure_ok => Some(Fact {
            id: id.value.clone(),
            text: text.value,
            source: source.value,
            as_of,
            topics,
            figure,
            related: related.into_iter().map(|r| r.value).collect(),
        }),
        _ => None,
    };
    Read {
        record,
        id,
        references,
    }
}

#[cfg(test)]
mod tests {
    use super::is_http_url;

    #[test]
    fn http_urls_are_read_by_a_real_parser_in_any_script() {
        for good in [
            "https://editorials.voa.gov/a/7927513.html",
            "HTTP://Example.org",
            "http://é.example/",
            "https://예시.한국/기사?id=1",
            "http://127.0.0.1:8080/x",
        ] {
            assert!(is_http_url(good), "{good}");
        }
        for bad in [
            "https://[/x)",
            "https:example.org",
            "ftp://example.org",
            "http://",
            "https://example.org:99999/",
            "https://exa mple.org",
            "//example.org",
            "",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}
