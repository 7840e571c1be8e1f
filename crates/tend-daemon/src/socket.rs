//! The API socket: `tend.sock` in the home, mode 0600, bound again when it vanishes.

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::Router;
use tend_listen::ConnectionLimits;
use tokio::net::UnixListener;
use tokio::task::JoinSet;
use tracing::{info, warn};

use crate::error::DaemonError;
use crate::shutdown::ShutdownHandle;

/// How often the daemon looks whether its socket is still in place.
const GUARD_PERIOD: Duration = Duration::from_secs(1);

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

/// The inode of the file at `path`, if any (a socket is not followed through links).
fn inode(path: &Path) -> Option<u64> {
    fs::symlink_metadata(path).ok().map(|meta| meta.ino())
}

/// Keeps `tend.sock` in place until `shutdown`: when the file vanishes (deleted by hand, by a
/// cleaner of temporary files) or is replaced, the daemon binds it again and serves the new
/// listener beside the old one, so that clients find it instead of an orphaned daemon that
/// holds the home's lock. Runs while holding the lock, like [`bind`].
pub(crate) async fn guard(
    path: PathBuf,
    router: Router,
    limits: ConnectionLimits,
    shutdown: ShutdownHandle,
) {
    let mut bound = inode(&path);
    let mut served = JoinSet::new();
    loop {
        tokio::select! {
            () = tokio::time::sleep(GUARD_PERIOD) => {}
            () = shutdown.triggered() => break,
        }
        if bound.is_some() && inode(&path) == bound {
            continue;
        }
        warn!(socket = %path.display(), "the socket vanished or was replaced; binding it again");
        match bind(&path) {
            Ok(listener) => {
                bound = inode(&path);
                info!(socket = %path.display(), "socket bound again");
                let stop = shutdown.clone();
                served.spawn(tend_listen::serve(
                    listener,
                    router.clone(),
                    limits,
                    async move { stop.triggered().await },
                ));
            }
            Err(error) => warn!(%error, "cannot bind the socket again"),
        }
    }
    while served.join_next().await.is_some() {}
}
