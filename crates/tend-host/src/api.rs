//! The runtime's API: a cheap, cloneable handle that talks to the supervisor.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tend_core::{
    CompleteTask, CreateTask, Engine, EventFilter, EventsPage, GroupStatus, Input, ListFilter,
    Notification, NotificationId, ProgressReport, Reply, Seq, Task, TaskId,
};
use tend_exec::ShimProgram;
use tend_store::Store;
use tokio::sync::{mpsc, oneshot, watch};

use crate::error::HostError;
use crate::home::{Home, check_database};
use crate::procs::Procs;
use crate::settings::Settings;
use crate::supervisor::{Command, StoreStatus, Version};

/// How a runtime is opened.
#[derive(Debug, Clone)]
pub struct HostOptions {
    /// The home directory.
    pub home: PathBuf,
    /// How to start the shim.
    pub shim: ShimProgram,
    /// Settings; `None` reads the home's config.toml.
    pub settings: Option<Settings>,
    /// Shell tasks that may be live at once (`None`: no limit). A shell task counts from its
    /// creation until it is terminal (pending ones may start at any time); a create beyond the
    /// limit fails with [`HostError::LiveTaskLimit`] before it reaches the engine.
    pub max_live_tasks: Option<usize>,
}

impl HostOptions {
    /// Options for `home`, starting shims with `shim`, reading the home's config.toml.
    pub fn new(home: impl Into<PathBuf>, shim: ShimProgram) -> Self {
        Self {
            home: home.into(),
            shim,
            settings: None,
            max_live_tasks: None,
        }
    }
}

/// `any`: one task is terminal; `all`: every task is terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitMode {
    /// Done when one task is terminal.
    Any,
    /// Done when every task is terminal.
    All,
}

/// The answer of [`Host::wait`].
#[derive(Debug, Clone, PartialEq)]
pub struct WaitResult {
    /// Whether the condition held.
    pub done: bool,
    /// The records as they were at the end.
    pub tasks: Vec<Task>,
}

/// Moves the environments that an older version kept in the database into the tasks' private
/// files (for tasks that may still be launched), then erases them from the database's files.
async fn move_legacy_environments(
    home: &Home,
    store: &tend_store::SqliteStore,
) -> Result<(), HostError> {
    let storage = |e: tend_store::StoreError| HostError::Storage(e.to_string());
    let legacy = store.stored_environments().await.map_err(storage)?;
    if legacy.is_empty() {
        return Ok(());
    }
    for (id, env) in &legacy {
        crate::secrets::write(home, *id, env)
            .map_err(|e| HostError::Storage(format!("cannot keep the environment of {id}: {e}")))?;
    }
    store.erase_environments().await.map_err(storage)?;
    tracing::info!(
        tasks = legacy.len(),
        "moved task environments out of the database"
    );
    Ok(())
}

/// A handle to a running runtime. Cloning is cheap; every clone talks to the same supervisor.
///
/// Tasks created through a host (or any of its clones) can be joined as they end with
/// [`Host::join_next`], like the tasks of a tokio `JoinSet`.
///
/// # Drop
///
/// Dropping the handles neither stops the tasks nor closes the runtime: shell tasks run on under
/// their shims (they outlive the harness on purpose), and the next runtime opened on the home
/// re-adopts them. End a runtime with [`Host::close`] to leave its tasks running, or with
/// [`Host::close_and_stop`] to stop them first (what a harness that deletes its home needs).
#[derive(Debug, Clone)]
pub struct Host {
    tx: mpsc::UnboundedSender<Command>,
    /// Tasks created through this host and not yet answered by [`Host::join_next`].
    joinable: Arc<Mutex<BTreeSet<TaskId>>>,
    version: watch::Receiver<Version>,
    store: watch::Receiver<StoreStatus>,
    home: Home,
    settings: Settings,
    max_live_tasks: Option<usize>,
}

impl Host {
    /// Opens the home (creating it), recovers its state and starts the supervisor.
    pub async fn open(options: HostOptions) -> Result<Self, HostError> {
        let home = Home::new(options.home);
        home.create()?;
        let settings = match options.settings {
            Some(settings) => settings,
            None => Settings::load(&home.config_file())
                .map_err(|e| HostError::Storage(e.to_string()))?,
        };
        check_database(&home)?;
        crate::home::private_database(&home)?;
        let store = tend_store::SqliteStore::open(&home.database())
            .await
            .map_err(|e| HostError::Storage(e.to_string()))?;
        move_legacy_environments(&home, &store).await?;
        let mut host = Self::open_with_store(home, settings, options.shim, store).await?;
        host.max_live_tasks = options.max_live_tasks;
        Ok(host)
    }

