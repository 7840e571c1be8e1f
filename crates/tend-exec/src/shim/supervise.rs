//! The shim's main loop: copy output to disk, obey control orders, notice the command's end.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use nix::sys::signalfd::SignalFd;

use super::prepare::TtyIo;
use super::reap::{self, ChildExit};
use crate::output::OutputCounters;
use crate::output::writer::StreamWriter;
use crate::runtime::control::Order;
use crate::status::{Outcome, StopRequest};
use crate::sys::{fd, signals};

/// Bytes read from a pipe at once.
const READ_BYTES: usize = 256 << 10;
/// Most bytes read from one pipe after the final sweep (a full pipe holds 1 MiB).
const FINAL_DRAIN_BYTES: usize = 4 << 20;
/// Most bytes of input read from the stdin FIFO and not yet typed into the terminal; past it
/// the FIFO is left to fill, so that writers wait.
const TTY_PENDING_BYTES: usize = 1 << 20;

/// A terminal's input: what the stdin FIFO brought, typed into the master as it takes it.
struct TtyInput {
    io: TtyIo,
    task_dir: PathBuf,
    pending: VecDeque<u8>,
}

impl TtyInput {
    fn read_fifo(&mut self, buf: &mut [u8]) {
        let room = TTY_PENDING_BYTES.saturating_sub(self.pending.len());
        if room == 0 {
            return;
        }
        let take = room.min(buf.len());
        if let Ok(n) = fd::read(self.io.fifo.as_raw_fd(), &mut buf[..take]) {
            self.pending.extend(&buf[..n]);
        }
    }

    fn type_pending(&mut self) {
        while !self.pending.is_empty() {
            let (front, _) = self.pending.as_slices();
            // SAFETY: write from a valid slice to a descriptor we own.
            let n = unsafe {
                libc::write(
                    self.io.master.as_raw_fd(),
                    front.as_ptr().cast(),
                    front.len(),
                )
            };
            if n <= 0 {
                let err = io::Error::last_os_error();
                if n < 0 && err.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                if n < 0 && err.kind() != io::ErrorKind::WouldBlock {
                    // The terminal is gone (every process of the task closed it).
                    self.pending.clear();
                }
                return;
            }
            self.pending.drain(..n as usize);
        }
    }

    fn resize(&self) {
        let Some(size) = crate::tty::read_winsize(&self.task_dir) else {
            return;
        };
        let winsize = rustix::termios::Winsize {
            ws_row: size.rows,
            ws_col: size.cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        if let Err(err) = rustix::termios::tcsetwinsize(&self.io.master, winsize) {
            eprintln!("tend shim: cannot resize the terminal: {err}");
        }
    }
}

/// One output pipe and the stream it is copied to.
pub(super) struct Capture {
    pipe: Option<OwnedFd>,
    writer: StreamWriter,
    write_failed: bool,
}

impl Capture {
    pub(super) fn new(pipe: OwnedFd, writer: StreamWriter) -> Self {
        Self {
            pipe: Some(pipe),
            writer,
            write_failed: false,
        }
    }

    /// Reads once from the pipe and writes what came to the stream; returns the bytes read
    /// (0 when the pipe is empty for now or closed).
    fn pump(&mut self, buf: &mut [u8]) -> usize {
        let Some(pipe) = &self.pipe else { return 0 };
        match fd::read(pipe.as_raw_fd(), buf) {
            Ok(0) => {
                self.pipe = None;
                0
            }
            Ok(n) => {
                if let Err(err) = self.writer.write(&buf[..n])
                    && !self.write_failed
                {
                    eprintln!("tend shim: cannot write output, discarding it: {err}");
                    self.write_failed = true;
                }
                n
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
            // A terminal's master reads EIO once no process holds the terminal open.
            Err(e) if e.raw_os_error() == Some(libc::EIO) => {
                self.pipe = None;
                0
            }
            Err(err) => {
                eprintln!("tend shim: cannot read output: {err}");
                self.pipe = None;
                0
            }
        }
    }
}

/// What the supervisor knows at the end.
pub(super) struct End {
    pub(super) outcome: Outcome,
    pub(super) stop_requested: Option<StopRequest>,
    pub(super) output: OutputCounters,
    pub(super) stderr_output: Option<OutputCounters>,
}

/// State of the shim while the command runs.
pub(super) struct Supervisor {
    leader: i32,
    captures: Vec<Capture>,
    control: File,
    stdin_writer: Option<OwnedFd>,
    signal_fd: SignalFd,
    drain: Duration,
    leader_exit: Option<(ChildExit, Instant)>,
    stop: Option<StopRequest>,
    buf: Vec<u8>,
    tty: Option<TtyInput>,
}

impl Supervisor {
    pub(super) fn new(
        leader: i32,
        captures: Vec<Capture>,
        control: File,
        stdin_writer: Option<OwnedFd>,
        signal_fd: SignalFd,
        drain: Duration,
    ) -> Self {
        Self {
            leader,
            captures,
            control,
            stdin_writer,
            signal_fd,
            drain,
            leader_exit: None,
            stop: None,
            buf: vec![0; READ_BYTES],
            tty: None,
        }
    }

    /// Makes this a terminal task: input comes from `tty.fifo`, sizes from `task_dir`.
    pub(super) fn attach_tty(&mut self, tty: TtyIo, task_dir: PathBuf) {
        self.tty = Some(TtyInput {
            io: tty,
            task_dir,
            pending: VecDeque::new(),
        });
    }

