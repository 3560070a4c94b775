//! Verifying a quote as it circulates (contract §4.2): is it on record, word for word, as an
//! excerpt, altered, only as a paraphrase, or not at all; and does the record give it to the
//! speaker the claim names.
//!
//! A claim goes through three steps. Its text is split into the quoted words and the speaker it
//! names (`"..." — Name`, `"..." - Name`, `Name said "..."`, `Name: "..."`). Candidates come
//! from the search index ([`CANDIDATES`] hits for the claim's words, quotes and facts). Each
//! candidate's words are aligned with the claim's by a word-level edit distance (a hand-written
//! dynamic programme rather than a diff crate, because the record's editorial marks change what
//! an edit costs: an ellipsis in the record matches any words there, a bracketed insertion its
//! presence or absence, and an ellipsis in the claim any of the record's words there).
//!
//! Words are the search normalisation's ([`crate::core::search::normalize`]): case, diacritics,
//! punctuation, quotation-mark styles (straight, curly, « », 「」) and whitespace do not count.
//!
//! How "close" is decided: an alignment with no paid edit is `exact` (it covers every word of
//! the record outside brackets) or `excerpt` (a contiguous run of them). Otherwise the
//! similarity is the Dice coefficient of the aligned words, `2 × same / (claim words + record
//! words in the aligned run)`, and the claim is `altered` when that is at least [`CLOSE`] and
//! at least [`MIN_SAME`] words (or every word of a shorter claim) are the record's. Anything
//! less is `none`, and the candidates are returned only as the nearest, never as a match. When
//! the closest record is a paraphrase, the verdict is `paraphrase` at any of those levels.

use crate::core::catalog::{Catalog, Entry};
use crate::core::model::{EntryKind, QuoteKind, Status};
use crate::core::search::normalize::tokens;
use crate::core::search::{self, Query, SearchIndex, names};

/// How many search hits are aligned with the claim.
pub const CANDIDATES: usize = 8;
/// The least similarity (0..1) at which a claim with paid edits is still `altered`.
pub const CLOSE: f32 = 0.6;
/// The least number of the record's words an `altered` claim keeps (or all of a shorter one).
pub const MIN_SAME: usize = 3;
/// Words of a claim that are checked; a longer claim is cut here and the verdict says so.
pub const MAX_CLAIM_WORDS: usize = 300;
/// Words of a record that are aligned; longer records are aligned by their first words only.
pub const MAX_RECORD_WORDS: usize = 4096;
/// How many nearest candidates a `none` verdict lists.
pub const NEAREST: usize = 3;
/// Words the search query is made of: enough to find the record, few enough to stay fast.
const QUERY_WORDS: usize = 32;

/// What the record's curators say about its standing: the status, why, and the sources that
/// back it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Standing {
    pub status: Status,
    pub note: Option<String>,
    pub evidence: Vec<String>,
}

/// A record's standing as the database gives it: its `status`, `status_note` and `evidence`.
pub fn standing(entry: Entry<'_>) -> Standing {
    let provenance = match entry {
        Entry::Quote(q) => &q.provenance,
        Entry::Fact(f) => &f.provenance,
    };
    Standing {
        status: provenance.status,
        note: provenance.status_note.clone(),
        evidence: provenance.evidence.clone(),
    }
}

/// `match` in the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Exact,
    Excerpt,
    Altered,
    Paraphrase,
    None,
}

impl Match {
    pub fn as_str(&self) -> &'static str {
        match self {
            Match::Exact => "exact",
            Match::Excerpt => "excerpt",
            Match::Altered => "altered",
            Match::Paraphrase => "paraphrase",
            Match::None => "none",
        }
    }
}

/// `attribution` in the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribution {
    Confirmed,
    OtherSpeaker,
    Disputed,
    Misattributed,
    Unstated,
}

impl Attribution {
    pub fn as_str(&self) -> &'static str {
        match self {
            Attribution::Confirmed => "confirmed",
            Attribution::OtherSpeaker => "other_speaker",
            Attribution::Disputed => "disputed",
            Attribution::Misattributed => "misattributed",
            Attribution::Unstated => "unstated",
        }
    }
}

/// One step of the word-level diff, in the claim's order: applying the steps to the record's
/// aligned words gives the claim's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffOp {
    /// Words both have.
    Same(String),
    /// Record words the claim replaced with others.
    Changed { claim: String, record: String },
    /// Record words the claim leaves out.
    Missing(String),
    /// Words the claim has and the record does not.
    Added(String),
}

impl DiffOp {
    pub fn op(&self) -> &'static str {
        match self {
            DiffOp::Same(_) => "same",
            DiffOp::Changed { .. } => "changed",
            DiffOp::Missing(_) => "missing",
            DiffOp::Added(_) => "added",
        }
    }
}

/// The speaker a claim names, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub text: String,
}

/// A claim split into the quoted words and the speaker named with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The words to check (the quotation, without the attribution around it).
    pub words: String,
    /// The name written with the quotation, if any.
    pub named: Option<String>,
}

