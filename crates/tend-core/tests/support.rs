//! Test harness: an engine with a hand-moved clock, helpers that feed it inputs, and counters of
//! what it reported over its whole history.

use tend_core::{
    Action, CompleteTask, Config, CreateTask, Engine, Error, Event, EventKind, ExitOutcome,
    GroupStatus, Input, Kind, ListFilter, Notification, NotificationKind, ProgressReport, Reason,
    Sequences, Signal, State, Step, Task, TaskId, Timestamp, invariants,
};

/// The instant every harness starts at.
pub const T0: i64 = 1_800_000_000_000;
/// One second in milliseconds.
pub const SECOND: u64 = 1_000;
/// One day in milliseconds.
pub const DAY: u64 = 24 * 3600 * SECOND;

/// An engine, its clock and every step it returned.
#[derive(Debug)]
pub struct Harness {
    pub engine: Engine,
    pub now: Timestamp,
    /// Every successful step, in order.
    pub log: Vec<Step>,
    next_pid: u32,
}

/// What a caller can observe of the engine without changing it, for "nothing changed" checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub sequences: Sequences,
    pub tasks: Vec<Task>,
    pub groups: Vec<GroupStatus>,
    pub notifications: Vec<Notification>,
    pub events: Vec<Event>,
}

impl Harness {
    /// An engine with the default settings at [`T0`].
    pub fn new() -> Self {
        Self::with_config(Config::default())
    }

    /// An engine with `config` at [`T0`].
    pub fn with_config(config: Config) -> Self {
        Self {
            engine: Engine::new(config),
            now: Timestamp::from_millis(T0),
            log: Vec::new(),
            next_pid: 1000,
        }
    }

    /// Feeds `input` at the current instant; checks the engine's invariants afterwards.
    pub fn try_handle(&mut self, input: Input) -> Result<Step, Error> {
        let result = self.engine.handle(input, self.now);
        if let Err(violation) = invariants::check(&self.engine) {
            panic!("invariant violated: {violation}");
        }
        if let Ok(step) = &result {
            self.log.push(step.clone());
        }
        result
    }

    /// Feeds `input`, which must succeed.
    pub fn handle(&mut self, input: Input) -> Step {
        let shown = format!("{input:?}");
        self.try_handle(input)
            .unwrap_or_else(|e| panic!("{shown} failed: {e}"))
    }

    /// Feeds `input`, which must fail; returns the error.
    pub fn fail(&mut self, input: Input) -> Error {
        let shown = format!("{input:?}");
        match self.try_handle(input) {
            Ok(step) => panic!("{shown} succeeded: {step:?}"),
            Err(e) => e,
        }
    }

    /// Creates a task; returns its id and the step.
    pub fn create(&mut self, request: CreateTask) -> (TaskId, Step) {
        let step = self.handle(Input::Create(request));
        (created(&step).id, step)
    }

    /// Creates a shell task running `make` in `session`.
    pub fn create_shell(&mut self, session: &str) -> TaskId {
        self.create(shell(session)).0
    }

    /// Creates a shell task in `session` and `group`.
    pub fn create_in_group(&mut self, session: &str, group: &str) -> TaskId {
        let mut request = shell(session);
        request.group = Some(group.to_owned());
        self.create(request).0
    }

    /// Creates an external (subagent) task named `name` in `session`.
    pub fn create_external(&mut self, session: &str, name: &str) -> TaskId {
        self.create(external(session, name)).0
    }

    /// Creates a shell task and reports its process started.
    pub fn run_shell(&mut self, session: &str) -> TaskId {
        let id = self.create_shell(session);
        self.started(id);
        id
    }

    /// Reports `id`'s process started with `pid`.
    pub fn start(&mut self, id: TaskId, pid: u32) -> Step {
        self.handle(Input::ProcessStarted { id, pid })
    }

    /// Reports `id`'s process started with a fresh pid.
    pub fn started(&mut self, id: TaskId) -> Step {
        self.next_pid += 1;
        let pid = self.next_pid;
        self.start(id, pid)
    }

    /// Reports `id`'s process exited with `code`.
    pub fn exit(&mut self, id: TaskId, code: i32) -> Step {
        self.ended(id, ExitOutcome::Exited(code))
    }

    /// Reports `id`'s process was killed by `signal`.
    pub fn killed_by(&mut self, id: TaskId, signal: &str) -> Step {
        self.ended(id, ExitOutcome::Signaled(signal.to_owned()))
    }

    /// Reports `id`'s process ended with `outcome`.
    pub fn ended(&mut self, id: TaskId, outcome: ExitOutcome) -> Step {
        self.handle(Input::ProcessExited { id, outcome })
    }

    /// Reports `id`'s process could not be started.
    pub fn spawn_failed(&mut self, id: TaskId, message: &str) -> Step {
        self.handle(Input::SpawnFailed {
            id,
            message: message.to_owned(),
        })
    }

