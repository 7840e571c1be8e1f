//! Copies a task's output to this process's stdout or stderr as it is written, until the task
//! ends or a deadline passes (`run --wait`, `run --yield`, `logs -f`).

use std::time::Duration;

use tend_client::{Client, FOLLOW_POLL, OutputFollower};
use tend_core::TaskId;
use tend_proto::{OutputQuery, OutputStream};
use tokio::time::Instant;

use crate::output;

/// The most bytes one read of `copy_task` asks for.
const COPY_READ_BYTES: u64 = 1 << 20;

/// Where followed bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    /// This process's stdout.
    Stdout,
    /// This process's stderr.
    Stderr,
}

/// How a copy ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    /// The task ended and everything was copied.
    pub done: bool,
    /// The last byte copied was a newline, or nothing was copied.
    pub at_line_start: bool,
    /// Bytes copied.
    pub bytes: u64,
}

/// Copies the output of task `id` read with `query` to `sink` until the end (`deadline`
/// `None`) or until `deadline`.
pub async fn copy(
    client: &Client,
    id: TaskId,
    query: OutputQuery,
    sink: Sink,
    deadline: Option<Instant>,
) -> anyhow::Result<Copied> {
    let mut follower = OutputFollower::new(id, query);
    let mut at_line_start = true;
    let mut bytes = 0;
    loop {
        if follower.is_done() {
            return Ok(Copied {
                done: true,
                at_line_start,
                bytes,
            });
        }
        let wait = match deadline {
            None => FOLLOW_POLL,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(Copied {
                        done: false,
                        at_line_start,
                        bytes,
                    });
                }
                left.min(FOLLOW_POLL).max(Duration::from_millis(1))
            }
        };
        let Some(chunk) = follower.next(client, wait).await? else {
            return Ok(Copied {
                done: true,
                at_line_start,
                bytes,
            });
        };
        if !chunk.data.is_empty() {
            match sink {
                Sink::Stdout => output::bytes(&chunk.data)?,
                Sink::Stderr => output::stderr_bytes(&chunk.data)?,
            }
            at_line_start = chunk.data.ends_with(b"\n");
            bytes += chunk.data.len() as u64;
        }
    }
}

/// Copies the task's main stream to stdout and, with `separate_stderr`, its stderr stream to
/// stderr, both at once.
pub async fn copy_task(
    client: &Client,
    id: TaskId,
    separate_stderr: bool,
    deadline: Option<Instant>,
) -> anyhow::Result<Copied> {
    let main = OutputQuery {
        max_bytes: COPY_READ_BYTES,
        ..OutputQuery::default()
    };
    let stdout = copy(client, id, main.clone(), Sink::Stdout, deadline);
    if !separate_stderr {
        return stdout.await;
    }
    let query = OutputQuery {
        stream: OutputStream::Stderr,
        ..main
    };
    let stderr = copy(client, id, query, Sink::Stderr, deadline);
    let (stdout, stderr) = tokio::try_join!(stdout, stderr)?;
    Ok(Copied {
        done: stdout.done && stderr.done,
        at_line_start: stdout.at_line_start,
        bytes: stdout.bytes + stderr.bytes,
    })
}
