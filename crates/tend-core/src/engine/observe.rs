//! Observations of processes and reports of external owners: started, exited, output, progress,
//! complete.

use crate::effect::{Action, Signal};
use crate::error::Error;
use crate::event::EventKind;
use crate::id::TaskId;
use crate::input::{CompleteTask, ExitOutcome, ProgressReport, StopCause};
use crate::spec::TtySize;
use crate::task::{Progress, Reason, State};
use crate::time::Timestamp;

use super::lifecycle::Ending;
use super::{Answer, Engine, Fx, TimerKind};

const MAX_MESSAGE_BYTES: usize = 64 * 1024;

impl Engine {
    fn shell_entry(&self, id: TaskId) -> Result<&crate::spec::StoredTask, Error> {
        let stored = self.entry(id)?;
        if !stored.task.kind.is_shell() {
            return Err(Error::invalid(
                "id",
                format!("task {id} is not a shell task"),
            ));
        }
        Ok(stored)
    }

    pub(crate) fn process_started(
        &mut self,
        id: TaskId,
        pid: u32,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        let stored = self.shell_entry(id)?;
        let state = stored.task.state;
        let attempt = stored.task.attempt;
        let stop = stored.run.stop;
        if !matches!(state, State::Running | State::CancelRequested) || stored.task.pid.is_some() {
            return Ok(Answer::Done);
        }
        if let Some(stored) = self.tasks.get_mut(&id) {
            stored.record_mut().pid = Some(pid);
        }
        self.touch(id, now, fx);
        self.emit(
            id,
            EventKind::Started {
                attempt,
                pid: Some(pid),
            },
            now,
            fx,
        );
        if let Some(stop) = stop {
            // A stop arrived before the process was known: make sure it reaches the process.
            fx.actions.push(Action::Signal {
                id,
                signal: Signal::Term,
            });
            if stop.killed {
                fx.actions.push(Action::Signal {
                    id,
                    signal: Signal::Kill,
                });
            }
        }
        Ok(Answer::Done)
    }

    pub(crate) fn spawn_failed(
        &mut self,
        id: TaskId,
        message: String,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        let stored = self.shell_entry(id)?;
        if !matches!(stored.task.state, State::Running | State::CancelRequested) {
            return Ok(Answer::Done);
        }
        let ending = Ending {
            summary: Some(message),
            ..Ending::default()
        };
        self.finish_with(id, State::Failed, Reason::SpawnFailed, ending, now, fx);
        Ok(Answer::Done)
    }

    pub(crate) fn never_started(
        &mut self,
        id: TaskId,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        let stored = self.shell_entry(id)?;
        if stored.task.pid.is_some() {
            // Its process was seen: an observation about another attempt, or a mistake.
            return Ok(Answer::Done);
        }
        match stored.task.state {
            State::Running => {
                let Some(stored) = self.tasks.get_mut(&id) else {
                    return Ok(Answer::Done);
                };
                stored.record_mut().started_at = Some(now);
                stored.run.last_activity_at = Some(now);
                self.touch(id, now, fx);
                fx.actions.push(Action::Spawn {
                    task: self.tasks[&id].clone(),
                });
                self.arm(id, TimerKind::Timeout);
                self.arm(id, TimerKind::Idle);
                Ok(Answer::Done)
            }
            // The stop ends it as if its process had ended: there is none to wait for.
            State::CancelRequested => self.process_exited(id, ExitOutcome::Lost, now, fx),
            State::Pending
            | State::Waiting
            | State::Completed
            | State::Failed
            | State::Cancelled => Ok(Answer::Done),
        }
    }

