//! The exit record (`status.json`): what ended the command, when, and at what cost.

use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::output::OutputCounters;
use crate::sys::fsutil;

/// File name of the exit record inside a task directory.
pub(crate) const STATUS_FILE: &str = "status.json";

/// How the command ended, as the shim saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The command exited with this status (0 for success).
    Exited {
        /// Exit code, 0..=255.
        code: i32,
    },
    /// The command was ended by a signal.
    Signaled {
        /// The signal's name, e.g. `"SIGKILL"`.
        signal: String,
        /// Whether it left a core dump.
        core_dumped: bool,
    },
    /// The command could not be started.
    SpawnFailed(SpawnFailure),
}

/// Why a command could not be started, with the operating system's message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpawnFailure {
    /// The step that failed.
    pub stage: FailureStage,
    /// The program that was to run (lossy UTF-8).
    pub program: String,
    /// The OS error number, when the failure came from a system call.
    pub errno: Option<i32>,
    /// The OS's message, e.g. `No such file or directory (os error 2)`.
    pub message: String,
}

impl SpawnFailure {
    pub(crate) fn from_io(stage: FailureStage, program: &str, err: &io::Error) -> Self {
        Self {
            stage,
            program: program.to_owned(),
            errno: err.raw_os_error(),
            message: err.to_string(),
        }
    }

    /// The failure as an [`io::Error`] carrying the OS error number when there is one.
    pub fn io_error(&self) -> io::Error {
        match self.errno {
            Some(errno) => io::Error::from_raw_os_error(errno),
            None => io::Error::other(self.message.clone()),
        }
    }
}

/// The step of starting a command that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureStage {
    /// The shim could not read or understand its configuration.
    Config,
    /// The task directory or one of its files could not be prepared.
    TaskDir,
    /// The output pipes or stream files could not be created.
    Output,
    /// The stdin FIFO or `/dev/null` could not be opened.
    Stdin,
    /// The shim could not set itself up (session, signals, control FIFO).
    Supervisor,
    /// The command process could not be forked.
    Fork,
    /// The working directory could not be entered.
    Cwd,
    /// The program could not be executed.
    Exec,
}

/// A stop order the shim received before the command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopRequest {
    /// SIGTERM was sent to the command's group.
    Terminate,
    /// The group and every descendant were killed.
    Kill,
}

/// The content of `status.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "StatusFile", try_from = "StatusFile")]
pub struct TaskStatus {
    /// How the command ended.
    pub outcome: Outcome,
    /// When the shim started (or tried to start) the command.
    pub started_at: Timestamp,
    /// When the shim finished with the task (after the drain and the final sweep).
    pub finished_at: Timestamp,
    /// User CPU time of the command and its reaped descendants, in milliseconds.
    pub user_cpu_ms: u64,
    /// System CPU time of the command and its reaped descendants, in milliseconds.
    pub system_cpu_ms: u64,
    /// Peak RSS of the largest process of the tree, in bytes (as `getrusage` reports it).
    pub peak_rss_bytes: u64,
    /// The strongest stop order received before the end, if any.
    pub stop_requested: Option<StopRequest>,
    /// Counters of the main stream.
    pub output: OutputCounters,
    /// Counters of the stderr stream (separate stderr only).
    pub stderr_output: Option<OutputCounters>,
    /// The launch this status belongs to ([`crate::SpawnRequest::launch`]; 0 from shims that
    /// predate it).
    pub launch: u64,
}

impl TaskStatus {
    /// The exit code, when the command exited.
    pub fn exit_code(&self) -> Option<i32> {
        match self.outcome {
            Outcome::Exited { code } => Some(code),
            _ => None,
        }
    }

    /// The name of the signal that ended the command, when one did.
    pub fn signal(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Signaled { signal, .. } => Some(signal),
            _ => None,
        }
    }

    /// Reads `TASK_DIR/status.json`; `Ok(None)` when it does not exist (yet).
    pub fn read(task_dir: &Path) -> Result<Option<Self>, StatusError> {
        let path = task_dir.join(STATUS_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(StatusError::Read { path, source }),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| StatusError::Parse { path, source })
    }

    pub(crate) fn write(&self, task_dir: &Path) -> io::Result<()> {
        let mut json = serde_json::to_vec_pretty(self).map_err(io::Error::other)?;
        json.push(b'\n');
        fsutil::write_atomic(&task_dir.join(STATUS_FILE), &json)
    }
}

