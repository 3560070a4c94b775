//! A checked, spanned view of a TOML document.
//!
//! Both the curated data files and the config are read through this module so that every
//! problem (a malformed file, a wrong type, an unknown key, a missing field) becomes a
//! [`Diagnostic`] with the exact line and column, and reading goes on to find the next one.
//! It keeps spans because `toml_edit`'s read-only `Document` does; serde would stop at the
//! first error and lose the position of most of them.

use std::ops::Range;

use toml_edit::{InlineTable, Item, Table, Value};

use super::diag::{Diagnostic, SourceText};
use super::search::normalize::is_blank;

/// A value with the byte span it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Option<Range<usize>>,
}

/// A TOML node that is either a full item (`[table]` level) or an inline value.
#[derive(Debug, Clone, Copy)]
pub enum Node<'d> {
    Item(&'d Item),
    Value(&'d Value),
}

impl<'d> Node<'d> {
    pub fn span(&self) -> Option<Range<usize>> {
        match self {
            Node::Item(item) => item.span(),
            Node::Value(value) => value.span(),
        }
    }

    /// The node's value, when it is one (not a `[table]` or `[[array of tables]]`).
    pub fn value(&self) -> Option<&'d Value> {
        match self {
            Node::Item(item) => item.as_value(),
            Node::Value(value) => Some(value),
        }
    }

    /// A short name for the node's type, for messages such as "expected a string, found an integer".
    pub fn type_name(&self) -> &'static str {
        match *self {
            Node::Item(Item::None) => "nothing",
            Node::Item(Item::Table(_)) => "a table",
            Node::Item(Item::ArrayOfTables(_)) => "an array of tables",
            Node::Item(Item::Value(v)) | Node::Value(v) => match v {
                Value::String(_) => "a string",
                Value::Integer(_) => "an integer",
                Value::Float(_) => "a float",
                Value::Boolean(_) => "a boolean",
                Value::Datetime(_) => "a datetime",
                Value::Array(_) => "an array",
                Value::InlineTable(_) => "an inline table",
            },
        }
    }
}

/// One `key = value` of a table, with the key's span for "unknown key" messages.
#[derive(Debug, Clone)]
pub struct Field<'d> {
    pub key: &'d str,
    pub key_span: Option<Range<usize>>,
    pub node: Node<'d>,
}

/// A table or inline table read as a record of fields.
#[derive(Debug, Clone)]
pub struct Record<'d> {
    pub span: Option<Range<usize>>,
    fields: Vec<Field<'d>>,
}

impl<'d> Record<'d> {
    pub fn from_table(table: &'d Table) -> Self {
        let fields = table
            .iter()
            .map(|(key, item)| Field {
                key,
                key_span: table.key(key).and_then(|k| k.span()),
                node: Node::Item(item),
            })
            .collect();
        Record {
            span: table.span(),
            fields,
        }
    }

    pub fn from_inline(table: &'d InlineTable) -> Self {
        let fields = table
            .iter()
            .map(|(key, value)| Field {
                key,
                key_span: table.key(key).and_then(|k| k.span()),
                node: Node::Value(value),
            })
            .collect();
        Record {
            span: table.span(),
            fields,
        }
    }

    /// A node that holds a table of either form, or `None` for anything else.
    pub fn from_node(node: Node<'d>) -> Option<Self> {
        match node {
            Node::Item(Item::Table(t)) => Some(Record::from_table(t)),
            Node::Item(Item::Value(Value::InlineTable(t))) | Node::Value(Value::InlineTable(t)) => {
                Some(Record::from_inline(t))
            }
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Field<'d>> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn fields(&self) -> &[Field<'d>] {
        &self.fields
    }
}

/// Reads typed values out of records, collecting every problem as a [`Diagnostic`].
pub struct Checker<'s> {
    pub source: &'s SourceText<'s>,
    pub errors: Vec<Diagnostic>,
    /// Where the parsed text starts in the file, when only a slice of it was parsed.
    offset: usize,
}

impl<'s> Checker<'s> {
    pub fn new(source: &'s SourceText<'s>) -> Self {
        Checker::with_offset(source, 0)
    }

    /// A checker for a document parsed from the file's text starting at byte `offset`.
    pub fn with_offset(source: &'s SourceText<'s>, offset: usize) -> Self {
        Checker {
            source,
            errors: Vec::new(),
            offset,
        }
    }

    pub fn error(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        let span = span.map(|s| s.start + self.offset..s.end + self.offset);
        self.errors.push(self.source.at(span, message));
    }

