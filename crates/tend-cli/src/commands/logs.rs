//! `tend logs ID`: the output's bytes exactly as written; `-f` follows until the task ends.

use tend_client::FOLLOW_POLL;
use tend_proto::{MAX_LONG_POLL_MS, MAX_READ_BYTES, OutputQuery, OutputRender, OutputStream};

use crate::cli::LogsArgs;
use crate::context::Context;
use crate::stream::{self, Sink};
use crate::{exit, output};

/// Runs `tend logs`.
pub async fn run(context: &Context, args: &LogsArgs) -> anyhow::Result<u8> {
    let query = OutputQuery {
        cursor: args.cursor.unwrap_or(0),
        max_bytes: MAX_READ_BYTES,
        tail_lines: args.tail,
        grep: args.grep.clone(),
        stream: if args.stderr {
            OutputStream::Stderr
        } else {
            OutputStream::Combined
        },
        render: if args.plain {
            OutputRender::Plain
        } else {
            OutputRender::Raw
        },
        ..OutputQuery::default()
    };
    if args.plain && !context.json {
        return print_plain(context, args, query).await;
    }
    match (context.json, args.follow) {
        (false, true) => {
            stream::copy(&context.client, args.id, query, Sink::Stdout, None).await?;
        }
        (false, false) => print_present(context, args, query).await?,
        (true, false) => output::json(&context.client.read_output(args.id, &query).await?)?,
        (true, true) => follow_json(context, args, query).await?,
    }
    Ok(exit::OK)
}

/// Everything written so far (or the tail), in as many reads as it takes.
async fn print_present(
    context: &Context,
    args: &LogsArgs,
    mut query: OutputQuery,
) -> anyhow::Result<()> {
    loop {
        let chunk = context.client.read_output_raw(args.id, &query).await?;
        output::bytes(&chunk.data)?;
        if !chunk.truncated || chunk.next_cursor <= query.cursor {
            return Ok(());
        }
        query.cursor = chunk.next_cursor;
        query.tail_lines = None;
    }
}

/// `--plain`: the text of JSON reads with `render=plain`, following with `-f`.
async fn print_plain(
    context: &Context,
    args: &LogsArgs,
    mut query: OutputQuery,
) -> anyhow::Result<u8> {
    let wait = u64::try_from(FOLLOW_POLL.as_millis()).unwrap_or(MAX_LONG_POLL_MS);
    loop {
        let read = context.client.read_output(args.id, &query).await?;
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
    args: &LogsArgs,
    mut query: OutputQuery,
) -> anyhow::Result<()> {
    let wait = u64::try_from(FOLLOW_POLL.as_millis()).unwrap_or(MAX_LONG_POLL_MS);
    loop {
        let read = context.client.read_output(args.id, &query).await?;
        if !read.data.is_empty() || read.eof {
            output::json(&read)?;
        }
        if read.eof {
            return Ok(());
        }
        query.cursor = read.next_cursor;
        query.tail_lines = None;
        query.wait_ms = Some(wait);
    }
}
