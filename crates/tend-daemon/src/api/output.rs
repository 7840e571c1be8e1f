//! `GET /v1/tasks/{id}/output` (CONTRACT.md §4): JSON or raw reads, long-polled with `wait_ms`.

use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use tend_core::Task;
use tend_core::TtySize;
use tend_exec::{Growth, OutputReader, ReadError};
use tend_host::WaitMode;
use tend_proto::{
    OutputFormat, OutputQuery, OutputRead, OutputRender, ScreenRead, headers, long_poll,
};
use tokio::time::Instant;

use super::extract::PathId;
use super::{ApiError, AppState};
use crate::limits::{HeldBody, OutputPermit};
use crate::read::{self, Chunk};

/// The longest one blocking wait for growth lasts before the route looks at the record again
/// (and, if the client went away, stops waiting).
const WAIT_SLICE: Duration = Duration::from_secs(1);

/// What a plain read may find past the output's end as counted before reading: output that
/// arrives in between, up to this much, is part of the answer; more is left for the next read.
const PLAIN_SLACK: u64 = 64 * 1024;

/// Reads a task's output.
pub(crate) async fn read(
    State(state): State<AppState>,
    PathId(id): PathId,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = OutputQuery::from_query(query.as_deref())?;
    if let Some(pattern) = &query.grep {
        regex::bytes::Regex::new(pattern)
            .map_err(|e| ApiError::invalid(format!("invalid grep: {e}")))?;
    }
    let mut task = state.host.get(id).await?;
    if let Some(ms) = query.wait_ms
        && ms > 0
        && task.is_live()
    {
        let _place = state.gates.long_poll()?;
        task = wait_for_output(&state, task, &query, long_poll(ms)).await?;
    }
    if query.render == OutputRender::Screen {
        let screen = screen_read(&state, &task).await?;
        let body = serde_json::to_vec(&screen)
            .map_err(|e| ApiError::internal(format!("cannot encode the answer: {e}")))?;
        let mut response = Response::new(axum::body::Body::from(body));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(SCREEN_MEDIA_TYPE));
        return Ok(response);
    }
    let text = query.format == OutputFormat::Json;
    let (chunk, permit) = read_chunk(&state, &task, &query, text).await?;
    Ok(match query.format {
        OutputFormat::Json => {
            let mut read = output_read(&task, chunk);
            if query.render == OutputRender::Plain {
                read.data = tend_proto::render::plain(&read.data);
            }
            let body = serde_json::to_vec(&read)
                .map_err(|e| ApiError::internal(format!("cannot encode the answer: {e}")))?;
            let mut response = Response::new(HeldBody::body(body, permit));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        OutputFormat::Raw => raw_response(&task, chunk, permit),
    })
}

/// The media type of a `render=screen` answer: JSON of its own shape, apart from the output
/// read's `application/json`, so that typed clients need not tell the two apart.
pub(crate) const SCREEN_MEDIA_TYPE: &str = "application/vnd.tend.screen+json";

/// The screen of `task` as it is now (CONTRACT §8): its terminal's size, or 40x120 for a task
/// without one.
pub(crate) async fn screen_read(state: &AppState, task: &Task) -> Result<ScreenRead, ApiError> {
    let size = task.tty.unwrap_or(TtySize::DEFAULT);
    let dir = state.host.task_dir(task.id);
    let screens = std::sync::Arc::clone(&state.screens);
    let id = task.id;
    let (screen, total_bytes) =
        tokio::task::spawn_blocking(move || screens.render(id, dir, size.rows, size.cols))
            .await
            .map_err(|e| ApiError::internal(format!("screen render failed: {e}")))?
            .map_err(read_error)?;
    Ok(ScreenRead {
        task_id: task.id,
        state: task.state,
        total_bytes,
        screen,
    })
}

/// A JSON read of `task` as it is now (no waiting).
pub(crate) async fn read_json(
    state: &AppState,
    task: &Task,
    query: &OutputQuery,
) -> Result<OutputRead, ApiError> {
    let (chunk, _permit) = read_chunk(state, task, query, true).await?;
    let mut read = output_read(task, chunk);
    if query.render == OutputRender::Plain {
        read.data = tend_proto::render::plain(&read.data);
    }
    Ok(read)
}

