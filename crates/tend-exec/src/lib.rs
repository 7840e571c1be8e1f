//! Runs tend's shell tasks: the shim supervisor, process groups, output files and exit records.
//!
//! Linux only. Every shell task runs under a *shim*: a small synchronous supervisor process (the
//! `tend` binary re-executed as `tend __shim`, or this crate's `tend-exec-shim` binary in tests)
//! that outlives the runtime which started it. The runtime side of this crate starts shims
//! ([`spawn`]), watches them ([`TaskProcess`]), stops them, re-adopts them after a restart
//! ([`adopt`]) and reads their output ([`OutputReader`]) straight from the task directory.
//!
//! # Shim invocation convention
//!
//! The shim program is started as `PROGRAM ARGS_PREFIX...` (for example `tend __shim`), see
//! [`ShimProgram`]. It reads one line of JSON (its configuration, built from a [`SpawnRequest`])
//! from its standard input, forks once so that it is not the runtime's child (the intermediate
//! process exits at once and is reaped by [`spawn`]), and reports one line of JSON on its standard
//! output: the process ids of the started command, or why the command could not be started. Its
//! standard error is appended to `shim.log` in the task directory. The runtime keeps its end of
//! the shim's standard input open until it holds a pidfd on the shim; the shim does not exit
//! before that end is closed (bounded to 10 s), so the pidfd can never refer to a reused pid.
//! The entry point is [`shim::main`]; the `tend` binary must call it before it starts any thread.
//!
//! Passing the configuration on stdin keeps the task's environment out of argv (visible in
//! `ps`) and off the disk. Thanks to the double fork the runtime never has to reap a shim: the
//! shim is reparented to init (or to the nearest subreaper ancestor, e.g. `systemd --user`),
//! which reaps it. The runtime notices a shim's end through a pidfd ([`TaskProcess`] implements
//! `AsFd`, for tokio's `AsyncFd`) or with [`TaskProcess::wait_exit`]; no polling. One shim runs
//! in a task directory at a time; a retried attempt is spawned into the same directory once the
//! previous shim ended, and its output continues the same streams.
//!
//! # The command's environment
//!
//! The command runs in its own process group (pgid = its pid) inside the shim's session, with
//! the working directory and argv of the request (`sh -c STRING` is built by the caller). Its
//! environment is the environment inherited from the runtime with the request's variables added
//! (a variable given in the request replaces an inherited one of the same name); with
//! [`SpawnRequest::inherit_env`] set to false it is the request's variables alone; in both cases
//! the shim adds the task's marker, [`MARKER_VAR`] (see below). The program
//! is looked up in the `PATH` of that final environment, like `execvp`, except that a file that
//! is not a valid executable is an error (`Exec format error`) rather than a shell script. Its
//! stdin is `/dev/null`, or with [`StdinMode::Pipe`] a FIFO in the task directory that other
//! processes write with [`stdin::write`] and close with [`stdin::close`]. Signal dispositions and
//! the signal mask are reset to defaults, and no descriptor other than 0, 1 and 2 is inherited.
//!
//! With [`SpawnRequest::tty`] the command runs in a pseudo-terminal instead: it is the leader
//! of a session of its own (pgid = sid = its pid) whose controlling terminal is the slave side,
//! which is also its stdin, stdout and stderr; `TERM` is `xterm-256color` unless the request's
//! variables set it. The shim copies the master's bytes into the main stream like a pipe's
//! (same cap, head and tail, counters, drain at exit) and types what is written to the stdin
//! FIFO into the master; see [`tty`] for sizes, `ctrl-c` and key names.
//!
//! # Exit policy
//!
//! The shim is a session leader and a child subreaper, so every process the command starts,
//! including daemons that double-fork or call `setsid`, stays its descendant. It ignores SIGTERM,
//! SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2 and the terminal stop signals, so a command
//! that signals its parent (`kill $PPID`) cannot make it lose the task; it takes orders only
//! through the `control` FIFO of the task directory. When the command (the group leader) exits:
//!
//! 1. the shim keeps reading the output pipe(s) until end of file, or for at most the drain time
//!    ([`SpawnRequest::drain`], default 500 ms) after the exit;
//! 2. it then kills (SIGKILL) everything that remains of the task: it repeatedly kills its own
//!    children and reaps them until it has none; since it is a subreaper, the orphans of killed
//!    processes become its children and are killed in turn, so the command's group and every
//!    descendant that left it end, without signalling any pid that could have been reused;
//! 3. it reads what the killed processes left in the pipes, then writes `status.json`
//!    atomically (temp file and rename): the exit code or the signal name (`"SIGKILL"`), start and
//!    end times (RFC 3339 UTC with milliseconds), user and system CPU time in milliseconds and the
//!    peak RSS of the largest process of the tree (`getrusage(RUSAGE_CHILDREN)`), whether a stop
//!    was requested, and the output counters;
//! 4. it exits.
//!
//! A stop ([`TaskProcess::stop`]) sends SIGTERM to the command's group through the shim, waits
//! for the grace period, then asks the shim to kill the group and every descendant at once (the
//! same sweep as above). The exit recorded is what actually ended the command: exit 0 after a
//! graceful SIGTERM, or `SIGKILL` after the grace period. Descendants that left the group get no
//! SIGTERM; they are killed by the final sweep. The runtime never signals a pid itself: orders go
//! through the task's FIFO to the shim, which signals only its own unreaped children (whose pids
//! cannot have been reused) and the group of a leader it has not reaped yet.
//!
//! If the shim itself is killed, nothing records the exit: [`TaskProcess::wait_exit`] answers
//! [`TaskEnd::Vanished`] and [`adopt`] answers [`Adopted::Vanished`] (the task is `lost`), and
//! [`VanishedTask::stop_leftovers`] stops what is left of the command, whole (below).
//!
//! # Finding a task's processes without its shim
//!
//! Once the shim is gone, the command's processes are reparented to init (or to the nearest
//! subreaper) and nothing ties them to the task any more: not the parent, and not the process
//! group or session for descendants that called `setsid`. So the shim sets one variable in the
//! command's environment, [`MARKER_VAR`] (`TEND_TASK`), to a marker recorded in `pids.json`
//! ([`ProcessIds::marker`]): `TOKEN:LAUNCH`, where the token is a hash of the canonical task
//! directory followed by 64 random bits, so that it matches no other home's task of the same id
//! nor another launch of the same directory. A value given in the request is replaced. Every
//! descendant inherits it, including those that double-fork, `setsid` or `nohup`.
//!
//! [`VanishedTask::stop_leftovers`] scans `/proc` for the processes of the same user whose
//! `/proc/PID/environ` holds the marker, notes each one's start time, sends SIGTERM (and to the
//! command's group, when its leader is verifiably the same process), waits up to the grace for
//! them to end, scans again and sends SIGKILL to what remains (processes forked meanwhile
//! included), then waits a few seconds more for them to be gone. Every signal goes through a
//! pidfd opened on the pid and sent only if the pid still shows the start time noted, so no
//! reused pid is hit. The older pgid and session sweep ([`VanishedTask::kill_leftovers`]) runs
//! with the SIGKILL phase too. Limit: `/proc/PID/environ` shows the environment a program was
//! executed with, so a descendant that `exec`s a program with a cleared or rewritten
//! environment (`env -i ...`) escapes the scan; changing variables in place does not.
//!
//! # Output on disk
//!
//! See [`output`] for the layout of the streams and the guarantees of the reader.
//!
//! # Task directory
//!
//! ```text
//! TASK_DIR/
//!   out/00000000000000000000  main stream (stdout and stderr combined, or stdout alone):
//!   out/00000000000001048576  segment files named by their first logical byte offset
//!   err/...                   stderr stream, only with StderrMode::Separate
//!   control                   FIFO: orders to the shim (terminate, kill, close stdin,
//!                             interrupt, resize)
//!   stdin                     FIFO: the command's stdin, with StdinMode::Pipe or a tty
//!   winsize                   the terminal size last asked for (tty tasks)
//!   pids.json                 process ids, start times and marker, written once the command started
//!   status.json               the exit record, written last
//!   shim.log                  the shim's own diagnostics
//! ```
//!
//! `pids.json` and `status.json` are replaced atomically (written to `NAME.tmpPID`, renamed).
//! Both carry the request's `launch` number, so that a runtime can tell the files of an earlier
//! launch in the same directory from this one's. The forked command waits, before it executes
//! the program, until the shim wrote `pids.json`: a command whose ids cannot be written never
//! runs (a spawn failure), and a command cannot kill its shim before its ids and marker are on
//! disk. If the shim dies after that but before its report reached [`spawn`], `spawn` fails
//! and stops the command it started.

