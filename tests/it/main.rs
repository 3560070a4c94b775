//! The integration tests: one binary, so the crate links once.

mod cli;
mod curate;
mod curate_exchange;
mod curate_provenance;
mod data_errors;
mod deploy;
mod discord;
mod edits;
mod exchange;
mod fake_discord;
mod fotd;
mod json_order;
mod lifecycle;
mod lookup_options;
mod provenance;
mod search;
mod seed;
mod state_files;
mod support;
mod tidy;
mod unicode;
mod verify;
