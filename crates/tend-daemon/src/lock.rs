//! The home's lock file: one daemon per home, held with `flock` for the daemon's lifetime.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

use crate::error::DaemonError;

/// An exclusive lock on the home's lock file, which holds the owner's pid. Released when
/// dropped (and by the kernel when the process dies, so a crashed daemon never blocks the
/// next one). The descriptor is close-on-exec: task processes never inherit it.
#[derive(Debug)]
pub(crate) struct HomeLock {
    _lock: Flock<File>,
}

impl HomeLock {
    /// Takes the lock at `path` without waiting, or says who holds it.
    pub(crate) fn acquire(path: &Path, home: &Path) -> Result<Self, DaemonError> {
        // A holder without a socket is a daemon shutting down (it removes its socket, then
        // releases the lock as its process ends) or one still starting: wait a little for it
        // before refusing, so that a restart right after a stop does not fail.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            match Self::try_acquire(path, home) {
                Err(DaemonError::AlreadyRunning { .. })
                    if !tend_host::Home::new(home).socket().exists()
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::park_timeout(std::time::Duration::from_millis(20));
                }
                result => return result,
            }
        }
    }

    fn try_acquire(path: &Path, home: &Path) -> Result<Self, DaemonError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(|e| DaemonError::io("open the lock file", path, e))?;
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(mut lock) => {
                let pid = std::process::id();
                lock.set_len(0)
                    .and_then(|()| lock.seek(SeekFrom::Start(0)).map(drop))
                    .and_then(|()| writeln!(lock, "{pid}"))
                    .and_then(|()| lock.sync_data())
                    .map_err(|e| DaemonError::io("write the lock file", path, e))?;
                Ok(Self { _lock: lock })
            }
            Err((mut file, Errno::EWOULDBLOCK)) => {
                let mut text = String::new();
                let holder = match file
                    .read_to_string(&mut text)
                    .ok()
                    .and(text.trim().parse::<u32>().ok())
                {
                    Some(pid) => format!("pid {pid}"),
                    None => "pid unknown".to_owned(),
                };
                Err(DaemonError::AlreadyRunning {
                    home: home.to_path_buf(),
                    holder,
                })
            }
            Err((_, errno)) => Err(DaemonError::io("lock", path, std::io::Error::from(errno))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tend.lock");
        let first = HomeLock::acquire(&path, dir.path()).unwrap();
        // The holder serves: its socket exists, so the second daemon is refused at once.
        std::fs::write(dir.path().join("tend.sock"), b"").unwrap();
        let message = HomeLock::acquire(&path, dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );
        drop(first);
        HomeLock::acquire(&path, dir.path()).unwrap();
    }

    #[test]
    fn a_daemon_shutting_down_is_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tend.lock");
        let first = HomeLock::acquire(&path, dir.path()).unwrap();
        // No socket: the holder is shutting down and releases the lock a moment later.
        let release = std::thread::spawn(move || {
            std::thread::park_timeout(std::time::Duration::from_millis(200));
            drop(first);
        });
        HomeLock::acquire(&path, dir.path()).expect("the lock once the holder ended");
        release.join().unwrap();
    }
}