#![warn(missing_docs)]

mod marker;
pub mod output;
mod ports;
pub mod private;
pub mod procfs;
mod request;
mod runtime;
pub mod shim;
mod status;
pub mod stdin;
mod sys;
mod time;
mod tree;
pub mod tty;
mod wire;

pub use marker::{MARKER_VAR, Sweep};
pub use output::ReadError;
pub use output::{GrepLine, GrepResult, Growth, OutputChunk, OutputCounters, OutputReader, Stream};
pub use ports::{ListeningSocket, PortScanner, listening_ports};
pub use private::{PrivateDir, PrivateDirError, ensure_private_dir};
pub use request::{OutputLimits, ShimProgram, SpawnRequest, StderrMode, StdinMode, TtySize};
pub use runtime::adopt::{Adopted, VanishedTask, adopt};
pub use runtime::errors::{
    AdoptError, ControlError, RequestProblem, SpawnError, StopError, WaitError,
};
pub use runtime::ids::ProcessIds;
pub use runtime::process::{TaskEnd, TaskProcess};
pub use runtime::spawn::spawn;
pub use status::{FailureStage, Outcome, SpawnFailure, StatusError, StopRequest, TaskStatus};
pub use stdin::StdinError;
pub use tree::{ProcessInfo, task_processes};
