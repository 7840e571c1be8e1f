//! Colours and width: colours only on a terminal with `NO_COLOR` unset; names cut to the
//! terminal's width only on a terminal.

use std::io::IsTerminal;

use tend_core::State;

/// An ANSI colour of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// Bold (headers).
    Bold,
    /// Dim (waiting to start).
    Dim,
    /// Green (completed).
    Green,
    /// Red (failed).
    Red,
    /// Yellow (cancelled, being stopped).
    Yellow,
    /// Cyan (running).
    Cyan,
    /// Magenta (waiting).
    Magenta,
}

impl Paint {
    /// The colour of a state.
    pub const fn of_state(state: State) -> Self {
        match state {
            State::Pending => Self::Dim,
            State::Running => Self::Cyan,
            State::Waiting => Self::Magenta,
            State::CancelRequested | State::Cancelled => Self::Yellow,
            State::Completed => Self::Green,
            State::Failed => Self::Red,
        }
    }

    const fn code(self) -> &'static str {
        match self {
            Self::Bold => "1",
            Self::Dim => "2",
            Self::Green => "32",
            Self::Red => "31",
            Self::Yellow => "33",
            Self::Cyan => "36",
            Self::Magenta => "35",
        }
    }
}

/// How human output looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Whether to colour.
    pub color: bool,
    /// The terminal's width, when stdout is one.
    pub width: Option<usize>,
}

impl Style {
    /// The style for stdout: colours when it is a terminal and `NO_COLOR` is unset.
    pub fn for_stdout(no_color: bool) -> Self {
        let stdout = std::io::stdout();
        if !stdout.is_terminal() {
            return Self::default();
        }
        let width = terminal_size::terminal_size_of(&stdout).map(|(width, _)| usize::from(width.0));
        Self {
            color: !no_color,
            width,
        }
    }

    /// `text` in `paint` when colouring.
    pub fn paint(&self, text: &str, paint: Option<Paint>) -> String {
        match paint {
            Some(paint) if self.color => format!("\x1b[{}m{text}\x1b[0m", paint.code()),
            _ => text.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paint_only_when_colouring() {
        let plain = Style::default();
        assert_eq!(plain.paint("running", Some(Paint::Cyan)), "running");
        let colour = Style {
            color: true,
            width: None,
        };
        assert_eq!(
            colour.paint("failed", Some(Paint::of_state(State::Failed))),
            "\x1b[31mfailed\x1b[0m"
        );
        assert_eq!(colour.paint("x", None), "x");
    }
}
