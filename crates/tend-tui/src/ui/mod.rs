//! Drawing: [`render`] draws an [`App`] into a frame, a pure function of the state, so any
//! screen can be checked with ratatui's `TestBackend`.

mod bars;
mod detail;
mod line;
mod output;
mod overlay;
mod table;
mod theme;

use ratatui::Frame;

use crate::app::{App, Mode};
use theme::Theme;

/// Draws the whole screen: title, table, detail and output panes, status line, and the help or
/// question box over them. Any size is drawn, an empty one included, without a panic.
pub fn render(app: &App, frame: &mut Frame) {
    let screen = frame.area();
    if screen.is_empty() {
        return;
    }
    let theme = Theme::new(app.colour);
    let areas = crate::layout::Areas::of(screen, app.focus, app.zoomed);
    bars::title(app, frame, areas.title, theme);
    table::render(app, frame, areas.table, theme);
    detail::render(app, frame, areas.detail, theme);
    output::render(app, frame, areas.output, theme);
    bars::status(app, frame, areas.status, theme);
    match &app.mode {
        Mode::Help => overlay::help(frame, screen, theme),
        Mode::Confirm(question) => overlay::confirm(frame, screen, question, theme),
        Mode::Normal | Mode::Filter { .. } => {}
    }
}
