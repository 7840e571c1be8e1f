//! The shim's report: one JSON line on its stdout, once the command started or failed to.

use serde::{Deserialize, Serialize};

use crate::runtime::ids::ProcessIds;
use crate::status::SpawnFailure;

/// What the shim tells [`crate::spawn`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ShimReport {
    /// The command runs.
    Started(ProcessIds),
    /// The command could not be started (also recorded in `status.json` when possible).
    Failed(SpawnFailure),
}
