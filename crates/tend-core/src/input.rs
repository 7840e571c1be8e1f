//! Inputs to the engine: requests from clients and observations from the runtime.

use serde::{Deserialize, Serialize};

use crate::id::{NotificationId, TaskId};
use crate::spec::{BaseEnv, Env, StderrMode, StdinMode, TtySize};
use crate::task::{ClosePolicy, Kind, Reason, State};

/// Everything the engine reacts to. See [`crate::Engine::handle`].
///
/// `Create` is much larger than the other variants; an input is moved once per step, so boxing it
/// would cost an allocation for nothing.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Input {
    /// Create a shell or external task.
    Create(CreateTask),
    /// Stop a task (and its live descendants). `grace_ms` defaults to the configured grace.
    Stop {
        /// The task.
        id: TaskId,
        /// Time to end by itself before SIGKILL (shell) or a forced stop (external).
        grace_ms: Option<u64>,
    },
    /// Stop every live task with reason `shutdown`.
    Shutdown {
        /// Grace as for stop.
        grace_ms: Option<u64>,
    },
    /// An external task reports progress.
    Progress(ProgressReport),
    /// An external task reports its outcome.
    Complete(CompleteTask),
    /// A shell task's process started.
    ProcessStarted {
        /// The task.
        id: TaskId,
        /// The command's pid (group leader).
        pid: u32,
    },
    /// Recovery found no trace of a shell task's process: its start was recorded, but the
    /// runtime stopped before the process was launched. The task is launched again (same
    /// attempt); a stop that was under way ends it instead, as the process it waited for never
    /// existed.
    NeverStarted {
        /// The task.
        id: TaskId,
    },
    /// A shell task's process could not be started.
    SpawnFailed {
        /// The task.
        id: TaskId,
        /// The OS's message.
        message: String,
    },
    /// A shell task's process ended (or vanished).
    ProcessExited {
        /// The task.
        id: TaskId,
        /// How it ended.
        outcome: ExitOutcome,
    },
    /// A shell task's output grew (idle timeout anchor and counters).
    OutputGrew {
        /// The task.
        id: TaskId,
        /// Bytes written so far.
        total_bytes: u64,
        /// Bytes dropped by the cap so far.
        dropped_bytes: u64,
    },
    /// A condition of a shell task's `ready` holds.
    Ready {
        /// The task.
        id: TaskId,
        /// Which one.
        condition: crate::task::ReadyCondition,
        /// The matching line, the port, or the HTTP status.
        detail: String,
    },
    /// The set of TCP ports a shell task's processes listen on changed (sorted by port).
    PortsObserved {
        /// The task.
        id: TaskId,
        /// The ports now.
        ports: Vec<crate::task::ListeningPort>,
    },
    /// The runtime's timer fired: everything due at `now` is carried out.
    TimerFired,
    /// After [`crate::Engine::restore`] and the recovery observations: start what may start and
    /// carry out what is due.
    Resume,
    /// Move a task to another session.
    Transfer {
        /// The task.
        id: TaskId,
        /// The destination session.
        session: String,
    },
    /// Close a session: apply its live tasks' close policies.
    CloseSession {
        /// The session.
        session: String,
        /// Where `transfer` tasks go.
        successor: Option<String>,
    },
    /// Acknowledge notifications of a session.
    Ack {
        /// The session.
        session: String,
        /// The notifications.
        ids: Vec<NotificationId>,
    },
    /// Set a group's limit (0 = unlimited); takes effect at once.
    SetGroupLimit {
        /// The group.
        group: String,
        /// The limit.
        limit: u32,
    },
    /// A live tty task's terminal got a new size (the runtime applies it to the process).
    Resize {
        /// The task.
        id: TaskId,
        /// The new size.
        size: TtySize,
    },
    /// Remove a terminal task's record.
    Remove {
        /// The task.
        id: TaskId,
    },
}

