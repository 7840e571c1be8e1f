//! Task environments are secrets (CONTRACT.md §12): they never reach the database.
//!
//! [`SecretStore`] wraps the runtime's store. The stores never write a task's environment (it is
//! not part of a task's serialised form); this wrapper keeps it in `tasks/<id>/env` (mode 0600)
//! for as long as a launch may still need it: written before the commit that creates the task
//! (so that a start recovered after a crash finds it), read back by `load` for every task that is
//! not terminal, and deleted once a commit made the task terminal. The engine keeps the
//! environment of live tasks in memory to spawn them.

use std::collections::HashSet;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::Mutex;

use tend_core::{Changes, Env, Snapshot, StoredTask, TaskId};
use tend_store::{Store, StoreError};

use crate::home::Home;

/// The file of a task's environment in its directory.
const ENV_FILE: &str = "env";

/// A store whose tasks' environments live in private files beside their output.
pub(crate) struct SecretStore<S> {
    inner: S,
    home: Home,
    /// Tasks whose environment file exists.
    written: Mutex<HashSet<TaskId>>,
}

impl<S> SecretStore<S> {
    pub(crate) fn new(inner: S, home: Home) -> Self {
        Self {
            inner,
            home,
            written: Mutex::new(HashSet::new()),
        }
    }

    /// Deletes the environment files of tasks whose creation was not committed.
    fn forget(&self, ids: &[TaskId]) {
        for id in ids {
            self.lock().remove(id);
            remove(&self.home, *id);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<TaskId>> {
        self.written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn path(home: &Home, id: TaskId) -> PathBuf {
    home.task_dir(id).join(ENV_FILE)
}

/// Writes the environment file of task `id` (mode 0600, in its 0700 directory), atomically.
pub(crate) fn write(home: &Home, id: TaskId, env: &Env) -> io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::DirBuilderExt;
    let dir = home.task_dir(id);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)?;
    let data = serde_json::to_vec(env.vars()).map_err(io::Error::other)?;
    let tmp = dir.join(format!("{ENV_FILE}.tmp"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(&data)?;
    drop(file);
    std::fs::rename(&tmp, path(home, id))
}

fn read(home: &Home, id: TaskId) -> io::Result<Option<Env>> {
    match std::fs::read(path(home, id)) {
        Ok(data) => {
            let vars: Vec<(String, String)> =
                serde_json::from_slice(&data).map_err(io::Error::other)?;
            Ok(Some(Env::new(vars)))
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

fn remove(home: &Home, id: TaskId) {
    match std::fs::remove_file(path(home, id)) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => {
            tracing::warn!(%id, %error, "cannot delete the environment file");
        }
        _ => {}
    }
}

fn needs_env(stored: &StoredTask) -> bool {
    !stored.spec.env.is_empty() && !stored.task.state.is_terminal()
}

fn unstorable(id: TaskId, error: &io::Error) -> StoreError {
    StoreError::Unstorable {
        what: format!("the environment of {id}"),
        message: error.to_string(),
    }
}

impl<S: Store> Store for SecretStore<S> {
    async fn commit(&self, batch: &[Changes]) -> Result<(), StoreError> {
        // Written before the commit: a task the store knows of can always be launched.
        let mut new_files = Vec::new();
        for stored in batch.iter().flat_map(|c| c.tasks.iter()) {
            let id = stored.task.id;
            if needs_env(stored) && !self.lock().contains(&id) {
                if let Err(error) = write(&self.home, id, &stored.spec.env) {
                    self.forget(&new_files);
                    return Err(unstorable(id, &error));
                }
                self.lock().insert(id);
                new_files.push(id);
            }
        }
        if let Err(error) = self.inner.commit(batch).await {
            // Nothing of the batch is stored: neither are its tasks' environments.
            self.forget(&new_files);
            return Err(error);
        }
        let ended: Vec<TaskId> = batch
            .iter()
            .flat_map(|c| c.tasks.iter())
            .filter(|t| t.task.state.is_terminal())
            .map(|t| t.task.id)
            .chain(batch.iter().flat_map(|c| c.removed_tasks.iter().copied()))
            .filter(|id| self.lock().remove(id))
            .collect();
        for id in ended {
            remove(&self.home, id);
        }
        Ok(())
    }

    async fn load(&self) -> Result<Snapshot, StoreError> {
        let mut snapshot = self.inner.load().await?;
        let mut written = HashSet::new();
        for stored in &mut snapshot.tasks {
            let id = stored.task.id;
            if stored.task.state.is_terminal() {
                // The runtime may have stopped between the commit and the deletion.
                if stored.task.kind.is_shell() && stored.task.finished_at.is_some() {
                    remove(&self.home, id);
                }
                continue;
            }
            if !stored.task.kind.is_shell() {
                continue;
            }
            match read(&self.home, id) {
                Ok(Some(env)) => {
                    stored.spec.env = env;
                    written.insert(id);
                }
                Ok(None) => {}
                Err(error) => {
                    return Err(StoreError::Unstorable {
                        what: format!("the environment of {id}"),
                        message: format!("cannot read {}: {error}", path(&self.home, id).display()),
                    });
                }
            }
        }
        *self.lock() = written;
        Ok(snapshot)
    }
}
