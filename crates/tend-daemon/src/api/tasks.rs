//! `POST /v1/tasks`, `GET /v1/tasks`, `GET /v1/tasks/{id}`, `DELETE /v1/tasks/{id}`.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tend_core::Task;
use tend_host::WaitMode;
use tend_proto::{
    CreateTaskParams, CreateTaskResponse, DEFAULT_READ_BYTES, ListTasksQuery, OutputQuery,
    ProcessEntry, ProcessesResponse, TasksResponse, long_poll,
};

use super::extract::{JsonBody, PathId};
use super::output::read_json;
use super::{ApiError, AppState};

/// Creates a task: 201, or 200 with `created: false` for a live task with the same key. With
/// `yield_ms`, waits up to that long for the end and adds the output read from byte 0.
pub(crate) async fn create(
    State(state): State<AppState>,
    JsonBody(params): JsonBody<CreateTaskParams>,
) -> Result<Response, ApiError> {
    let yield_ms = params.yield_ms;
    let max_bytes = params.max_bytes.unwrap_or(DEFAULT_READ_BYTES);
    let request = params.into_create_task()?;
    let (created, mut task) = state.host.create(request).await?;
    let mut output = None;
    if let Some(ms) = yield_ms {
        // Without a free long-poll place the answer comes at once, as with `yield_ms: 0`.
        if ms > 0
            && task.is_live()
            && let Ok(_place) = state.gates.long_poll()
        {
            task = yield_for_end(&state, task, ms).await;
        }
        if task.kind.is_shell() {
            let query = OutputQuery {
                max_bytes,
                ..OutputQuery::default()
            };
            match read_json(&state, &task, &query).await {
                Ok(read) => output = Some(read),
                // The task exists; its creation must not be reported as a failure.
                Err(error) => tracing::warn!(id = %task.id, ?error, "cannot read the output"),
            }
        }
    }
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(CreateTaskResponse {
            created,
            task,
            output,
        }),
    )
        .into_response())
}

/// Waits up to `ms` for `task` to end; answers the freshest record it has, whatever happens.
async fn yield_for_end(state: &AppState, task: Task, ms: u64) -> Task {
    let wait = state.host.wait(vec![task.id], WaitMode::All, long_poll(ms));
    match state.until_shutdown(wait).await {
        Ok(Ok(result)) => result.tasks.into_iter().next().unwrap_or(task),
        Ok(Err(_)) | Err(_) => task,
    }
}

/// Lists tasks, oldest first.
pub(crate) async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<TasksResponse>, ApiError> {
    let query = ListTasksQuery::from_query(query.as_deref())?;
    if let Some(session) = &query.session {
        tend_core::validate_session(session)?;
    }
    let tasks = state.host.list(query.into_filter()).await?;
    Ok(Json(TasksResponse { tasks }))
}

/// One record.
pub(crate) async fn show(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(state.host.get(id).await?))
}

/// Removes a terminal task and its output: 204; `conflict` while live.
pub(crate) async fn remove(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    state.host.remove(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The live processes of a shell task, read from `/proc` (empty unless it is running).
pub(crate) async fn processes(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<ProcessesResponse>, ApiError> {
    let task = state.host.get(id).await?;
    if !task.kind.is_shell() || task.state.is_terminal() {
        return Ok(Json(ProcessesResponse::default()));
    }
    let dir = state.host.home().task_dir(id);
    let found = tokio::task::spawn_blocking(move || tend_exec::task_processes(&dir))
        .await
        .map_err(|e| ApiError::internal(format!("cannot list the processes of {id}: {e}")))?
        .map_err(|e| ApiError::internal(format!("cannot list the processes of {id}: {e}")))?;
    let processes = found
        .into_iter()
        .map(|p| ProcessEntry {
            pid: p.pid,
            ppid: p.ppid,
            pgid: p.pgid,
            sid: p.sid,
            state: p.state,
            cpu_ms: p.cpu_ms,
            rss_bytes: p.rss_bytes,
            args: p.args,
        })
        .collect();
    Ok(Json(ProcessesResponse { processes }))
}
