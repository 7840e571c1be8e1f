//! What the engine keeps beside the public record: how to run a task and its timers' anchors.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::input::StopCause;
use crate::task::Task;
use crate::time::Timestamp;

/// Environment variables given to a task. Never shown: `Debug` prints only how many there are.
/// It is not serialised with [`RunSpec`], so no store writes it: the runtime keeps it in a
/// private file while a launch may need it (CONTRACT.md §12).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Env(Vec<(String, String)>);

impl Env {
    /// An environment from pairs.
    pub fn new(vars: Vec<(String, String)>) -> Self {
        Self(vars)
    }

    /// The pairs, for the process runner.
    pub fn vars(&self) -> &[(String, String)] {
        &self.0
    }

    /// Whether there are no variables.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Env([{} redacted])", self.0.len())
    }
}

/// What a shell task's environment starts from, before its own variables are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum BaseEnv {
    /// The environment of the runtime (the daemon) that spawns the task.
    #[default]
    Daemon,
    /// Nothing: the task's variables are its whole environment (a caller that sends its own
    /// environment, such as `tend run`).
    Request,
}

impl BaseEnv {
    /// Whether this is the default (`Daemon`), which the stored form leaves out.
    pub fn is_daemon(&self) -> bool {
        *self == Self::Daemon
    }
}

/// Where a shell task's stdin comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum StdinMode {
    /// `/dev/null`.
    #[default]
    Null,
    /// A pipe the caller writes to.
    Pipe,
}

/// Whether stderr joins stdout in one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum StderrMode {
    /// One stream, in the order written.
    #[default]
    Combined,
    /// stderr in its own stream.
    Separate,
}

/// The size of a shell task's terminal (CONTRACT §8): rows and columns, each 1..=1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TtySize {
    /// Lines of the screen.
    pub rows: u16,
    /// Columns of the screen.
    pub cols: u16,
}

impl TtySize {
    /// The size of a terminal created with `tty: true`: 40 rows by 120 columns.
    pub const DEFAULT: TtySize = TtySize {
        rows: 40,
        cols: 120,
    };
    /// The largest side.
    pub const MAX: u16 = 1000;

    /// Whether both sides are within 1..=1000.
    pub fn is_valid(self) -> bool {
        (1..=Self::MAX).contains(&self.rows) && (1..=Self::MAX).contains(&self.cols)
    }
}

impl Default for TtySize {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How to run a task: kept for storage and the process runner, never shown to clients.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunSpec {
    /// The task's environment. Never serialised; read when present (a row written before
    /// environments left the database), so that it can be moved out.
    #[serde(default, skip_serializing)]
    pub env: Env,
    /// What the environment starts from. Not a secret: stored (left out when `daemon`).
    #[serde(default, skip_serializing_if = "BaseEnv::is_daemon")]
    pub base_env: BaseEnv,
    /// Stdin mode.
    pub stdin: StdinMode,
    /// Stderr mode.
    pub stderr: StderrMode,
    /// Pending limit, measured from when the task became pending.
    pub queue_timeout_ms: Option<u64>,
}

/// A stop under way: why, and until when the process gets to end by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopState {
    /// What the terminal reason will be.
    pub cause: StopCause,
    /// Shell tasks: when SIGKILL is sent; external tasks: when the stop is forced.
    pub deadline: Timestamp,
    /// Whether SIGKILL was already sent.
    pub killed: bool,
}

/// The engine's bookkeeping for a task, persisted so that recovery restores it exactly.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunState {
    /// When the task last became pending (queue timeout anchor).
    pub pending_since: Option<Timestamp>,
    /// Not ready before this instant (retry backoff).
    pub retry_at: Option<Timestamp>,
    /// Last output (shell) or progress (external): the idle timeout anchor.
    pub last_activity_at: Option<Timestamp>,
    /// A stop under way.
    pub stop: Option<StopState>,
    /// When a terminal task's record is evicted.
    pub evict_at: Option<Timestamp>,
}

/// A task as stored: the public record, how to run it, and the engine's bookkeeping.
///
/// The record is shared: events, replies, changes and actions hold the same allocation, and
/// the engine copies it only when it changes a record someone still holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredTask {
    /// The public record.
    pub task: Arc<Task>,
    /// How to run it.
    pub spec: RunSpec,
    /// Engine bookkeeping.
    pub run: RunState,
}

impl StoredTask {
    /// The record, for changing it: copied first if it is shared.
    pub fn record_mut(&mut self) -> &mut Task {
        Arc::make_mut(&mut self.task)
    }
}
