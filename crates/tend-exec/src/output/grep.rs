//! Lines of a stream that match a regular expression.

use regex::bytes::Regex;

use super::reader::OutputReader;
use super::{GrepLine, GrepResult, ReadError};

/// Bytes read per step of the scan.
const BLOCK: u64 = 1 << 20;
/// Longest part of one line that is matched and returned.
const MAX_LINE: usize = 1 << 20;

/// A line being assembled across blocks.
struct Line {
    offset: u64,
    bytes: Vec<u8>,
}

/// See [`OutputReader::grep`].
pub(super) fn grep(
    reader: &OutputReader,
    pattern: &str,
    cursor: u64,
    max_bytes: usize,
) -> Result<GrepResult, ReadError> {
    let regex = Regex::new(pattern).map_err(|source| ReadError::Pattern {
        pattern: pattern.to_owned(),
        source,
    })?;
    let complete = reader.is_complete();
    let snap = reader.snapshot()?;
    let total = snap.total();
    let start = snap.land(cursor);
    let mut result = GrepResult {
        lines: Vec::new(),
        cursor: start,
        next_cursor: start,
        total_bytes: total,
        dropped_bytes: snap.dropped(),
        skipped_bytes: start.saturating_sub(cursor),
        truncated: false,
    };
    let mut used = 0usize;
    let mut line = Line {
        offset: start,
        bytes: Vec::new(),
    };
    // Returns true when `max_bytes` of matches were collected. Each line costs its bytes and a
    // newline; a matching line that does not fit is left for the next read (the cursor stays at
    // its start), unless it is the first, which is then cut to fit.
    let mut take = |line: &Line, result: &mut GrepResult, end: u64| -> bool {
        if regex.is_match(&line.bytes) {
            let cost = line.bytes.len() + 1;
            if used + cost > max_bytes && !result.lines.is_empty() {
                result.truncated = true;
                return true;
            }
            let mut text = String::from_utf8_lossy(&line.bytes).into_owned();
            let room = max_bytes.saturating_sub(1).max(1);
            if text.len() > room {
                let mut cut = room;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut.max(text.chars().next().map_or(0, char::len_utf8)));
            }
            used += text.len() + 1;
            result.lines.push(GrepLine {
                offset: line.offset,
                text,
            });
        }
        result.next_cursor = end;
        used >= max_bytes
    };
    let mut pos = start;
    while pos < total {
        let run_end = snap.run_end(pos);
        let block_end = run_end.min(pos + BLOCK);
        let block = snap
            .read_range(pos, block_end - pos)
            .map_err(|e| reader.io_error(e))?;
        let mut line_begin = 0;
        for newline in memchr::memchr_iter(b'\n', &block) {
            append(&mut line.bytes, &block[line_begin..newline]);
            let end = pos + newline as u64 + 1;
            if take(&line, &mut result, end) {
                result.truncated |= end < total;
                return Ok(result);
            }
            line = Line {
                offset: end,
                bytes: Vec::new(),
            };
            line_begin = newline + 1;
        }
        append(&mut line.bytes, &block[line_begin..]);
        pos = block_end;
        if pos == run_end && run_end < total {
            // The dropped middle ends the line; scanning goes on at the next kept byte.
            if pos > line.offset && take(&line, &mut result, pos) {
                result.truncated = true;
                return Ok(result);
            }
            let next = snap.land(pos);
            result.skipped_bytes += next - pos;
            pos = next;
            result.next_cursor = pos;
            line = Line {
                offset: pos,
                bytes: Vec::new(),
            };
        }
    }
    if complete && pos > line.offset {
        take(&line, &mut result, pos);
    }
    Ok(result)
}

fn append(line: &mut Vec<u8>, bytes: &[u8]) {
    let room = MAX_LINE.saturating_sub(line.len());
    line.extend_from_slice(&bytes[..bytes.len().min(room)]);
}
