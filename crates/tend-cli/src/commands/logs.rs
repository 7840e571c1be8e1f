//! `tend logs ID`: the output's bytes exactly as written; `-f` follows until the task ends.
//! With `--grep`, the matching lines, and exit 1 when none matched (as grep does).

use tend_client::FOLLOW_POLL;
use tend_core::TaskId;
use tend_proto::{MAX_LONG_POLL_MS, MAX_READ_BYTES, OutputQuery, OutputRender, OutputStream};

use crate::cli::LogsArgs;
use crate::context::Context;
use crate::stream::{self, Sink};
use crate::{exit, output};

/// The UTF-8 encoding of U+FFFD, which `--grep` and `--json` put for invalid bytes.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// What was printed.
#[derive(Debug, Default)]
struct Printed {
    /// Bytes printed.
    bytes: u64,
    /// Whether what was printed holds U+FFFD.
    replacement: bool,
}

impl Printed {
    fn add(&mut self, data: &[u8]) {
        self.bytes += data.len() as u64;
        self.replacement |= data.windows(REPLACEMENT.len()).any(|w| w == REPLACEMENT);
    }
}

/// Runs `tend logs`.
pub async fn run(context: &Context, args: &LogsArgs) -> anyhow::Result<u8> {
    let id = crate::ids::resolve(context, &args.id).await?;
    let stream = if args.stderr {
        OutputStream::Stderr
    } else {
        OutputStream::Combined
    };
    let query = OutputQuery {
        cursor: args.cursor.unwrap_or(0),
        max_bytes: MAX_READ_BYTES,
        tail_lines: args.tail,
        grep: args.grep.clone(),
        stream,
        render: if args.plain {
            OutputRender::Plain
        } else {
            OutputRender::Raw
        },
        ..OutputQuery::default()
    };
    if args.plain && !context.json {
        return print_plain(context, id, args, query).await;
    }
    let about = |error| crate::ids::task_error(id, error);
    let printed = match (context.json, args.follow) {
        (false, true) => {
            let copied = stream::copy(&context.client, id, query, Sink::Stdout, None).await?;
            Printed {
                bytes: copied.bytes,
                replacement: false,
            }
        }
        (false, false) => print_present(context, id, query).await?,
        (true, false) => {
            let read = context
                .client
                .read_output(id, &query)
                .await
                .map_err(about)?;
            output::json(&read)?;
            let mut printed = Printed::default();
            printed.add(read.data.as_bytes());
            printed
        }
        (true, true) => follow_json(context, id, query).await?,
    };
    // Text without --grep is the exact bytes; otherwise invalid bytes became U+FFFD.
    let replaced = (context.json || args.grep.is_some()) && printed.replacement;
    if replaced && has_invalid_bytes(context, id, stream).await? {
        eprintln!(
            "tend: note: invalid UTF-8 bytes in the output of {id} are shown as U+FFFD; \
             `tend logs {id}` without --grep or --json prints the exact bytes"
        );
    }
    if args.grep.is_some() && printed.bytes == 0 {
        return Ok(exit::ERROR);
    }
    Ok(exit::OK)
}

/// Everything written so far (or the tail), in as many reads as it takes.
async fn print_present(
    context: &Context,
    id: TaskId,
    mut query: OutputQuery,
) -> anyhow::Result<Printed> {
    let mut printed = Printed::default();
    loop {
        let chunk = context
            .client
            .read_output_raw(id, &query)
            .await
            .map_err(|error| crate::ids::task_error(id, error))?;
        output::bytes(&chunk.data)?;
        printed.add(&chunk.data);
        if !chunk.truncated || chunk.next_cursor <= query.cursor {
            return Ok(printed);
        }
        query.cursor = chunk.next_cursor;
        query.tail_lines = None;
    }
}

/// `--plain`: the text of JSON reads with `render=plain`, following with `-f`.
async fn print_plain(
    context: &Context,
    id: TaskId,
    args: &LogsArgs,
    mut query: OutputQuery,
) -> anyhow::Result<u8> {
    let wait = u64::try_from(FOLLOW_POLL.as_millis()).unwrap_or(MAX_LONG_POLL_MS);
    loop {
        let read = context
            .client
            .read_output(id, &query)
            .await
            .map_err(|error| crate::ids::task_error(id, error))?;
        output::bytes(read.data.as_bytes())?;
        let more = read.truncated && read.next_cursor > query.cursor;
        if read.eof || !(more || args.follow) {
            return Ok(exit::OK);
        }
        query.cursor = read.next_cursor;
        query.tail_lines = None;
        if !more {
            query.wait_ms = Some(wait);
        }
    }
}

/// One JSON output read per line until the end.
async fn follow_json(
    context: &Context,
    id: TaskId,
    mut query: OutputQuery,
) -> anyhow::Result<Printed> {
    let wait = u64::try_from(FOLLOW_POLL.as_millis()).unwrap_or(MAX_LONG_POLL_MS);
    let mut printed = Printed::default();
    loop {
        let read = context
            .client
            .read_output(id, &query)
            .await
            .map_err(|error| crate::ids::task_error(id, error))?;
        if !read.data.is_empty() || read.eof {
            output::json(&read)?;
            printed.add(read.data.as_bytes());
        }
        if read.eof {
            return Ok(printed);
        }
        query.cursor = read.next_cursor;
        query.tail_lines = None;
        query.wait_ms = Some(wait);
    }
}

/// Whether the stream's exact bytes hold a sequence that is not UTF-8 (read in raw pieces).
async fn has_invalid_bytes(
    context: &Context,
    id: TaskId,
    stream: OutputStream,
) -> anyhow::Result<bool> {
    let mut query = OutputQuery {
        max_bytes: MAX_READ_BYTES,
        stream,
        ..OutputQuery::default()
    };
    // The bytes of a character cut by the end of the previous piece.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let chunk = context.client.read_output_raw(id, &query).await?;
        carry.extend_from_slice(&chunk.data);
        match std::str::from_utf8(&carry) {
            Ok(_) => carry.clear(),
            Err(error) if error.error_len().is_some() => return Ok(true),
            Err(error) => {
                carry.drain(..error.valid_up_to());
            }
        }
        if !chunk.truncated || chunk.next_cursor <= query.cursor {
            return Ok(!carry.is_empty());
        }
        query.cursor = chunk.next_cursor;
    }
}
