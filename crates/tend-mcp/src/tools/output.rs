//! `bg_output`: reads a task's output by cursor, tail or grep, bounded by `max_bytes`.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use tend_proto::{OutputQuery, OutputRender, check_duration};

use super::{Call, default_max_bytes, task_id};
use crate::answer::{Answer, ToolError};
use crate::read::read_bounded;
use crate::render::{self, ReadKind};

/// What a model tells `bg_output`.
pub(crate) const DESCRIPTION: &str = "Read a background task's output without flooding your \
context. Reads from cursor (0 = the start); every answer gives the cursor to continue from, so \
nothing is read twice. tail_lines: N answers the last N lines instead (best for a finished \
build or test run); grep: REGEX answers only the matching lines from cursor. At most max_bytes \
(default 16384) per answer; it says how much was left out and where to continue. wait_ms waits \
up to that long for new output when there is none past cursor yet. screen: true answers what a \
tty task's terminal shows now (a REPL's answer, a prompt, a full-screen program).";

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
    // The text of a terminal's output is answered plain (no escape sequences, redraws applied).
    let tty = call.client.get_task(id).await?.tty.is_some();
    let query = OutputQuery {
        render: if tty {
            OutputRender::Plain
        } else {
            OutputRender::Raw
        },
        cursor: args.cursor,
        max_bytes: args.max_bytes,
        tail_lines: (args.tail_lines > 0).then_some(args.tail_lines),
        grep: grep.clone(),
        wait_ms: (args.wait_ms > 0).then_some(args.wait_ms),
        ..OutputQuery::default()
    };
    let read = read_bounded(call.client, id, &query).await?;
    let kind = match (&grep, args.tail_lines) {
        (Some(pattern), _) => ReadKind::Grep(pattern),
        (None, 0) => ReadKind::Range,
        (None, lines) => ReadKind::Tail(lines),
    };
    let text = format!(
        "{} ({})\n{}",
        id,
        read.state.as_str(),
        render::output(&read, kind)
    );
    Ok(Answer::new(text, &json!(read)))
}
