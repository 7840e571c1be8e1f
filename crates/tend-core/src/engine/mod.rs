//! The engine: the task table and its indexes, and the one entry point [`Engine::handle`].

mod create;
mod fx;
mod lifecycle;
mod observe;
mod query;
mod restore;
mod session;
mod text;
mod timers;

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::sync::Arc;

/// Hash maps keyed by ids and names. The daemon serves one user on a private socket, so hash
/// flooding is not a threat to guard against, and a fast hasher is most of the lookup cost.
pub(crate) type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;

use crate::config::Config;
use crate::effect::{Reply, Sequences, Step};
use crate::error::Error;
use crate::event::{Event, EventKind};
use crate::id::{NotificationId, TaskId};
use crate::input::Input;
use crate::notification::Notification;
use crate::shared::SharedStr;
use crate::spec::StoredTask;
use crate::time::Timestamp;

pub use query::{EventsPage, GroupStatus, ListFilter};
pub use restore::Snapshot;

pub(crate) use fx::{Answer, Fx};
pub(crate) use timers::TimerKind;

/// Per-session index: its tasks (live and retained terminal), how many are live, and the tasks
/// finished since its last `all_finished` summary (or since its last live task ended, when that
/// was the only one and no summary was queued).
#[derive(Debug, Default)]
pub(crate) struct SessionIndex {
    pub tasks: BTreeSet<TaskId>,
    pub live: usize,
    pub finished_since_summary: Vec<TaskId>,
}

/// A concurrency group: its limit, the slots held, and its FIFO queue of ready tasks.
#[derive(Debug, Default)]
pub(crate) struct Group {
    pub limit: u32,
    /// Tasks holding a slot (running, waiting, cancel_requested).
    pub running: u32,
    /// Pending tasks of the group, ready or not.
    pub pending: u32,
    /// Pending tasks ready to start, in creation (id) order.
    pub ready: BTreeSet<TaskId>,
}

/// The lifecycle engine. Deterministic and sans-IO: see the crate docs.
///
/// Every operation that finds one task, one session's tasks or one group's queue goes through an
/// index; nothing scans the whole table except listing every task and shutdown.
#[derive(Debug)]
pub struct Engine {
    pub(crate) config: Config,
    pub(crate) tasks: HashMap<TaskId, StoredTask>,
    /// Every retained id, in creation order.
    pub(crate) order: BTreeSet<TaskId>,
    /// Live (non-terminal) ids.
    pub(crate) live: BTreeSet<TaskId>,
    /// By name; the keys are the shared names that records, events and notifications hold.
    pub(crate) sessions: HashMap<SharedStr, SessionIndex>,
    /// By name; the shared names also mark groups for scheduling.
    pub(crate) groups: BTreeMap<SharedStr, Group>,
    /// `(session, key)` of live tasks.
    pub(crate) keys: HashMap<(String, String), TaskId>,
    pub(crate) children: HashMap<TaskId, Vec<TaskId>>,
    /// Pending tasks waiting for a dependency, by dependency.
    pub(crate) dependents: HashMap<TaskId, Vec<TaskId>>,
    /// Pending tasks' count of dependencies not yet completed.
    pub(crate) unmet: HashMap<TaskId, usize>,
    pub(crate) timers: BTreeSet<(Timestamp, TaskId, TimerKind)>,
    /// Unacknowledged notifications, per session.
    pub(crate) outbox: HashMap<SharedStr, BTreeMap<NotificationId, Arc<Notification>>>,
    /// Terminal tasks whose `task_finished` notification is not yet acknowledged.
    pub(crate) unacked_tasks: HashMap<TaskId, NotificationId>,
    /// Retained events, consecutive.
    pub(crate) events: VecDeque<Event>,
    pub(crate) seq: Sequences,
    /// Pending tasks found with a failed dependency at restore; failed at [`Input::Resume`].
    pub(crate) restore_failures: Vec<TaskId>,
}

impl Engine {
    /// An empty engine.
    pub fn new(config: Config) -> Self {
        let mut engine = Self {
            config,
            tasks: HashMap::default(),
            order: BTreeSet::new(),
            live: BTreeSet::new(),
            sessions: HashMap::default(),
            groups: BTreeMap::new(),
            keys: HashMap::default(),
            children: HashMap::default(),
            dependents: HashMap::default(),
            unmet: HashMap::default(),
            timers: BTreeSet::new(),
            outbox: HashMap::default(),
            unacked_tasks: HashMap::default(),
            events: VecDeque::new(),
            seq: Sequences {
                next_task: 1,
                next_event: 1,
                next_notification: 1,
            },
            restore_failures: Vec::new(),
        };
        let limits = engine.config.groups.clone();
        for (name, limit) in limits {
            engine.group_mut(&name).limit = limit;
        }
        engine
    }

