//! The runtime's hands on processes: spawning through the shim, signalling, watching exits
//! through pidfds, re-adopting after a restart, stopping what a vanished shim left running,
//! and reading output counters.

use std::collections::HashMap;
use std::os::fd::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tend_core::{Action, Engine, ExitOutcome, Input, Signal, StoredTask, Task, TaskId};
use tend_exec::{
    Adopted, Outcome, OutputLimits, ShimProgram, SpawnRequest, TaskEnd, TaskProcess, TaskStatus,
};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tracing::{info, warn};

use crate::budget::OutputBudget;
use crate::home::Home;
use crate::settings::Settings;
use crate::supervisor::Command;

/// A watched shell task.
struct Watched {
    process: Arc<TaskProcess>,
    watcher: JoinHandle<()>,
    /// Output total seen at the last idle check.
    seen_bytes: u64,
}

/// The processes of live shell tasks.
pub(crate) struct Procs {
    home: Home,
    settings: Settings,
    shim: ShimProgram,
    tx: mpsc::UnboundedSender<Command>,
    running: HashMap<TaskId, Watched>,
    /// Tasks whose shim is being started, with the signals ordered meanwhile.
    starting: HashMap<TaskId, Vec<Signal>>,
    budget: OutputBudget,
    /// Shim starts under way, at most [`MAX_CONCURRENT_SPAWNS`]: each holds a few descriptors.
    spawn_slots: Arc<Semaphore>,
}

/// Shims started at once; further starts wait their turn. A start holds a few descriptors
/// (pipes to the shim, its log) for about a millisecond.
pub const MAX_CONCURRENT_SPAWNS: usize = 8;

/// Lets tokio wait on a shared pidfd.
struct PidFd(Arc<TaskProcess>);

impl AsRawFd for PidFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

/// Adopts every directory in `dirs`. A shim that a killed runtime had just launched may not have
/// recorded its process ids yet: a task directory without them looks vanished for a moment.
/// Such directories are looked at again until they settle or one shared deadline passes, so
/// recovery waits at most that long however many tasks were being launched.
fn adopt_settled(dirs: &[PathBuf]) -> Vec<Result<Adopted, tend_exec::AdoptError>> {
    const SETTLE: std::time::Duration = std::time::Duration::from_secs(3);
    let deadline = std::time::Instant::now() + SETTLE;
    let mut found: Vec<Option<Result<Adopted, tend_exec::AdoptError>>> =
        dirs.iter().map(|_| None).collect();
    loop {
        let last_look = std::time::Instant::now() >= deadline;
        let mut unsettled = 0;
        for (dir, slot) in dirs.iter().zip(&mut found) {
            if slot.is_some() {
                continue;
            }
            let adopted = tend_exec::adopt(dir);
            let settling =
                matches!(&adopted, Ok(Adopted::Vanished(v)) if v.ids().is_none()) && dir.exists();
            if settling && !last_look {
                unsettled += 1;
            } else {
                *slot = Some(adopted);
            }
        }
        if unsettled == 0 {
            return found.into_iter().flatten().collect();
        }
        std::thread::park_timeout(std::time::Duration::from_millis(25));
    }
}

/// What to tell the engine about a task whose shim vanished: the output it left (read from its
/// files, since no exit record counts it), then that it is lost.
fn vanished_inputs(id: TaskId, task_dir: &Path) -> Vec<Input> {
    let mut inputs = Vec::new();
    match tend_exec::OutputReader::new(task_dir, tend_exec::Stream::Main).counters() {
        Ok(counters) => inputs.push(Input::OutputGrew {
            id,
            total_bytes: counters.total_bytes,
            dropped_bytes: counters.dropped_bytes,
        }),
        Err(error) => warn!(%id, %error, "cannot measure the output of a vanished task"),
    }
    inputs.push(Input::ProcessExited {
        id,
        outcome: ExitOutcome::Lost,
    });
    inputs
}

/// Stops what is left of a task whose shim vanished (blocking: up to `grace` and a few seconds).
fn stop_leftovers(id: TaskId, vanished: &tend_exec::VanishedTask, grace: Duration) {
    let started = std::time::Instant::now();
    let sweep = vanished.stop_leftovers(grace);
    let took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    if sweep.remaining > 0 {
        warn!(%id, ?sweep, took_ms, "processes of a vanished task survived SIGKILL");
    } else if !sweep.found_nothing() {
        info!(%id, ?sweep, took_ms, "stopped the leftover processes of a vanished task");
    }
}

