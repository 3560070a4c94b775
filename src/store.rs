//! The only module that touches files: it reads the data directory and the config file and
//! hands their text to the core.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::{Config, parse_config};
use crate::core::catalog::Catalog;
use crate::core::data::{DataFiles, FILE_NAMES, Texts};
use crate::core::diag::Diagnostic;
use crate::core::edit::AuditEntry;
use crate::core::schema::{KIND_COUNT, Kind};

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

/// The data files' display paths and texts as read from `dir`, one per kind in the order of
/// [`Kind::ALL`]; an optional file that is absent (`topics.toml`) is an empty text.
pub struct DataTexts {
    pub paths: [String; KIND_COUNT],
    pub texts: Texts,
}

impl DataTexts {
    pub fn parse(&self) -> Result<Catalog, Vec<Diagnostic>> {
        DataFiles::from_texts(&self.paths, &self.texts).parse()
    }
}

/// A data file's text: an optional kind's absent file is an empty text (the same database as
/// an empty file).
fn read_kind_text(path: &Path, kind: Kind) -> io::Result<String> {
    match std::fs::read_to_string(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound && kind.optional() => {
            Ok(String::new())
        }
        other => other,
    }
}

/// The current text of `kind`'s file in `dir`, as [`read_data`] reads it.
pub fn read_data_file(dir: &Path, kind: Kind) -> Result<String, StoreError> {
    let path = dir.join(kind.file());
    read_kind_text(&path, kind).map_err(|e| StoreError::io("read", &path, e))
}

/// Reads the data files' texts (an absent optional file is an empty text).
pub fn read_data(dir: &Path) -> Result<DataTexts, LoadError> {
    let mut texts: Texts = Default::default();
    let mut paths: [String; KIND_COUNT] = Default::default();
    let mut diagnostics = Vec::new();
    for kind in Kind::ALL {
        let i = kind.index();
        let path = dir.join(kind.file());
        paths[i] = path.display().to_string();
        match read_kind_text(&path, kind) {
            Ok(text) => texts[i] = text,
            Err(error) => diagnostics.push(unreadable(&path, &error)),
        }
    }
    if diagnostics.is_empty() {
        Ok(DataTexts { paths, texts })
    } else {
        Err(LoadError { diagnostics })
    }
}

/// Writes `kind`'s file in `dir` as [`write_atomic_checked`] does. An optional file whose new
/// text holds nothing but white space is removed instead (an import that created
/// `topics.toml`, undone, leaves the directory as it was, without an empty file).
pub fn write_data_file_checked(
    dir: &Path,
    kind: Kind,
    text: &str,
    hook: &dyn Fn(WriteStep) -> io::Result<()>,
    check: &dyn Fn() -> bool,
) -> Result<(), CheckedWriteError> {
    let path = dir.join(kind.file());
    if !(kind.optional() && text.trim().is_empty()) {
        return write_atomic_checked(&path, text.as_bytes(), hook, check);
    }
    if !check() {
        return Err(CheckedWriteError::Changed);
    }
    let removed = match std::fs::remove_file(&path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => std::fs::File::open(dir).and_then(|d| d.sync_all()),
    };
    removed.map_err(|e| CheckedWriteError::Io(StoreError::io("remove", &path, e)))
}

/// Sizes and modification times of the data files: a cheap way to notice that they changed
/// without reading them.
pub type Fingerprint = Vec<Option<(u64, std::time::SystemTime)>>;

pub fn data_fingerprint(dir: &Path) -> Fingerprint {
    FILE_NAMES
        .iter()
        .map(|name| {
            let meta = std::fs::metadata(dir.join(name)).ok()?;
            Some((meta.len(), meta.modified().ok()?))
        })
        .collect()
}

/// Reads and validates the data files of `dir`.
pub fn load_catalog(dir: &Path) -> Result<Catalog, LoadError> {
    load_data(dir).map(|(catalog, _)| catalog)
}

