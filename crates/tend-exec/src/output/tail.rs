//! The last lines of a stream.

use super::reader::OutputReader;
use super::utf8;
use super::{OutputChunk, ReadError};

/// See [`OutputReader::tail`].
pub(super) fn tail(
    reader: &OutputReader,
    lines: usize,
    max_bytes: usize,
) -> Result<OutputChunk, ReadError> {
    let complete = reader.is_complete();
    let snap = reader.snapshot()?;
    let total = snap.total();
    let dropped = snap.dropped();
    let empty = |at: u64| OutputChunk {
        data: Vec::new(),
        cursor: at,
        next_cursor: at,
        total_bytes: total,
        dropped_bytes: dropped,
        skipped_bytes: 0,
        truncated: false,
    };
    if total == 0 || lines == 0 {
        return Ok(empty(total));
    }
    let run_start = snap.run_start(total - 1);
    let mut end = total;
    if !complete {
        let last = snap
            .read_range(end - (end - run_start).min(3), (end - run_start).min(3))
            .map_err(|e| reader.io_error(e))?;
        end -= utf8::incomplete_suffix(&last) as u64;
    }
    // Read back at most `max_bytes + 1` bytes: one more tells whether a line starts there.
    let limit = run_start.max(end.saturating_sub(max_bytes as u64 + 1));
    let window = snap
        .read_range(limit, end - limit)
        .map_err(|e| reader.io_error(e))?;
    let body = match window.last() {
        Some(b'\n') => &window[..window.len() - 1],
        _ => &window[..],
    };
    let mut start = memchr::memrchr_iter(b'\n', body)
        .nth(lines - 1)
        .map(|i| limit + i as u64 + 1);
    let mut truncated = false;
    if start.is_none() {
        start = Some(limit);
        truncated = limit > run_start;
    }
    let mut start = start.unwrap_or(limit);
    if end - start > max_bytes as u64 {
        start = end - max_bytes as u64;
        truncated = true;
    }
    if truncated {
        let mut moved = 0;
        while start < end && moved < 3 && utf8::is_continuation(window[(start - limit) as usize]) {
            start += 1;
            moved += 1;
        }
    }
    let data = window[(start - limit) as usize..].to_vec();
    Ok(OutputChunk {
        data,
        cursor: start,
        next_cursor: end,
        total_bytes: total,
        dropped_bytes: dropped,
        skipped_bytes: 0,
        truncated,
    })
}
