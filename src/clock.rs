//! The program's only reading of the wall clock, behind a trait so that tests can inject
//! their own time.

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
