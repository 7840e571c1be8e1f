//! Starts the command: fork, then in the child a new process group, fds, cwd and exec.

use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use super::prepare::ChildFds;
use super::signals;
use crate::status::{FailureStage, SpawnFailure};
use crate::sys::fd;
use crate::wire::config::ShimConfig;

/// `PATH` used when the command's environment has none.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// Everything `execve` needs, built before fork so that the child only makes system calls.
struct ExecPlan {
    candidates: Vec<CString>,
    cwd: CString,
    _argv: Vec<CString>,
    argv_ptrs: Vec<*const libc::c_char>,
    _envp: Vec<CString>,
    envp_ptrs: Vec<*const libc::c_char>,
}

fn cstring(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "argument contains a NUL byte"))
}

fn plan(config: &ShimConfig, marker: &str) -> io::Result<ExecPlan> {
    let argv: Vec<CString> = config
        .argv
        .iter()
        .map(|a| cstring(a.0.as_bytes()))
        .collect::<io::Result<_>>()?;
    let program = argv
        .first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty argv"))?
        .as_bytes();
    let mut env: Vec<(OsString, OsString)> = if config.inherit_env {
        std::env::vars_os().collect()
    } else {
        Vec::new()
    };
    for (key, value) in &config.env {
        env.retain(|(k, _)| k != &key.0);
        env.push((key.0.clone(), value.0.clone()));
    }
    // The task's marker, inherited by every descendant, replaces any value given or inherited.
    env.retain(|(k, _)| k != crate::marker::MARKER_VAR);
    // A terminal speaks xterm unless the task's own variables say otherwise (an inherited
    // TERM describes the runtime's terminal, not this one).
    if config.tty.is_some() && !config.env.iter().any(|(k, _)| k.0 == "TERM") {
        env.retain(|(k, _)| k != "TERM");
        env.push(("TERM".into(), "xterm-256color".into()));
    }
    env.push((crate::marker::MARKER_VAR.into(), marker.into()));
    let envp: Vec<CString> = env
        .iter()
        .map(|(k, v)| cstring(&[k.as_bytes(), b"=", v.as_bytes()].concat()))
        .collect::<io::Result<_>>()?;
    let path = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map_or_else(|| OsString::from(DEFAULT_PATH), |(_, v)| v.clone());
    let candidates = if program.is_empty() {
        Vec::new()
    } else if program.contains(&b'/') {
        vec![cstring(program)?]
    } else {
        search_path(&path, program)?
    };
    let mut argv_ptrs: Vec<_> = argv.iter().map(|a| a.as_ptr()).collect();
    argv_ptrs.push(std::ptr::null());
    let mut envp_ptrs: Vec<_> = envp.iter().map(|e| e.as_ptr()).collect();
    envp_ptrs.push(std::ptr::null());
    Ok(ExecPlan {
        candidates,
        cwd: cstring(config.cwd.0.as_bytes())?,
        _argv: argv,
        argv_ptrs,
        _envp: envp,
        envp_ptrs,
    })
}

/// The files `execvp` would try for `program`, in order. An empty entry means the cwd.
fn search_path(path: &OsStr, program: &[u8]) -> io::Result<Vec<CString>> {
    path.as_bytes()
        .split(|&b| b == b':')
        .map(|dir| {
            let dir = if dir.is_empty() { b".".as_slice() } else { dir };
            let mut full = OsString::from_vec(dir.to_vec()).into_vec();
            full.push(b'/');
            full.extend_from_slice(program);
            cstring(&full)
        })
        .collect()
}

