//! The program's only reading of the time: the wall clock, behind a trait so that tests can
//! inject their own, and a monotonic stopwatch for durations (uptime, time per query).

use jiff::Timestamp;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

impl Clock for std::sync::Arc<dyn Clock> {
    fn now(&self) -> Timestamp {
        (**self).now()
    }
}

/// Measures elapsed time on the monotonic clock, which never jumps with the wall clock.
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch(std::time::Instant);

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch(std::time::Instant::now())
    }

    pub fn elapsed(&self) -> std::time::Duration {
        self.0.elapsed()
    }
}
