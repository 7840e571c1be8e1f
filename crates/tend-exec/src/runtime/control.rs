//! Orders to a running shim, written to the `control` FIFO of its task directory.
//!
//! A FIFO rather than signals: the shim ignores signals (a command may send its parent
//! anything), and writing to the FIFO of a task directory cannot reach an unrelated process
//! that reused the shim's pid. Opening fails with `ENXIO` once no shim reads it.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::errors::ControlError;

/// File name of the control FIFO inside a task directory.
pub(crate) const CONTROL_FIFO: &str = "control";

/// One order, one byte on the FIFO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// SIGTERM to the command's group.
    Terminate,
    /// SIGKILL to the group and every descendant, then finish.
    Kill,
    /// Close the shim's write end of the stdin FIFO: the command sees end of input. On a
    /// terminal: type `ctrl-d` (byte 4).
    CloseStdin,
    /// SIGINT to the command's group (`ctrl-c` for a task without a terminal).
    Interrupt,
    /// Apply the terminal size written in the task directory's `winsize` file.
    Resize,
}

impl Order {
    fn byte(self) -> u8 {
        match self {
            Order::Terminate => b'T',
            Order::Kill => b'K',
            Order::CloseStdin => b'E',
            Order::Interrupt => b'I',
            Order::Resize => b'W',
        }
    }

    pub(crate) fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            b'T' => Some(Order::Terminate),
            b'K' => Some(Order::Kill),
            b'E' => Some(Order::CloseStdin),
            b'I' => Some(Order::Interrupt),
            b'W' => Some(Order::Resize),
            _ => None,
        }
    }
}

/// Sends `order` to the shim of `task_dir`. `Ok(false)`: no shim is running there.
pub(crate) fn send(task_dir: &Path, order: Order) -> Result<bool, ControlError> {
    let path = task_dir.join(CONTROL_FIFO);
    let error = |source| ControlError::Send {
        path: path.clone(),
        source,
    };
    let mut fifo = match OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&path)
    {
        Ok(fifo) => fifo,
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => return Ok(false),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(error(e)),
    };
    match fifo.write(&[order.byte()]) {
        Ok(_) => Ok(true),
        // A FIFO full of unread orders already carries one as strong; the shim is alive.
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(error(e)),
    }
}
