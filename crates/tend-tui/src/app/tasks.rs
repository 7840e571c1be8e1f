//! [`TaskTable`]: the records of every session as last heard from the daemon, kept current by
//! applying events, and the filtered, sorted view of them the table shows.

use std::collections::{BTreeMap, BTreeSet};

use tend_core::{Event, EventKind, Progress, State, Task, TaskId};

use super::filter::Filter;
use super::sort::Sort;
use crate::format::result;

/// The records and the view.
#[derive(Debug, Clone, Default)]
pub struct TaskTable {
    tasks: BTreeMap<TaskId, Task>,
    view: Vec<TaskId>,
    counts: [usize; STATES.len()],
    widths: ViewWidths,
}

/// The widest text of each short column over the view, so columns keep their width while the
/// table scrolls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewWidths {
    /// Task ids.
    pub id: usize,
    /// States.
    pub state: usize,
    /// Results (`exit 0`, `SIGKILL`, `timed_out`, `-`).
    pub result: usize,
    /// Groups.
    pub group: usize,
    /// Sessions.
    pub session: usize,
}

/// Every state, in the order the title counts them.
pub const STATES: [State; 7] = [
    State::Running,
    State::Pending,
    State::Waiting,
    State::CancelRequested,
    State::Failed,
    State::Cancelled,
    State::Completed,
];

impl TaskTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces every record with a fresh list (after connecting).
    pub fn replace_all(&mut self, tasks: Vec<Task>) {
        self.tasks = tasks.into_iter().map(|task| (task.id, task)).collect();
    }

    /// Applies one event.
    ///
    /// Events are applied in order on top of a list that may be newer than some of them (the
    /// list is read after the position the events are followed from), so each event sets the
    /// fields it carries: once the events up to now are applied, every field they carry is
    /// current. A `registered` event never replaces a record already known, and a terminal
    /// record never changes again except by `removed` and `transferred`.
    pub fn apply(&mut self, event: &Event) {
        let id = event.task_id;
        match &event.kind {
            EventKind::Registered { task } => {
                self.tasks.entry(id).or_insert_with(|| (**task).clone());
            }
            EventKind::Finished { task } => {
                self.tasks.insert(id, (**task).clone());
            }
            EventKind::Removed => {
                self.tasks.remove(&id);
            }
            EventKind::Transferred { to, .. } => {
                if let Some(task) = self.tasks.get_mut(&id) {
                    task.session = to.as_str().into();
                    task.updated_at = event.at;
                }
            }
            EventKind::Started { attempt, pid } => self.live(event, |task| {
                task.state = State::Running;
                task.attempt = *attempt;
                task.pid = *pid;
                task.started_at = Some(event.at);
            }),
            EventKind::StateChanged { to, .. } => self.live(event, |task| task.state = *to),
            EventKind::Ready { .. } => self.live(event, |task| task.ready_at = Some(event.at)),
            EventKind::PortsChanged { ports } => {
                self.live(event, |task| task.ports.clone_from(ports));
            }
            EventKind::Progress { message, state } => self.live(event, |task| {
                task.state = *state;
                if let Some(message) = message {
                    task.progress = Some(Progress {
                        message: message.clone(),
                        updated_at: event.at,
                    });
                }
            }),
            EventKind::Retrying { failed_attempt, .. } => self.live(event, |task| {
                task.state = State::Pending;
                task.attempt = failed_attempt + 1;
                task.pid = None;
            }),
        }
    }

    /// Applies `change` to a live record and stamps it.
    fn live(&mut self, event: &Event, change: impl FnOnce(&mut Task)) {
        if let Some(task) = self.tasks.get_mut(&event.task_id)
            && task.is_live()
        {
            change(task);
            task.updated_at = task.updated_at.max(event.at);
        }
    }

    /// Recomputes the view.
    pub fn refresh_view(&mut self, filter: &Filter, sort: Sort) {
        let needle = filter.needle();
        let mut view: Vec<&Task> = self
            .tasks
            .values()
            .filter(|task| filter.admits(task, &needle))
            .collect();
        view.sort_unstable_by(|a, b| sort.compare(a, b));
        let mut widths = ViewWidths::default();
        for task in &view {
            widths.id = widths.id.max(task.id.to_string().len());
            widths.state = widths.state.max(task.state.as_str().len());
            widths.result = widths.result.max(result(task).chars().count());
            widths.group = widths.group.max(task.group.chars().count());
            widths.session = widths.session.max(task.session.chars().count());
        }
        self.widths = widths;
        self.view = view.into_iter().map(|task| task.id).collect();
        self.counts = [0; STATES.len()];
        for task in self.tasks.values() {
            if let Some(at) = STATES.iter().position(|state| *state == task.state) {
                self.counts[at] += 1;
            }
        }
    }

    /// The ids the table shows, in order.
    pub fn view(&self) -> &[TaskId] {
        &self.view
    }

    /// The widest texts of the view's columns.
    pub fn widths(&self) -> ViewWidths {
        self.widths
    }

    /// A record.
    pub fn get(&self, id: TaskId) -> Option<&Task> {
        self.tasks.get(&id)
    }

    /// Every record known.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether no record is known.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// The sessions of the records, sorted.
    pub fn sessions(&self) -> Vec<String> {
        let names: BTreeSet<&str> = self
            .tasks
            .values()
            .map(|task| task.session.as_str())
            .collect();
        names.into_iter().map(str::to_owned).collect()
    }

    /// How many records were in `state` when the view was last refreshed.
    pub fn count(&self, state: State) -> usize {
        STATES
            .iter()
            .position(|known| *known == state)
            .map_or(0, |at| self.counts[at])
    }
}
