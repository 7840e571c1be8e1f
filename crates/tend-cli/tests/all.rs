//! Integration tests of the `tend` binary: each test starts the real binary in a temporary
//! home, which autostarts a real daemon, and stops it (killing its tasks) at the end.

mod support;

mod daemon;
mod environment;
mod errors;
mod limits;
mod logs;
mod ports;
mod ps;
mod ready;
mod run;
mod safety;
mod sessions;
mod tasks;
mod terminal;
mod usability;
