//! Exit codes (CONTRACT.md §6): from errors, and from how a followed task ended.

use std::process::ExitCode;
use std::str::FromStr;

use nix::sys::signal::Signal;
use tend_client::ClientError;
use tend_core::{Reason, State, Task};
use tend_proto::ApiErrorCode;

/// Success.
pub const OK: u8 = 0;
/// Any error without a code of its own; a task that failed or was cancelled.
pub const ERROR: u8 = 1;
/// The command line is wrong.
pub const USAGE: u8 = 2;
/// `not_found`: the id was never issued.
pub const NOT_FOUND: u8 = 3;
/// `expired`: the id's record was removed, or events aged out.
pub const EXPIRED: u8 = 4;
/// `conflict`: the request does not fit the task's state.
pub const CONFLICT: u8 = 5;
/// A wait ran out of time, or a task ran past its timeout.
pub const TIMED_OUT: u8 = 124;
/// Interrupted (Ctrl-C) while following a task, which goes on: 128 + SIGINT, as a shell says.
pub const INTERRUPTED: u8 = 130;

/// A mistake on the command line found after parsing (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// What a failed command exits with; `None` when it failed only because its reader went
/// away (a broken pipe), which is not reported.
pub fn code_of_error(error: &anyhow::Error) -> Option<u8> {
    for cause in error.chain() {
        if let Some(said) = cause.downcast_ref::<crate::ids::Said>() {
            return Some(said.code);
        }
        if let Some(client) = cause.downcast_ref::<ClientError>() {
            return Some(code_of_api(client.code()));
        }
        if cause.downcast_ref::<UsageError>().is_some() {
            return Some(USAGE);
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return None;
        }
    }
    Some(ERROR)
}

/// The exit code of an API error code.
pub const fn code_of_api(code: ApiErrorCode) -> u8 {
    match code {
        ApiErrorCode::NotFound => NOT_FOUND,
        ApiErrorCode::Expired => EXPIRED,
        ApiErrorCode::Conflict => CONFLICT,
        ApiErrorCode::InvalidArgument | ApiErrorCode::Unavailable | ApiErrorCode::Internal => ERROR,
    }
}

/// The exit code of a task as `run --wait` reports it: 0 when it completed; its exit code when
/// it exited non-zero; 128+N when signal N ended it (whether or not it was stopped); 124 when
/// it timed out; 1 otherwise.
pub fn code_of_task(task: &Task) -> u8 {
    let by_signal = || {
        let signal = Signal::from_str(task.signal.as_deref()?).ok()?;
        u8::try_from(128 + signal as i32).ok()
    };
    match task.state {
        State::Completed => OK,
        State::Pending | State::Running | State::Waiting | State::CancelRequested => ERROR,
        State::Failed | State::Cancelled => match task.reason {
            Some(Reason::TimedOut) => TIMED_OUT,
            Some(Reason::Exited) => task
                .exit_code
                .and_then(|code| u8::try_from(code).ok())
                .filter(|&code| code != 0)
                .unwrap_or(ERROR),
            Some(
                Reason::Signaled
                | Reason::Stopped
                | Reason::SessionClosed
                | Reason::ParentCancelled
                | Reason::Shutdown,
            ) => by_signal().unwrap_or(ERROR),
            Some(
                Reason::Reported
                | Reason::Stale
                | Reason::QueueTimeout
                | Reason::SpawnFailed
                | Reason::DependencyFailed
                | Reason::Lost,
            )
            | None => ERROR,
        },
    }
}

/// An exit code as the process's.
pub fn exit(code: u8) -> ExitCode {
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ended(state: State, reason: Reason, exit_code: Option<i32>, signal: Option<&str>) -> Task {
        let json = serde_json::json!({
            "id": "t1", "kind": "shell", "session": "cli", "parent": null,
            "child_session": null, "key": null, "name": "x", "command": ["x"], "cwd": "/",
            "group": "default", "state": state, "reason": reason, "exit_code": exit_code,
            "signal": signal, "summary": null, "attempt": 1, "max_attempts": 1, "after": [],
            "pid": null, "progress": null, "output": null, "close_policy": "keep",
            "timeout_ms": null, "idle_timeout_ms": null,
            "created_at": "2026-01-01T00:00:00.000Z", "started_at": null,
            "updated_at": "2026-01-01T00:00:00.000Z", "finished_at": null
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn task_outcomes_map_to_shell_exit_codes() {
        use Reason::*;
        use State::*;
        for (task, code) in [
            (ended(Completed, Exited, Some(0), None), 0),
            (ended(Failed, Exited, Some(7), None), 7),
            (ended(Failed, Signaled, None, Some("SIGTERM")), 143),
            (ended(Failed, Signaled, None, Some("SIGKILL")), 137),
            (ended(Failed, TimedOut, None, Some("SIGTERM")), 124),
            (ended(Cancelled, Stopped, None, Some("SIGINT")), 130),
            (ended(Cancelled, Stopped, Some(0), None), 1),
            (ended(Failed, SpawnFailed, None, None), 1),
            (ended(Failed, Stale, None, Some("SIGTERM")), 1),
            (ended(Failed, Exited, Some(300), None), 1),
        ] {
            assert_eq!(
                code_of_task(&task),
                code,
                "{:?} {:?}",
                task.state,
                task.reason
            );
        }
    }

    #[test]
    fn api_codes_map_to_exit_codes() {
        assert_eq!(code_of_api(ApiErrorCode::NotFound), 3);
        assert_eq!(code_of_api(ApiErrorCode::Expired), 4);
        assert_eq!(code_of_api(ApiErrorCode::Conflict), 5);
        assert_eq!(code_of_api(ApiErrorCode::InvalidArgument), 1);
        let pipe = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(code_of_error(&pipe), None);
        let usage = anyhow::Error::new(UsageError("bad".into()));
        assert_eq!(code_of_error(&usage.context("while running")), Some(2));
    }
}
