//! Output reads: the follower of the selected task's end (one at a time, replaced or stopped by
//! the state's effects; for a task with a terminal it reads the screen too), and single reads
//! for scrolling.

use std::time::Duration;

use tend_client::{Client, RawOutput};
use tend_core::TaskId;
use tend_proto::OutputQuery;
use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;

use crate::app::{
    INITIAL_TAIL_BYTES, Msg, OutputChunk, READ_CHUNK_BYTES, ReadPurpose, WINDOW_CAP_BYTES,
};

/// How long one follow read waits for new output.
const FOLLOW_WAIT_MS: u64 = 10_000;
/// The shortest time between two follow reads: a fast task is read in large chunks, not in
/// as many reads as the daemon can answer.
const FOLLOW_PACE: Duration = Duration::from_millis(20);
/// How long to wait before reading again after a failed read.
const RETRY: Duration = Duration::from_millis(500);

/// The output reads under way.
#[derive(Debug)]
pub(super) struct OutputReads {
    client: Client,
    tx: Sender<Msg>,
    follower: Option<JoinHandle<()>>,
}

impl OutputReads {
    pub(super) fn new(client: Client, tx: Sender<Msg>) -> Self {
        Self {
            client,
            tx,
            follower: None,
        }
    }

    /// Follows task `id` from `from`, replacing the follower under way.
    pub(super) fn follow(&mut self, id: TaskId, from: u64, generation: u64) {
        self.unfollow();
        let (client, tx) = (self.client.clone(), self.tx.clone());
        self.follower = Some(tokio::spawn(follow(client, tx, id, from, generation)));
    }

    /// Stops the follower, if any.
    pub(super) fn unfollow(&mut self) {
        if let Some(follower) = self.follower.take() {
            follower.abort();
        }
    }

    /// Reads once.
    pub(super) fn read(
        &self,
        id: TaskId,
        cursor: u64,
        max_bytes: u64,
        purpose: ReadPurpose,
        generation: u64,
    ) {
        let (client, tx) = (self.client.clone(), self.tx.clone());
        tokio::spawn(async move {
            let query = OutputQuery {
                cursor,
                max_bytes,
                ..OutputQuery::default()
            };
            let msg = match client.read_output_raw(id, &query).await {
                Ok(raw) => Msg::Output(chunk(raw, cursor, purpose, generation)),
                Err(error) => Msg::OutputFailed {
                    generation,
                    error: error.to_string(),
                },
            };
            let _ = tx.send(msg).await;
        });
    }
}

impl Drop for OutputReads {
    fn drop(&mut self) {
        self.unfollow();
    }
}

/// Reads task `id`'s output from `cursor` on as it grows, until its end. When it falls more
/// than a window behind, it skips ahead to the last bytes (earlier ones can be scrolled back to).
async fn follow(client: Client, tx: Sender<Msg>, id: TaskId, mut cursor: u64, generation: u64) {
    let mut skipped = false;
    // A task with a terminal is shown as its screen, read again as its output grows.
    let tty = client
        .get_task(id)
        .await
        .is_ok_and(|task| task.tty.is_some());
    loop {
        let query = OutputQuery {
            cursor,
            max_bytes: READ_CHUNK_BYTES,
            wait_ms: Some(FOLLOW_WAIT_MS),
            ..OutputQuery::default()
        };
        let started = tokio::time::Instant::now();
        let raw = match client.read_output_raw(id, &query).await {
            Ok(raw) => raw,
            Err(error) if error.is_unavailable() => {
                tokio::time::sleep(RETRY).await;
                continue;
            }
            Err(error) => {
                let _ = tx
                    .send(Msg::OutputFailed {
                        generation,
                        error: error.to_string(),
                    })
                    .await;
                return;
            }
        };
        let behind = raw.total_bytes.saturating_sub(raw.next_cursor);
        if behind > WINDOW_CAP_BYTES as u64 && !skipped {
            cursor = raw.total_bytes.saturating_sub(INITIAL_TAIL_BYTES);
            skipped = true;
            continue;
        }
        skipped = false;
        let (requested, eof, full) = (cursor, raw.eof, raw.truncated);
        cursor = raw.next_cursor;
        let mut answer = chunk(raw, requested, ReadPurpose::Follow, generation);
        if tty {
            answer.screen = client
                .read_screen(id)
                .await
                .ok()
                .map(|read| read.screen.lines);
        }
        if tx.send(Msg::Output(answer)).await.is_err() || eof {
            return;
        }
        if full {
            tokio::time::sleep_until(started + FOLLOW_PACE).await;
        }
    }
}

fn chunk(raw: RawOutput, requested: u64, purpose: ReadPurpose, generation: u64) -> OutputChunk {
    OutputChunk {
        generation,
        purpose,
        requested,
        cursor: raw.cursor,
        data: raw.data,
        total_bytes: raw.total_bytes,
        dropped_bytes: raw.dropped_bytes,
        eof: raw.eof,
        screen: None,
    }
}