fn status_inputs(id: TaskId, status: &TaskStatus) -> Vec<Input> {
    let grew = Input::OutputGrew {
        id,
        total_bytes: status.output.total_bytes,
        dropped_bytes: status.output.dropped_bytes,
    };
    let end = match &status.outcome {
        Outcome::Exited { code } => Input::ProcessExited {
            id,
            outcome: ExitOutcome::Exited(*code),
        },
        Outcome::Signaled { signal, .. } => Input::ProcessExited {
            id,
            outcome: ExitOutcome::Signaled(signal.clone()),
        },
        Outcome::SpawnFailed(failure) => Input::SpawnFailed {
            id,
            message: failure.message.clone(),
        },
    };
    vec![grew, end]
}

impl Procs {
    pub fn new(
        home: Home,
        settings: Settings,
        shim: ShimProgram,
        tx: mpsc::UnboundedSender<Command>,
    ) -> Self {
        let budget = OutputBudget::new(settings.output_budget_bytes);
        Self {
            home,
            settings,
            shim,
            tx,
            running: HashMap::new(),
            starting: HashMap::new(),
            budget,
            spawn_slots: Arc::new(Semaphore::new(MAX_CONCURRENT_SPAWNS)),
        }
    }

    /// The home.
    pub fn home(&self) -> &Home {
        &self.home
    }

    /// The watched shell tasks with their markers (`None` for a launch recorded without one)
    /// and directories.
    pub fn watched(&self) -> Vec<(TaskId, Option<String>, PathBuf)> {
        self.running
            .iter()
            .map(|(id, watched)| {
                (
                    *id,
                    watched.process.ids().marker.clone(),
                    watched.process.task_dir().to_path_buf(),
                )
            })
            .collect()
    }

    /// Carries out one action. A spawn runs on the blocking pool and answers later with
    /// `Command::Spawned`.
    pub fn act(&mut self, action: Action, engine: &Engine) {
        match action {
            Action::Spawn { task } => self.spawn(&task),
            Action::Signal { id, signal } => self.signal(id, signal, engine),
            Action::DeleteOutput { id } => self.delete_output(id),
        }
    }

    fn spawn(&mut self, stored: &StoredTask) {
        let id = stored.task.id;
        let argv = stored.task.command.as_deref().unwrap_or_default().to_vec();
        let mut request = SpawnRequest::new(self.shim.clone(), self.home.task_dir(id), argv);
        request.cwd = stored
            .task
            .cwd
            .as_ref()
            .map_or_else(|| PathBuf::from("/"), PathBuf::from);
        request.env = stored
            .spec
            .env
            .vars()
            .iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        request.inherit_env = stored.spec.base_env == tend_core::BaseEnv::Daemon;
        request.stdin = match stored.spec.stdin {
            tend_core::StdinMode::Null => tend_exec::StdinMode::Null,
            tend_core::StdinMode::Pipe => tend_exec::StdinMode::Pipe,
        };
        request.stderr = match stored.spec.stderr {
            tend_core::StderrMode::Combined => tend_exec::StderrMode::Combined,
            tend_core::StderrMode::Separate => tend_exec::StderrMode::Separate,
        };
        request.tty = stored.task.tty.map(|size| tend_exec::TtySize {
            rows: size.rows,
            cols: size.cols,
        });
        request.limits = OutputLimits {
            head_bytes: self.settings.head_bytes,
            cap_bytes: self.settings.output_cap_bytes,
        };
        request.launch = u64::from(stored.task.attempt);
        // Starting a shim takes a few milliseconds: it runs on the blocking pool so that the
        // supervisor goes on committing, and its result comes back as `Command::Spawned`.
        self.starting.insert(id, Vec::new());
        let tx = self.tx.clone();
        let slots = Arc::clone(&self.spawn_slots);
        tokio::spawn(async move {
            let _slot = slots.acquire_owned().await;
            let started = tokio::task::spawn_blocking(move || tend_exec::spawn(&request)).await;
            if let Ok(result) = started {
                let _ = tx.send(Command::Spawned { id, result });
            }
        });
    }

    /// A spawn finished: watch the process, deliver signals ordered while it started, and
    /// answer the observation to feed the engine.
    pub fn spawned(
        &mut self,
        id: TaskId,
        result: Result<TaskProcess, tend_exec::SpawnError>,
    ) -> Input {
        let signals = self.starting.remove(&id).unwrap_or_default();
        match result {
            Ok(process) => {
                let pid = u32::try_from(process.pid()).unwrap_or(0);
                for signal in signals {
                    let delivered = match signal {
                        Signal::Term => process.terminate(),
                        Signal::Kill => process.kill(),
                    };
                    if let Err(error) = delivered {
                        warn!(%id, ?signal, %error, "cannot signal the task");
                    }
                }
                self.watch(id, process);
                Input::ProcessStarted { id, pid }
            }
            Err(spawn_error) => Input::SpawnFailed {
                id,
                message: spawn_error.to_string(),
            },
        }
    }

