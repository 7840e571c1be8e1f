//! [`OutputPane`]: the selected task's output: following its end, or held still while the
//! user scrolls, re-reading earlier or later bytes from the daemon as the view nears an edge of
//! the window it holds.

use tend_core::{Task, TaskId};

use super::msg::{Effect, OutputChunk, ReadPurpose};
use super::window::OutputWindow;

/// How much output is shown when a task is selected: the last bytes up to this many.
pub const INITIAL_TAIL_BYTES: u64 = 64 * 1024;
/// How many bytes one scroll read asks for.
pub const READ_CHUNK_BYTES: u64 = 256 * 1024;
/// How close (in lines) the view may come to an edge of the window before more is read.
const PREFETCH_LINES: usize = 200;

/// The output pane's state.
#[derive(Debug, Clone, Default)]
pub struct OutputPane {
    task: Option<TaskId>,
    generation: u64,
    window: OutputWindow,
    following: bool,
    scroll: usize,
    columns: usize,
    loading: Option<ReadPurpose>,
    total_bytes: u64,
    dropped_bytes: u64,
    eof: bool,
    shell: bool,
    note: Option<String>,
    screen: Option<Vec<String>>,
}

impl OutputPane {
    /// The task shown.
    pub fn task(&self) -> Option<TaskId> {
        self.task
    }

    /// The bytes held.
    pub fn window(&self) -> &OutputWindow {
        &self.window
    }

    /// Whether the pane follows the end of the output.
    pub fn is_following(&self) -> bool {
        self.following
    }

