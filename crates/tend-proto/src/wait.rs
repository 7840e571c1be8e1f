//! `POST /v1/wait`: its body and answer.

use serde::{Deserialize, Serialize};
use tend_core::{Error, Task, TaskId};

use crate::limits::{MAX_WAIT_IDS, check_duration};

/// Whether one task or all of them must end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WaitMode {
    /// Done when one task is terminal.
    Any,
    /// Done when every task is terminal (default).
    #[default]
    All,
}

/// What a task must reach to count as done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WaitUntil {
    /// A terminal state (default).
    #[default]
    Finished,
    /// Ready (CONTRACT.md §9) or a terminal state.
    Ready,
}

/// The body of `POST /v1/wait`: `ids` or `session` (its live tasks at the time of the call).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WaitParams {
    /// The tasks to wait for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 1000)))]
    pub ids: Option<Vec<TaskId>>,
    /// Wait for this session's live tasks instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(pattern(crate::limits::NAME_PATTERN)))]
    pub session: Option<String>,
    /// `any` or `all` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<WaitMode>,
    /// `finished` (default) or `ready`: with `ready` a task is done once it is ready or
    /// terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<WaitUntil>,
    /// Answer after this long even if not done (default and most: 10 minutes per request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(max = 31_536_000_000u64)))]
    pub timeout_ms: Option<u64>,
}

/// What a wait is about, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitTarget {
    /// These tasks.
    Ids(Vec<TaskId>),
    /// The live tasks of this session.
    Session(String),
}

impl WaitParams {
    /// Checks the body: exactly one of `ids` (1 to 1000) and `session`; a sane timeout.
    pub fn target(&self) -> Result<WaitTarget, Error> {
        if let Some(ms) = self.timeout_ms {
            check_duration("timeout_ms", ms)?;
        }
        match (&self.ids, &self.session) {
            (Some(_), Some(_)) => Err(Error::invalid("ids", "give ids or session, not both")),
            (None, None) => Err(Error::invalid("ids", "give ids or session")),
            (Some(ids), None) if ids.is_empty() => Err(Error::invalid("ids", "must not be empty")),
            (Some(ids), None) if ids.len() > MAX_WAIT_IDS => Err(Error::invalid(
                "ids",
                format!("lists more than {MAX_WAIT_IDS} tasks"),
            )),
            (Some(ids), None) => Ok(WaitTarget::Ids(ids.clone())),
            (None, Some(session)) => {
                tend_core::validate_session(session)?;
                Ok(WaitTarget::Session(session.clone()))
            }
        }
    }
}

/// The answer of `POST /v1/wait`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WaitResponse {
    /// Whether the condition held before the timeout.
    pub done: bool,
    /// The records as they were at the end.
    pub tasks: Vec<Task>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_target_is_required() {
        let ids = WaitParams {
            ids: Some(vec![TaskId::new(1)]),
            ..WaitParams::default()
        };
        assert_eq!(ids.target().unwrap(), WaitTarget::Ids(vec![TaskId::new(1)]));
        let session = WaitParams {
            session: Some("cli".into()),
            ..WaitParams::default()
        };
        assert_eq!(session.target().unwrap(), WaitTarget::Session("cli".into()));
        assert!(WaitParams::default().target().is_err());
        let both = WaitParams {
            session: Some("cli".into()),
            ..ids.clone()
        };
        assert!(both.target().is_err());
        let empty = WaitParams {
            ids: Some(vec![]),
            ..WaitParams::default()
        };
        assert!(empty.target().is_err());
        let long = WaitParams {
            timeout_ms: Some(u64::MAX),
            ..ids
        };
        assert!(long.target().is_err());
    }
}
