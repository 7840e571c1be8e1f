//! The transitions: becoming ready, starting, the one terminal step, retrying and stopping.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::effect::{Action, Signal};
use crate::error::Error;
use crate::event::EventKind;
use crate::id::NotificationId;
use crate::id::TaskId;
use crate::input::StopCause;
use crate::notification::{Notification, NotificationKind};
use crate::spec::StopState;
use crate::task::{Reason, State};
use crate::time::Timestamp;

use super::{Answer, Engine, Fx, TimerKind, text};

/// How a terminal transition ended, beyond state and reason.
#[derive(Debug, Default)]
pub(crate) struct Ending {
    pub exit_code: Option<i32>,
    pub signal: Option<String>,
    pub summary: Option<String>,
}

impl Engine {
    /// Puts a pending task whose dependencies are met into its group's FIFO queue.
    pub(crate) fn make_ready(&mut self, id: TaskId, fx: &mut Fx) {
        let Some(stored) = self.tasks.get(&id) else {
            return;
        };
        if stored.task.state != State::Pending || stored.run.retry_at.is_some() {
            return;
        }
        if self.unmet.get(&id).is_some_and(|&n| n > 0) {
            return;
        }
        let group = stored.task.group.clone();
        self.group_mut(&group).ready.insert(id);
        fx.schedule(&group);
    }

    /// Starts ready tasks in every group marked for scheduling, in FIFO order, while slots last.
    pub(crate) fn run_schedule(&mut self, now: Timestamp, fx: &mut Fx) {
        while let Some(name) = fx.schedule.pop_first() {
            while let Some(id) = self.take_slot(&name) {
                self.start(id, now, fx);
            }
        }
    }

    /// Takes a slot of `name` for the first ready task, if the limit allows.
    fn take_slot(&mut self, name: &str) -> Option<TaskId> {
        let group = self.groups.get_mut(name)?;
        if group.limit != 0 && group.running >= group.limit {
            return None;
        }
        let id = group.ready.pop_first()?;
        group.running += 1;
        group.pending -= 1;
        Some(id)
    }

    /// Pending → running, holding a slot already taken by the caller.
    fn start(&mut self, id: TaskId, now: Timestamp, fx: &mut Fx) {
        let Some(stored) = self.tasks.get_mut(&id) else {
            return;
        };
        let task = stored.record_mut();
        task.state = State::Running;
        task.started_at = Some(now);
        task.pid = None;
        task.exit_code = None;
        task.signal = None;
        stored.run.pending_since = None;
        stored.run.retry_at = None;
        stored.run.last_activity_at = Some(now);
        let shell = stored.task.kind.is_shell();
        let attempt = stored.task.attempt;
        self.touch(id, now, fx);
        if shell {
            fx.actions.push(Action::Spawn {
                task: self.tasks[&id].clone(),
            });
        } else {
            self.emit(id, EventKind::Started { attempt, pid: None }, now, fx);
        }
        self.arm(id, TimerKind::Timeout);
        self.arm(id, TimerKind::Idle);
    }

    /// The one terminal transition. Does nothing if the task is already terminal (the first
    /// terminal transition wins). Releases the slot, queues exactly one `task_finished`
    /// notification (and `all_finished` when the session's last live task ended and two or more
    /// tasks finished since the previous summary), emits one
    /// `finished` event, starts the retention clock, and fails dependents that can no longer run.
    pub(crate) fn finish(
        &mut self,
        id: TaskId,
        state: State,
        reason: Reason,
        now: Timestamp,
        fx: &mut Fx,
    ) -> bool {
        self.finish_with(id, state, reason, Ending::default(), now, fx)
    }

