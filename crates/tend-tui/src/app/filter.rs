//! [`Filter`]: which tasks the table shows, by session, state and text.

use tend_core::{State, Task};

/// Which states the table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    /// Every state.
    #[default]
    All,
    /// Pending, running, waiting and cancel_requested tasks.
    Live,
    /// Completed, failed and cancelled tasks.
    Ended,
    /// One state.
    Only(State),
}

/// The order in which `t` cycles through the state filters.
const CYCLE: [StateFilter; 10] = [
    StateFilter::All,
    StateFilter::Live,
    StateFilter::Only(State::Running),
    StateFilter::Only(State::Pending),
    StateFilter::Only(State::Waiting),
    StateFilter::Only(State::CancelRequested),
    StateFilter::Ended,
    StateFilter::Only(State::Completed),
    StateFilter::Only(State::Failed),
    StateFilter::Only(State::Cancelled),
];

impl StateFilter {
    /// Whether a task in `state` passes.
    pub fn admits(self, state: State) -> bool {
        match self {
            Self::All => true,
            Self::Live => !state.is_terminal(),
            Self::Ended => state.is_terminal(),
            Self::Only(only) => only == state,
        }
    }

    /// The next filter of the cycle.
    pub fn next(self) -> Self {
        let at = CYCLE.iter().position(|filter| *filter == self).unwrap_or(0);
        CYCLE[(at + 1) % CYCLE.len()]
    }

    /// A short label: `all`, `live`, `ended` or the state's name.
    pub fn label(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Live => "live",
            Self::Ended => "ended",
            Self::Only(state) => state.as_str(),
        }
    }
}

/// The table's filters. A task is shown when it passes all three.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this session's tasks.
    pub session: Option<String>,
    /// Only tasks in these states.
    pub state: StateFilter,
    /// Only tasks whose id, name, session, group or command contains this text, ignoring case.
    pub text: String,
}

impl Filter {
    /// Whether `task` passes. `needle` is [`Filter::needle`], computed once per pass.
    pub fn admits(&self, task: &Task, needle: &str) -> bool {
        self.session
            .as_deref()
            .is_none_or(|session| session == task.session)
            && self.state.admits(task.state)
            && (needle.is_empty() || text_matches(task, needle))
    }

    /// The text filter in lower case.
    pub fn needle(&self) -> String {
        self.text.to_lowercase()
    }

    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        self.session.is_none() && self.state == StateFilter::All && self.text.is_empty()
    }
}

fn text_matches(task: &Task, needle: &str) -> bool {
    let contains = |text: &str| text.to_lowercase().contains(needle);
    contains(&task.id.to_string())
        || contains(&task.name)
        || contains(&task.session)
        || contains(&task.group)
        || task
            .command
            .as_ref()
            .is_some_and(|argv| argv.iter().any(|arg| contains(arg)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_cycle_visits_every_filter_and_returns() {
        let mut filter = StateFilter::All;
        for _ in 0..CYCLE.len() {
            filter = filter.next();
        }
        assert_eq!(filter, StateFilter::All);
        assert!(StateFilter::Live.admits(State::CancelRequested));
        assert!(!StateFilter::Live.admits(State::Failed));
        assert!(StateFilter::Ended.admits(State::Cancelled));
        assert_eq!(StateFilter::Only(State::Running).label(), "running");
    }
}
