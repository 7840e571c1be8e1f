//! The session's notifications, taken once: fetched, acknowledged, and shown at the end of an
//! answer, so that each appears in exactly one answer.

use tend_client::Client;
use tend_core::Notification;
use tend_proto::{AckParams, NotificationsQuery};
use tokio::sync::Mutex;

/// Takes a session's unacknowledged notifications. One lock per server process keeps two
/// concurrent answers from showing the same notification.
#[derive(Debug, Default)]
pub(crate) struct Notifier {
    lock: Mutex<()>,
}

impl Notifier {
    /// The unacknowledged notifications of `session`, now acknowledged. Empty when the daemon
    /// cannot be reached: the answer itself says so when it matters.
    ///
    /// # Cancel safety
    ///
    /// Dropped between the fetch and the acknowledgement, nothing is lost: the notifications
    /// stay unacknowledged and appear in a later answer.
    pub(crate) async fn take(&self, client: &Client, session: &str) -> Vec<Notification> {
        let _guard = self.lock.lock().await;
        let Ok(found) = client
            .notifications(session, &NotificationsQuery::default())
            .await
        else {
            return Vec::new();
        };
        if found.notifications.is_empty() {
            return Vec::new();
        }
        let ids = found.notifications.iter().map(|note| note.id).collect();
        match client.ack_notifications(session, &AckParams { ids }).await {
            Ok(()) => found.notifications,
            // Not acknowledged: leave them for the next answer rather than show them twice.
            Err(error) => {
                tracing::warn!(%session, %error, "cannot acknowledge notifications");
                Vec::new()
            }
        }
    }
}