/// Reads a chunk once the output answers in flight leave room for it; the permit accounts
/// for the chunk's bytes until the answer holding them is dropped.
async fn read_chunk(
    state: &AppState,
    task: &Task,
    query: &OutputQuery,
    text: bool,
) -> Result<(Chunk, OutputPermit), ApiError> {
    let dir = state.host.task_dir(task.id);
    let complete = task.state.is_terminal();
    let mut query = query.clone();
    let plain = query.grep.is_none() && query.tail_lines.is_none();
    if plain && query.max_bytes > PLAIN_SLACK {
        // Room for what lies past the cursor (and what may come meanwhile), not for all of
        // `max_bytes`: a large `max_bytes` on a small output costs little.
        let counters_dir = dir.clone();
        let stream = read::stream_of(&query);
        let counters =
            tokio::task::spawn_blocking(move || OutputReader::new(counters_dir, stream).counters())
                .await
                .map_err(|e| ApiError::internal(format!("output read failed: {e}")))?;
        if let Ok(counters) = counters {
            let remaining = counters.total_bytes.saturating_sub(query.cursor);
            query.max_bytes = query.max_bytes.min(remaining.saturating_add(PLAIN_SLACK));
        }
    }
    // A JSON answer holds the text and its encoding for a moment.
    let factor = if text { 2 } else { 1 };
    let permit = state
        .gates
        .output(query.max_bytes.saturating_mul(factor))
        .await?;
    let chunk = tokio::task::spawn_blocking(move || read::read(dir, &query, complete, text))
        .await
        .map_err(|e| ApiError::internal(format!("output read failed: {e}")))?
        .map_err(read_error)?;
    Ok((chunk, permit))
}

fn read_error(error: ReadError) -> ApiError {
    if error.is_invalid_argument() {
        ApiError::invalid(error.to_string())
    } else {
        ApiError::internal(error.to_string())
    }
}

fn eof(task: &Task, chunk: &Chunk) -> bool {
    task.state.is_terminal() && chunk.next_cursor == chunk.total_bytes
}

fn output_read(task: &Task, chunk: Chunk) -> OutputRead {
    let eof = eof(task, &chunk);
    OutputRead {
        task_id: task.id,
        state: task.state,
        data: match String::from_utf8(chunk.data) {
            Ok(text) => text,
            Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
        },
        cursor: chunk.cursor,
        next_cursor: chunk.next_cursor,
        total_bytes: chunk.total_bytes,
        dropped_bytes: chunk.dropped_bytes,
        truncated: chunk.truncated,
        eof,
    }
}

fn raw_response(task: &Task, chunk: Chunk, permit: OutputPermit) -> Response {
    let numbers = [
        (headers::CURSOR, chunk.cursor.to_string()),
        (headers::NEXT_CURSOR, chunk.next_cursor.to_string()),
        (headers::TOTAL_BYTES, chunk.total_bytes.to_string()),
        (headers::DROPPED_BYTES, chunk.dropped_bytes.to_string()),
        (headers::TRUNCATED, chunk.truncated.to_string()),
        (headers::EOF, eof(task, &chunk).to_string()),
        (headers::STATE, task.state.as_str().to_owned()),
    ];
    let mut response = Response::new(HeldBody::body(chunk.data, permit));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    for (name, value) in numbers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// Waits up to `limit` for output past the query's cursor or for the task's end; answers the
/// record as it is then.
async fn wait_for_output(
    state: &AppState,
    task: Task,
    query: &OutputQuery,
    limit: Duration,
) -> Result<Task, ApiError> {
    let id = task.id;
    if !task.kind.is_shell() {
        // External tasks have no output: wait for the end.
        let wait = state.host.wait(vec![id], WaitMode::Any, limit);
        return Ok(state
            .until_shutdown(wait)
            .await??
            .tasks
            .into_iter()
            .next()
            .unwrap_or(task));
    }
    let deadline = Instant::now() + limit;
    let dir = state.host.task_dir(id);
    let stream = read::stream_of(query);
    let cursor = query.cursor;
    while !state.shutdown.is_triggered() {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let slice = (deadline - now).min(WAIT_SLICE);
        let growth = if dir.is_dir() {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || {
                OutputReader::new(dir, stream).wait_for_growth(cursor, slice)
            })
            .await
            .map_err(|e| ApiError::internal(format!("output wait failed: {e}")))?
            .map_err(read_error)?
        } else {
            // Not started yet: its directory does not exist.
            tokio::time::sleep(slice.min(Duration::from_millis(100))).await;
            Growth::TimedOut
        };
        match growth {
            Growth::Grew => break,
            Growth::Finished => {
                // The process ended; give the runtime a moment to record it.
                let settle = (deadline - Instant::now().min(deadline)).min(Duration::from_secs(2));
                state.host.wait(vec![id], WaitMode::Any, settle).await?;
                break;
            }
            Growth::TimedOut => {
                if state.host.get(id).await?.state.is_terminal() {
                    break;
                }
            }
        }
    }
    Ok(state.host.get(id).await?)
}
