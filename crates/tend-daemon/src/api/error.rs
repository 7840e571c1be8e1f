//! The one mapping from every failure onto the wire: status, code and JSON error body.

use axum::Json;
use axum::http::header::CONNECTION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tend_host::HostError;
use tend_proto::{ApiErrorCode, ErrorBody};

/// A failed request, answered as `{"error": {"code", "message", ...}}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    /// Close the connection after the answer (the daemon is saturated).
    close: bool,
}

impl ApiError {
    /// An error with the status of its code.
    pub(crate) fn new(code: ApiErrorCode, message: impl Into<String>) -> Self {
        Self::with_body(ErrorBody::new(code, message))
    }

    fn with_body(body: ErrorBody) -> Self {
        let status =
            StatusCode::from_u16(body.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self {
            status,
            body,
            close: false,
        }
    }

    /// An error with a status other than its code's (413, 408, 405).
    pub(crate) fn with_status(
        status: StatusCode,
        code: ApiErrorCode,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            body: ErrorBody::new(code, message),
            close: false,
        }
    }

    /// `invalid_argument`.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(ApiErrorCode::InvalidArgument, message)
    }

    /// `internal`: logged, since it is the daemon's fault.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        tracing::error!(%message, "internal error");
        Self::new(ApiErrorCode::Internal, message)
    }

    /// The body, for answers that are not plain responses (an error event of a stream).
    pub(crate) fn into_body(self) -> ErrorBody {
        self.body
    }

    /// `unavailable` because a limit is reached; the connection is closed after the answer so
    /// that refused clients do not keep holding connection slots.
    pub(crate) fn busy(message: impl Into<String>) -> Self {
        let mut error = Self::new(ApiErrorCode::Unavailable, message);
        error.close = true;
        error
    }

    /// `unavailable`: the daemon is stopping.
    pub(crate) fn shutting_down() -> Self {
        Self::new(ApiErrorCode::Unavailable, "the daemon is shutting down")
    }
}

impl From<tend_core::Error> for ApiError {
    fn from(error: tend_core::Error) -> Self {
        Self::with_body(ErrorBody::from_core(&error))
    }
}

impl From<HostError> for ApiError {
    fn from(error: HostError) -> Self {
        match error {
            HostError::Engine(error) => error.into(),
            HostError::Unavailable => Self::shutting_down(),
            // Logged by the runtime when the store fails, not once per refused request.
            error @ HostError::StoreUnavailable(_) => {
                Self::new(ApiErrorCode::Unavailable, error.to_string())
            }
            other => match ApiErrorCode::parse(other.code()) {
                Some(ApiErrorCode::Internal) | None => Self::internal(other.to_string()),
                Some(code) => Self::new(code, other.to_string()),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if self.close {
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}
