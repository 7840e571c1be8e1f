//! Daemon routes: health, stop, the OpenAPI document.

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use tend_proto::{
    CapacityHealth, DaemonStopParams, DaemonStopResponse, HealthResponse, StoreHealth,
};
use tracing::info;

use super::extract::JsonBody;
use super::{ApiError, AppState};

/// `{"ok": true, "version", "pid", "store": {"ok", "error", "since"}, "capacity"}`: the store's
/// state is read without the supervisor, so health answers while the store fails too.
pub(crate) async fn health(State(state): State<AppState>) -> Json<HealthResponse> {
    let store = state.host.store_health();
    // A runtime that stopped answering still lets health say that the daemon answers.
    let live_tasks = state.host.live_shell_tasks().await.unwrap_or(0);
    Json(HealthResponse {
        ok: true,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        pid: std::process::id(),
        store: StoreHealth {
            ok: store.ok,
            error: store.error,
            since: store.since,
        },
        capacity: Some(CapacityHealth {
            max_live_tasks: state.capacity.max_live_tasks as u64,
            live_tasks: live_tasks as u64,
            open_files_limit: state.capacity.open_files_limit,
        }),
    })
}

/// Stops the daemon after answering. With `kill_tasks`, every live task is stopped first
/// (reason `shutdown`) and the answer lists them as they ended; otherwise tasks keep running
/// for the next daemon to re-adopt.
pub(crate) async fn stop(
    State(state): State<AppState>,
    JsonBody(params): JsonBody<DaemonStopParams>,
) -> Result<Json<DaemonStopResponse>, ApiError> {
    let grace = params.grace()?;
    let tasks = if params.kill_tasks {
        info!("stop requested: stopping every live task first");
        state.host.shutdown_tasks(grace).await?
    } else {
        info!("stop requested: tasks keep running");
        Vec::new()
    };
    state.shutdown.trigger();
    Ok(Json(DaemonStopResponse {
        stopping: true,
        tasks,
    }))
}

/// The OpenAPI 3.1 document of this API.
pub(crate) async fn openapi(State(state): State<AppState>) -> Response {
    let body = serde_json::to_vec(&*state.openapi).unwrap_or_default();
    ([(CONTENT_TYPE, "application/json")], body).into_response()
}
