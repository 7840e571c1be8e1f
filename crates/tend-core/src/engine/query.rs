//! Read-only queries: get, list, groups, notifications, event replay.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::event::{Event, EventFilter};
use crate::id::{Seq, TaskId};
use crate::notification::Notification;
use crate::spec::StoredTask;
use crate::task::{Kind, State, Task};

use super::Engine;

/// Filters of `GET /v1/tasks`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only this session's tasks.
    pub session: Option<String>,
    /// Only tasks in one of these states (empty: any).
    pub states: Vec<State>,
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only live tasks.
    pub active: bool,
    /// At most this many: the most recent ones, still answered oldest first.
    pub limit: Option<usize>,
}

impl ListFilter {
    fn matches(&self, task: &Task) -> bool {
        (self.states.is_empty() || self.states.contains(&task.state))
            && self.kind.is_none_or(|k| k == task.kind)
            && (!self.active || task.is_live())
    }
}

/// A group's status (`GET /v1/groups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupStatus {
    /// The group.
    pub name: String,
    /// Its limit; 0 = unlimited.
    pub limit: u32,
    /// Tasks holding a slot.
    pub running: u32,
    /// Pending tasks.
    pub pending: u32,
}

/// A page of replayed events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventsPage {
    /// The events, in order.
    pub events: Vec<Event>,
    /// Where the next replay continues (the last sequence number covered).
    pub next_after: Seq,
}

impl Engine {
    /// The record of `id`: `not_found` if never issued, `expired` if evicted.
    pub fn get(&self, id: TaskId) -> Result<&Task, Error> {
        self.entry(id).map(|stored| &*stored.task)
    }

    /// The stored form of `id` (record, spec, bookkeeping), if retained.
    pub fn stored(&self, id: TaskId) -> Option<&StoredTask> {
        self.tasks.get(&id)
    }

    /// Records matching `filter`, oldest first.
    pub fn list(&self, filter: &ListFilter) -> Vec<&Task> {
        let ids: Box<dyn DoubleEndedIterator<Item = &TaskId>> =
            match (&filter.session, filter.active) {
                (Some(session), _) => match self.sessions.get(session.as_str()) {
                    Some(index) => Box::new(index.tasks.iter()),
                    None => Box::new(std::iter::empty()),
                },
                (None, true) => Box::new(self.live.iter()),
                (None, false) => Box::new(self.order.iter()),
            };
        let limit = filter.limit.unwrap_or(usize::MAX);
        let mut out: Vec<&Task> = ids
            .rev()
            .filter_map(|id| self.tasks.get(id).map(|s| &*s.task))
            .filter(|task| filter.matches(task))
            .take(limit)
            .collect();
        out.reverse();
        out
    }

    /// Every retained task's stored form, oldest first.
    pub fn stored_tasks(&self) -> impl Iterator<Item = &StoredTask> {
        self.order.iter().filter_map(|id| self.tasks.get(id))
    }

    /// Live shell tasks that hold a slot: the ones whose processes recovery must look for.
    pub fn live_processes(&self) -> impl Iterator<Item = &StoredTask> {
        self.live
            .iter()
            .filter_map(|id| self.tasks.get(id))
            .filter(|s| s.task.kind.is_shell() && s.task.state.holds_slot())
    }

    /// The status of one group (an unknown group is empty and unlimited).
    pub fn group_status(&self, name: &str) -> GroupStatus {
        let group = self.groups.get(name);
        GroupStatus {
            name: name.to_owned(),
            limit: group.map_or(0, |g| g.limit),
            running: group.map_or(0, |g| g.running),
            pending: group.map_or(0, |g| g.pending),
        }
    }

    /// Every known group, by name.
    pub fn groups(&self) -> Vec<GroupStatus> {
        self.groups
            .keys()
            .map(|name| self.group_status(name))
            .collect()
    }

    /// A session's unacknowledged notifications, oldest first.
    pub fn notifications(&self, session: &str) -> Vec<&Notification> {
        self.outbox
            .get(session)
            .map(|o| o.values().map(|n| &**n).collect())
            .unwrap_or_default()
    }

    /// Every unacknowledged notification (for snapshots).
    pub fn all_notifications(&self) -> impl Iterator<Item = &Notification> {
        self.outbox.values().flat_map(|o| o.values().map(|n| &**n))
    }

    /// Events after `after` that pass `filter`, at most `limit`. `expired` with the oldest
    /// retained sequence number when `after` lies before the retained log.
    pub fn events_after(
        &self,
        after: Seq,
        filter: &EventFilter,
        limit: usize,
    ) -> Result<EventsPage, Error> {
        let last = self.seq.next_event - 1;
        let oldest = self.events.front().map_or(self.seq.next_event, |e| e.seq);
        if after + 1 < oldest {
            return Err(Error::EventsExpired {
                after,
                oldest_seq: oldest,
            });
        }
        if after >= last {
            return Ok(EventsPage {
                events: Vec::new(),
                next_after: after.max(last),
            });
        }
        let start = usize::try_from(after + 1 - oldest).unwrap_or(usize::MAX);
        let mut events = Vec::new();
        let mut next_after = last;
        for event in self.events.iter().skip(start) {
            if events.len() >= limit {
                next_after = event.seq - 1;
                break;
            }
            if filter.matches(event) {
                events.push(event.clone());
            }
        }
        Ok(EventsPage { events, next_after })
    }

    /// The sequences: next task number, next event, next notification.
    pub fn sequences(&self) -> crate::effect::Sequences {
        self.seq
    }

    /// How many tasks are retained.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether no task is retained.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}
