//! Integration tests of the runtime: real shims, real processes, a real SQLite file.

mod crash;
mod join;
mod lifecycle;
mod load;
mod retention;
mod store_faults;
mod support;
mod vanish;
