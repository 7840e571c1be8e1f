//! tend-listen: the accept loop shared by tend's HTTP listeners (the daemon's unix socket and
//! the MCP Streamable HTTP port), so that both have the same defences against clients that
//! connect and do nothing, or ask and never read.
//!
//! [`serve`] serves an axum [`Router`] on any [`Listener`] (unix or TCP) with
//! [`ConnectionLimits`]:
//!
//! - at most `max_connections` connections are served at once; further clients wait in the
//!   socket's backlog, where they hold no descriptor of the process;
//! - a request head must arrive within `header_timeout` of connecting or of the previous answer:
//!   silent and idle keep-alive connections are closed then (this is the idle timeout; an
//!   answer being streamed, such as server-sent events, is not idle and is not cut by it);
//! - an answer whose writing makes no progress for `write_timeout` (the client stopped reading)
//!   fails the connection, which closes it and frees what the answer held ([`TimeoutIo`]);
//! - once the shutdown future completes, no connection is accepted and the open ones get
//!   `drain_timeout` to finish their answers before they are closed.

mod io;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt;
use tracing::{debug, warn};

pub use io::TimeoutIo;

/// Limits of the connection layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request head must arrive within this after connecting or after the previous answer;
    /// silent and idle connections are closed then.
    pub header_timeout: Duration,
    /// An answer that makes no writing progress for this long closes its connection.
    pub write_timeout: Duration,
    /// Connections served at once; more wait in the socket's backlog.
    pub max_connections: usize,
    /// How long in-flight answers may take to finish once the shutdown started.
    pub drain_timeout: Duration,
}

impl Default for ConnectionLimits {
    /// 10 s header (idle) timeout, 30 s write timeout, 1024 connections, 5 s drain.
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            max_connections: 1024,
            drain_timeout: Duration::from_secs(5),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then drains the open connections
/// (at most `limits.drain_timeout`) and returns.
pub async fn serve<L>(
    mut listener: L,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) where
    L: Listener,
{
    let mut shutdown = pin!(shutdown);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        // The listener retries failed accepts itself (after a pause when out of descriptors).
        let stream = tokio::select! {
            (stream, _) = listener.accept() => stream,
            () = &mut shutdown => break,
        };
        let service = router
            .clone()
            .map_request(|request: hyper::Request<Incoming>| request.map(Body::new));
        let io = TimeoutIo::new(stream, limits.write_timeout);
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .keep_alive(true)
            .serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        connections.spawn(async move {
            if let Err(error) = connection.await {
                debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.drain_timeout) => {
            warn!("connections still open after the drain time; closing them");
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}
