//! Re-adopting a task after the runtime restarted: running, finished, or vanished.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::errors::AdoptError;
use super::ids::ProcessIds;
use super::process::TaskProcess;
use crate::marker::{self, Sweep};
use crate::procfs;
use crate::status::TaskStatus;

/// What a task directory holds, seen by a runtime that did not start it.
#[derive(Debug)]
pub enum Adopted {
    /// The shim runs: the task can be watched and stopped as if just spawned.
    Running(TaskProcess),
    /// The shim finished while nobody watched: its exit record.
    Finished(TaskStatus),
    /// No shim and no exit record: the task is `lost`.
    Vanished(VanishedTask),
}

/// A task whose shim ended without an exit record (killed, or the machine rebooted).
#[derive(Debug, Clone)]
pub struct VanishedTask {
    task_dir: PathBuf,
    ids: Option<ProcessIds>,
}

impl VanishedTask {
    pub(crate) fn new(task_dir: &Path, ids: Option<ProcessIds>) -> Self {
        Self {
            task_dir: task_dir.to_path_buf(),
            ids,
        }
    }

    /// The task directory.
    pub fn task_dir(&self) -> &Path {
        &self.task_dir
    }

    /// The process ids the shim recorded, if it got that far.
    pub fn ids(&self) -> Option<&ProcessIds> {
        self.ids.as_ref()
    }

    /// Stops whatever is left of the task without its shim, whole: SIGTERM to every process
    /// that carries the task's marker (see the crate docs) and to the command's group, up to
    /// `grace` for them to end, then SIGKILL to every marked process that remains (including
    /// any forked meanwhile) and to what [`VanishedTask::kill_leftovers`] reaches, waiting a few
    /// seconds more for the marked processes to be gone. Each process is signalled through a
    /// pidfd after its start time was checked, so no reused pid is hit.
    ///
    /// Does nothing while the shim runs (the task is then its). Ids from a shim that set no
    /// marker fall back to [`VanishedTask::kill_leftovers`]. Blocks up to `grace` plus a few
    /// seconds; call it from a blocking context.
    pub fn stop_leftovers(&self, grace: Duration) -> Sweep {
        let Some(ids) = &self.ids else {
            return Sweep::default();
        };
        if ids.shim_is_alive() {
            return Sweep::default();
        }
        let Some(marker) = &ids.marker else {
            return Sweep {
                killed: self.kill_leftovers(),
                ..Sweep::default()
            };
        };
        marker::stop_marked(
            marker,
            grace,
            || usize::from(self.signal_group(libc::SIGTERM)),
            || self.kill_leftovers(),
        )
    }

    /// Sends `signal` to the command's process group when its leader is verifiably the same
    /// process (same boot, same start time).
    fn signal_group(&self, signal: i32) -> bool {
        let Some(ids) = &self.ids else { return false };
        // SAFETY: killpg with integer arguments; the leader was just verified.
        ids.command_is_alive() && unsafe { libc::killpg(ids.pgid, signal) } == 0
    }

    /// Kills (SIGKILL) what may be left of the task without its shim: the command's process
    /// group, when its leader is verifiably the same process (same boot, same start time), and
    /// the processes still in the shim's session, when no process has taken the shim's pid.
    /// Descendants that started their own session are out of its reach (not out of
    /// [`VanishedTask::stop_leftovers`]'s). Returns the number of processes or groups signalled.
    pub fn kill_leftovers(&self) -> usize {
        let Some(ids) = &self.ids else { return 0 };
        if !procfs::boot_id().is_ok_and(|id| id == ids.boot_id) {
            return 0;
        }
        let mut signalled = usize::from(self.signal_group(libc::SIGKILL));
        // While any process of the session lives, its id cannot be handed to a new process, so
        // when no process holds the shim's pid, members of that session are the task's.
        if procfs::stat(ids.shim_pid).is_err() {
            for pid in session_members(ids.shim_pid) {
                // SAFETY: kill with integer arguments.
                if unsafe { libc::kill(pid, libc::SIGKILL) } == 0 {
                    signalled += 1;
                }
            }
        }
        signalled
    }
}

fn session_members(sid: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| matches!(procfs::stat(pid), Ok(s) if s.sid == sid && !s.is_zombie()))
        .collect()
}

/// Looks at `task_dir` and tells whether its shim still runs, finished, or vanished.
pub fn adopt(task_dir: &Path) -> Result<Adopted, AdoptError> {
    if let Some(status) = TaskStatus::read(task_dir)? {
        return Ok(Adopted::Finished(status));
    }
    let ids = ProcessIds::read(task_dir).map_err(|source| AdoptError::Pids {
        task_dir: task_dir.to_path_buf(),
        source,
    })?;
    if let Some(ids) = &ids
        && ids.shim_is_alive()
    {
        let shim_pid = ids.shim_pid;
        if let Some(process) = TaskProcess::open(task_dir, ids.clone())
            .map_err(|source| AdoptError::Pidfd { shim_pid, source })?
        {
            return Ok(Adopted::Running(process));
        }
    }
    // The shim may have finished between the first look and now.
    if let Some(status) = TaskStatus::read(task_dir)? {
        return Ok(Adopted::Finished(status));
    }
    Ok(Adopted::Vanished(VanishedTask::new(task_dir, ids)))
}
