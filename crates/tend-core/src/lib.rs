//! tend-core: the deterministic, sans-IO lifecycle engine of tend.
//!
//! The [`Engine`] owns the task table, the concurrency groups, the notification outbox and the
//! event log. It has one entry point, [`Engine::handle`], which takes an [`Input`] and an explicit
//! `now` and returns a [`Step`]: the reply for the caller, the [`Changes`] to persist as one unit,
//! the [`Action`]s the runtime must carry out on processes, the waiters to wake and the next timer
//! deadline. The engine performs no IO, reads no clock and holds no globals, so every rule of the
//! lifecycle can be tested deterministically.
//!
//! # Example
//!
//! ```
//! use tend_core::{Config, CreateTask, Engine, Input, Reply, Timestamp, ExitOutcome, Action};
//!
//! let mut engine = Engine::new(Config::default());
//! let now = Timestamp::from_millis(1_700_000_000_000);
//! let step = engine
//!     .handle(Input::Create(CreateTask::shell("cli", ["echo", "hi"])), now)
//!     .unwrap();
//! let Reply::Created { task, .. } = step.reply else { unreachable!() };
//! assert!(matches!(step.actions[0], Action::Spawn { .. }));
//! engine.handle(Input::ProcessStarted { id: task.id, pid: 42 }, now).unwrap();
//! let step = engine
//!     .handle(Input::ProcessExited { id: task.id, outcome: ExitOutcome::Exited(0) }, now)
//!     .unwrap();
//! assert_eq!(step.changes.notifications.len(), 1); // task_finished (alone: no all_finished)
//! assert_eq!(engine.get(task.id).unwrap().state.as_str(), "completed");
//! ```

mod config;
pub mod display;
mod effect;
mod engine;
mod error;
mod event;
mod id;
mod input;
pub mod invariants;
mod name;
mod notification;
pub mod ready;
mod shared;
mod spec;
mod task;
mod time;

pub use config::Config;
pub use effect::{Action, Changes, Reply, Sequences, Signal, Step, Wake};
pub use engine::{Engine, EventsPage, GroupStatus, ListFilter, Snapshot};
pub use error::{Error, ErrorCode, RestoreError};
pub use event::{Event, EventFilter, EventKind};
pub use id::{NotificationId, Seq, TaskId};
pub use input::{CompleteTask, CreateTask, ExitOutcome, Input, ProgressReport, StopCause};
pub use name::{validate_group, validate_key, validate_session};
pub use notification::{Notification, NotificationKind};
pub use shared::SharedStr;
pub use spec::{
    BaseEnv, Env, RunSpec, RunState, StderrMode, StdinMode, StopState, StoredTask, TtySize,
};
pub use task::{
    ClosePolicy, Kind, ListeningPort, OutputCounters, Progress, ReadyCondition, ReadySpec, Reason,
    State, Task,
};
pub use time::{Timestamp, parse_duration};