/// The answer to one claim.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The claim as given.
    pub claim: String,
    pub matched: Match,
    pub attribution: Attribution,
    /// The closest record (`None` for [`Match::None`]).
    pub record: Option<(EntryKind, String)>,
    /// 0..=1: how close the claim is to the record (0 for none).
    pub similarity: f32,
    pub diff: Vec<DiffOp>,
    /// Who the claim names, from `--speaker`/the option or from its text.
    pub named: Option<Named>,
    /// The record's standing (status, note, evidence).
    pub standing: Standing,
    /// For [`Match::None`]: the nearest records, which are not matches.
    pub nearest: Vec<String>,
    /// The claim had no words to check.
    pub empty: bool,
    /// The claim was longer than [`MAX_CLAIM_WORDS`] and only its first words were checked.
    pub cut: bool,
}

/// Splits a claim into its quotation and the name given with it: `"…" — Name`, `"…" - Name`,
/// `"…", Name said`, `Name said "…"`, `Name: "…"`, or unquoted words followed by ` — Name`.
/// A phrase that does not look like a name (a word in lower case, or more than six words) is
/// not taken for one.
pub fn split_claim(text: &str) -> Claim {
    let text = text.trim();
    let whole = || Claim {
        words: text.to_string(),
        named: None,
    };
    if let Some((open, close)) = quotation(text) {
        let inner = &text[open.end..close.start];
        let after = clean_name(&text[close.end..], true);
        let before = clean_name(&text[..open.start], false);
        let named = after.or(before);
        return Claim {
            words: inner.to_string(),
            named,
        };
    }
    // Unquoted: "words — Name" at the last dash with spaces around it.
    for dash in [" — ", " – ", " ― ", " - ", " -- "] {
        if let Some(at) = text.rfind(dash)
            && let Some(name) = clean_name(&text[at + dash.len()..], true)
        {
            return Claim {
                words: text[..at].to_string(),
                named: Some(name),
            };
        }
    }
    whole()
}

/// The byte ranges of the outermost opening and closing quotation marks, when the text has a
/// quotation in them.
fn quotation(text: &str) -> Option<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    // Each opening mark with the marks that close it; a straight single quote is left out,
    // since it is far more often an apostrophe ("it's", "O'Brien").
    let closers = |open: char| -> &'static [char] {
        match open {
            '"' => &['"', '”'],
            '“' => &['”', '“', '"'],
            '„' => &['“', '”'],
            '«' => &['»'],
            '「' => &['」'],
            '『' => &['』'],
            '‘' => &['’'],
            '‹' => &['›'],
            _ => &[],
        }
    };
    let (start, first) = text.char_indices().find(|(_, c)| !closers(*c).is_empty())?;
    let after_open = start + first.len_utf8();
    let (end, last) = text[after_open..]
        .char_indices()
        .rev()
        .find(|(_, c)| closers(first).contains(c))
        .map(|(i, c)| (after_open + i, c))?;
    if text[after_open..end].trim().is_empty() {
        return None;
    }
    Some((start..after_open, end..end + last.len_utf8()))
}

/// A name from the text around a quotation, or `None` when it is not one. `after` is text
/// after the quotation ("— Name", ", Name said"); otherwise text before it ("Name said:").
fn clean_name(text: &str, after: bool) -> Option<String> {
    let mut name = text.trim();
    let punctuation: &[char] = &['—', '–', '―', '-', ',', ':', ';', '~', '.', '!', '?', ' '];
    name = name.trim_matches(punctuation);
    let lower = name.to_lowercase();
    const VERBS: [&str; 6] = ["said", "says", "wrote", "writes", "stated", "told"];
    for verb in VERBS {
        if after {
            // "…," said Name  /  "…," Name said
            if let Some(rest) = lower.strip_prefix(&format!("{verb} ")) {
                name = &name[name.len() - rest.len()..];
                break;
            }
            if lower.ends_with(&format!(" {verb}")) {
                name = &name[..name.len() - verb.len() - 1];
                break;
            }
        } else if lower.ends_with(&format!(" {verb}")) {
            name = &name[..name.len() - verb.len() - 1];
            break;
        }
    }
    let name = name.trim_matches(punctuation);
    // Lower-case particles inside a name: "Secretary of State Antony Blinken", "Ursula von
    // der Leyen".
    const PARTICLES: [&str; 10] = [
        "of", "the", "de", "la", "van", "von", "der", "da", "bin", "al",
    ];
    let words: Vec<&str> = name.split_whitespace().collect();
    let looks_like_a_name = !words.is_empty()
        && words.len() <= 6
        && words.iter().enumerate().all(|(at, w)| {
            let first = w.chars().next().unwrap_or(' ');
            // Upper-case initials, or a script without case (Korean, Chinese).
            (!first.is_lowercase() && first.is_alphanumeric()) || (at > 0 && PARTICLES.contains(w))
        });
    looks_like_a_name.then(|| name.to_string())
}

/// A word as it is compared (`key`, normalised) and as it is shown (`shown`, as written).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    key: String,
    shown: String,
}

/// Words with the editorial marks around them: `gap[i]` is an ellipsis before word `i`
/// (`gap[len]` after the last), `optional[i]` a word inside brackets.
#[derive(Debug, Default)]
struct Words {
    words: Vec<Word>,
    optional: Vec<bool>,
    gap: Vec<bool>,
}

