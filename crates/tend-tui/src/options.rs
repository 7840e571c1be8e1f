//! [`Options`]: how `tend tui` starts.

/// How the UI starts; the binary fills it from the command line and the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Show only this session's tasks at first (`tend --session S tui`); the filter can be
    /// changed in the UI.
    pub session: Option<String>,
    /// Draw without colours (`NO_COLOR` is set); states stay readable by their names.
    pub no_color: bool,
}
