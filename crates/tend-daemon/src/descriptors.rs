//! Open file descriptors: the limit is raised at start, and divided between the daemon's own
//! needs, connections and live tasks.

use nix::sys::resource::{Resource, getrlimit, setrlimit};
use tracing::{info, warn};

/// Descriptors the daemon needs besides connections and tasks: standard streams, the lock,
/// the log, the listeners, the store (a writer and a reader, each with the database, its WAL
/// and shared memory), the runtime's own (epoll, event and signal descriptors), and those
/// the starts of shell tasks hold for an instant (pipes to the shim, its log), at most
/// `tend_host::MAX_CONCURRENT_SPAWNS` at a time.
pub(crate) const RESERVED: u64 = 64 + 8 * tend_host::MAX_CONCURRENT_SPAWNS as u64;

/// Descriptors a live shell task holds in the daemon: the pidfd of its shim.
pub(crate) const PER_TASK: u64 = 1;

/// How the open files limit is divided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Capacity {
    /// The soft `RLIMIT_NOFILE` in force.
    pub open_files_limit: u64,
    /// Connections the API serves at once (the configured cap, lowered to fit the limit).
    pub max_connections: usize,
    /// Shell tasks that may be live at once.
    pub max_live_tasks: usize,
}

/// Raises the soft open files limit to the hard one; answers the soft limit in force.
pub(crate) fn raise_open_files_limit() -> u64 {
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
            Ok(()) => {
                info!(from = soft, to = hard, "raised the open files limit");
                hard
            }
            Err(error) => {
                warn!(%error, soft, hard, "cannot raise the open files limit");
                soft
            }
        },
        Ok((soft, _)) => {
            info!(limit = soft, "open files limit");
            soft
        }
        Err(error) => {
            warn!(%error, "cannot read the open files limit; assuming 1024");
            1024
        }
    }
}

/// Divides `limit` descriptors: [`RESERVED`] for the daemon, then the connections of the API
/// (`max_connections`) and of other listeners (`other_connections`), at most a quarter of what
/// is left (the API's cap is lowered to fit), and the rest for live tasks: under a hard limit
/// of 1,024, 224 connections and 672 live tasks.
pub(crate) fn plan(limit: u64, max_connections: usize, other_connections: usize) -> Capacity {
    let available = limit.saturating_sub(RESERVED);
    let wanted = (max_connections as u64).saturating_add(other_connections as u64);
    let connections = wanted.min(available / 4);
    let api_connections = if connections >= wanted {
        max_connections
    } else {
        let share = u128::from(connections) * max_connections as u128 / u128::from(wanted.max(1));
        usize::try_from(share).unwrap_or(max_connections).max(1)
    };
    let tasks = (available - connections) / PER_TASK;
    Capacity {
        open_files_limit: limit,
        max_connections: api_connections,
        max_live_tasks: usize::try_from(tasks).unwrap_or(usize::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_limit_keeps_the_connection_caps_and_leaves_the_rest_to_tasks() {
        let capacity = plan(1 << 20, 1024, 256);
        assert_eq!(capacity.max_connections, 1024);
        assert_eq!(capacity.max_live_tasks as u64, (1 << 20) - RESERVED - 1280);
    }

    #[test]
    fn a_small_limit_gives_connections_a_quarter_of_what_is_left_and_tasks_the_rest() {
        let capacity = plan(1024, 1024, 0);
        let quarter = (1024 - RESERVED) / 4;
        assert_eq!(capacity.max_connections as u64, quarter);
        assert_eq!(capacity.max_live_tasks as u64, 1024 - RESERVED - quarter);
        assert_eq!(
            (capacity.max_connections, capacity.max_live_tasks),
            (224, 672)
        );
        let tiny = plan(10, 1024, 0);
        assert_eq!((tiny.max_connections, tiny.max_live_tasks), (1, 0));
    }
}
