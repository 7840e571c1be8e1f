//! tend-tui: `tend tui`, a live terminal view of every session's tasks, with their output, that
//! can stop and remove them.
//!
//! The UI is split in three so that everything but the terminal can be tested:
//!
//! - [`App`] is the state, changed only by [`App::update`] from a [`Msg`] (a key, a resize, a
//!   clock tick, a task list, events, output, an action's end); it answers [`Effect`]s for the
//!   runtime to carry out. It does no IO and reads no clock: time comes in with [`Msg::Tick`].
//! - [`render`] draws an `App` into a ratatui frame, a pure function of the state.
//! - [`run`] is the runtime: it owns the terminal, reads keys on a thread of its own, follows
//!   the daemon's event log with long-polls (no busy polling), follows the selected task's
//!   output through cursors, carries out effects, and reconnects when the daemon goes away.
//!
//! # Examples
//!
//! ```no_run
//! # async fn example() -> Result<(), tend_tui::TuiError> {
//! let client = tend_client::Client::new("/home/me/.local/state/tend");
//! tend_tui::run(client, tend_tui::Options::default()).await
//! # }
//! ```

mod app;
mod error;
mod format;
mod layout;
mod options;
mod runtime;
mod ui;

pub use app::{
    App, Confirm, ConfirmAction, Connection, Effect, Filter, INITIAL_TAIL_BYTES, KEYS, Mode, Msg,
    Notice, OutputChunk, OutputPane, OutputWindow, READ_CHUNK_BYTES, ReadPurpose, STATES, Sort,
    SortKey, StateFilter, TaskTable, ViewWidths, WINDOW_CAP_BYTES, WindowLine,
};
pub use error::TuiError;
pub use layout::{Areas, Focus};
pub use options::Options;
pub use runtime::run;
pub use ui::render;
