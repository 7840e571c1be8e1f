//! The output pane: the lines of the output window around the scroll position, made safe to
//! draw, under a title that says how much there is and whether it follows the end.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use super::line::display;
use super::theme::Theme;
use crate::app::{App, WindowLine};
use crate::format::bytes;
use crate::layout::Focus;

/// Draws the selected task's output in `area`.
pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let pane = &app.output;
    let focused = app.focus == Focus::Output;
    let block = Block::bordered()
        .title(title(app))
        .border_style(theme.border(focused));
    let inner = block.inner(area);
    let height = usize::from(inner.height);
    let width = usize::from(inner.width);
    let lines: Vec<Line<'_>> = if let Some(note) = pane.note() {
        vec![Line::styled(note.to_owned(), theme.dim())]
    } else if let Some(screen) = pane.screen() {
        // A terminal's screen: its rows from the top, the last ones if the pane is lower.
        let used = screen
            .iter()
            .rposition(|l| !l.is_empty())
            .map_or(0, |i| i + 1);
        let skip = used.saturating_sub(height);
        screen[skip..used]
            .iter()
            .map(|text| Line::raw(display(text.as_bytes(), pane.columns(), width)))
            .collect()
    } else if pane.window().is_empty() {
        let text = match pane.task() {
            None => "no task selected",
            Some(_) if pane.is_eof() => "no output",
            Some(_) => "waiting for output…",
        };
        vec![Line::styled(text, theme.dim())]
    } else {
        pane.window()
            .lines_from_bottom(pane.scroll(), height)
            .into_iter()
            .map(|line| match line {
                WindowLine::Text(text) => Line::raw(display(text, pane.columns(), width)),
                WindowLine::Gap(skipped) => {
                    Line::styled(format!("··· {} not kept ···", bytes(skipped)), theme.dim())
                }
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn title(app: &App) -> String {
    let pane = &app.output;
    let Some(id) = pane.task() else {
        return " output ".to_owned();
    };
    let mut parts = vec![format!("output {id}")];
    if pane.note().is_none() {
        parts.push(bytes(pane.total_bytes()));
        if pane.dropped_bytes() > 0 {
            parts.push(format!("{} dropped", bytes(pane.dropped_bytes())));
        }
        let status = if pane.is_loading() {
            "loading…".to_owned()
        } else if pane.is_following() && pane.is_eof() {
            "ended".to_owned()
        } else if pane.is_following() {
            "following".to_owned()
        } else {
            format!("paused, {} lines up (f: follow)", pane.scroll())
        };
        parts.push(status);
        if pane.screen().is_some() {
            parts.push("screen".to_owned());
        }
        if pane.columns() > 0 {
            parts.push(format!("→{}", pane.columns()));
        }
    }
    format!(" {} ", parts.join(" · "))
}
