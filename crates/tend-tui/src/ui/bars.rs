//! The title line (counts, filters, sort, home) and the status line (connection, messages,
//! the filter being typed, the question being asked, a hint for help).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::{App, Connection, Mode, STATES, StateFilter};
use crate::format::age;

/// Draws the title line in `area`.
pub(crate) fn title(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let tasks = &app.tasks;
    let bar = || Span::styled(" │ ", theme.dim());
    let mut spans = vec![Span::styled(" tend", theme.strong()), bar()];
    let filters = filters(app);
    if filters.is_empty() {
        spans.push(Span::raw(format!("{} tasks:", tasks.len())));
    } else {
        let shown = tasks.view().len();
        spans.push(Span::styled(
            format!("{shown} of {} shown ({})", tasks.len(), filters.join(" ")),
            theme.strong(),
        ));
        spans.push(bar());
    }
    let mut separate = filters.is_empty();
    for state in STATES {
        let count = tasks.count(state);
        if count > 0 {
            if separate {
                spans.push(Span::raw(" "));
            }
            separate = true;
            spans.push(Span::styled(
                format!("{count} {}", state.as_str()),
                theme.state(state),
            ));
        }
    }
    spans.push(bar());
    spans.push(Span::raw(format!("sort {}", app.sort.label())));
    spans.push(bar());
    spans.push(Span::styled(app.home.as_str(), theme.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The filters set, as `session=cli state=live text=npm`.
fn filters(app: &App) -> Vec<String> {
    let filter = &app.filter;
    let mut filters = Vec::new();
    if let Some(session) = &filter.session {
        filters.push(format!("session={session}"));
    }
    if filter.state != StateFilter::All {
        filters.push(format!("state={}", filter.state.label()));
    }
    if !filter.text.is_empty() {
        filters.push(format!("text={}", filter.text));
    }
    filters
}

/// Draws the status line in `area`.
pub(crate) fn status(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let mut spans = Vec::new();
    match &app.mode {
        Mode::Filter { .. } => {
            spans.push(Span::styled("/", theme.strong()));
            spans.push(Span::raw(app.filter.text.as_str()));
            spans.push(Span::styled("▏ Enter: keep · Esc: cancel", theme.dim()));
        }
        Mode::Confirm(confirm) => {
            spans.push(Span::styled(
                format!("{} {}? y/n", confirm.action.verb(), confirm.id),
                theme.error(),
            ));
        }
        Mode::Normal | Mode::Help => {
            spans.extend(connection(app, theme));
            if let Some(notice) = &app.notice {
                spans.push(Span::styled(" │ ", theme.dim()));
                let style = if notice.error {
                    theme.error()
                } else {
                    theme.strong()
                };
                spans.push(Span::styled(notice.text.as_str(), style));
            }
            spans.push(Span::styled(" │ ? help  q quit", theme.dim()));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn connection(app: &App, theme: Theme) -> Vec<Span<'_>> {
    match &app.connection {
        Connection::Connecting => vec![Span::styled("○ connecting…", theme.dim())],
        Connection::Connected => vec![Span::styled("● connected", theme.good())],
        Connection::Lost { error, since } => vec![Span::styled(
            format!(
                "○ daemon unreachable for {}, reconnecting… ({error})",
                age(app.now.millis_since(*since))
            ),
            theme.error(),
        )],
    }
}
