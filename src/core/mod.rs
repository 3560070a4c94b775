//! The pure core: data model, data parsing and validation, catalog, search and rendering.
//!
//! Nothing in here touches files, the environment, the clock or Discord; it takes text and
//! values and returns values, so all of it is tested without a disk or a network. The tidy
//! test (`tests/tidy.rs`) enforces this.

pub mod catalog;
pub mod data;
pub mod diag;
pub mod edit;
pub mod exchange;
pub mod limits;
pub mod model;
pub mod moderation;
pub mod provenance_form;
pub mod render;
pub mod schedule;
pub mod schema;
pub mod search;
pub mod toml_view;
pub mod verify;