    /// Reports `id`'s output reached `total_bytes`.
    pub fn output(&mut self, id: TaskId, total_bytes: u64) -> Step {
        self.handle(Input::OutputGrew {
            id,
            total_bytes,
            dropped_bytes: 0,
        })
    }

    /// Stops `id` with `grace_ms`.
    pub fn stop(&mut self, id: TaskId, grace_ms: Option<u64>) -> Step {
        self.handle(Input::Stop { id, grace_ms })
    }

    /// Reports progress of an external task.
    pub fn progress(&mut self, id: TaskId, message: Option<&str>, state: Option<State>) -> Step {
        let message = message.map(str::to_owned);
        self.handle(Input::Progress(ProgressReport { id, message, state }))
    }

    /// The input completing an external task.
    pub fn complete_input(id: TaskId, state: State, summary: Option<&str>) -> Input {
        Input::Complete(CompleteTask {
            id,
            state,
            summary: summary.map(str::to_owned),
        })
    }

    /// Completes an external task.
    pub fn complete(&mut self, id: TaskId, state: State, summary: Option<&str>) -> Step {
        self.handle(Self::complete_input(id, state, summary))
    }

    /// Moves `id` to `session`.
    pub fn transfer(&mut self, id: TaskId, session: &str) -> Step {
        self.handle(Input::Transfer {
            id,
            session: session.to_owned(),
        })
    }

    /// Closes `session`, moving `transfer` tasks to `successor`.
    pub fn close(&mut self, session: &str, successor: Option<&str>) -> Step {
        let successor = successor.map(str::to_owned);
        self.handle(Input::CloseSession {
            session: session.to_owned(),
            successor,
        })
    }

    /// Sets `group`'s limit.
    pub fn set_limit(&mut self, group: &str, limit: u32) -> Step {
        self.handle(Input::SetGroupLimit {
            group: group.to_owned(),
            limit,
        })
    }

    /// Acknowledges every notification of `session`.
    pub fn ack_all(&mut self, session: &str) -> Step {
        let ids = self
            .engine
            .notifications(session)
            .iter()
            .map(|n| n.id)
            .collect();
        self.handle(Input::Ack {
            session: session.to_owned(),
            ids,
        })
    }

    /// Moves the clock by `ms` and fires the timers due.
    pub fn advance(&mut self, ms: u64) -> Step {
        self.now = self.now.plus_ms(ms);
        self.handle(Input::TimerFired)
    }

    /// The current record of `id`.
    pub fn task(&self, id: TaskId) -> Task {
        self.engine
            .get(id)
            .unwrap_or_else(|e| panic!("get {id}: {e}"))
            .clone()
    }

    /// `id`'s state and reason.
    pub fn state(&self, id: TaskId) -> (State, Option<Reason>) {
        let task = self.task(id);
        (task.state, task.reason)
    }

    /// Everything observable, for comparing before and after an input.
    pub fn observe(&self) -> Observed {
        let page = self.engine.events_after(0, &Default::default(), usize::MAX);
        Observed {
            sequences: self.engine.sequences(),
            tasks: self
                .engine
                .list(&ListFilter::default())
                .into_iter()
                .cloned()
                .collect(),
            groups: self.engine.groups(),
            notifications: self.engine.all_notifications().cloned().collect(),
            events: page.map(|p| p.events).unwrap_or_default(),
        }
    }

    /// Every notification queued so far, in order.
    pub fn all_notifications(&self) -> impl Iterator<Item = &Notification> {
        self.log
            .iter()
            .flat_map(|s| s.changes.notifications.iter().map(|n| &**n))
    }

    /// Every event emitted so far, in order.
    pub fn all_events(&self) -> impl Iterator<Item = &Event> {
        self.log.iter().flat_map(|s| &s.changes.events)
    }

    /// How many `task_finished` notifications were queued for `id`.
    pub fn finished_notifications(&self, id: TaskId) -> usize {
        self.all_notifications()
            .filter(|n| n.kind == NotificationKind::TaskFinished && n.task_id == Some(id))
            .count()
    }

    /// How many `all_finished` notifications were queued for `session`.
    pub fn all_finished_notifications(&self, session: &str) -> usize {
        self.all_notifications()
            .filter(|n| n.kind == NotificationKind::AllFinished && &*n.session == session)
            .count()
    }

