//! Timers: queue, retry, run and idle timeouts, stop deadlines, eviction; and event pruning.
//!
//! Timers are lazy: each task has at most one entry per kind in one ordered set, and a fired
//! entry recomputes its deadline from the record, so an output burst only moves an anchor.

use crate::id::TaskId;
use crate::input::StopCause;
use crate::shared::SharedStr;
use crate::task::{Reason, State};
use crate::time::Timestamp;

use super::{Engine, Fx};

/// What a timer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum TimerKind {
    /// `queue_timeout_ms` of a pending task.
    Queue,
    /// The end of a retry backoff.
    Retry,
    /// `timeout_ms` of a started task.
    Timeout,
    /// `idle_timeout_ms` of a started task.
    Idle,
    /// The end of a stop's grace.
    StopDeadline,
    /// Retention of a terminal task.
    Evict,
}

impl Engine {
    /// When a timer of `kind` is due for `id`, if it applies to the task's current state.
    pub(crate) fn due(&self, id: TaskId, kind: TimerKind) -> Option<Timestamp> {
        let stored = self.tasks.get(&id)?;
        let task = &stored.task;
        let run = &stored.run;
        let started = matches!(task.state, State::Running | State::Waiting);
        match kind {
            TimerKind::Queue => {
                let limit = stored.spec.queue_timeout_ms?;
                if task.state != State::Pending {
                    return None;
                }
                let since = run.pending_since?.max(run.retry_at.unwrap_or_default());
                Some(since.plus_ms(limit))
            }
            TimerKind::Retry => (task.state == State::Pending).then_some(run.retry_at?),
            TimerKind::Timeout => started.then_some(task.started_at?.plus_ms(task.timeout_ms?)),
            TimerKind::Idle => {
                started.then_some(run.last_activity_at?.plus_ms(task.idle_timeout_ms?))
            }
            TimerKind::StopDeadline => {
                let stop = run.stop?;
                (task.state == State::CancelRequested && !stop.killed).then_some(stop.deadline)
            }
            TimerKind::Evict => {
                let evict_at = run.evict_at?;
                if !task.state.is_terminal() {
                    return None;
                }
                if self.unacked_tasks.contains_key(&id) {
                    let finished = task.finished_at.unwrap_or(evict_at);
                    Some(evict_at.max(finished.plus_ms(self.config.unacked_retention_ms)))
                } else {
                    Some(evict_at)
                }
            }
        }
    }

    /// Schedules the timer of `kind` for `id` if it applies.
    pub(crate) fn arm(&mut self, id: TaskId, kind: TimerKind) {
        if let Some(at) = self.due(id, kind) {
            self.timers.insert((at, id, kind));
        }
    }

    /// The earliest instant at which a timer has work to do.
    pub(crate) fn next_timer(&self) -> Option<Timestamp> {
        let timer = self.timers.first().map(|&(at, _, _)| at);
        let prune = self
            .events
            .front()
            .map(|e| e.at.plus_ms(self.config.retention_ms));
        match (timer, prune) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Carries out everything due at `now`.
    pub(crate) fn fire_timers(&mut self, now: Timestamp, fx: &mut Fx) {
        while let Some(&(at, id, kind)) = self.timers.first() {
            if at > now {
                break;
            }
            self.timers.pop_first();
            match self.due(id, kind) {
                None => {}
                Some(due) if due > now => {
                    self.timers.insert((due, id, kind));
                }
                Some(_) => self.fire(id, kind, now, fx),
            }
        }
        self.prune_events(now, fx);
    }

    fn fire(&mut self, id: TaskId, kind: TimerKind, now: Timestamp, fx: &mut Fx) {
        let Some(stored) = self.tasks.get_mut(&id) else {
            return;
        };
        let shell = stored.task.kind.is_shell();
        let grace = self.config.default_grace_ms;
        match kind {
            TimerKind::Queue => {
                self.finish(id, State::Failed, Reason::QueueTimeout, now, fx);
            }
            TimerKind::Retry => {
                stored.run.retry_at = None;
                self.touch(id, now, fx);
                self.make_ready(id, fx);
                self.arm(id, TimerKind::Queue);
            }
            TimerKind::Timeout | TimerKind::Idle => {
                let (cause, reason) = if kind == TimerKind::Timeout {
                    (StopCause::TimedOut, Reason::TimedOut)
                } else {
                    (StopCause::Stale, Reason::Stale)
                };
                if shell {
                    self.stop_task(id, cause, grace, now, fx);
                } else {
                    self.finish(id, State::Failed, reason, now, fx);
                }
            }
            TimerKind::StopDeadline => self.stop_deadline(id, now, fx),
            TimerKind::Evict => self.evict(id, now, fx),
        }
    }

    /// Drops events older than the retention from the front of the log.
    fn prune_events(&mut self, now: Timestamp, fx: &mut Fx) {
        let mut pruned = None;
        while let Some(event) = self.events.front() {
            if event.at.plus_ms(self.config.retention_ms) > now {
                break;
            }
            pruned = Some(event.seq + 1);
            self.events.pop_front();
        }
        if pruned.is_some() {
            fx.pruned_before = pruned;
        }
    }

    /// After a restore: fail what restore found doomed, start what may start, fire what is due.
    pub(crate) fn resume(&mut self, now: Timestamp, fx: &mut Fx) {
        for id in std::mem::take(&mut self.restore_failures) {
            self.finish(id, State::Failed, Reason::DependencyFailed, now, fx);
        }
        let names: Vec<SharedStr> = self.groups.keys().cloned().collect();
        fx.schedule.extend(names);
        self.fire_timers(now, fx);
    }
}
