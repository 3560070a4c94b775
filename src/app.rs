//! The application: the current catalog snapshot with its search index, and the use cases the
//! CLI and the bot share. Readers take an `Arc<Snapshot>` and never wait for a writer.

use std::sync::{Arc, RwLock};

use crate::core::catalog::Catalog;
use crate::core::render::{self, Card};
use crate::core::search::{self, Choice, Outcome, Query, SearchIndex};

/// A catalog and the index built from it; immutable once built.
#[derive(Debug)]
pub struct Snapshot {
    pub catalog: Catalog,
    pub index: SearchIndex,
}

impl Snapshot {
    pub fn new(catalog: Catalog) -> Snapshot {
        let index = SearchIndex::build(&catalog);
        Snapshot { catalog, index }
    }

    pub fn search(&self, query: &Query<'_>) -> Outcome {
        search::search(&self.index, &self.catalog, query)
    }

    pub fn suggest(&self, query: &Query<'_>) -> Vec<Choice> {
        search::suggest(&self.index, &self.catalog, query, render::choice_label)
    }

    /// The card of a quote or fact by id.
    pub fn card(&self, id: &str) -> Option<Card> {
        self.catalog
            .entry(id)
            .map(|entry| render::card(&self.catalog, entry))
    }
}

/// Holds the current snapshot; replacing it is atomic for readers.
#[derive(Debug)]
pub struct App {
    current: RwLock<Arc<Snapshot>>,
}

impl App {
    pub fn new(catalog: Catalog) -> App {
        App {
            current: RwLock::new(Arc::new(Snapshot::new(catalog))),
        }
    }

    /// The snapshot to answer one request from.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Publishes a new catalog; the index is built before readers can see it.
    pub fn publish(&self, catalog: Catalog) {
        let next = Arc::new(Snapshot::new(catalog));
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = next;
    }
}
