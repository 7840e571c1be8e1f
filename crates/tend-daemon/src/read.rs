//! Output reads from a task's files (blocking: run them on the blocking pool).

use std::path::PathBuf;

use tend_exec::{OutputReader, ReadError, Stream};
use tend_proto::{OutputQuery, OutputStream};

/// What one read found, before it is shaped as JSON or raw bytes.
#[derive(Debug)]
pub(crate) struct Chunk {
    pub data: Vec<u8>,
    pub cursor: u64,
    pub next_cursor: u64,
    pub total_bytes: u64,
    pub dropped_bytes: u64,
    pub truncated: bool,
}

/// The stream a query asks for.
pub(crate) fn stream_of(query: &OutputQuery) -> Stream {
    match query.stream {
        OutputStream::Combined => Stream::Main,
        OutputStream::Stderr => Stream::Stderr,
    }
}

/// Reads what `query` asks for from `task_dir`. `complete` says the task is terminal, so an
/// incomplete character at the end of the stream is returned rather than held back. `text`
/// keeps plain reads on character boundaries (JSON answers); raw answers take bytes as they are.
pub(crate) fn read(
    task_dir: PathBuf,
    query: &OutputQuery,
    complete: bool,
    text: bool,
) -> Result<Chunk, ReadError> {
    let reader = OutputReader::new(task_dir, stream_of(query)).assume_complete(complete);
    let max_bytes = usize::try_from(query.max_bytes).unwrap_or(usize::MAX);
    if let Some(pattern) = &query.grep {
        let context = query
            .context
            .map_or(0, |lines| usize::try_from(lines).unwrap_or(usize::MAX));
        let found = reader.grep_context(pattern, query.cursor, max_bytes, context)?;
        let mut data = Vec::new();
        let mut previous_end = None;
        for line in &found.lines {
            // With context, groups of lines that do not touch are separated like `grep -C`.
            if context > 0 && previous_end.is_some_and(|end| end != line.offset) {
                data.extend_from_slice(b"--\n");
            }
            previous_end = Some(line.end);
            data.extend_from_slice(line.text.as_bytes());
            data.push(b'\n');
        }
        return Ok(Chunk {
            data,
            cursor: found.cursor,
            next_cursor: found.next_cursor,
            total_bytes: found.total_bytes,
            dropped_bytes: found.dropped_bytes,
            truncated: found.truncated,
        });
    }
    let chunk = match query.tail_lines {
        Some(lines) => reader.tail(usize::try_from(lines).unwrap_or(usize::MAX), max_bytes)?,
        None if text => reader.read(query.cursor, max_bytes)?,
        None => reader.read_raw(query.cursor, max_bytes)?,
    };
    Ok(Chunk {
        data: chunk.data,
        cursor: chunk.cursor,
        next_cursor: chunk.next_cursor,
        total_bytes: chunk.total_bytes,
        dropped_bytes: chunk.dropped_bytes,
        truncated: chunk.truncated,
    })
}
