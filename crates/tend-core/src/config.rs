//! Engine settings: retention, grace, notification keeping and retry backoff.

/// Settings of the [`crate::Engine`]. Durations are milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// How long terminal tasks, their events and their output are kept (default 7 days).
    pub retention_ms: u64,
    /// How long a task with an unacknowledged notification is kept at most (default 30 days).
    pub unacked_retention_ms: u64,
    /// Grace between SIGTERM and SIGKILL when a stop gives none (default 5 s).
    pub default_grace_ms: u64,
    /// First retry backoff (default 1 s); doubles per attempt.
    pub retry_base_ms: u64,
    /// Longest retry backoff (default 60 s).
    pub retry_cap_ms: u64,
    /// Group limits configured at start (`[groups]` of config.toml).
    pub groups: Vec<(String, u32)>,
}

/// The largest group limit accepted.
pub const MAX_GROUP_LIMIT: u32 = 100_000;
/// The longest duration accepted for timeouts and graces: 365 days.
pub const MAX_DURATION_MS: u64 = 365 * 24 * 3600 * 1000;
/// The most attempts a task may have.
pub const MAX_ATTEMPTS: u32 = 100;

impl Default for Config {
    fn default() -> Self {
        Self {
            retention_ms: 7 * 24 * 3600 * 1000,
            unacked_retention_ms: 30 * 24 * 3600 * 1000,
            default_grace_ms: 5_000,
            retry_base_ms: 1_000,
            retry_cap_ms: 60_000,
            groups: Vec::new(),
        }
    }
}

impl Config {
    /// The backoff before attempt `next_attempt` (2, 3, ...): base, 2x base, 4x base ... capped.
    pub fn backoff_ms(&self, next_attempt: u32) -> u64 {
        let doublings = next_attempt.saturating_sub(2).min(32);
        self.retry_base_ms
            .saturating_mul(1u64 << doublings)
            .min(self.retry_cap_ms)
    }
}
