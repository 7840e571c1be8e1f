//! `bg_output`: reads a task's output by cursor, tail or grep, bounded by `max_bytes`.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use tend_proto::{OutputQuery, check_duration};

use super::{Call, default_max_bytes, task_id};
use crate::answer::{Answer, ToolError};
use crate::read::{Shown, head_and_tail, read_bounded};
use crate::render::{self, ReadKind};

/// What a model tells `bg_output`.
pub(crate) const DESCRIPTION: &str = "Read a background task's output. From the start \
(cursor 0): the whole output, or its first quarter and last three quarters of max_bytes with a \
marker naming the cursor of the middle; from a later cursor: the next max_bytes. tail_lines: N \
answers the last N lines; grep: REGEX only the matching lines (context: N adds N lines around \
each). screen: true answers what a tty task's terminal shows now. Costs at most max_bytes \
(default 16384) of output plus a header line; escape sequences removed and repeated lines \
folded in the text. wait_ms waits for output not written yet.";

/// The arguments of `bg_output`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutputArgs {
    /// The task id, e.g. `t7`.
    task_id: String,
    /// Byte offset to read from: 0, or the cursor an earlier answer gave.
    #[serde(default)]
    cursor: u64,
    /// Answer the last N lines instead of reading from cursor (0: off).
    #[serde(default)]
    tail_lines: u64,
    /// A regular expression: answer only the lines that match, scanning from cursor.
    grep: Option<String>,
    /// With grep: also this many lines before and after each match (like grep -C; 0: none).
    #[serde(default)]
    #[schemars(range(max = 1000))]
    context: u64,
    /// The most output bytes in this answer.
    #[serde(default = "default_max_bytes")]
    #[schemars(range(min = 1, max = 16_777_216))]
    max_bytes: u64,
    /// Milliseconds to wait for new output when there is none past cursor yet (0: no wait).
    #[serde(default)]
    #[schemars(range(max = 600_000))]
    wait_ms: u64,
    /// Answer what the task's terminal shows now (its screen, one line per row) instead of
    /// output text: for tty tasks (REPLs, prompts, full-screen programs).
    #[serde(default)]
    screen: bool,
}

/// Reads and answers the output read.
pub(crate) async fn output(call: Call<'_>, args: OutputArgs) -> Result<Answer, ToolError> {
    let id = task_id(&args.task_id)?;
    let grep = args.grep.filter(|pattern| !pattern.is_empty());
    if args.wait_ms > 0 {
        check_duration("wait_ms", args.wait_ms)?;
    }
    if args.context > 0 && grep.is_none() {
        return Err(ToolError::invalid("context needs grep"));
    }
    if args.screen {
        let read = call.client.read_screen(id).await?;
        let lines = &read.screen.lines;
        let used = lines
            .iter()
            .rposition(|l| !l.is_empty())
            .map_or(0, |i| i + 1);
        let mut text = format!(
            "{} ({}) screen {}x{}, cursor at row {} col {}:\n",
            id,
            read.state.as_str(),
            read.screen.rows,
            read.screen.cols,
            read.screen.cursor.row,
            read.screen.cursor.col
        );
        for line in &lines[..used] {
            text.push_str(&tend_core::display::visible(line));
            text.push('\n');
        }
        return Ok(Answer::new(text, &json!(read)));
    }
    // The text is rendered plain for every task (a terminal's too); structuredContent keeps
    // the exact bytes.
    let query = OutputQuery {
        cursor: args.cursor,
        max_bytes: args.max_bytes,
        tail_lines: (args.tail_lines > 0).then_some(args.tail_lines),
        grep: grep.clone(),
        context: (args.context > 0 && grep.is_some()).then_some(args.context),
        wait_ms: (args.wait_ms > 0).then_some(args.wait_ms),
        ..OutputQuery::default()
    };
    let read = read_bounded(call.client, id, &query).await?;
    let kind = match (&grep, args.tail_lines) {
        (Some(pattern), _) => ReadKind::Grep(pattern, args.context),
        (None, 0) => ReadKind::Range,
        (None, lines) => ReadKind::Tail(lines),
    };
    // A read from the start shows the whole output, or its head and its tail; a read from a
    // later cursor goes on from there.
    let shown = if kind == ReadKind::Range && args.cursor == 0 {
        head_and_tail(call.client, id, read, args.max_bytes).await?
    } else {
        Shown {
            head: read,
            tail: None,
        }
    };
    let state = shown.head.state;
    let text = format!(
        "{} ({})\n{}",
        id,
        state.as_str(),
        render::output(&shown, kind)
    );
    Ok(Answer::new(text, &shown.to_json()))
}
