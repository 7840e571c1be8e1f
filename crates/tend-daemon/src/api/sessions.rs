//! Session routes: notifications (long-poll), acknowledgement, close.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use tend_proto::{
    AckParams, CloseParams, NotificationsQuery, NotificationsResponse, TasksResponse, long_poll,
};

use super::extract::{JsonBody, PathName};
use super::{ApiError, AppState};

/// The session's unacknowledged notifications, oldest first; with `wait_ms`, waits for one.
pub(crate) async fn notifications(
    State(state): State<AppState>,
    PathName(session): PathName,
    RawQuery(query): RawQuery,
) -> Result<Json<NotificationsResponse>, ApiError> {
    tend_core::validate_session(&session)?;
    let query = NotificationsQuery::from_query(query.as_deref())?;
    let wait = long_poll(query.wait_ms.unwrap_or(0));
    let _place = if wait.is_zero() {
        None
    } else {
        Some(state.gates.long_poll()?)
    };
    let notifications = state
        .until_shutdown(state.host.notifications(session, wait))
        .await??;
    Ok(Json(NotificationsResponse { notifications }))
}

/// Acknowledges notifications of the session: 204.
pub(crate) async fn ack(
    State(state): State<AppState>,
    PathName(session): PathName,
    JsonBody(params): JsonBody<AckParams>,
) -> Result<StatusCode, ApiError> {
    tend_core::validate_session(&session)?;
    state.host.ack(session, params.ids).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Closes the session: applies its live tasks' close policies; answers the affected records.
pub(crate) async fn close(
    State(state): State<AppState>,
    PathName(session): PathName,
    JsonBody(params): JsonBody<CloseParams>,
) -> Result<Json<TasksResponse>, ApiError> {
    tend_core::validate_session(&session)?;
    if let Some(successor) = &params.successor {
        tend_core::validate_session(successor)?;
    }
    let tasks = state.host.close_session(session, params.successor).await?;
    Ok(Json(TasksResponse { tasks }))
}
