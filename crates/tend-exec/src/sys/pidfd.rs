//! Opens pidfds: descriptors that name one process and become readable when it exits.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};

/// Opens a pidfd on `pid` (close-on-exec). Works for processes that are not our children.
pub(crate) fn open(pid: i32) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel returned a fresh descriptor that nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}
