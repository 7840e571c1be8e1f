//! The UI's state, [`App`], changed only by [`App::update`]: no IO, no clock, no terminal. What
//! the world must do comes out as [`Effect`]s; [`crate::render`] draws the state.

mod filter;
mod keys;
mod mode;
mod msg;
mod output;
mod sort;
mod tasks;
mod window;

use ratatui::layout::Rect;
use tend_core::{Task, TaskId, Timestamp};

pub use filter::{Filter, StateFilter};
pub use keys::KEYS;
pub use mode::{Confirm, ConfirmAction, Mode};
pub use msg::{Effect, Msg, OutputChunk, ReadPurpose};
pub use output::{INITIAL_TAIL_BYTES, OutputPane, READ_CHUNK_BYTES};
pub use sort::{Sort, SortKey};
pub use tasks::{STATES, TaskTable, ViewWidths};
pub use window::{OutputWindow, WINDOW_CAP_BYTES, WindowLine};

use crate::layout::{Areas, Focus};

/// How long a message stays in the status line, in milliseconds.
const NOTICE_MS: u64 = 8_000;

/// Whether the daemon answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// No answer yet.
    Connecting,
    /// The last request was answered.
    Connected,
    /// The daemon stopped answering at `since`; the runtime keeps trying.
    Lost {
        /// Why the last request failed.
        error: String,
        /// When the connection was lost.
        since: Timestamp,
    },
}

/// A message in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The text.
    pub text: String,
    /// Whether it reports a failure.
    pub error: bool,
    /// When it was given.
    pub at: Timestamp,
}

/// The whole state of the UI.
#[derive(Debug, Clone)]
pub struct App {
    pub(crate) now: Timestamp,
    pub(crate) screen: Rect,
    pub(crate) home: String,
    pub(crate) colour: bool,
    pub(crate) tasks: TaskTable,
    pub(crate) filter: Filter,
    pub(crate) sort: Sort,
    pub(crate) selected: Option<TaskId>,
    pub(crate) selected_row: usize,
    pub(crate) table_offset: usize,
    pub(crate) focus: Focus,
    pub(crate) zoomed: bool,
    pub(crate) mode: Mode,
    pub(crate) output: OutputPane,
    pub(crate) connection: Connection,
    pub(crate) notice: Option<Notice>,
}

impl App {
    /// A UI for the daemon of `home` (shown in the title), at time `now`, with no tasks yet.
    pub fn new(home: impl Into<String>, now: Timestamp) -> Self {
        Self {
            now,
            screen: Rect::default(),
            home: home.into(),
            colour: true,
            tasks: TaskTable::new(),
            filter: Filter::default(),
            sort: Sort::default(),
            selected: None,
            selected_row: 0,
            table_offset: 0,
            focus: Focus::Table,
            zoomed: false,
            mode: Mode::Normal,
            output: OutputPane::default(),
            connection: Connection::Connecting,
            notice: None,
        }
    }

    /// The same UI starting with `filter`.
    pub fn with_filter(mut self, filter: Filter) -> Self {
        self.filter = filter;
        self
    }

    /// The same UI with colours (default) or without (`NO_COLOR`).
    pub fn with_colour(mut self, colour: bool) -> Self {
        self.colour = colour;
        self
    }

    /// Applies one message and answers what the runtime must do.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let mut effects = Vec::new();
        let mut refresh = true;
        match msg {
            Msg::Key(key) => effects = keys::handle(self, key),
            Msg::Resize { width, height } => self.screen = Rect::new(0, 0, width, height),
            Msg::Tick(now) => {
                self.now = now;
                if self
                    .notice
                    .as_ref()
                    .is_some_and(|n| now.millis_since(n.at) > NOTICE_MS)
                {
                    self.notice = None;
                }
                refresh = false;
            }
            Msg::Connected { tasks } => {
                if matches!(self.connection, Connection::Lost { .. }) {
                    self.say("reconnected to the daemon", false);
                }
                self.connection = Connection::Connected;
                self.tasks.replace_all(tasks);
            }
            Msg::Events(events) => {
                for event in &events {
                    self.tasks.apply(event);
                }
            }
            Msg::Disconnected { error } => {
                if !matches!(self.connection, Connection::Lost { .. }) {
                    self.connection = Connection::Lost {
                        error,
                        since: self.now,
                    };
                }
                refresh = false;
            }
            Msg::Output(chunk) => {
                self.output.receive(chunk);
                refresh = false;
            }
            Msg::OutputFailed { generation, error } => {
                self.output.failed(generation, error);
                refresh = false;
            }
            Msg::ActionDone { id, action, error } => {
                match error {
                    None if action == "remove" => self.say(format!("removed {id}"), false),
                    None => self.say(format!("stopped {id}"), false),
                    Some(error) => self.say(format!("cannot {action} {id}: {error}"), true),
                }
                refresh = false;
            }
        }
        if refresh {
            self.tasks.refresh_view(&self.filter, self.sort);
            self.reselect();
        }
        let selected = self.selected.and_then(|id| self.tasks.get(id));
        effects.extend(self.output.select(selected));
        let areas = self.areas();
        self.keep_selection_visible(areas.table_rows());
        self.output.clamp(areas.output_lines());
        effects
    }

    /// The areas of the current screen.
    pub(crate) fn areas(&self) -> Areas {
        Areas::of(self.screen, self.focus, self.zoomed)
    }

    /// The record of the selected task.
    pub fn selected_task(&self) -> Option<&Task> {
        self.selected.and_then(|id| self.tasks.get(id))
    }

    /// The tasks, their view and counts.
    pub fn tasks(&self) -> &TaskTable {
        &self.tasks
    }

    /// The output pane.
    pub fn output(&self) -> &OutputPane {
        &self.output
    }

    /// The mode (normal, help, confirmation, filter input).
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// Whether the daemon answers.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    pub(crate) fn say(&mut self, text: impl Into<String>, error: bool) {
        self.notice = Some(Notice {
            text: text.into(),
            error,
            at: self.now,
        });
    }

    /// Keeps the selection on its task when the view changes, else on the same row.
    fn reselect(&mut self) {
        let view = self.tasks.view();
        if view.is_empty() {
            self.selected = None;
            self.selected_row = 0;
            return;
        }
        match self
            .selected
            .and_then(|id| view.iter().position(|shown| *shown == id))
        {
            Some(row) => self.selected_row = row,
            None => {
                self.selected_row = self.selected_row.min(view.len() - 1);
                self.selected = Some(view[self.selected_row]);
            }
        }
    }

    /// Moves the selection by `rows` (negative: up), within the view.
    pub(crate) fn move_selection(&mut self, rows: isize) {
        let view = self.tasks.view();
        if view.is_empty() {
            return;
        }
        let row = self
            .selected_row
            .saturating_add_signed(rows)
            .min(view.len() - 1);
        self.selected_row = row;
        self.selected = Some(view[row]);
    }

    fn keep_selection_visible(&mut self, rows: usize) {
        let len = self.tasks.view().len();
        if rows == 0 {
            self.table_offset = self.selected_row;
            return;
        }
        if self.selected_row < self.table_offset {
            self.table_offset = self.selected_row;
        } else if self.selected_row >= self.table_offset + rows {
            self.table_offset = self.selected_row + 1 - rows;
        }
        self.table_offset = self.table_offset.min(len.saturating_sub(rows));
    }
}
