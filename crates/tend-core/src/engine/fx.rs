//! The accumulator of one step's effects, turned into a [`Step`] at its end.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use crate::effect::{Action, Changes, Reply, Step, Wake};
use crate::event::Event;
use crate::id::{NotificationId, Seq, TaskId};
use crate::notification::Notification;
use crate::shared::SharedStr;

/// What a handler answers, by id: the records are read once the step is complete.
#[derive(Debug)]
pub(crate) enum Answer {
    Done,
    Created { created: bool, id: TaskId },
    Task(TaskId),
    Tasks(Vec<TaskId>),
    Group(String),
}

/// What one step has done so far.
#[derive(Debug, Default)]
pub(crate) struct Fx {
    touched: Vec<TaskId>,
    /// The same ids as `touched`, filled only once a step touches many tasks: most steps touch
    /// one or two, and a linear search of those is cheaper than a set.
    touched_set: HashSet<TaskId>,
    pub removed: Vec<TaskId>,
    pub events: Vec<Event>,
    pub pruned_before: Option<Seq>,
    pub notifications: Vec<Arc<Notification>>,
    pub acked: Vec<NotificationId>,
    pub group_limits: Vec<(String, u32)>,
    pub actions: Vec<Action>,
    pub wake_sessions: BTreeSet<SharedStr>,
    /// Groups whose queue may now start tasks.
    pub schedule: BTreeSet<SharedStr>,
}

impl Fx {
    /// Records that `id`'s stored form changed.
    pub fn touch(&mut self, id: TaskId) {
        const LINEAR: usize = 16;
        if self.touched.len() < LINEAR {
            if !self.touched.contains(&id) {
                self.touched.push(id);
            }
            return;
        }
        if self.touched_set.is_empty() {
            self.touched_set.extend(self.touched.iter().copied());
        }
        if self.touched_set.insert(id) {
            self.touched.push(id);
        }
    }

    /// Marks `group` for scheduling at the end of the step.
    pub fn schedule(&mut self, group: &SharedStr) {
        if !self.schedule.contains(group) {
            self.schedule.insert(group.clone());
        }
    }

    /// Builds the step; `stored` looks up a task's stored form after the step.
    pub fn into_step(
        self,
        reply: Reply,
        stored: impl Fn(TaskId) -> Option<crate::spec::StoredTask>,
        sequences: crate::effect::Sequences,
        next_timer: Option<crate::time::Timestamp>,
    ) -> Step {
        let tasks = self.touched.iter().filter_map(|&id| stored(id)).collect();
        let mut wake_tasks = self.touched;
        wake_tasks.extend(self.removed.iter().copied());
        let events_up_to = self.events.last().map(|e| e.seq);
        Step {
            reply,
            changes: Changes {
                tasks,
                removed_tasks: self.removed,
                events: self.events,
                events_pruned_before: self.pruned_before,
                notifications: self.notifications,
                acked_notifications: self.acked,
                group_limits: self.group_limits,
                sequences,
            },
            actions: self.actions,
            wake: Wake {
                tasks: wake_tasks,
                sessions: self.wake_sessions.into_iter().collect(),
                events_up_to,
            },
            next_timer,
        }
    }
}
