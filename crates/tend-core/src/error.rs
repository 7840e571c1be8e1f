//! Typed errors with stable codes, mapped once to the wire by the API layer.

use crate::id::{Seq, TaskId};
use crate::task::Task;

/// The stable error codes of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The id was never issued.
    NotFound,
    /// The id was issued but its record was removed or evicted.
    Expired,
    /// The request is malformed or violates a rule about its values.
    InvalidArgument,
    /// The request conflicts with the current state.
    Conflict,
}

impl ErrorCode {
    /// The wire name: `not_found`, `expired`, `invalid_argument`, `conflict`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Expired => "expired",
            Self::InvalidArgument => "invalid_argument",
            Self::Conflict => "conflict",
        }
    }
}

/// An error answered by the engine. Messages are lowercase without a trailing period.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// No task with this id was ever issued.
    #[error("task {id} not found")]
    TaskNotFound {
        /// The id asked for.
        id: TaskId,
    },
    /// The task existed but was removed or evicted by retention.
    #[error("task {id} has expired")]
    TaskExpired {
        /// The id asked for.
        id: TaskId,
    },
    /// Events before `oldest_seq` are no longer retained.
    #[error("events after {after} have expired; the oldest retained is {oldest_seq}")]
    EventsExpired {
        /// The position asked for.
        after: Seq,
        /// The oldest sequence number still retained.
        oldest_seq: Seq,
    },
    /// A value of the request is invalid.
    #[error("invalid {field}: {message}")]
    InvalidArgument {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The request conflicts with the task's state; `task` is the unchanged record when relevant.
    #[error("{message}")]
    Conflict {
        /// What conflicts.
        message: String,
        /// The unchanged record.
        task: Option<Box<Task>>,
    },
}

impl Error {
    /// An `invalid_argument` error about `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::InvalidArgument {
            field,
            message: message.into(),
        }
    }

    /// A `conflict` error carrying the unchanged record.
    pub fn conflict(message: impl Into<String>, task: Option<&Task>) -> Self {
        Self::Conflict {
            message: message.into(),
            task: task.map(|t| Box::new(t.clone())),
        }
    }

    /// The stable code of this error.
    pub const fn code(&self) -> ErrorCode {
        match self {
            Self::TaskNotFound { .. } => ErrorCode::NotFound,
            Self::TaskExpired { .. } | Self::EventsExpired { .. } => ErrorCode::Expired,
            Self::InvalidArgument { .. } => ErrorCode::InvalidArgument,
            Self::Conflict { .. } => ErrorCode::Conflict,
        }
    }
}

/// A snapshot read from storage that cannot be restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// Two records share an id.
    #[error("task {id} appears twice in the snapshot")]
    DuplicateTask {
        /// The duplicated id.
        id: TaskId,
    },
    /// A record's id is not below the stored id sequence.
    #[error("task {id} is not below the id sequence {next}")]
    IdBeyondSequence {
        /// The record's id.
        id: TaskId,
        /// The stored next id number.
        next: u64,
    },
    /// Stored events are not consecutive.
    #[error("stored events are not consecutive at sequence {seq}")]
    EventGap {
        /// The first out-of-order sequence number.
        seq: Seq,
    },
}