impl Words {
    /// The words of a record (brackets optional) or of a claim (brackets are just words).
    fn of(text: &str, record: bool, max: usize) -> (Words, bool) {
        let mut out = Words::default();
        let mut cut = false;
        scan(text, record, false, &mut out, max, &mut cut);
        out.gap.resize(out.words.len() + 1, false);
        (out, cut)
    }

    fn mark_gap(&mut self) {
        let at = self.words.len();
        self.gap.resize(at + 1, false);
        self.gap[at] = true;
    }

    fn push(&mut self, segment: &str, optional: bool, max: usize, cut: &mut bool) {
        for piece in
            segment.split(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—' | '―' | '/'))
        {
            let keys = tokens(piece);
            let shown = shown(piece);
            let single = keys.len() == 1;
            for key in keys {
                if self.words.len() >= max {
                    *cut = true;
                    return;
                }
                let shown = if single { shown.clone() } else { key.clone() };
                self.words.push(Word { key, shown });
                self.optional.push(optional);
                self.gap.resize(self.words.len(), false);
            }
        }
    }
}

/// A word as shown: without the punctuation around it, keeping a currency sign, a percent
/// sign and an acronym's last dot.
fn shown(piece: &str) -> String {
    let start = piece.trim_start_matches(|c: char| {
        !c.is_alphanumeric() && !matches!(c, '$' | '€' | '£' | '¥' | '₩')
    });
    let mut end = start.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '%');
    let inner_dot = end.contains('.');
    if inner_dot && start[end.len()..].starts_with('.') {
        end = &start[..end.len() + 1];
    }
    end.to_string()
}

/// Reads `text` into `out`: ellipses become gaps, bracketed text becomes optional words in a
/// record, `[...]` is a gap, and everything else words.
fn scan(text: &str, record: bool, optional: bool, out: &mut Words, max: usize, cut: &mut bool) {
    let mut segment_start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let rest = &text[at..];
        let ellipsis = if c == '…' {
            Some(c.len_utf8())
        } else if rest.starts_with("...") {
            Some(rest.len() - rest.trim_start_matches('.').len())
        } else if rest.starts_with(". . .") {
            Some(5)
        } else {
            None
        };
        if let Some(length) = ellipsis {
            out.push(&text[segment_start..at], optional, max, cut);
            out.mark_gap();
            segment_start = at + length;
            while chars.peek().is_some_and(|(i, _)| *i < segment_start) {
                chars.next();
            }
            continue;
        }
        if c == '['
            && let Some(close) = rest[1..].find(']').map(|i| at + 1 + i)
            && !text[at + 1..close].contains('[')
        {
            out.push(&text[segment_start..at], optional, max, cut);
            let inner = &text[at + 1..close];
            let bare = inner.trim();
            if bare.is_empty() || bare.trim_matches(['.', '…', ' ']).is_empty() {
                out.mark_gap();
            } else {
                scan(inner, record, optional || record, out, max, cut);
            }
            segment_start = close + 1;
            while chars.peek().is_some_and(|(i, _)| *i < segment_start) {
                chars.next();
            }
        }
    }
    out.push(&text[segment_start..], optional, max, cut);
}

/// What one step of an alignment did, by word position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Same(usize, usize),
    Changed(usize, usize),
    /// A record word the claim leaves out; `free` when an editorial mark allows it.
    Missing(usize, bool),
    /// A claim word the record lacks; `free` when an ellipsis in the record allows it.
    Added(usize, bool),
}

/// The best alignment of a claim with a run of a record's words.
#[derive(Debug, Clone)]
struct Alignment {
    steps: Vec<Step>,
    /// The aligned run of record words.
    start: usize,
    end: usize,
    /// Paid edits, weighted (0 when none).
    cost: u32,
    same: usize,
    similarity: f32,
}

