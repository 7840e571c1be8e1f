//! Daemon routes: health and stop.

use serde::{Deserialize, Serialize};
use tend_core::{Error, Task, Timestamp};

use crate::limits::check_duration;

/// The answer of `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HealthResponse {
    /// Always true: the daemon answers.
    pub ok: bool,
    /// The daemon's version.
    pub version: String,
    /// The daemon's process id.
    pub pid: u32,
    /// Whether the store accepts commits (absent from daemons that predate it: read as ok).
    #[serde(default)]
    pub store: StoreHealth,
    /// How many shell tasks the daemon's open files limit allows (absent from daemons that do
    /// not say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<CapacityHealth>,
}

/// Whether the daemon's store accepts commits. While it does not (disk full, I/O error), every
/// request that would change something fails with `unavailable` and the daemon retries by
/// itself; reads answer the durable state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StoreHealth {
    /// Whether the store commits.
    pub ok: bool,
    /// Why it does not, while it does not.
    pub error: Option<String>,
    /// Since when it does not, while it does not.
    pub since: Option<Timestamp>,
}

impl Default for StoreHealth {
    /// A store that commits.
    fn default() -> Self {
        Self {
            ok: true,
            error: None,
            since: None,
        }
    }
}

/// The part of `GET /v1/health` about the open files limit: each live shell task holds a
/// descriptor of the daemon, so the limit bounds how many may be live at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CapacityHealth {
    /// Shell tasks that may be live at once; creating one more answers `unavailable`.
    pub max_live_tasks: u64,
    /// Shell tasks live now (pending, running or stopping).
    pub live_tasks: u64,
    /// The daemon's open files limit (soft `RLIMIT_NOFILE`, raised to the hard limit at start).
    pub open_files_limit: u64,
}

/// The body of `POST /v1/daemon/stop` (may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DaemonStopParams {
    /// Stop every live task first (reason `shutdown`); otherwise tasks keep running and the
    /// next daemon re-adopts them.
    #[serde(default)]
    pub kill_tasks: bool,
    /// The grace of those stops (default: the daemon's `default_grace`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(max = 31_536_000_000u64)))]
    pub grace_ms: Option<u64>,
}

impl DaemonStopParams {
    /// The grace, checked.
    pub fn grace(&self) -> Result<Option<u64>, Error> {
        self.grace_ms
            .map(|ms| check_duration("grace_ms", ms))
            .transpose()
    }
}

/// The answer of `POST /v1/daemon/stop`: sent before the daemon goes away.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DaemonStopResponse {
    /// Always true: the daemon is stopping.
    pub stopping: bool,
    /// With `kill_tasks`: the tasks that were stopped, as they ended.
    pub tasks: Vec<Task>,
}
