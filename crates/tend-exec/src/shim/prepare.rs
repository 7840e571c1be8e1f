//! Sets the shim up before the command starts: session, subreaper, signals, files and pipes.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;

use nix::sys::signalfd::SignalFd;

use super::signals;
use super::supervise::Capture;
use crate::output::Stream;
use crate::output::writer::StreamWriter;
use crate::request::{OutputLimits, StderrMode, StdinMode, TtySize};
use crate::status::FailureStage;
use crate::sys::{fd, fsutil};
use crate::wire::config::ShimConfig;

/// Pipe buffer asked for the output pipes: fewer wake-ups for chatty commands.
const PIPE_BYTES: i32 = 1 << 20;

/// Descriptors the command gets as 0, 1 and 2.
pub(super) struct ChildFds {
    pub(super) stdin: OwnedFd,
    pub(super) stdout: OwnedFd,
    pub(super) stderr: Option<OwnedFd>,
}

/// Everything set up by [`prepare`].
pub(super) struct Prepared {
    pub(super) captures: Vec<Capture>,
    pub(super) child_fds: ChildFds,
    pub(super) control: File,
    pub(super) stdin_writer: Option<OwnedFd>,
    pub(super) signal_fd: SignalFd,
    pub(super) tty: Option<TtyIo>,
}

/// The shim's side of a task's terminal.
pub(super) struct TtyIo {
    /// The stdin FIFO, opened for reading and writing (so it never reads end of file).
    pub(super) fifo: File,
    /// The terminal's master side, non-blocking, for typing input and setting the size.
    pub(super) master: OwnedFd,
}

type StageError = (FailureStage, io::Error);

fn at(stage: FailureStage) -> impl FnOnce(io::Error) -> StageError {
    move |err| (stage, err)
}

/// Makes the shim a session leader and subreaper, installs its signal handling, and creates
/// the control FIFO, the output pipes and streams, and the command's stdin.
pub(super) fn prepare(config: &ShimConfig) -> Result<Prepared, StageError> {
    let task_dir = config.task_dir();
    nix::unistd::setsid().map_err(|e| (FailureStage::Supervisor, io::Error::from(e)))?;
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
        return Err((FailureStage::Supervisor, io::Error::last_os_error()));
    }
    let signal_fd = signals::install().map_err(at(FailureStage::Supervisor))?;
    // Paths are absolute: do not keep the runtime's working directory busy.
    std::env::set_current_dir("/").map_err(at(FailureStage::Supervisor))?;
    // Descriptors inherited from the runtime must not reach the command.
    // SAFETY: close_range with integer arguments only.
    unsafe {
        libc::close_range(
            3,
            libc::c_uint::MAX,
            libc::CLOSE_RANGE_CLOEXEC as libc::c_int,
        )
    };
    fsutil::create_private_dir_all(&task_dir).map_err(at(FailureStage::TaskDir))?;

    let control_path = task_dir.join(crate::runtime::control::CONTROL_FIFO);
    fsutil::make_fifo(&control_path, 0o600).map_err(at(FailureStage::Supervisor))?;
    // Read-write: the shim is a reader (so orders can be sent) and never sees end of file.
    let control = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&control_path)
        .map_err(at(FailureStage::Supervisor))?;

    let limits = OutputLimits {
        head_bytes: config.head_bytes,
        cap_bytes: config.cap_bytes,
    };
    if let Some(size) = config.tty {
        return prepare_tty(config, size, limits, control, signal_fd);
    }
    let (main_capture, stdout) = capture(&task_dir, Stream::Main, limits)?;
    let mut captures = vec![main_capture];
    let stderr = match config.stderr {
        StderrMode::Combined => None,
        StderrMode::Separate => {
            let (err_capture, stderr) = capture(&task_dir, Stream::Stderr, limits)?;
            captures.push(err_capture);
            Some(stderr)
        }
    };

    let (stdin, stdin_writer) = match config.stdin {
        StdinMode::Null => {
            let null = File::open("/dev/null").map_err(at(FailureStage::Stdin))?;
            (OwnedFd::from(null), None)
        }
        StdinMode::Pipe => {
            let (reader, writer) = stdin_fifo(&task_dir).map_err(at(FailureStage::Stdin))?;
            (reader, Some(writer))
        }
    };
    Ok(Prepared {
        captures,
        child_fds: ChildFds {
            stdin,
            stdout,
            stderr,
        },
        control,
        stdin_writer,
        signal_fd,
        tty: None,
    })
}

/// The terminal variant of [`prepare`]'s last steps: one pseudo-terminal is the command's
/// stdin, stdout and stderr; its master is captured into the main stream, and the stdin FIFO
/// is typed into it.
fn prepare_tty(
    config: &ShimConfig,
    size: TtySize,
    limits: OutputLimits,
    control: File,
    signal_fd: SignalFd,
) -> Result<Prepared, StageError> {
    let task_dir = config.task_dir();
    let winsize = nix::pty::Winsize {
        ws_row: size.rows,
        ws_col: size.cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let pty = nix::pty::openpty(Some(&winsize), None)
        .map_err(|e| (FailureStage::Output, io::Error::from(e)))?;
    for fd in [&pty.master, &pty.slave] {
        nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
        )
        .map_err(|e| (FailureStage::Output, io::Error::from(e)))?;
    }
    fd::set_nonblocking(pty.master.as_fd(), true).map_err(at(FailureStage::Output))?;
    let input = pty.master.try_clone().map_err(at(FailureStage::Output))?;
    let writer = StreamWriter::open(task_dir.join(Stream::Main.dir_name()), limits)
        .map_err(at(FailureStage::Output))?;
    let path = task_dir.join(crate::stdin::STDIN_FIFO);
    fsutil::make_fifo(&path, 0o600).map_err(at(FailureStage::Stdin))?;
    let fifo = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&path)
        .map_err(at(FailureStage::Stdin))?;
    let stdin = pty.slave.try_clone().map_err(at(FailureStage::Output))?;
    Ok(Prepared {
        captures: vec![Capture::new(pty.master, writer)],
        child_fds: ChildFds {
            stdin,
            stdout: pty.slave,
            stderr: None,
        },
        control,
        stdin_writer: None,
        signal_fd,
        tty: Some(TtyIo {
            fifo,
            master: input,
        }),
    })
}

/// Creates one output pipe and its stream writer; returns the capture and the write end.
fn capture(
    task_dir: &std::path::Path,
    stream: Stream,
    limits: OutputLimits,
) -> Result<(Capture, OwnedFd), StageError> {
    let (read, write) = fd::pipe().map_err(at(FailureStage::Output))?;
    fd::grow_pipe(read.as_fd(), PIPE_BYTES);
    fd::set_nonblocking(read.as_fd(), true).map_err(at(FailureStage::Output))?;
    let writer = StreamWriter::open(task_dir.join(stream.dir_name()), limits)
        .map_err(at(FailureStage::Output))?;
    Ok((Capture::new(read, writer), write))
}

/// Creates the stdin FIFO; returns the command's read end and the write end the shim keeps
/// (so that the command sees end of input only once stdin is closed on purpose).
fn stdin_fifo(task_dir: &std::path::Path) -> io::Result<(OwnedFd, OwnedFd)> {
    let path = task_dir.join(crate::stdin::STDIN_FIFO);
    fsutil::make_fifo(&path, 0o600)?;
    let reader = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&path)?;
    let writer = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&path)?;
    fd::set_nonblocking(reader.as_fd(), false)?;
    Ok((OwnedFd::from(reader), OwnedFd::from(writer)))
}
