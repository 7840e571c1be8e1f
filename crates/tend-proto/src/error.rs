//! The error body of every failed request: `{"error": {"code", "message", ...}}`.

use serde::{Deserialize, Serialize};
use tend_core::{Seq, Task};

/// The stable error codes of the API (CONTRACT.md §5) and their HTTP statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorCode {
    /// The id was never issued, or the route does not exist (404).
    NotFound,
    /// The id was issued but its record was removed or evicted, or events aged out (410).
    Expired,
    /// The request is malformed or one of its values is not allowed (400).
    InvalidArgument,
    /// The request conflicts with the task's state (409).
    Conflict,
    /// The daemon is shutting down (503).
    Unavailable,
    /// The daemon failed; never caused by the request's content (500).
    Internal,
}

impl ApiErrorCode {
    /// The HTTP status this code is answered with.
    pub const fn http_status(self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::Expired => 410,
            Self::InvalidArgument => 400,
            Self::Conflict => 409,
            Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Expired => "expired",
            Self::InvalidArgument => "invalid_argument",
            Self::Conflict => "conflict",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }

    /// Parses a wire name (as returned by `HostError::code`).
    pub fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "not_found" => Self::NotFound,
            "expired" => Self::Expired,
            "invalid_argument" => Self::InvalidArgument,
            "conflict" => Self::Conflict,
            "unavailable" => Self::Unavailable,
            "internal" => Self::Internal,
            _ => return None,
        })
    }
}

impl From<tend_core::ErrorCode> for ApiErrorCode {
    fn from(code: tend_core::ErrorCode) -> Self {
        match code {
            tend_core::ErrorCode::NotFound => Self::NotFound,
            tend_core::ErrorCode::Expired => Self::Expired,
            tend_core::ErrorCode::InvalidArgument => Self::InvalidArgument,
            tend_core::ErrorCode::Conflict => Self::Conflict,
        }
    }
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The code, the message and the context of an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorDetail {
    /// The stable code.
    pub code: ApiErrorCode,
    /// A lowercase sentence for people; not meant to be parsed.
    pub message: String,
    /// `expired` events: the oldest sequence number still retained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_seq: Option<Seq>,
    /// `conflict`: the unchanged record, when the conflict is about one task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Box<Task>>,
}

impl ErrorBody {
    /// An error with a code and a message.
    pub fn new(code: ApiErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
                oldest_seq: None,
                task: None,
            },
        }
    }

    /// The body of an engine error, with `oldest_seq` or the conflicting record when it has one.
    pub fn from_core(error: &tend_core::Error) -> Self {
        let mut body = Self::new(error.code().into(), error.to_string());
        match error {
            tend_core::Error::EventsExpired { oldest_seq, .. } => {
                body.error.oldest_seq = Some(*oldest_seq);
            }
            tend_core::Error::Conflict { task, .. } => body.error.task = task.clone(),
            tend_core::Error::TaskNotFound { .. }
            | tend_core::Error::TaskExpired { .. }
            | tend_core::Error::InvalidArgument { .. } => {}
        }
        body
    }

    /// The HTTP status of this error.
    pub fn http_status(&self) -> u16 {
        self.error.code.http_status()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_map_to_statuses() {
        for code in [
            ApiErrorCode::NotFound,
            ApiErrorCode::Expired,
            ApiErrorCode::InvalidArgument,
            ApiErrorCode::Conflict,
            ApiErrorCode::Unavailable,
            ApiErrorCode::Internal,
        ] {
            assert_eq!(ApiErrorCode::parse(code.as_str()), Some(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        assert_eq!(ApiErrorCode::Expired.http_status(), 410);
    }

    #[test]
    fn expired_events_carry_the_oldest_sequence() {
        let error = tend_core::Error::EventsExpired {
            after: 3,
            oldest_seq: 9,
        };
        let body = serde_json::to_value(ErrorBody::from_core(&error)).unwrap();
        assert_eq!(body["error"]["code"], "expired");
        assert_eq!(body["error"]["oldest_seq"], 9);
        assert!(body["error"].get("task").is_none());
    }
}
