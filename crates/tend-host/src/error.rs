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
    /// A new shell task would exceed the live tasks the open files limit allows.
    #[error(
        "too many live shell tasks: the daemon's open files limit allows {max} at once; \
         raise the limit (ulimit -Hn, LimitNOFILE) and restart the daemon, or wait for tasks to end"
    )]
    LiveTaskLimit {
        /// The live shell tasks allowed.
        max: usize,
    },
    /// The store failed to commit or read.
    #[error("storage failed: {0}")]
    Storage(String),
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
            Self::Unavailable | Self::LiveTaskLimit { .. } => "unavailable",
            Self::Storage(_) | Self::UnexpectedReply { .. } | Self::Output { .. } => "internal",
        }
    }
}