    /// Reports every key of `record` that is not in `allowed`; `what` names the record ("quote").
    pub fn reject_unknown_keys(&mut self, record: &Record<'_>, allowed: &[&str], what: &str) {
        for field in record.fields() {
            if !allowed.contains(&field.key) {
                let hint = closest(field.key, allowed)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                self.error(
                    field.key_span.clone().or_else(|| field.node.span()),
                    format!(
                        "unknown key `{}` in {what}{hint}; allowed keys: {}",
                        field.key,
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn wrong_type(&mut self, field: &Field<'_>, expected: &str) {
        self.error(
            field.node.span(),
            format!(
                "`{}` must be {expected}, found {}",
                field.key,
                field.node.type_name()
            ),
        );
    }

    /// A string field. A missing required field is reported at the record; an empty string
    /// (after trimming) is reported for required and optional fields alike.
    pub fn string(
        &mut self,
        record: &Record<'_>,
        key: &str,
        required: bool,
        what: &str,
    ) -> Option<Spanned<String>> {
        let Some(field) = record.get(key) else {
            if required {
                self.error(
                    record.span.clone(),
                    format!("{what} is missing required field `{key}`"),
                );
            }
            return None;
        };
        match field.node.value().and_then(Value::as_str) {
            Some(s) if s.trim().is_empty() => {
                self.error(field.node.span(), format!("`{key}` must not be empty"));
                None
            }
            Some(s) if is_blank(s) => {
                self.error(
                    field.node.span(),
                    format!("`{key}` must not be blank: it holds only invisible characters"),
                );
                None
            }
            Some(s) => Some(Spanned {
                value: s.to_string(),
                span: field.node.span(),
            }),
            None => {
                self.wrong_type(field, "a string");
                None
            }
        }
    }

    /// An optional array of non-empty strings; an absent key is an empty list.
    pub fn string_list(&mut self, record: &Record<'_>, key: &str) -> Vec<Spanned<String>> {
        let Some(field) = record.get(key) else {
            return Vec::new();
        };
        let Some(array) = field.node.value().and_then(Value::as_array) else {
            self.wrong_type(field, "an array of strings");
            return Vec::new();
        };
        let mut out = Vec::new();
        for value in array.iter() {
            match value.as_str() {
                Some(s) if s.trim().is_empty() => self.error(
                    value.span(),
                    format!("`{key}` must not hold an empty string"),
                ),
                Some(s) if is_blank(s) => self.error(
                    value.span(),
                    format!("`{key}` must not hold a string of only invisible characters"),
                ),
                Some(s) => out.push(Spanned {
                    value: s.to_string(),
                    span: value.span(),
                }),
                None => self.error(
                    value.span(),
                    format!(
                        "`{key}` must hold only strings, found {}",
                        Node::Value(value).type_name()
                    ),
                ),
            }
        }
        out
    }

    /// An optional number (integer or float).
    pub fn number(&mut self, record: &Record<'_>, key: &str) -> Option<Spanned<f64>> {
        let field = record.get(key)?;
        let value = field.node.value();
        let number = match value {
            Some(Value::Float(f)) => Some(*f.value()),
            Some(Value::Integer(i)) => Some(*i.value() as f64),
            _ => None,
        };
        match number {
            Some(n) if n.is_finite() => Some(Spanned {
                value: n,
                span: field.node.span(),
            }),
            Some(_) => {
                self.error(
                    field.node.span(),
                    format!("`{key}` must be a finite number"),
                );
                None
            }
            None => {
                self.wrong_type(field, "a number");
                None
            }
        }
    }

    /// A Discord snowflake id, written as a TOML integer or a string of digits.
    pub fn snowflake_node(&mut self, key: &str, node: Node<'_>) -> Option<u64> {
        match node.value() {
            Some(Value::Integer(i)) if *i.value() >= 0 => Some(*i.value() as u64),
            Some(Value::String(s)) => match super::model::parse_digits::<u64>(s.value()) {
                Some(id) => Some(id),
                None => {
                    self.error(
                        node.span(),
                        format!(
                            "`{key}` must be a snowflake id (digits), found {:?}",
                            s.value()
                        ),
                    );
                    None
                }
            },
            _ => {
                self.error(
                    node.span(),
                    format!(
                        "`{key}` must be a snowflake id (an integer or a string of digits), found {}",
                        node.type_name()
                    ),
                );
                None
            }
        }
    }

    /// An optional snowflake field.
    pub fn snowflake(&mut self, record: &Record<'_>, key: &str) -> Option<u64> {
        let field = record.get(key)?;
        self.snowflake_node(key, field.node)
    }

    /// An optional array of snowflakes.
    pub fn snowflake_list(&mut self, record: &Record<'_>, key: &str) -> Vec<u64> {
        let Some(field) = record.get(key) else {
            return Vec::new();
        };
        let Some(array) = field.node.value().and_then(Value::as_array) else {
            self.wrong_type(field, "an array of snowflake ids");
            return Vec::new();
        };
        array
            .iter()
            .filter_map(|v| self.snowflake_node(key, Node::Value(v)))
            .collect()
    }
}

/// Parses a document, turning a syntax error into a located diagnostic.
pub fn parse_document<'t>(
    source: &SourceText<'t>,
) -> Result<toml_edit::Document<&'t str>, Diagnostic> {
    toml_edit::Document::parse(source.text).map_err(|e| {
        let message = e.message().trim().replace('\n', " ");
        source.at(e.span(), format!("malformed TOML: {message}"))
    })
}

/// The allowed key closest to a misspelled one, when it is close enough to be a likely typo.
fn closest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|k| (strsim::damerau_levenshtein(key, k), *k))
        .filter(|(d, k)| *d <= 2 && *d < k.len())
        .min()
        .map(|(_, k)| k)
}
