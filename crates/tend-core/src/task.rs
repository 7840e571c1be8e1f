//! The task record of the contract (§2) and its closed enums: kind, state, reason, close policy.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::id::TaskId;
use crate::shared::SharedStr;
use crate::time::Timestamp;

/// What kind of work a task is: a shell command tend runs, or external work tend tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Kind {
    /// A command run by tend through the shim.
    Shell,
    /// A subagent session run by a harness.
    Subagent,
    /// A monitor run by a harness.
    Monitor,
    /// An observer run by a harness.
    Observer,
    /// Any other external work.
    Other,
}

impl Kind {
    /// Whether tend runs the process itself.
    pub const fn is_shell(self) -> bool {
        matches!(self, Self::Shell)
    }

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Shell => "shell",
            Self::Subagent => "subagent",
            Self::Monitor => "monitor",
            Self::Observer => "observer",
            Self::Other => "other",
        }
    }
}

/// The lifecycle states. `completed`, `failed` and `cancelled` are terminal and absorbing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum State {
    /// Accepted, not started: waiting for a slot, for `after`, or for a retry backoff.
    Pending,
    /// Started.
    Running,
    /// An external task that reported it is waiting.
    Waiting,
    /// A stop is under way.
    CancelRequested,
    /// Ended successfully.
    Completed,
    /// Ended unsuccessfully.
    Failed,
    /// Ended by a stop.
    Cancelled,
}

impl State {
    /// Whether the state is terminal (and so never changes again).
    pub const fn is_terminal(self) -> bool {
        match self {
            Self::Completed | Self::Failed | Self::Cancelled => true,
            Self::Pending | Self::Running | Self::Waiting | Self::CancelRequested => false,
        }
    }

    /// Whether a task in this state holds a slot of its group.
    pub const fn holds_slot(self) -> bool {
        match self {
            Self::Running | Self::Waiting | Self::CancelRequested => true,
            Self::Pending | Self::Completed | Self::Failed | Self::Cancelled => false,
        }
    }

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Waiting => "waiting",
            Self::CancelRequested => "cancel_requested",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "running" => Self::Running,
            "waiting" => Self::Waiting,
            "cancel_requested" => Self::CancelRequested,
            "completed" => Self::Completed,
            "failed" => Self::Failed,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }
}

/// Why a task reached its terminal state (CONTRACT.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Reason {
    /// The shell command exited (0: completed, else failed).
    Exited,
    /// The external owner reported the outcome.
    Reported,
    /// Died of a signal it was not sent by stop.
    Signaled,
    /// Ran past `timeout_ms`.
    TimedOut,
    /// No output or progress for `idle_timeout_ms`.
    Stale,
    /// Pending past `queue_timeout_ms`.
    QueueTimeout,
    /// The command could not be started.
    SpawnFailed,
    /// A task in `after` did not complete.
    DependencyFailed,
    /// The process vanished while no daemon could record its exit.
    Lost,
    /// Stopped by request.
    Stopped,
    /// Its session closed with close policy `cancel`.
    SessionClosed,
    /// Its parent task was cancelled.
    ParentCancelled,
    /// The daemon stopped with `--kill-tasks`.
    Shutdown,
}

impl Reason {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Exited => "exited",
            Self::Reported => "reported",
            Self::Signaled => "signaled",
            Self::TimedOut => "timed_out",
            Self::Stale => "stale",
            Self::QueueTimeout => "queue_timeout",
            Self::SpawnFailed => "spawn_failed",
            Self::DependencyFailed => "dependency_failed",
            Self::Lost => "lost",
            Self::Stopped => "stopped",
            Self::SessionClosed => "session_closed",
            Self::ParentCancelled => "parent_cancelled",
            Self::Shutdown => "shutdown",
        }
    }

    /// Whether a shell task failing for this reason may be retried.
    pub const fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::Exited | Self::Signaled | Self::TimedOut | Self::Stale | Self::Lost
        )
    }
}

/// What happens to a live task when its session closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ClosePolicy {
    /// Runs on.
    #[default]
    Keep,
    /// Stopped with reason `session_closed`.
    Cancel,
    /// Moved to the successor session, kept when none is given.
    Transfer,
}

/// The last progress report of an external task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Progress {
    /// The reported message.
    pub message: String,
    /// When it was reported.
    pub updated_at: Timestamp,
}

