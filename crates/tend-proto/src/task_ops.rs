//! Bodies of the per-task operations: stop, stdin, progress, complete, transfer.

use serde::{Deserialize, Serialize};
use tend_core::{CompleteTask, Error, ProgressReport, State, TaskId};

use crate::limits::check_duration;

/// The body of `POST /v1/tasks/{id}/stop` (may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StopParams {
    /// Time to end after SIGTERM before SIGKILL (default: the daemon's `default_grace`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(max = 31_536_000_000u64)))]
    pub grace_ms: Option<u64>,
}

impl StopParams {
    /// The grace, checked.
    pub fn grace(&self) -> Result<Option<u64>, Error> {
        self.grace_ms
            .map(|ms| check_duration("grace_ms", ms))
            .transpose()
    }
}

/// The body of `POST /v1/tasks/{id}/stdin`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StdinParams {
    /// Text written to the task's stdin as UTF-8 (may be empty).
    #[serde(default)]
    pub data: String,
    /// Keys typed after `data`, by name (CONTRACT §8): `enter`, `tab`, `up`, `ctrl-c`, `f1`...
    /// For a task without a terminal only `enter`, `tab`, `ctrl-c` and `ctrl-d` exist.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(length(max = 4096)))]
    pub keys: Vec<String>,
    /// Closes the task's stdin after writing (on a terminal: types `ctrl-d`).
    #[serde(default)]
    pub eof: bool,
}

/// The body of `POST /v1/tasks/{id}/resize` (tty tasks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ResizeParams {
    /// Lines of the screen, 1..1000.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 1000)))]
    pub rows: u16,
    /// Columns of the screen, 1..1000.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 1000)))]
    pub cols: u16,
}

impl ResizeParams {
    /// The size, checked.
    pub fn size(self) -> Result<tend_core::TtySize, Error> {
        let size = tend_core::TtySize {
            rows: self.rows,
            cols: self.cols,
        };
        if size.is_valid() {
            Ok(size)
        } else {
            Err(Error::invalid(
                "rows",
                format!(
                    "rows and cols must be 1..1000 (got {}x{})",
                    self.rows, self.cols
                ),
            ))
        }
    }
}

/// The state an external task reports with its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProgressState {
    /// Working.
    Running,
    /// Waiting for something outside.
    Waiting,
}

/// The body of `POST /v1/tasks/{id}/progress` (external tasks).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgressParams {
    /// A message to show (at most 64 KiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `running` or `waiting`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ProgressState>,
}

impl ProgressParams {
    /// The engine's report for task `id`.
    pub fn into_report(self, id: TaskId) -> ProgressReport {
        let state = self.state.map(|state| match state {
            ProgressState::Running => State::Running,
            ProgressState::Waiting => State::Waiting,
        });
        ProgressReport {
            id,
            message: self.message,
            state,
        }
    }
}

/// The terminal state an external task reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FinalState {
    /// Succeeded.
    Completed,
    /// Failed.
    Failed,
    /// Was cancelled (confirms a stop).
    Cancelled,
}

/// The body of `POST /v1/tasks/{id}/complete` (external tasks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CompleteParams {
    /// The outcome.
    pub state: FinalState,
    /// Result or failure text (at most 64 KiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

impl CompleteParams {
    /// The engine's request for task `id`.
    pub fn into_request(self, id: TaskId) -> CompleteTask {
        let state = match self.state {
            FinalState::Completed => State::Completed,
            FinalState::Failed => State::Failed,
            FinalState::Cancelled => State::Cancelled,
        };
        CompleteTask {
            id,
            state,
            summary: self.summary,
        }
    }
}

/// The body of `POST /v1/tasks/{id}/transfer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TransferParams {
    /// The destination session.
    #[cfg_attr(feature = "schema", schemars(pattern(crate::limits::NAME_PATTERN)))]
    pub session: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_and_completion_map_onto_engine_states() {
        let params: ProgressParams = serde_json::from_str(r#"{"state": "waiting"}"#).unwrap();
        assert_eq!(
            params.into_report(TaskId::new(3)).state,
            Some(State::Waiting)
        );
        assert!(serde_json::from_str::<ProgressParams>(r#"{"state": "completed"}"#).is_err());
        let params: CompleteParams =
            serde_json::from_str(r#"{"state": "failed", "summary": "no"}"#).unwrap();
        let request = params.into_request(TaskId::new(3));
        assert_eq!(
            (request.state, request.summary.as_deref()),
            (State::Failed, Some("no"))
        );
        assert!(serde_json::from_str::<CompleteParams>("{}").is_err());
    }

    #[test]
    fn stop_grace_is_checked() {
        assert_eq!(StopParams::default().grace().unwrap(), None);
        assert!(
            StopParams {
                grace_ms: Some(u64::MAX)
            }
            .grace()
            .is_err()
        );
        let eof: StdinParams = serde_json::from_str(r#"{"eof": true}"#).unwrap();
        assert!(eof.eof && eof.data.is_empty() && eof.keys.is_empty());
        assert!(serde_json::from_str::<StdinParams>(r#"{"keys": "enter"}"#).is_err());
    }
}
