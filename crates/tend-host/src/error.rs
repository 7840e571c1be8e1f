//! Errors of the runtime, with one classifier onto the API's codes.

/// A failure answered by the runtime.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The engine refused the request.
    #[error(transparent)]
    Engine(#[from] tend_core::Error),
    /// The runtime is stopping or stopped.
    #[error("the runtime is shutting down")]
    Unavailable,
    /// The store failed to commit or read.
    #[error("storage failed: {0}")]
    Storage(String),
    /// The store does not accept commits (disk full, I/O error): nothing of the request was
    /// done. The runtime recovers by itself once the store works again.
    #[error("the store cannot commit, nothing was changed: {0}")]
    StoreUnavailable(String),
    /// The engine answered with a reply of the wrong shape (a bug).
    #[error("unexpected engine reply: {reply}")]
    UnexpectedReply {
        /// The reply, for the log.
        reply: String,
    },
    /// Reading a task's output failed.
    #[error("cannot read output of {id}: {message}")]
    Output {
        /// The task.
        id: tend_core::TaskId,
        /// Why.
        message: String,
    },
}

impl HostError {
    /// The API code: `not_found`, `expired`, `invalid_argument`, `conflict`, `unavailable`,
    /// `internal`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Engine(error) => error.code().as_str(),
            Self::Unavailable | Self::StoreUnavailable(_) => "unavailable",
            Self::Storage(_) | Self::UnexpectedReply { .. } | Self::Output { .. } => "internal",
        }
    }
}
