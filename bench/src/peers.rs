//! The peers quotebot is compared with, on the same records and queries: a brute-force strsim
//! baseline and tantivy.

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TEXT};
use tantivy::{Index, IndexReader, Term, doc};

use crate::normalize::tokens;

/// A record as the peers index it: its id and the texts searched.
pub struct Doc {
    pub id: String,
    pub text: String,
    /// The speaker's name (empty for facts).
    pub speaker: String,
    /// The source's title.
    pub source: String,
}

/// Every quote and fact of a catalog, with speaker name and source title.
pub fn docs(catalog: &quotebot::core::catalog::Catalog) -> Vec<Doc> {
    let title = |id: &str| {
        catalog
            .source(id)
            .map_or(String::new(), |s| s.title.clone())
    };
    let quotes = catalog.quotes().iter().map(|q| Doc {
        id: q.id.clone(),
        text: q.text.clone(),
        speaker: catalog
            .speaker(&q.speaker)
            .map_or(String::new(), |s| s.name.clone()),
        source: title(&q.source),
    });
    let facts = catalog.facts().iter().map(|f| Doc {
        id: f.id.clone(),
        text: f.text.clone(),
        speaker: String::new(),
        source: title(&f.source),
    });
    quotes.chain(facts).collect()
}

pub use crate::support::Baseline;

/// The brute-force baseline over every record's text and speaker name (the benchmark's own
/// tokens, so it does not move with quotebot's normalisation).
pub fn strsim_baseline(docs: &[Doc]) -> Baseline {
    Baseline::new(
        docs.iter()
            .map(|d| (d.id.clone(), vec![d.text.as_str(), d.speaker.as_str()])),
        tokens,
    )
}

/// tantivy as a Rust project would use it for this: one in-RAM index, text, speaker and source
/// fields with the default tokenizer (split at non-alphanumerics, lowercased) and BM25; a query
/// is a `BooleanQuery` in which every query word, in every field, SHOULD match exactly
/// (`TermQuery`, scored by BM25) or within one edit (`FuzzyTermQuery`, distance 1,
/// transposition costs 1; tantivy gives fuzzy matches a constant score of 1). In suggest mode
/// the last word is a fuzzy PREFIX (`FuzzyTermQuery::new_prefix`).
pub struct Tantivy {
    index: Index,
    reader: IndexReader,
    fields: [Field; 3],
    /// Record id by segment and document.
    ids: Vec<Vec<u32>>,
    names: Vec<String>,
}

impl Tantivy {
    /// Indexes `docs` with one indexing thread.
    pub fn build(docs: &[Doc]) -> tantivy::Result<Tantivy> {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let speaker = schema.add_text_field("speaker", TEXT);
        let source = schema.add_text_field("source", TEXT);
        let ord = schema.add_u64_field("ord", FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 200_000_000)?;
        for (i, d) in docs.iter().enumerate() {
            writer.add_document(doc!(
                text => d.text.as_str(),
                speaker => d.speaker.as_str(),
                source => d.source.as_str(),
                ord => i as u64,
            ))?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        let searcher = reader.searcher();
        let mut ids = Vec::new();
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64("ord")?;
            ids.push(
                (0..segment.max_doc())
                    .map(|d| column.first(d).unwrap_or(0) as u32)
                    .collect(),
            );
        }
        Ok(Tantivy {
            index,
            reader,
            fields: [text, speaker, source],
            ids,
            names: docs.iter().map(|d| d.id.clone()).collect(),
        })
    }

    /// The query words as the text field's tokenizer cuts them.
    fn words(&self, text: &str) -> Vec<String> {
        let mut analyzer = self
            .index
            .tokenizer_for_field(self.fields[0])
            .expect("the text field has a tokenizer");
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    /// The ids of the best `limit` records.
    pub fn search(&self, text: &str, limit: usize, suggest: bool) -> Vec<&str> {
        let words = self.words(text);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let last = i + 1 == words.len();
            for &field in &self.fields {
                let term = Term::from_field_text(field, w);
                clauses.push((
                    Occur::Should,
                    Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                ));
                let fuzzy = if suggest && last {
                    FuzzyTermQuery::new_prefix(term, 1, true)
                } else {
                    FuzzyTermQuery::new(term, 1, true)
                };
                clauses.push((Occur::Should, Box::new(fuzzy)));
            }
        }
        if clauses.is_empty() {
            return Vec::new();
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit))
            .expect("an in-RAM search does not fail");
        top.into_iter()
            .map(|(_, address)| {
                let ord = self.ids[address.segment_ord as usize][address.doc_id as usize];
                self.names[ord as usize].as_str()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: &str, text: &str) -> Doc {
        Doc {
            id: id.into(),
            text: text.into(),
            speaker: "Antony Blinken".into(),
            source: "VOA".into(),
        }
    }

    #[test]
    fn tantivy_finds_typos_and_prefixes() {
        let docs = [
            d("a", "the alliance is the linchpin of peace"),
            d("b", "satellite technology shared with Pyongyang"),
        ];
        let t = Tantivy::build(&docs).unwrap();
        assert_eq!(t.search("linchpni alliance", 10, false).first(), Some(&"a"));
        assert_eq!(t.search("shared with pyong", 10, true).first(), Some(&"b"));
        let b = strsim_baseline(&docs);
        assert_eq!(b.search("satelite tech", 10).first(), Some(&"b"));
    }
}