/// Reads and validates the data files, keeping their texts (for edits that preserve them).
pub fn load_data(dir: &Path) -> Result<(Catalog, DataTexts), LoadError> {
    let data = match read_data(dir) {
        Ok(data) => data,
        Err(mut error) => {
            // Report the unreadable files and, with them, what is wrong in the others.
            let data = DataTexts {
                paths: FILE_NAMES.map(|name| dir.join(name).display().to_string()),
                texts: FILE_NAMES
                    .map(|name| std::fs::read_to_string(dir.join(name)).unwrap_or_default()),
            };
            if let Err(mut more) = data.parse() {
                more.retain(|d| !error.diagnostics.iter().any(|e| e.path == d.path));
                error.diagnostics.append(&mut more);
            }
            return Err(error);
        }
    };
    let catalog = data
        .parse()
        .map_err(|diagnostics| LoadError { diagnostics })?;
    Ok((catalog, data))
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
pub fn lock_state_dir(dir: &Path) -> Result<std::fs::File, StoreError> {
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io("create state directory", dir, e))?;
    let path = dir.join("quotebot.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError::io("open", &path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::StateDirTaken(dir.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => Err(StoreError::io("lock", &path, e)),
    }
}

/// The data directory's OS lock, held until dropped.
#[derive(Debug)]
pub struct DataDirLock {
    _file: std::fs::File,
}

/// Takes the data directory for one read-check-write if it is free: an OS lock on the directory
/// itself, so a writer in another process is covered too, released when the returned file is
/// dropped; `Ok(None)` when another process holds it.
pub fn try_lock_data_dir(dir: &Path) -> Result<Option<DataDirLock>, StoreError> {
    let file = std::fs::File::open(dir).map_err(|e| StoreError::io("open", dir, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(DataDirLock { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(StoreError::io("lock", dir, e)),
    }
}

/// Reads a whole text file; `what` says what it is in the error ("read batch file").
pub fn read_text(path: &Path, what: &'static str) -> Result<String, StoreError> {
    std::fs::read_to_string(path).map_err(|e| StoreError::io(what, path, e))
}

/// Reads a whole text file of at most `max` bytes; `what` says what it is in the error. The
/// size is checked before anything is read, so a huge file is refused without being read into
/// memory, and the read stops past `max` in case the file grew meanwhile.
pub fn read_text_at_most(path: &Path, max: u64, what: &'static str) -> Result<String, StoreError> {
    use std::io::Read;
    let io = |e| StoreError::io(what, path, e);
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let too_large = |len: u64| StoreError::TooLarge {
        path: path.to_path_buf(),
        len,
        max,
    };
    if len > max {
        return Err(too_large(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        io(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (byte {} is not)",
                e.utf8_error().valid_up_to() + 1
            ),
        ))
    })
}

/// A file operation that failed, or a state directory another process holds. An I/O failure
/// keeps what was being done, the path and the `io::Error` itself, so callers decide by its
/// kind, never by its text.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("another quotebot is already running with state directory {}", .0.display())]
    StateDirTaken(PathBuf),
    #[error("{} is {} bytes, more than the {} bytes it may be", path.display(), len, max)]
    TooLarge { path: PathBuf, len: u64, max: u64 },
}

impl StoreError {
    pub fn io(op: &'static str, path: &Path, source: io::Error) -> StoreError {
        StoreError::Io {
            op,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The I/O error's kind, when an I/O operation failed.
    pub fn kind(&self) -> Option<io::ErrorKind> {
        match self {
            StoreError::Io { source, .. } => Some(source.kind()),
            StoreError::StateDirTaken(_) | StoreError::TooLarge { .. } => None,
        }
    }

    /// The file or directory concerned.
    pub fn path(&self) -> &Path {
        match self {
            StoreError::Io { path, .. }
            | StoreError::StateDirTaken(path)
            | StoreError::TooLarge { path, .. } => path,
        }
    }
}

/// A state file that exists but cannot be used: unreadable, not what this program writes, or
/// holding values out of range. Says which file, the line when one is to blame, what is wrong,
/// and, when it could not be read, the I/O error's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub problem: String,
    pub kind: Option<io::ErrorKind>,
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.problem),
            None => write!(f, "{}: {}", self.path.display(), self.problem),
        }
    }
}

impl std::error::Error for StateError {}

impl StateError {
    fn new(path: &Path, problem: String) -> StateError {
        StateError {
            path: path.to_path_buf(),
            line: None,
            problem,
            kind: None,
        }
    }

    /// The problem with the file's name but not the directory, for people who are not the
    /// operator (a Discord reply).
    pub fn brief(&self) -> String {
        let name = self
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        format!("{name}: {}", self.problem)
    }
}