    /// Like [`Host::open`] with a given store. The home must exist ([`Home::create`]).
    pub async fn open_with_store<S: Store>(
        home: Home,
        settings: Settings,
        shim: ShimProgram,
        store: S,
    ) -> Result<Self, HostError> {
        let store = crate::secrets::SecretStore::new(store, home.clone());
        let (tx, rx) = mpsc::unbounded_channel();
        let procs = Procs::new(home.clone(), settings.clone(), shim, tx.clone());
        let (supervisor, version, store) =
            crate::recovery::recover(store, settings.clone(), procs, rx).await?;
        tokio::spawn(supervisor.run());
        crate::watch::spawn(&tx);
        Ok(Self {
            tx,
            joinable: Arc::default(),
            version,
            store,
            home,
            settings,
            max_live_tasks: None,
        })
    }

    /// The home.
    pub fn home(&self) -> &Home {
        &self.home
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether the store accepts commits. While it does not, every request fails with
    /// [`HostError::StoreUnavailable`] and the runtime retries by itself.
    pub fn store_health(&self) -> StoreStatus {
        self.store.borrow().clone()
    }

    async fn input(&self, input: Input) -> Result<Reply, HostError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Command::Input { input, reply })
            .map_err(|_| HostError::Unavailable)?;
        answer.await.map_err(|_| HostError::Unavailable)?
    }

    /// Runs `read` on the engine's committed state (`unavailable` while the store does not
    /// commit and its state cannot be read).
    pub(crate) async fn query<T, F>(&self, read: F) -> Result<T, HostError>
    where
        T: Send + 'static,
        F: FnOnce(&Engine, &Procs) -> T + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let query = Box::new(move |state: Result<(&Engine, &Procs), HostError>| {
            let _ = reply.send(state.map(|(engine, procs)| read(engine, procs)));
        });
        self.tx
            .send(Command::Query(query))
            .map_err(|_| HostError::Unavailable)?;
        answer.await.map_err(|_| HostError::Unavailable)?
    }

    /// Creates a task. Returns whether a new task was made (false: a live task with the same
    /// key) and its record.
    ///
    /// A shell task beyond [`HostOptions::max_live_tasks`] is refused with
    /// [`HostError::LiveTaskLimit`]. The count is taken just before the request reaches the
    /// engine, so creates racing each other may pass it together; the daemon's reserve of
    /// descriptors absorbs that.
    pub async fn create(&self, request: CreateTask) -> Result<(bool, Task), HostError> {
        if let Some(max) = self.max_live_tasks
            && request.kind.is_shell()
            && self.live_shell_tasks().await? >= max
        {
            return Err(HostError::LiveTaskLimit { max });
        }
        match self.input(Input::Create(request)).await? {
            Reply::Created { created, task } => {
                self.joinable_ids().insert(task.id);
                Ok((created, Arc::unwrap_or_clone(task)))
            }
            other => Err(unexpected(other)),
        }
    }

    /// Stops a task and its live descendants; returns the record once terminal (or, if the
    /// process outlives the grace by more than 10 s, as it is then).
    pub async fn stop(&self, id: TaskId, grace_ms: Option<u64>) -> Result<Task, HostError> {
        let task = self.task_reply(Input::Stop { id, grace_ms }).await?;
        if task.state.is_terminal() {
            return Ok(task);
        }
        let grace = grace_ms.unwrap_or(self.settings.default_grace_ms);
        let limit = Duration::from_millis(grace.saturating_add(10_000));
        let result = self.wait(vec![id], WaitMode::All, limit).await?;
        result
            .tasks
            .into_iter()
            .next()
            .ok_or(HostError::Unavailable)
    }

    /// Stops every live task with reason `shutdown`; returns the affected records.
    pub async fn shutdown_tasks(&self, grace_ms: Option<u64>) -> Result<Vec<Task>, HostError> {
        let tasks = match self.input(Input::Shutdown { grace_ms }).await? {
            Reply::Tasks(tasks) => tasks,
            other => return Err(unexpected(other)),
        };
        let ids: Vec<TaskId> = tasks.iter().map(|t| t.id).collect();
        let grace = grace_ms.unwrap_or(self.settings.default_grace_ms);
        let result = self
            .wait(ids, WaitMode::All, Duration::from_millis(grace + 10_000))
            .await?;
        Ok(result.tasks)
    }

    async fn task_reply(&self, input: Input) -> Result<Task, HostError> {
        match self.input(input).await? {
            Reply::Task(task) => Ok(Arc::unwrap_or_clone(task)),
            other => Err(unexpected(other)),
        }
    }

    /// An external task reports progress.
    pub async fn progress(&self, report: ProgressReport) -> Result<Task, HostError> {
        self.task_reply(Input::Progress(report)).await
    }

    /// An external task reports its outcome.
    pub async fn complete(&self, request: CompleteTask) -> Result<Task, HostError> {
        self.task_reply(Input::Complete(request)).await
    }

    /// Moves a task to another session.
    pub async fn transfer(&self, id: TaskId, session: String) -> Result<Task, HostError> {
        self.task_reply(Input::Transfer { id, session }).await
    }

    /// Closes a session; returns the affected records.
    pub async fn close_session(
        &self,
        session: String,
        successor: Option<String>,
    ) -> Result<Vec<Task>, HostError> {
        match self
            .input(Input::CloseSession { session, successor })
            .await?
        {
            Reply::Tasks(tasks) => Ok(tasks.into_iter().map(Arc::unwrap_or_clone).collect()),
            other => Err(unexpected(other)),
        }
    }

    /// Acknowledges notifications of a session.
    pub async fn ack(&self, session: String, ids: Vec<NotificationId>) -> Result<(), HostError> {
        self.input(Input::Ack { session, ids }).await.map(drop)
    }

    /// Sets a group's limit (0 = unlimited).
    pub async fn set_group_limit(
        &self,
        group: String,
        limit: u32,
    ) -> Result<GroupStatus, HostError> {
        match self.input(Input::SetGroupLimit { group, limit }).await? {
            Reply::Group(status) => Ok(status),
            other => Err(unexpected(other)),
        }
    }

    /// Removes a terminal task and its output.
    pub async fn remove(&self, id: TaskId) -> Result<(), HostError> {
        self.input(Input::Remove { id }).await.map(drop)
    }

    /// One record, with fresh output counters.
    pub async fn get(&self, id: TaskId) -> Result<Task, HostError> {
        self.query(move |engine, procs| engine.get(id).map(|t| procs.fresh(t)))
            .await?
            .map_err(HostError::Engine)
    }

    /// Records matching `filter`, oldest first.
    pub async fn list(&self, filter: ListFilter) -> Result<Vec<Task>, HostError> {
        self.query(move |engine, procs| {
            engine
                .list(&filter)
                .into_iter()
                .map(|t| procs.fresh(t))
                .collect()
        })
        .await
    }

    /// Every group.
    pub async fn groups(&self) -> Result<Vec<GroupStatus>, HostError> {
        self.query(|engine, _| engine.groups()).await
    }

    /// Waits until the tasks are terminal (`all`) or one is (`any`), at most `timeout`.
    pub async fn wait(
        &self,
        ids: Vec<TaskId>,
        mode: WaitMode,
        timeout: Duration,
    ) -> Result<WaitResult, HostError> {
        self.wait_until(ids, mode, false, timeout).await
    }

    /// Like [`Host::wait`]; with `ready`, a task also counts as done once it is ready
    /// (CONTRACT.md §9).
    pub async fn wait_until(
        &self,
        ids: Vec<TaskId>,
        mode: WaitMode,
        ready: bool,
        timeout: Duration,
    ) -> Result<WaitResult, HostError> {
        let done_with =
            move |task: &Task| task.state.is_terminal() || (ready && task.ready_at.is_some());
        let deadline = tokio::time::Instant::now() + timeout;
        let mut version = self.version.clone();
        loop {
            version.borrow_and_update();
            let ids = ids.clone();
            let tasks = self
                .query(move |engine, procs| {
                    ids.iter()
                        .map(|&id| engine.get(id).map(|t| procs.fresh(t)))
                        .collect::<Result<Vec<Task>, _>>()
                })
                .await?
                .map_err(HostError::Engine)?;
            let done = match mode {
                WaitMode::Any => tasks.iter().any(done_with),
                WaitMode::All => tasks.iter().all(done_with),
            };
            if done || tokio::time::Instant::now() >= deadline {
                return Ok(WaitResult { done, tasks });
            }
            tokio::select! {
                changed = version.changed() => if changed.is_err() { return Err(HostError::Unavailable) },
                () = tokio::time::sleep_until(deadline) => {}
            }
        }
    }

    fn joinable_ids(&self) -> std::sync::MutexGuard<'_, BTreeSet<TaskId>> {
        self.joinable
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next task created through this host (or a clone) that has ended and was not joined
    /// yet, waiting for one to end; `None` when every task created was joined. Each task is
    /// answered once, in the order they ended. A task whose record is gone (removed, or
    /// expired after retention) is answered with that error.
    pub async fn join_next(&self) -> Option<Result<Task, HostError>> {
        let mut version = self.version.clone();
        loop {
            version.borrow_and_update();
            let ids: Vec<TaskId> = self.joinable_ids().iter().copied().collect();
            if ids.is_empty() {
                return None;
            }
            let found = self
                .query(move |engine, procs| {
                    let mut first: Option<Task> = None;
                    for id in ids {
                        let task = match engine.get(id) {
                            Ok(task) => procs.fresh(task),
                            Err(error) => return Err((id, error)),
                        };
                        let earlier = |other: &Task| {
                            (task.finished_at, task.id) < (other.finished_at, other.id)
                        };
                        if task.state.is_terminal() && first.as_ref().is_none_or(earlier) {
                            first = Some(task);
                        }
                    }
                    Ok(first)
                })
                .await;
            match found {
                Err(error) => return Some(Err(error)),
                Ok(Err((id, error))) => {
                    if self.joinable_ids().remove(&id) {
                        return Some(Err(HostError::Engine(error)));
                    }
                }
                Ok(Ok(Some(task))) => {
                    // A concurrent join may have taken it: then look again.
                    if self.joinable_ids().remove(&task.id) {
                        return Some(Ok(task));
                    }
                }
                Ok(Ok(None)) => {
                    if version.changed().await.is_err() {
                        return Some(Err(HostError::Unavailable));
                    }
                }
            }
        }
    }

    /// How many shell tasks are live (pending, running or stopping).
    pub async fn live_shell_tasks(&self) -> Result<usize, HostError> {
        self.query(|engine, _| {
            let filter = ListFilter {
                active: true,
                ..ListFilter::default()
            };
            engine
                .list(&filter)
                .iter()
                .filter(|task| task.kind.is_shell())
                .count()
        })
        .await
    }

    /// The shell tasks allowed to be live at once, if limited.
    pub fn max_live_tasks(&self) -> Option<usize> {
        self.max_live_tasks
    }

    /// The live tasks of a session (for waits on a whole session).
    pub async fn live_ids(&self, session: String) -> Result<Vec<TaskId>, HostError> {
        self.query(move |engine, _| {
            let filter = ListFilter {
                session: Some(session),
                active: true,
                ..ListFilter::default()
            };
            engine.list(&filter).iter().map(|t| t.id).collect()
        })
        .await
    }

    /// Events after `after` passing `filter`; with `wait`, waits up to that long for one.
    pub async fn events(
        &self,
        after: Seq,
        filter: EventFilter,
        limit: usize,
        wait: Duration,
    ) -> Result<EventsPage, HostError> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut version = self.version.clone();
        loop {
            version.borrow_and_update();
            let f = filter.clone();
            let page = self
                .query(move |engine, _| engine.events_after(after, &f, limit))
                .await?
                .map_err(HostError::Engine)?;
            if !page.events.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(page);
            }
            tokio::select! {
                changed = version.changed() => if changed.is_err() { return Err(HostError::Unavailable) },
                () = tokio::time::sleep_until(deadline) => return Ok(page),
            }
        }
    }

    /// A session's unacknowledged notifications; with `wait`, waits up to that long for one.
    pub async fn notifications(
        &self,
        session: String,
        wait: Duration,
    ) -> Result<Vec<Notification>, HostError> {
        tend_core::validate_session(&session).map_err(HostError::Engine)?;
        let deadline = tokio::time::Instant::now() + wait;
        let mut version = self.version.clone();
        loop {
            version.borrow_and_update();
            let s = session.clone();
            let list = self
                .query(move |engine, _| {
                    engine
                        .notifications(&s)
                        .into_iter()
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .await?;
            if !list.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(list);
            }
            tokio::select! {
                changed = version.changed() => if changed.is_err() { return Err(HostError::Unavailable) },
                () = tokio::time::sleep_until(deadline) => return Ok(list),
            }
        }
    }

    /// Writes to the stdin of a live shell task created with `stdin: pipe`; `eof` closes it
    /// after the data. `conflict` for any other task.
    pub async fn write_stdin(&self, id: TaskId, data: Vec<u8>, eof: bool) -> Result<(), HostError> {
        self.write_input(id, data, &[], eof).await
    }

    /// Input to a live shell task (CONTRACT §8): `data`, then the named `keys`, then end of
    /// input when `eof`. On a terminal keys are the bytes a terminal sends and `eof` is
    /// `ctrl-d`; on pipes `enter` is `\n`, `tab` `\t`, `ctrl-c` SIGINT to the task's group and
    /// `ctrl-d` closes stdin, other keys are `invalid_argument`. `conflict` for a task that is
    /// not running, or that has neither a terminal nor a stdin pipe (except for `ctrl-c`).
    pub async fn write_input(
        &self,
        id: TaskId,
        data: Vec<u8>,
        keys: &[String],
        eof: bool,
    ) -> Result<(), HostError> {
        // A task just created may still be starting: its pipe exists once its process runs.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let mut version = self.version.clone();
        let (live, piped, tty) = loop {
            version.borrow_and_update();
            let (live, piped, tty, starting) = self
                .query(move |engine, _| {
                    let task = engine.get(id)?;
                    let piped = engine
                        .stored(id)
                        .is_some_and(|s| s.spec.stdin == tend_core::StdinMode::Pipe);
                    let tty = task.tty.is_some();
                    let live = task.state.holds_slot() && task.kind.is_shell();
                    Ok::<_, tend_core::Error>((live, piped, tty, live && task.pid.is_none()))
                })
                .await?
                .map_err(HostError::Engine)?;
            if !starting || tokio::time::Instant::now() >= deadline {
                break (live, piped, tty);
            }
            tokio::select! {
                changed = version.changed() => if changed.is_err() { return Err(HostError::Unavailable) },
                () = tokio::time::sleep_until(deadline) => {}
            }
        };
        let ops = input_ops(data, keys, eof, tty).map_err(HostError::Engine)?;
        let interrupts_only =
            !ops.is_empty() && ops.iter().all(|op| matches!(op, InputOp::Interrupt));
        if !piped && !tty && !interrupts_only {
            return Err(HostError::Engine(tend_core::Error::conflict(
                format!("task {id} was not created with stdin: pipe"),
                None,
            )));
        }
        if !live {
            return Err(HostError::Engine(tend_core::Error::conflict(
                format!("task {id} is not running"),
                None,
            )));
        }
        let dir = self.task_dir(id);
        let result = tokio::task::spawn_blocking(move || {
            for op in ops {
                match op {
                    InputOp::Write(bytes) => {
                        tend_exec::stdin::write(&dir, &bytes, Duration::from_secs(10))?;
                    }
                    InputOp::Close => tend_exec::stdin::close(&dir)?,
                    InputOp::Interrupt => {
                        tend_exec::tty::interrupt(&dir).map_err(|_| {
                            tend_exec::StdinError::Closed {
                                task_dir: dir.clone(),
                            }
                        })?;
                    }
                }
            }
            Ok::<_, tend_exec::StdinError>(())
        })
        .await
        .map_err(|_| HostError::Unavailable)?;
        result.map_err(|error| {
            if error.is_conflict() {
                HostError::Engine(tend_core::Error::conflict(
                    format!("task {id}: {error}"),
                    None,
                ))
            } else {
                HostError::Output {
                    id,
                    message: error.to_string(),
                }
            }
        })
    }

    /// Gives a live tty task's terminal a new size (its foreground group gets SIGWINCH) and
    /// answers the record, which shows it. `conflict` for a task without a terminal.
    pub async fn resize(&self, id: TaskId, size: tend_core::TtySize) -> Result<Task, HostError> {
        let task = self.task_reply(Input::Resize { id, size }).await?;
        if task.pid.is_some() {
            let dir = self.task_dir(id);
            let size = tend_exec::TtySize {
                rows: size.rows,
                cols: size.cols,
            };
            let result = tokio::task::spawn_blocking(move || tend_exec::tty::resize(&dir, size))
                .await
                .map_err(|_| HostError::Unavailable)?;
            match result {
                // Ended meanwhile, or not started yet: a start uses the recorded size.
                Ok(()) => {}
                Err(error) if error.is_conflict() => {}
                Err(error) => {
                    return Err(HostError::Output {
                        id,
                        message: error.to_string(),
                    });
                }
            }
        }
        Ok(task)
    }

    /// How a task's stderr is kept (`None` for an unknown or external task).
    pub async fn stderr_mode(&self, id: TaskId) -> Result<tend_core::StderrMode, HostError> {
        self.query(move |engine, _| {
            engine.get(id)?;
            Ok(engine.stored(id).map(|s| s.spec.stderr).unwrap_or_default())
        })
        .await?
        .map_err(HostError::Engine)
    }

    /// The directory holding a task's output and shim files.
    pub fn task_dir(&self, id: TaskId) -> PathBuf {
        self.home.task_dir(id)
    }

    /// Stops every live task of the home (reason `shutdown`: SIGTERM, then SIGKILL after the
    /// grace), waits for them to end, then closes the runtime as [`Host::close`] does. Returns
    /// the records of the tasks it stopped. Nothing of them is left running afterwards, so the
    /// home can be deleted.
    pub async fn close_and_stop(&self, grace_ms: Option<u64>) -> Result<Vec<Task>, HostError> {
        let stopped = self.shutdown_tasks(grace_ms).await?;
        self.close().await;
        Ok(stopped)
    }

    /// Stops the supervisor after the current batch. Running tasks keep running under their
    /// shims; the next runtime on this home re-adopts them ([`Host::close_and_stop`] stops them
    /// first).
    pub async fn close(&self) {
        let (reply, done) = oneshot::channel();
        if self.tx.send(Command::Stop(reply)).is_ok() {
            let _ = done.await;
        }
    }
}

