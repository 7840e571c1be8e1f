//! The detail pane: the selected task's record, the fields that are set, one per line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use tend_core::{Task, Timestamp};

use super::theme::Theme;
use crate::app::App;
use crate::format::{age, bytes, duration};

/// Width of the field names.
const KEY_WIDTH: usize = 9;

/// Draws the selected task's record in `area`.
pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let task = app.selected_task();
    let title = task.map_or_else(|| " details ".to_owned(), |task| format!(" {} ", task.id));
    let block = Block::bordered()
        .title(title)
        .border_style(theme.border(false));
    let width = usize::from(block.inner(area).width);
    let lines = task.map_or_else(
        || vec![Line::styled("no task selected", theme.dim())],
        |task| fields(app, task, theme, width),
    );
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The record's lines for a pane `width` columns wide: long values continue on further lines,
/// indented under the first.
fn fields<'a>(app: &App, task: &'a Task, theme: Theme, width: usize) -> Vec<Line<'a>> {
    let now = app.now;
    let room = width.saturating_sub(KEY_WIDTH).max(1);
    let mut lines = Vec::new();
    let mut add = |key: &str, value: Span<'a>| {
        let style = value.style;
        // Names, summaries and progress come from tasks: control characters are shown.
        let content = tend_core::display::visible(&value.content);
        for (at, piece) in wrap(&content, room).into_iter().enumerate() {
            let label = if at == 0 { key } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{label:<KEY_WIDTH$}"), theme.dim()),
                Span::styled(piece, style),
            ]));
        }
    };
    add("name", Span::raw(task.name.as_str()));
    add(
        "state",
        Span::styled(task.state.as_str(), theme.state(task.state)),
    );
    if let Some(reason) = task.reason {
        add("reason", Span::raw(reason.as_str()));
    }
    if let Some(code) = task.exit_code {
        add("exit", Span::raw(code.to_string()));
    }
    if let Some(signal) = &task.signal {
        add("signal", Span::raw(signal.as_str()));
    }
    if let Some(progress) = &task.progress {
        let text = format!(
            "{} ({} ago)",
            progress.message,
            age(now.millis_since(progress.updated_at))
        );
        add("progress", Span::raw(text));
    }
    if let Some(summary) = &task.summary {
        add("summary", Span::raw(summary.as_str()));
    }
    add("kind", Span::raw(task.kind.as_str()));
    add("session", Span::raw(task.session.as_str()));
    if let Some(child) = &task.child_session {
        add("child", Span::raw(child.as_str()));
    }
    add("group", Span::raw(task.group.as_str()));
    if let Some(pid) = task.pid {
        add("pid", Span::raw(pid.to_string()));
    }
    add(
        "attempt",
        Span::raw(format!("{} of {}", task.attempt, task.max_attempts)),
    );
    if !task.after.is_empty() {
        let after = task
            .after
            .iter()
            .map(|id| match app.tasks.get(*id) {
                Some(dependency) => format!("{id} ({})", dependency.state.as_str()),
                None => id.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        add("after", Span::raw(after));
    }
    if let Some(parent) = task.parent {
        add("parent", Span::raw(parent.to_string()));
    }
    if let Some(command) = &task.command {
        add("command", Span::raw(command.join(" ")));
    }
    if let Some(cwd) = &task.cwd {
        add("cwd", Span::raw(cwd.as_str()));
    }
    if let Some(output) = task.output {
        let total = output.total_bytes.max(app.output.total_bytes_of(task.id));
        let text = match output.dropped_bytes {
            0 => bytes(total),
            dropped => format!("{} ({} dropped)", bytes(total), bytes(dropped)),
        };
        add("output", Span::raw(text));
    }
    if let Some(ms) = task.timeout_ms {
        add("timeout", Span::raw(duration(ms)));
    }
    add("created", Span::raw(ago(task.created_at, now)));
    if let Some(at) = task.started_at {
        add("started", Span::raw(ago(at, now)));
    }
    if let Some(at) = task.finished_at {
        add("finished", Span::raw(ago(at, now)));
    }
    lines
}

/// `text` in lines of at most `room` characters, broken after a space when one is near.
fn wrap(text: &str, room: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest: Vec<char> = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    while rest.len() > room {
        let cut = match rest[..=room].iter().rposition(|c| *c == ' ') {
            Some(space) if space > room / 2 => space,
            _ => room,
        };
        lines.push(rest[..cut].iter().collect());
        let skip = usize::from(rest.get(cut) == Some(&' '));
        rest.drain(..cut + skip);
    }
    lines.push(rest.into_iter().collect());
    lines
}

fn ago(at: Timestamp, now: Timestamp) -> String {
    format!("{} ago", age(now.millis_since(at)))
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_values_wrap_at_spaces() {
        assert_eq!(
            wrap("review the parser changes", 17),
            ["review the parser", "changes"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("short", 10), ["short"]);
        assert_eq!(wrap("a\nb", 10), ["a b"]);
    }
}
