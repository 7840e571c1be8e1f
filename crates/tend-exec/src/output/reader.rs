//! Reads a stream from its files, from any process, while the shim writes or after it ended.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::segments::Snapshot;
use super::utf8::{self, First};
use super::{GrepResult, Growth, OutputChunk, OutputCounters, ReadError, Stream};
use crate::status::STATUS_FILE;

/// A reader of one stream of one task directory. Cheap to create; holds no open file.
#[derive(Debug, Clone)]
pub struct OutputReader {
    pub(super) task_dir: PathBuf,
    pub(super) dir: PathBuf,
    assume_complete: bool,
}

impl OutputReader {
    /// A reader of `stream` in `task_dir`. A stream that does not exist yet reads as empty.
    pub fn new(task_dir: impl Into<PathBuf>, stream: Stream) -> Self {
        let task_dir = task_dir.into();
        let dir = task_dir.join(stream.dir_name());
        Self {
            task_dir,
            dir,
            assume_complete: false,
        }
    }

    /// Treats the stream as complete even without `status.json` (for a task whose shim
    /// vanished): an incomplete character at its end is then returned instead of held back.
    pub fn assume_complete(mut self, complete: bool) -> Self {
        self.assume_complete = complete;
        self
    }

    /// The stream's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// True when no more bytes will be written: the shim wrote `status.json`.
    pub fn is_complete(&self) -> bool {
        self.assume_complete || self.task_dir.join(STATUS_FILE).exists()
    }

    pub(super) fn snapshot(&self) -> Result<Snapshot, ReadError> {
        Snapshot::take(&self.dir).map_err(|e| self.io_error(e))
    }

    pub(super) fn io_error(&self, source: std::io::Error) -> ReadError {
        ReadError::Io {
            path: self.dir.clone(),
            source,
        }
    }

    /// Total and dropped bytes now.
    pub fn counters(&self) -> Result<OutputCounters, ReadError> {
        let snap = self.snapshot()?;
        Ok(OutputCounters {
            total_bytes: snap.total(),
            dropped_bytes: snap.dropped(),
        })
    }

    /// Reads up to `max_bytes` from `cursor`, ending on a character boundary (see the
    /// [module docs](super) for the rules). Stops at the dropped middle; the next read skips it.
    pub fn read(&self, cursor: u64, max_bytes: usize) -> Result<OutputChunk, ReadError> {
        self.read_inner(cursor, max_bytes, true)
    }

    /// Reads up to `max_bytes` raw bytes from `cursor`, with no regard for characters.
    pub fn read_raw(&self, cursor: u64, max_bytes: usize) -> Result<OutputChunk, ReadError> {
        self.read_inner(cursor, max_bytes, false)
    }

    fn read_inner(
        &self,
        cursor: u64,
        max_bytes: usize,
        text: bool,
    ) -> Result<OutputChunk, ReadError> {
        // Completeness is checked before the snapshot, so a complete stream's snapshot is final.
        let complete = self.is_complete();
        let snap = self.snapshot()?;
        let total = snap.total();
        let start = snap.land(cursor);
        let run_end = snap.run_end(start);
        let want = (run_end - start).min(max_bytes as u64);
        let mut data = snap.read_range(start, want).map_err(|e| self.io_error(e))?;
        let followed = start + want < total || !complete;
        if text && followed && !data.is_empty() {
            let keep = data.len() - utf8::incomplete_suffix(&data);
            if keep > 0 {
                data.truncate(keep);
            } else {
                // The chunk holds only the start of one character: return that character
                // whole if it is there, so that reads always make progress.
                let peek_len = (run_end - start).min(4);
                let peek = snap
                    .read_range(start, peek_len)
                    .map_err(|e| self.io_error(e))?;
                data = match utf8::first_char(&peek) {
                    First::Char(n) | First::Invalid(n) => peek[..n].to_vec(),
                    First::Incomplete if run_end < total || complete => peek,
                    First::Incomplete => Vec::new(),
                };
            }
        }
        let next_cursor = start + data.len() as u64;
        Ok(OutputChunk {
            data,
            cursor: start,
            next_cursor,
            total_bytes: total,
            dropped_bytes: snap.dropped(),
            skipped_bytes: start.saturating_sub(cursor),
            truncated: next_cursor < total,
        })
    }

    /// The last `lines` lines (at most `max_bytes` of them, cut at a character boundary);
    /// `next_cursor` is the end of the stream. Lines before the dropped middle are not included.
    pub fn tail(&self, lines: usize, max_bytes: usize) -> Result<OutputChunk, ReadError> {
        super::tail::tail(self, lines, max_bytes)
    }

    /// Lines matching the regular expression `pattern`, scanning from `cursor`, until
    /// `max_bytes` of matching lines were found or the scan reached the end.
    pub fn grep(
        &self,
        pattern: &str,
        cursor: u64,
        max_bytes: usize,
    ) -> Result<GrepResult, ReadError> {
        super::grep::grep(self, pattern, cursor, max_bytes, 0)
    }

    /// Like [`OutputReader::grep`], with up to `context` lines before and after each matching
    /// line (like `grep -C`), each answered once; context lines are marked `matched: false`.
    /// Context lines count against `max_bytes`, and so does a `--` line (3 bytes) before each
    /// group of lines that does not start where the previous one ended; a match is answered
    /// with the lines before it or left for the next read.
    pub fn grep_context(
        &self,
        pattern: &str,
        cursor: u64,
        max_bytes: usize,
        context: usize,
    ) -> Result<GrepResult, ReadError> {
        super::grep::grep(self, pattern, cursor, max_bytes, context)
    }

    /// Waits until the stream holds bytes past `cursor`, the task finished, or `timeout` passed.
    /// Uses inotify on the stream and task directories: no polling loop.
    pub fn wait_for_growth(&self, cursor: u64, timeout: Duration) -> Result<Growth, ReadError> {
        super::wait::wait_for_growth(self, cursor, timeout)
    }
}
