//! Boxes drawn over the screen: the help listing every key, and the y/n question.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::theme::Theme;
use crate::app::{Confirm, KEYS};

/// Draws the help overlay centred in `screen`.
pub(crate) fn help(frame: &mut Frame, screen: Rect, theme: Theme) {
    let key_width = KEYS
        .iter()
        .map(|(keys, _)| keys.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let mut lines: Vec<Line<'_>> = KEYS
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<key_width$}"), theme.strong()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::styled(" any key closes this help", theme.dim()));
    let width = u16::try_from(key_width + 56).unwrap_or(u16::MAX);
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let area = centred(screen, width, height);
    let block = Block::bordered()
        .title(" keys ")
        .border_style(theme.border(true));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Draws the y/n question centred in `screen`.
pub(crate) fn confirm(frame: &mut Frame, screen: Rect, question: &Confirm, theme: Theme) {
    let lines = vec![
        Line::from(vec![
            Span::raw(format!("{} ", capitalised(question.action.verb()))),
            Span::styled(question.id.to_string(), theme.strong()),
            Span::raw(format!(
                " \"{}\"?",
                tend_core::display::visible(&question.name)
            )),
        ]),
        Line::from(""),
        Line::from(vec![
            Span::styled("y", theme.strong()),
            Span::raw(": yes   "),
            Span::styled("n", theme.strong()),
            Span::raw(": no"),
        ]),
    ];
    let area = centred(screen, 50, 5);
    let block = Block::bordered()
        .title(" confirm ")
        .border_style(theme.error());
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A box of at most `width` x `height` in the middle of `screen`, never outside it.
fn centred(screen: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(screen.width);
    let height = height.min(screen.height);
    Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height - height) / 2,
        width,
        height,
    }
}
