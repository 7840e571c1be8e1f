//! The wall clock, read only by the runtime: the state gets time through `Msg::Tick`.

use std::time::{SystemTime, UNIX_EPOCH};

use tend_core::Timestamp;

/// Now, in milliseconds since the Unix epoch.
pub(super) fn now() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis());
    Timestamp::from_millis(i64::try_from(millis).unwrap_or(i64::MAX))
}
