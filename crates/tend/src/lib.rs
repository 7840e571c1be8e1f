//! tend for Rust harnesses: background shell and external tasks run by a runtime inside the
//! harness's own process, on a home directory of its choosing. One crate to add; it re-exports
//! what a harness uses from `tend-core`, `tend-host` and `tend-exec`.
//!
//! The harness's binary is also the shim that supervises each task (a small process that
//! outlives the harness if it must). [`run_shim_if_requested`] is that entry: call it first in
//! `main`, before any thread starts (before a tokio runtime is built, so not under
//! `#[tokio::main]`):
//!
//! ```no_run
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     tend::run_shim_if_requested();
//!     let runtime = tokio::runtime::Runtime::new()?;
//!     runtime.block_on(async {
//!         let host = tend::open("/tmp/my-harness-home").await?;
//!         tend::TaskSpec::sh("session", "cargo build").spawn(&host).await?;
//!         tend::TaskSpec::sh("session", "cargo clippy").spawn(&host).await?;
//!         while let Some(task) = host.join_next().await {
//!             let task = task?;
//!             println!("{} ended {:?}", task.id, task.state);
//!         }
//!         host.close_and_stop(None).await?;
//!         Ok(())
//!     })
//! }
//! ```
//!
//! [`Host`] documents what happens to running tasks when it is closed or dropped.
//! [`spawn_managed`] runs a future of the harness as a task: completed with its outcome,
//! cancelled through a [`CancellationToken`] when the task is stopped.

mod managed;
mod output;

use std::path::PathBuf;
use std::time::Duration;

pub use managed::{Outcome, spawn_managed};
pub use output::{ReadOutputError, read_output};
pub use tokio_util::sync::CancellationToken;

pub use tend_core::{
    ClosePolicy, CompleteTask, CreateTask, Env, Event, EventKind, Kind, ListFilter, Notification,
    NotificationKind, ProgressReport, Reason, State, StderrMode, StdinMode, Task, TaskId,
};
pub use tend_exec::{OutputChunk, ShimProgram, Stream};
pub use tend_host::{Home, Host, HostError, HostOptions, Settings, WaitMode, WaitResult};

/// The first argument that makes a harness's binary run as a shim.
pub const SHIM_ARG: &str = "__shim";

/// When this process was started as a shim (`BINARY __shim`), runs the shim and exits with its
/// code; otherwise returns at once. Call it first in `main`, before any thread exists: the shim
/// forks.
pub fn run_shim_if_requested() {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|arg| arg == SHIM_ARG)
    {
        std::process::exit(tend_exec::shim::main());
    }
}

/// Why [`open`] failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// This process's executable, the shim of its tasks, cannot be found.
    #[error("cannot find this executable to run it as the shim: {0}")]
    Executable(#[source] std::io::Error),
    /// The runtime did not open.
    #[error(transparent)]
    Host(#[from] HostError),
}

/// The shim of this binary: the running executable with [`SHIM_ARG`].
pub fn this_binary_as_shim() -> Result<ShimProgram, OpenError> {
    let exe = std::env::current_exe().map_err(OpenError::Executable)?;
    Ok(ShimProgram::new(exe, [SHIM_ARG]))
}

/// Opens (creating it) the home and starts a runtime on it whose shim is this binary; `main`
/// must call [`run_shim_if_requested`] first.
pub async fn open(home: impl Into<PathBuf>) -> Result<Host, OpenError> {
    Ok(Host::open(HostOptions::new(home, this_binary_as_shim()?)).await?)
}

/// A task to create, built step by step: `TaskSpec::sh("s", "make").timeout(d).spawn(&host)`.
#[derive(Debug, Clone)]
pub struct TaskSpec(CreateTask);

impl TaskSpec {
    /// A shell task running `argv`.
    pub fn shell<I, S>(session: impl Into<String>, argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self(CreateTask::shell(session, argv))
    }

    /// A shell task running `script` with `sh -c`.
    pub fn sh(session: impl Into<String>, script: impl Into<String>) -> Self {
        Self::shell(session, ["sh".to_owned(), "-c".to_owned(), script.into()])
    }

    /// An external task (work the harness does itself, a subagent): it runs until the harness
    /// reports its outcome with [`Host::complete`].
    pub fn external(kind: Kind, session: impl Into<String>, name: impl Into<String>) -> Self {
        Self(CreateTask::external(kind, session, name))
    }

    /// A label (default: the command line).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.0.name = Some(name.into());
        self
    }

    /// The working directory, an absolute path.
    pub fn cwd(mut self, cwd: impl Into<String>) -> Self {
        self.0.cwd = Some(cwd.into());
        self
    }

    /// Adds a variable to the environment (kept out of every record and of the store).
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let mut vars = self.0.env.vars().to_vec();
        vars.push((name.into(), value.into()));
        self.0.env = Env::new(vars);
        self
    }

    /// The concurrency group.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.0.group = Some(group.into());
        self
    }

    /// Starts only after these tasks completed.
    pub fn after(mut self, ids: impl IntoIterator<Item = TaskId>) -> Self {
        self.0.after.extend(ids);
        self
    }

    /// An idempotency key within the session.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.0.key = Some(key.into());
        self
    }

    /// Fails the task when it runs longer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.0.timeout_ms = Some(millis(timeout));
        self
    }

    /// Fails the task after this long without output (shell) or progress (external).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.0.idle_timeout_ms = Some(millis(timeout));
        self
    }

    /// Attempts allowed (shell).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.0.max_attempts = Some(attempts);
        self
    }

    /// The parent task: stopping it stops this one.
    pub fn parent(mut self, parent: TaskId) -> Self {
        self.0.parent = Some(parent);
        self
    }

    /// The request, for [`Host::create`].
    pub fn build(self) -> CreateTask {
        self.0
    }

    /// Creates the task on `host` and returns its record (the live task with the same key, if
    /// there is one).
    pub async fn spawn(self, host: &Host) -> Result<Task, HostError> {
        host.create(self.0).await.map(|(_, task)| task)
    }
}

impl From<TaskSpec> for CreateTask {
    fn from(spec: TaskSpec) -> Self {
        spec.0
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
