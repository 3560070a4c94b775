//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use quotebot::core::catalog::Catalog;
use quotebot::core::data::DataFiles;
use quotebot::core::diag::Diagnostic;

pub const SPEAKERS: &str = "[[speaker]]\nid = \"s\"\nname = \"Sam Speaker\"\n";
pub const SOURCES: &str = "[[source]]\nid = \"src\"\ntitle = \"A Title\"\n";
pub const QUOTES: &str = "[[quote]]\nid = \"q\"\ntext = \"x\"\nspeaker = \"s\"\nsource = \"src\"\n";
pub const FACTS: &str = "[[fact]]\nid = \"f\"\ntext = \"y\"\nsource = \"src\"\n";

/// Parses four data files given as text.
pub fn parse(
    speakers: &str,
    sources: &str,
    quotes: &str,
    facts: &str,
) -> Result<Catalog, Vec<Diagnostic>> {
    parse_with_topics([speakers, sources, quotes, facts], None)
}

/// Parses four data files and, when given, `topics.toml`, as text.
pub fn parse_with_topics(
    files: [&str; 4],
    topics: Option<&str>,
) -> Result<Catalog, Vec<Diagnostic>> {
    parse_with_extras(files, topics, None)
}

/// Parses four data files and, when given, `topics.toml` and `synonyms.toml`, as text.
pub fn parse_with_extras(
    [speakers, sources, quotes, facts]: [&str; 4],
    topics: Option<&str>,
    synonyms: Option<&str>,
) -> Result<Catalog, Vec<Diagnostic>> {
    let texts = [
        speakers,
        sources,
        quotes,
        facts,
        topics.unwrap_or(""),
        synonyms.unwrap_or(""),
    ]
    .map(String::from);
    DataFiles::named(&texts).parse()
}

/// The repository's own data directory.
pub fn repo_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The bundled database, loaded through the store.
pub fn seed_catalog() -> Catalog {
    quotebot::store::load_catalog(&repo_data()).expect("the bundled data is valid")
}

/// A copy of the bundled data in a temporary directory, with a state directory beside it:
/// (the directory, its data dir, its state dir).
pub fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let state = dir.path().join("state");
    std::fs::create_dir_all(&data).unwrap();
    for entry in std::fs::read_dir(repo_data()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
    }
    (dir, data, state)
}

/// Makes every search of `app` wait until the returned sender is dropped: longer than any time
/// budget. At most 10 s each, so a search run where it should not be (on the async runtime)
/// fails the test instead of hanging it.
pub fn hold_searches(app: &quotebot::app::App) -> std::sync::mpsc::Sender<()> {
    let (release, gate) = std::sync::mpsc::channel::<()>();
    let gate = std::sync::Mutex::new(gate);
    app.set_search_hook(move || {
        let _ = gate
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .recv_timeout(std::time::Duration::from_secs(10));
    });
    release
}