    /// Runs until the command exited and its output was drained (end of file, or the drain
    /// time passed), or until a kill order.
    pub(super) fn run(&mut self) {
        loop {
            let deadline = self.leader_exit.map(|(_, at)| at + self.drain);
            let capturing = self.captures.iter().any(|c| c.pipe.is_some());
            if self.stop == Some(StopRequest::Kill)
                || (self.leader_exit.is_some() && !capturing)
                || deadline.is_some_and(|d| Instant::now() >= d)
            {
                return;
            }
            let mut polled = vec![
                (self.signal_fd.as_fd().as_raw_fd(), libc::POLLIN),
                (self.control.as_raw_fd(), libc::POLLIN),
            ];
            let pipes: Vec<usize> = (0..self.captures.len())
                .filter(|&i| self.captures[i].pipe.is_some())
                .collect();
            for &i in &pipes {
                let pipe = self.captures[i]
                    .pipe
                    .as_ref()
                    .expect("filtered on open pipes");
                polled.push((pipe.as_raw_fd(), libc::POLLIN));
            }
            let tty_slot = polled.len();
            if let Some(tty) = &self.tty {
                let fifo_events = if tty.pending.len() < TTY_PENDING_BYTES {
                    libc::POLLIN
                } else {
                    0
                };
                // The master is watched only while input waits: once the terminal is hung up
                // it would report POLLHUP on every poll.
                let master = if tty.pending.is_empty() {
                    -1
                } else {
                    tty.io.master.as_raw_fd()
                };
                polled.push((tty.io.fifo.as_raw_fd(), fifo_events));
                polled.push((master, libc::POLLOUT));
            }
            let revents = match fd::poll(&polled, deadline) {
                Ok(revents) => revents,
                Err(err) => {
                    eprintln!("tend shim: poll failed: {err}");
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            for (slot, &i) in pipes.iter().enumerate() {
                if revents[2 + slot] != 0 {
                    // A full buffer suggests more is waiting: read on a little before polling.
                    for _ in 0..4 {
                        if self.captures[i].pump(&mut self.buf) < self.buf.len() {
                            break;
                        }
                    }
                }
            }
            if let Some(tty) = &mut self.tty {
                if revents[tty_slot] & libc::POLLIN != 0 {
                    tty.read_fifo(&mut self.buf);
                }
                if revents[tty_slot] & libc::POLLIN != 0 || revents[tty_slot + 1] != 0 {
                    tty.type_pending();
                }
            }
            if revents[0] != 0 {
                self.on_sigchld();
            }
            if revents[1] != 0 {
                self.on_control();
            }
        }
    }

    fn on_sigchld(&mut self) {
        while let Ok(Some(_)) = self.signal_fd.read_signal() {}
        let leader = self.leader;
        let mut leader_exit = None;
        reap::reap_ready(|pid, exit| {
            if pid == leader {
                leader_exit = Some(exit);
            }
        });
        if let Some(exit) = leader_exit {
            self.leader_exit = Some((exit, Instant::now()));
        }
    }

    fn on_control(&mut self) {
        let mut orders = [0u8; 64];
        while let Ok(n) = self.control.read(&mut orders) {
            if n == 0 {
                break;
            }
            for &byte in &orders[..n] {
                match Order::from_byte(byte) {
                    Some(Order::Terminate) => self.request(StopRequest::Terminate),
                    Some(Order::Kill) => self.request(StopRequest::Kill),
                    Some(Order::CloseStdin) => match &mut self.tty {
                        // On a terminal, end of input is ctrl-d.
                        Some(tty) => {
                            tty.pending.push_back(4);
                            tty.type_pending();
                        }
                        None => self.stdin_writer = None,
                    },
                    Some(Order::Interrupt) => self.signal_group(libc::SIGINT),
                    Some(Order::Resize) => {
                        if let Some(tty) = &self.tty {
                            tty.resize();
                        }
                    }
                    None => {}
                }
            }
        }
    }

    fn request(&mut self, stop: StopRequest) {
        if self.stop != Some(StopRequest::Kill) {
            self.stop = Some(stop);
        }
        let signal = match stop {
            StopRequest::Terminate => libc::SIGTERM,
            StopRequest::Kill => libc::SIGKILL,
        };
        self.signal_group(signal);
    }

    /// Sends `signal` to the command's group while its leader is not reaped.
    fn signal_group(&self, signal: libc::c_int) {
        if self.leader_exit.is_none() {
            // The leader is our unreaped child, so its group id cannot have been reused.
            // SAFETY: killpg with integer arguments.
            unsafe { libc::killpg(self.leader, signal) };
        }
    }

    /// Kills whatever is left of the task, reads the pipes dry and returns the end record.
    pub(super) fn finish(mut self) -> End {
        let leader = self.leader;
        let mut leader_exit = self.leader_exit.map(|(exit, _)| exit);
        reap::kill_all(|pid, exit| {
            if pid == leader {
                leader_exit = Some(exit);
            }
        });
        // Every writer is dead now: what is left in the pipes ends with end of file, unless a
        // descriptor escaped the task, in which case the pipe just reads empty.
        for capture in &mut self.captures {
            let mut budget = FINAL_DRAIN_BYTES;
            while budget > 0 {
                match capture.pump(&mut self.buf) {
                    0 => break,
                    n => budget = budget.saturating_sub(n),
                }
            }
        }
        let outcome = match leader_exit {
            Some(ChildExit::Exited(code)) => Outcome::Exited { code },
            Some(ChildExit::Signaled(signal, core_dumped)) => Outcome::Signaled {
                signal: signals::name(signal),
                core_dumped,
            },
            // Cannot happen: the leader is a child of the shim and kill_all reaps all of them.
            None => Outcome::Signaled {
                signal: signals::name(libc::SIGKILL),
                core_dumped: false,
            },
        };
        let mut counters = self.captures.iter().map(|c| c.writer.counters());
        End {
            outcome,
            stop_requested: self.stop,
            output: counters.next().unwrap_or_default(),
            stderr_output: counters.next(),
        }
    }
}
