//! Errors that keep the daemon from starting or serving.

use std::io;
use std::path::PathBuf;

use tend_host::HostError;

/// Why the daemon cannot start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// Another daemon holds the home's lock.
    #[error("a daemon is already running for {home} ({holder})")]
    AlreadyRunning {
        /// The home.
        home: PathBuf,
        /// Who holds the lock, e.g. `pid 4242`.
        holder: String,
    },
    /// A file of the home could not be created, opened or changed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done, e.g. `bind the socket`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The runtime could not be opened (store, recovery, config.toml).
    #[error("cannot start the runtime: {0}")]
    Host(#[from] HostError),
    /// Logging could not be set up.
    #[error("cannot set up logging: {0}")]
    Logging(String),
}

impl DaemonError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
