//! [`Mode`]: what keys mean at the moment: browsing, the help overlay, a confirmation, or typing
//! a filter.

use tend_core::TaskId;

/// What a confirmation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmAction {
    /// Stop a live task.
    Stop,
    /// Remove an ended task and its output.
    Remove,
}

impl ConfirmAction {
    /// The verb, as shown.
    pub fn verb(self) -> &'static str {
        match self {
            Self::Stop => "stop",
            Self::Remove => "remove",
        }
    }

    /// The verb while it is under way: `stopping`, `removing`.
    pub fn doing(self) -> &'static str {
        match self {
            Self::Stop => "stopping",
            Self::Remove => "removing",
        }
    }
}

/// A question waiting for `y` or `n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    /// What `y` does.
    pub action: ConfirmAction,
    /// To which task.
    pub id: TaskId,
    /// The task's name, as shown in the question.
    pub name: String,
}

/// What keys mean at the moment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    /// Browsing: moving, scrolling, filtering, acting.
    #[default]
    Normal,
    /// The help overlay: any key closes it.
    Help,
    /// A question: `y` confirms, anything else cancels.
    Confirm(Confirm),
    /// Typing the text filter: it applies as it is typed; Enter keeps it, Esc restores
    /// `previous`.
    Filter {
        /// The text filter before typing began.
        previous: String,
    },
}
