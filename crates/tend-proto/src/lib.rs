//! tend-proto: the wire types of tend's HTTP API (CONTRACT.md §5), shared by the daemon and its
//! clients.
//!
//! Request bodies are named `*Params` and reject unknown fields; answers are named `*Response`.
//! Query strings are parsed by hand ([`ListTasksQuery`], [`OutputQuery`], [`EventsQuery`],
//! [`NotificationsQuery`]) so that an empty value (`tail_lines=`) means "not given" and every
//! mistake is answered with a message that names the parameter. Records, events and
//! notifications are [`tend_core`]'s own types, serialised as they are.
//!
//! Validation that needs no state lives here too ([`CreateTaskParams::into_create_task`],
//! [`WaitParams::target`]), so that a client can reject a bad request before sending it and the
//! daemon answers it the same way. Errors are [`tend_core::Error`]s, whose codes the daemon maps
//! onto the wire with [`ErrorBody`].
//!
//! With the `schema` feature every type describes itself as a JSON Schema (schemars), which the
//! daemon assembles into its OpenAPI document.

mod create;
mod error;
mod events;
mod groups;
mod health;
mod limits;
mod list;
mod output;
mod processes;
mod query;
pub mod render;
mod sessions;
mod task_ops;
mod wait;

pub use create::{CreateTaskParams, CreateTaskResponse, EnvMap, TtyParam};
pub use error::{ApiErrorCode, ErrorBody, ErrorDetail};
pub use events::{EventsQuery, EventsResponse};
pub use groups::{GroupLimitParams, GroupsResponse};
pub use health::{
    CapacityHealth, DaemonStopParams, DaemonStopResponse, HealthResponse, StoreHealth,
};
pub use limits::{
    DEFAULT_EVENTS_LIMIT, DEFAULT_READ_BYTES, MAX_BODY_BYTES, MAX_CONTEXT_LINES, MAX_DURATION_MS,
    MAX_EVENTS_LIMIT, MAX_LONG_POLL_MS, MAX_READ_BYTES, MAX_WAIT_IDS, NAME_PATTERN, STATES_PATTERN,
    check_duration, long_poll,
};
pub use list::{ListTasksQuery, TasksResponse};
pub use output::{
    OutputFormat, OutputQuery, OutputRead, OutputRender, OutputStream, Screen, ScreenCursor,
    ScreenRead, headers,
};
pub use processes::{ProcessEntry, ProcessesResponse};
pub use query::QueryPairs;
pub use sessions::{AckParams, CloseParams, NotificationsQuery, NotificationsResponse};
pub use task_ops::{
    CompleteParams, FinalState, ProgressParams, ProgressState, ResizeParams, StdinParams,
    StopParams, TransferParams,
};
pub use wait::{WaitMode, WaitParams, WaitResponse, WaitTarget, WaitUntil};
