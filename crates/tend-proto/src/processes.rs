//! `GET /v1/tasks/{id}/processes`: the processes of a live shell task (CONTRACT.md §9, usage).

use serde::{Deserialize, Serialize};

/// One process of a task's tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProcessEntry {
    /// Process id.
    pub pid: u32,
    /// Parent process id.
    pub ppid: u32,
    /// Process group id.
    pub pgid: u32,
    /// Session id.
    pub sid: u32,
    /// State letter: `R` running, `S` sleeping, `D` waiting on the disk, `T` stopped, ...
    pub state: String,
    /// User and system CPU time so far, in milliseconds.
    pub cpu_ms: u64,
    /// Resident memory, in bytes.
    pub rss_bytes: u64,
    /// The command line, arguments separated by spaces.
    pub args: String,
}

/// The answer of `GET /v1/tasks/{id}/processes`: every live process of the task, its escaped
/// descendants (which left its process group or session) included, by pid. Empty for a task
/// that is not running, and for external tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProcessesResponse {
    /// The processes, by pid.
    pub processes: Vec<ProcessEntry>,
}
