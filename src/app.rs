//! The application: the current catalog snapshot with its search index, the one writer of the
//! database, and the use cases the CLI and the bot share.
//!
//! Readers take an `Arc<Snapshot>` and never wait for a writer. Changes go through
//! [`App::apply`], which holds the one writer lock: it re-reads the files (a hand edit it has
//! not seen is loaded first, never overwritten), applies the change to their text in the core,
//! re-validates the whole catalog, keeps backups, writes atomically, appends to the audit log,
//! and only then publishes the new snapshot, so disk and memory never disagree.

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use jiff::Timestamp;

use crate::core::catalog::Catalog;
use crate::core::data::{FILE_NAMES, Texts};
use crate::core::diag::Diagnostic;
use crate::core::edit::{self, Action, AuditEntry, Change, EditError};
use crate::core::render::{self, Card};
use crate::core::schema::Kind;
use crate::core::search::{self, Choice, Outcome, Query, SearchIndex};
use crate::core::verify::{self, Verdict};
use crate::store::{self, WriteStep};

/// Says, loudly, when the audit log describes records the data directory does not hold: the
/// sign of a data directory that is not the one the log was written for (a Docker data volume
/// lost in an upgrade leaves the image's bundled data beside the old audit log and backups).
pub fn warn_of_missing_records(
    catalog: &Catalog,
    log: &[AuditEntry],
    data_dir: &std::path::Path,
    state_dir: &std::path::Path,
) -> Option<String> {
    let missing = edit::missing_records(catalog, log);
    let newest = missing.first()?;
    let message = format!(
        "{} holds no record for {} change(s) the audit log in {} records (the newest: change {}, `{}`); \
         if the data directory was replaced (a lost Docker volume, an old copy), restore it from {}/backups \
         before making changes (README: Deploying)",
        data_dir.display(),
        missing.len(),
        state_dir.display(),
        newest.revision,
        newest.id(),
        state_dir.display()
    );
    tracing::warn!("{message}");
    Some(message)
}

/// Runs blocking work (file reads, writes that sync to disk, the writer's locks) on tokio's
/// blocking threads, never on a runtime worker, where it would stall every other task on that
/// worker. `None` when the work did not finish (it panicked, or the runtime is shutting down),
/// which is logged.
pub async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => Some(value),
        Err(error) => {
            tracing::error!(%error, "blocking work did not finish");
            None
        }
    }
}

/// Called at the start of every search and suggestion: tests make searches slow with it, to
/// force the time bounds around them; there is none otherwise.
pub type SearchHook = Arc<dyn Fn() + Send + Sync>;

/// A catalog and the index built from it; immutable once built.
pub struct Snapshot {
    pub catalog: Catalog,
    pub index: SearchIndex,
    hook: Option<SearchHook>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("catalog", &self.catalog)
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl Snapshot {
    pub fn new(catalog: Catalog) -> Snapshot {
        let index = SearchIndex::build(&catalog);
        Snapshot {
            catalog,
            index,
            hook: None,
        }
    }

    /// Runs the search hook, if any: every search and suggestion does, and so does any other
    /// lookup that is bounded in time.
    pub fn searching(&self) {
        if let Some(hook) = &self.hook {
            hook();
        }
    }

    pub fn search(&self, query: &Query<'_>) -> Outcome {
        self.searching();
        search::search(&self.index, &self.catalog, query)
    }

    pub fn suggest(&self, query: &Query<'_>) -> Vec<Choice> {
        self.searching();
        search::suggest(&self.index, &self.catalog, query, render::choice_label)
    }

    /// Checks a circulating quote against the catalog (`core::verify`): `speaker` is the name
    /// given apart from the text, if any.
    pub fn verify(&self, text: &str, speaker: Option<&str>) -> Verdict {
        self.searching();
        verify::verify(&self.index, &self.catalog, text, speaker, verify::standing)
    }

    /// The card of a quote or fact by id.
    pub fn card(&self, id: &str) -> Option<Card> {
        self.catalog
            .entry(id)
            .map(|entry| render::card(&self.catalog, entry))
    }
}

/// Who makes a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user: u64,
    pub guild: Option<u64>,
}