/// The first step of loading every state file: its text, `Ok(None)` when it does not exist.
/// Anything else that stops the read is a [`StateError`] naming the file and keeping the I/O
/// error's kind. Never panics.
fn read_state_text(path: &Path) -> Result<Option<String>, StateError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StateError {
            kind: Some(e.kind()),
            ..StateError::new(path, format!("cannot be read: {e}"))
        }),
    }
}

/// The one way whole-file state (JSON) is read: `Ok(None)` when the file does not exist;
/// otherwise it is read, parsed as JSON into `T` and checked by `check` (which names the first
/// value out of range), and any failure is a [`StateError`] naming the file. Never panics.
pub fn load_state<T: serde::de::DeserializeOwned>(
    dir: &Path,
    name: &str,
    check: impl Fn(&T) -> Option<String>,
) -> Result<Option<T>, StateError> {
    let path = dir.join(name);
    let Some(text) = read_state_text(&path)? else {
        return Ok(None);
    };
    let fail = |problem: String| StateError::new(&path, problem);
    if text.trim().is_empty() {
        return Err(fail(
            "is empty; it is never written empty, so it was damaged".into(),
        ));
    }
    let value: T = serde_json::from_str(&text).map_err(|e| fail(format!("is not valid: {e}")))?;
    match check(&value) {
        Some(problem) => Err(fail(problem)),
        None => Ok(Some(value)),
    }
}

/// The same for line-by-line state (JSON Lines, the audit log): every line that is not blank
/// must parse as `T`, and the first that does not is an error naming the file and the line:
/// such a log is never guessed around. A missing file is no lines.
pub fn load_state_lines<T: serde::de::DeserializeOwned>(
    dir: &Path,
    name: &str,
    what: &str,
) -> Result<Vec<T>, StateError> {
    let path = dir.join(name);
    let Some(text) = read_state_text(&path)? else {
        return Ok(Vec::new());
    };
    let mut values = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<T>(line) {
            Ok(value) => values.push(value),
            Err(e) => {
                return Err(StateError {
                    line: Some(n + 1),
                    ..StateError::new(
                        &path,
                        format!("not a complete {what} ({e}); repair or remove that line"),
                    )
                });
            }
        }
    }
    Ok(values)
}

/// The steps of an atomic write, where tests inject faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteStep {
    /// Before anything touches the disk (the text has been produced).
    Serialized,
    /// The temporary file holds the new bytes, not yet synced.
    TempWritten,
    /// The temporary file is synced.
    TempSynced,
    /// The temporary file has replaced the old one.
    Renamed,
    /// Every file of a change is in place; its audit lines are about to be appended.
    AuditAppend,
    /// The audit lines are written to the log, not yet synced.
    AuditWritten,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Replaces a file atomically: the new bytes go to a temporary file in the same directory,
/// which is synced and renamed over the old one, and the directory is synced. A crash at any
/// point leaves either the old file or the new one, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_atomic_with(path, bytes, &|_| Ok(()))
}

