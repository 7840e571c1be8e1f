//! What one engine step returns: the reply, the changes to persist, the actions to carry out.

use std::sync::Arc;

use crate::engine::GroupStatus;
use crate::event::Event;
use crate::id::{NotificationId, Seq, TaskId};
use crate::notification::Notification;
use crate::shared::SharedStr;
use crate::spec::StoredTask;
use crate::task::Task;
use crate::time::Timestamp;

/// The result of [`crate::Engine::handle`].
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The answer for the caller.
    pub reply: Reply,
    /// What to persist, as one unit, before anything else is visible.
    pub changes: Changes,
    /// What to do to processes, in order, after the changes are committed.
    pub actions: Vec<Action>,
    /// Whom to wake after the commit.
    pub wake: Wake,
    /// The earliest instant at which [`crate::Input::TimerFired`] has work to do.
    pub next_timer: Option<Timestamp>,
}

/// The answer of a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Nothing to answer.
    Done,
    /// A create: `created` is false when a live task with the same key was returned.
    Created {
        /// Whether a new task was made.
        created: bool,
        /// The record.
        task: Arc<Task>,
    },
    /// One record.
    Task(Arc<Task>),
    /// Several records.
    Tasks(Vec<Arc<Task>>),
    /// A group's status.
    Group(GroupStatus),
}

/// The changes of one step, persisted as one unit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Changes {
    /// Tasks created or changed: their whole stored form after the step.
    pub tasks: Vec<StoredTask>,
    /// Tasks whose records were removed or evicted.
    pub removed_tasks: Vec<TaskId>,
    /// Events appended, in order.
    pub events: Vec<Event>,
    /// Events before this sequence number are no longer retained.
    pub events_pruned_before: Option<Seq>,
    /// Notifications queued.
    pub notifications: Vec<Arc<Notification>>,
    /// Notifications acknowledged (or dropped with their evicted task).
    pub acked_notifications: Vec<NotificationId>,
    /// Group limits set.
    pub group_limits: Vec<(String, u32)>,
    /// The sequences after the step.
    pub sequences: Sequences,
}

impl Changes {
    /// Whether there is nothing to persist but the sequences.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
            && self.removed_tasks.is_empty()
            && self.events.is_empty()
            && self.events_pruned_before.is_none()
            && self.notifications.is_empty()
            && self.acked_notifications.is_empty()
            && self.group_limits.is_empty()
    }
}

/// The engine's sequences: the next numbers it will issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Sequences {
    /// The next task number (`t<N>`).
    pub next_task: u64,
    /// The next event sequence number.
    pub next_event: Seq,
    /// The next notification number (`n<N>`).
    pub next_notification: u64,
}

/// A signal the runtime sends to a shell task's process group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM to the group.
    Term,
    /// SIGKILL to the group and every descendant that left it.
    Kill,
}

/// Something the runtime must do to the world.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Start this shell task's process (attempt `attempt`); report back with
    /// [`crate::Input::ProcessStarted`] or [`crate::Input::SpawnFailed`].
    Spawn {
        /// The task to run, with its spec.
        task: StoredTask,
    },
    /// Signal this task's process group.
    Signal {
        /// The task.
        id: TaskId,
        /// Which signal.
        signal: Signal,
    },
    /// Delete this task's output and shim files.
    DeleteOutput {
        /// The task.
        id: TaskId,
    },
}

/// Whom to wake after the commit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Wake {
    /// Waiters on these tasks.
    pub tasks: Vec<TaskId>,
    /// Waiters on these sessions' notifications.
    pub sessions: Vec<SharedStr>,
    /// Event subscribers, up to this sequence number.
    pub events_up_to: Option<Seq>,
}