/// Why a change was not made. Nothing was written in any of these cases, except `Io`, where
/// the files on disk are whatever the last complete atomic write left.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{0}")]
    Edit(#[from] EditError),
    #[error("the data files on disk have errors; fix them first: {}", .0.first().map(ToString::to_string).unwrap_or_default())]
    DiskInvalid(Vec<Diagnostic>),
    #[error("this process cannot change the database (it was started read-only)")]
    ReadOnly,
    #[error("writing failed: {0}")]
    Io(#[from] store::StoreError),
    #[error("there is no change {0} to undo")]
    NoSuchChange(u64),
    #[error("you have no change to undo")]
    NothingToUndo,
    #[error("change {0} was already undone")]
    AlreadyUndone(u64),
    #[error("the audit log cannot be read, so no change is accepted until it is fixed: {0}")]
    Audit(store::StateError),
    #[error(
        "{0} was changed on disk while this change was being saved; nothing was saved, and the file as it is now has been loaded: try again"
    )]
    Conflict(String),
    #[error(
        "{0} is locked by another process (another writer, or a stuck one); nothing was saved: try again in a moment"
    )]
    Busy(String),
}

impl ApplyError {
    /// What a moderator on Discord is told: the same, without paths or file contents (the
    /// operator gets those in the log).
    pub fn brief(&self) -> String {
        let brief = match self {
            ApplyError::Io(_) => "The change could not be written; nothing was lost. Try again.",
            ApplyError::DiskInvalid(_) => {
                "The data files on disk have errors (the operator's log names them); no change is accepted until they are fixed."
            }
            ApplyError::Audit(_) => {
                "The audit log cannot be read (the operator's log says why); no change is accepted until it is fixed."
            }
            ApplyError::Conflict(_) => {
                "A data file was changed on disk while this change was being saved; nothing was saved, and the file as it is now has been loaded: try again."
            }
            ApplyError::Busy(_) => {
                "The data files are locked by another process; nothing was saved: try again in a moment."
            }
            other => return other.to_string(),
        };
        tracing::error!(error = %self, "a change was refused");
        brief.to_string()
    }
}

/// How long a change waits for another process to release the data directory by default.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The data directory's OS lock, waiting at most `wait` for another process to release it: a
/// process that never does cannot block the writer, and every reader queued behind it, forever.
fn lock_data_dir_within(
    dir: &std::path::Path,
    wait: std::time::Duration,
) -> Result<store::DataDirLock, ApplyError> {
    let watch = crate::clock::Stopwatch::start();
    loop {
        match store::try_lock_data_dir(dir) {
            Ok(Some(lock)) => return Ok(lock),
            Ok(None) if watch.elapsed() < wait => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Ok(None) => {
                tracing::error!(dir = %dir.display(), "the data directory stayed locked by another process; a change was refused");
                return Err(ApplyError::Busy(dir.display().to_string()));
            }
            Err(e) => return Err(ApplyError::Io(e)),
        }
    }
}

type WriteHook = Box<dyn Fn(WriteStep) -> io::Result<()> + Send + Sync>;

/// The one writer: where the files are, their texts as last loaded, the audit log as last
/// read, the last revision.
struct Writer {
    data_dir: PathBuf,
    state_dir: PathBuf,
    /// The data files' texts as last loaded, one per kind (an absent optional file is empty).
    texts: Texts,
    /// The files' sizes and times when last read or written.
    fingerprint: store::Fingerprint,
    /// The audit log as last read or appended to; `None` before the first read and after a
    /// failed one.
    audit: Option<AuditCache>,
    /// The last revision used, as far as this writer knows (see [`Writer::last_revision`]).
    revision: u64,
    hook: Option<WriteHook>,
    /// How long a change waits for the data directory's lock.
    lock_wait: std::time::Duration,
}

