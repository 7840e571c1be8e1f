//! Starting a daemon for a home when none answers (CONTRACT.md §1).

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tend_proto::HealthResponse;
use tokio::time::Instant;

use crate::client::Client;
use crate::error::ClientError;
use crate::home::log_path;

/// How long a client waits for a daemon it started, unless told otherwise.
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(5);

/// How to start a daemon: `PROGRAM ARGS...` with `TEND_HOME` set to the home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autostart {
    /// The executable, normally the running `tend` binary.
    pub program: PathBuf,
    /// Its arguments, normally `["daemon"]`.
    pub args: Vec<OsString>,
    /// How long to wait for `GET /v1/health` to answer.
    pub timeout: Duration,
}

impl Autostart {
    /// Starts `program daemon` and waits up to 5 s for it.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            args: vec!["daemon".into()],
            timeout: DEFAULT_START_TIMEOUT,
        }
    }
}

/// What a client does when no daemon answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StartPolicy {
    /// Fails with [`ClientError::Unavailable`] (for commands that control the daemon).
    #[default]
    Never,
    /// Fails with [`ClientError::AutostartDisabled`] (`TEND_NO_AUTOSTART=1`).
    Disabled,
    /// Starts a daemon and waits for it.
    Spawn(Autostart),
}

/// Starts the daemon of `home` detached from the caller: in a new session, stdin and stdout on
/// `/dev/null`, stderr appended to `daemon.log`, working directory `/` so that it keeps no
/// directory of the caller busy. The caller waits for it to answer.
pub(crate) fn spawn(home: &Path, autostart: &Autostart) -> Result<Child, ClientError> {
    let spawn_error = |source| ClientError::Spawn {
        program: autostart.program.clone(),
        source,
    };
    // Nothing is written into a home that another user controls: the daemon would refuse it.
    tend_exec::ensure_private_dir(home).map_err(|error| ClientError::Home {
        message: error.to_string(),
    })?;
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(log_path(home))
        .map_err(spawn_error)?;
    let mut command = Command::new(&autostart.program);
    command
        .args(&autostart.args)
        .env("TEND_HOME", home)
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log));
    // SAFETY: the closure runs in the child between fork and exec and only calls setsid(2),
    // which is async-signal-safe; it touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            nix::unistd::setsid()
                .map(drop)
                .map_err(std::io::Error::from)
        });
    }
    command.spawn().map_err(spawn_error)
}

/// Starts a daemon and polls its health until it answers, it exits, or time runs out.
pub(crate) async fn start_and_wait(
    client: &Client,
    autostart: &Autostart,
) -> Result<HealthResponse, ClientError> {
    let mut child = spawn(client.home(), autostart)?;
    let deadline = Instant::now() + autostart.timeout;
    let mut pause = Duration::from_millis(2);
    let mut exited_at: Option<(Instant, String)> = None;
    loop {
        if let Some(health) = client.probe().await? {
            return Ok(health);
        }
        let now = Instant::now();
        if exited_at.is_none()
            && let Ok(Some(status)) = child.try_wait()
        {
            // Another client's daemon may have won the home's lock: give it a moment.
            exited_at = Some((now, status.to_string()));
        }
        if let Some((at, status)) = &exited_at
            && now.duration_since(*at) > Duration::from_millis(500)
        {
            return Err(ClientError::DaemonExited {
                home: client.home().to_path_buf(),
                status: status.clone(),
                log: log_tail(client.home()),
            });
        }
        if now >= deadline {
            return Err(ClientError::StartTimeout {
                home: client.home().to_path_buf(),
                waited: autostart.timeout,
                log: log_tail(client.home()),
            });
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// The last lines of `daemon.log` (at most about 2 KiB), prefixed with `: ` to follow an error
/// message; empty when there is nothing to show.
pub(crate) fn log_tail(home: &Path) -> String {
    const TAIL_BYTES: u64 = 2048;
    let read = || -> std::io::Result<String> {
        let mut file = File::open(log_path(home))?;
        let length = file.metadata()?.len();
        file.seek(SeekFrom::Start(length.saturating_sub(TAIL_BYTES)))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    let text = read().unwrap_or_default();
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let tail = lines[lines.len().saturating_sub(5)..].join("\n");
    if tail.is_empty() {
        String::new()
    } else {
        format!("; the end of daemon.log:\n{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_tail_keeps_the_last_lines() {
        let home = tempfile::tempdir().unwrap();
        assert_eq!(log_tail(home.path()), "");
        let lines: String = (1..=9).map(|n| format!("line {n}\n")).collect();
        std::fs::write(log_path(home.path()), lines).unwrap();
        let tail = log_tail(home.path());
        assert!(
            tail.ends_with("line 5\nline 6\nline 7\nline 8\nline 9"),
            "{tail}"
        );
        assert!(!tail.contains("line 4"), "{tail}");
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let home = tempfile::tempdir().unwrap();
        let autostart = Autostart::new("/nonexistent/tend");
        let error = spawn(home.path(), &autostart).unwrap_err();
        assert!(matches!(error, ClientError::Spawn { .. }), "{error}");
        assert!(log_path(home.path()).exists());
    }
}
