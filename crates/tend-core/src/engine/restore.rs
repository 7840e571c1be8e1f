//! Restoring the engine from what the store kept, rebuilding every index.

use std::collections::HashSet;
use std::sync::Arc;

use crate::config::Config;
use crate::effect::Sequences;
use crate::error::RestoreError;
use crate::event::Event;
use crate::notification::Notification;
use crate::spec::StoredTask;
use crate::task::State;

use super::{Engine, TimerKind};

/// Everything the store keeps, as read back for recovery.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every retained task.
    pub tasks: Vec<StoredTask>,
    /// Unacknowledged notifications.
    pub notifications: Vec<Notification>,
    /// Retained events, consecutive.
    pub events: Vec<Event>,
    /// Group limits set at run time (they override `config.groups`).
    pub group_limits: Vec<(String, u32)>,
    /// The sequences.
    pub sequences: Sequences,
}

impl Engine {
    /// Rebuilds an engine from `snapshot`. Feed the recovery observations (process exits, lost
    /// processes) next, then [`crate::Input::Resume`] to start what may start.
    pub fn restore(config: Config, snapshot: Snapshot) -> Result<Self, RestoreError> {
        let mut engine = Self::new(config);
        let mut seq = snapshot.sequences;
        seq.next_task = seq.next_task.max(1);
        seq.next_event = seq.next_event.max(1);
        seq.next_notification = seq.next_notification.max(1);
        for (name, limit) in snapshot.group_limits {
            engine.group_mut(&name).limit = limit;
        }
        let mut tasks = snapshot.tasks;
        tasks.sort_by_key(|s| s.task.id);
        let mut seen = HashSet::new();
        for stored in &tasks {
            let id = stored.task.id;
            if !seen.insert(id) {
                return Err(RestoreError::DuplicateTask { id });
            }
            if id.number() >= seq.next_task {
                return Err(RestoreError::IdBeyondSequence {
                    id,
                    next: seq.next_task,
                });
            }
        }
        for mut stored in tasks {
            // Records name their session and group with the engine's shared names, as new ones do.
            engine.session_mut(&stored.task.session);
            let session = engine.session_name(&stored.task.session);
            engine.group_mut(&stored.task.group);
            let group = engine.group_name(&stored.task.group);
            let record = stored.record_mut();
            record.session = session;
            record.group = group;
            let task = &stored.task;
            let id = task.id;
            engine.order.insert(id);
            let session = engine.session_mut(&task.session);
            session.tasks.insert(id);
            if task.is_live() {
                session.live += 1;
            }
            if task.is_live() {
                engine.live.insert(id);
                if let Some(key) = &task.key {
                    engine
                        .keys
                        .insert((task.session.to_string(), key.clone()), id);
                }
            }
            let group = engine.group_mut(&task.group);
            if task.state.holds_slot() {
                group.running += 1;
            }
            if task.state == State::Pending {
                group.pending += 1;
            }
            if let Some(parent) = task.parent {
                engine.children.entry(parent).or_default().push(id);
            }
            engine.tasks.insert(id, stored);
        }
        let pending: Vec<_> = engine
            .order
            .iter()
            .copied()
            .filter(|id| engine.tasks[id].task.state == State::Pending)
            .collect();
        for id in pending {
            let after = engine.tasks[&id].task.after.clone();
            let mut unmet = 0;
            let mut doomed = false;
            for dep in after {
                match engine.tasks.get(&dep).map(|d| d.task.state) {
                    Some(State::Completed) | None => {}
                    Some(State::Failed | State::Cancelled) => doomed = true,
                    Some(
                        State::Pending | State::Running | State::Waiting | State::CancelRequested,
                    ) => {
                        engine.dependents.entry(dep).or_default().push(id);
                        unmet += 1;
                    }
                }
            }
            if doomed {
                engine.restore_failures.push(id);
            } else if unmet > 0 {
                engine.unmet.insert(id, unmet);
            } else if engine.tasks[&id].run.retry_at.is_none() {
                let group = engine.tasks[&id].task.group.clone();
                engine.group_mut(&group).ready.insert(id);
            }
        }
        for mut notification in snapshot.notifications {
            notification.session = engine.session_name(&notification.session);
            if let Some(task) = notification.task_id
                && notification.kind == crate::notification::NotificationKind::TaskFinished
            {
                engine.unacked_tasks.insert(task, notification.id);
            }
            engine
                .outbox
                .entry(notification.session.clone())
                .or_default()
                .insert(notification.id, Arc::new(notification));
        }
        let mut events = snapshot.events;
        events.sort_by_key(|e| e.seq);
        for pair in events.windows(2) {
            if pair[1].seq != pair[0].seq + 1 {
                return Err(RestoreError::EventGap { seq: pair[1].seq });
            }
        }
        if let Some(last) = events.last() {
            seq.next_event = seq.next_event.max(last.seq + 1);
        }
        engine.events = events.into();
        engine.seq = seq;
        let ids: Vec<_> = engine.order.iter().copied().collect();
        for id in ids {
            for kind in [
                TimerKind::Queue,
                TimerKind::Retry,
                TimerKind::Timeout,
                TimerKind::Idle,
                TimerKind::StopDeadline,
                TimerKind::Evict,
            ] {
                engine.arm(id, kind);
            }
        }
        Ok(engine)
    }
}