/// The audit log's entries and the file's identity when they were read (or last appended).
///
/// The log is read whole once, then kept: this writer appends what it writes to the file and
/// to the entries alike. Before every use the file's identity (device, inode, length,
/// modification and change times) is compared with the one kept; any difference (a rotation,
/// a truncation, a hand repair, a garbled line, a permission change, a log that is gone) means
/// it is read whole again, so a log changed behind the app's back is noticed as before, and an
/// unreadable or garbled one still refuses every change with its file and line. An unreadable
/// log is never cached: it is read again at every use until it is fixed.
struct AuditCache {
    entries: Arc<Vec<AuditEntry>>,
    identity: Option<store::FileIdentity>,
}

impl Writer {
    /// Puts back the files a failed step already wrote: a step is saved whole or not at all,
    /// never a part of it without its audit line.
    fn put_back(&self, written: &[usize]) {
        for &j in written {
            let path = self.data_dir.join(FILE_NAMES[j]);
            let put_back = store::write_data_file_checked(
                &self.data_dir,
                Kind::ALL[j],
                &self.texts[j],
                &|_| Ok(()),
                &|| true,
            );
            if let Err(store::CheckedWriteError::Io(e)) = put_back {
                tracing::error!(path = %path.display(), error = %e, "could not put a file back after a failed change");
            }
        }
    }

    /// The audit log, read again only when the file is not as this writer left it.
    fn audit(&mut self) -> Result<Arc<Vec<AuditEntry>>, store::StateError> {
        let identity = store::audit_log_identity(&self.state_dir);
        if let Some(cache) = &self.audit
            && cache.identity == identity
        {
            return Ok(cache.entries.clone());
        }
        self.audit = None;
        // The identity is taken before the read: a change in between is seen at the next use.
        let entries = Arc::new(store::read_audit_log(&self.state_dir)?);
        self.audit = Some(AuditCache {
            entries: entries.clone(),
            identity,
        });
        Ok(entries)
    }

    /// Keeps entries just appended to the log, and the log's identity after the append, when
    /// the file appended to was the one the cache was read from; a log rotated, truncated or
    /// garbled since (while the step was being written) is read again at the next use.
    fn appended(&mut self, entries: &[AuditEntry], appended: store::Appended) {
        let Some(cache) = &mut self.audit else {
            return;
        };
        let unchanged = cache.identity == Some(appended.before)
            || (cache.entries.is_empty() && appended.before.is_empty());
        if unchanged {
            Arc::make_mut(&mut cache.entries).extend_from_slice(entries);
            cache.identity = Some(appended.after);
        } else {
            self.audit = None;
        }
    }

    /// The last revision ever used: the highest in the whole audit log, in the backups and
    /// this writer's own, so a rotated or truncated log cannot make a number be used twice.
    /// An unreadable log is an error: no number can be trusted until it is fixed.
    fn last_revision(&mut self) -> Result<u64, store::StateError> {
        let logged = self.audit()?.iter().map(|e| e.revision).max().unwrap_or(0);
        self.revision = logged
            .max(self.revision)
            .max(store::last_backup_revision(&self.state_dir));
        Ok(self.revision)
    }
}

/// Holds the current snapshot; replacing it is atomic for readers.
pub struct App {
    current: RwLock<Arc<Snapshot>>,
    writer: Mutex<Option<Writer>>,
    search_hook: RwLock<Option<SearchHook>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

impl App {
    /// A read-only app over a catalog.
    pub fn new(catalog: Catalog) -> App {
        App {
            current: RwLock::new(Arc::new(Snapshot::new(catalog))),
            writer: Mutex::new(None),
            search_hook: RwLock::new(None),
        }
    }

