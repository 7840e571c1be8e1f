//! Lines of a stream that match a regular expression.

use std::collections::VecDeque;

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

/// A line kept as context before a match that may come.
struct Held {
    offset: u64,
    end: u64,
    bytes: Vec<u8>,
}

/// The lines collected so far and the budget they use.
struct Collect {
    regex: Regex,
    context: usize,
    max_bytes: usize,
    used: usize,
    /// Up to `context` lines before the next match, not yet answered.
    before: VecDeque<Held>,
    /// Context lines still to answer after the last match.
    after: usize,
    /// Where the last answered line ends: with context, a line that does not start there
    /// begins a new group, and the `--` line between groups counts against the budget.
    last_end: Option<u64>,
}

/// The bytes of the line between two groups of lines with context: `--` and a newline.
const SEPARATOR: usize = 3;

impl Collect {
    /// The cost of a line in the answer: its bytes and a newline.
    fn cost(bytes: &[u8]) -> usize {
        bytes.len() + 1
    }

    fn push(
        &mut self,
        result: &mut GrepResult,
        offset: u64,
        end: u64,
        bytes: &[u8],
        matched: bool,
    ) {
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        if matched && result.lines.is_empty() {
            let room = self.max_bytes.saturating_sub(1).max(1);
            if text.len() > room {
                let mut cut = room;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut.max(text.chars().next().map_or(0, char::len_utf8)));
            }
        }
        if self.context > 0 && self.last_end.is_some_and(|last| last != offset) {
            self.used += SEPARATOR;
        }
        self.last_end = Some(end);
        self.used += text.len() + 1;
        result.lines.push(GrepLine {
            offset,
            end,
            text,
            matched,
        });
    }

    /// Takes the line `bytes` at `offset..end`. Returns true when `max_bytes` of lines were
    /// collected. A matching line (with the context before it) that does not fit is left for
    /// the next read (the cursor stays at its first line), unless nothing was answered yet:
    /// the match is then cut to fit.
    fn take(&mut self, result: &mut GrepResult, offset: u64, end: u64, bytes: &[u8]) -> bool {
        if self.regex.is_match(bytes) {
            let held = |before: &VecDeque<Held>| -> usize {
                before.iter().map(|line| Self::cost(&line.bytes)).sum()
            };
            let max_bytes = self.max_bytes;
            let (context, last_end) = (self.context, self.last_end);
            let fits = |before: &VecDeque<Held>, used: usize| {
                let first = before.front().map_or(offset, |line| line.offset);
                let separator = if context > 0 && last_end.is_some_and(|last| last != first) {
                    SEPARATOR
                } else {
                    0
                };
                used + separator + held(before) + Self::cost(bytes) <= max_bytes
            };
            if !fits(&self.before, self.used) {
                if !result.lines.is_empty() {
                    result.truncated = true;
                    if let Some(first) = self.before.front() {
                        result.next_cursor = first.offset;
                    }
                    return true;
                }
                // The first match of the answer: fewer lines before it rather than none of it.
                while !self.before.is_empty() && !fits(&self.before, self.used) {
                    self.before.pop_front();
                }
            }
            for line in std::mem::take(&mut self.before) {
                self.push(result, line.offset, line.end, &line.bytes, false);
            }
            self.push(result, offset, end, bytes, true);
            self.after = self.context;
        } else if self.after > 0 {
            if self.used + Self::cost(bytes) > self.max_bytes {
                result.truncated = true;
                return true;
            }
            self.after -= 1;
            self.push(result, offset, end, bytes, false);
        } else if self.context > 0 {
            if self.before.len() == self.context {
                self.before.pop_front();
            }
            self.before.push_back(Held {
                offset,
                end,
                bytes: bytes.to_vec(),
            });
        }
        result.next_cursor = end;
        self.used >= self.max_bytes
    }

    /// A gap in the stream (its dropped middle): context does not reach across it.
    fn gap(&mut self) {
        self.before.clear();
        self.after = 0;
    }
}

/// See [`OutputReader::grep_context`].
pub(super) fn grep(
    reader: &OutputReader,
    pattern: &str,
    cursor: u64,
    max_bytes: usize,
    context: usize,
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
    let mut collect = Collect {
        regex,
        context,
        max_bytes,
        used: 0,
        before: VecDeque::new(),
        after: 0,
        last_end: None,
    };
    let mut line = Line {
        offset: start,
        bytes: Vec::new(),
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
            if collect.take(&mut result, line.offset, end, &line.bytes) {
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
            if pos > line.offset && collect.take(&mut result, line.offset, pos, &line.bytes) {
                result.truncated = true;
                return Ok(result);
            }
            collect.gap();
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
        collect.take(&mut result, line.offset, pos, &line.bytes);
    }
    Ok(result)
}

fn append(line: &mut Vec<u8>, bytes: &[u8]) {
    let room = MAX_LINE.saturating_sub(line.len());
    line.extend_from_slice(&bytes[..bytes.len().min(room)]);
}