/// A create request. Build with [`CreateTask::shell`] or [`CreateTask::external`] and set fields.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTask {
    /// Shell or external kind.
    pub kind: Kind,
    /// The owning session.
    pub session: String,
    /// A label; defaults to the command line.
    pub name: Option<String>,
    /// Shell: argv.
    pub command: Option<Vec<String>>,
    /// Shell: working directory.
    pub cwd: Option<String>,
    /// Shell: environment.
    pub env: Env,
    /// Shell: what the environment starts from (default: the daemon's).
    pub base_env: BaseEnv,
    /// Concurrency group (default `default`).
    pub group: Option<String>,
    /// Tasks to wait for.
    pub after: Vec<TaskId>,
    /// Idempotency key within the session.
    pub key: Option<String>,
    /// Run time limit.
    pub timeout_ms: Option<u64>,
    /// Idle limit.
    pub idle_timeout_ms: Option<u64>,
    /// Pending limit.
    pub queue_timeout_ms: Option<u64>,
    /// Attempts allowed (shell; default 1).
    pub max_attempts: Option<u32>,
    /// Stdin mode (shell).
    pub stdin: StdinMode,
    /// Stderr mode (shell).
    pub stderr: StderrMode,
    /// Run in a terminal of this size (shell).
    pub tty: Option<TtySize>,
    /// Close policy (default keep).
    pub close_policy: Option<ClosePolicy>,
    /// Parent task.
    pub parent: Option<TaskId>,
    /// Shell tasks: when the task counts as ready (CONTRACT.md §9).
    pub ready: Option<crate::task::ReadySpec>,
    /// For subagents: the harness's child session.
    pub child_session: Option<String>,
}

impl CreateTask {
    /// A shell task running `argv` in `session`.
    pub fn shell<I, S>(session: impl Into<String>, argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            command: Some(argv.into_iter().map(Into::into).collect()),
            ..Self::external(Kind::Shell, session, "")
        }
    }

    /// An external task of `kind` named `name` in `session`.
    pub fn external(kind: Kind, session: impl Into<String>, name: impl Into<String>) -> Self {
        let name: String = name.into();
        Self {
            kind,
            session: session.into(),
            name: (!name.is_empty()).then_some(name),
            command: None,
            cwd: None,
            env: Env::default(),
            base_env: BaseEnv::Daemon,
            group: None,
            after: Vec::new(),
            key: None,
            timeout_ms: None,
            idle_timeout_ms: None,
            queue_timeout_ms: None,
            max_attempts: None,
            stdin: StdinMode::Null,
            stderr: StderrMode::Combined,
            tty: None,
            close_policy: None,
            parent: None,
            ready: None,
            child_session: None,
        }
    }
}

/// Progress of an external task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressReport {
    /// The task.
    pub id: TaskId,
    /// A message to show.
    pub message: Option<String>,
    /// `running` or `waiting`.
    pub state: Option<State>,
}

/// The outcome of an external task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteTask {
    /// The task.
    pub id: TaskId,
    /// `completed`, `failed` or `cancelled`.
    pub state: State,
    /// Result or failure text.
    pub summary: Option<String>,
}

/// How a shell task's process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExitOutcome {
    /// It exited with this status.
    Exited(i32),
    /// A signal killed it, e.g. `SIGKILL`.
    Signaled(String),
    /// It vanished while nobody could record its exit.
    Lost,
}

/// Why a stop is under way; becomes the terminal reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopCause {
    /// Stopped by request.
    Stopped,
    /// Session closed with policy `cancel`.
    SessionClosed,
    /// Parent cancelled.
    ParentCancelled,
    /// Daemon shutdown with `--kill-tasks`.
    Shutdown,
    /// Ran past `timeout_ms` (shell: process being stopped).
    TimedOut,
    /// Idle past `idle_timeout_ms` (shell: process being stopped).
    Stale,
}

impl StopCause {
    /// The terminal state and reason this stop ends in.
    pub const fn outcome(self) -> (State, Reason) {
        match self {
            Self::Stopped => (State::Cancelled, Reason::Stopped),
            Self::SessionClosed => (State::Cancelled, Reason::SessionClosed),
            Self::ParentCancelled => (State::Cancelled, Reason::ParentCancelled),
            Self::Shutdown => (State::Cancelled, Reason::Shutdown),
            Self::TimedOut => (State::Failed, Reason::TimedOut),
            Self::Stale => (State::Failed, Reason::Stale),
        }
    }

    /// Whether this stop cancels the task (and so its descendants).
    pub const fn is_cancel(self) -> bool {
        matches!(self.outcome().0, State::Cancelled)
    }
}
