//! tend-daemon: serves tend's HTTP API (CONTRACT.md §5) on the unix socket of a home.
//!
//! [`run`] is the whole daemon: it takes the home's lock (one daemon per home), opens the
//! runtime ([`tend_host::Host`], which recovers the home's tasks), binds `tend.sock` (mode 0600,
//! in the 0700 home), serves the API until SIGTERM, SIGINT or `POST /v1/daemon/stop`, then
//! stops the runtime and removes the socket. Running tasks keep running under their shims for
//! the next daemon to re-adopt, unless the stop asked for `kill_tasks`.
//!
//! [`Daemon`] splits the same into [`Daemon::start`] (everything up to a bound socket) and
//! [`Daemon::serve`], so that tests and embedders can run it on their own task and stop it
//! with a [`ShutdownHandle`]. [`init_logging`] sends `tracing` output to the home's
//! `daemon.log`; the binary decides whether to call it.
//!
//! # Limits
//!
//! Connections are served by [`tend_listen::serve`]. At most `max_connections` (1024) are
//! served at once; more wait in the socket's backlog. A connection that has not sent a
//! complete request head within the header timeout (10 s) is closed, and so is an idle
//! keep-alive connection after the same time; a request body must arrive within the body
//! timeout (10 s) and is at most 1 MiB (413 otherwise). An answer whose writing makes no
//! progress for the write timeout (30 s: the client stopped reading) closes its connection,
//! which frees what the answer held. Every error, including malformed requests, unknown routes
//! and wrong methods, is answered with the JSON error body of the contract.
//!
//! Long polls (output reads with `wait_ms`, `POST /v1/wait`, event pages with `wait_ms` and
//! event streams, notifications with `wait_ms`) are cut to 10 minutes and counted apart: at
//! most `max_long_polls` (512, and never more than half of the connections) wait at once. One
//! more is answered at once with `unavailable` ("too many waiting requests") and its
//! connection is closed after the answer, so long polls alone can never take every connection
//! and plain requests are served beside them. A create with `yield_ms` that finds no free
//! place answers at once, as with `yield_ms: 0`.
//!
//! Output answers hold at most `max_output_in_flight` (64 MiB) of task output at once,
//! counted from the answer's actual size (a JSON answer counts twice while it is encoded);
//! the count is released when the answer's body is dropped, that is once it was sent or its
//! connection closed. A read that finds no room waits up to the write timeout, then is
//! answered `unavailable`. With the write timeout, N clients that never read a 16 MiB answer
//! cost at most that much memory, for at most that long.
//!
//! At start the daemon raises its soft open files limit (`RLIMIT_NOFILE`) to the hard limit
//! and divides it: a reserve for its own descriptors (store, log, listeners, runtime, shim
//! starts under way), then connections (the API's and other listeners', at most a quarter of what
//! is left: the API's cap is lowered to fit), then one descriptor per live shell task (the
//! shim's pidfd). `GET /v1/health` says the result in `capacity`; creating a shell task when
//! that many are live (pending, running or stopping) is refused with `unavailable`, naming the
//! limit and how to raise it, instead of failing the task with `spawn_failed`.
//!
//! `render=screen` reads emulate at most the kept output (64 MiB by default) once, reading it
//! 1 MiB at a time; the emulators of the 16 tasks read last are kept (one screen grid each, at
//! most 1000x1000 cells) so that a repeated read emulates only the bytes written since.

mod api;
mod backend;
mod daemon;
mod descriptors;
mod error;
mod limits;
mod lock;
mod logging;
mod openapi;
mod read;
mod screen;
mod shutdown;
mod socket;

pub use daemon::{Daemon, DaemonOptions, run, serve_until_signalled};
pub use error::DaemonError;
pub use logging::init_logging;
pub use openapi::openapi_document;
pub use shutdown::ShutdownHandle;