    pub(crate) fn finish_with(
        &mut self,
        id: TaskId,
        state: State,
        reason: Reason,
        ending: Ending,
        now: Timestamp,
        fx: &mut Fx,
    ) -> bool {
        debug_assert!(state.is_terminal());
        let mut work = vec![(id, state, reason, ending)];
        let mut first = true;
        let mut finished_any = false;
        while let Some((id, state, reason, ending)) = work.pop() {
            let done = self.finish_one(id, state, reason, ending, now, fx);
            if first {
                finished_any = done;
                first = false;
            }
            if !done {
                continue;
            }
            if state == State::Cancelled {
                // Whatever cancelled it, its live descendants do not outlive it.
                let grace = self.config.default_grace_ms;
                for child in self.live_descendants(id) {
                    self.stop_task(child, StopCause::ParentCancelled, grace, now, fx);
                }
            }
            let dependents = self.dependents.remove(&id).unwrap_or_default();
            for dependent in dependents {
                if self
                    .tasks
                    .get(&dependent)
                    .is_none_or(|d| d.task.state != State::Pending)
                {
                    continue;
                }
                if state == State::Completed {
                    let left = self.unmet.get_mut(&dependent).map(|n| {
                        *n = n.saturating_sub(1);
                        *n
                    });
                    if left == Some(0) {
                        self.unmet.remove(&dependent);
                        self.make_ready(dependent, fx);
                    }
                } else {
                    work.push((
                        dependent,
                        State::Failed,
                        Reason::DependencyFailed,
                        Ending::default(),
                    ));
                }
            }
        }
        finished_any
    }

    fn finish_one(
        &mut self,
        id: TaskId,
        state: State,
        reason: Reason,
        ending: Ending,
        now: Timestamp,
        fx: &mut Fx,
    ) -> bool {
        let Some(stored) = self.tasks.get_mut(&id) else {
            return false;
        };
        let previous = stored.task.state;
        if previous.is_terminal() {
            return false;
        }
        let task = stored.record_mut();
        task.state = state;
        task.ports.clear();
        task.reason = Some(reason);
        task.finished_at = Some(now);
        if ending.exit_code.is_some() || ending.signal.is_some() {
            task.exit_code = ending.exit_code;
            task.signal = ending.signal;
        }
        if ending.summary.is_some() {
            task.summary = ending.summary;
        }
        task.updated_at = now;
        stored.run.stop = None;
        stored.run.retry_at = None;
        stored.run.pending_since = None;
        stored.run.evict_at = Some(now.plus_ms(self.config.retention_ms));
        // The terminal record, shared with the event; it is not changed again.
        let record = Arc::clone(&stored.task);

        let group = self.group_mut(&record.group);
        if previous.holds_slot() {
            group.running -= 1;
            fx.schedule(&record.group);
        } else if previous == State::Pending {
            group.pending -= 1;
            group.ready.remove(&id);
        }
        self.unmet.remove(&id);
        self.live.remove(&id);
        if let Some(key) = &record.key {
            let entry = (record.session.to_string(), key.clone());
            if self.keys.get(&entry) == Some(&id) {
                self.keys.remove(&entry);
            }
        }
        self.touch(id, now, fx);

        let notification = Notification {
            id: self.next_notification_id(),
            session: record.session.clone(),
            task_id: Some(id),
            kind: NotificationKind::TaskFinished,
            state: Some(state),
            reason: Some(reason),
            exit_code: record.exit_code,
            name: Some(record.name.clone()),
            text: text::task_finished(&record, now),
            tasks: Vec::new(),
            created_at: now,
        };
        self.unacked_tasks.insert(id, notification.id);
        self.queue_notification(notification, fx);
        self.emit(
            id,
            EventKind::Finished {
                task: Arc::clone(&record),
            },
            now,
            fx,
        );
        self.arm(id, TimerKind::Evict);

        let session = self.session_mut(&record.session);
        session.live -= 1;
        session.finished_since_summary.push(id);
        if session.live == 0 {
            let finished = std::mem::take(&mut session.finished_since_summary);
            // One task's own notification says all there is: a summary needs two or more.
            if finished.len() < 2 {
                return true;
            }
            let text = text::all_finished(
                finished
                    .iter()
                    .filter_map(|t| self.tasks.get(t).map(|s| &*s.task)),
            );
            let summary = Notification {
                id: self.next_notification_id(),
                session: record.session.clone(),
                task_id: None,
                kind: NotificationKind::AllFinished,
                state: None,
                reason: None,
                exit_code: None,
                name: None,
                text,
                tasks: finished,
                created_at: now,
            };
            self.queue_notification(summary, fx);
        }
        true
    }

