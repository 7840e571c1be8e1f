//! The task marker: a variable in the command's environment that every descendant inherits,
//! so that the processes of a task can be found, and stopped, without its shim.
//!
//! See "Finding a task's processes without its shim" in the [crate docs](crate).

use std::os::fd::AsFd;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::procfs;
use crate::sys::pidfd;

/// Name of the variable the shim sets in the command's environment to the task's marker.
pub const MARKER_VAR: &str = "TEND_TASK";

/// How long a sweep waits, after SIGKILL, for the marked processes to be gone.
const KILL_WAIT: Duration = Duration::from_secs(5);
/// How often a sweep looks again while it waits.
const POLL: Duration = Duration::from_millis(10);

/// A new marker for a launch in `task_dir`: `TOKEN:LAUNCH`, where the token is a hash of the
/// canonical task directory followed by 64 random bits. The hash keeps tasks of the same id in
/// different homes apart; the random part keeps apart the launches of a task directory that was
/// reused (a home reset to the same path).
pub(crate) fn new_marker(task_dir: &Path, launch: u64) -> String {
    use std::os::unix::ffi::OsStrExt;

    let canonical = std::fs::canonicalize(task_dir).unwrap_or_else(|_| task_dir.to_path_buf());
    format!(
        "{:016x}{:016x}:{launch}",
        fnv1a(canonical.as_os_str().as_bytes()),
        random_u64()
    )
}

/// FNV-1a, 64 bits: stable across builds, unlike the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn random_u64() -> u64 {
    let mut buf = [0u8; 8];
    // SAFETY: getrandom writes at most `buf.len()` bytes into the buffer.
    let n = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    if n == buf.len() as isize {
        return u64::from_ne_bytes(buf);
    }
    // No entropy source: the clock and the pid still tell launches apart.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}

/// The `NAME=value` entry that marks the processes of `marker`.
fn entry(marker: &str) -> Vec<u8> {
    format!("{MARKER_VAR}={marker}").into_bytes()
}

/// The live processes (pid, start time) that carry `marker`.
pub(crate) fn marked(marker: &str) -> Vec<(i32, u64)> {
    procfs::with_env_entry(&entry(marker)).unwrap_or_default()
}

/// Sends `signal` to `pid` if it is still the process that started at `start_time`.
///
/// The pidfd pins the process it was opened on; when the pid still shows the recorded start
/// time after that, the pidfd names that very process, and the signal cannot reach another.
pub(crate) fn signal_checked(pid: i32, start_time: u64, signal: i32) -> bool {
    let Ok(fd) = pidfd::open(pid) else {
        return false;
    };
    procfs::is_alive(pid, start_time) && pidfd::send_signal(fd.as_fd(), signal).is_ok()
}

/// What a sweep of a task's leftover processes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Processes (and process groups) sent SIGTERM.
    pub terminated: usize,
    /// Processes (and process groups) sent SIGKILL once the grace ran out.
    pub killed: usize,
    /// Marked processes still alive when the sweep gave up (stuck in the kernel, for example).
    pub remaining: usize,
}

impl Sweep {
    /// True when the sweep found nothing to signal.
    pub fn found_nothing(&self) -> bool {
        self.terminated == 0 && self.killed == 0
    }
}

/// Stops every process that carries `marker`: SIGTERM, up to `grace` for them to end, then
/// SIGKILL to whatever carries it then (including processes forked meanwhile), waiting up to
/// a few seconds more for them to be gone. `on_term` and `on_kill` run in each phase (after the
/// marked processes were sent SIGTERM; before SIGKILL) and return how many more processes or
/// groups they signalled.
pub(crate) fn stop_marked(
    marker: &str,
    grace: Duration,
    on_term: impl FnOnce() -> usize,
    on_kill: impl FnOnce() -> usize,
) -> Sweep {
    let mut sweep = Sweep::default();
    let found = marked(marker);
    sweep.terminated = found
        .iter()
        .filter(|&&(pid, start)| signal_checked(pid, start, libc::SIGTERM))
        .count();
    sweep.terminated += on_term();
    let deadline = Instant::now() + grace;
    let mut left = marked(marker);
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(POLL.min(deadline.saturating_duration_since(Instant::now())));
        left = marked(marker);
    }
    sweep.killed = on_kill();
    let deadline = Instant::now() + KILL_WAIT;
    let mut signalled: Vec<(i32, u64)> = Vec::new();
    loop {
        for &(pid, start) in &left {
            if !signalled.contains(&(pid, start)) && signal_checked(pid, start, libc::SIGKILL) {
                signalled.push((pid, start));
            }
        }
        if left.is_empty() || Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(POLL);
        left = marked(marker);
    }
    sweep.killed += signalled.len();
    sweep.remaining = left.len();
    sweep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_differ_between_launches_and_name_the_launch() {
        let dir = std::env::temp_dir();
        let (a, b) = (new_marker(&dir, 3), new_marker(&dir, 3));
        assert_ne!(a, b);
        assert!(a.ends_with(":3"), "{a}");
        assert_eq!(a[..16], b[..16], "same directory, same hash");
        assert_ne!(a[..16], new_marker(Path::new("/elsewhere"), 3)[..16]);
    }
}
