//! Starting a task: launch the shim, hand it its configuration, wait for its report.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::adopt::VanishedTask;
use super::control;
use super::errors::{RequestProblem, SpawnError};
use super::ids::{PIDS_FILE, ProcessIds};
use super::process::TaskProcess;
use crate::request::SpawnRequest;
use crate::status::STATUS_FILE;
use crate::stdin::STDIN_FIFO;
use crate::sys::{fd, fsutil};
use crate::wire::config::ShimConfig;
use crate::wire::report::ShimReport;

/// File name of the shim's diagnostics inside a task directory.
const SHIM_LOG: &str = "shim.log";

/// Starts the command of `req` under a new shim and returns once it runs.
///
/// Returns when the shim reported that the command was executed (the program image was
/// replaced, so the command runs), or that it could not be: a missing program, a missing
/// working directory, a file that is not executable or a denied permission come back as
/// [`SpawnError::Exec`] or [`SpawnError::Cwd`] with the OS's message, and are also recorded in
/// `status.json`. Leftover `status.json`, `pids.json` and `stdin` files of an earlier attempt
/// are removed first; the output streams are continued.
///
/// Blocking (typically about a millisecond); call it from a blocking context.
pub fn spawn(req: &SpawnRequest) -> Result<TaskProcess, SpawnError> {
    if req.argv.is_empty() {
        return Err(SpawnError::InvalidRequest {
            problem: RequestProblem::EmptyArgv,
        });
    }
    if req.limits.head_bytes > req.limits.cap_bytes {
        return Err(SpawnError::InvalidRequest {
            problem: RequestProblem::HeadOverCap,
        });
    }
    let dir_error = |path: &std::path::Path| {
        let path = path.to_path_buf();
        move |source| SpawnError::TaskDir { path, source }
    };
    // The shim works from `/`, so it needs absolute paths.
    let task_dir = std::path::absolute(&req.task_dir).map_err(dir_error(&req.task_dir))?;
    let cwd = std::path::absolute(&req.cwd).map_err(|source| SpawnError::Cwd {
        cwd: req.cwd.clone(),
        source,
    })?;
    let dir = &task_dir;
    fsutil::create_private_dir_all(dir).map_err(dir_error(dir))?;
    for stale in [STATUS_FILE, PIDS_FILE, STDIN_FIFO] {
        let path = dir.join(stale);
        fsutil::remove_if_present(&path).map_err(dir_error(&path))?;
    }
    let log_path = dir.join(SHIM_LOG);
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&log_path)
        .map_err(dir_error(&log_path))?;
    let mut line = serde_json::to_vec(&ShimConfig::from_request(req, dir, &cwd)).map_err(|e| {
        SpawnError::ShimPipe {
            source: io::Error::other(e),
        }
    })?;
    line.push(b'\n');

    let mut child = Command::new(&req.shim.path)
        .args(&req.shim.args_prefix)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|source| SpawnError::ShimLaunch {
            program: req.shim.path.clone(),
            source,
        })?;
    let mut release = child.stdin.take().expect("stdin is piped");
    // A shim that dies before reading its configuration is reported below.
    let _ = release.write_all(&line);
    let stdout = child.stdout.take().expect("stdout is piped");
    let deadline = Instant::now() + req.report_timeout;
    let answer = read_line(stdout.as_fd(), deadline);
    drop(stdout);
    let answer = match answer {
        Ok(answer) => answer,
        Err(err) => {
            // Make sure a shim that cannot report does not run on unseen.
            let _ = control::send(dir, control::Order::Kill);
            let _ = child.kill();
            let _ = child.wait();
            stop_unreported(dir, req.launch);
            return Err(err);
        }
    };
    let status = child
        .wait()
        .map_err(|source| SpawnError::ShimPipe { source })?;
    if answer.is_empty() {
        stop_unreported(dir, req.launch);
        return Err(SpawnError::ShimSilent { status });
    }
    let report = serde_json::from_slice(&answer).map_err(|source| {
        let _ = control::send(dir, control::Order::Kill);
        stop_unreported(dir, req.launch);
        SpawnError::ShimReport { source }
    })?;
    match report {
        ShimReport::Started(ids) => {
            let opened = TaskProcess::open(dir, ids).and_then(|process| {
                process.ok_or_else(|| {
                    io::Error::new(io::ErrorKind::NotFound, "shim vanished after reporting")
                })
            });
            match opened {
                Ok(process) => {
                    // The pidfd is open: the shim may now exit whenever the task ends.
                    drop(release);
                    Ok(process)
                }
                Err(source) => {
                    // Nobody could watch this task: end it rather than leave it unseen.
                    let _ = control::send(dir, control::Order::Kill);
                    Err(SpawnError::ShimPipe { source })
                }
            }
        }
        ShimReport::Failed(failure) => Err(SpawnError::from_failure(&failure, &req.cwd)),
    }
}

/// A shim that died before its report may have started the command (its ids are then on
/// disk): the spawn fails, so nothing would ever stop that command; it is killed now.
fn stop_unreported(dir: &Path, launch: u64) {
    let Ok(Some(ids)) = ProcessIds::read(dir) else {
        return;
    };
    if ids.launch != launch {
        return;
    }
    // The report pipe closes while the shim exits, a moment before it is dead: wait for its
    // pidfd (opened, then checked against the recorded start time) to say so.
    let deadline = Instant::now() + Duration::from_secs(2);
    if let Ok(pidfd) = crate::sys::pidfd::open(ids.shim_pid)
        && ids.shim_is_alive()
    {
        let _ = fd::poll(&[(pidfd.as_raw_fd(), libc::POLLIN)], Some(deadline));
    }
    VanishedTask::new(dir, Some(ids)).stop_leftovers(Duration::ZERO);
}

/// Reads one line (without its newline) or up to end of file, until `deadline`.
fn read_line(pipe: std::os::fd::BorrowedFd<'_>, deadline: Instant) -> Result<Vec<u8>, SpawnError> {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let ready = fd::poll(&[(pipe.as_raw_fd(), libc::POLLIN)], Some(deadline))
            .map_err(|source| SpawnError::ShimPipe { source })?;
        if ready[0] == 0 {
            let waited_ms = started.elapsed().as_millis() as u64;
            return Err(SpawnError::ShimTimeout { waited_ms });
        }
        let n = fd::read(pipe.as_raw_fd(), &mut buf)
            .map_err(|source| SpawnError::ShimPipe { source })?;
        out.extend_from_slice(&buf[..n]);
        if n == 0 || out.ends_with(b"\n") {
            if out.ends_with(b"\n") {
                out.pop();
            }
            return Ok(out);
        }
    }
}