    /// Lines between the bottom of the view and the bottom of the window.
    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// Columns scrolled to the right.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Whether a read for scrolling is under way.
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Bytes the task wrote so far, as last heard.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Bytes task `id` wrote so far, as last heard from its output reads (0 when another task
    /// is shown).
    pub fn total_bytes_of(&self, id: TaskId) -> u64 {
        if self.task == Some(id) {
            self.total_bytes
        } else {
            0
        }
    }

    /// Bytes the daemon dropped from the middle.
    pub fn dropped_bytes(&self) -> u64 {
        self.dropped_bytes
    }

    /// Whether everything up to the task's end was read.
    pub fn is_eof(&self) -> bool {
        self.eof
    }

    /// The screen of a task with a terminal, while the pane follows its end.
    pub fn screen(&self) -> Option<&[String]> {
        self.screen.as_deref().filter(|_| self.following)
    }

    /// Why there is nothing to show (an external task, a failed read), if so.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// Shows `task` (or nothing), following its end. Nothing changes when it is already shown.
    pub fn select(&mut self, task: Option<&Task>) -> Vec<Effect> {
        if task.map(|task| task.id) == self.task {
            return Vec::new();
        }
        *self = Self {
            generation: self.generation + 1,
            ..Self::default()
        };
        let Some(task) = task else {
            return vec![Effect::Unfollow];
        };
        self.task = Some(task.id);
        self.shell = task.kind.is_shell();
        if !self.shell {
            self.note = Some(format!("a {} task has no output", task.kind.as_str()));
            return vec![Effect::Unfollow];
        }
        let total = task.output.map_or(0, |output| output.total_bytes);
        self.total_bytes = total;
        self.follow_from(total.saturating_sub(INITIAL_TAIL_BYTES))
    }

    /// Follows the end again (from the last bytes), or stops following.
    pub fn toggle_follow(&mut self) -> Vec<Effect> {
        if self.following {
            self.following = false;
            vec![Effect::Unfollow]
        } else {
            self.jump_to_end()
        }
    }

    /// Shows the end and follows it.
    pub fn jump_to_end(&mut self) -> Vec<Effect> {
        if !self.shell {
            return Vec::new();
        }
        self.scroll = 0;
        if self.following {
            return Vec::new();
        }
        self.generation += 1;
        self.loading = None;
        self.follow_from(self.total_bytes.saturating_sub(INITIAL_TAIL_BYTES))
    }

    /// Shows the beginning of the output and stops following.
    pub fn jump_to_start(&mut self) -> Vec<Effect> {
        let Some(id) = self.task.filter(|_| self.shell) else {
            return Vec::new();
        };
        self.generation += 1;
        self.following = false;
        self.loading = Some(ReadPurpose::Start);
        let read = self.read(id, 0, READ_CHUNK_BYTES, ReadPurpose::Start);
        vec![Effect::Unfollow, read]
    }

    /// Scrolls up `lines` in a view `height` lines high; stops following.
    pub fn scroll_up(&mut self, lines: usize, height: usize) -> Vec<Effect> {
        let Some(id) = self.task.filter(|_| self.shell) else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        if self.following {
            self.following = false;
            effects.push(Effect::Unfollow);
        }
        let count = self.window.line_count();
        self.scroll = (self.scroll + lines).min(count.saturating_sub(height));
        let near_top = self.scroll + height + PREFETCH_LINES >= count;
        let start = self.window.start();
        if near_top && start > 0 && self.loading.is_none() {
            let cursor = start.saturating_sub(READ_CHUNK_BYTES);
            self.loading = Some(ReadPurpose::Before);
            effects.push(self.read(id, cursor, start - cursor, ReadPurpose::Before));
        }
        effects
    }

    /// Scrolls down `lines`; at the end of the output, follows it again.
    pub fn scroll_down(&mut self, lines: usize) -> Vec<Effect> {
        let Some(id) = self.task.filter(|_| self.shell) else {
            return Vec::new();
        };
        if self.following {
            return Vec::new();
        }
        self.scroll = self.scroll.saturating_sub(lines);
        let end = self.window.end();
        let more = end < self.total_bytes;
        if self.scroll < PREFETCH_LINES && more && self.loading.is_none() {
            self.loading = Some(ReadPurpose::After);
            return vec![self.read(id, end, READ_CHUNK_BYTES, ReadPurpose::After)];
        }
        if self.scroll == 0 && !more && self.loading.is_none() && !self.eof {
            return self.follow_from(end);
        }
        Vec::new()
    }

    /// Scrolls right or left by `columns` (negative: left).
    pub fn scroll_sideways(&mut self, columns: isize) {
        self.columns = self.columns.saturating_add_signed(columns);
    }

    /// Takes an answer of a read of the current generation.
    pub fn receive(&mut self, chunk: OutputChunk) {
        if chunk.generation != self.generation {
            return;
        }
        self.total_bytes = self.total_bytes.max(chunk.total_bytes);
        self.dropped_bytes = chunk.dropped_bytes;
        self.note = None;
        match chunk.purpose {
            ReadPurpose::Follow => {
                if !self.following {
                    return;
                }
                self.eof = chunk.eof;
                if chunk.screen.is_some() {
                    self.screen = chunk.screen;
                }
                if self.window.is_empty() || chunk.cursor != self.window.end() {
                    self.window.reset(chunk.cursor, &chunk.data);
                } else {
                    self.window.append(chunk.cursor, &chunk.data);
                }
                self.scroll = 0;
            }
            ReadPurpose::Before => {
                self.loading = None;
                let removed = self.window.prepend(chunk.cursor, &chunk.data);
                self.scroll = self.scroll.saturating_sub(removed);
                let landed = chunk.cursor > chunk.requested && self.window.start() == chunk.cursor;
                if landed && chunk.dropped_bytes > 0 {
                    // The cursor asked for lay in the dropped range, which ends where the
                    // answer starts: mark it, so that the next read goes before it.
                    self.window
                        .mark_gap_before(chunk.cursor.saturating_sub(chunk.dropped_bytes));
                }
            }
            ReadPurpose::After => {
                self.loading = None;
                self.eof = chunk.eof;
                let added = self.window.append(chunk.cursor, &chunk.data);
                self.scroll += added;
            }
            ReadPurpose::Start => {
                self.loading = None;
                self.window.reset(chunk.cursor, &chunk.data);
                self.scroll = usize::MAX;
            }
        }
    }

    /// Clamps the scroll position to a view `height` lines high.
    pub fn clamp(&mut self, height: usize) {
        if self.scroll == 0 {
            return;
        }
        self.scroll = self
            .scroll
            .min(self.window.line_count().saturating_sub(height));
    }

    /// A read failed: says so in the pane.
    pub fn failed(&mut self, generation: u64, error: String) {
        if generation == self.generation {
            self.loading = None;
            self.note = Some(error);
        }
    }

    fn follow_from(&mut self, from: u64) -> Vec<Effect> {
        let Some(id) = self.task else {
            return Vec::new();
        };
        self.following = true;
        self.scroll = 0;
        vec![Effect::Follow {
            id,
            from,
            generation: self.generation,
        }]
    }

    fn read(&self, id: TaskId, cursor: u64, max_bytes: u64, purpose: ReadPurpose) -> Effect {
        Effect::Read {
            id,
            cursor,
            max_bytes,
            purpose,
            generation: self.generation,
        }
    }
}