/// Output counters of a shell task's logical stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OutputCounters {
    /// Bytes written by the command, kept or not.
    pub total_bytes: u64,
    /// Bytes dropped from the middle by the output cap.
    pub dropped_bytes: u64,
}

/// When a task counts as ready (CONTRACT.md §9): the first of the given conditions that holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReadySpec {
    /// A line of output matches this regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The task listens on this TCP port (0: on any port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// An HTTP GET of this URL answers a status below 500.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
}

impl ReadySpec {
    /// Whether no condition is given.
    pub fn is_empty(&self) -> bool {
        self.output.is_none() && self.port.is_none() && self.http.is_none()
    }
}

/// Which condition made a task ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ReadyCondition {
    /// A line of output matched.
    Output,
    /// The task listens on the port.
    Port,
    /// The HTTP check answered.
    Http,
}

impl ReadyCondition {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Output => "output",
            Self::Port => "port",
            Self::Http => "http",
        }
    }
}

/// A TCP socket in LISTEN state held by a process of a task (CONTRACT.md §9).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ListeningPort {
    /// The port.
    pub port: u16,
    /// The local address it is bound to (`0.0.0.0`, `127.0.0.1`, `::`, ...).
    pub address: String,
    /// The process that holds the socket.
    pub pid: u32,
}

/// The task record exactly as clients see it (CONTRACT.md §2). It never carries the environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Task {
    /// `t<N>`, never reused.
    pub id: TaskId,
    /// Shell or external kind.
    pub kind: Kind,
    /// The owning session: notifications go here.
    pub session: SharedStr,
    /// The parent task, if any.
    pub parent: Option<TaskId>,
    /// For subagents: the harness's child session id.
    pub child_session: Option<String>,
    /// The caller's idempotency / external key.
    pub key: Option<String>,
    /// A label; defaults to the command line.
    pub name: SharedStr,
    /// The argv of a shell task.
    // Shared by every copy of the record.
    pub command: Option<Arc<[String]>>,
    /// The working directory of a shell task.
    pub cwd: Option<String>,
    /// The concurrency group.
    pub group: SharedStr,
    /// The lifecycle state.
    pub state: State,
    /// Set exactly when the state is terminal.
    pub reason: Option<Reason>,
    /// The command's exit status when it exited.
    pub exit_code: Option<i32>,
    /// The signal that ended the command, e.g. `SIGKILL`.
    pub signal: Option<String>,
    /// External tasks: result or failure text; spawn failures: why.
    pub summary: Option<String>,
    /// The current attempt, from 1.
    pub attempt: u32,
    /// Attempts allowed.
    pub max_attempts: u32,
    /// Tasks this one waits for.
    pub after: Vec<TaskId>,
    /// The command's process (group leader) while known.
    pub pid: Option<u32>,
    /// The last progress report.
    pub progress: Option<Progress>,
    /// Output counters (shell tasks).
    pub output: Option<OutputCounters>,
    /// The TCP ports the task's processes listen on, sorted by port; empty once the task is
    /// terminal and for external tasks.
    #[serde(default)]
    pub ports: Vec<ListeningPort>,
    /// When the task counts as ready, if it was created with conditions.
    #[serde(default)]
    pub ready: Option<ReadySpec>,
    /// When it became ready (once; never for a task that ended first).
    #[serde(default)]
    pub ready_at: Option<Timestamp>,
    /// The size of a shell task's terminal, or `None` when it runs on pipes.
    #[serde(default)]
    pub tty: Option<crate::spec::TtySize>,
    /// What happens when the session closes.
    pub close_policy: ClosePolicy,
    /// Run time limit.
    pub timeout_ms: Option<u64>,
    /// Idle limit: no output (shell) or progress (external) for this long fails the task.
    pub idle_timeout_ms: Option<u64>,
    /// When the task was created.
    pub created_at: Timestamp,
    /// When the current attempt started.
    pub started_at: Option<Timestamp>,
    /// When the record last changed.
    pub updated_at: Timestamp,
    /// When the task reached its terminal state.
    pub finished_at: Option<Timestamp>,
}

impl Task {
    /// Whether the task has not reached a terminal state.
    pub const fn is_live(&self) -> bool {
        !self.state.is_terminal()
    }
}