    /// The types of the events emitted for `id`, in order.
    pub fn event_types(&self, id: TaskId) -> Vec<&'static str> {
        self.all_events()
            .filter(|e| e.task_id == id)
            .map(|e| e.kind.type_name())
            .collect()
    }

    /// How many events of type `name` were emitted for `id`.
    pub fn count_events(&self, id: TaskId, name: &str) -> usize {
        self.event_types(id)
            .into_iter()
            .filter(|&t| t == name)
            .count()
    }

    /// Asserts `id` ended in `state`/`reason` with exactly one `finished` event and one
    /// `task_finished` notification that agree with the record; returns the record.
    pub fn assert_ended(&self, id: TaskId, state: State, reason: Reason) -> Task {
        let task = self.task(id);
        assert_eq!(
            (task.state, task.reason),
            (state, Some(reason)),
            "{id}: {task:?}"
        );
        assert!(task.finished_at.is_some(), "{id} has no finished_at");
        assert_eq!(
            self.count_events(id, "finished"),
            1,
            "{id}: finished events"
        );
        assert_eq!(
            self.finished_notifications(id),
            1,
            "{id}: task_finished notifications"
        );
        let notification = self
            .all_notifications()
            .find(|n| n.task_id == Some(id))
            .unwrap_or_else(|| panic!("{id}: no notification"));
        assert_eq!(
            (notification.state, notification.reason),
            (Some(state), Some(reason))
        );
        assert_eq!(notification.exit_code, task.exit_code);
        let event = self
            .all_events()
            .filter_map(finished_record)
            .find(|t| t.id == id);
        assert_eq!(
            event.map(|t| (t.state, t.reason)),
            Some((state, Some(reason)))
        );
        task
    }

    /// Whether any step so far asked to spawn `id`.
    pub fn ever_spawned(&self, id: TaskId) -> bool {
        self.log.iter().any(|s| spawned(s).contains(&id))
    }
}

/// A shell request running `make` in `session`.
pub fn shell(session: &str) -> CreateTask {
    CreateTask::shell(session, ["make"])
}

/// An external (subagent) request named `name` in `session`.
pub fn external(session: &str, name: &str) -> CreateTask {
    CreateTask::external(Kind::Subagent, session, name)
}

/// A list filter for one session's tasks.
pub fn by_session(session: &str) -> ListFilter {
    ListFilter {
        session: Some(session.to_owned()),
        ..ListFilter::default()
    }
}

/// The record of a create step's reply.
pub fn created(step: &Step) -> Task {
    match &step.reply {
        tend_core::Reply::Created { task, .. } => (**task).clone(),
        other => panic!("not a create reply: {other:?}"),
    }
}

/// Whether a create step made a new task.
pub fn was_created(step: &Step) -> bool {
    match &step.reply {
        tend_core::Reply::Created { created, .. } => *created,
        other => panic!("not a create reply: {other:?}"),
    }
}

/// The one record of a step's reply.
pub fn reply_task(step: &Step) -> Task {
    match &step.reply {
        tend_core::Reply::Task(task) => (**task).clone(),
        other => panic!("not a one-record reply: {other:?}"),
    }
}

/// The ids of the records of a step's reply.
pub fn reply_ids(step: &Step) -> Vec<TaskId> {
    match &step.reply {
        tend_core::Reply::Tasks(tasks) => tasks.iter().map(|t| t.id).collect(),
        other => panic!("not a many-record reply: {other:?}"),
    }
}

/// The tasks a step asks to spawn, in order.
pub fn spawned(step: &Step) -> Vec<TaskId> {
    step.actions
        .iter()
        .filter_map(|a| match a {
            Action::Spawn { task } => Some(task.task.id),
            Action::Signal { .. } | Action::DeleteOutput { .. } => None,
        })
        .collect()
}

/// The signals a step asks to send, in order.
pub fn signals(step: &Step) -> Vec<(TaskId, Signal)> {
    step.actions
        .iter()
        .filter_map(|a| match a {
            Action::Signal { id, signal } => Some((*id, *signal)),
            Action::Spawn { .. } | Action::DeleteOutput { .. } => None,
        })
        .collect()
}

/// `(task, type)` of a step's events, in order.
pub fn step_events(step: &Step) -> Vec<(TaskId, &'static str)> {
    step.changes
        .events
        .iter()
        .map(|e| (e.task_id, e.kind.type_name()))
        .collect()
}

/// The `task_finished` notifications of a step, by task.
pub fn step_finished(step: &Step) -> Vec<TaskId> {
    step.changes
        .notifications
        .iter()
        .filter(|n| n.kind == NotificationKind::TaskFinished)
        .filter_map(|n| n.task_id)
        .collect()
}

/// The `all_finished` notifications of a step.
pub fn step_all_finished(step: &Step) -> Vec<&Notification> {
    step.changes
        .notifications
        .iter()
        .map(|n| &**n)
        .filter(|n| n.kind == NotificationKind::AllFinished)
        .collect()
}

/// The record carried by a `finished` event.
pub fn finished_record(event: &Event) -> Option<&Task> {
    match &event.kind {
        EventKind::Finished { task } => Some(task),
        _ => None,
    }
}