    /// An app that can change the database in `data_dir`, auditing in `state_dir`. Temporary
    /// files left by an interrupted write are removed first.
    pub fn open(data_dir: PathBuf, state_dir: PathBuf) -> Result<App, store::LoadError> {
        store::clean_stale_temps(&data_dir);
        store::clean_stale_temps(&state_dir);
        let (catalog, data) = store::load_data(&data_dir)?;
        let fingerprint = store::data_fingerprint(&data_dir);
        let mut writer = Writer {
            data_dir,
            state_dir,
            texts: data.texts,
            fingerprint,
            audit: None,
            revision: 0,
            hook: None,
            lock_wait: LOCK_WAIT,
        };
        // An unreadable log is reported here and refuses every change (see `apply`), but the
        // bot still answers from the data.
        match writer.last_revision() {
            Ok(_) => {
                if let Some(cache) = &writer.audit {
                    warn_of_missing_records(
                        &catalog,
                        &cache.entries,
                        &writer.data_dir,
                        &writer.state_dir,
                    );
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "the audit log is unreadable; changes will be refused until it is fixed");
            }
        }
        let app = App::new(catalog);
        *app.lock_writer() = Some(writer);
        Ok(app)
    }

    /// Injects a fault at a write step (tests only need this; it is a no-op otherwise).
    pub fn set_write_hook(
        &self,
        hook: impl Fn(WriteStep) -> io::Result<()> + Send + Sync + 'static,
    ) {
        if let Some(writer) = self.lock_writer().as_mut() {
            writer.hook = Some(Box::new(hook));
        }
    }

    /// How long a change waits for another process to release the data directory (10 s
    /// unless set) before it is refused.
    pub fn set_lock_wait(&self, wait: std::time::Duration) {
        if let Some(writer) = self.lock_writer().as_mut() {
            writer.lock_wait = wait;
        }
    }

    /// Runs `hook` at the start of every search from now on, in this snapshot and every later
    /// one (tests only need this, to make a search slow).
    pub fn set_search_hook(&self, hook: impl Fn() + Send + Sync + 'static) {
        *self
            .search_hook
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Arc::new(hook));
        self.publish(self.snapshot().catalog.clone());
    }

