//! Group routes: list and limit.

use axum::Json;
use axum::extract::State;
use tend_core::GroupStatus;
use tend_proto::{GroupLimitParams, GroupsResponse};

use super::extract::{JsonBody, PathName};
use super::{ApiError, AppState};

/// Every group with its limit and counts.
pub(crate) async fn list(State(state): State<AppState>) -> Result<Json<GroupsResponse>, ApiError> {
    Ok(Json(GroupsResponse {
        groups: state.host.groups().await?,
    }))
}

/// Sets a group's limit (0 = unlimited); takes effect at once.
pub(crate) async fn set_limit(
    State(state): State<AppState>,
    PathName(name): PathName,
    JsonBody(params): JsonBody<GroupLimitParams>,
) -> Result<Json<GroupStatus>, ApiError> {
    tend_core::validate_group(&name)?;
    Ok(Json(state.host.set_group_limit(name, params.limit).await?))
}
