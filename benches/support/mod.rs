//! What the benchmark binaries share: a seeded generator, timing and memory readings.
//! Each bench includes it with `#[path = "support/mod.rs"] mod support;` and uses what it needs.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// splitmix64: a small, seeded, reproducible generator.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// A lower-case ASCII letter.
    pub fn letter(&mut self) -> char {
        (b'a' + (self.next() % 26) as u8) as char
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
