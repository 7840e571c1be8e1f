//! Per-task operations: stop, stdin, resize, progress, complete, transfer.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use tend_core::Task;
use tend_proto::{
    CompleteParams, ProgressParams, ResizeParams, StdinParams, StopParams, TransferParams,
};

use super::extract::{JsonBody, PathId};
use super::{ApiError, AppState};
use crate::backend;

/// Stops a task (and its live descendants); answers the record once terminal.
pub(crate) async fn stop(
    State(state): State<AppState>,
    PathId(id): PathId,
    JsonBody(params): JsonBody<StopParams>,
) -> Result<Json<Task>, ApiError> {
    let grace = params.grace()?;
    Ok(Json(state.host.stop(id, grace).await?))
}

/// Writes to the stdin of a task created with `stdin: "pipe"`: 204; `conflict` otherwise.
pub(crate) async fn stdin(
    State(state): State<AppState>,
    PathId(id): PathId,
    JsonBody(params): JsonBody<StdinParams>,
) -> Result<StatusCode, ApiError> {
    let keys = params.keys;
    backend::write_stdin(&state.host, id, params.data.into_bytes(), &keys, params.eof).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives a tty task's terminal a new size; answers the record. `conflict` for other tasks.
pub(crate) async fn resize(
    State(state): State<AppState>,
    PathId(id): PathId,
    JsonBody(params): JsonBody<ResizeParams>,
) -> Result<Json<Task>, ApiError> {
    let size = params.size()?;
    Ok(Json(state.host.resize(id, size).await?))
}

/// An external task reports progress.
pub(crate) async fn progress(
    State(state): State<AppState>,
    PathId(id): PathId,
    JsonBody(params): JsonBody<ProgressParams>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(state.host.progress(params.into_report(id)).await?))
}

/// An external task reports its outcome; `conflict` with the record if already terminal.
pub(crate) async fn complete(
    State(state): State<AppState>,
    PathId(id): PathId,
    JsonBody(params): JsonBody<CompleteParams>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(state.host.complete(params.into_request(id)).await?))
}

/// Moves a task to another session.
pub(crate) async fn transfer(
    State(state): State<AppState>,
    PathId(id): PathId,
    JsonBody(params): JsonBody<TransferParams>,
) -> Result<Json<Task>, ApiError> {
    tend_core::validate_session(&params.session)?;
    Ok(Json(state.host.transfer(id, params.session).await?))
}