    fn lock_writer(&self) -> std::sync::MutexGuard<'_, Option<Writer>> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
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
        let hook = self
            .search_hook
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let next = Arc::new(Snapshot {
            hook,
            ..Snapshot::new(catalog)
        });
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = next;
    }

    /// Loads the files again if they changed on disk. `Ok(true)` when a new catalog was
    /// published; the errors when the files are invalid (the last good catalog stays).
    pub fn reload(&self) -> Result<bool, Vec<Diagnostic>> {
        let mut guard = self.lock_writer();
        let Some(writer) = guard.as_mut() else {
            return Ok(false);
        };
        // Reading large files every few seconds would be wasteful: look at their metadata first.
        if store::data_fingerprint(&writer.data_dir) == writer.fingerprint {
            return Ok(false);
        }
        self.sync_with_disk(writer)
    }

    fn sync_with_disk(&self, writer: &mut Writer) -> Result<bool, Vec<Diagnostic>> {
        let fingerprint = store::data_fingerprint(&writer.data_dir);
        let data = store::read_data(&writer.data_dir).map_err(|e| e.diagnostics)?;
        if data.texts == writer.texts {
            writer.fingerprint = fingerprint;
            return Ok(false);
        }
        let catalog = data.parse()?;
        writer.texts = data.texts;
        writer.fingerprint = fingerprint;
        self.publish(catalog);
        Ok(true)
    }

    /// Applies changes as one step: validated against the files as they are on disk now,
    /// written atomically, audited, then published. Returns the audit entries written.
    pub fn apply(
        &self,
        changes: Vec<Change>,
        actor: Actor,
        now: Timestamp,
    ) -> Result<Vec<AuditEntry>, ApplyError> {
        self.apply_step(actor, now, |_| {
            let undone = vec![None; changes.len()];
            Ok((changes, undone))
        })
    }

    /// [`App::apply`] of the changes `plan` decides, with the revision each one undoes.
    /// `plan` runs under the writer's locks, after the files and the audit log were read, so
    /// what it decides from them (undo: which change, and that it is not undone yet) still
    /// holds when the step is written.
    fn apply_step(
        &self,
        actor: Actor,
        now: Timestamp,
        plan: impl FnOnce(&mut Writer) -> Result<(Vec<Change>, Vec<Option<u64>>), ApplyError>,
    ) -> Result<Vec<AuditEntry>, ApplyError> {
        let mut guard = self.lock_writer();
        let writer = guard.as_mut().ok_or(ApplyError::ReadOnly)?;
        // The data directory is locked (an OS lock, so another process writing through this
        // code waits too) from the read to the last rename.
        let _lock = lock_data_dir_within(&writer.data_dir, writer.lock_wait)?;
        // A hand edit made since the last load is loaded first, never overwritten.
        self.sync_with_disk(writer)
            .map_err(ApplyError::DiskInvalid)?;
        // The next revision follows every revision ever used. An unreadable log stops every
        // change until it is fixed.
        let last = writer.last_revision().map_err(|e| {
            tracing::error!(error = %e, "the audit log is unreadable; changes are refused");
            ApplyError::Audit(e)
        })?;
        let (changes, undo_of) = plan(writer)?;
        let snapshot = self.snapshot();
        let edit::Applied {
            texts,
            catalog,
            changes,
        } = edit::apply(&snapshot.catalog, &writer.texts, &changes)?;
        let first_revision = last + 1;
        let changed: Vec<usize> = Kind::ALL
            .iter()
            .map(|k| k.index())
            .filter(|&i| texts[i] != writer.texts[i])
            .collect();
        for &i in &changed {
            store::backup(
                &writer.state_dir,
                FILE_NAMES[i],
                first_revision,
                &writer.texts[i],
            )?;
        }
        // Records are written before what refers to them, and references removed before
        // what they referred to, so every state on disk is a valid database: files that gain
        // records first, then files only edited, then files that lose records.
        let has = |i: usize, action: Action| {
            changes
                .iter()
                .any(|c| c.action() == action && c.record().kind().index() == i)
        };
        let mut order = changed.clone();
        order.sort_by_key(|&i| {
            if has(i, Action::Add) {
                (0, i as isize)
            } else if has(i, Action::Remove) {
                (2, -(i as isize))
            } else {
                (1, i as isize)
            }
        });
        // A hand edit saved since the read is never overwritten: every file is checked before
        // the first rename, and each again just before its own.
        let edited_by_hand = |i: usize| {
            store::read_data_file(&writer.data_dir, Kind::ALL[i])
                .ok()
                .as_deref()
                != Some(writer.texts[i].as_str())
        };
        let mut conflict = order.iter().copied().find(|&i| edited_by_hand(i));
        let mut written: Vec<usize> = Vec::new();
        let mut failure = None;
        if conflict.is_none() {
            for &i in &order {
                let hook = |step: WriteStep| writer.hook.as_ref().map_or(Ok(()), |h| h(step));
                let check = || !edited_by_hand(i);
                let dir = &writer.data_dir;
                match store::write_data_file_checked(dir, Kind::ALL[i], &texts[i], &hook, &check) {
                    Ok(()) => written.push(i),
                    Err(store::CheckedWriteError::Changed) => {
                        conflict = Some(i);
                        break;
                    }
                    Err(store::CheckedWriteError::Io(e)) => {
                        // A failure after the rename (syncing the directory) leaves the new
                        // file in place: it is put back with the others, or the disk would
                        // hold part of a change the audit log never records.
                        let now = store::read_data_file(dir, Kind::ALL[i]).ok();
                        let new_in_place = match now.as_deref() {
                            Some(now) if Kind::ALL[i].optional() && texts[i].trim().is_empty() => {
                                now.trim().is_empty()
                            }
                            Some(now) => now == texts[i],
                            None => false,
                        };
                        if new_in_place {
                            written.push(i);
                        }
                        failure = Some(e);
                        break;
                    }
                }
            }
        }
        if conflict.is_some() || failure.is_some() {
            writer.put_back(&written);
        }
        if let Some(i) = conflict {
            let _ = self.sync_with_disk(writer);
            return Err(ApplyError::Conflict(
                writer.data_dir.join(FILE_NAMES[i]).display().to_string(),
            ));
        }
        if let Some(failure) = failure {
            // Memory follows whatever the disk now holds.
            let _ = self.sync_with_disk(writer);
            return Err(ApplyError::Io(failure));
        }
        let time = now.to_string();
        let entries: Vec<AuditEntry> = changes
            .iter()
            .enumerate()
            .map(|(n, change)| AuditEntry {
                revision: first_revision + n as u64,
                time: time.clone(),
                actor: actor.user,
                guild: actor.guild,
                change: change.clone(),
                undo_of: undo_of.get(n).copied().flatten(),
                step: Some(first_revision),
            })
            .collect();
        // The step's lines in one append: a step is logged whole, or (cut by a crash) as a
        // line the next read refuses, never as a part that undo would take for the whole.
        let appended = writer
            .hook
            .as_ref()
            .map_or(Ok(()), |h| h(WriteStep::AuditAppend))
            .map_err(|e| store::StoreError::io("append to", &writer.state_dir, e))
            .and_then(|()| {
                let hook = |step: WriteStep| writer.hook.as_ref().map_or(Ok(()), |h| h(step));
                store::append_audit(&writer.state_dir, &entries, &hook)
            });
        let appended = match appended {
            Ok(appended) => appended,
            Err(e) => {
                // Without its audit line a change could be neither seen in /curate history nor
                // undone (and undo would pick an older change): put the files back, save nothing.
                tracing::error!(revision = first_revision, error = %e, "the audit log could not be written; the change is put back");
                writer.put_back(&written);
                let _ = self.sync_with_disk(writer);
                return Err(ApplyError::Io(e));
            }
        };
        writer.appended(&entries, appended);
        writer.revision = first_revision + changes.len().max(1) as u64 - 1;
        writer.texts = texts;
        writer.fingerprint = store::data_fingerprint(&writer.data_dir);
        self.publish(catalog);
        Ok(entries)
    }

    /// The number of the last change made through this app's writer (0 before any, `None`
    /// when read-only).
    pub fn revision(&self) -> Option<u64> {
        self.lock_writer().as_ref().map(|w| w.revision)
    }

    /// Every audit entry, oldest first; an error (saying which line) when the log cannot be
    /// read. A read-only app has none. The log is read from disk only when it changed since
    /// this app last read or wrote it (see [`AuditCache`]).
    pub fn audit(&self) -> Result<Arc<Vec<AuditEntry>>, ApplyError> {
        let mut guard = self.lock_writer();
        let Some(writer) = guard.as_mut() else {
            return Ok(Arc::default());
        };
        writer.audit().map_err(ApplyError::Audit)
    }

    /// Undoes a change (or this actor's latest one not yet undone) by applying its inverse as
    /// a new change; history is never rewritten. Changes made in one step (a removal with the
    /// references it removed, a form's new speaker with its quote) are undone together.
    pub fn undo(
        &self,
        revision: Option<u64>,
        actor: Actor,
        now: Timestamp,
    ) -> Result<Vec<AuditEntry>, ApplyError> {
        self.apply_step(actor, now, |writer| {
            let audit = writer.audit().map_err(ApplyError::Audit)?;
            // A set: one import is tens of thousands of entries, each of them undone at once.
            let undone: std::collections::HashSet<u64> =
                audit.iter().filter_map(|e| e.undo_of).collect();
            let target = match revision {
                Some(r) => audit
                    .iter()
                    .find(|e| e.revision == r)
                    .ok_or(ApplyError::NoSuchChange(r))?,
                None => audit
                    .iter()
                    .rev()
                    .find(|e| {
                        e.actor == actor.user
                            && e.undo_of.is_none()
                            && !undone.contains(&e.revision)
                    })
                    .ok_or(ApplyError::NothingToUndo)?,
            };
            let group: Vec<&AuditEntry> =
                audit.iter().filter(|e| e.step() == target.step()).collect();
            if group.iter().any(|e| undone.contains(&e.revision)) {
                return Err(ApplyError::AlreadyUndone(target.revision));
            }
            let changes = group.iter().rev().map(|e| e.change.inverse()).collect();
            let undo_of = group.iter().rev().map(|e| Some(e.revision)).collect();
            Ok((changes, undo_of))
        })
    }
}
