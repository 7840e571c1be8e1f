//! The gate in front of `/mcp`: only loopback `Host` and `Origin` headers, and the bearer token.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// What a request must show to pass.
#[derive(Clone)]
pub(crate) struct Guard {
    token: Arc<str>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("token", &"[redacted]")
            .finish()
    }
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A foreign or missing `Host`, or a foreign `Origin` (403).
    Forbidden(String),
    /// No bearer token, or the wrong one (401).
    Unauthorized,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Forbidden(message) => (StatusCode::FORBIDDEN, message).into_response(),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                [(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"tend\""),
                )],
                "unauthorized: send Authorization: Bearer <the token in TEND_HOME/mcp.token>",
            )
                .into_response(),
        }
    }
}

impl Guard {
    /// A guard that admits requests carrying `token`.
    pub(crate) fn new(token: &str) -> Self {
        Self {
            token: token.into(),
        }
    }

    /// Checks a request's headers: `Host` and `Origin` first, then the token.
    pub(crate) fn admit(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| Refusal::Forbidden("forbidden: no Host header".into()))?;
        if !is_loopback_authority(host) {
            return Err(Refusal::Forbidden(format!(
                "forbidden: Host {host:?} is not loopback"
            )));
        }
        for origin in headers.get_all(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or_default();
            let allowed = origin
                .split_once("://")
                .filter(|(scheme, _)| matches!(*scheme, "http" | "https"))
                .is_some_and(|(_, authority)| is_loopback_authority(authority));
            if !allowed {
                return Err(Refusal::Forbidden(format!(
                    "forbidden: Origin {origin:?} is not loopback"
                )));
            }
        }
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        match presented {
            Some(token) if same(token.as_bytes(), self.token.as_bytes()) => Ok(()),
            _ => Err(Refusal::Unauthorized),
        }
    }
}

/// The middleware: refuses what [`Guard::admit`] refuses.
pub(crate) async fn check(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    match guard.admit(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => {
            tracing::info!(?refusal, uri = %request.uri(), "refused an MCP HTTP request");
            refusal.into_response()
        }
    }
}

/// `localhost`, `127.0.0.1` or `[::1]`, with an optional port.
fn is_loopback_authority(authority: &str) -> bool {
    let authority = authority.trim();
    let (host, port) = match authority.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((host, "")) => (host, None),
            Some((host, port)) => match port.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return false,
            },
            None => return false,
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if port.is_some_and(|port| port.parse::<u16>().is_err()) {
        return false;
    }
    host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "::1"
}

/// Compares in time independent of where the bytes differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn only_loopback_hosts_and_origins_with_the_token_pass() {
        let guard = Guard::new("secret");
        let ok = |pairs: &[(&'static str, &str)]| guard.admit(&headers(pairs));
        let auth = ("authorization", "Bearer secret");
        assert_eq!(ok(&[("host", "127.0.0.1:8123"), auth]), Ok(()));
        assert_eq!(
            ok(&[
                ("host", "localhost"),
                ("origin", "http://localhost:3000"),
                auth
            ]),
            Ok(())
        );
        assert_eq!(
            ok(&[("host", "[::1]:80"), ("origin", "https://127.0.0.1"), auth]),
            Ok(())
        );
        assert_eq!(
            ok(&[("host", "127.0.0.1:1"), ("authorization", "bearer secret")]),
            Ok(())
        );
        for bad in [
            vec![("host", "evil.example:8123"), auth],
            vec![("host", "127.0.0.1.evil.example"), auth],
            vec![("host", "localhost:99999"), auth],
            vec![auth],
            vec![
                ("host", "127.0.0.1"),
                ("origin", "http://evil.example"),
                auth,
            ],
            vec![("host", "127.0.0.1"), ("origin", "null"), auth],
            vec![
                ("host", "127.0.0.1"),
                ("origin", "http://localhost.evil.example"),
                auth,
            ],
        ] {
            assert!(matches!(ok(&bad), Err(Refusal::Forbidden(_))), "{bad:?}");
        }
        for bad in [
            vec![("host", "127.0.0.1")],
            vec![("host", "127.0.0.1"), ("authorization", "Bearer wrong")],
            vec![("host", "127.0.0.1"), ("authorization", "Basic secret")],
        ] {
            assert_eq!(ok(&bad), Err(Refusal::Unauthorized), "{bad:?}");
        }
    }
}
