//! The output disk budget: the output of terminal tasks, oldest finished first, is removed while
//! the sum of kept output exceeds `output_budget_bytes`. Records stay until retention.

use std::collections::{HashSet, VecDeque};
use std::path::Path;

use tend_core::{StoredTask, TaskId};
use tracing::{info, warn};

use crate::home::Home;

/// Bytes of the files in `dir` (one level of subdirectories, as task directories have).
fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut total = 0;
    for entry in entries.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() {
            total += dir_bytes(&entry.path());
        } else {
            total += meta.len();
        }
    }
    total
}

/// Kept output of terminal tasks, in the order they finished.
#[derive(Debug, Default)]
pub(crate) struct OutputBudget {
    budget_bytes: u64,
    kept: VecDeque<(TaskId, u64)>,
    known: HashSet<TaskId>,
    total_bytes: u64,
}

impl OutputBudget {
    pub fn new(budget_bytes: u64) -> Self {
        Self {
            budget_bytes,
            ..Self::default()
        }
    }

    /// Accounts for the output of a task that just became terminal.
    pub fn finished(&mut self, home: &Home, task: &StoredTask) {
        let id = task.task.id;
        if !task.task.kind.is_shell() || !self.known.insert(id) {
            return;
        }
        let bytes = dir_bytes(&home.task_dir(id));
        self.kept.push_back((id, bytes));
        self.total_bytes += bytes;
    }

    /// Forgets a task whose output was deleted by other means (removal, retention).
    pub fn forget(&mut self, id: TaskId) {
        if self.known.remove(&id)
            && let Some(pos) = self.kept.iter().position(|&(t, _)| t == id)
            && let Some((_, bytes)) = self.kept.remove(pos)
        {
            self.total_bytes -= bytes;
        }
    }

    /// Removes the oldest terminal outputs until the budget holds.
    pub fn enforce(&mut self, home: &Home) {
        while self.total_bytes > self.budget_bytes {
            let Some((id, bytes)) = self.kept.pop_front() else {
                break;
            };
            self.total_bytes -= bytes;
            let dir = home.task_dir(id);
            match std::fs::remove_dir_all(&dir) {
                Ok(()) => info!(%id, bytes, "removed output beyond the disk budget"),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => warn!(%id, %error, "cannot remove output beyond the disk budget"),
            }
        }
    }
}
