//! The task table: one row per task of the view, only the visible rows built; columns are
//! dropped, least useful first, when the terminal is narrow.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use tend_core::display::visible;
use tend_core::{Task, Timestamp};

use super::theme::Theme;
use crate::app::{App, ViewWidths};
use crate::format::{age, ran, result};

/// A column of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    State,
    Result,
    Group,
    Session,
    Age,
    Ran,
    Name,
}

/// Optional columns, most useful first: added while the name keeps its minimum width.
const OPTIONAL: [Column; 5] = [
    Column::Age,
    Column::Result,
    Column::Session,
    Column::Ran,
    Column::Group,
];
/// The narrowest the name column gets while optional columns are shown.
const NAME_MIN: u16 = 12;
/// The widest a session or group column gets.
const TEXT_MAX: usize = 20;

impl Column {
    fn title(self) -> &'static str {
        match self {
            Self::Id => "ID",
            Self::State => "STATE",
            Self::Result => "RESULT",
            Self::Group => "GROUP",
            Self::Session => "SESSION",
            Self::Age => "AGE",
            Self::Ran => "RAN",
            Self::Name => "NAME",
        }
    }

    fn width(self, widths: ViewWidths) -> u16 {
        let content = match self {
            Self::Id => widths.id,
            Self::State => widths.state,
            Self::Result => widths.result,
            Self::Group => widths.group.min(TEXT_MAX),
            Self::Session => widths.session.min(TEXT_MAX),
            Self::Age => 4,
            Self::Ran => 6,
            Self::Name => 0,
        };
        u16::try_from(content.max(self.title().len())).unwrap_or(u16::MAX)
    }

    fn cell(self, task: &Task, now: Timestamp, theme: Theme) -> Cell<'_> {
        match self {
            Self::Id => Cell::from(task.id.to_string()),
            Self::State => Cell::from(task.state.as_str()).style(theme.state(task.state)),
            Self::Result => Cell::from(result(task)),
            Self::Group => Cell::from(visible(&task.group).into_owned()),
            Self::Session => Cell::from(visible(&task.session).into_owned()),
            Self::Age => Cell::from(age(now.millis_since(task.created_at))),
            Self::Ran => Cell::from(ran(task, now)),
            Self::Name => Cell::from(visible(&task.name).into_owned()),
        }
    }
}

/// The columns that fit in `width`, in display order.
fn columns(width: u16, widths: ViewWidths) -> Vec<Column> {
    let mut chosen = vec![Column::Id, Column::State];
    let used =
        |chosen: &[Column]| -> u16 { chosen.iter().map(|column| column.width(widths) + 1).sum() };
    for column in OPTIONAL {
        let mut candidate = chosen.clone();
        candidate.push(column);
        if used(&candidate) + NAME_MIN <= width {
            chosen = candidate;
        }
    }
    let order = [
        Column::Id,
        Column::State,
        Column::Result,
        Column::Group,
        Column::Session,
        Column::Age,
        Column::Ran,
    ];
    let mut shown: Vec<Column> = order
        .into_iter()
        .filter(|column| chosen.contains(column))
        .collect();
    shown.push(Column::Name);
    shown
}

/// Draws the table in `area`: a header row, then the visible rows of the view.
pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let view = app.tasks.view();
    if view.is_empty() {
        let text = if app.tasks.is_empty() {
            "no tasks yet"
        } else {
            "no task matches the filters"
        };
        let lines = vec![
            Line::from(""),
            Line::styled(format!("  {text}"), theme.dim()),
        ];
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let widths = app.tasks.widths();
    let columns = columns(area.width, widths);
    let header =
        Row::new(columns.iter().map(|column| Cell::from(column.title()))).style(theme.header());
    let rows_shown = usize::from(area.height.saturating_sub(1));
    let first = app
        .table_offset
        .min(view.len().saturating_sub(rows_shown.max(1)));
    let rows = view
        .iter()
        .enumerate()
        .skip(first)
        .take(rows_shown)
        .filter_map(|(row, id)| {
            let task = app.tasks.get(*id)?;
            let cells = columns
                .iter()
                .map(|column| column.cell(task, app.now, theme));
            let style = if row == app.selected_row {
                theme.selected()
            } else {
                Default::default()
            };
            Some(Row::new(cells).style(style))
        });
    let constraints = columns.iter().map(|column| match column {
        Column::Name => Constraint::Fill(1),
        other => Constraint::Length(other.width(widths)),
    });
    let table = Table::new(rows, constraints)
        .header(header)
        .column_spacing(1);
    frame.render_widget(table, area);
}
