//! `POST /v1/wait`.

use axum::Json;
use axum::extract::State;
use tend_proto::{
    MAX_LONG_POLL_MS, WaitMode, WaitParams, WaitResponse, WaitTarget, WaitUntil, long_poll,
};

use super::extract::JsonBody;
use super::{ApiError, AppState};

/// Waits until the tasks are terminal (`all`) or one is (`any`) (with `until: ready`: ready or
/// terminal), at most `timeout_ms` (and at
/// most 10 minutes per request). A session with no live task is done at once.
pub(crate) async fn wait(
    State(state): State<AppState>,
    JsonBody(params): JsonBody<WaitParams>,
) -> Result<Json<WaitResponse>, ApiError> {
    let ids = match params.target()? {
        WaitTarget::Ids(ids) => ids,
        WaitTarget::Session(session) => {
            let ids = state.host.live_ids(session).await?;
            if ids.is_empty() {
                return Ok(Json(WaitResponse {
                    done: true,
                    tasks: Vec::new(),
                }));
            }
            ids
        }
    };
    let mode = match params.mode.unwrap_or_default() {
        WaitMode::Any => tend_host::WaitMode::Any,
        WaitMode::All => tend_host::WaitMode::All,
    };
    let ready = params.until == Some(WaitUntil::Ready);
    let timeout = long_poll(params.timeout_ms.unwrap_or(MAX_LONG_POLL_MS));
    let _place = if timeout.is_zero() {
        None
    } else {
        Some(state.gates.long_poll()?)
    };
    let result = state
        .until_shutdown(state.host.wait_until(ids, mode, ready, timeout))
        .await??;
    Ok(Json(WaitResponse {
        done: result.done,
        tasks: result.tasks,
    }))
}
