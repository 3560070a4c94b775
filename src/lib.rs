//! quotebot: look up what officials actually said, where they said it, and the figures
//! behind it.
//!
//! The crate is a pure [`core`] (model, data parsing and validation, catalog, search,
//! rendering) surrounded by thin edges that do the I/O: [`store`] reads and writes files,
//! [`config`] reads `config.toml` and the token's environment variable, [`app`] holds the
//! current snapshot, and [`cli`] is the operator's command line. See ARCHITECTURE.md.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod core;
pub mod discord;
pub mod logging;
pub mod scheduler;
pub mod store;