/// Forks and execs the command. Returns its pid once `execve` succeeded, with what `record`
/// returned, or why it failed.
///
/// The child waits before `execve` until `record(pid)` (which writes the process ids) returned:
/// no command runs, and so none can kill the shim, before its ids and marker are on disk. When
/// `record` fails, or the shim dies before it returned, the child exits without running the
/// command.
pub(super) fn launch<T>(
    config: &ShimConfig,
    fds: &ChildFds,
    marker: &str,
    record: impl FnOnce(i32) -> io::Result<T>,
) -> Result<(i32, T), SpawnFailure> {
    let program = config
        .argv
        .first()
        .map(|a| a.0.to_string_lossy().into_owned())
        .unwrap_or_default();
    let failure = |stage, err: &io::Error| SpawnFailure::from_io(stage, &program, err);
    let plan = plan(config, marker).map_err(|e| failure(FailureStage::Exec, &e))?;
    if plan.candidates.is_empty() {
        return Err(failure(
            FailureStage::Exec,
            &io::Error::from_raw_os_error(libc::ENOENT),
        ));
    }
    let (err_read, err_write) = fd::pipe().map_err(|e| failure(FailureStage::Fork, &e))?;
    let (go_read, go_write) = fd::pipe().map_err(|e| failure(FailureStage::Fork, &e))?;
    let stdout = fds.stdout.as_raw_fd();
    let raw = [
        fds.stdin.as_raw_fd(),
        stdout,
        fds.stderr.as_ref().map_or(stdout, |e| e.as_raw_fd()),
    ];
    // SAFETY: the shim is single-threaded; the child runs only async-signal-safe calls.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(failure(FailureStage::Fork, &io::Error::last_os_error()));
    }
    if pid == 0 {
        let pipes = ChildPipes {
            err: err_write.as_raw_fd(),
            go: go_read.as_raw_fd(),
            go_write: go_write.as_raw_fd(),
            tty: config.tty.is_some(),
        };
        // SAFETY: in the freshly forked child; `plan` and the fds stay valid until exec or exit.
        unsafe { exec_child(&plan, raw, pipes) }
    }
    drop(err_write);
    drop(go_read);
    let recorded = match record(pid) {
        Ok(recorded) => recorded,
        Err(err) => {
            // SAFETY: kill and waitpid on our own unreaped child, with a valid status pointer.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, std::ptr::null_mut(), 0);
            }
            return Err(failure(FailureStage::TaskDir, &err));
        }
    };
    // A child that already failed does not read it: the shim ignores SIGPIPE, and the error
    // pipe below says why.
    let _ = fd::write_all(go_write.as_raw_fd(), b"g");
    drop(go_write);
    let mut message = [0u8; 5];
    let mut got = 0;
    while got < message.len() {
        match fd::read(err_read.as_raw_fd(), &mut message[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => return Err(failure(FailureStage::Fork, &e)),
        }
    }
    if got == 0 {
        return Ok((pid, recorded));
    }
    // The child failed before exec: reap it and report why.
    let mut status = 0;
    // SAFETY: waitpid on our own child with a valid status pointer.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    let stage = if message[0] == b'c' {
        FailureStage::Cwd
    } else if message[0] == b'd' {
        FailureStage::Output
    } else {
        FailureStage::Exec
    };
    let errno = i32::from_ne_bytes([message[1], message[2], message[3], message[4]]);
    Err(failure(stage, &io::Error::from_raw_os_error(errno)))
}

/// The pipes the child uses before `execve`.
struct ChildPipes {
    /// Where the child writes why it failed (closed on exec).
    err: RawFd,
    /// Where the child waits for the shim's go (one byte; end of file: give up).
    go: RawFd,
    /// The shim's end of the go pipe, which the child must close.
    go_write: RawFd,
    /// Whether fds 0, 1 and 2 are a terminal that must become the controlling one.
    tty: bool,
}

/// The command's side of the fork. Never returns.
///
/// # Safety
///
/// Must run in a freshly forked child of a single-threaded process; uses only
/// async-signal-safe calls.
unsafe fn exec_child(plan: &ExecPlan, fds: [RawFd; 3], pipes: ChildPipes) -> ! {
    let err_pipe = pipes.err;
    // SAFETY: every call below is an async-signal-safe system call with valid arguments;
    // the pointers come from `plan`, alive in this address space.
    unsafe {
        libc::close(pipes.go_write);
        if pipes.tty {
            // A session of its own (so also its own group, pgid = pid), whose controlling
            // terminal is the task's.
            libc::setsid();
        } else {
            libc::setpgid(0, 0);
        }
        signals::reset_in_child();
        for (target, &source) in fds.iter().enumerate() {
            if libc::dup2(source, target as RawFd) < 0 {
                fail_child(err_pipe, b'd');
            }
        }
        if pipes.tty
            && let Err(err) =
                rustix::process::ioctl_tiocsctty(std::os::fd::BorrowedFd::borrow_raw(0))
        {
            *libc::__errno_location() = err.raw_os_error();
            fail_child(err_pipe, b'd');
        }
        // Wait for the shim to have recorded this process; give up if it could not.
        let mut go = 0u8;
        loop {
            let n = libc::read(pipes.go, (&raw mut go).cast(), 1);
            if n == 1 {
                break;
            }
            if n == 0 || *libc::__errno_location() != libc::EINTR {
                libc::_exit(127);
            }
        }
        if libc::chdir(plan.cwd.as_ptr()) != 0 {
            fail_child(err_pipe, b'c');
        }
        let mut saw_eacces = false;
        let mut errno = libc::ENOENT;
        for candidate in &plan.candidates {
            libc::execve(
                candidate.as_ptr(),
                plan.argv_ptrs.as_ptr(),
                plan.envp_ptrs.as_ptr(),
            );
            errno = *libc::__errno_location();
            match errno {
                libc::EACCES => saw_eacces = true,
                libc::ENOENT | libc::ENOTDIR | libc::ESTALE | libc::ENODEV | libc::ETIMEDOUT => {}
                _ => break,
            }
        }
        if saw_eacces && matches!(errno, libc::ENOENT | libc::ENOTDIR | libc::ESTALE) {
            *libc::__errno_location() = libc::EACCES;
        } else {
            *libc::__errno_location() = errno;
        }
        fail_child(err_pipe, b'e')
    }
}

/// Sends `stage` and the current errno to the shim, then exits the child.
///
/// # Safety
///
/// Async-signal-safe; for the forked child only.
unsafe fn fail_child(err_pipe: RawFd, stage: u8) -> ! {
    // SAFETY: reading errno, writing a stack buffer to a pipe, and _exit are all safe here.
    unsafe {
        let errno = *libc::__errno_location();
        let e = errno.to_ne_bytes();
        let message = [stage, e[0], e[1], e[2], e[3]];
        libc::write(err_pipe, message.as_ptr().cast(), message.len());
        libc::_exit(127)
    }
}
