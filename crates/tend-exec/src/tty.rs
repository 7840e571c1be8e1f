//! Terminals of tty tasks (CONTRACT §8): resizing, interrupting, and the bytes of named keys.
//!
//! A tty task's input goes through the same `stdin` FIFO as a pipe task's ([`crate::stdin`]):
//! the shim reads it and types what comes into the terminal, so input written before and after
//! a runtime restart reaches the same terminal. A new size is written to the task directory's
//! `winsize` file, then the shim is told through its control FIFO to apply it; the kernel then
//! sends SIGWINCH to the terminal's foreground process group.

use std::path::{Path, PathBuf};

use crate::request::TtySize;
use crate::runtime::control::{self, Order};
use crate::runtime::errors::ControlError;
use crate::sys::fsutil;

/// File name of the requested terminal size inside a task directory (`ROWS COLS`).
pub(crate) const WINSIZE_FILE: &str = "winsize";

/// Resizing or interrupting a task failed.
#[derive(Debug, thiserror::Error)]
pub enum TtyError {
    /// No shim runs in the task directory.
    #[error("no shim runs the task in {task_dir}")]
    NotRunning {
        /// The task directory.
        task_dir: PathBuf,
    },
    /// The size is outside 1..=1000.
    #[error("terminal size {rows}x{cols} is outside 1..1000")]
    BadSize {
        /// Rows asked for.
        rows: u16,
        /// Columns asked for.
        cols: u16,
    },
    /// The size file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The order could not be sent to the shim.
    #[error(transparent)]
    Control(#[from] ControlError),
}

impl TtyError {
    /// True when the task cannot take the order because it is not running: a conflict.
    pub fn is_conflict(&self) -> bool {
        matches!(self, TtyError::NotRunning { .. })
    }
}

/// True when `size` is a valid terminal size (each side 1..=1000).
pub fn valid_size(size: TtySize) -> bool {
    (1..=1000).contains(&size.rows) && (1..=1000).contains(&size.cols)
}

/// Gives the terminal of the task in `task_dir` a new size; its foreground process group gets
/// SIGWINCH.
pub fn resize(task_dir: &Path, size: TtySize) -> Result<(), TtyError> {
    if !valid_size(size) {
        return Err(TtyError::BadSize {
            rows: size.rows,
            cols: size.cols,
        });
    }
    let path = task_dir.join(WINSIZE_FILE);
    let text = format!("{} {}\n", size.rows, size.cols);
    fsutil::write_atomic(&path, text.as_bytes()).map_err(|source| TtyError::Io {
        path: path.clone(),
        source,
    })?;
    send(task_dir, Order::Resize)
}

/// Sends SIGINT to the process group of the command of the task in `task_dir` (what `ctrl-c`
/// does on a terminal, for tasks without one).
pub fn interrupt(task_dir: &Path) -> Result<(), TtyError> {
    send(task_dir, Order::Interrupt)
}

fn send(task_dir: &Path, order: Order) -> Result<(), TtyError> {
    if control::send(task_dir, order)? {
        Ok(())
    } else {
        Err(TtyError::NotRunning {
            task_dir: task_dir.to_path_buf(),
        })
    }
}

/// Reads the size last written by [`resize`].
pub(crate) fn read_winsize(task_dir: &Path) -> Option<TtySize> {
    let text = std::fs::read_to_string(task_dir.join(WINSIZE_FILE)).ok()?;
    let mut parts = text.split_whitespace().map(|p| p.parse::<u16>().ok());
    let size = TtySize {
        rows: parts.next()??,
        cols: parts.next()??,
    };
    valid_size(size).then_some(size)
}

/// The bytes a terminal sends for the key `name` of CONTRACT §8 (`enter`, `up`, `ctrl-c`,
/// `f5`...), or `None` for an unknown name.
pub fn key_bytes(name: &str) -> Option<&'static [u8]> {
    const CTRL: [&[u8]; 26] = [
        b"\x01", b"\x02", b"\x03", b"\x04", b"\x05", b"\x06", b"\x07", b"\x08", b"\x09", b"\x0a",
        b"\x0b", b"\x0c", b"\x0d", b"\x0e", b"\x0f", b"\x10", b"\x11", b"\x12", b"\x13", b"\x14",
        b"\x15", b"\x16", b"\x17", b"\x18", b"\x19", b"\x1a",
    ];
    let bytes: &'static [u8] = match name {
        "enter" => b"\r",
        "tab" => b"\t",
        "space" => b" ",
        "backspace" => b"\x7f",
        "escape" => b"\x1b",
        "delete" => b"\x1b[3~",
        "up" => b"\x1b[A",
        "down" => b"\x1b[B",
        "right" => b"\x1b[C",
        "left" => b"\x1b[D",
        "home" => b"\x1b[H",
        "end" => b"\x1b[F",
        "pageup" => b"\x1b[5~",
        "pagedown" => b"\x1b[6~",
        "f1" => b"\x1bOP",
        "f2" => b"\x1bOQ",
        "f3" => b"\x1bOR",
        "f4" => b"\x1bOS",
        "f5" => b"\x1b[15~",
        "f6" => b"\x1b[17~",
        "f7" => b"\x1b[18~",
        "f8" => b"\x1b[19~",
        "f9" => b"\x1b[20~",
        "f10" => b"\x1b[21~",
        "f11" => b"\x1b[23~",
        "f12" => b"\x1b[24~",
        "ctrl-\\" => b"\x1c",
        "ctrl-]" => b"\x1d",
        _ => {
            let letter = name.strip_prefix("ctrl-")?.as_bytes();
            match letter {
                [c @ b'a'..=b'z'] => CTRL[usize::from(c - b'a')],
                _ => return None,
            }
        }
    };
    Some(bytes)
}
