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
    /// The home is not the user's own (CONTRACT.md §12).
    #[error("refusing the home: {0}")]
    Home(#[from] tend_exec::PrivateDirError),
    /// The home's database is missing or empty while task directories exist: starting would
    /// lose their records and reuse their ids.
    #[error(
        "the home {} has task directories (up to t{highest}) but its database {} {state}; \
         refusing to start an empty home over them. To keep the old home aside and start \
         fresh: tend daemon start --reset",
        home.display(),
        database.display()
    )]
    LostDatabase {
        /// The home.
        home: std::path::PathBuf,
        /// Its database file.
        database: std::path::PathBuf,
        /// `is missing` or `is empty`.
        state: &'static str,
        /// The highest task number with a directory.
        highest: u64,
    },
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
            Self::Unavailable | Self::StoreUnavailable(_) | Self::LiveTaskLimit { .. } => {
                "unavailable"
            }
            Self::Home(_)
            | Self::LostDatabase { .. }
            | Self::Storage(_)
            | Self::UnexpectedReply { .. }
            | Self::Output { .. } => "internal",
        }
    }
}
