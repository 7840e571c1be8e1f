//! tend-mcp: tend's MCP server, as a client of the daemon (CONTRACT.md §7).
//!
//! [`TendServer`] offers six tools to any MCP client: `bg_run` starts a shell command and
//! answers inline when it ends within `yield_ms`, else with its id and the output so far;
//! `bg_output` reads output in bounded pieces (cursor, tail, grep with context lines); `bg_wait` waits for tasks
//! with progress notifications; `bg_stop`, `bg_list` and `bg_input` stop, list and feed them.
//! Each answer carries text for the model and `structuredContent` with the API's JSON, never
//! more than `max_bytes` of output, and ends with the session's unacknowledged notifications,
//! which are then acknowledged so that each is shown once; a notification of a task whose end
//! the answer itself reports is acknowledged without a line (CONTRACT.md §10). Output longer
//! than `max_bytes` shows its head (a quarter of the budget) and its tail (the rest), cut at
//! line ends, with a marker line naming the cursor of the middle. The text shows output plain
//! (escape sequences removed, carriage-return redraws settled) with runs of identical lines
//! folded; `structuredContent` keeps the exact bytes. Failures are tool errors
//! (`isError: true`) whose text starts with the API's code (`not_found: task t99 not found`).
//!
//! Two transports: [`run_stdio`] for `tend mcp` (closing the session when stdin closes) and
//! [`http`] for the daemon's loopback Streamable HTTP endpoint with a bearer token.
//!
//! **Invariant:** the library never writes to stdout, which is the MCP transport, nor to
//! stderr; it logs through `tracing`, and the binary decides where that goes (stderr).

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod answer;
mod config;
mod error;
pub mod http;
mod notify;
mod plain;
mod random;
mod read;
mod render;
mod schema;
mod server;
mod stdio;
mod tools;

pub use config::{McpConfig, random_session, session_name};
pub use error::McpError;
pub use server::TendServer;
pub use stdio::{run_stdio, serve_until};
