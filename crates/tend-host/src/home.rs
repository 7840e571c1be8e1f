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

    /// Creates the home (mode 0700) and its `tasks/` directory.
    pub fn create(&self) -> std::io::Result<()> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.root)?;
        std::fs::set_permissions(&self.root, std::fs::Permissions::from_mode(0o700))?;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(self.tasks_dir())
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
