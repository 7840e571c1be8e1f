//! The API socket: `tend.sock` in the home, mode 0600.

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use tokio::net::UnixListener;

use crate::error::DaemonError;

/// Binds the socket at `path`, replacing a stale one. Call only while holding the home's lock:
/// the socket file of a live daemon must never be removed.
pub(crate) fn bind(path: &Path) -> Result<UnixListener, DaemonError> {
    match fs::remove_file(path) {
        Ok(()) => tracing::info!(socket = %path.display(), "removed a stale socket"),
        Err(error) if error.kind() == ErrorKind::NotFound => {}
        Err(error) => return Err(DaemonError::io("remove the stale socket", path, error)),
    }
    let listener =
        UnixListener::bind(path).map_err(|e| DaemonError::io("bind the socket", path, e))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
        .map_err(|e| DaemonError::io("set the mode of", path, e))?;
    Ok(listener)
}
