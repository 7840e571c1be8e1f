//! Where each part of the screen goes for a terminal size: shared by the rendering and by the
//! state (which needs page heights to scroll by pages).

use ratatui::layout::Rect;

/// Which pane keys move and, on small terminals, which one is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    /// The task table.
    #[default]
    Table,
    /// The output pane.
    Output,
}

/// The areas of one screen; an area that is not shown is empty (zero height or width).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    /// The title line: counts, filters and sort.
    pub title: Rect,
    /// The task table, its header row included.
    pub table: Rect,
    /// The record of the selected task.
    pub detail: Rect,
    /// The selected task's output.
    pub output: Rect,
    /// The status line: connection, messages, key hints.
    pub status: Rect,
}

/// Below this height, one pane at a time is shown: the focused one.
const SPLIT_MIN_HEIGHT: u16 = 14;
/// Below this width, the detail pane is not shown beside the output.
const DETAIL_MIN_WIDTH: u16 = 60;

impl Areas {
    /// The areas of a screen `area`, with `focus` shown when only one pane fits, and only the
    /// focused pane when `zoomed`.
    pub fn of(area: Rect, focus: Focus, zoomed: bool) -> Self {
        if area.is_empty() {
            return Self::default();
        }
        let row = |y: u16| Rect {
            y,
            height: 1,
            ..area
        };
        let status = row(area.bottom() - 1);
        if area.height < 3 {
            let title = if area.height == 2 {
                row(area.y)
            } else {
                Rect::default()
            };
            return Self {
                title,
                status,
                ..Self::default()
            };
        }
        let title = row(area.y);
        let main = Rect {
            y: area.y + 1,
            height: area.height - 2,
            ..area
        };
        if zoomed || area.height < SPLIT_MIN_HEIGHT {
            return match focus {
                Focus::Table => Self {
                    title,
                    table: main,
                    status,
                    ..Self::default()
                },
                Focus::Output => Self {
                    title,
                    output: main,
                    status,
                    ..Self::default()
                },
            };
        }
        let table_height = (main.height * 45 / 100).max(4);
        let table = Rect {
            height: table_height,
            ..main
        };
        let bottom = Rect {
            y: main.y + table_height,
            height: main.height - table_height,
            ..main
        };
        if area.width < DETAIL_MIN_WIDTH {
            return Self {
                title,
                table,
                output: bottom,
                status,
                ..Self::default()
            };
        }
        let detail_width = (area.width * 35 / 100).clamp(28, 56);
        let detail = Rect {
            width: detail_width,
            ..bottom
        };
        let output = Rect {
            x: bottom.x + detail_width,
            width: bottom.width - detail_width,
            ..bottom
        };
        Self {
            title,
            table,
            detail,
            output,
            status,
        }
    }

    /// Rows of tasks the table shows (its header excluded).
    pub fn table_rows(&self) -> usize {
        usize::from(self.table.height.saturating_sub(1))
    }

    /// Lines of output the output pane shows (inside its border).
    pub fn output_lines(&self) -> usize {
        usize::from(self.output.height.saturating_sub(2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_size_fits_inside_the_screen() {
        for width in 0..120 {
            for height in 0..40 {
                let screen = Rect::new(0, 0, width, height);
                for focus in [Focus::Table, Focus::Output] {
                    for zoomed in [false, true] {
                        let areas = Areas::of(screen, focus, zoomed);
                        for part in [
                            areas.title,
                            areas.table,
                            areas.detail,
                            areas.output,
                            areas.status,
                        ] {
                            assert!(part.is_empty() || screen.intersection(part) == part);
                        }
                    }
                }
            }
        }
    }
}