    fn next_notification_id(&mut self) -> NotificationId {
        let id = NotificationId::new(self.seq.next_notification);
        self.seq.next_notification += 1;
        id
    }

    /// Queues a notification of `kind` about a live task (one that does not end it) to its
    /// session.
    pub(crate) fn notify_task(
        &mut self,
        id: TaskId,
        kind: NotificationKind,
        text: String,
        now: Timestamp,
        fx: &mut Fx,
    ) {
        let record = Arc::clone(&self.tasks[&id].task);
        let notification = Notification {
            id: self.next_notification_id(),
            session: record.session.clone(),
            task_id: Some(id),
            kind,
            state: Some(record.state),
            reason: None,
            exit_code: None,
            name: Some(record.name.clone()),
            text,
            tasks: Vec::new(),
            created_at: now,
        };
        self.queue_notification(notification, fx);
    }

    fn queue_notification(&mut self, notification: Notification, fx: &mut Fx) {
        let notification = Arc::new(notification);
        let session = &notification.session;
        if !fx.wake_sessions.contains(session) {
            fx.wake_sessions.insert(session.clone());
        }
        if !self.outbox.contains_key(session) {
            self.outbox.insert(session.clone(), BTreeMap::new());
        }
        if let Some(outbox) = self.outbox.get_mut(session) {
            outbox.insert(notification.id, Arc::clone(&notification));
        }
        fx.notifications.push(notification);
    }

    /// A failed shell attempt goes back to pending as the next attempt after a backoff.
    /// Returns false when the task may not be retried.
    pub(crate) fn retry(
        &mut self,
        id: TaskId,
        reason: Reason,
        ending: &Ending,
        now: Timestamp,
        fx: &mut Fx,
    ) -> bool {
        let Some(stored) = self.tasks.get_mut(&id) else {
            return false;
        };
        let task = stored.record_mut();
        if !task.kind.is_shell() || !reason.is_retryable() || task.attempt >= task.max_attempts {
            return false;
        }
        let previous = task.state;
        let failed_attempt = task.attempt;
        let retry_at = now.plus_ms(self.config.backoff_ms(failed_attempt + 1));
        task.state = State::Pending;
        task.ports.clear();
        task.attempt += 1;
        task.pid = None;
        task.exit_code = ending.exit_code;
        task.signal = ending.signal.clone();
        stored.run.stop = None;
        stored.run.pending_since = Some(now);
        stored.run.retry_at = Some(retry_at);
        let group_name = stored.task.group.clone();
        let group = self.group_mut(&group_name);
        if previous.holds_slot() {
            group.running -= 1;
        }
        group.pending += 1;
        fx.schedule(&group_name);
        self.touch(id, now, fx);
        let kind = EventKind::Retrying {
            failed_attempt,
            reason,
            exit_code: ending.exit_code,
            signal: ending.signal.clone(),
            retry_at,
        };
        self.emit(id, kind, now, fx);
        self.arm(id, TimerKind::Retry);
        self.arm(id, TimerKind::Queue);
        true
    }

    /// Client stop: the task and its live descendants.
    pub(crate) fn stop_request(
        &mut self,
        id: TaskId,
        grace_ms: Option<u64>,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        let grace = self.grace(grace_ms)?;
        if self.entry(id)?.task.state.is_terminal() {
            return Ok(Answer::Task(id));
        }
        self.stop_tree(id, StopCause::Stopped, grace, now, fx);
        Ok(Answer::Task(id))
    }

    /// Stops every live task with reason `shutdown`.
    pub(crate) fn shutdown(
        &mut self,
        grace_ms: Option<u64>,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        let grace = self.grace(grace_ms)?;
        let live: Vec<TaskId> = self.live.iter().copied().collect();
        for &id in &live {
            self.stop_task(id, StopCause::Shutdown, grace, now, fx);
        }
        Ok(Answer::Tasks(live))
    }

