//! The shim: a small synchronous supervisor that runs one command and records its end.
//!
//! See the [crate docs](crate) for the invocation convention and the exit policy.

mod launch;
mod prepare;
mod reap;
mod signals;
mod supervise;

use std::io;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use crate::output::OutputCounters;
use crate::runtime::ids::ProcessIds;
use crate::status::{FailureStage, Outcome, SpawnFailure, TaskStatus};
use crate::sys::{fd, fsutil};
use crate::wire::config::ShimConfig;
use crate::wire::report::ShimReport;

/// Longest configuration line accepted on stdin.
const MAX_CONFIG_BYTES: usize = 64 << 20;
/// How long the shim waits, at its end, for the spawner to release its stdin.
const RELEASE_WAIT: Duration = Duration::from_secs(10);

/// Runs the shim; returns the process exit code (0 once the command was started and recorded).
///
/// Reads the configuration line from stdin, forks (the parent returns 0 at once), and in the
/// child supervises the command until its end. Call it first thing in `main`, before any thread
/// exists: it forks, and it changes the signal mask and signal dispositions of the process.
pub fn main() -> i32 {
    let config = match read_config() {
        Ok(config) => config,
        Err(failure) => {
            report(&ShimReport::Failed(failure));
            return 2;
        }
    };
    // SAFETY: the process is single-threaded here (documented requirement of this function),
    // so the child may run arbitrary code after fork.
    match unsafe { libc::fork() } {
        -1 => {
            let failure = SpawnFailure::from_io(
                FailureStage::Fork,
                &program_name(&config),
                &io::Error::last_os_error(),
            );
            report(&ShimReport::Failed(failure));
            1
        }
        0 => run(&config),
        _ => 0,
    }
}

fn read_config() -> Result<ShimConfig, SpawnFailure> {
    let mut line = Vec::new();
    let mut buf = [0u8; 8192];
    let bad = |err: io::Error| SpawnFailure::from_io(FailureStage::Config, "", &err);
    while !line.ends_with(b"\n") {
        let n = fd::read(0, &mut buf).map_err(bad)?;
        if n == 0 {
            break;
        }
        line.extend_from_slice(&buf[..n]);
        if line.len() > MAX_CONFIG_BYTES {
            return Err(bad(io::Error::new(
                io::ErrorKind::InvalidData,
                "configuration too long",
            )));
        }
    }
    serde_json::from_slice(&line).map_err(|e| bad(io::Error::new(io::ErrorKind::InvalidData, e)))
}

fn program_name(config: &ShimConfig) -> String {
    config
        .argv
        .first()
        .map(|a| a.0.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Writes the report line to stdout (the spawner's pipe).
fn report(message: &ShimReport) {
    let mut line = serde_json::to_vec(message).unwrap_or_default();
    line.push(b'\n');
    if let Err(e) = fd::write_all(1, &line) {
        eprintln!("tend shim: cannot report to the spawner: {e}");
    }
}

/// The shim proper, in the forked child.
fn run(config: &ShimConfig) -> i32 {
    let task_dir = config.task_dir();
    let started_at = Timestamp::now();
    let program = program_name(config);
    let prepared = match prepare::prepare(config) {
        Ok(prepared) => prepared,
        Err((stage, err)) => {
            return fail(
                config,
                started_at,
                SpawnFailure::from_io(stage, &program, &err),
            );
        }
    };
    let prepare::Prepared {
        captures,
        child_fds,
        control,
        stdin_writer,
        signal_fd,
        tty,
    } = prepared;
    let marker = crate::marker::new_marker(&task_dir, config.launch);
    // A command whose ids are not on disk would run unseen by a runtime that restarts: it
    // does not run at all (the child waits for them before it executes the command).
    let record = |leader| {
        let ids = process_ids(leader, started_at, config.launch, marker.clone())?;
        ids.write(&task_dir).inspect_err(|err| {
            eprintln!("tend shim: cannot record process ids: {err}");
        })?;
        Ok(ids)
    };
    let (leader, ids) = match launch::launch(config, &child_fds, &marker, record) {
        Ok(launched) => launched,
        Err(failure) => {
            // The command did not run: no ids of this launch may say it did.
            let _ = fsutil::remove_if_present(&task_dir.join(crate::runtime::ids::PIDS_FILE));
            return fail(config, started_at, failure);
        }
    };
    drop(child_fds);
    report(&ShimReport::Started(ids));
    if let Err(err) = fd::redirect_to_devnull(1, true) {
        eprintln!("tend shim: cannot release stdout: {err}");
    }
    let mut supervisor = supervise::Supervisor::new(
        leader,
        captures,
        control,
        stdin_writer,
        signal_fd,
        Duration::from_millis(config.drain_ms),
    );
    if let Some(tty) = tty {
        supervisor.attach_tty(tty, task_dir.clone());
    }
    supervisor.run();
    let end = supervisor.finish();
    let usage = reap::children_usage();
    let status = TaskStatus {
        outcome: end.outcome,
        started_at,
        finished_at: Timestamp::now(),
        user_cpu_ms: usage.user_cpu_ms,
        system_cpu_ms: usage.system_cpu_ms,
        peak_rss_bytes: usage.peak_rss_bytes,
        stop_requested: end.stop_requested,
        output: end.output,
        stderr_output: end.stderr_output,
        launch: config.launch,
    };
    if let Err(err) = status.write(&task_dir) {
        eprintln!("tend shim: cannot write status.json: {err}");
    }
    wait_for_release();
    0
}

fn process_ids(
    leader: i32,
    started_at: Timestamp,
    launch: u64,
    marker: String,
) -> io::Result<ProcessIds> {
    let shim_pid = std::process::id() as i32;
    let missing = || io::Error::new(io::ErrorKind::NotFound, "process vanished from /proc");
    Ok(ProcessIds {
        pid: leader,
        pgid: leader,
        shim_pid,
        start_time: crate::procfs::start_time(leader).ok_or_else(missing)?,
        shim_start_time: crate::procfs::start_time(shim_pid).ok_or_else(missing)?,
        boot_id: crate::procfs::boot_id()?,
        started_at,
        launch,
        marker: Some(marker),
    })
}

/// Records a spawn failure in `status.json` and reports it; returns the shim's exit code.
fn fail(config: &ShimConfig, started_at: Timestamp, failure: SpawnFailure) -> i32 {
    let task_dir = config.task_dir();
    let status = TaskStatus {
        outcome: Outcome::SpawnFailed(failure.clone()),
        started_at,
        finished_at: Timestamp::now(),
        user_cpu_ms: 0,
        system_cpu_ms: 0,
        peak_rss_bytes: 0,
        stop_requested: None,
        output: OutputCounters::default(),
        stderr_output: None,
        launch: config.launch,
    };
    if let Err(err) = status.write(&task_dir) {
        eprintln!("tend shim: cannot write status.json: {err}");
    }
    report(&ShimReport::Failed(failure));
    1
}

/// Waits until the spawner closed the shim's stdin (it holds a pidfd on the shim by then), so
/// that the shim's pid cannot be reused before the spawner opened that pidfd.
fn wait_for_release() {
    let deadline = Instant::now() + RELEASE_WAIT;
    let stdin = io::stdin();
    let raw = stdin.as_raw_fd();
    let mut buf = [0u8; 64];
    while let Ok(revents) = fd::poll(&[(raw, libc::POLLIN)], Some(deadline)) {
        if revents[0] == 0 || !matches!(fd::read(raw, &mut buf), Ok(n) if n > 0) {
            return;
        }
    }
}
