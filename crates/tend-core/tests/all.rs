//! Integration tests of the lifecycle engine: one binary, one module per concern.

mod regressions;
mod rules;
mod state_machine;
mod support;
