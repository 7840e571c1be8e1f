//! The daemon's shutdown signal, shared by the accept loop, long-polls and event streams.

use std::sync::Arc;

use tokio::sync::watch;

/// Asks a running daemon to stop, and tells waiters that it is stopping. Cloning is cheap;
/// every clone controls the same daemon. Triggering twice is harmless.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    tx: Arc<watch::Sender<bool>>,
}

impl Default for ShutdownHandle {
    fn default() -> Self {
        Self::new()
    }
}

impl ShutdownHandle {
    /// A handle that has not been triggered.
    pub fn new() -> Self {
        Self {
            tx: Arc::new(watch::channel(false).0),
        }
    }

    /// Starts the shutdown: the daemon stops accepting connections, ends event streams and
    /// long-polls, lets in-flight answers finish (for a few seconds at most), then stops the
    /// runtime. Tasks keep running.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Whether the shutdown has started.
    pub fn is_triggered(&self) -> bool {
        *self.tx.borrow()
    }

    /// Completes once the shutdown has started.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future loses nothing.
    pub async fn triggered(&self) {
        let mut rx = self.tx.subscribe();
        // The sender lives in `self`, so `wait_for` can only end by seeing `true`.
        let _ = rx.wait_for(|stopping| *stopping).await;
    }
}
