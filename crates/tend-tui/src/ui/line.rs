//! Output bytes made safe to draw: invalid UTF-8 and control characters become U+FFFD,
//! terminal escape sequences are left out, tabs become spaces, and a carriage return starts the
//! line over as a terminal would.

/// The most bytes of one line looked at: a longer line is cut.
const MAX_LINE_BYTES: usize = 64 * 1024;
/// Tab stops every this many columns.
const TAB: usize = 8;

/// The text of one output line, skipping `skip` columns and keeping at most `width`.
pub(crate) fn display(bytes: &[u8], skip: usize, width: usize) -> String {
    let mut line = &bytes[..bytes.len().min(MAX_LINE_BYTES)];
    if let Some(body) = line.strip_suffix(b"\r") {
        line = body;
    }
    if let Some(at) = memchr::memrchr(b'\r', line) {
        line = &line[at + 1..];
    }
    let text = String::from_utf8_lossy(line);
    let mut out = Columns {
        text: String::new(),
        column: 0,
        skip,
        width,
        kept: 0,
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if out.kept >= width {
            break;
        }
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\t' => {
                for _ in 0..TAB - out.column % TAB {
                    out.put(' ');
                }
            }
            c if c.is_control() => out.put('\u{fffd}'),
            c => out.put(c),
        }
    }
    out.text
}

/// The text being built, and where it stands.
struct Columns {
    text: String,
    column: usize,
    skip: usize,
    width: usize,
    kept: usize,
}

impl Columns {
    fn put(&mut self, c: char) {
        if self.column >= self.skip && self.kept < self.width {
            self.text.push(c);
            self.kept += 1;
        }
        self.column += 1;
    }
}

/// Skips the rest of an escape sequence whose ESC was just read: CSI (`ESC [ ... final`), OSC
/// and other strings (`ESC ] ... BEL` or `... ESC \`), or a two-character sequence.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
        Some(']' | 'P' | '_' | '^' | 'X') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                    break;
                }
            }
        }
        Some('(' | ')' | '*' | '+' | '#' | '%') => {
            chars.next();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_left_out_and_controls_replaced() {
        assert_eq!(display(b"\x1b[1;31merror\x1b[0m: bad", 0, 80), "error: bad");
        assert_eq!(display(b"\x1b]0;title\x07text", 0, 80), "text");
        assert_eq!(display(b"a\x00b\x7f", 0, 80), "a\u{fffd}b\u{fffd}");
        assert_eq!(
            display(b"caf\xc3\xa9 \xff\xfe", 0, 80),
            "caf\u{e9} \u{fffd}\u{fffd}"
        );
    }

    #[test]
    fn carriage_returns_start_over_and_tabs_expand() {
        assert_eq!(display(b"10%\r50%\r100%", 0, 80), "100%");
        assert_eq!(display(b"windows line\r", 0, 80), "windows line");
        assert_eq!(display(b"a\tb", 0, 80), "a       b");
    }

    #[test]
    fn columns_are_skipped_and_cut() {
        assert_eq!(display(b"0123456789", 3, 4), "3456");
        assert_eq!(display(b"0123", 10, 4), "");
        assert_eq!(display(&[b'x'; 1 << 20], 0, 5), "xxxxx");
    }
}
