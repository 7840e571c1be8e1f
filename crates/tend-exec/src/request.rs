//! What the runtime asks for when it starts a shell task: [`SpawnRequest`] and its parts.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The program that runs the shim: the `tend` binary with `["__shim"]`, or a test binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShimProgram {
    /// Path of the executable.
    pub path: PathBuf,
    /// Arguments placed before nothing else: the shim takes its configuration on stdin.
    pub args_prefix: Vec<OsString>,
}

impl ShimProgram {
    /// A shim program with leading arguments, e.g. `ShimProgram::new(tend, ["__shim"])`.
    pub fn new<I, S>(path: impl Into<PathBuf>, args_prefix: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        Self {
            path: path.into(),
            args_prefix: args_prefix.into_iter().map(Into::into).collect(),
        }
    }
}

/// Where the command's stdin comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StdinMode {
    /// `/dev/null`: a command that reads stdin sees end of input at once.
    #[default]
    Null,
    /// The FIFO `TASK_DIR/stdin`, fed by [`crate::stdin::write`] until [`crate::stdin::close`].
    Pipe,
}

/// Whether stderr shares the main stream with stdout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StderrMode {
    /// One pipe for both: one stream, in the order written.
    #[default]
    Combined,
    /// Two pipes: stdout in the main stream, stderr in its own stream.
    Separate,
}

/// The size of a task's terminal (CONTRACT §8): rows and columns, each 1..=1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TtySize {
    /// Lines of the screen.
    pub rows: u16,
    /// Columns of the screen.
    pub cols: u16,
}

impl Default for TtySize {
    /// 40 rows by 120 columns.
    fn default() -> Self {
        Self {
            rows: 40,
            cols: 120,
        }
    }
}

/// How much output a stream keeps (CONTRACT §4): the head, and the tail up to the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputLimits {
    /// The first bytes of the stream, always kept. Default 1 MiB.
    pub head_bytes: u64,
    /// The most bytes kept in all (head plus tail). Default 64 MiB.
    pub cap_bytes: u64,
}

impl Default for OutputLimits {
    fn default() -> Self {
        Self {
            head_bytes: 1 << 20,
            cap_bytes: 64 << 20,
        }
    }
}

/// Everything needed to start one shell task. Build with [`SpawnRequest::new`].
///
/// Its `Debug` output shows the names of the environment variables, never their values.
#[derive(Clone)]
pub struct SpawnRequest {
    /// The shim executable.
    pub shim: ShimProgram,
    /// The task's directory (created if missing); see the crate docs for its layout.
    pub task_dir: PathBuf,
    /// The command: program and arguments, not empty. A shell string is `["sh", "-c", s]`.
    pub argv: Vec<OsString>,
    /// Working directory of the command.
    pub cwd: PathBuf,
    /// Variables added to (or replacing) the inherited environment. Never logged.
    pub env: Vec<(OsString, OsString)>,
    /// Whether the command inherits the runtime's environment (default true).
    pub inherit_env: bool,
    /// Where stdin comes from.
    pub stdin: StdinMode,
    /// Whether stderr gets its own stream.
    pub stderr: StderrMode,
    /// Run the command in a pseudo-terminal of this size (stdin, stdout, stderr and the
    /// controlling terminal), or with pipes (`None`, the default). A tty task's input goes
    /// through the stdin FIFO whatever [`SpawnRequest::stdin`] says, and its output is one
    /// stream (its stderr mode must be [`StderrMode::Combined`]).
    pub tty: Option<TtySize>,
    /// How much output is kept.
    pub limits: OutputLimits,
    /// How long the shim keeps reading output after the command exited (default 500 ms).
    pub drain: Duration,
    /// How long [`crate::spawn`] waits for the shim to report (default 10 s).
    pub report_timeout: Duration,
    /// Which launch of the task this is (a runtime passes the attempt number; default 0).
    /// Written into `pids.json` and `status.json`, so that the files an earlier launch left in
    /// the same directory are never taken for this launch's.
    pub launch: u64,
}

impl SpawnRequest {
    /// A request with defaults: inherited environment, stdin from `/dev/null`, combined
    /// output, default limits, the working directory of the calling process.
    pub fn new<I, S>(shim: ShimProgram, task_dir: impl Into<PathBuf>, argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        Self {
            shim,
            task_dir: task_dir.into(),
            argv: argv.into_iter().map(Into::into).collect(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            env: Vec::new(),
            inherit_env: true,
            stdin: StdinMode::Null,
            stderr: StderrMode::Combined,
            tty: None,
            limits: OutputLimits::default(),
            drain: Duration::from_millis(500),
            report_timeout: Duration::from_secs(10),
            launch: 0,
        }
    }
}

impl fmt::Debug for SpawnRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let env_names: Vec<&OsString> = self.env.iter().map(|(name, _)| name).collect();
        f.debug_struct("SpawnRequest")
            .field("shim", &self.shim)
            .field("task_dir", &self.task_dir)
            .field("argv", &self.argv)
            .field("cwd", &self.cwd)
            .field("env_names", &env_names)
            .field("inherit_env", &self.inherit_env)
            .field("stdin", &self.stdin)
            .field("stderr", &self.stderr)
            .field("tty", &self.tty)
            .field("limits", &self.limits)
            .field("drain", &self.drain)
            .field("report_timeout", &self.report_timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_env_names_but_never_values() {
        let shim = ShimProgram::new("/usr/bin/tend", ["__shim"]);
        let mut req = SpawnRequest::new(shim, "/tmp/t1", ["true"]);
        req.env.push(("API_TOKEN".into(), "s3cr3t-value".into()));
        let shown = format!("{req:?}");
        assert!(shown.contains("API_TOKEN"), "{shown}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
    }
}
