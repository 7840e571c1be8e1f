//! Logging to the home's `daemon.log`.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

use crate::error::DaemonError;

/// Sends `tracing` output of the whole process to `HOME/daemon.log` (appended, mode 0600),
/// creating the home (mode 0700) if needed and refusing one that is not private. `filter` is a `tracing` filter such as `info` or
/// `tend_daemon=debug,info`. Fails if a global subscriber is already installed.
pub fn init_logging(home: &Path, filter: &str) -> Result<(), DaemonError> {
    tend_exec::ensure_private_dir(home).map_err(tend_host::HostError::from)?;
    let path = home.join("daemon.log");
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| DaemonError::io("open", &path, e))?;
    let filter = EnvFilter::try_new(filter)
        .map_err(|e| DaemonError::Logging(format!("invalid filter {filter:?}: {e}")))?;
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| DaemonError::Logging(e.to_string()))
}