/// `status.json` could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The file exists but could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The file is not a valid exit record.
    #[error("{path} is not a valid exit record: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
}

/// The flat on-disk form.
#[derive(Serialize, Deserialize)]
struct StatusFile {
    exit_code: Option<i32>,
    signal: Option<String>,
    #[serde(default)]
    core_dumped: bool,
    spawn_error: Option<SpawnFailure>,
    #[serde(with = "crate::time::rfc3339_ms")]
    started_at: Timestamp,
    #[serde(with = "crate::time::rfc3339_ms")]
    finished_at: Timestamp,
    user_cpu_ms: u64,
    system_cpu_ms: u64,
    peak_rss_bytes: u64,
    stop_requested: Option<StopRequest>,
    output: OutputCounters,
    stderr_output: Option<OutputCounters>,
    #[serde(default)]
    launch: u64,
}

impl From<TaskStatus> for StatusFile {
    fn from(s: TaskStatus) -> Self {
        let (exit_code, signal, core_dumped, spawn_error) = match s.outcome {
            Outcome::Exited { code } => (Some(code), None, false, None),
            Outcome::Signaled {
                signal,
                core_dumped,
            } => (None, Some(signal), core_dumped, None),
            Outcome::SpawnFailed(f) => (None, None, false, Some(f)),
        };
        Self {
            exit_code,
            signal,
            core_dumped,
            spawn_error,
            started_at: s.started_at,
            finished_at: s.finished_at,
            user_cpu_ms: s.user_cpu_ms,
            system_cpu_ms: s.system_cpu_ms,
            peak_rss_bytes: s.peak_rss_bytes,
            stop_requested: s.stop_requested,
            output: s.output,
            stderr_output: s.stderr_output,
            launch: s.launch,
        }
    }
}

impl TryFrom<StatusFile> for TaskStatus {
    type Error = &'static str;

    fn try_from(f: StatusFile) -> Result<Self, Self::Error> {
        let outcome = match (f.exit_code, f.signal, f.spawn_error) {
            (Some(code), None, None) => Outcome::Exited { code },
            (None, Some(signal), None) => Outcome::Signaled {
                signal,
                core_dumped: f.core_dumped,
            },
            (None, None, Some(failure)) => Outcome::SpawnFailed(failure),
            _ => return Err("exactly one of exit_code, signal and spawn_error must be set"),
        };
        Ok(Self {
            outcome,
            started_at: f.started_at,
            finished_at: f.finished_at,
            user_cpu_ms: f.user_cpu_ms,
            system_cpu_ms: f.system_cpu_ms,
            peak_rss_bytes: f.peak_rss_bytes,
            stop_requested: f.stop_requested,
            output: f.output,
            stderr_output: f.stderr_output,
            launch: f.launch,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_flat_file() {
        let status = TaskStatus {
            outcome: Outcome::Signaled {
                signal: "SIGKILL".into(),
                core_dumped: false,
            },
            started_at: Timestamp::from_millisecond(1_000).unwrap(),
            finished_at: Timestamp::from_millisecond(2_500).unwrap(),
            user_cpu_ms: 3,
            system_cpu_ms: 4,
            peak_rss_bytes: 5,
            stop_requested: Some(StopRequest::Kill),
            output: OutputCounters {
                total_bytes: 10,
                dropped_bytes: 2,
            },
            stderr_output: None,
            launch: 3,
        };
        let json = serde_json::to_string(&status).unwrap();
        assert!(json.contains(r#""signal":"SIGKILL""#), "{json}");
        assert!(
            json.contains(r#""finished_at":"1970-01-01T00:00:02.500Z""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<TaskStatus>(&json).unwrap(), status);
        assert!(serde_json::from_str::<TaskStatus>(&json.replace("\"signal\"", "\"x\"")).is_err());
    }
}
