//! The wall clock, for ages in human output.

use std::time::{SystemTime, UNIX_EPOCH};

use tend_core::Timestamp;

/// Now.
pub fn now() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Timestamp::from_millis(i64::try_from(millis).unwrap_or(i64::MAX))
}
