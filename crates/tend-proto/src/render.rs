//! Text a person would read from a terminal's bytes (CONTRACT §8, `render=plain`).
//!
//! [`plain`] removes escape sequences (CSI, OSC, DCS and the other ESC sequences, and the C1
//! CSI) and applies, within each line, what a terminal does with carriage returns (go back to
//! the start: later text overwrites), backspaces (one column back) and erase-in-line
//! (`ESC [ K`). So a progress bar that redraws itself with `\r` reads as its last state. Other
//! control characters except `\t` are dropped. It works on any chunk of text; a sequence cut by
//! the chunk's end is dropped, and a line cut by it is rendered as far as it goes.

/// The text of `raw` without escape sequences, with `\r`, backspace and erase-in-line applied
/// per line. Lines end with `\n` (a `\r\n` pair is one end of line).
pub fn plain(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut line: Vec<char> = Vec::new();
    let mut col = 0usize;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                out.extend(line.drain(..));
                out.push('\n');
                col = 0;
            }
            '\r' => col = 0,
            '\u{8}' => col = col.saturating_sub(1),
            '\u{1b}' => match chars.next() {
                Some('[') => csi(&mut chars, &mut line, col),
                Some(']' | 'P' | 'X' | '^' | '_') => string_sequence(&mut chars),
                // Charset designations take one more character.
                Some('(' | ')' | '*' | '+' | '-' | '.' | '/' | '#' | '%' | ' ') => {
                    chars.next();
                }
                _ => {}
            },
            '\u{9b}' => csi(&mut chars, &mut line, col),
            '\t' => put(&mut line, &mut col, c),
            c if c.is_control() => {}
            c => put(&mut line, &mut col, c),
        }
    }
    out.extend(line);
    out
}

fn put(line: &mut Vec<char>, col: &mut usize, c: char) {
    if *col < line.len() {
        line[*col] = c;
    } else {
        line.resize(*col, ' ');
        line.push(c);
    }
    *col += 1;
}

/// Skips a control sequence's parameters up to its final byte; applies erase-in-line.
fn csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, line: &mut Vec<char>, col: usize) {
    let mut params = String::new();
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            if c == 'K' {
                match params.as_str() {
                    "" | "0" => line.truncate(col),
                    "1" => line.iter_mut().take(col + 1).for_each(|c| *c = ' '),
                    "2" => line.clear(),
                    _ => {}
                }
            }
            return;
        }
        if !(' '..='?').contains(&c) {
            // Not part of a control sequence: the sequence was malformed; drop it.
            return;
        }
        params.push(c);
    }
}

/// Skips an OSC, DCS, SOS, PM or APC string up to BEL or ST (`ESC \`).
fn string_sequence(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn a_progress_bar_reads_as_its_last_state() {
        let mut raw = String::new();
        for i in 1..=100 {
            raw.push_str(&format!("\r[{:<10}] {i:3}%", "#".repeat(i / 10)));
        }
        raw.push_str("\r\ndone\r\n");
        assert_eq!(plain(&raw), "[##########] 100%\ndone\n");
    }

    #[test]
    fn escape_sequences_are_removed() {
        let raw = "\u{1b}[1;31mred\u{1b}[0m \u{1b}]0;title\u{7}plain\u{1b}]8;;http://x\u{1b}\\link\
                   \u{1b}(B\u{1b}=\u{9b}2Jend";
        assert_eq!(plain(raw), "red plainlinkend");
    }

    #[test]
    fn backspace_and_erase_in_line_apply_within_the_line() {
        assert_eq!(plain("abc\u{8}\u{8}XY\n"), "aXY\n");
        assert_eq!(plain("long text\r\u{1b}[Kshort\n"), "short\n");
        assert_eq!(plain("12345\rab\n"), "ab345\n");
        assert_eq!(plain("a\tb\u{7}c"), "a\tbc");
    }
}