    /// Watches a shim: when its pidfd becomes readable, its exit record is fed back.
    fn watch(&mut self, id: TaskId, process: TaskProcess) {
        let process = Arc::new(process);
        let tx = self.tx.clone();
        let shared = Arc::clone(&process);
        let grace = Duration::from_millis(self.settings.default_grace_ms);
        let watcher = tokio::spawn(async move {
            // SAFETY: the pidfd belongs to the `TaskProcess` inside the `Arc` that the `AsyncFd`
            // holds; it stays open and unchanged until the `AsyncFd` is dropped.
            let registered = unsafe {
                AsyncFd::register_with_interest(PidFd(Arc::clone(&shared)), Interest::READABLE)
            };
            let ended = match registered {
                Ok(fd) => fd.readable().await.map(drop).map_err(|e| e.to_string()),
                Err(error) => Err(error.to_string()),
            };
            if let Err(error) = ended {
                warn!(%id, %error, "cannot wait on the shim's pidfd; waiting in a thread");
            }
            // A shim that vanished left its command's processes running: they are stopped
            // whole before the task is reported lost, on the blocking pool (and to the end,
            // even if this watcher is aborted meanwhile).
            let end = tokio::task::spawn_blocking(move || {
                let end = shared.wait_exit(None)?;
                Ok(match end {
                    Some(TaskEnd::Vanished) => {
                        warn!(%id, "the task's shim vanished without an exit record");
                        stop_leftovers(id, &shared.vanished(), grace);
                        Some(vanished_inputs(id, shared.task_dir()))
                    }
                    Some(TaskEnd::Finished(status)) => Some(status_inputs(id, &status)),
                    None => None,
                })
            })
            .await;
            let inputs = match end {
                Ok(Ok(Some(inputs))) => inputs,
                Ok(Ok(None)) => return,
                Ok(Err::<_, tend_exec::WaitError>(error)) => {
                    warn!(%id, %error, "cannot read the exit of the shim");
                    vec![Input::ProcessExited {
                        id,
                        outcome: ExitOutcome::Lost,
                    }]
                }
                Err(_) => return,
            };
            for input in inputs {
                let _ = tx.send(Command::Observe(input));
            }
        });
        self.running.insert(
            id,
            Watched {
                process,
                watcher,
                seen_bytes: 0,
            },
        );
    }

    fn signal(&mut self, id: TaskId, signal: Signal, engine: &Engine) {
        if let Some(pending) = self.starting.get_mut(&id) {
            pending.push(signal);
            return;
        }
        let Some(watched) = self.running.get(&id) else {
            if engine.get(id).is_ok_and(Task::is_live) {
                warn!(%id, ?signal, "no process to signal");
            }
            return;
        };
        let result = match signal {
            Signal::Term => watched.process.terminate(),
            Signal::Kill => watched.process.kill(),
        };
        match result {
            Ok(true) => {}
            Ok(false) if signal == Signal::Kill => {
                // No shim to carry the kill: if it vanished, kill what it left now rather than
                // at the end of the grace the watcher gives it.
                let process = Arc::clone(&watched.process);
                tokio::task::spawn_blocking(move || {
                    if let Ok(Some(TaskEnd::Vanished)) = process.wait_exit(Some(Duration::ZERO)) {
                        stop_leftovers(id, &process.vanished(), Duration::ZERO);
                    }
                });
            }
            Ok(false) => {}
            Err(error) => warn!(%id, ?signal, %error, "cannot signal the task"),
        }
    }

