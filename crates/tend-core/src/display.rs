//! Short human texts of durations and outcomes, shared by every front end so that the CLI, the
//! terminal UI, the MCP server and notifications say the same thing the same way.

use std::fmt;

use crate::task::{Reason, Task};

/// A duration in a compact form: `350ms`, `42s`, `3m 5s`, `2h 4m`.
pub fn compact_duration(ms: u64) -> String {
    let mut out = String::new();
    write_compact_duration(&mut out, ms).expect("writing to a String cannot fail");
    out
}

/// Writes [`compact_duration`] into `out` without allocating a string of its own.
pub fn write_compact_duration(out: &mut impl fmt::Write, ms: u64) -> fmt::Result {
    let secs = ms / 1000;
    match secs {
        0 => write!(out, "{ms}ms"),
        1..60 => write!(out, "{secs}s"),
        60..3600 => write!(out, "{}m {}s", secs / 60, secs % 60),
        _ => write!(out, "{}h {}m", secs / 3600, secs % 3600 / 60),
    }
}

/// A short age: `3s`, `5m`, `2h`, `4d` (hours up to 47, then days).
pub fn short_age(ms: u64) -> String {
    let seconds = ms / 1000;
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m", seconds / 60),
        3600..172_800 => format!("{}h", seconds / 3600),
        _ => format!("{}d", seconds / 86_400),
    }
}

/// How a task ended, in a few characters: `exit 0`, `SIGKILL`, `timed_out`; `-` while live.
pub fn result_text(task: &Task) -> String {
    match (task.reason, task.exit_code, &task.signal) {
        (None, ..) => "-".to_owned(),
        (Some(Reason::Exited), Some(code), _) => format!("exit {code}"),
        (Some(Reason::Signaled), _, Some(signal)) => signal.clone(),
        (Some(reason), ..) => reason.as_str().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{compact_duration, short_age};

    #[test]
    fn durations_and_ages_read_naturally() {
        assert_eq!(compact_duration(350), "350ms");
        assert_eq!(compact_duration(42_000), "42s");
        assert_eq!(compact_duration(185_000), "3m 5s");
        assert_eq!(compact_duration(7_440_000), "2h 4m");
        assert_eq!(short_age(59_999), "59s");
        assert_eq!(short_age(47 * 3_600_000), "47h");
        assert_eq!(short_age(4 * 86_400_000), "4d");
    }
}

/// `text` with its control characters made visible, for a terminal (CONTRACT.md §12): C0
/// controls in caret notation (ESC is `^[`, BEL `^G`, a newline `^J`), DEL as `^?`, and C1
/// controls as `\u{9b}`. A terminal shown the result interprets nothing of it. Text without
/// control characters is borrowed as it is.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\0'..='\x1f' => {
                out.push('^');
                out.push(char::from(c as u8 + 0x40));
            }
            '\x7f' => out.push_str("^?"),
            c if c.is_control() => {
                use fmt::Write as _;
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod visible_tests {
    use super::visible;

    #[test]
    fn escape_sequences_are_shown_not_interpreted() {
        assert_eq!(visible("\x1b]0;PWNED\x07\x1b[2J"), "^[]0;PWNED^G^[[2J");
        assert_eq!(visible("a\nb\tc\x7f"), "a^Jb^Ic^?");
        assert_eq!(visible("csi \u{9b}31m"), "csi \\u{9b}31m");
        assert_eq!(visible("plain: é ✓"), "plain: é ✓");
        assert!(matches!(visible("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
