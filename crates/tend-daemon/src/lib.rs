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
//! A connection that has not sent a complete request head within the header timeout (10 s) is
//! closed, and so is an idle keep-alive connection after the same time; a request body must
//! arrive within the body timeout (10 s) and is at most 1 MiB (413 otherwise). Long-polls are
//! cut to 10 minutes. Every error, including malformed requests, unknown routes and wrong
//! methods, is answered with the JSON error body of the contract.

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
mod shutdown;
mod socket;

pub use daemon::{Daemon, DaemonOptions, run, serve_until_signalled};
pub use error::DaemonError;
pub use logging::init_logging;
pub use openapi::openapi_document;
pub use shutdown::ShutdownHandle;