/// [`write_atomic`] with a hook called at each step; an error from the hook stops the write
/// there, as a crash or an I/O failure would, and the temporary file is removed.
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    hook: &dyn Fn(WriteStep) -> io::Result<()>,
) -> Result<(), StoreError> {
    use std::io::Write;
    let fail = |e| StoreError::io("replace", path, e);
    hook(WriteStep::Serialized).map_err(fail)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io("create directory", dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        hook(WriteStep::TempWritten)?;
        file.sync_all()?;
        hook(WriteStep::TempSynced)?;
        std::fs::rename(&temp, path)?;
        hook(WriteStep::Renamed)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(fail)
}

/// Why [`write_atomic_checked`] did not replace the file.
#[derive(Debug)]
pub enum CheckedWriteError {
    /// The check just before the rename failed: the file was changed by someone else.
    Changed,
    Io(StoreError),
}

/// [`write_atomic_with`] that calls `check` just before the rename and leaves the old file in
/// place (and no temporary file) when it fails.
pub fn write_atomic_checked(
    path: &Path,
    bytes: &[u8],
    hook: &dyn Fn(WriteStep) -> io::Result<()>,
    check: &dyn Fn() -> bool,
) -> Result<(), CheckedWriteError> {
    let changed = std::cell::Cell::new(false);
    let hook = |step: WriteStep| {
        hook(step)?;
        if step == WriteStep::TempSynced && !check() {
            changed.set(true);
            return Err(io::Error::other("changed on disk"));
        }
        Ok(())
    };
    match write_atomic_with(path, bytes, &hook) {
        Ok(()) => Ok(()),
        Err(_) if changed.get() => Err(CheckedWriteError::Changed),
        Err(e) => Err(CheckedWriteError::Io(e)),
    }
}

/// Removes temporary files left by writes that a crash interrupted.
pub fn clean_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.')
            && name.contains(".tmp-")
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// The fact-of-the-day ledger file in the state directory.
pub const LEDGER: &str = "fotd-ledger.json";

pub type Ledgers = std::collections::BTreeMap<u64, crate::core::schedule::Ledger>;

/// Reads and checks every channel's fact-of-the-day ledger; a missing file is an empty ledger.
pub fn load_ledgers(dir: &Path) -> Result<Ledgers, StateError> {
    load_state(dir, LEDGER, |l: &Ledgers| {
        crate::core::schedule::ledgers_problem(l)
    })
    .map(Option::unwrap_or_default)
}

/// Writes the ledgers atomically.
pub fn save_ledgers(dir: &Path, ledgers: &Ledgers) -> Result<(), StoreError> {
    save_state(dir, LEDGER, ledgers)
}

/// Writes a state file as pretty JSON, atomically.
fn save_state(dir: &Path, name: &str, value: &impl serde::Serialize) -> Result<(), StoreError> {
    let path = dir.join(name);
    // Maps with integer keys and plain records always serialize; a failure would be a bug,
    // reported as what it is rather than a panic.
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| StoreError::io("serialize", &path, io::Error::other(e)))?;
    write_atomic(&path, text.as_bytes())
}

/// The per-server fact-of-the-day settings file in the state directory.
pub const GUILD_SETTINGS: &str = "fotd-guilds.json";

pub type GuildSettings = std::collections::BTreeMap<u64, crate::core::schedule::GuildSetting>;

/// Reads and checks the per-server settings (hours, minutes, time zones, ids); a missing file
/// means none.
pub fn load_guild_settings(dir: &Path) -> Result<GuildSettings, StateError> {
    load_state(dir, GUILD_SETTINGS, |s: &GuildSettings| {
        crate::core::schedule::settings_problem(s)
    })
    .map(Option::unwrap_or_default)
}

/// Writes the per-server settings atomically.
pub fn save_guild_settings(dir: &Path, settings: &GuildSettings) -> Result<(), StoreError> {
    save_state(dir, GUILD_SETTINGS, settings)
}

/// The record of the last command registration with Discord.
pub const REGISTERED: &str = "registered-commands.json";

/// Reads and checks the last registration record: a JSON object with `register` and
/// `commands`.
pub fn load_registration(dir: &Path) -> Result<Option<serde_json::Value>, StateError> {
    load_state(dir, REGISTERED, |v: &serde_json::Value| {
        let ok = v.get("register").is_some_and(serde_json::Value::is_string)
            && v.get("commands").is_some_and(serde_json::Value::is_array);
        (!ok).then(|| {
            "is not a registration record (an object with `register` and `commands`)".to_string()
        })
    })
}

/// Records a command registration.
pub fn save_registration(dir: &Path, record: &serde_json::Value) -> Result<(), StoreError> {
    write_atomic(&dir.join(REGISTERED), record.to_string().as_bytes())
}

/// The append-only audit log of database changes, one JSON object a line.
const AUDIT: &str = "audit.jsonl";
/// Backups of data files kept before each change, newest last.
const BACKUPS_KEPT: usize = 50;

