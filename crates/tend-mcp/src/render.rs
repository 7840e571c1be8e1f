//! Text for the model: one line per task, output reads with what was left out and where to
//! continue.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use tend_core::{Reason, State, Task, Timestamp};

use crate::plain::plain;
use crate::read::Shown;

/// The current time.
pub(crate) fn now() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Timestamp::from_millis(i64::try_from(millis).unwrap_or(i64::MAX))
}

pub(crate) use tend_core::display::compact_duration as duration;

/// `t7 "npm test"`.
pub(crate) fn label(task: &Task) -> String {
    format!("{} {:?}", task.id, task.name)
}

/// The state in words: `completed (exit 0)`, `failed (exit 1)`, `cancelled (stopped; SIGTERM)`,
/// `running (pid 4242)`, `pending (after t3)`.
pub(crate) fn state(task: &Task) -> String {
    let ending = || {
        let mut parts = Vec::new();
        if let Some(reason) = task.reason
            && !matches!(reason, Reason::Exited)
        {
            parts.push(reason.as_str().to_owned());
        }
        if let Some(code) = task.exit_code {
            parts.push(format!("exit {code}"));
        }
        if let Some(signal) = &task.signal {
            parts.push(signal.clone());
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join("; "))
        }
    };
    match task.state {
        State::Completed | State::Failed | State::Cancelled => {
            format!("{}{}", task.state.as_str(), ending())
        }
        State::Running | State::Waiting | State::CancelRequested => {
            let word = match task.state {
                State::CancelRequested => "stopping",
                _ => task.state.as_str(),
            };
            match task.pid {
                Some(pid) => format!("{word} (pid {pid})"),
                None => word.to_owned(),
            }
        }
        State::Pending if task.after.is_empty() => "pending".to_owned(),
        State::Pending => {
            let after: Vec<String> = task.after.iter().map(ToString::to_string).collect();
            format!("pending (after {})", after.join(", "))
        }
    }
}

/// How long it ran or has been running: `after 42s` / `for 3s`.
pub(crate) fn age(task: &Task, now: Timestamp) -> String {
    let since = task.started_at.unwrap_or(task.created_at);
    match task.finished_at {
        Some(end) => format!("after {}", duration(end.millis_since(since))),
        None => format!("for {}", duration(now.millis_since(since))),
    }
}

/// One line per task: `t7 "npm test": failed (exit 1) after 42s`, with the summary of external
/// and failed-to-start tasks and, when asked, the session.
pub(crate) fn task_line(task: &Task, now: Timestamp, with_session: bool) -> String {
    let mut line = format!("{}: {} {}", label(task), state(task), age(task, now));
    if with_session {
        let _ = write!(line, " [session {}]", task.session);
    }
    if let Some(summary) = &task.summary {
        let _ = write!(line, " — {}", first_line(summary, 200));
    }
    line
}

fn first_line(text: &str, max_chars: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > max_chars {
        let cut: String = line.chars().take(max_chars).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}

/// How an output read was asked for, to say what the answer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadKind<'a> {
    /// From a cursor.
    Range,
    /// The last N lines.
    Tail(u64),
    /// Lines matching a pattern, with this many lines of context around each.
    Grep(&'a str, u64),
}

/// Output as the model reads it: `plain` (escape sequences removed, carriage-return redraws
/// applied) and runs of three or more identical lines folded.
pub(crate) fn for_model(data: &str) -> String {
    fold(&plain(data))
}

/// Folds each run of three or more identical lines into the line and
/// `[... same line N more times]`.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let mut more = 0usize;
        // A last line without newline is not the same as the ones before it with one.
        while lines.peek() == Some(&line) {
            lines.next();
            more += 1;
        }
        out.push_str(line);
        if more >= 2 {
            if !line.ends_with('\n') {
                out.push('\n');
            }
            let _ = writeln!(out, "[... same line {more} more times]");
        } else if more == 1 {
            out.push_str(line);
        }
    }
    out
}

