//! Output as plain text for the model: escape sequences removed and carriage-return redraws
//! applied, so that a colour test run or a progress bar reads as what a terminal would show
//! once it settled.
//!
//! This is a small renderer of its own, kept apart so that a full terminal renderer can take
//! its place: [`plain`] is its whole interface.

/// `text` without escape sequences (CSI, OSC, and two-character `ESC x`), each line reduced
/// to what a terminal shows after its carriage returns (later text overwrites earlier text
/// from the start of the line), backspaces applied, and other control characters except tab
/// removed.
pub(crate) fn plain(text: &str) -> String {
    if !text
        .bytes()
        .any(|byte| byte == 0x1b || byte == b'\r' || byte == 0x08 || byte == 0x9b)
        && !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return text.to_owned();
    }
    let stripped = strip_escapes(text);
    let mut out = String::with_capacity(stripped.len());
    for (index, line) in stripped.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&settle(line));
    }
    out
}

/// Removes escape sequences.
fn strip_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | '_' | '^') => skip_string(&mut chars),
                // `ESC (` and friends take one more character.
                Some('(' | ')' | '*' | '+' | '#' | '%') => {
                    chars.next();
                }
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            _ => out.push(c),
        }
    }
    out
}

/// Skips the parameters and the final byte of a CSI sequence.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// Skips an OSC (or DCS, APC, PM) string up to BEL or `ESC \`.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            '\n' => break,
            _ => {}
        }
    }
}

/// One line as it shows after its carriage returns and backspaces.
fn settle(line: &str) -> String {
    if !line.chars().any(char::is_control) {
        return line.to_owned();
    }
    let mut cells: Vec<char> = Vec::with_capacity(line.len());
    let mut column = 0usize;
    for c in line.chars() {
        match c {
            '\r' => column = 0,
            '\u{8}' => column = column.saturating_sub(1),
            '\t' => {
                put(&mut cells, column, c);
                column += 1;
            }
            c if c.is_control() => {}
            c => {
                put(&mut cells, column, c);
                column += 1;
            }
        }
    }
    cells.into_iter().collect()
}

fn put(cells: &mut Vec<char>, column: usize, c: char) {
    if column < cells.len() {
        cells[column] = c;
    } else {
        cells.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_redraws_read_as_the_terminal_shows_them() {
        assert_eq!(
            plain("\u{1b}[32mok\u{1b}[0m test_a\n\u{1b}[1;31mFAILED\u{1b}[m test_b\n"),
            "ok test_a\nFAILED test_b\n"
        );
        assert_eq!(plain("10%\r50%\r100%\n"), "100%\n");
        assert_eq!(plain("line\r\n"), "line\n");
        assert_eq!(plain("abcdef\rXY\n"), "XYcdef\n");
        assert_eq!(plain("\u{1b}]0;title\u{7}text"), "text");
        assert_eq!(plain("ab\u{8}c"), "ac");
        assert_eq!(plain("plain text\n"), "plain text\n");
    }
}