/// Appends one step's entries to the audit log, a line each, in one write, and syncs it to disk. A log
/// whose last line was cut short (no newline) gets one first, so a new entry is never glued
/// onto it.
///
/// A write or sync that fails cuts the log back to its length before: the step is refused and
/// its files put back, so its lines must not stay to show a change that was never made.
pub fn append_audit(
    dir: &Path,
    entries: &[AuditEntry],
    hook: &dyn Fn(WriteStep) -> io::Result<()>,
) -> Result<Appended, StoreError> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let path = dir.join(AUDIT);
    let append = || -> io::Result<Appended> {
        let lines = entries
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<String>, _>>()?;
        std::fs::create_dir_all(dir)?;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)?;
        let mut text = String::new();
        let before = identity(&file.metadata()?);
        let len = before.len;
        if len > 0 {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                text.push('\n');
            }
        }
        for line in &lines {
            text.push_str(&line.replace('\n', " "));
            text.push('\n');
        }
        let written = file
            .write_all(text.as_bytes())
            .and_then(|()| hook(WriteStep::AuditWritten))
            .and_then(|()| file.sync_data());
        if let Err(e) = written {
            if file.set_len(len).and_then(|()| file.sync_data()).is_err() {
                tracing::error!(path = %path.display(), "a failed append could not be cut back from the audit log");
            }
            return Err(e);
        }
        let after = identity(&file.metadata()?);
        Ok(Appended { before, after })
    };
    append().map_err(|e| StoreError::io("append to", &path, e))
}

/// The identity of the very file [`append_audit`] wrote to, just before and just after its
/// write: a cache of the log is still the file's content only when `before` is what the cache
/// was read from (a log rotated, truncated or garbled while the step was being written is
/// not, and must be read again).
#[derive(Debug, Clone, Copy)]
pub struct Appended {
    pub before: FileIdentity,
    pub after: FileIdentity,
}

/// Every entry of the audit log, oldest first (none when there is no log yet). Any line that
/// is not a complete entry, or a log that cannot be read, is an error that names the file and
/// line: the log is the record of every change and its revision numbers, so it is never
/// guessed around.
pub fn read_audit_log(dir: &Path) -> Result<Vec<AuditEntry>, StateError> {
    load_state_lines(dir, AUDIT, "audit entry")
}

/// What the audit log is on disk now (device, inode, length, modification and change times):
/// the same identity means the same bytes as when it was last read or appended to by this
/// process, since only this process's writer appends and anything else that touches the file
/// (a rotation, a truncation, a repair, a permission change) changes one of them. `None`
/// when there is no log.
pub fn audit_log_identity(dir: &Path) -> Option<FileIdentity> {
    let meta = std::fs::metadata(dir.join(AUDIT)).ok()?;
    Some(identity(&meta))
}

fn identity(meta: &std::fs::Metadata) -> FileIdentity {
    use std::os::unix::fs::MetadataExt;
    FileIdentity {
        device: meta.dev(),
        inode: meta.ino(),
        len: meta.len(),
        modified: (meta.mtime(), meta.mtime_nsec()),
        changed: (meta.ctime(), meta.ctime_nsec()),
    }
}

/// See [`audit_log_identity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileIdentity {
    device: u64,
    inode: u64,
    len: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

impl FileIdentity {
    /// The file holds no bytes (so no entries).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The backups directory of a state directory.
fn backups_dir(dir: &Path) -> PathBuf {
    dir.join("backups")
}

/// The revision a backup file was made before, from its name (`00000012-quotes.toml`).
fn backup_revision(name: &str) -> Option<u64> {
    let (number, _) = name.split_once('-')?;
    crate::core::model::parse_digits(number)
}

/// The highest revision any kept backup was made for (0 when there are none).
pub fn last_backup_revision(dir: &Path) -> u64 {
    std::fs::read_dir(backups_dir(dir))
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| backup_revision(&e.file_name().to_string_lossy()))
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

/// Keeps a copy of a data file's current text before a change, and prunes the oldest copies
/// (by revision), never the one just made.
pub fn backup(dir: &Path, file_name: &str, revision: u64, text: &str) -> Result<(), StoreError> {
    let backups = backups_dir(dir);
    let made = format!("{revision:08}-{file_name}");
    write_atomic(&backups.join(&made), text.as_bytes())?;
    let mut names: Vec<(u64, String)> = std::fs::read_dir(&backups)
        .map_err(|e| StoreError::io("list", &backups, e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| *n != made)
        .filter_map(|n| Some((backup_revision(&n)?, n)))
        .collect();
    names.sort();
    let excess = (names.len() + 1).saturating_sub(BACKUPS_KEPT);
    for (_, name) in names.into_iter().take(excess) {
        let _ = std::fs::remove_file(backups.join(name));
    }
    Ok(())
}
