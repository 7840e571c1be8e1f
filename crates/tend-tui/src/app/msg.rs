//! What goes into [`super::App::update`] ([`Msg`]) and what comes out of it ([`Effect`]).

use ratatui::crossterm::event::KeyEvent;
use tend_core::{Event, Task, TaskId, Timestamp};

/// Something that happened: a key, a new terminal size, a clock tick, or news from the daemon.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// The terminal has a new size.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// The clock moved on (ages are shown relative to it).
    Tick(Timestamp),
    /// The daemon answered a full list of tasks: after the first connection, or after it came
    /// back.
    Connected {
        /// Every task of every session, oldest first.
        tasks: Vec<Task>,
    },
    /// Events in sequence order, applied on top of the last list.
    Events(Vec<Event>),
    /// The daemon stopped answering; the runtime keeps trying.
    Disconnected {
        /// Why the last request failed.
        error: String,
    },
    /// A piece of output arrived.
    Output(OutputChunk),
    /// An output read failed.
    OutputFailed {
        /// The generation of the request ([`Effect::Follow`], [`Effect::Read`]).
        generation: u64,
        /// Why.
        error: String,
    },
    /// A stop or remove ended; `error` says why it failed.
    ActionDone {
        /// The task acted on.
        id: TaskId,
        /// `stop` or `remove`.
        action: &'static str,
        /// The failure, if it failed.
        error: Option<String>,
    },
}

/// Why an output read was made, which says where its bytes go in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadPurpose {
    /// Following the end of the stream.
    Follow,
    /// Scrolling back: the bytes before the window.
    Before,
    /// Scrolling forward: the bytes after the window.
    After,
    /// Jumping to the beginning of the stream.
    Start,
}

/// One output read's answer (CONTRACT.md §4, raw bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputChunk {
    /// The generation of the request; answers of older generations are ignored.
    pub generation: u64,
    /// Why it was read.
    pub purpose: ReadPurpose,
    /// The cursor asked for.
    pub requested: u64,
    /// Offset of the first byte answered (past `requested` when that lay in a dropped range).
    pub cursor: u64,
    /// The bytes, possibly invalid UTF-8.
    pub data: Vec<u8>,
    /// Bytes the task wrote so far.
    pub total_bytes: u64,
    /// Bytes the daemon dropped from the middle of the stream.
    pub dropped_bytes: u64,
    /// The task ended and everything up to here was read.
    pub eof: bool,
    /// For a task with a terminal: its screen after these bytes, one string per row.
    pub screen: Option<Vec<String>>,
}

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Leave the UI.
    Quit,
    /// Follow task `id`'s output from `from`, reading on as it grows (replacing any follower),
    /// and skipping ahead when it falls far behind.
    Follow {
        /// The task.
        id: TaskId,
        /// The first cursor.
        from: u64,
        /// Tags the answers.
        generation: u64,
    },
    /// Stop following output.
    Unfollow,
    /// Read once at `cursor`.
    Read {
        /// The task.
        id: TaskId,
        /// Where to read.
        cursor: u64,
        /// At most this many bytes.
        max_bytes: u64,
        /// Why.
        purpose: ReadPurpose,
        /// Tags the answer.
        generation: u64,
    },
    /// Stop the task (`POST /v1/tasks/{id}/stop`).
    Stop(TaskId),
    /// Remove the ended task (`DELETE /v1/tasks/{id}`).
    Remove(TaskId),
}
