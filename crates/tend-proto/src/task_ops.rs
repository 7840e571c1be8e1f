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
    pub data: String,
    /// Closes the task's stdin after writing.
    #[serde(default)]
    pub eof: bool,
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
        assert!(serde_json::from_str::<StdinParams>(r#"{"eof": true}"#).is_err());
    }
}
