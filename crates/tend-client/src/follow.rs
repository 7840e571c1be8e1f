//! Following with long-polls: a task's output until its end, the event log, and waits longer
//! than one request may last.

use std::time::Duration;

use tend_core::{Event, TaskId};
use tend_proto::{EventsQuery, MAX_LONG_POLL_MS, OutputQuery, WaitParams, WaitResponse};
use tokio::time::Instant;

use crate::client::{Client, RawOutput};
use crate::error::ClientError;

/// How long one long-poll of a follower waits when nothing happens.
pub const FOLLOW_POLL: Duration = Duration::from_secs(30);

/// Follows a task's output from a cursor, raw, until the task ends and everything is read.
///
/// Each [`OutputFollower::next`] is one long-poll: it answers as soon as bytes arrive or the
/// task ends, or with no bytes when its wait runs out. A `tail_lines` query applies to the first
/// read only; later reads continue from where it ended.
///
/// # Cancel safety
///
/// Dropping a `next` future loses nothing: the cursor moves only when an answer has arrived.
#[derive(Debug, Clone)]
pub struct OutputFollower {
    id: TaskId,
    query: OutputQuery,
    done: bool,
}

impl OutputFollower {
    /// Follows task `id` starting with `query` (its cursor, tail, grep and stream).
    pub fn new(id: TaskId, query: OutputQuery) -> Self {
        Self {
            id,
            query,
            done: false,
        }
    }

    /// Whether the end was read.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The cursor of the next read.
    pub fn cursor(&self) -> u64 {
        self.query.cursor
    }

    /// The next chunk, waiting up to `wait` for one; `None` once the end was read.
    pub async fn next(
        &mut self,
        client: &Client,
        wait: Duration,
    ) -> Result<Option<RawOutput>, ClientError> {
        if self.done {
            return Ok(None);
        }
        let millis = u64::try_from(wait.as_millis()).unwrap_or(MAX_LONG_POLL_MS);
        let query = OutputQuery {
            wait_ms: (millis > 0).then_some(millis),
            ..self.query.clone()
        };
        let chunk = client.read_output_raw(self.id, &query).await?;
        self.query.tail_lines = None;
        self.query.cursor = chunk.next_cursor;
        self.done = chunk.eof;
        Ok(Some(chunk))
    }
}

/// Follows the event log from a position, page by page.
///
/// # Cancel safety
///
/// Dropping a `next` future loses nothing: the position moves only when a page has arrived.
#[derive(Debug, Clone)]
pub struct EventFollower {
    query: EventsQuery,
}

impl EventFollower {
    /// Follows events matching `query`, after `query.after` (from the oldest retained when
    /// absent).
    pub fn new(query: EventsQuery) -> Self {
        Self { query }
    }

    /// The next page of events, waiting up to `wait` for one (empty when none came).
    pub async fn next(
        &mut self,
        client: &Client,
        wait: Duration,
    ) -> Result<Vec<Event>, ClientError> {
        let millis = u64::try_from(wait.as_millis()).unwrap_or(MAX_LONG_POLL_MS);
        let query = EventsQuery {
            wait_ms: (millis > 0).then_some(millis),
            ..self.query.clone()
        };
        let page = client.events(&query).await?;
        self.query.after = Some(page.next_after);
        Ok(page.events)
    }
}

/// Waits for the tasks of `params` (its `timeout_ms` is ignored) for up to `timeout`, or
/// without end when `None`, asking again as often as the daemon's long-poll cap requires.
/// Answers the last answer: `done` is false when time ran out.
pub async fn wait_for(
    client: &Client,
    params: &WaitParams,
    timeout: Option<Duration>,
) -> Result<WaitResponse, ClientError> {
    let deadline = timeout.map(|timeout| Instant::now() + timeout);
    loop {
        let slice = match deadline {
            None => MAX_LONG_POLL_MS,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                u64::try_from(left.as_millis())
                    .unwrap_or(u64::MAX)
                    .min(MAX_LONG_POLL_MS)
            }
        };
        let answer = client
            .wait(&WaitParams {
                timeout_ms: Some(slice),
                ..params.clone()
            })
            .await?;
        let out_of_time = deadline.is_some_and(|deadline| Instant::now() >= deadline);
        if answer.done || out_of_time {
            return Ok(answer);
        }
    }
}
