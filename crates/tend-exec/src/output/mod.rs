//! Output streams on disk: the segment layout, the shim's writer and the reader.
//!
//! # Layout
//!
//! A stream is a directory (`out/` for the main stream, `err/` for separate stderr) of segment
//! files, each named by the logical offset of its first byte in 20 decimal digits
//! (`00000000000000000000`). The shim writes the first `head_bytes` of the stream to the head
//! segment (offset 0), then appends to tail segments of a fixed size (an eighth of the tail
//! budget `cap_bytes - head_bytes`, between 64 KiB and 8 MiB). When the tail segments together
//! hold more than the tail budget, the oldest ones are deleted. Therefore:
//!
//! - `total_bytes` is the start of the last segment plus its length, and
//!   `dropped_bytes` is the sum of the gaps between segments (the dropped middle);
//!   both can be derived by any process at any moment, with no counter file to keep in sync;
//! - the kept tail is between `tail budget - segment size` and the tail budget (the newest
//!   segment is never deleted, so with a tail budget under 64 KiB up to 64 KiB are kept);
//! - bytes reach the files as soon as the shim reads them from the pipe (no buffering in the
//!   shim), so a reader sees output while the command runs and nothing is lost at exit; the
//!   shim's memory does not grow with the output.
//!
//! # Reading
//!
//! [`OutputReader`] takes a consistent snapshot of the segments for each call (it opens them
//! all, so a segment deleted during the read is still read whole). Reading the same kept range
//! twice returns the same bytes. Text reads never end inside a UTF-8 character; a cursor in the
//! dropped middle lands on the first kept byte after it. When `max_bytes` is smaller than the
//! first character (at most 4 bytes), that whole character is returned, so reads always make
//! progress. A stream is *complete* once `status.json` exists (or when the caller says so with
//! [`OutputReader::assume_complete`]): until then an incomplete character at the end of the
//! stream is held back, since its other bytes may still come.

mod grep;
mod reader;
pub(crate) mod segments;
mod tail;
mod utf8;
mod wait;
pub(crate) mod writer;

use std::borrow::Cow;
use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use reader::OutputReader;

/// Which stream of a task to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Stream {
    /// The main stream: stdout and stderr combined, or stdout alone with separate stderr.
    #[default]
    Main,
    /// The stderr stream (only written with [`crate::StderrMode::Separate`]).
    Stderr,
}

impl Stream {
    /// Name of the stream's directory inside the task directory.
    pub fn dir_name(self) -> &'static str {
        match self {
            Stream::Main => "out",
            Stream::Stderr => "err",
        }
    }
}

/// Size counters of one stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputCounters {
    /// Bytes the command wrote to the stream so far.
    pub total_bytes: u64,
    /// Bytes of the dropped middle (written but not kept).
    pub dropped_bytes: u64,
}

/// One answer of [`OutputReader::read`], [`OutputReader::read_raw`] or [`OutputReader::tail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputChunk {
    /// The bytes, exactly as the command wrote them.
    pub data: Vec<u8>,
    /// Offset of the first byte of `data` (the requested cursor, moved past a dropped range).
    pub cursor: u64,
    /// Offset just after `data`: the cursor for the next read.
    pub next_cursor: u64,
    /// Bytes in the stream when the read was made.
    pub total_bytes: u64,
    /// Bytes of the stream's dropped middle.
    pub dropped_bytes: u64,
    /// Bytes this read skipped because the requested cursor lay in the dropped middle.
    pub skipped_bytes: u64,
    /// True when more bytes lay past `next_cursor` (`max_bytes` cut the answer).
    pub truncated: bool,
}

impl OutputChunk {
    /// `data` as text, invalid sequences replaced by U+FFFD.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.data)
    }
}

/// One line of [`OutputReader::grep`]: a matching line, or with
/// [`OutputReader::grep_context`] a line of context around one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrepLine {
    /// Offset of the line's first byte.
    pub offset: u64,
    /// Offset just past the line (after its newline): where the next line starts.
    pub end: u64,
    /// The line without its newline (lossy UTF-8; lines over 1 MiB are cut to 1 MiB).
    pub text: String,
    /// True for a line that matches, false for a line of context.
    pub matched: bool,
}

/// The answer of [`OutputReader::grep`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrepResult {
    /// Matching lines (and their context lines) in stream order.
    pub lines: Vec<GrepLine>,
    /// Where scanning started (the cursor, moved past a dropped range).
    pub cursor: u64,
    /// Where the next scan should start: after the last line scanned. A final line without
    /// newline is scanned only once the stream is complete.
    pub next_cursor: u64,
    /// Bytes in the stream when the scan was made.
    pub total_bytes: u64,
    /// Bytes of the stream's dropped middle.
    pub dropped_bytes: u64,
    /// Bytes skipped because the cursor or the scan crossed the dropped middle.
    pub skipped_bytes: u64,
    /// True when `max_bytes` of matching lines stopped the scan early.
    pub truncated: bool,
}

/// How [`OutputReader::wait_for_growth`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Growth {
    /// The stream holds bytes past the cursor.
    Grew,
    /// The task finished and the stream does not grow past the cursor.
    Finished,
    /// The deadline passed first.
    TimedOut,
}

/// An output read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A stream file or directory could not be read.
    #[error("cannot read output in {path}: {source}")]
    Io {
        /// The stream directory.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The grep pattern is not a valid regular expression.
    #[error("invalid pattern {pattern:?}: {source}")]
    Pattern {
        /// The pattern as given.
        pattern: String,
        /// Why it is invalid.
        source: regex::Error,
    },
    /// The stream directory could not be watched for growth.
    #[error("cannot watch output in {path}: {source}")]
    Watch {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

impl ReadError {
    /// True when the caller's input was at fault (a bad pattern), not the files.
    pub fn is_invalid_argument(&self) -> bool {
        matches!(self, ReadError::Pattern { .. })
    }
}