/// Aligns the claim's words with the best-fitting run of the record's (free to start and end
/// anywhere in the record), minimising paid word edits.
///
/// Claim words at an ellipsis of the record are free only inside the run, with record words
/// aligned on both sides of it: an ellipsis at the edge of the run would otherwise let any
/// words pass for an excerpt. So the programme keeps two layers: `kept[i][j]`, paths whose last
/// step used a record word (or an added word paid for), and `gap[i][j]`, paths ending in free
/// words at the ellipsis before record word `j`, which must go on to use record word `j`. A
/// path that has not used a record word yet pays for every claim word.
fn align(claim: &Words, record: &Words) -> Alignment {
    // How a cell was reached: the step, and the layer it came from.
    const FROM_NONE: u8 = 0;
    const FROM_KEPT: u8 = 1;
    const FROM_GAP: u8 = 2;
    const DIAGONAL: u8 = 4;
    const MISSING: u8 = 8;
    const ADDED: u8 = 12;
    // A changed or added word costs two, a record word left out one: a claim that drops a
    // stretch of the record's words is aligned across the stretch rather than cut short.
    const PAID: u32 = 2;
    let (c, r) = (claim.words.len(), record.words.len());
    let width = r + 1;
    let cells = (c + 1) * width;
    let mut kept = vec![u32::MAX; cells];
    let mut gap = vec![u32::MAX; cells];
    let mut kept_back = vec![0u8; cells];
    let mut gap_back = vec![0u8; cells];
    // Free: a bracketed record word, or record words where the claim has an ellipsis.
    let missing_cost = |i: usize, j: usize| u32::from(!(record.optional[j] || claim.gap[i]));
    // The cheapest way to be at (i, j) in any layer, and which.
    let best_at = |kept: &[u32], gap: &[u32], i: usize, j: usize, after_gap: bool| -> (u32, u8) {
        let mut best = (PAID * i as u32, FROM_NONE);
        if kept[i * width + j] < best.0 {
            best = (kept[i * width + j], FROM_KEPT);
        }
        if after_gap && gap[i * width + j] < best.0 {
            best = (gap[i * width + j], FROM_GAP);
        }
        best
    };
    for i in 0..=c {
        for j in 1..=r {
            let at = i * width + j;
            if i > 0 {
                let same = claim.words[i - 1].key == record.words[j - 1].key;
                // Free words at an ellipsis are followed by the record's next word itself.
                let (before, from) = best_at(&kept, &gap, i - 1, j - 1, same);
                let diagonal = before + PAID * u32::from(!same);
                if diagonal < kept[at] {
                    kept[at] = diagonal;
                    kept_back[at] = DIAGONAL | from;
                }
            }
            let (before, from) = best_at(&kept, &gap, i, j - 1, false);
            let missing = before + missing_cost(i, j - 1);
            if missing < kept[at] {
                kept[at] = missing;
                kept_back[at] = MISSING | from;
            }
            if i > 0 && kept[at - width] != u32::MAX {
                let added = kept[at - width] + PAID;
                if added < kept[at] {
                    kept[at] = added;
                    kept_back[at] = ADDED | FROM_KEPT;
                }
                // ... and preceded by the record's word before the ellipsis itself.
                let after_same = i > 1
                    && kept_back[at - width] & 12 == DIAGONAL
                    && claim.words[i - 2].key == record.words[j - 1].key;
                if record.gap[j] && after_same && kept[at - width] < gap[at] {
                    gap[at] = kept[at - width];
                    gap_back[at] = ADDED | FROM_KEPT;
                }
            }
            if i > 0 && record.gap[j] && gap[at - width] < gap[at] {
                gap[at] = gap[at - width];
                gap_back[at] = ADDED | FROM_GAP;
            }
        }
    }
    // The end of the run: the least cost, and on a tie the shortest run (words the claim adds
    // at its end are added, not changed from the record's next words). A path ending in free
    // words at an ellipsis does not count; one that used no record word costs every word.
    let row = c * width;
    let (total, end) = (0..=r)
        .map(|j| (kept[row + j].min(PAID * c as u32), j))
        .min_by_key(|&(cost, j)| (cost, j))
        .unwrap_or((PAID * c as u32, 0));
    let mut steps = Vec::new();
    let (mut i, mut j) = (c, end);
    let mut layer = if kept[row + end] <= PAID * c as u32 {
        FROM_KEPT
    } else {
        FROM_NONE
    };
    while layer != FROM_NONE {
        let back = if layer == FROM_KEPT {
            kept_back[i * width + j]
        } else {
            gap_back[i * width + j]
        };
        let free_gap = layer == FROM_GAP;
        match back & 12 {
            DIAGONAL => {
                let same = claim.words[i - 1].key == record.words[j - 1].key;
                steps.push(if same {
                    Step::Same(i - 1, j - 1)
                } else {
                    Step::Changed(i - 1, j - 1)
                });
                i -= 1;
                j -= 1;
            }
            MISSING => {
                steps.push(Step::Missing(j - 1, missing_cost(i, j - 1) == 0));
                j -= 1;
            }
            _ => {
                steps.push(Step::Added(i - 1, free_gap));
                i -= 1;
            }
        }
        layer = back & 3;
    }
    // Claim words before the run's first record word, each paid for.
    while i > 0 {
        steps.push(Step::Added(i - 1, false));
        i -= 1;
    }
    steps.reverse();
    let start = j;
    let mut same = 0;
    let (mut claim_words, mut record_words) = (0usize, 0usize);
    for step in &steps {
        match step {
            Step::Same(..) => {
                same += 1;
                claim_words += 1;
                record_words += 1;
            }
            Step::Changed(..) => {
                claim_words += 1;
                record_words += 1;
            }
            Step::Missing(_, free) => record_words += usize::from(!free),
            Step::Added(_, free) => claim_words += usize::from(!free),
        }
    }
    let similarity = if total == 0 && c > 0 {
        1.0
    } else if claim_words + record_words == 0 {
        0.0
    } else {
        2.0 * same as f32 / (claim_words + record_words) as f32
    };
    Alignment {
        steps,
        start,
        end,
        cost: total,
        same,
        similarity,
    }
}