    fn delete_output(&mut self, id: TaskId) {
        self.budget.forget(id);
        if let Some(watched) = self.running.remove(&id) {
            watched.watcher.abort();
        }
        let dir = self.home.task_dir(id);
        tokio::task::spawn_blocking(move || match std::fs::remove_dir_all(&dir) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => warn!(dir = %dir.display(), %error, "cannot delete task output"),
        });
    }

    /// Recovery: what became of a task the store says is running.
    /// Re-adopts the processes of `live` tasks after a restart: for each, what to tell the
    /// engine (nothing for a task re-adopted as it was recorded).
    pub fn adopt_all(&mut self, live: &[StoredTask]) -> Vec<Vec<Input>> {
        let dirs: Vec<PathBuf> = live
            .iter()
            .map(|stored| self.home.task_dir(stored.task.id))
            .collect();
        let found = adopt_settled(&dirs);
        live.iter()
            .zip(found)
            .map(|(stored, found)| self.adopt(stored, found))
            .collect()
    }

    fn adopt(
        &mut self,
        stored: &StoredTask,
        found: Result<Adopted, tend_exec::AdoptError>,
    ) -> Vec<Input> {
        let id = stored.task.id;
        // Files an earlier attempt left behind say nothing about this one (0: a shim that did
        // not mark its files).
        let attempt = u64::from(stored.task.attempt);
        let earlier = |launch: u64| launch != 0 && launch != attempt;
        let unseen = stored.task.pid.is_none();
        match found {
            Ok(Adopted::Running(process)) => {
                let pid = u32::try_from(process.pid()).unwrap_or(0);
                info!(%id, pid, "re-adopted a running task");
                self.watch(id, process);
                if stored.task.pid.is_none() {
                    vec![Input::ProcessStarted { id, pid }]
                } else {
                    Vec::new()
                }
            }
            Ok(Adopted::Finished(status)) if earlier(status.launch) && unseen => {
                info!(%id, attempt, "launching an attempt whose start was recorded but never carried out");
                vec![Input::NeverStarted { id }]
            }
            Ok(Adopted::Finished(status)) => {
                info!(%id, "applying the exit record of a task that ended while no runtime watched");
                status_inputs(id, &status)
            }
            Ok(Adopted::Vanished(vanished))
                if vanished.ids().is_none_or(|ids| earlier(ids.launch)) && unseen =>
            {
                // No shim ever recorded a process for this start: the runtime stopped between
                // recording the start and launching it, so the command never ran.
                info!(%id, "launching a task whose start was recorded but never carried out");
                vec![Input::NeverStarted { id }]
            }
            Ok(Adopted::Vanished(vanished)) => {
                warn!(%id, "the task's shim vanished without an exit record");
                let inputs = vanished_inputs(id, vanished.task_dir());
                // The task is recorded lost at once; what its command left is stopped on the
                // blocking pool, so that recovery does not wait out a grace per task.
                let grace = Duration::from_millis(self.settings.default_grace_ms);
                tokio::task::spawn_blocking(move || stop_leftovers(id, &vanished, grace));
                inputs
            }
            Err(error) => {
                warn!(%id, %error, "cannot adopt the task; marking it lost");
                vec![Input::ProcessExited {
                    id,
                    outcome: ExitOutcome::Lost,
                }]
            }
        }
    }

    /// Output growth of watched tasks with an idle timeout, since the last look.
    pub fn output_observations(&mut self, engine: &Engine) -> Vec<Input> {
        let mut inputs = Vec::new();
        for (&id, watched) in &mut self.running {
            if engine
                .get(id)
                .is_ok_and(|t| t.idle_timeout_ms.is_some() && t.is_live())
            {
                let reader = watched.process.output(tend_exec::Stream::Main);
                if let Ok(counters) = reader.counters()
                    && counters.total_bytes > watched.seen_bytes
                {
                    watched.seen_bytes = counters.total_bytes;
                    inputs.push(Input::OutputGrew {
                        id,
                        total_bytes: counters.total_bytes,
                        dropped_bytes: counters.dropped_bytes,
                    });
                }
            }
        }
        self.running.retain(|&id, watched| {
            let keep = engine.get(id).is_ok_and(Task::is_live);
            if !keep {
                watched.watcher.abort();
            }
            keep
        });
        inputs
    }

    /// A record with output counters read from disk while the task runs.
    pub fn fresh(&self, task: &Task) -> Task {
        let mut task = task.clone();
        if task.is_live()
            && let Some(watched) = self.running.get(&task.id)
            && let Ok(counters) = watched.process.output(tend_exec::Stream::Main).counters()
        {
            task.output = Some(tend_core::OutputCounters {
                total_bytes: counters.total_bytes,
                dropped_bytes: counters.dropped_bytes,
            });
        }
        task
    }

    /// Accounts for tasks that became terminal in a committed batch and enforces the output
    /// budget.
    pub fn account_finished<'a>(&mut self, finished: impl Iterator<Item = &'a StoredTask>) {
        for task in finished {
            if let Some(watched) = self.running.remove(&task.task.id) {
                watched.watcher.abort();
            }
            self.budget.finished(&self.home, task);
        }
        self.budget.enforce(&self.home);
    }

    /// Whether shims are being started (their answers still to come as `Command::Spawned`).
    pub fn is_starting(&self) -> bool {
        !self.starting.is_empty()
    }

    /// Stops watching every task; the tasks keep running under their shims.
    pub fn detach_all(&mut self) {
        for (_, watched) in self.running.drain() {
            watched.watcher.abort();
        }
    }
}