/// What an answer shows of a task's output as text: a header saying which bytes it holds,
/// the data (for the model: see [`for_model`]), and when the middle is left out a marker line
/// naming the cursor that reads it. A footer says how to go on, when there is more; a read that
/// reaches the end of a finished task says so in its header, so that the text ends with the
/// task's last line.
pub(crate) fn output(shown: &Shown, kind: ReadKind<'_>) -> String {
    let read = &shown.head;
    let id = read.task_id;
    let (end, total, eof, next) = match &shown.tail {
        Some(tail) => (
            tail.next_cursor,
            tail.total_bytes,
            tail.eof,
            tail.next_cursor,
        ),
        None => (
            read.next_cursor,
            read.total_bytes,
            read.eof,
            read.next_cursor,
        ),
    };
    let mut text = String::new();
    let mut header = match kind {
        ReadKind::Range if read.data.is_empty() && total == 0 => "no output yet".to_owned(),
        ReadKind::Range if read.data.is_empty() => {
            format!("no output past byte {} (total {total} bytes)", read.cursor)
        }
        ReadKind::Range => match &shown.tail {
            Some(tail) => format!(
                "output bytes {}..{} and {}..{end} of {total}",
                read.cursor, read.next_cursor, tail.cursor
            ),
            None => format!("output bytes {}..{end} of {total}", read.cursor),
        },
        ReadKind::Tail(lines) => format!(
            "last {lines} lines (bytes {}..{end} of {total})",
            read.cursor
        ),
        ReadKind::Grep(pattern, _) if read.data.is_empty() => format!(
            "no line matches /{pattern}/ in bytes {}..{end} of {total}",
            read.cursor
        ),
        ReadKind::Grep(pattern, 0) => format!(
            "lines matching /{pattern}/ in bytes {}..{end} of {total}",
            read.cursor
        ),
        ReadKind::Grep(pattern, context) => format!(
            "lines matching /{pattern}/ with {context} lines of context in bytes {}..{end} of \
             {total}",
            read.cursor
        ),
    };
    if eof && kind == ReadKind::Range && read.cursor == 0 && shown.tail.is_none() {
        // The whole output of a finished task: its size says all.
        header = format!("output ({total} bytes, all of it)");
    } else if eof {
        header.push_str(", to the end: the task has finished");
    }
    let _ = writeln!(text, "--- {header} ---");
    push_data(&mut text, &read.data);
    if let Some(tail) = &shown.tail {
        let _ = writeln!(
            text,
            "[... {} bytes left out: bg_output task_id={id} cursor={} max_bytes={} reads them ...]",
            shown.left_out(),
            read.next_cursor,
            shown.left_out().clamp(1, 16 << 20),
        );
        push_data(&mut text, &tail.data);
    }
    let mut notes = Vec::new();
    if read.dropped_bytes > 0 {
        notes.push(format!(
            "{} bytes in the middle of the output were dropped by the output cap",
            read.dropped_bytes
        ));
    }
    let after = total.saturating_sub(next);
    match kind {
        ReadKind::Tail(_) if read.truncated => notes.push(format!(
            "the tail was cut to max_bytes; {} earlier bytes not shown",
            read.cursor
        )),
        ReadKind::Tail(_) => {}
        ReadKind::Grep(pattern, _) if read.truncated || after > 0 => notes.push(format!(
            "max_bytes reached; {after} bytes not searched: continue with bg_output \
             task_id={id} grep={pattern:?} cursor={next}"
        )),
        ReadKind::Grep(..) => {}
        ReadKind::Range if after > 0 => notes.push(format!(
            "{after} bytes left out: continue with bg_output task_id={id} cursor={next}, \
             or read the end with tail_lines"
        )),
        ReadKind::Range => {}
    }
    if !eof && !read.state.is_terminal() && after == 0 {
        notes.push(format!(
            "the task is {}: more output may come; continue with bg_output task_id={id} \
             cursor={next} (wait_ms waits for it)",
            read.state.as_str(),
        ));
    }
    if !notes.is_empty() {
        let _ = writeln!(text, "--- {} ---", notes.join("; "));
    }
    text
}

