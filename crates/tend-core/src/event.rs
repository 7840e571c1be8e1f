//! Events: every change the engine makes, numbered without gaps across the whole engine.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::id::{Seq, TaskId};
use crate::shared::SharedStr;
use crate::task::{Reason, State, Task};
use crate::time::Timestamp;

/// One event of the log (CONTRACT.md §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// Position in the log; increases by one per event.
    pub seq: Seq,
    /// When it happened.
    pub at: Timestamp,
    /// The task it concerns.
    pub task_id: TaskId,
    /// The task's session when it happened.
    pub session: SharedStr,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What an event reports. Serialised with a `type` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum EventKind {
    /// A task was created.
    Registered {
        /// The new record.
        task: Arc<Task>,
    },
    /// A task started (shell: its process is running).
    Started {
        /// The attempt that started.
        attempt: u32,
        /// The command's pid (shell tasks).
        pid: Option<u32>,
    },
    /// An external task reported progress.
    Progress {
        /// The message, if one was given.
        message: Option<String>,
        /// The state after the report.
        state: State,
    },
    /// A non-terminal state change (running/waiting/cancel_requested).
    StateChanged {
        /// The previous state.
        from: State,
        /// The new state.
        to: State,
    },
    /// A failed attempt will be retried.
    Retrying {
        /// The attempt that failed.
        failed_attempt: u32,
        /// Why it failed.
        reason: Reason,
        /// Its exit code, if it exited.
        exit_code: Option<i32>,
        /// Its signal, if it was killed.
        signal: Option<String>,
        /// When the next attempt becomes ready.
        retry_at: Timestamp,
    },
    /// The task reached its terminal state.
    Finished {
        /// The terminal record.
        task: Arc<Task>,
    },
    /// The task moved to another session.
    Transferred {
        /// The session it left.
        from: String,
        /// The session it joined (also the event's `session`).
        to: String,
    },
    /// The task's record was removed.
    Removed,
    /// The task became ready (once).
    Ready {
        /// Which condition held.
        condition: crate::task::ReadyCondition,
        /// The matching line, the port, or the HTTP status.
        detail: String,
    },
    /// The set of TCP ports the task listens on changed.
    PortsChanged {
        /// The ports now, sorted by port.
        ports: Vec<crate::task::ListeningPort>,
    },
}

impl EventKind {
    /// The wire name of the event type.
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::Registered { .. } => "registered",
            Self::Started { .. } => "started",
            Self::Progress { .. } => "progress",
            Self::StateChanged { .. } => "state_changed",
            Self::Retrying { .. } => "retrying",
            Self::Finished { .. } => "finished",
            Self::Transferred { .. } => "transferred",
            Self::Removed => "removed",
            Self::PortsChanged { .. } => "ports_changed",
            Self::Ready { .. } => "ready",
        }
    }
}

/// Which events a replay returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only events of this session.
    pub session: Option<String>,
    /// Only events of this task.
    pub task: Option<TaskId>,
}

impl EventFilter {
    /// Whether `event` passes the filter.
    pub fn matches(&self, event: &Event) -> bool {
        self.session.as_deref().is_none_or(|s| s == &*event.session)
            && self.task.is_none_or(|t| t == event.task_id)
    }
}
