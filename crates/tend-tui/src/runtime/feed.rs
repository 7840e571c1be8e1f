//! The task feed: a full list, then the event log followed with long-polls from the position the
//! list was read at; when the daemon goes away, says so and starts over once it answers again.

use std::time::Duration;

use tend_client::{Client, ClientError, EventFollower, FOLLOW_POLL};
use tend_core::{Seq, TaskId};
use tend_proto::{EventsQuery, ListTasksQuery};
use tokio::sync::mpsc::Sender;

use crate::app::Msg;

/// The first wait before trying the daemon again; it doubles up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(250);
/// The longest wait between two tries.
const RETRY_MAX: Duration = Duration::from_secs(2);
/// A task id no daemon hands out: a filter on it matches no event.
const NO_TASK: TaskId = TaskId::new(999_999_999_999_999_999);

/// Feeds the UI until it goes away (its channel closes).
pub(super) async fn run(client: Client, tx: Sender<Msg>) {
    let mut retry = RETRY_FIRST;
    loop {
        let error = match follow(&client, &tx, &mut retry).await {
            Ok(()) => return,
            Err(error) => error,
        };
        if error.is_unavailable()
            && tx
                .send(Msg::Disconnected {
                    error: error.to_string(),
                })
                .await
                .is_err()
        {
            return;
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(RETRY_MAX);
    }
}

/// One connection: list, then follow events until a request fails. `Ok` when the UI is gone.
async fn follow(
    client: &Client,
    tx: &Sender<Msg>,
    retry: &mut Duration,
) -> Result<(), ClientError> {
    let head = head(client).await?;
    let tasks = client.list_tasks(&ListTasksQuery::default()).await?.tasks;
    *retry = RETRY_FIRST;
    if tx.send(Msg::Connected { tasks }).await.is_err() {
        return Ok(());
    }
    let mut follower = EventFollower::new(EventsQuery {
        after: Some(head),
        ..EventsQuery::default()
    });
    loop {
        let events = follower.next(client, FOLLOW_POLL).await?;
        if !events.is_empty() && tx.send(Msg::Events(events)).await.is_err() {
            return Ok(());
        }
    }
}

/// The sequence number of the newest event, read before the list so that no change between
/// the two is missed (events already reflected in the list are applied again, harmlessly).
///
/// The API has no route for it; a page filtered on a task that does not exist matches nothing
/// and covers the whole log, so its `next_after` is the newest event.
async fn head(client: &Client) -> Result<Seq, ClientError> {
    let query = EventsQuery {
        task: Some(NO_TASK),
        ..EventsQuery::default()
    };
    Ok(client.events(&query).await?.next_after)
}