    pub(crate) fn process_exited(
        &mut self,
        id: TaskId,
        outcome: ExitOutcome,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        let stored = self.shell_entry(id)?;
        if !stored.task.state.holds_slot() {
            // Terminal already (first terminal wins), or a stale observation.
            return Ok(Answer::Done);
        }
        let stop_cause = stored.run.stop.map(|s| s.cause);
        let (ending, natural) = match outcome {
            ExitOutcome::Exited(code) => {
                let natural = if code == 0 {
                    (State::Completed, Reason::Exited)
                } else {
                    (State::Failed, Reason::Exited)
                };
                (
                    Ending {
                        exit_code: Some(code),
                        ..Ending::default()
                    },
                    natural,
                )
            }
            ExitOutcome::Signaled(signal) => (
                Ending {
                    signal: Some(signal),
                    ..Ending::default()
                },
                (State::Failed, Reason::Signaled),
            ),
            ExitOutcome::Lost => (Ending::default(), (State::Failed, Reason::Lost)),
        };
        let (state, reason) = stop_cause.map_or(natural, StopCause::outcome);
        if state == State::Failed && self.retry(id, reason, &ending, now, fx) {
            return Ok(Answer::Done);
        }
        self.finish_with(id, state, reason, ending, now, fx);
        Ok(Answer::Done)
    }

    pub(crate) fn output_grew(
        &mut self,
        id: TaskId,
        total_bytes: u64,
        dropped_bytes: u64,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        self.shell_entry(id)?;
        let Some(stored) = self.tasks.get_mut(&id) else {
            return Ok(Answer::Done);
        };
        let known = stored
            .task
            .output
            .map_or(0, |counters| counters.total_bytes);
        if total_bytes <= known {
            // Nothing new: the record, perhaps shared, is not copied.
            return Ok(Answer::Done);
        }
        let counters = stored.record_mut().output.get_or_insert_default();
        counters.total_bytes = total_bytes;
        counters.dropped_bytes = dropped_bytes.min(total_bytes);
        if stored.task.state.holds_slot() {
            stored.run.last_activity_at = Some(now);
        }
        self.touch(id, now, fx);
        Ok(Answer::Done)
    }

    /// A new set of listening ports: recorded with one `ports_changed` event, for a task that
    /// is running; an unchanged set, or one reported for a task that ended, changes nothing.
    pub(crate) fn ports_observed(
        &mut self,
        id: TaskId,
        mut ports: Vec<crate::task::ListeningPort>,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        let stored = self.shell_entry(id)?;
        ports.sort();
        ports.dedup();
        if !stored.task.state.holds_slot() || stored.task.ports == ports {
            return Ok(Answer::Done);
        }
        if let Some(stored) = self.tasks.get_mut(&id) {
            stored.record_mut().ports.clone_from(&ports);
        }
        self.touch(id, now, fx);
        self.emit(id, EventKind::PortsChanged { ports }, now, fx);
        Ok(Answer::Done)
    }

    /// A condition of the task's `ready` holds: the first time, for a running task created
    /// with conditions, `ready_at` is set, one `ready` event is emitted and one `task_ready`
    /// notification is queued; otherwise nothing changes.
    pub(crate) fn became_ready(
        &mut self,
        id: TaskId,
        condition: crate::task::ReadyCondition,
        detail: String,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        let stored = self.shell_entry(id)?;
        let task = &stored.task;
        if task.ready.is_none() || task.ready_at.is_some() || !task.state.holds_slot() {
            return Ok(Answer::Done);
        }
        if let Some(stored) = self.tasks.get_mut(&id) {
            stored.record_mut().ready_at = Some(now);
        }
        self.touch(id, now, fx);
        let text = super::text::task_ready(&self.tasks[&id].task, condition, &detail, now);
        self.emit(id, EventKind::Ready { condition, detail }, now, fx);
        self.notify_task(
            id,
            crate::notification::NotificationKind::TaskReady,
            text,
            now,
            fx,
        );
        Ok(Answer::Done)
    }