/// The diff of an alignment: runs of the same kind of step joined, a run of changes with
/// missing or added words beside it one change.
fn diff(claim: &Words, record: &Words, alignment: &Alignment) -> Vec<DiffOp> {
    let mut out: Vec<DiffOp> = Vec::new();
    let join = |to: &mut String, word: &str| {
        if !to.is_empty() {
            to.push(' ');
        }
        to.push_str(word);
    };
    for step in &alignment.steps {
        let (claim_word, record_word) = match *step {
            Step::Same(i, j) | Step::Changed(i, j) => (
                Some(claim.words[i].shown.as_str()),
                Some(record.words[j].shown.as_str()),
            ),
            Step::Missing(j, _) => (None, Some(record.words[j].shown.as_str())),
            Step::Added(i, _) => (Some(claim.words[i].shown.as_str()), None),
        };
        if let Step::Same(..) = step {
            let word = claim_word.unwrap_or_default();
            match out.last_mut() {
                Some(DiffOp::Same(text)) => join(text, word),
                _ => out.push(DiffOp::Same(word.to_string())),
            }
            continue;
        }
        let last = out.pop();
        let (mut c, mut r) = match last {
            Some(DiffOp::Changed { claim, record }) => (claim, record),
            Some(DiffOp::Missing(record)) => (String::new(), record),
            Some(DiffOp::Added(claim)) => (claim, String::new()),
            Some(other) => {
                out.push(other);
                (String::new(), String::new())
            }
            None => (String::new(), String::new()),
        };
        if let Some(word) = claim_word {
            join(&mut c, word);
        }
        if let Some(word) = record_word {
            join(&mut r, word);
        }
        out.push(match (c.is_empty(), r.is_empty()) {
            (false, false) => DiffOp::Changed {
                claim: c,
                record: r,
            },
            (true, _) => DiffOp::Missing(r),
            (false, true) => DiffOp::Added(c),
        });
    }
    out
}

/// The attribution for a record with `standing`, when the claim names nobody (`None`), the
/// record's speaker (`Some(true)`), or someone else (`Some(false)`; a fact is its source's
/// statement, so naming anyone is naming someone else).
pub fn attribution(names_record_speaker: Option<bool>, standing: Status) -> Attribution {
    match standing {
        Status::Disputed => return Attribution::Disputed,
        Status::Misattributed => return Attribution::Misattributed,
        Status::Sourced | Status::Verified => {}
    }
    match names_record_speaker {
        None => Attribution::Unstated,
        Some(true) => Attribution::Confirmed,
        Some(false) => Attribution::OtherSpeaker,
    }
}

