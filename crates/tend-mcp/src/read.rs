//! Output reads that never answer more than `max_bytes` of data.
//!
//! Plain and tail reads are bounded by the daemon. A grep read stops after the line that
//! reaches `max_bytes`, so it may pass it by most of one line: such a read is asked again with
//! a smaller budget (same cursor, so the same lines), and only a single line longer than the
//! budget is cut.

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
