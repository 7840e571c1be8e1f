//! Integration tests of tend-exec with real shims and real processes.

mod support;

mod basics;
mod detach;
mod errors;
mod orphans;
mod stdin;
mod stop;
mod text;
mod tty;
mod vanish;
mod volume;
