//! A running task as the runtime holds it: a pidfd on its shim, and the orders it can give.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::adopt::VanishedTask;
use super::control::{self, Order};
use super::errors::{ControlError, StopError, WaitError};
use super::ids::ProcessIds;
use crate::output::{OutputReader, Stream};
use crate::procfs;
use crate::status::TaskStatus;
use crate::stdin::{self, StdinError};
use crate::sys::{fd, pidfd};

/// How long [`TaskProcess::stop`] waits for the shim after the kill order.
const KILL_WAIT: Duration = Duration::from_secs(10);

/// How a task's shim ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskEnd {
    /// The shim wrote its exit record.
    Finished(TaskStatus),
    /// The shim ended without an exit record (it was killed): the task is `lost`.
    Vanished,
}

/// A shell task whose shim is (or was, when this handle was made) running.
///
/// Holds a pidfd on the shim: it becomes readable when the shim exits, which happens after
/// `status.json` was written. Use [`AsFd`] to wait for it in an event loop (e.g. tokio's
/// `AsyncFd`), or [`TaskProcess::wait_exit`] to block. The pidfd names the shim process itself,
/// so it never refers to a process that reused the pid. The shim is not a child of the runtime
/// and needs no reaping. Dropping the handle closes the pidfd and leaves the task running.
#[derive(Debug)]
pub struct TaskProcess {
    task_dir: PathBuf,
    ids: ProcessIds,
    pidfd: OwnedFd,
}

impl TaskProcess {
    /// Opens a pidfd on the shim named by `ids`; `Ok(None)` when that shim no longer exists.
    pub(crate) fn open(task_dir: &Path, ids: ProcessIds) -> std::io::Result<Option<Self>> {
        let pidfd = match pidfd::open(ids.shim_pid) {
            Ok(pidfd) => pidfd,
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => return Ok(None),
            Err(e) => return Err(e),
        };
        // The pid named the shim when the pidfd was opened if it still names it now.
        if procfs::start_time(ids.shim_pid) != Some(ids.shim_start_time) {
            return Ok(None);
        }
        Ok(Some(Self {
            task_dir: task_dir.to_path_buf(),
            ids,
            pidfd,
        }))
    }

    /// The task's process ids.
    pub fn ids(&self) -> &ProcessIds {
        &self.ids
    }

    /// The command's pid (its process group leader).
    pub fn pid(&self) -> i32 {
        self.ids.pid
    }

    /// The task directory.
    pub fn task_dir(&self) -> &Path {
        &self.task_dir
    }

    /// What is left of the task once its shim ended without an exit record
    /// ([`TaskEnd::Vanished`]): its processes can then be stopped with
    /// [`VanishedTask::stop_leftovers`], which does nothing while the shim still runs.
    pub fn vanished(&self) -> VanishedTask {
        VanishedTask::new(&self.task_dir, Some(self.ids.clone()))
    }

    /// A reader of one of the task's output streams.
    pub fn output(&self, stream: Stream) -> OutputReader {
        OutputReader::new(&self.task_dir, stream)
    }

    /// True once the shim has exited (its exit record, if any, is then on disk).
    pub fn has_exited(&self) -> Result<bool, WaitError> {
        self.poll(Some(Duration::ZERO))
    }

    fn poll(&self, timeout: Option<Duration>) -> Result<bool, WaitError> {
        fd::wait_readable(self.pidfd.as_fd(), timeout).map_err(|source| WaitError::Poll {
            shim_pid: self.ids.shim_pid,
            source,
        })
    }

    /// Waits up to `timeout` (`None`: forever) for the shim to exit; `Ok(None)` on timeout.
    pub fn wait_exit(&self, timeout: Option<Duration>) -> Result<Option<TaskEnd>, WaitError> {
        if !self.poll(timeout)? {
            return Ok(None);
        }
        Ok(Some(match TaskStatus::read(&self.task_dir)? {
            Some(status) => TaskEnd::Finished(status),
            None => TaskEnd::Vanished,
        }))
    }

    /// Asks the shim to send SIGTERM to the command's process group. Returns at once;
    /// `Ok(false)` when the shim has already exited. A no-op once the command exited.
    pub fn terminate(&self) -> Result<bool, ControlError> {
        self.order(Order::Terminate)
    }

    /// Asks the shim to kill the command's group and every descendant now, then finish.
    /// Returns at once; `Ok(false)` when the shim has already exited.
    pub fn kill(&self) -> Result<bool, ControlError> {
        self.order(Order::Kill)
    }

    fn order(&self, order: Order) -> Result<bool, ControlError> {
        if self.has_exited().unwrap_or(false) {
            return Ok(false);
        }
        control::send(&self.task_dir, order)
    }

    /// Stops the task: SIGTERM to the command's group, up to `grace` for the task to end,
    /// then SIGKILL to the group and every descendant. Returns how the task ended.
    ///
    /// Idempotent, and safe at any time: right after [`crate::spawn`], or after the task
    /// ended (then it only reads the exit record). Blocks up to `grace` plus the drain time.
    pub fn stop(&self, grace: Duration) -> Result<TaskEnd, StopError> {
        if let Some(end) = self.wait_exit(Some(Duration::ZERO))? {
            return Ok(end);
        }
        self.terminate()?;
        if let Some(end) = self.wait_exit(Some(grace))? {
            return Ok(end);
        }
        self.kill()?;
        let started = Instant::now();
        match self.wait_exit(Some(KILL_WAIT))? {
            Some(end) => Ok(end),
            None => Err(StopError::Stuck {
                shim_pid: self.ids.shim_pid,
                waited_ms: started.elapsed().as_millis() as u64,
            }),
        }
    }

    /// Writes `data` to the command's stdin FIFO, waiting up to `timeout` for room.
    pub fn write_stdin(&self, data: &[u8], timeout: Duration) -> Result<(), StdinError> {
        stdin::write(&self.task_dir, data, timeout)
    }

    /// Closes the command's stdin: it reads end of input once other writers are gone.
    pub fn close_stdin(&self) -> Result<(), StdinError> {
        stdin::close(&self.task_dir)
    }
}

impl AsFd for TaskProcess {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.pidfd.as_fd()
    }
}

impl AsRawFd for TaskProcess {
    fn as_raw_fd(&self) -> RawFd {
        self.pidfd.as_raw_fd()
    }
}
