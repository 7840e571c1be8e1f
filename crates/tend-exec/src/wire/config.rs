//! The shim's configuration: one JSON line on its stdin, built from a [`SpawnRequest`].

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::osstr::WireOs;
use crate::request::{SpawnRequest, StderrMode, StdinMode, TtySize};

/// Everything the shim needs; the environment travels here, never in argv or on disk.
/// Deliberately not `Debug`: it holds the environment's values.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct ShimConfig {
    pub(crate) task_dir: WireOs,
    pub(crate) argv: Vec<WireOs>,
    pub(crate) cwd: WireOs,
    pub(crate) env: Vec<(WireOs, WireOs)>,
    pub(crate) inherit_env: bool,
    pub(crate) stdin: StdinMode,
    pub(crate) stderr: StderrMode,
    pub(crate) head_bytes: u64,
    pub(crate) cap_bytes: u64,
    pub(crate) drain_ms: u64,
    #[serde(default)]
    pub(crate) launch: u64,
    #[serde(default)]
    pub(crate) tty: Option<TtySize>,
}

impl ShimConfig {
    /// The configuration for `req`, with `task_dir` and `cwd` already made absolute.
    pub(crate) fn from_request(req: &SpawnRequest, task_dir: &Path, cwd: &Path) -> Self {
        let os = |s: &OsString| WireOs(s.clone());
        Self {
            task_dir: WireOs(task_dir.as_os_str().to_owned()),
            argv: req.argv.iter().map(os).collect(),
            cwd: WireOs(cwd.as_os_str().to_owned()),
            env: req.env.iter().map(|(k, v)| (os(k), os(v))).collect(),
            inherit_env: req.inherit_env,
            stdin: req.stdin,
            stderr: req.stderr,
            head_bytes: req.limits.head_bytes,
            cap_bytes: req.limits.cap_bytes,
            drain_ms: u64::try_from(req.drain.as_millis()).unwrap_or(u64::MAX),
            launch: req.launch,
            tty: req.tty,
        }
    }

    pub(crate) fn task_dir(&self) -> PathBuf {
        PathBuf::from(&self.task_dir.0)
    }
}
