//! Extractors that answer every malformed request with the JSON error body: a bounded,
//! timed JSON body, and task ids and names from the path.

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_LENGTH;
use axum::http::request::Parts;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;
use tend_core::TaskId;
use tend_proto::{ApiErrorCode, MAX_BODY_BYTES};

use super::{ApiError, AppState};

/// A JSON request body of at most [`MAX_BODY_BYTES`], received within the body timeout. An
/// empty body reads as `{}`, so bodies whose fields are all optional may be left out. Errors
/// name the field at fault (`timeout_ms: invalid type: ...`).
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub T);

fn too_large() -> ApiError {
    ApiError::with_status(
        StatusCode::PAYLOAD_TOO_LARGE,
        ApiErrorCode::InvalidArgument,
        format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
    )
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
            return Err(too_large());
        }
        let timeout = state.limits.body_timeout;
        let body = Limited::new(request.into_body(), MAX_BODY_BYTES);
        let collected = tokio::time::timeout(timeout, body.collect())
            .await
            .map_err(|_| {
                ApiError::with_status(
                    StatusCode::REQUEST_TIMEOUT,
                    ApiErrorCode::InvalidArgument,
                    format!(
                        "the request body did not arrive within {} ms",
                        timeout.as_millis()
                    ),
                )
            })?
            .map_err(|error| {
                if error.downcast_ref::<LengthLimitError>().is_some() {
                    too_large()
                } else {
                    ApiError::invalid(format!("cannot read the request body: {error}"))
                }
            })?;
        let bytes = collected.to_bytes();
        let text: &[u8] = match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            None => b"{}",
            Some(b'{') => &bytes,
            // Serde would read an array as the fields in order (`[null]` as `{"successor": null}`).
            Some(_) => {
                return Err(ApiError::invalid(
                    "invalid request body: it must be a JSON object",
                ));
            }
        };
        let mut deserializer = serde_json::Deserializer::from_slice(text);
        let value: T = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|error| ApiError::invalid(body_error(&error)))?;
        deserializer
            .end()
            .map_err(|error| ApiError::invalid(format!("invalid request body: {error}")))?;
        Ok(Self(value))
    }
}

fn body_error(error: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = error.path().to_string();
    if path.is_empty() || path == "." {
        format!("invalid request body: {}", error.inner())
    } else {
        format!("invalid request body: {path}: {}", error.inner())
    }
}

/// The one path parameter of a route, as text.
async fn path_text<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<String, ApiError> {
    Path::<String>::from_request_parts(parts, state)
        .await
        .map(|Path(text)| text)
        .map_err(|rejection| ApiError::invalid(format!("invalid path: {}", rejection.body_text())))
}

/// The task id of `/v1/tasks/{id}/...`; a malformed id is `invalid_argument`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PathId(pub TaskId);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let text = path_text(parts, state).await?;
        text.parse().map(Self).map_err(ApiError::from)
    }
}

/// A session or group name from the path, percent-decoded (`a%2Fb` is `a/b`), unchecked.
#[derive(Debug, Clone)]
pub(crate) struct PathName(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathName {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        path_text(parts, state).await.map(Self)
    }
}
