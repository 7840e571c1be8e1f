//! Output reads that never answer more than `max_bytes` of data.
//!
//! A read of a task's output from its start that holds more than `max_bytes` is shown as its
//! head and its tail ([`head_and_tail`]): the first quarter of the budget and the last three
//! quarters, both cut at line ends, so that a finished task's answer ends with its last line.
//!
//! Plain and tail reads are bounded by the daemon. A grep read stops after the line that
//! reaches `max_bytes`, so it may pass it by most of one line: such a read is asked again with
//! a smaller budget (same cursor, so the same lines), and only a single line longer than the
//! budget is cut.

use serde::Serialize;
use tend_client::{Client, ClientError};
use tend_core::TaskId;
use tend_proto::{OutputQuery, OutputRead};

/// How many times a grep read is asked again with a smaller budget.
const GREP_RETRIES: usize = 3;

/// Reads `query` from task `id`, with at most `query.max_bytes` bytes of data.
pub(crate) async fn read_bounded(
    client: &Client,
    id: TaskId,
    query: &OutputQuery,
) -> Result<OutputRead, ClientError> {
    let max_bytes = query.max_bytes;
    let mut read = client.read_output(id, query).await?;
    if query.grep.is_some() {
        let mut budget = max_bytes;
        for _ in 0..GREP_RETRIES {
            let over = len(&read).saturating_sub(max_bytes);
            if over == 0 || budget <= 1 {
                break;
            }
            budget = budget.saturating_sub(over).max(1);
            read = client
                .read_output(
                    id,
                    &OutputQuery {
                        max_bytes: budget,
                        ..query.clone()
                    },
                )
                .await?;
        }
    }
    Ok(bound(read, max_bytes))
}

/// Cuts `read.data` to at most `max_bytes` bytes on a character boundary. A plain read that is
/// cut continues right after what it kept.
pub(crate) fn bound(mut read: OutputRead, max_bytes: u64) -> OutputRead {
    if len(&read) <= max_bytes {
        return read;
    }
    let limit = usize::try_from(max_bytes).unwrap_or(usize::MAX);
    let keep = read.data.floor_char_boundary(limit);
    let contiguous = read.cursor + len(&read) == read.next_cursor;
    read.data.truncate(keep);
    if contiguous {
        read.next_cursor = read.cursor + keep as u64;
    }
    read.truncated = true;
    read.eof = false;
    read
}

fn len(read: &OutputRead) -> u64 {
    read.data.len() as u64
}

/// The end of a task's output shown after its head when the middle is left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Tail {
    /// Offset of the tail's first byte (the start of a line).
    pub cursor: u64,
    /// The cursor after the tail: where new output would come.
    pub next_cursor: u64,
    /// Bytes in the stream when the tail was read.
    pub total_bytes: u64,
    /// True when the task is terminal and the tail reaches the end of its output.
    pub eof: bool,
    /// The tail's bytes as UTF-8.
    pub data: String,
}

/// What an answer shows of a task's output: a read, and when its middle is left out, the
/// tail after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shown {
    /// The read; with a tail, only its head (`next_cursor` is where the middle starts).
    pub head: OutputRead,
    /// The end of the output, when the middle is left out.
    pub tail: Option<Tail>,
}

impl Shown {
    /// Bytes between the head and the tail, not shown.
    pub(crate) fn left_out(&self) -> u64 {
        self.tail
            .as_ref()
            .map_or(0, |tail| tail.cursor.saturating_sub(self.head.next_cursor))
    }

    /// The JSON of the read, with the tail and what lies between when the middle is left out.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(&self.head).unwrap_or_default();
        if let (Some(tail), Some(object)) = (&self.tail, value.as_object_mut()) {
            object.insert(
                "left_out".to_owned(),
                serde_json::json!({"cursor": self.head.next_cursor, "bytes": self.left_out()}),
            );
            object.insert(
                "tail".to_owned(),
                serde_json::to_value(tail).unwrap_or_default(),
            );
        }
        value
    }
}

/// Shows `first`, a read of task `id` with `max_bytes`, whole when it fits, else as its head
/// (the first quarter of `max_bytes`, cut at the end of a line) and its tail (the last bytes up
/// to the rest of the budget, starting at a line start), read from the daemon.
pub(crate) async fn head_and_tail(
    client: &Client,
    id: TaskId,
    first: OutputRead,
    max_bytes: u64,
) -> Result<Shown, ClientError> {
    let contiguous = first.cursor + len(&first) == first.next_cursor;
    let more = first.next_cursor < first.total_bytes || len(&first) > max_bytes;
    if !more || !contiguous || max_bytes < 8 {
        return Ok(Shown {
            head: bound(first, max_bytes),
            tail: None,
        });
    }
    let mut head = first;
    let quarter = usize::try_from(max_bytes / 4).unwrap_or(usize::MAX);
    let limit = head.data.floor_char_boundary(quarter.min(head.data.len()));
    let keep = match head.data[..limit].rfind('\n') {
        Some(newline) => newline + 1,
        None => limit,
    };
    head.data.truncate(keep);
    head.next_cursor = head.cursor + keep as u64;
    head.truncated = true;
    head.eof = false;
    let budget = max_bytes - keep as u64;
    let total = head.total_bytes;
    let start = total.saturating_sub(budget).max(head.next_cursor);
    // One byte before the tail tells whether it starts at a line start.
    let from = start.saturating_sub(1).max(head.next_cursor);
    let read = client
        .read_output(
            id,
            &OutputQuery {
                cursor: from,
                max_bytes: budget + (start - from),
                ..OutputQuery::default()
            },
        )
        .await?;
    let data = if from == head.next_cursor && from == start {
        read.data.as_str()
    } else if let Some(newline) = read.data.find('\n') {
        &read.data[newline + 1..]
    } else {
        let first = read.data.chars().next().map_or(0, char::len_utf8);
        &read.data[first..]
    };
    let data = data.to_owned();
    let tail = Tail {
        cursor: read.next_cursor - data.len() as u64,
        next_cursor: read.next_cursor,
        total_bytes: read.total_bytes,
        eof: read.eof,
        data,
    };
    head.state = read.state;
    head.total_bytes = read.total_bytes;
    if tail.cursor <= head.next_cursor {
        // Nothing between them: one read after all.
        head.data.push_str(&tail.data);
        head.next_cursor = tail.next_cursor;
        head.truncated = read.truncated;
        head.eof = read.eof;
        return Ok(Shown { head, tail: None });
    }
    Ok(Shown {
        head,
        tail: Some(tail),
    })
}

#[cfg(test)]
mod tests {
    use tend_core::State;

    use super::*;

    #[test]
    fn long_data_is_cut_on_a_character_boundary() {
        let read = OutputRead {
            task_id: TaskId::new(1),
            state: State::Completed,
            data: "aé€".into(),
            cursor: 10,
            next_cursor: 16,
            total_bytes: 16,
            dropped_bytes: 0,
            truncated: false,
            eof: true,
        };
        let cut = bound(read.clone(), 4);
        assert_eq!(cut.data, "aé");
        assert_eq!((cut.next_cursor, cut.truncated, cut.eof), (13, true, false));
        assert_eq!(bound(read.clone(), 6), read);
    }
}
