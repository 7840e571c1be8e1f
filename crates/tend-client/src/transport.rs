//! HTTP/1.1 over the daemon's unix socket: one connection per request.
//!
//! A fresh connection costs a few microseconds on a unix socket and spares the client from
//! guessing whether an idle keep-alive connection was closed by the daemon meanwhile: a request
//! whose connection failed was never sent, so it can be sent again after starting a daemon.

use std::io;
use std::path::Path;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{ACCEPT, CONTENT_TYPE, HOST};
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;

/// One answer, its body read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Why a request got no answer.
#[derive(Debug)]
pub(crate) enum SendError {
    /// The socket could not be connected: nothing was sent.
    Connect(io::Error),
    /// The request could not be built (a bad target).
    Build(String),
    /// The connection failed after connecting.
    Http(hyper::Error),
    /// No answer came within the time allowed.
    TimedOut(Duration),
}

/// What a request carries.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing<'a> {
    pub method: Method,
    /// Path and query, e.g. `/v1/tasks?session=cli`.
    pub target: &'a str,
    /// A JSON body.
    pub body: Option<Bytes>,
    /// How long the daemon may take on purpose before answering (a long poll's wait, a stop's
    /// grace): added to the client's ordinary timeout.
    pub wait: Duration,
}

impl<'a> Outgoing<'a> {
    /// A request that the daemon answers at once.
    pub fn new(method: Method, target: &'a str, body: Option<Bytes>) -> Self {
        Self {
            method,
            target,
            body,
            wait: Duration::ZERO,
        }
    }
}

/// Connects to `socket`, sends the request and reads the whole answer, giving up after
/// `timeout` plus the request's own wait (a daemon that is stopped or hung never answers).
pub(crate) async fn send(
    socket: &Path,
    outgoing: &Outgoing<'_>,
    timeout: Duration,
) -> Result<Reply, SendError> {
    let limit = timeout.saturating_add(outgoing.wait);
    match tokio::time::timeout(limit, exchange(socket, outgoing)).await {
        Ok(result) => result,
        Err(_) => Err(SendError::TimedOut(limit)),
    }
}

async fn exchange(socket: &Path, outgoing: &Outgoing<'_>) -> Result<Reply, SendError> {
    let mut builder = Request::builder()
        .method(outgoing.method.clone())
        .uri(outgoing.target)
        .header(HOST, "tend")
        .header(ACCEPT, "application/json");
    if outgoing.body.is_some() {
        builder = builder.header(CONTENT_TYPE, "application/json");
    }
    let request = builder
        .body(Full::new(outgoing.body.clone().unwrap_or_default()))
        .map_err(|e| SendError::Build(e.to_string()))?;
    let stream = UnixStream::connect(socket)
        .await
        .map_err(SendError::Connect)?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(SendError::Http)?;
    let exchange = async move {
        let response = sender.send_request(request).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        // Dropping the sender lets the connection future end once the exchange is over.
        drop(sender);
        Ok::<_, hyper::Error>(Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    };
    // The connection is driven beside the exchange; its own error only matters when the
    // exchange failed too, and then the exchange's error says more.
    let (reply, _connection) = tokio::join!(exchange, connection);
    reply.map_err(SendError::Http)
}