    /// The settings in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Applies one input at `now` and returns what the runtime must do.
    ///
    /// On error nothing changed. `now` should not go backwards; if it does, timers simply fire
    /// late.
    pub fn handle(&mut self, input: Input, now: Timestamp) -> Result<Step, Error> {
        let mut fx = Fx::default();
        let reply = match input {
            Input::Create(request) => self.create(request, now, &mut fx)?,
            Input::Stop { id, grace_ms } => self.stop_request(id, grace_ms, now, &mut fx)?,
            Input::Shutdown { grace_ms } => self.shutdown(grace_ms, now, &mut fx)?,
            Input::Progress(report) => self.progress(report, now, &mut fx)?,
            Input::Complete(request) => self.complete(request, now, &mut fx)?,
            Input::ProcessStarted { id, pid } => self.process_started(id, pid, now, &mut fx)?,
            Input::SpawnFailed { id, message } => self.spawn_failed(id, message, now, &mut fx)?,
            Input::NeverStarted { id } => self.never_started(id, now, &mut fx)?,
            Input::ProcessExited { id, outcome } => {
                self.process_exited(id, outcome, now, &mut fx)?
            }
            Input::OutputGrew {
                id,
                total_bytes,
                dropped_bytes,
            } => self.output_grew(id, total_bytes, dropped_bytes, now, &mut fx)?,
            Input::PortsObserved { id, ports } => self.ports_observed(id, ports, now, &mut fx)?,
            Input::Ready {
                id,
                condition,
                detail,
            } => self.became_ready(id, condition, detail, now, &mut fx)?,
            Input::TimerFired => {
                self.fire_timers(now, &mut fx);
                Answer::Done
            }
            Input::Resume => {
                self.resume(now, &mut fx);
                Answer::Done
            }
            Input::Transfer { id, session } => self.transfer(id, session, now, &mut fx)?,
            Input::CloseSession { session, successor } => {
                self.close_session(session, successor, now, &mut fx)?
            }
            Input::Ack { session, ids } => self.ack(session, ids, now, &mut fx)?,
            Input::SetGroupLimit { group, limit } => self.set_group_limit(group, limit, &mut fx)?,
            Input::Remove { id } => self.remove_request(id, now, &mut fx)?,
            Input::Resize { id, size } => self.resize(id, size, now, &mut fx)?,
        };
        self.run_schedule(now, &mut fx);
        let reply = self.reply(reply);
        let next_timer = self.next_timer();
        let sequences = self.seq;
        Ok(fx.into_step(
            reply,
            |id| self.tasks.get(&id).cloned(),
            sequences,
            next_timer,
        ))
    }

    /// Replies carry records as they are at the end of the step.
    fn reply(&self, answer: Answer) -> Reply {
        let record = |id: TaskId| self.tasks.get(&id).map(|stored| stored.task.clone());
        match answer {
            Answer::Done => Reply::Done,
            Answer::Created { created, id } => match record(id) {
                Some(task) => Reply::Created { created, task },
                None => Reply::Done,
            },
            Answer::Task(id) => record(id).map_or(Reply::Done, Reply::Task),
            Answer::Tasks(ids) => Reply::Tasks(ids.into_iter().filter_map(record).collect()),
            Answer::Group(name) => Reply::Group(self.group_status(&name)),
        }
    }

    /// Looks up a retained task, telling never-issued ids from evicted ones.
    pub(crate) fn entry(&self, id: TaskId) -> Result<&StoredTask, Error> {
        match self.tasks.get(&id) {
            Some(stored) => Ok(stored),
            None if self.was_issued(id) => Err(Error::TaskExpired { id }),
            None => Err(Error::TaskNotFound { id }),
        }
    }

    /// Whether `id` was ever issued.
    pub fn was_issued(&self, id: TaskId) -> bool {
        id.number() >= 1 && id.number() < self.seq.next_task
    }

    /// Appends an event for `id` in its current session.
    pub(crate) fn emit(&mut self, id: TaskId, kind: EventKind, now: Timestamp, fx: &mut Fx) {
        let session = match self.tasks.get(&id) {
            Some(stored) => stored.task.session.clone(),
            None => return,
        };
        let event = Event {
            seq: self.seq.next_event,
            at: now,
            task_id: id,
            session,
            kind,
        };
        self.seq.next_event += 1;
        self.events.push_back(event.clone());
        fx.events.push(event);
    }

    /// The group `name`, created empty and unlimited if new (without allocating when it exists).
    pub(crate) fn group_mut(&mut self, name: &str) -> &mut Group {
        if !self.groups.contains_key(name) {
            self.groups.insert(SharedStr::from(name), Group::default());
        }
        self.groups.get_mut(name).expect("inserted above")
    }

    /// The shared name of group `name`.
    pub(crate) fn group_name(&self, name: &str) -> SharedStr {
        self.groups
            .get_key_value(name)
            .map_or_else(|| SharedStr::from(name), |(key, _)| key.clone())
    }

    /// The index of session `name`, created empty if new.
    pub(crate) fn session_mut(&mut self, name: &str) -> &mut SessionIndex {
        if !self.sessions.contains_key(name) {
            self.sessions
                .insert(SharedStr::from(name), SessionIndex::default());
        }
        self.sessions.get_mut(name).expect("inserted above")
    }

    /// The shared name of session `name`.
    pub(crate) fn session_name(&self, name: &str) -> SharedStr {
        self.sessions
            .get_key_value(name)
            .map_or_else(|| SharedStr::from(name), |(key, _)| key.clone())
    }

    /// Marks a task changed at `now`. A record already stamped `now` is left alone, so that a
    /// record shared with an event of this step is not copied for nothing.
    pub(crate) fn touch(&mut self, id: TaskId, now: Timestamp, fx: &mut Fx) {
        if let Some(stored) = self.tasks.get_mut(&id) {
            if stored.task.updated_at != now {
                stored.record_mut().updated_at = now;
            }
            fx.touch(id);
        }
    }

    /// The ids of live descendants of `id`, parents before children.
    pub(crate) fn live_descendants(&self, id: TaskId) -> Vec<TaskId> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![id];
        while let Some(parent) = stack.pop() {
            for &child in self.children.get(&parent).into_iter().flatten() {
                if seen.insert(child) {
                    if self.live.contains(&child) {
                        out.push(child);
                    }
                    stack.push(child);
                }
            }
        }
        out
    }
}
