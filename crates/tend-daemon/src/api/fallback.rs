//! Answers for unknown routes (404) and wrong methods (405), in the JSON error body.

use axum::http::{Method, StatusCode, Uri};
use tend_proto::ApiErrorCode;

use super::ApiError;

/// 404 `not_found` for a path that is no route.
pub(crate) async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        ApiErrorCode::NotFound,
        format!("no route for {method} {}", uri.path()),
    )
}

/// 405 for a route asked with a method it does not take.
pub(crate) async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::with_status(
        StatusCode::METHOD_NOT_ALLOWED,
        ApiErrorCode::InvalidArgument,
        format!("method {method} is not allowed on {}", uri.path()),
    )
}
