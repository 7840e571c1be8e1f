//! Errors of the runtime side: spawning, controlling, waiting for, stopping and adopting shims.

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;

use crate::status::{FailureStage, SpawnFailure, StatusError};

/// A shell task could not be started.
///
/// [`SpawnError::is_command_failure`] tells a command that cannot run (the task fails with
/// reason `spawn_failed` and this message as its summary) from a fault of tend itself.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// The request cannot be run as given.
    #[error("invalid spawn request: {problem}")]
    InvalidRequest {
        /// What is wrong.
        problem: RequestProblem,
    },
    /// The task directory could not be prepared.
    #[error("cannot prepare task directory {path}: {source}")]
    TaskDir {
        /// The directory or file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The shim program could not be started.
    #[error("cannot start shim {program}: {source}")]
    ShimLaunch {
        /// The shim executable.
        program: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The shim ended without a readable report.
    #[error("shim exited without reporting ({status})")]
    ShimSilent {
        /// Exit status of the shim's first process.
        status: ExitStatus,
    },
    /// The shim's report is not valid.
    #[error("shim report is unreadable: {source}")]
    ShimReport {
        /// The JSON error.
        source: serde_json::Error,
    },
    /// The shim did not report in time.
    #[error("shim did not report within {waited_ms} ms")]
    ShimTimeout {
        /// How long spawn waited.
        waited_ms: u64,
    },
    /// Talking to the shim failed.
    #[error("cannot talk to the shim: {source}")]
    ShimPipe {
        /// The OS error.
        source: io::Error,
    },
    /// The working directory cannot be entered.
    #[error("cannot enter working directory {cwd}: {source}")]
    Cwd {
        /// The working directory.
        cwd: PathBuf,
        /// The OS error, e.g. `No such file or directory (os error 2)`.
        source: io::Error,
    },
    /// The program cannot be executed.
    #[error("cannot execute {program}: {source}")]
    Exec {
        /// The program as given.
        program: String,
        /// The OS error, e.g. `Permission denied (os error 13)`.
        source: io::Error,
    },
    /// The shim could not set up the command (pipes, FIFOs, output files, fork).
    #[error("cannot set up the command ({stage:?}): {source}")]
    Setup {
        /// The step that failed.
        stage: FailureStage,
        /// The OS error.
        source: io::Error,
    },
}

/// Why a [`crate::SpawnRequest`] is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RequestProblem {
    /// `argv` is empty.
    #[error("argv is empty")]
    EmptyArgv,
    /// `head_bytes` is larger than `cap_bytes`.
    #[error("head_bytes exceeds cap_bytes")]
    HeadOverCap,
}

impl SpawnError {
    /// True when the command itself cannot run (missing program, bad cwd, not executable,
    /// permission denied), as opposed to a failure of the shim or the task directory.
    pub fn is_command_failure(&self) -> bool {
        matches!(self, SpawnError::Cwd { .. } | SpawnError::Exec { .. })
    }

    /// The underlying OS error, when there is one.
    pub fn os_error(&self) -> Option<&io::Error> {
        match self {
            SpawnError::TaskDir { source, .. }
            | SpawnError::ShimLaunch { source, .. }
            | SpawnError::ShimPipe { source }
            | SpawnError::Cwd { source, .. }
            | SpawnError::Exec { source, .. }
            | SpawnError::Setup { source, .. } => Some(source),
            _ => None,
        }
    }

    pub(crate) fn from_failure(failure: &SpawnFailure, cwd: &std::path::Path) -> Self {
        let source = failure.io_error();
        match failure.stage {
            FailureStage::Cwd => SpawnError::Cwd {
                cwd: cwd.to_path_buf(),
                source,
            },
            FailureStage::Exec => SpawnError::Exec {
                program: failure.program.clone(),
                source,
            },
            stage => SpawnError::Setup { stage, source },
        }
    }
}

/// An order could not be written to a shim's control FIFO.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// Opening or writing the FIFO failed for a reason other than "no shim".
    #[error("cannot send an order through {path}: {source}")]
    Send {
        /// The control FIFO.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

/// Waiting for a shim's end failed.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// Polling the pidfd failed.
    #[error("cannot wait for shim {shim_pid}: {source}")]
    Poll {
        /// The shim's pid.
        shim_pid: i32,
        /// The OS error.
        source: io::Error,
    },
    /// The exit record could not be read.
    #[error(transparent)]
    Status(#[from] StatusError),
}

/// A stop did not complete.
#[derive(Debug, thiserror::Error)]
pub enum StopError {
    /// An order could not be sent.
    #[error(transparent)]
    Control(#[from] ControlError),
    /// Waiting failed.
    #[error(transparent)]
    Wait(#[from] WaitError),
    /// The shim was told to kill everything but did not end.
    #[error("shim {shim_pid} did not end within {waited_ms} ms of the kill order")]
    Stuck {
        /// The shim's pid.
        shim_pid: i32,
        /// How long stop waited after the kill order.
        waited_ms: u64,
    },
}

/// A task directory could not be examined for adoption.
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    /// `pids.json` could not be read.
    #[error("cannot read process ids in {task_dir}: {source}")]
    Pids {
        /// The task directory.
        task_dir: PathBuf,
        /// The OS or JSON error.
        source: io::Error,
    },
    /// The exit record could not be read.
    #[error(transparent)]
    Status(#[from] StatusError),
    /// A pidfd on the live shim could not be opened.
    #[error("cannot open a pidfd on shim {shim_pid}: {source}")]
    Pidfd {
        /// The shim's pid.
        shim_pid: i32,
        /// The OS error.
        source: io::Error,
    },
}
