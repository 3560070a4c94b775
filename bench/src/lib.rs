//! The issue-12 search-quality benchmark: a frozen query generator with relevance sets
//! ([`generate`]), natural questions about the seed database ([`sets`]), and the peers quotebot
//! is compared with on the same queries in the same run ([`peers`]: a brute-force strsim
//! baseline and tantivy). The benchmark itself is `benches/quality.rs`; the query sets it reads
//! are the committed files under the repository's `benches/queries/` (see its README.md).
//!
//! This crate is a workspace member outside `default-members`, so `cargo test`, `cargo clippy
//! --all-targets` and CI at the root never build tantivy.

pub mod generate;
pub mod normalize;
pub mod peers;
pub mod sets;
/// The seeded generator and strsim baseline the repository's other benchmarks use too.
#[path = "../../benches/support/mod.rs"]
pub mod support;

use std::path::{Path, PathBuf};

/// The repository root (this crate lives in `bench/`), so paths work from `cargo bench`, which
/// runs a bench with the package directory as its working directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ has a parent")
        .to_path_buf()
}

/// A path given on the command line: relative ones are read from the repository root.
pub fn from_root(path: &str) -> PathBuf {
    let p = PathBuf::from(path);
    if p.is_absolute() {
        p
    } else {
        repo_root().join(p)
    }
}
