//! The only module that touches files: it reads the data directory and the config file and
//! hands their text to the core.

use std::io;
use std::path::{Path, PathBuf};

use crate::config::{Config, parse_config};
use crate::core::catalog::Catalog;
use crate::core::data::{DataFile, DataFiles, FILE_NAMES, parse_catalog};
use crate::core::diag::Diagnostic;

/// Why a load failed: the problems, located, ready to print one per line.
#[derive(Debug)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

fn unreadable(path: &Path, error: &io::Error) -> Diagnostic {
    Diagnostic {
        path: path.display().to_string(),
        line: 1,
        column: 1,
        message: format!("cannot read file: {error}"),
    }
}

/// Reads and validates the four data files of `dir`.
pub fn load_catalog(dir: &Path) -> Result<Catalog, LoadError> {
    let paths: Vec<PathBuf> = FILE_NAMES.iter().map(|name| dir.join(name)).collect();
    let mut texts = Vec::new();
    let mut diagnostics = Vec::new();
    for path in &paths {
        match std::fs::read_to_string(path) {
            Ok(text) => texts.push(text),
            Err(error) => {
                diagnostics.push(unreadable(path, &error));
                texts.push(String::new());
            }
        }
    }
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let file = |i: usize| DataFile {
        path: &names[i],
        text: &texts[i],
    };
    let files = DataFiles {
        speakers: file(0),
        sources: file(1),
        quotes: file(2),
        facts: file(3),
    };
    match parse_catalog(&files) {
        Ok(catalog) if diagnostics.is_empty() => Ok(catalog),
        Ok(_) => Err(LoadError { diagnostics }),
        Err(mut errors) => {
            diagnostics.append(&mut errors);
            Err(LoadError { diagnostics })
        }
    }
}

/// Reads the config file. A missing file at the default path means the defaults; a missing
/// file the operator named explicitly is an error.
pub fn load_config(path: &Path, explicit: bool) -> Result<Config, LoadError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_config(&path.display().to_string(), &text)
            .map_err(|diagnostics| LoadError { diagnostics }),
        Err(error) if error.kind() == io::ErrorKind::NotFound && !explicit => Ok(Config::default()),
        Err(error) => Err(LoadError {
            diagnostics: vec![unreadable(path, &error)],
        }),
    }
}

/// Holds the state directory for this process: a second instance on the same directory is
/// refused while the returned file stays open.
pub fn lock_state_dir(dir: &Path) -> Result<std::fs::File, String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create state directory {}: {e}", dir.display()))?;
    let path = dir.join("quotebot.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "another quotebot is already running with state directory {}",
            dir.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

/// Reads a small state file, `None` when it does not exist or cannot be read.
pub fn read_state(dir: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(name)).ok()
}

/// Replaces a file atomically: the new bytes go to a temporary file in the same directory,
/// which is synced and renamed over the old one, and the directory is synced. A crash at any
/// point leaves either the old file or the new one, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Writes a small state file atomically.
pub fn write_state(dir: &Path, name: &str, text: &str) -> io::Result<()> {
    write_atomic(&dir.join(name), text.as_bytes())
}

/// The fact-of-the-day ledger file in the state directory.
const LEDGER: &str = "fotd-ledger.json";

/// Reads every channel's fact-of-the-day ledger; a missing file is an empty ledger.
pub fn load_ledgers(
    dir: &Path,
) -> Result<std::collections::BTreeMap<u64, crate::core::schedule::Ledger>, String> {
    let path = dir.join(LEDGER);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| format!("{}: unreadable ledger: {e}", path.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Default::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Writes the ledgers atomically.
pub fn save_ledgers(
    dir: &Path,
    ledgers: &std::collections::BTreeMap<u64, crate::core::schedule::Ledger>,
) -> io::Result<()> {
    let text = serde_json::to_string_pretty(ledgers).map_err(io::Error::other)?;
    write_atomic(&dir.join(LEDGER), text.as_bytes())
}

/// The per-server fact-of-the-day settings file in the state directory.
const GUILD_SETTINGS: &str = "fotd-guilds.json";

pub type GuildSettings = std::collections::BTreeMap<u64, crate::core::schedule::GuildSetting>;

/// Reads the per-server settings; a missing file means none.
pub fn load_guild_settings(dir: &Path) -> Result<GuildSettings, String> {
    let path = dir.join(GUILD_SETTINGS);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| format!("{}: unreadable settings: {e}", path.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Default::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Writes the per-server settings atomically.
pub fn save_guild_settings(dir: &Path, settings: &GuildSettings) -> io::Result<()> {
    let text = serde_json::to_string_pretty(settings).map_err(io::Error::other)?;
    write_atomic(&dir.join(GUILD_SETTINGS), text.as_bytes())
}
