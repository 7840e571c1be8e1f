//! What the runtime and the shim say to each other: the configuration line and the report line.

pub(crate) mod config;
pub(crate) mod osstr;
pub(crate) mod report;
