//! Notifications: the per-session outbox entries that tell a session its work ended.

use serde::{Deserialize, Serialize};

use crate::id::{NotificationId, TaskId};
use crate::shared::SharedStr;
use crate::task::{Reason, State};
use crate::time::Timestamp;

/// What a notification announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum NotificationKind {
    /// One task reached its terminal state.
    TaskFinished,
    /// The session's last live task ended; sums up the tasks finished since the previous one
    /// (queued only when they are two or more).
    AllFinished,
    /// A task became ready (CONTRACT.md §9).
    TaskReady,
}

/// One outbox entry (CONTRACT.md §3.11). Kept until acknowledged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Notification {
    /// `n<N>`.
    pub id: NotificationId,
    /// The session it is for.
    pub session: SharedStr,
    /// The finished task (`task_finished`), null for `all_finished`.
    pub task_id: Option<TaskId>,
    /// The kind.
    pub kind: NotificationKind,
    /// The terminal state (`task_finished`).
    pub state: Option<State>,
    /// The terminal reason (`task_finished`).
    pub reason: Option<Reason>,
    /// The exit code, if the command exited.
    pub exit_code: Option<i32>,
    /// The task's name (`task_finished`).
    pub name: Option<SharedStr>,
    /// One line for a model or a person.
    pub text: String,
    /// `all_finished`: the tasks summed up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<TaskId>,
    /// When it was queued.
    pub created_at: Timestamp,
}