fn push_data(text: &mut String, data: &str) {
    if !data.is_empty() {
        text.push_str(&for_model(data));
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use tend_core::{ClosePolicy, Kind, TaskId};
    use tend_proto::OutputRead;

    use super::*;
    use crate::read::Tail;

    pub(crate) fn task(state: State) -> Task {
        Task {
            id: TaskId::new(7),
            kind: Kind::Shell,
            session: "s".into(),
            parent: None,
            child_session: None,
            key: None,
            name: "npm test".into(),
            command: None,
            cwd: None,
            group: "default".into(),
            state,
            reason: None,
            exit_code: None,
            signal: None,
            summary: None,
            attempt: 1,
            max_attempts: 1,
            after: vec![],
            pid: None,
            progress: None,
            output: None,
            ports: Vec::new(),
            ready: None,
            ready_at: None,
            tty: None,
            close_policy: ClosePolicy::Cancel,
            timeout_ms: None,
            idle_timeout_ms: None,
            created_at: Timestamp::from_millis(1_000),
            started_at: Some(Timestamp::from_millis(2_000)),
            updated_at: Timestamp::from_millis(2_000),
            finished_at: None,
        }
    }

    fn read(data: &str, cursor: u64, next: u64, total: u64, state: State) -> OutputRead {
        OutputRead {
            task_id: TaskId::new(7),
            state,
            data: data.into(),
            cursor,
            next_cursor: next,
            total_bytes: total,
            dropped_bytes: 0,
            truncated: next < total,
            eof: state.is_terminal() && next == total,
        }
    }

    #[test]
    fn task_lines_read_naturally() {
        let mut failed = task(State::Failed);
        failed.reason = Some(Reason::Exited);
        failed.exit_code = Some(1);
        failed.finished_at = Some(Timestamp::from_millis(44_000));
        let now = Timestamp::from_millis(50_000);
        assert_eq!(
            task_line(&failed, now, false),
            r#"t7 "npm test": failed (exit 1) after 42s"#
        );
        let mut running = task(State::Running);
        running.pid = Some(4242);
        assert_eq!(
            task_line(&running, now, true),
            r#"t7 "npm test": running (pid 4242) for 48s [session s]"#
        );
        let mut stopped = task(State::Cancelled);
        stopped.reason = Some(Reason::Stopped);
        stopped.signal = Some("SIGTERM".into());
        assert_eq!(state(&stopped), "cancelled (stopped; SIGTERM)");
        assert_eq!(duration(185_000), "3m 5s");
    }

    fn whole(read: OutputRead) -> Shown {
        Shown {
            head: read,
            tail: None,
        }
    }

    #[test]
    fn repeated_lines_fold_and_others_stay() {
        assert_eq!(fold("a\na\nb\n"), "a\na\nb\n");
        assert_eq!(
            fold("x\nsame\nsame\nsame\nsame\ny"),
            "x\nsame\n[... same line 3 more times]\ny"
        );
        assert_eq!(fold("z\nz\nz"), "z\nz\nz");
        assert_eq!(fold("z\nz\nz\nz"), "z\n[... same line 2 more times]\nz");
    }

    #[test]
    fn head_and_tail_name_the_cursor_of_the_middle() {
        let mut head = read("1\n2\n", 0, 4, 100, State::Completed);
        head.truncated = true;
        head.eof = false;
        let tail = Tail {
            cursor: 90,
            next_cursor: 100,
            total_bytes: 100,
            eof: true,
            data: "99\n100\n".into(),
        };
        let shown = Shown {
            head,
            tail: Some(tail),
        };
        let text = output(&shown, ReadKind::Range);
        assert_eq!(
            text,
            "--- output bytes 0..4 and 90..100 of 100, to the end: the task has finished ---\n\
             1\n2\n[... 86 bytes left out: bg_output task_id=t7 cursor=4 max_bytes=86 reads them \
             ...]\n99\n100\n"
        );
    }

    #[test]
    fn reads_say_what_was_left_out_and_where_to_continue() {
        let text = output(
            &whole(read("abc", 0, 3, 10, State::Completed)),
            ReadKind::Range,
        );
        assert!(
            text.starts_with("--- output bytes 0..3 of 10 ---\nabc\n"),
            "{text}"
        );
        assert!(text.contains("7 bytes left out: continue with bg_output task_id=t7 cursor=3"));
        let text = output(
            &whole(read("abc\n", 0, 4, 4, State::Completed)),
            ReadKind::Range,
        );
        assert_eq!(text, "--- output (4 bytes, all of it) ---\nabc\n");
        let text = output(&whole(read("", 4, 4, 4, State::Running)), ReadKind::Range);
        assert!(text.contains("cursor=4 (wait_ms"), "{text}");
        let text = output(
            &whole(read("", 0, 4, 4, State::Completed)),
            ReadKind::Grep("x+", 0),
        );
        assert!(text.contains("no line matches /x+/"), "{text}");
    }
}
