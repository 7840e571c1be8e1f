//! Where a home is (CONTRACT.md §1), from environment values the binary reads and passes in.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment values that decide the home. Empty values count as unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HomeEnv {
    /// `TEND_HOME`.
    pub tend_home: Option<OsString>,
    /// `XDG_STATE_HOME`.
    pub xdg_state_home: Option<OsString>,
    /// `HOME`.
    pub home: Option<OsString>,
}

/// Why no home could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot choose a home: set TEND_HOME (neither XDG_STATE_HOME nor HOME is an absolute path)"
)]
pub struct NoHomeError;

/// The home: `TEND_HOME` (made absolute against `cwd`), else `$XDG_STATE_HOME/tend`, else
/// `$HOME/.local/state/tend`. A relative `XDG_STATE_HOME` or `HOME` is ignored, as the XDG
/// base directory specification asks.
pub fn resolve_home(env: &HomeEnv, cwd: &Path) -> Result<PathBuf, NoHomeError> {
    let given = |value: &Option<OsString>| value.clone().filter(|value| !value.is_empty());
    if let Some(home) = given(&env.tend_home) {
        return Ok(cwd.join(home));
    }
    let absolute =
        |value: &Option<OsString>| given(value).map(PathBuf::from).filter(|p| p.is_absolute());
    if let Some(state) = absolute(&env.xdg_state_home) {
        return Ok(state.join("tend"));
    }
    if let Some(home) = absolute(&env.home) {
        return Ok(home.join(".local/state/tend"));
    }
    Err(NoHomeError)
}

/// The socket of a home: `HOME/tend.sock`.
pub fn socket_path(home: &Path) -> PathBuf {
    home.join("tend.sock")
}

/// The daemon's log of a home: `HOME/daemon.log`.
pub fn log_path(home: &Path) -> PathBuf {
    home.join("daemon.log")
}

/// The lock file of a home: `HOME/tend.lock`, held by its daemon.
pub fn lock_path(home: &Path) -> PathBuf {
    home.join("tend.lock")
}

/// The pid of the process that holds the home's lock, if one does: a daemon is running even
/// when its socket cannot be reached. Looking takes the lock for an instant when nobody holds
/// it.
pub fn lock_holder(home: &Path) -> Option<u32> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(lock_path(home)).ok()?;
    match nix::fcntl::Flock::lock(
        file.try_clone().ok()?,
        nix::fcntl::FlockArg::LockSharedNonblock,
    ) {
        // Nobody holds it; the lock is released when `_free` is dropped.
        Ok(_free) => None,
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => {
            let mut text = String::new();
            file.read_to_string(&mut text).ok()?;
            text.trim().parse().ok()
        }
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(tend: Option<&str>, xdg: Option<&str>, home: Option<&str>) -> HomeEnv {
        HomeEnv {
            tend_home: tend.map(Into::into),
            xdg_state_home: xdg.map(Into::into),
            home: home.map(Into::into),
        }
    }

    #[test]
    fn the_first_given_source_wins() {
        let cwd = Path::new("/work");
        let resolve = |e| resolve_home(&e, cwd).unwrap();
        assert_eq!(
            resolve(env(Some("/t"), Some("/x"), Some("/h"))),
            Path::new("/t")
        );
        assert_eq!(
            resolve(env(Some("rel"), None, None)),
            Path::new("/work/rel")
        );
        assert_eq!(
            resolve(env(Some(""), Some("/x"), Some("/h"))),
            Path::new("/x/tend")
        );
        assert_eq!(
            resolve(env(None, Some("x"), Some("/h"))),
            Path::new("/h/.local/state/tend")
        );
        assert_eq!(
            resolve(env(None, None, Some("/h"))),
            Path::new("/h/.local/state/tend")
        );
        assert_eq!(
            resolve_home(&env(None, None, Some("h")), cwd),
            Err(NoHomeError)
        );
        assert_eq!(socket_path(Path::new("/t")), Path::new("/t/tend.sock"));
    }
}