/// Checks `text` against the catalog. `speaker` is the name given apart from the text (the
/// CLI's `--speaker`, the bot's option), which wins over one written in the text; `standing`
/// gives each record's status.
pub fn verify(
    index: &SearchIndex,
    catalog: &Catalog,
    text: &str,
    speaker: Option<&str>,
    standing: impl Fn(Entry<'_>) -> Standing,
) -> Verdict {
    let claim = split_claim(text);
    let named_text = speaker
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or(claim.named);
    let named = named_text.map(|text| Named { text });
    let (words, cut) = Words::of(&claim.words, false, MAX_CLAIM_WORDS);
    let mut verdict = Verdict {
        claim: text.to_string(),
        matched: Match::None,
        attribution: Attribution::Unstated,
        record: None,
        similarity: 0.0,
        diff: Vec::new(),
        named,
        standing: Standing::default(),
        nearest: Vec::new(),
        empty: words.words.is_empty(),
        cut,
    };
    if verdict.empty {
        return verdict;
    }
    let query: Vec<&str> = words
        .words
        .iter()
        .take(QUERY_WORDS)
        .map(|w| w.key.as_str())
        .collect();
    let query = query.join(" ");
    let hits = search::search(index, catalog, &Query::new(&query, CANDIDATES)).hits;
    // The best alignment so far, with the record's words, whether they were cut, and the entry.
    let mut best: Option<(Alignment, Words, bool, Entry<'_>)> = None;
    let mut scored: Vec<(f32, &str)> = Vec::new();
    for hit in hits {
        let entry = hit.entry(catalog);
        let (record, record_cut) = Words::of(entry.text(), true, MAX_RECORD_WORDS);
        let alignment = align(&words, &record);
        scored.push((alignment.similarity, entry.id()));
        let better = match &best {
            None => true,
            Some((b, ..)) => rank(&alignment) > rank(b),
        };
        if better {
            best = Some((alignment, record, record_cut, entry));
        }
    }
    let close = best.as_ref().is_some_and(|(a, ..)| {
        a.cost == 0 || (a.similarity >= CLOSE && a.same >= MIN_SAME.min(words.words.len()))
    });
    let Some((alignment, record, record_cut, entry)) = best.filter(|_| close) else {
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        verdict.nearest = scored
            .into_iter()
            .take(NEAREST)
            .map(|(_, id)| id.to_string())
            .collect();
        return verdict;
    };
    let whole = !record_cut
        && (0..alignment.start)
            .chain(alignment.end..record.words.len())
            .all(|j| record.optional[j]);
    let paraphrase = matches!(entry, Entry::Quote(q) if q.kind == QuoteKind::Paraphrase);
    verdict.matched = match (paraphrase, alignment.cost, whole) {
        (true, ..) => Match::Paraphrase,
        (false, 0, true) => Match::Exact,
        (false, 0, false) => Match::Excerpt,
        (false, ..) => Match::Altered,
    };
    verdict.standing = standing(entry);
    let record_speaker = match entry {
        Entry::Quote(q) => Some(q.speaker.as_str()),
        Entry::Fact(_) => None,
    };
    let names_record_speaker = verdict.named.as_ref().map(|named| {
        record_speaker.is_some_and(|id| names::names_speaker(catalog, &named.text, id))
    });
    verdict.attribution = attribution(names_record_speaker, verdict.standing.status);
    verdict.record = Some((entry.kind(), entry.id().to_string()));
    verdict.similarity = alignment.similarity;
    verdict.diff = diff(&words, &record, &alignment);
    verdict
}

/// Orders alignments: no paid edit first, then the most similar, then the most words kept.
fn rank(a: &Alignment) -> (bool, u32, usize) {
    (a.cost == 0, (a.similarity * 10_000.0) as u32, a.same)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str, record: bool) -> Vec<String> {
        Words::of(text, record, usize::MAX)
            .0
            .words
            .into_iter()
            .map(|w| w.key)
            .collect()
    }

    #[test]
    fn claims_are_split_from_the_name_given_with_them() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "“The alliance is strong.” — Antony Blinken",
                "The alliance is strong.",
                Some("Antony Blinken"),
            ),
            (
                "\"The alliance is strong.\" - Blinken",
                "The alliance is strong.",
                Some("Blinken"),
            ),
            (
                "Blinken said \"the alliance is strong\"",
                "the alliance is strong",
                Some("Blinken"),
            ),
            (
                "Blinken: «the alliance is strong»",
                "the alliance is strong",
                Some("Blinken"),
            ),
            (
                "\"The alliance is strong,\" said Secretary Blinken.",
                "The alliance is strong,",
                Some("Secretary Blinken"),
            ),
            (
                "The alliance is strong — Cho Tae-yul",
                "The alliance is strong",
                Some("Cho Tae-yul"),
            ),
            (
                "lol look at this: \"the alliance is strong\"",
                "the alliance is strong",
                None,
            ),
            ("the alliance is strong", "the alliance is strong", None),
            (
                "it's strong - and getting stronger",
                "it's strong - and getting stronger",
                None,
            ),
            (
                "「동맹은 강하다」 — 윤석열",
                "동맹은 강하다",
                Some("윤석열"),
            ),
        ];
        for (text, words, named) in cases {
            let claim = split_claim(text);
            assert_eq!(claim.words, *words, "{text}");
            assert_eq!(claim.named.as_deref(), *named, "{text}");
        }
    }

    #[test]
    fn words_ignore_case_punctuation_and_quotation_marks_and_mark_gaps_and_brackets() {
        assert_eq!(
            keys("“It’s «STRONG»,” 「he」 said", false),
            ["its", "strong", "he", "said"]
        );
        let (words, _) = Words::of("a ... b [c d] e [...] f…", true, usize::MAX);
        let k: Vec<&str> = words.words.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(k, ["a", "b", "c", "d", "e", "f"]);
        assert_eq!(words.optional, [false, false, true, true, false, false]);
        assert_eq!(words.gap, [false, true, false, false, false, true, true]);
        // In a claim, brackets are words like any other.
        let (claim, _) = Words::of("a [c] b", false, usize::MAX);
        assert_eq!(claim.optional, [false, false, false]);
        assert_eq!(shown("“U.S.,"), "U.S.");
        assert_eq!(shown("$140"), "$140");
    }

    fn verdict_of(claim: &str, record: &str) -> (u32, f32, Vec<DiffOp>, bool) {
        let (c, _) = Words::of(claim, false, usize::MAX);
        let (r, _) = Words::of(record, true, usize::MAX);
        let a = align(&c, &r);
        let whole = (0..a.start)
            .chain(a.end..r.words.len())
            .all(|j| r.optional[j]);
        (a.cost, a.similarity, diff(&c, &r, &a), whole)
    }

    #[test]
    fn editorial_marks_in_the_record_are_free_and_changed_words_are_not() {
        let record = "We have enhanced ... our deterrence against DPRK [North Korea] aggression.";
        for (claim, cost, whole) in [
            (
                "We have enhanced our deterrence against DPRK aggression",
                0,
                true,
            ),
            (
                "We have enhanced our deterrence against DPRK North Korea aggression",
                0,
                true,
            ),
            (
                "we have enhanced, greatly, our deterrence against DPRK aggression",
                0,
                true,
            ),
            ("our deterrence against DPRK", 0, false),
            ("our defence against DPRK", 2, false),
        ] {
            let (c, _, _, w) = verdict_of(claim, record);
            assert_eq!((c, w), (cost, whole), "{claim}");
        }
        let (cost, similarity, ops, _) = verdict_of(
            "more important than ever",
            "remains more essential than ever in",
        );
        assert_eq!(cost, 2);
        assert!(similarity >= CLOSE, "{similarity}");
        assert_eq!(
            ops,
            [
                DiffOp::Same("more".into()),
                DiffOp::Changed {
                    claim: "important".into(),
                    record: "essential".into()
                },
                DiffOp::Same("than ever".into())
            ]
        );
        // An ellipsis in the claim lets it skip the record's words there.
        assert_eq!(
            verdict_of("remains more … ever", "remains more essential than ever").0,
            0
        );
    }

    #[test]
    fn the_name_decides_the_attribution_unless_the_record_is_disputed_or_misattributed() {
        let cases = [
            (Some(true), Status::Sourced, Attribution::Confirmed),
            (Some(true), Status::Verified, Attribution::Confirmed),
            (Some(false), Status::Sourced, Attribution::OtherSpeaker),
            (None, Status::Verified, Attribution::Unstated),
            (Some(true), Status::Disputed, Attribution::Disputed),
            (None, Status::Misattributed, Attribution::Misattributed),
            (
                Some(false),
                Status::Misattributed,
                Attribution::Misattributed,
            ),
        ];
        for (names_record_speaker, status, want) in cases {
            assert_eq!(attribution(names_record_speaker, status), want);
        }
    }

    /// Two speakers of one name (a president in the addresses and the same man quoted in a
    /// collection), and one with a name that contains another's.
    fn namesakes() -> (Catalog, SearchIndex) {
        let catalog = crate::core::data::DataFiles::named(&[
            "[[speaker]]\nid = \"thomas-jefferson\"\nname = \"Thomas Jefferson\"\n\
                 [[speaker]]\nid = \"president-jefferson\"\nname = \"Thomas Jefferson\"\nrole = \"President\"\n\
                 [[speaker]]\nid = \"john-adams\"\nname = \"John Adams\"\n\
                 [[speaker]]\nid = \"john-quincy-adams\"\nname = \"John Quincy Adams\"\n"
                .to_string(),
            "[[source]]\nid = \"sotu\"\ntitle = \"Addresses\"\n"
                .to_string(),
            "[[quote]]\nid = \"q1\"\ntext = \"The receipts of the Treasury have exceeded the sum expected.\"\nspeaker = \"president-jefferson\"\nsource = \"sotu\"\n\
                 [[quote]]\nid = \"q2\"\ntext = \"Facts are stubborn things, and whatever may be our wishes.\"\nspeaker = \"john-adams\"\nsource = \"sotu\"\n"
                .to_string(),
            ""
                .to_string(),
            String::new(), String::new(),])
        .parse()
        .unwrap();
        let index = SearchIndex::build(&catalog);
        (catalog, index)
    }

    #[test]
    fn a_name_that_two_speakers_share_confirms_either_of_them() {
        let (catalog, index) = namesakes();
        let cases = [
            (
                "“The receipts of the Treasury have exceeded the sum expected.” — Thomas Jefferson",
                None,
                Attribution::Confirmed,
            ),
            (
                "The receipts of the Treasury have exceeded the sum expected.",
                Some("Jefferson"),
                Attribution::Confirmed,
            ),
            (
                "The receipts of the Treasury have exceeded the sum expected.",
                Some("thomas-jefferson"),
                Attribution::OtherSpeaker,
            ),
            (
                "The receipts of the Treasury have exceeded the sum expected.",
                Some("Thomas Jeferson"),
                Attribution::Confirmed,
            ),
            (
                "The receipts of the Treasury have exceeded the sum expected.",
                Some("John Adams"),
                Attribution::OtherSpeaker,
            ),
            (
                "Facts are stubborn things, and whatever may be our wishes. — John Adams",
                None,
                Attribution::Confirmed,
            ),
            (
                "Facts are stubborn things, and whatever may be our wishes. — John Quincy Adams",
                None,
                Attribution::OtherSpeaker,
            ),
            (
                "Facts are stubborn things, and whatever may be our wishes.",
                Some("Jon Quincy Adams"),
                Attribution::OtherSpeaker,
            ),
        ];
        for (claim, speaker, want) in cases {
            let verdict = verify(&index, &catalog, claim, speaker, standing);
            assert_eq!(verdict.matched, Match::Exact, "{claim}");
            assert_eq!(verdict.attribution, want, "{claim} {speaker:?}");
        }
    }

    /// The claim's words and the record's aligned run, as the diff's two sides give them.
    fn sides(ops: &[DiffOp]) -> (Vec<String>, Vec<String>) {
        let words = |text: &str| -> Vec<String> {
            text.split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        };
        let (mut claim, mut record) = (Vec::new(), Vec::new());
        for op in ops {
            match op {
                DiffOp::Same(text) => {
                    claim.extend(words(text));
                    record.extend(words(text));
                }
                DiffOp::Changed {
                    claim: c,
                    record: r,
                } => {
                    claim.extend(words(c));
                    record.extend(words(r));
                }
                DiffOp::Missing(r) => record.extend(words(r)),
                DiffOp::Added(c) => claim.extend(words(c)),
            }
        }
        (claim, record)
    }

    /// A record of words from a small vocabulary (so claims share words with it), with
    /// ellipses and bracketed insertions among them.
    fn record_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            6 => prop::sample::select(vec!["the", "alliance", "is", "$140", "billion", "strong", "U.S.", "it's", "Korea", "ever"]).prop_map(str::to_string),
            1 => Just("...".to_string()),
            1 => Just("[Democratic People's Republic]".to_string()),
            1 => Just("…".to_string()),
        ];
        prop::collection::vec(piece, 1..30).prop_map(|p| p.join(" "))
    }

    #[test]
    fn words_a_claim_puts_before_an_excerpt_are_added_not_the_records_words_before_it_missing() {
        let record = "In Seoul on Monday he said that, today, the alliance remains more essential than ever in shaping our future.";
        let (_, _, ops, whole) = verdict_of(
            "Blinken told reporters: today the alliance remains more essential than ever",
            record,
        );
        assert!(!whole);
        assert_eq!(
            ops,
            [
                DiffOp::Added("Blinken told reporters".into()),
                DiffOp::Same("today the alliance remains more essential than ever".into()),
            ]
        );
        // Leading words that are the record's own are the record's: what the claim left out
        // between them and the excerpt is missing.
        let (_, _, ops, _) = verdict_of("He said the alliance remains more essential", record);
        assert_eq!(
            ops,
            [
                DiffOp::Same("He said".into()),
                DiffOp::Missing("that today".into()),
                DiffOp::Same("the alliance remains more essential".into()),
            ]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Applying the diff to the record's aligned words gives the claim's words: the diff's
        /// record side is a contiguous run of the record, its claim side the whole claim.
        #[test]
        fn the_diff_applied_to_the_record_gives_the_claim(
            record in record_text(),
            edits in proptest::collection::vec((0usize..4, 0usize..40, proptest::sample::select(vec!["important", "$14", "Korea", "…", "the"])), 0..6),
            from in 0usize..30,
            length in 1usize..30,
        ) {
            let (r, _) = Words::of(&record, true, usize::MAX);
            // A claim: a run of the record's words, edited.
            let mut claim: Vec<String> = r.words.iter().skip(from % r.words.len().max(1)).take(length).map(|w| w.shown.clone()).collect();
            for (kind, at, word) in edits {
                let at = at % (claim.len() + 1);
                match kind {
                    0 if at < claim.len() => { claim.remove(at); }
                    1 if at < claim.len() => claim[at] = word.to_string(),
                    _ => claim.insert(at, word.to_string()),
                }
            }
            let claim_text = claim.join(" ");
            let (c, _) = Words::of(&claim_text, false, usize::MAX);
            let alignment = align(&c, &r);
            let (claim_side, record_side) = sides(&diff(&c, &r, &alignment));
            let claim_words: Vec<String> = c.words.iter().map(|w| w.shown.clone()).collect();
            let run: Vec<String> = r.words[alignment.start..alignment.end].iter().map(|w| w.shown.clone()).collect();
            proptest::prop_assert_eq!(claim_side, claim_words);
            proptest::prop_assert_eq!(record_side, run);
            proptest::prop_assert!((0.0..=1.0).contains(&alignment.similarity));
        }

        /// Words the record does not have, put before a run of the record's words, are added
        /// by the claim: the diff starts with them, changes none of the record's words, and
        /// costs only them (none of the record's words before the run is read as missing).
        /// Around an ellipsis of the record with words repeated on both sides, the run's own
        /// words may be shown as free words at the ellipsis and the bracketed words after it as
        /// left out, at no cost; and where the run's words occur twice with a bracketed
        /// insertion between the first pair ("billion [..] strong .. billion strong"), the
        /// first pair may be chosen with the insertion left out, at no cost: the alignment's
        /// ties, left as they are.
        #[test]
        fn leading_words_before_an_excerpt_are_added(
            record in record_text(),
            prefix in proptest::collection::vec(proptest::sample::select(vec!["Blinken", "told", "reporters:", "reportedly", "“", "💬", "한미"]), 1..6),
            from in 0usize..30,
            length in 2usize..30,
        ) {
            let (r, _) = Words::of(&record, true, usize::MAX);
            let run: Vec<String> = r.words.iter().skip(from % r.words.len().max(1)).take(length).map(|w| w.shown.clone()).collect();
            let claim_text = format!("{} {}", prefix.join(" "), run.join(" "));
            let (c, _) = Words::of(&claim_text, false, usize::MAX);
            let prefix_words = c.words.len() - run.len();
            let alignment = align(&c, &r);
            let ops = diff(&c, &r, &alignment);
            let added: Vec<String> = c.words[..prefix_words].iter().map(|w| w.shown.clone()).collect();
            if !added.is_empty() {
                proptest::prop_assert_eq!(&ops[0], &DiffOp::Added(added.join(" ")), "{}", claim_text);
            }
            proptest::prop_assert!(
                !ops.iter().any(|op| matches!(op, DiffOp::Changed { .. })),
                "{:?} for {}", ops, claim_text
            );
            if !record.contains("...") && !record.contains('…') && !record.contains('[') {
                proptest::prop_assert!(
                    ops.iter().all(|op| matches!(op, DiffOp::Same(_) | DiffOp::Added(_))),
                    "{:?} for {}", ops, claim_text
                );
            }
            proptest::prop_assert_eq!(alignment.cost, 2 * prefix_words as u32);
        }
    }
}
