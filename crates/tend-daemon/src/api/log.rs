//! One log line per request: method, path, status, time. Never bodies or query strings, which
//! may carry environments or secrets.

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tracing::{debug, warn};

/// Logs each request once its answer is ready (for streams: when the stream starts).
pub(crate) async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_millis() as u64;
    if response.status().is_server_error() {
        warn!(%method, %path, status, elapsed_ms, "request failed");
    } else {
        debug!(%method, %path, status, elapsed_ms, "request");
    }
    response
}
