//! The routes of CONTRACT.md §5, one file per concern, and the state they share.

mod control;
mod daemon;
mod error;
mod events;
mod extract;
mod fallback;
mod groups;
mod log;
pub(crate) mod output;
mod sessions;
mod tasks;
mod wait;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post, put};
use tend_host::Host;

use crate::descriptors::Capacity;
use crate::limits::Gates;
use crate::shutdown::ShutdownHandle;

pub(crate) use error::ApiError;

/// Limits applied by the routes themselves.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// A request body must arrive within this.
    pub body_timeout: Duration,
}

/// What every route gets: the runtime, the shutdown signal, the limits.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub host: Host,
    pub shutdown: ShutdownHandle,
    pub limits: Limits,
    /// Long polls and output answers in flight.
    pub gates: Gates,
    /// What the open files limit allows, for health.
    pub capacity: Capacity,
    /// The OpenAPI document, built once.
    pub openapi: Arc<serde_json::Value>,
    /// Terminal emulators of `render=screen`, kept between reads.
    pub screens: Arc<crate::screen::ScreenCache>,
}

impl AppState {
    pub(crate) fn new(
        host: Host,
        shutdown: ShutdownHandle,
        limits: Limits,
        gates: Gates,
        capacity: Capacity,
    ) -> Self {
        let openapi = Arc::new(crate::openapi::openapi_document());
        Self {
            host,
            shutdown,
            limits,
            gates,
            capacity,
            openapi,
            screens: Arc::default(),
        }
    }

    /// Runs a long-poll, ending it with `unavailable` when the daemon starts stopping.
    pub(crate) async fn until_shutdown<T>(
        &self,
        work: impl Future<Output = T>,
    ) -> Result<T, ApiError> {
        tokio::select! {
            done = work => Ok(done),
            () = self.shutdown.triggered() => Err(ApiError::shutting_down()),
        }
    }
}

/// Every route, with JSON answers for unknown routes and wrong methods.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/tasks", post(tasks::create).get(tasks::list))
        .route("/v1/tasks/{id}", get(tasks::show).delete(tasks::remove))
        .route("/v1/tasks/{id}/output", get(output::read))
        .route("/v1/tasks/{id}/processes", get(tasks::processes))
        .route("/v1/tasks/{id}/stop", post(control::stop))
        .route("/v1/tasks/{id}/stdin", post(control::stdin))
        .route("/v1/tasks/{id}/resize", post(control::resize))
        .route("/v1/tasks/{id}/progress", post(control::progress))
        .route("/v1/tasks/{id}/complete", post(control::complete))
        .route("/v1/tasks/{id}/transfer", post(control::transfer))
        .route("/v1/wait", post(wait::wait))
        .route("/v1/events", get(events::events))
        .route(
            "/v1/sessions/{session}/notifications",
            get(sessions::notifications),
        )
        .route(
            "/v1/sessions/{session}/notifications/ack",
            post(sessions::ack),
        )
        .route("/v1/sessions/{session}/close", post(sessions::close))
        .route("/v1/groups", get(groups::list))
        .route("/v1/groups/{name}", put(groups::set_limit))
        .route("/v1/health", get(daemon::health))
        .route("/v1/daemon/stop", post(daemon::stop))
        .route("/v1/openapi.json", get(daemon::openapi))
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .layer(axum::middleware::from_fn(log::log_request))
        .with_state(state)
}
