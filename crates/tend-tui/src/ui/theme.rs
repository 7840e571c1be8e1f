//! [`Theme`]: the styles of the UI, with colours or (for `NO_COLOR`) with modifiers only.

use ratatui::style::{Color, Modifier, Style};
use tend_core::State;

/// The styles in use.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    colour: bool,
}

impl Theme {
    /// Colours when `colour`, else modifiers only.
    pub(crate) fn new(colour: bool) -> Self {
        Self { colour }
    }

    fn fg(self, colour: Color) -> Style {
        if self.colour {
            Style::new().fg(colour)
        } else {
            Style::new()
        }
    }

    /// A state's colour, as `tend ls` paints it.
    pub(crate) fn state(self, state: State) -> Style {
        match state {
            State::Pending => Style::new().add_modifier(Modifier::DIM),
            State::Running => self.fg(Color::Cyan),
            State::Waiting => self.fg(Color::Magenta),
            State::CancelRequested | State::Cancelled => self.fg(Color::Yellow),
            State::Completed => self.fg(Color::Green),
            State::Failed => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    /// The table's header row.
    pub(crate) fn header(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// The selected row.
    pub(crate) fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Labels and other secondary text.
    pub(crate) fn dim(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    /// Failures.
    pub(crate) fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// Good news.
    pub(crate) fn good(self) -> Style {
        self.fg(Color::Green)
    }

    /// The border of a pane, brighter when it has the focus.
    pub(crate) fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.dim()
        }
    }

    /// Emphasis (titles, keys in the help).
    pub(crate) fn strong(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
}
