//! The store's error type.

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or created.
    #[error("cannot open the database at {path}: {message}")]
    Open {
        /// The database file.
        path: String,
        /// The driver's message.
        message: String,
    },
    /// The schema could not be brought up to date.
    #[error("cannot migrate the database at {path}: {message}")]
    Migrate {
        /// The database file.
        path: String,
        /// The migrator's message.
        message: String,
    },
    /// The store was closed.
    #[error("the store is closed")]
    Closed,
    /// A query failed.
    #[error("database {operation} failed: {message}")]
    Query {
        /// What was being done.
        operation: &'static str,
        /// The driver's message.
        message: String,
    },
    /// A stored row could not be decoded.
    #[error("stored {what} is corrupt: {message}")]
    Corrupt {
        /// Which row.
        what: String,
        /// Why.
        message: String,
    },
    /// A value cannot be stored: a number beyond the database's integer range, or a document
    /// that does not serialise.
    #[error("cannot store {what}: {message}")]
    Unstorable {
        /// Which value.
        what: String,
        /// Why.
        message: String,
    },
}

impl StoreError {
    /// Whether the failure concerns data already stored (decoding), rather than the database
    /// being unreachable or a write being refused.
    pub fn is_corrupt(&self) -> bool {
        matches!(self, Self::Corrupt { .. })
    }

    /// Whether the database could not be opened or migrated at all.
    pub fn is_open_failure(&self) -> bool {
        matches!(self, Self::Open { .. } | Self::Migrate { .. })
    }

    /// A query error for `operation`, for `map_err`.
    pub(crate) fn query(operation: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |error| Self::Query {
            operation,
            message: error.to_string(),
        }
    }
}
