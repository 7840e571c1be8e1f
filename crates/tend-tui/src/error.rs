//! [`TuiError`]: why `tend tui` could not start or had to stop.

use std::io;

use tend_client::ClientError;

/// Why the UI could not start or stopped early. Once it runs, a daemon that goes away is not an
/// error: the UI says so and reconnects.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// Standard input or output is not a terminal.
    #[error("tend tui needs a terminal: standard input and output must be a tty")]
    NotATerminal,
    /// The terminal could not be set up, drawn to or read from.
    #[error("terminal error: {0}")]
    Terminal(#[from] io::Error),
    /// No daemon answered at start (none running and none could be started).
    #[error(transparent)]
    Daemon(#[from] ClientError),
}

impl TuiError {
    /// The error of the daemon, when the daemon is why the UI could not start.
    pub fn client_error(&self) -> Option<&ClientError> {
        match self {
            Self::Daemon(error) => Some(error),
            Self::NotATerminal | Self::Terminal(_) => None,
        }
    }
}
