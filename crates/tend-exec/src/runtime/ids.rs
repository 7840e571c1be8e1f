//! Process ids of a task (`pids.json`), and how to tell that they still name the same processes.

use std::io;
use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::procfs;
use crate::sys::fsutil;

/// File name of the process ids inside a task directory.
pub(crate) const PIDS_FILE: &str = "pids.json";

/// The processes of a running task. Written by the shim to `pids.json` once the command runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessIds {
    /// The command's pid (the group leader).
    pub pid: i32,
    /// The command's process group id (equal to `pid`).
    pub pgid: i32,
    /// The shim's pid.
    pub shim_pid: i32,
    /// The command's start time in clock ticks after boot (`/proc/<pid>/stat` field 22).
    pub start_time: u64,
    /// The shim's start time in clock ticks after boot.
    pub shim_start_time: u64,
    /// The kernel boot these start times belong to.
    pub boot_id: String,
    /// When the command was started.
    #[serde(with = "crate::time::rfc3339_ms")]
    pub started_at: Timestamp,
    /// The launch these ids belong to ([`crate::SpawnRequest::launch`]; 0 from shims that
    /// predate it).
    #[serde(default)]
    pub launch: u64,
    /// The value of [`crate::MARKER_VAR`] in the command's environment, which every
    /// descendant inherits (`None` from shims that predate it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

impl ProcessIds {
    /// Reads `TASK_DIR/pids.json`; `Ok(None)` when it does not exist.
    pub fn read(task_dir: &Path) -> io::Result<Option<Self>> {
        match std::fs::read(task_dir.join(PIDS_FILE)) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(crate) fn write(&self, task_dir: &Path) -> io::Result<()> {
        let json = serde_json::to_vec(self).map_err(io::Error::other)?;
        fsutil::write_atomic(&task_dir.join(PIDS_FILE), &json)
    }

    fn same_boot(&self) -> bool {
        procfs::boot_id().is_ok_and(|id| id == self.boot_id)
    }

    /// True when the shim process is alive and is the one that wrote these ids.
    pub fn shim_is_alive(&self) -> bool {
        self.same_boot() && procfs::is_alive(self.shim_pid, self.shim_start_time)
    }

    /// True when the command's process is alive and is the one these ids name.
    pub fn command_is_alive(&self) -> bool {
        self.same_boot() && procfs::is_alive(self.pid, self.start_time)
    }
}
