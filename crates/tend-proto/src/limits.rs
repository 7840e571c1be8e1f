//! Limits of the API: body and read sizes, durations, long-poll caps.

use std::time::Duration;

use tend_core::Error;

/// The largest request body accepted: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Bytes of output an output read answers when `max_bytes` is not given.
pub const DEFAULT_READ_BYTES: u64 = 65_536;
/// The largest `max_bytes` of an output read: 16 MiB.
pub const MAX_READ_BYTES: u64 = 16 << 20;
/// The most context lines (`context`) a grep read answers around each match.
pub const MAX_CONTEXT_LINES: u64 = 1000;
/// The longest a single long-poll (`wait_ms`, `yield_ms`, a wait's `timeout_ms`) holds a
/// request: 10 minutes. Longer values are accepted and cut to this; the client asks again.
pub const MAX_LONG_POLL_MS: u64 = 600_000;
/// The longest duration accepted anywhere: 365 days. Longer values are `invalid_argument`.
pub const MAX_DURATION_MS: u64 = 365 * 24 * 3600 * 1000;
/// Events answered by one `GET /v1/events` when `limit` is not given.
pub const DEFAULT_EVENTS_LIMIT: usize = 1000;
/// The largest `limit` of `GET /v1/events`.
pub const MAX_EVENTS_LIMIT: usize = 10_000;
/// The most ids one wait may name.
pub const MAX_WAIT_IDS: usize = 1000;

/// The form of session and group names (see [`tend_core::validate_session`]).
pub const NAME_PATTERN: &str = "^[A-Za-z0-9._:@/+-]{1,128}$";
/// The form of a comma-separated list of task states.
pub const STATES_PATTERN: &str = "^(pending|running|waiting|cancel_requested|completed|failed|cancelled)\
                                   (,(pending|running|waiting|cancel_requested|completed|failed|cancelled))*$";

/// Checks a duration in milliseconds: at most [`MAX_DURATION_MS`].
pub fn check_duration(field: &'static str, ms: u64) -> Result<u64, Error> {
    if ms > MAX_DURATION_MS {
        return Err(Error::invalid(
            field,
            format!("{ms} ms is longer than {MAX_DURATION_MS} ms (365 days)"),
        ));
    }
    Ok(ms)
}

/// How long a long-poll of `ms` milliseconds really waits: at most [`MAX_LONG_POLL_MS`].
pub fn long_poll(ms: u64) -> Duration {
    Duration::from_millis(ms.min(MAX_LONG_POLL_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_checked_and_long_polls_capped() {
        assert_eq!(check_duration("wait_ms", 5).unwrap(), 5);
        assert!(check_duration("wait_ms", MAX_DURATION_MS + 1).is_err());
        assert_eq!(long_poll(u64::MAX), Duration::from_millis(MAX_LONG_POLL_MS));
        assert_eq!(long_poll(250), Duration::from_millis(250));
    }
}
