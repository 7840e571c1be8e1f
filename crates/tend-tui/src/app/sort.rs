//! [`Sort`]: the table's order.

use std::cmp::Ordering;

use tend_core::{State, Task};

/// The column the table is ordered by. Ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Task id (creation order).
    #[default]
    Id,
    /// State, live ones first.
    State,
    /// Session name.
    Session,
    /// Group name.
    Group,
    /// Time since the last change of the record.
    Updated,
    /// Name.
    Name,
}

const CYCLE: [SortKey; 6] = [
    SortKey::Id,
    SortKey::State,
    SortKey::Session,
    SortKey::Group,
    SortKey::Updated,
    SortKey::Name,
];

impl SortKey {
    /// The next key of the cycle.
    pub fn next(self) -> Self {
        let at = CYCLE.iter().position(|key| *key == self).unwrap_or(0);
        CYCLE[(at + 1) % CYCLE.len()]
    }

    /// The key's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::State => "state",
            Self::Session => "session",
            Self::Group => "group",
            Self::Updated => "updated",
            Self::Name => "name",
        }
    }
}

/// A sort key and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// The column.
    pub key: SortKey,
    /// Largest first (for ids: newest first).
    pub descending: bool,
}

impl Default for Sort {
    /// Newest first.
    fn default() -> Self {
        Self {
            key: SortKey::Id,
            descending: true,
        }
    }
}

impl Sort {
    /// Compares two tasks in this order.
    pub fn compare(self, a: &Task, b: &Task) -> Ordering {
        let primary = match self.key {
            SortKey::Id => Ordering::Equal,
            SortKey::State => state_rank(a.state).cmp(&state_rank(b.state)),
            SortKey::Session => a.session.cmp(&b.session),
            SortKey::Group => a.group.cmp(&b.group),
            SortKey::Updated => a.updated_at.cmp(&b.updated_at),
            SortKey::Name => a.name.cmp(&b.name),
        };
        let order = primary.then_with(|| a.id.cmp(&b.id));
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }

    /// A label such as `id ↓`.
    pub fn label(self) -> String {
        format!(
            "{} {}",
            self.key.label(),
            if self.descending { "↓" } else { "↑" }
        )
    }
}

/// Live states before ended ones, the busiest first; descending puts them last.
fn state_rank(state: State) -> u8 {
    match state {
        State::Completed => 0,
        State::Cancelled => 1,
        State::Failed => 2,
        State::Pending => 3,
        State::Waiting => 4,
        State::CancelRequested => 5,
        State::Running => 6,
    }
}
