//! The shim's signal setup: ignore what a command might send its parent, watch SIGCHLD.

use std::io;

use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};

/// Signals the shim ignores, so that `kill $PPID` or a hang-up cannot end it.
const IGNORED: [libc::c_int; 10] = [
    libc::SIGTERM,
    libc::SIGINT,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGPIPE,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGTSTP,
    libc::SIGTTIN,
    libc::SIGTTOU,
];

/// Ignores [`IGNORED`], blocks SIGCHLD and returns a signalfd that reports it.
pub(super) fn install() -> io::Result<SignalFd> {
    for signal in IGNORED {
        // SAFETY: installing SIG_IGN has no handler code to run; the process is single-threaded.
        if unsafe { libc::signal(signal, libc::SIG_IGN) } == libc::SIG_ERR {
            return Err(io::Error::last_os_error());
        }
    }
    let mut mask = SigSet::empty();
    mask.add(Signal::SIGCHLD);
    sigprocmask(SigmaskHow::SIG_BLOCK, Some(&mask), None)?;
    Ok(SignalFd::with_flags(
        &mask,
        SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC,
    )?)
}

/// Restores default dispositions of every signal and an empty mask in the command's
/// process, before exec: a signal ignored by the shim or by the runtime before it would
/// otherwise stay ignored in the command.
///
/// # Safety
///
/// Only async-signal-safe calls: may run in a freshly forked child.
pub(super) unsafe fn reset_in_child() {
    // 64 is the highest signal number on Linux (x86, ARM, RISC-V).
    for signal in 1..=64 {
        if signal != libc::SIGKILL && signal != libc::SIGSTOP {
            // SAFETY: signal() is async-signal-safe; numbers the C library reserves fail
            // harmlessly with EINVAL.
            unsafe { libc::signal(signal, libc::SIG_DFL) };
        }
    }
    // SAFETY: a zeroed sigset_t is a valid argument for sigemptyset, which initialises it.
    unsafe {
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
    }
}
