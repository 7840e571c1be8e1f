//! The command's stdin FIFO (`stdin: pipe`), written and closed from any process.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::runtime::control::{self, Order};
use crate::runtime::errors::ControlError;
use crate::sys::fd;

/// File name of the stdin FIFO inside a task directory.
pub(crate) const STDIN_FIFO: &str = "stdin";

/// Writing to or closing a task's stdin failed.
#[derive(Debug, thiserror::Error)]
pub enum StdinError {
    /// The task was not started with a stdin pipe.
    #[error("task in {task_dir} has no stdin pipe")]
    NoPipe {
        /// The task directory.
        task_dir: PathBuf,
    },
    /// Nothing reads the stdin any more: the command exited or closed it, or stdin was closed.
    #[error("stdin of the task in {task_dir} is closed")]
    Closed {
        /// The task directory.
        task_dir: PathBuf,
    },
    /// The command did not read fast enough.
    #[error("stdin stayed full for {waited_ms} ms after {written} bytes were written")]
    Timeout {
        /// Bytes written before the wait gave up.
        written: usize,
        /// How long it waited.
        waited_ms: u64,
    },
    /// The FIFO could not be opened or written.
    #[error("cannot write to {path}: {source}")]
    Io {
        /// The FIFO.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The close order could not be sent to the shim.
    #[error(transparent)]
    Control(#[from] ControlError),
}

impl StdinError {
    /// True when the task cannot take input (no pipe, or closed): a conflict, not a fault.
    pub fn is_conflict(&self) -> bool {
        matches!(self, StdinError::NoPipe { .. } | StdinError::Closed { .. })
    }
}

/// Writes all of `data` to the stdin of the task in `task_dir`, waiting up to `timeout` while
/// the FIFO is full.
pub fn write(task_dir: &Path, data: &[u8], timeout: Duration) -> Result<(), StdinError> {
    let path = task_dir.join(STDIN_FIFO);
    let closed = || StdinError::Closed {
        task_dir: task_dir.to_path_buf(),
    };
    let io_error = |source| StdinError::Io {
        path: path.clone(),
        source,
    };
    if !path.exists() {
        return Err(StdinError::NoPipe {
            task_dir: task_dir.to_path_buf(),
        });
    }
    let mut fifo = match OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&path)
    {
        Ok(fifo) => fifo,
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => return Err(closed()),
        Err(e) => return Err(io_error(e)),
    };
    let started = Instant::now();
    let deadline = started + timeout;
    let mut written = 0;
    while written < data.len() {
        match fifo.write(&data[written..]) {
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Err(closed()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let raw: RawFd = fifo.as_raw_fd();
                let ready = fd::poll(&[(raw, libc::POLLOUT)], Some(deadline)).map_err(io_error)?;
                if ready[0] == 0 {
                    let waited_ms = started.elapsed().as_millis() as u64;
                    return Err(StdinError::Timeout { written, waited_ms });
                }
            }
            Err(e) => return Err(io_error(e)),
        }
    }
    Ok(())
}

/// Closes the stdin of the task in `task_dir`: the command reads end of input once no other
/// writer holds the FIFO open. Closing twice is harmless.
pub fn close(task_dir: &Path) -> Result<(), StdinError> {
    if !task_dir.join(STDIN_FIFO).exists() {
        return Err(StdinError::NoPipe {
            task_dir: task_dir.to_path_buf(),
        });
    }
    if control::send(task_dir, Order::CloseStdin)? {
        Ok(())
    } else {
        Err(StdinError::Closed {
            task_dir: task_dir.to_path_buf(),
        })
    }
}
