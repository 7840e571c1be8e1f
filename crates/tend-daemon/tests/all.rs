//! Integration tests of the daemon: a real daemon on a temporary home, spoken to over its
//! unix socket, one module per concern.

mod bad_input;
mod control;
mod daemon;
mod events;
mod fuzz;
mod limits;
mod output;
mod sessions;
mod support;
mod tasks;
mod tty;
