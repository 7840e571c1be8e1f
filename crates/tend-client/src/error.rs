//! The client's error: an answer of the API with its code, or why no answer came.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use tend_proto::{ApiErrorCode, ErrorDetail};

/// Why a request to the daemon failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The daemon answered with an error body (CONTRACT.md §5).
    #[error("{}", .detail.message)]
    Api {
        /// The HTTP status of the answer.
        status: u16,
        /// The code, the message and the context (`oldest_seq`, the conflicting record).
        detail: Box<ErrorDetail>,
    },
    /// Nothing listens on the socket, and the client was not asked to start a daemon.
    #[error("no daemon is running for {home} (cannot connect to {socket}: {source})")]
    Unavailable {
        /// The home.
        home: PathBuf,
        /// The socket tried.
        socket: PathBuf,
        /// Why the connection failed.
        source: io::Error,
    },
    /// Nothing listens on the socket and `TEND_NO_AUTOSTART=1` turned autostart off.
    #[error(
        "no daemon is running for {home} and TEND_NO_AUTOSTART=1 turns autostart off; \
         start one with `tend daemon start`"
    )]
    AutostartDisabled {
        /// The home.
        home: PathBuf,
    },
    /// The daemon could not be started.
    #[error("cannot start the daemon {program}: {source}")]
    Spawn {
        /// The program run (`tend`).
        program: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A daemon was started but ended before it answered.
    #[error("the daemon for {home} exited before answering ({status}){log}")]
    DaemonExited {
        /// The home.
        home: PathBuf,
        /// How it ended, e.g. `exit status: 1`.
        status: String,
        /// The end of `daemon.log`, prefixed with `: `, or empty.
        log: String,
    },
    /// A daemon was started but did not answer in time.
    #[error("the daemon for {home} did not answer within {} ms{log}", .waited.as_millis())]
    StartTimeout {
        /// The home.
        home: PathBuf,
        /// How long the client waited.
        waited: Duration,
        /// The end of `daemon.log`, prefixed with `: `, or empty.
        log: String,
    },
    /// The connection broke while a request was under way (the daemon stopped or died).
    #[error("the daemon connection failed during {route}: {source}")]
    Connection {
        /// The request, e.g. `GET /v1/tasks`.
        route: String,
        /// What went wrong.
        source: hyper::Error,
    },
    /// The daemon accepted the connection but did not answer in time (it is stopped, hung or
    /// overloaded).
    #[error(
        "the daemon for {home} did not answer {route} within {} s; it may be stopped or hung \
         (see `tend daemon status`)",
        .waited.as_secs()
    )]
    Timeout {
        /// The home.
        home: PathBuf,
        /// The request, e.g. `GET /v1/tasks`.
        route: String,
        /// How long the client waited.
        waited: Duration,
    },
    /// A home that another user controls, or that others can write to, is refused.
    #[error("refusing the home: {message}")]
    Home {
        /// Why.
        message: String,
    },
    /// The daemon answered something this client does not understand.
    #[error("unexpected answer to {route}: {detail}")]
    Protocol {
        /// The request, e.g. `GET /v1/tasks`.
        route: String,
        /// What was wrong with it.
        detail: String,
    },
    /// A value given to the client cannot be sent (for example a bad header value).
    #[error("invalid request {route}: {detail}")]
    InvalidRequest {
        /// The request.
        route: String,
        /// What is wrong.
        detail: String,
    },
}

impl ClientError {
    /// The API error code this error stands for: the answer's own code, `unavailable` when no
    /// daemon could be reached or started, `internal` when its answer made no sense and
    /// `invalid_argument` for a request that could not be sent.
    pub fn code(&self) -> ApiErrorCode {
        match self {
            Self::Api { detail, .. } => detail.code,
            Self::Unavailable { .. }
            | Self::AutostartDisabled { .. }
            | Self::Spawn { .. }
            | Self::DaemonExited { .. }
            | Self::StartTimeout { .. }
            | Self::Timeout { .. }
            | Self::Connection { .. } => ApiErrorCode::Unavailable,
            Self::Home { .. } => ApiErrorCode::Internal,
            Self::Protocol { .. } => ApiErrorCode::Internal,
            Self::InvalidRequest { .. } => ApiErrorCode::InvalidArgument,
        }
    }

    /// The error body when the daemon answered with one.
    pub fn detail(&self) -> Option<&ErrorDetail> {
        match self {
            Self::Api { detail, .. } => Some(detail),
            Self::Unavailable { .. }
            | Self::AutostartDisabled { .. }
            | Self::Spawn { .. }
            | Self::DaemonExited { .. }
            | Self::StartTimeout { .. }
            | Self::Timeout { .. }
            | Self::Home { .. }
            | Self::Connection { .. }
            | Self::Protocol { .. }
            | Self::InvalidRequest { .. } => None,
        }
    }

    /// Whether no daemon answered (none running, none could be started, or it went away).
    pub fn is_unavailable(&self) -> bool {
        self.code() == ApiErrorCode::Unavailable
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tend_proto::ErrorBody;

    #[test]
    fn api_errors_keep_their_code_and_message() {
        let body = ErrorBody::new(ApiErrorCode::NotFound, "task t9 not found");
        let error = ClientError::Api {
            status: 404,
            detail: Box::new(body.error),
        };
        assert_eq!(error.code(), ApiErrorCode::NotFound);
        assert_eq!(error.to_string(), "task t9 not found");
        assert!(!error.is_unavailable());
        assert!(error.detail().is_some());
    }

    #[test]
    fn connection_problems_are_unavailable() {
        let error = ClientError::AutostartDisabled { home: "/h".into() };
        assert_eq!(error.code(), ApiErrorCode::Unavailable);
        assert!(error.to_string().contains("TEND_NO_AUTOSTART=1"), "{error}");
        let error = ClientError::Protocol {
            route: "GET /v1/x".into(),
            detail: "bad".into(),
        };
        assert_eq!(error.code(), ApiErrorCode::Internal);
    }
}