    pub(crate) fn progress(
        &mut self,
        report: ProgressReport,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        let id = report.id;
        let stored = self.entry(id)?;
        if stored.task.kind.is_shell() {
            return Err(Error::invalid(
                "id",
                format!("task {id} is a shell task; progress is for external tasks"),
            ));
        }
        if let Some(message) = &report.message
            && message.len() > MAX_MESSAGE_BYTES
        {
            return Err(Error::invalid("message", "is longer than 64 KiB"));
        }
        let current = stored.task.state;
        let wanted = match report.state {
            None => None,
            Some(wanted @ (State::Running | State::Waiting)) => Some(wanted),
            Some(other) => {
                return Err(Error::invalid(
                    "state",
                    format!(
                        "{} is not a progress state; use running or waiting",
                        other.as_str()
                    ),
                ));
            }
        };
        let next = match current {
            State::Completed | State::Failed | State::Cancelled => {
                return Err(Error::conflict(
                    format!("task {id} is {}", current.as_str()),
                    Some(&stored.task),
                ));
            }
            State::Pending if wanted.is_some() => {
                return Err(Error::conflict(
                    format!("task {id} is pending and has not started"),
                    Some(&stored.task),
                ));
            }
            // A stop under way is never undone by a report.
            State::Pending | State::CancelRequested => current,
            State::Running | State::Waiting => wanted.unwrap_or(current),
        };
        let Some(stored) = self.tasks.get_mut(&id) else {
            return Ok(Answer::Done);
        };
        if let Some(message) = report.message.clone() {
            stored.record_mut().progress = Some(Progress {
                message,
                updated_at: now,
            });
        }
        stored.record_mut().state = next;
        if next.holds_slot() {
            stored.run.last_activity_at = Some(now);
        }
        self.touch(id, now, fx);
        if next != current {
            self.emit(
                id,
                EventKind::StateChanged {
                    from: current,
                    to: next,
                },
                now,
                fx,
            );
        }
        self.emit(
            id,
            EventKind::Progress {
                message: report.message,
                state: next,
            },
            now,
            fx,
        );
        Ok(Answer::Task(id))
    }

    pub(crate) fn complete(
        &mut self,
        request: CompleteTask,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        let id = request.id;
        let stored = self.entry(id)?;
        if stored.task.kind.is_shell() {
            return Err(Error::invalid(
                "id",
                format!("task {id} is a shell task; it ends when its command exits"),
            ));
        }
        if let Some(summary) = &request.summary
            && summary.len() > MAX_MESSAGE_BYTES
        {
            return Err(Error::invalid("summary", "is longer than 64 KiB"));
        }
        if stored.task.state.is_terminal() {
            return Err(Error::conflict(
                format!("task {id} is already {}", stored.task.state.as_str()),
                Some(&stored.task),
            ));
        }
        let stop_cause = stored.run.stop.map(|s| s.cause);
        let (state, reason) = match request.state {
            State::Completed => (State::Completed, Reason::Reported),
            State::Failed => (State::Failed, Reason::Reported),
            State::Cancelled => stop_cause.unwrap_or(StopCause::Stopped).outcome(),
            other => {
                return Err(Error::invalid(
                    "state",
                    format!(
                        "{} is not terminal; use completed, failed or cancelled",
                        other.as_str()
                    ),
                ));
            }
        };
        let ending = Ending {
            summary: request.summary,
            ..Ending::default()
        };
        self.finish_with(id, state, reason, ending, now, fx);
        Ok(Answer::Task(id))
    }
}

impl Engine {
    /// Records a new terminal size for a live tty task (the runtime applies it to the
    /// process); `conflict` for a task without a terminal or one that ended.
    pub(crate) fn resize(
        &mut self,
        id: TaskId,
        size: TtySize,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        if !size.is_valid() {
            return Err(Error::invalid(
                "rows",
                format!(
                    "rows and cols must be 1..1000 (got {}x{})",
                    size.rows, size.cols
                ),
            ));
        }
        let task = &self.entry(id)?.task;
        if task.tty.is_none() {
            return Err(Error::conflict(
                format!("task {id} has no terminal"),
                Some(task),
            ));
        }
        if task.state.is_terminal() {
            return Err(Error::conflict(
                format!("task {id} is {}", task.state.as_str()),
                Some(task),
            ));
        }
        if task.tty != Some(size)
            && let Some(stored) = self.tasks.get_mut(&id)
        {
            stored.record_mut().tty = Some(size);
            self.touch(id, now, fx);
        }
        Ok(Answer::Task(id))
    }
}
