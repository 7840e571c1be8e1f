//! Reaping: collecting children's statuses, the end-of-life sweep, and resource use.

use crate::procfs;

/// How a reaped child ended, decoded from a `waitpid` status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ChildExit {
    /// Exit code.
    Exited(i32),
    /// Signal number and whether it dumped core.
    Signaled(i32, bool),
}

impl ChildExit {
    /// Decodes a raw status; `None` for stop/continue reports.
    pub(super) fn from_raw(status: libc::c_int) -> Option<Self> {
        if libc::WIFEXITED(status) {
            Some(ChildExit::Exited(libc::WEXITSTATUS(status)))
        } else if libc::WIFSIGNALED(status) {
            Some(ChildExit::Signaled(
                libc::WTERMSIG(status),
                libc::WCOREDUMP(status),
            ))
        } else {
            None
        }
    }
}

/// Reaps every child that has ended, without blocking; calls `on_exit` for each.
pub(super) fn reap_ready(mut on_exit: impl FnMut(i32, ChildExit)) {
    loop {
        let mut status = 0;
        // SAFETY: waitpid with a valid status pointer.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            return;
        }
        if let Some(exit) = ChildExit::from_raw(status) {
            on_exit(pid, exit);
        }
    }
}

/// Kills every descendant of the shim and reaps them all; calls `on_exit` for each child.
///
/// Only the shim's own children are signalled: their pids cannot be reused before the shim
/// reaps them. When a child dies its children become the shim's (it is a subreaper), so they
/// are found on the next turn. Ends when `waitpid` reports that no child is left.
pub(super) fn kill_all(mut on_exit: impl FnMut(i32, ChildExit)) {
    let me = std::process::id() as i32;
    let tid = me.to_string();
    loop {
        // The shim is single-threaded: its main thread forked every child it has.
        for child in procfs::thread_children(me, &tid).unwrap_or_default() {
            // SAFETY: kill with integer arguments; `child` is our unreaped child.
            unsafe { libc::kill(child, libc::SIGKILL) };
        }
        let mut status = 0;
        // SAFETY: waitpid with a valid status pointer.
        let pid = unsafe { libc::waitpid(-1, &mut status, 0) };
        if pid > 0 {
            if let Some(exit) = ChildExit::from_raw(status) {
                on_exit(pid, exit);
            }
            continue;
        }
        if std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return; // ECHILD: nothing left.
        }
    }
}

/// Resource use of all reaped descendants.
pub(super) struct Usage {
    pub(super) user_cpu_ms: u64,
    pub(super) system_cpu_ms: u64,
    pub(super) peak_rss_bytes: u64,
}

/// `getrusage(RUSAGE_CHILDREN)`: CPU of every reaped descendant, peak RSS of the largest one.
pub(super) fn children_usage() -> Usage {
    // SAFETY: an all-zero rusage is valid; getrusage fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer to a rusage struct.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let ms =
        |tv: libc::timeval| (tv.tv_sec.max(0) as u64) * 1000 + (tv.tv_usec.max(0) as u64) / 1000;
    Usage {
        user_cpu_ms: ms(usage.ru_utime),
        system_cpu_ms: ms(usage.ru_stime),
        peak_rss_bytes: (usage.ru_maxrss.max(0) as u64) * 1024,
    }
}
