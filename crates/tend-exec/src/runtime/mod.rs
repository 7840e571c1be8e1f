//! The runtime's side: start shims, watch and stop them, re-adopt them after a restart.

pub(crate) mod adopt;
pub(crate) mod control;
pub(crate) mod errors;
pub(crate) mod ids;
pub(crate) mod process;
pub(crate) mod spawn;
