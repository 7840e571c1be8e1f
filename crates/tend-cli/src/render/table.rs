//! An aligned table whose last column is cut to the terminal's width.

use super::style::{Paint, Style};

/// One cell: its text (one line, no control characters) and its colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    text: String,
    paint: Option<Paint>,
}

impl Cell {
    /// A plain cell. Control characters (a name with a newline or an escape sequence) are
    /// made visible (`^J`, `^[`), never sent to the terminal as they are.
    pub fn new(text: impl AsRef<str>) -> Self {
        let text = tend_core::display::visible(text.as_ref()).into_owned();
        Self { text, paint: None }
    }

    /// A coloured cell.
    pub fn painted(text: impl AsRef<str>, paint: Paint) -> Self {
        Self {
            paint: Some(paint),
            ..Self::new(text)
        }
    }
}

/// Rows under headers, each column as wide as its widest cell, two spaces apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
}

const GAP: usize = 2;
/// The last column is never cut below this many characters.
const MIN_LAST: usize = 12;

impl Table {
    /// A table with these headers.
    pub fn new(headers: Vec<&'static str>) -> Self {
        Self {
            headers,
            rows: Vec::new(),
        }
    }

    /// Adds a row (as many cells as headers).
    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// The table as text, one line per row plus the header line, each ending with a newline.
    pub fn render(&self, style: &Style) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.text.chars().count());
            }
        }
        let before_last: usize = widths[..columns.saturating_sub(1)]
            .iter()
            .map(|w| w + GAP)
            .sum();
        let last_room = style
            .width
            .map(|width| width.saturating_sub(before_last).max(MIN_LAST));
        let mut out = String::new();
        let header: Vec<Cell> = self
            .headers
            .iter()
            .map(|h| Cell::painted(h, Paint::Bold))
            .collect();
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (index, cell) in row.iter().enumerate() {
                let last = index + 1 == columns;
                let text = match last_room {
                    Some(room) if last => cut(&cell.text, room),
                    _ => cell.text.clone(),
                };
                line.push_str(&style.paint(&text, cell.paint));
                if !last {
                    let pad = widths[index] - text.chars().count() + GAP;
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// `text` cut to `room` characters, ending with `…` when cut.
fn cut(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(room.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut table = Table::new(vec!["ID", "STATE", "NAME"]);
        table.push(vec![
            Cell::new("t1"),
            Cell::new("running"),
            Cell::new("npm run dev"),
        ]);
        table.push(vec![
            Cell::new("t10"),
            Cell::painted("failed", Paint::Red),
            Cell::new("a very long name that goes on\nand on"),
        ]);
        table
    }

    #[test]
    fn columns_are_aligned() {
        let text = table().render(&Style::default());
        assert_eq!(
            text,
            "ID   STATE    NAME\n\
             t1   running  npm run dev\n\
             t10  failed   a very long name that goes on^Jand on\n"
        );
    }

    #[test]
    fn the_last_column_is_cut_to_the_width_and_colours_do_not_count() {
        let style = Style {
            color: true,
            width: Some(30),
        };
        let text = table().render(&style);
        let last = text.lines().last().unwrap();
        assert_eq!(last, "t10  \x1b[31mfailed\x1b[0m   a very long nam…");
        let plain = Style {
            color: false,
            width: Some(30),
        };
        assert!(
            table()
                .render(&plain)
                .lines()
                .all(|line| line.chars().count() <= 30)
        );
    }
}