    pub(crate) fn grace(&self, grace_ms: Option<u64>) -> Result<u64, Error> {
        match grace_ms {
            Some(ms) if ms > crate::config::MAX_DURATION_MS => {
                Err(Error::invalid("grace_ms", "must be at most 365 days"))
            }
            Some(ms) => Ok(ms),
            None => Ok(self.config.default_grace_ms),
        }
    }

    /// Stops `id` with `cause` and, when the cause cancels, its live descendants with
    /// `parent_cancelled`.
    pub(crate) fn stop_tree(
        &mut self,
        id: TaskId,
        cause: StopCause,
        grace: u64,
        now: Timestamp,
        fx: &mut Fx,
    ) {
        let descendants = if cause.is_cancel() {
            self.live_descendants(id)
        } else {
            Vec::new()
        };
        self.stop_task(id, cause, grace, now, fx);
        for child in descendants {
            self.stop_task(child, StopCause::ParentCancelled, grace, now, fx);
        }
    }

    /// Stops one task: pending tasks are cancelled at once; running shell tasks get SIGTERM now
    /// and SIGKILL at the deadline; running external tasks wait for their owner's confirmation
    /// until the deadline. A task already stopping keeps its cause; an earlier deadline wins.
    pub(crate) fn stop_task(
        &mut self,
        id: TaskId,
        cause: StopCause,
        grace: u64,
        now: Timestamp,
        fx: &mut Fx,
    ) {
        let Some(stored) = self.tasks.get_mut(&id) else {
            return;
        };
        let deadline = now.plus_ms(grace);
        let shell = stored.task.kind.is_shell();
        match stored.task.state {
            State::Completed | State::Failed | State::Cancelled => {}
            State::Pending => {
                let (state, reason) = cause.outcome();
                self.finish(id, state, reason, now, fx);
            }
            State::CancelRequested => {
                let Some(stop) = stored.run.stop.as_mut() else {
                    return;
                };
                if cause.is_cancel() && !stop.cause.is_cancel() {
                    // A stop request outranks a timeout under way: the task is not retried.
                    stop.cause = cause;
                    fx.touch(id);
                }
                if deadline < stop.deadline && !stop.killed {
                    stop.deadline = deadline;
                    self.touch(id, now, fx);
                    self.arm(id, TimerKind::StopDeadline);
                    if grace == 0 {
                        self.stop_deadline(id, now, fx);
                    }
                }
            }
            from @ (State::Running | State::Waiting) => {
                if !shell && grace == 0 {
                    let (state, reason) = cause.outcome();
                    self.finish(id, state, reason, now, fx);
                    return;
                }
                stored.record_mut().state = State::CancelRequested;
                stored.run.stop = Some(StopState {
                    cause,
                    deadline,
                    killed: false,
                });
                self.touch(id, now, fx);
                self.emit(
                    id,
                    EventKind::StateChanged {
                        from,
                        to: State::CancelRequested,
                    },
                    now,
                    fx,
                );
                if shell {
                    fx.actions.push(Action::Signal {
                        id,
                        signal: Signal::Term,
                    });
                }
                self.arm(id, TimerKind::StopDeadline);
                if shell && grace == 0 {
                    self.stop_deadline(id, now, fx);
                }
            }
        }
    }

    /// The stop's grace ran out: SIGKILL for shell tasks, a forced end for external ones.
    pub(crate) fn stop_deadline(&mut self, id: TaskId, now: Timestamp, fx: &mut Fx) {
        let Some(stored) = self.tasks.get_mut(&id) else {
            return;
        };
        let Some(stop) = stored.run.stop.as_mut() else {
            return;
        };
        if stored.task.kind.is_shell() {
            if !stop.killed {
                stop.killed = true;
                self.touch(id, now, fx);
                fx.actions.push(Action::Signal {
                    id,
                    signal: Signal::Kill,
                });
            }
        } else {
            let (state, reason) = stop.cause.outcome();
            self.finish(id, state, reason, now, fx);
        }
    }
}
