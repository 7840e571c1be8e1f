//! Encoding requests and decoding answers: JSON bodies, error bodies, raw output headers,
//! path segments and query strings.

use std::str::FromStr;

use hyper::body::Bytes;
use hyper::{HeaderMap, Method};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tend_core::State;
use tend_proto::{ErrorBody, headers};

use crate::client::RawOutput;
use crate::error::ClientError;
use crate::transport::{Outgoing, Reply};

/// Whether a failed connection means that no daemon listens (rather than, say, a permission
/// problem that starting a daemon would not fix).
pub(crate) fn no_listener(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
    )
}

/// `METHOD /path` without the query, for messages.
pub(crate) fn route(outgoing: &Outgoing<'_>) -> String {
    let path = outgoing.target.split('?').next().unwrap_or_default();
    format!("{} {path}", outgoing.method)
}

pub(crate) fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Percent-encodes one path segment (session and group names may hold `/`, `+`, `@`, `:`).
pub(crate) fn segment(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

pub(crate) fn encode(
    method: &Method,
    target: &str,
    body: Option<&impl Serialize>,
) -> Result<Option<Bytes>, ClientError> {
    body.map(|body| {
        serde_json::to_vec(body)
            .map(Bytes::from)
            .map_err(|e| ClientError::InvalidRequest {
                route: format!("{method} {target}"),
                detail: e.to_string(),
            })
    })
    .transpose()
}

pub(crate) fn decode<T: DeserializeOwned>(
    outgoing: &Outgoing<'_>,
    reply: Reply,
) -> Result<T, ClientError> {
    if !reply.status.is_success() {
        return Err(error_of(outgoing, &reply));
    }
    serde_json::from_slice(&reply.body).map_err(|e| ClientError::Protocol {
        route: route(outgoing),
        detail: format!("cannot decode the answer: {e}"),
    })
}

/// The error of a failed answer: its error body, or a protocol error when it has none.
pub(crate) fn error_of(outgoing: &Outgoing<'_>, reply: &Reply) -> ClientError {
    match serde_json::from_slice::<ErrorBody>(&reply.body) {
        Ok(body) => ClientError::Api {
            status: reply.status.as_u16(),
            detail: Box::new(body.error),
        },
        Err(_) => ClientError::Protocol {
            route: route(outgoing),
            detail: format!(
                "status {} without an error body: {:?}",
                reply.status,
                String::from_utf8_lossy(&reply.body[..reply.body.len().min(200)])
            ),
        },
    }
}

pub(crate) fn raw_output(outgoing: &Outgoing<'_>, reply: Reply) -> Result<RawOutput, ClientError> {
    let headers = &reply.headers;
    let missing = |name: &str| ClientError::Protocol {
        route: route(outgoing),
        detail: format!("the raw read has no valid {name} header"),
    };
    let number = |name: &'static str| header::<u64>(headers, name).ok_or_else(|| missing(name));
    let flag = |name: &'static str| header::<bool>(headers, name).ok_or_else(|| missing(name));
    let state = headers
        .get(headers::STATE)
        .and_then(|value| value.to_str().ok())
        .and_then(State::parse)
        .ok_or_else(|| missing(headers::STATE))?;
    Ok(RawOutput {
        state,
        cursor: number(headers::CURSOR)?,
        next_cursor: number(headers::NEXT_CURSOR)?,
        total_bytes: number(headers::TOTAL_BYTES)?,
        dropped_bytes: number(headers::DROPPED_BYTES)?,
        truncated: flag(headers::TRUNCATED)?,
        eof: flag(headers::EOF)?,
        data: reply.body.to_vec(),
    })
}

pub(crate) fn header<T: FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_and_queries_are_encoded() {
        assert_eq!(segment("cli"), "cli");
        assert_eq!(segment("a/b+c@d:e"), "a%2Fb%2Bc%40d%3Ae");
        assert_eq!(with_query("/v1/tasks", ""), "/v1/tasks");
        assert_eq!(with_query("/v1/tasks", "a=1"), "/v1/tasks?a=1");
    }
}
