//! `render=screen`: a task's output fed through a terminal emulator (`vt100`).
//!
//! The emulator reads the stored stream. When the output cap dropped the middle of the stream,
//! only the kept tail is emulated (the head is skipped): the screen then misses what the
//! dropped bytes and the head drew and did not redraw later (a full-screen program's lines
//! that stayed unchanged since, modes such as the alternate screen set before the tail). A
//! checkpoint per task (the emulator and the offset it reached) is kept for the tasks read
//! most recently, so that a repeated read emulates only the bytes written since the last one.
//! A resize applies the new size to the emulator at the next read (the stream does not record
//! when it happened).

use std::collections::HashMap;
use std::num::NonZeroU16;
use std::path::PathBuf;
use std::sync::Mutex;

use tend_core::TaskId;
use tend_exec::{OutputReader, ReadError, Stream};
use tend_proto::{Screen, ScreenCursor};

/// Tasks whose emulator is kept between reads.
const CHECKPOINTS: usize = 16;
/// Bytes fed to the emulator at once.
const FEED_BYTES: usize = 1 << 20;

struct Checkpoint {
    parser: vt100::Parser,
    /// The stream offset the emulator has consumed up to.
    offset: u64,
    /// When it was last used (for eviction).
    used: u64,
}

/// The emulators kept between reads, one per task, the most recently used ones.
#[derive(Default)]
pub(crate) struct ScreenCache {
    entries: Mutex<(u64, HashMap<TaskId, Checkpoint>)>,
}

impl std::fmt::Debug for ScreenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScreenCache").finish_non_exhaustive()
    }
}

impl ScreenCache {
    /// The screen of task `id` (output in `dir`) at `rows` x `cols`, after every byte so far.
    pub(crate) fn render(
        &self,
        id: TaskId,
        dir: PathBuf,
        rows: u16,
        cols: u16,
    ) -> Result<(Screen, u64), ReadError> {
        let (rows_nz, cols_nz) = (nonzero(rows), nonzero(cols));
        let taken = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .1
            .remove(&id);
        let (mut parser, mut offset) = match taken {
            Some(checkpoint) => (checkpoint.parser, checkpoint.offset),
            None => (vt100::Parser::new(rows_nz, cols_nz, 0), 0),
        };
        if parser.screen().size() != (rows_nz, cols_nz) {
            parser.set_size(rows_nz, cols_nz);
        }
        let started = dir.is_dir();
        let reader = OutputReader::new(dir, Stream::Main);
        let mut total = if started {
            reader.counters()?.total_bytes
        } else {
            0
        };
        while offset < total {
            let chunk = reader.read_raw(offset, FEED_BYTES)?;
            if chunk.skipped_bytes > 0 {
                // The bytes up to here are dropped or lie before the kept tail: emulate the
                // tail alone.
                parser = vt100::Parser::new(rows_nz, cols_nz, 0);
            }
            parser.process(&chunk.data);
            total = total.max(chunk.total_bytes);
            if chunk.next_cursor <= offset {
                break;
            }
            offset = chunk.next_cursor;
        }
        let screen = parser.screen();
        let (row, col) = screen.cursor_position();
        let lines = screen
            .rows(0, cols)
            .map(|line| line.trim_end().to_owned())
            .collect();
        let answer = Screen {
            rows,
            cols,
            cursor: ScreenCursor { row, col },
            lines,
        };
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (clock, map) = &mut *entries;
        *clock += 1;
        if map.len() >= CHECKPOINTS
            && let Some(oldest) = map.iter().min_by_key(|(_, c)| c.used).map(|(id, _)| *id)
        {
            map.remove(&oldest);
        }
        map.insert(
            id,
            Checkpoint {
                parser,
                offset,
                used: *clock,
            },
        );
        Ok((answer, offset))
    }
}

fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN)
}