fn unexpected(reply: Reply) -> HostError {
    HostError::UnexpectedReply {
        reply: format!("{reply:?}"),
    }
}

/// One step of an input request.
enum InputOp {
    Write(Vec<u8>),
    Close,
    Interrupt,
}

/// What `data`, `keys` and `eof` mean for a task with or without a terminal.
fn input_ops(
    data: Vec<u8>,
    keys: &[String],
    eof: bool,
    tty: bool,
) -> Result<Vec<InputOp>, tend_core::Error> {
    let unknown = |key: &str, what: &str| {
        tend_core::Error::invalid(
            "keys",
            format!("{:?} is not a key {what}", tend_core::display::visible(key)),
        )
    };
    if tty {
        let mut bytes = data;
        for key in keys {
            bytes.extend_from_slice(
                tend_exec::tty::key_bytes(key).ok_or_else(|| unknown(key, "name"))?,
            );
        }
        if eof {
            bytes.push(4);
        }
        return Ok(if bytes.is_empty() {
            Vec::new()
        } else {
            vec![InputOp::Write(bytes)]
        });
    }
    let mut ops = Vec::new();
    let mut bytes = data;
    let flush = |bytes: &mut Vec<u8>, ops: &mut Vec<InputOp>| {
        if !bytes.is_empty() {
            ops.push(InputOp::Write(std::mem::take(bytes)));
        }
    };
    for key in keys {
        match key.as_str() {
            "enter" => bytes.push(b'\n'),
            "tab" => bytes.push(b'\t'),
            "ctrl-c" => {
                flush(&mut bytes, &mut ops);
                ops.push(InputOp::Interrupt);
            }
            "ctrl-d" => {
                flush(&mut bytes, &mut ops);
                ops.push(InputOp::Close);
            }
            other => {
                return Err(unknown(
                    other,
                    "of a task without a terminal (enter, tab, ctrl-c, ctrl-d)",
                ));
            }
        }
    }
    flush(&mut bytes, &mut ops);
    if eof {
        ops.push(InputOp::Close);
    }
    Ok(ops)
}
