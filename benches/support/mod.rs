//! What the benchmarks share: a seeded generator, the brute-force strsim baseline, timing and
//! memory readings. Each bench includes it with `#[path = "support/mod.rs"] mod support;` (the
//! `bench/` crate with its own path) and uses what it needs.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// splitmix64: a small, seeded, reproducible generator.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// A lower-case ASCII letter.
    pub fn letter(&mut self) -> char {
        (b'a' + (self.next_u64() % 26) as u8) as char
    }
}

/// Runs `f` three times and keeps its answer and the median time.
pub fn timed<T>(mut f: impl FnMut() -> T) -> (T, Duration) {
    let mut times = [Duration::ZERO; 3];
    let mut answer = None;
    for time in &mut times {
        let started = Instant::now();
        answer = Some(f());
        *time = started.elapsed();
    }
    times.sort_unstable();
    (answer.expect("ran three times"), times[1])
}

/// The `p` quantile (0..=1) of the samples, in milliseconds (0 when there are none).
pub fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_unstable();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1000.0
}

/// This process's peak resident memory so far, in MB (NaN where /proc is not there).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The brute-force baseline: every document scored by the mean, over query words, of the best
/// `strsim::normalized_levenshtein` against its words; best first, ties in document order.
pub struct Baseline {
    docs: Vec<(String, Vec<String>)>,
    tokens: fn(&str) -> Vec<String>,
}

impl Baseline {
    /// Documents as (id, texts); every text and every query is cut into words by `tokens`.
    pub fn new<'a>(
        docs: impl IntoIterator<Item = (String, Vec<&'a str>)>,
        tokens: fn(&str) -> Vec<String>,
    ) -> Baseline {
        let docs = docs
            .into_iter()
            .map(|(id, texts)| (id, texts.into_iter().flat_map(tokens).collect()))
            .collect();
        Baseline { docs, tokens }
    }

    pub fn search(&self, text: &str, limit: usize) -> Vec<&str> {
        let query = (self.tokens)(text);
        let mut scored: Vec<(f64, usize)> = self
            .docs
            .iter()
            .enumerate()
            .map(|(i, (_, words))| {
                let total: f64 = query
                    .iter()
                    .map(|q| {
                        words
                            .iter()
                            .map(|w| strsim::normalized_levenshtein(q, w))
                            .fold(0.0, f64::max)
                    })
                    .sum();
                (total / query.len().max(1) as f64, i)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored
            .into_iter()
            .take(limit)
            .map(|(_, i)| self.docs[i].0.as_str())
            .collect()
    }
}
