//! Sessions and housekeeping: transfer, close, acknowledge, group limits, remove and evict.

use crate::config::MAX_GROUP_LIMIT;
use crate::effect::Action;
use crate::error::Error;
use crate::event::EventKind;
use crate::id::{NotificationId, TaskId};
use crate::input::StopCause;
use crate::name::{validate_group, validate_session};
use crate::task::ClosePolicy;
use crate::time::Timestamp;

use super::{Answer, Engine, Fx, TimerKind};

impl Engine {
    pub(crate) fn transfer(
        &mut self,
        id: TaskId,
        session: String,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        validate_session(&session)?;
        let task = &self.entry(id)?.task;
        if task.session == session {
            return Err(Error::invalid(
                "session",
                format!("task {id} is already in session {session}"),
            ));
        }
        if task.state.is_terminal() {
            return Err(Error::conflict(
                format!(
                    "task {id} is {} and cannot be transferred",
                    task.state.as_str()
                ),
                Some(task),
            ));
        }
        if let Some(key) = &task.key
            && self.keys.contains_key(&(session.clone(), key.clone()))
        {
            return Err(Error::conflict(
                format!("session {session} already has a live task with key {key:?}"),
                Some(task),
            ));
        }
        self.move_task(id, session, now, fx);
        Ok(Answer::Task(id))
    }

    /// Moves a live task to `to`, keeping every index true, and emits `transferred`.
    fn move_task(&mut self, id: TaskId, to: String, now: Timestamp, fx: &mut Fx) {
        let Some(key) = self.tasks.get(&id).map(|stored| stored.task.key.clone()) else {
            return;
        };
        let new = self.session_mut(&to);
        new.tasks.insert(id);
        new.live += 1;
        let to_name = self.session_name(&to);
        let Some(stored) = self.tasks.get_mut(&id) else {
            return;
        };
        let from = std::mem::replace(&mut stored.record_mut().session, to_name);
        if let Some(old) = self.sessions.get_mut(&from) {
            old.tasks.remove(&id);
            old.live -= 1;
        }
        if let Some(key) = key {
            self.keys.remove(&(from.to_string(), key.clone()));
            self.keys.insert((to.clone(), key), id);
        }
        self.touch(id, now, fx);
        let from = from.to_string();
        self.emit(id, EventKind::Transferred { from, to }, now, fx);
    }

    pub(crate) fn close_session(
        &mut self,
        session: String,
        successor: Option<String>,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        validate_session(&session)?;
        if let Some(successor) = &successor {
            validate_session(successor).map_err(|_| {
                Error::invalid(
                    "successor",
                    format!("{successor:?} is not a valid session name"),
                )
            })?;
            if *successor == session {
                return Err(Error::invalid(
                    "successor",
                    "must differ from the closed session",
                ));
            }
        }
        let live: Vec<TaskId> = match self.sessions.get(session.as_str()) {
            Some(index) => index
                .tasks
                .iter()
                .copied()
                .filter(|id| self.live.contains(id))
                .collect(),
            None => Vec::new(),
        };
        let grace = self.config.default_grace_ms;
        let mut affected = Vec::new();
        for id in live {
            let Some(stored) = self.tasks.get(&id) else {
                continue;
            };
            // A task cancelled earlier in this loop as a descendant is already handled.
            if stored.task.state.is_terminal() || stored.task.session != session {
                continue;
            }
            match (stored.task.close_policy, &successor) {
                (ClosePolicy::Keep, _) | (ClosePolicy::Transfer, None) => {}
                (ClosePolicy::Cancel, _) => {
                    self.stop_tree(id, StopCause::SessionClosed, grace, now, fx);
                    affected.push(id);
                }
                (ClosePolicy::Transfer, Some(to)) => {
                    let blocked = stored
                        .task
                        .key
                        .as_ref()
                        .is_some_and(|key| self.keys.contains_key(&(to.clone(), key.clone())));
                    if !blocked {
                        self.move_task(id, to.clone(), now, fx);
                        affected.push(id);
                    }
                }
            }
        }
        Ok(Answer::Tasks(affected))
    }

    pub(crate) fn ack(
        &mut self,
        session: String,
        ids: Vec<NotificationId>,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        validate_session(&session)?;
        let Some(outbox) = self.outbox.get_mut(session.as_str()) else {
            return Ok(Answer::Done);
        };
        let mut released = Vec::new();
        for id in ids {
            if let Some(notification) = outbox.remove(&id) {
                fx.acked.push(id);
                if let Some(task) = notification.task_id
                    && self.unacked_tasks.get(&task) == Some(&id)
                {
                    released.push(task);
                }
            }
        }
        if outbox.is_empty() {
            self.outbox.remove(session.as_str());
        }
        for task in released {
            self.unacked_tasks.remove(&task);
            self.arm(task, TimerKind::Evict);
        }
        let _ = now;
        Ok(Answer::Done)
    }

    pub(crate) fn set_group_limit(
        &mut self,
        group: String,
        limit: u32,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        validate_group(&group)?;
        if limit > MAX_GROUP_LIMIT {
            return Err(Error::invalid(
                "limit",
                format!("must be at most {MAX_GROUP_LIMIT} (0 = unlimited)"),
            ));
        }
        self.group_mut(&group).limit = limit;
        fx.group_limits.push((group.clone(), limit));
        fx.schedule(&self.group_name(&group));
        Ok(Answer::Group(group))
    }

    pub(crate) fn remove_request(
        &mut self,
        id: TaskId,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        let task = &self.entry(id)?.task;
        if task.is_live() {
            return Err(Error::conflict(
                format!("task {id} is {}; stop it first", task.state.as_str()),
                Some(task),
            ));
        }
        self.evict(id, now, fx);
        Ok(Answer::Done)
    }

    /// Removes a terminal task's record, its unacknowledged notification and its output; the id
    /// answers `expired` from now on.
    pub(crate) fn evict(&mut self, id: TaskId, now: Timestamp, fx: &mut Fx) {
        let Some(stored) = self.tasks.get(&id) else {
            return;
        };
        if stored.task.is_live() {
            return;
        }
        let session = stored.task.session.clone();
        self.emit(id, EventKind::Removed, now, fx);
        self.tasks.remove(&id);
        self.order.remove(&id);
        self.children.remove(&id);
        self.dependents.remove(&id);
        if let Some(index) = self.sessions.get_mut(&session) {
            index.tasks.remove(&id);
            index.finished_since_summary.retain(|&t| t != id);
            if index.tasks.is_empty() && index.live == 0 {
                self.sessions.remove(&session);
            }
        }
        if let Some(notification) = self.unacked_tasks.remove(&id)
            && let Some(outbox) = self.outbox.get_mut(&session)
            && outbox.remove(&notification).is_some()
        {
            fx.acked.push(notification);
            if outbox.is_empty() {
                self.outbox.remove(&session);
            }
        }
        fx.removed.push(id);
        fx.actions.push(Action::DeleteOutput { id });
    }
}
