//! The layout of a home directory (CONTRACT.md §1).

use std::path::{Path, PathBuf};

use tend_core::TaskId;

/// A home: the state directory of one daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// The home at `root` (not created).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Creates the home (mode 0700) and its `tasks/` directory, or checks that an existing home
    /// is the user's own and writable by nobody else (CONTRACT.md §12). The mode of an existing
    /// directory is never changed.
    pub fn create(&self) -> Result<(), tend_exec::PrivateDirError> {
        tend_exec::ensure_private_dir(&self.root)?;
        tend_exec::ensure_private_dir(&self.tasks_dir())?;
        Ok(())
    }

    /// The highest task number that has a directory under `tasks/` (`tasks/t452` → 452), or
    /// `None` when there is none.
    pub fn highest_task_dir(&self) -> std::io::Result<Option<u64>> {
        let entries = match std::fs::read_dir(self.tasks_dir()) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let mut highest = None;
        for entry in entries {
            let name = entry?.file_name();
            let number = name
                .to_str()
                .and_then(|name| name.strip_prefix('t'))
                .and_then(|digits| digits.parse::<u64>().ok());
            if let Some(number) = number {
                highest = highest.max(Some(number));
            }
        }
        Ok(highest)
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `tend.db`.
    pub fn database(&self) -> PathBuf {
        self.root.join("tend.db")
    }

    /// `tend.sock`.
    pub fn socket(&self) -> PathBuf {
        self.root.join("tend.sock")
    }

    /// The lock file held by the running daemon.
    pub fn lock_file(&self) -> PathBuf {
        self.root.join("tend.lock")
    }

    /// `daemon.log`.
    pub fn log_file(&self) -> PathBuf {
        self.root.join("daemon.log")
    }

    /// `config.toml`.
    pub fn config_file(&self) -> PathBuf {
        self.root.join("config.toml")
    }

    /// `tasks/`.
    pub fn tasks_dir(&self) -> PathBuf {
        self.root.join("tasks")
    }

    /// `tasks/<id>/`: output and shim files of one task.
    pub fn task_dir(&self, id: TaskId) -> PathBuf {
        self.tasks_dir().join(id.to_string())
    }
}

/// Refuses a home whose database file is missing or empty while task directories exist
/// (CONTRACT.md §12): the records would be lost and the ids reused.
pub(crate) fn check_database(home: &Home) -> Result<(), crate::HostError> {
    let state = match std::fs::metadata(home.database()) {
        Ok(meta) if meta.len() > 0 => return Ok(()),
        Ok(_) => "is empty",
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => "is missing",
        Err(error) => {
            return Err(crate::HostError::Storage(format!(
                "cannot examine {}: {error}",
                home.database().display()
            )));
        }
    };
    lost_database(home, state)
}

/// After the store was read: refuses a store that never committed anything while task
/// directories exist, and makes sure the next task id is above every existing task directory.
pub(crate) fn check_snapshot(
    home: &Home,
    snapshot: &mut tend_core::Snapshot,
) -> Result<(), crate::HostError> {
    let highest = home
        .highest_task_dir()
        .map_err(|e| crate::HostError::Storage(format!("cannot list the task directories: {e}")))?;
    let Some(highest) = highest else {
        return Ok(());
    };
    if snapshot.sequences.next_task == 0 && snapshot.tasks.is_empty() {
        return lost_database(home, "holds no task");
    }
    let next = &mut snapshot.sequences.next_task;
    *next = (*next).max(highest + 1);
    Ok(())
}

fn lost_database(home: &Home, state: &'static str) -> Result<(), crate::HostError> {
    match home.highest_task_dir() {
        Ok(Some(highest)) => Err(crate::HostError::LostDatabase {
            home: home.root().to_path_buf(),
            database: home.database(),
            state,
            highest,
        }),
        _ => Ok(()),
    }
}

/// Creates the database file (mode 0600) before SQLite opens it, so that its journal files,
/// which SQLite creates with the database's mode, are private too; files an earlier version
/// created with a wider mode are narrowed.
pub(crate) fn private_database(home: &Home) -> Result<(), crate::HostError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let database = home.database();
    let failed = |path: &Path, error: std::io::Error| {
        crate::HostError::Storage(format!("cannot secure {}: {error}", path.display()))
    };
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&database)
        .map_err(|e| failed(&database, e))?;
    for suffix in ["", "-wal", "-shm"] {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() && meta.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| failed(&path, e))?;
            }
            _ => {}
        }
    }
    Ok(())
}
