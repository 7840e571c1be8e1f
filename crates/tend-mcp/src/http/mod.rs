//! The same tools over Streamable HTTP at `/mcp`, for the daemon to serve on a loopback port.
//!
//! Every request must come with `Authorization: Bearer <token>`, the token kept in
//! `TEND_HOME/mcp.token` (mode 0600, made when missing), and with a loopback `Host` (and
//! `Origin`, when it has one): other requests are refused with 401 or 403, which keeps web
//! pages and DNS rebinding away from the tools.
//!
//! Connections are served by [`tend_listen::serve`] with [`limits`]: at most
//! [`MAX_CONNECTIONS`] at once (more wait in the backlog, holding no descriptor), a request
//! head must arrive within 10 s of connecting or of the previous answer (so idle connections,
//! with or without the token, are closed after 10 s), and an answer that the client stops
//! reading is cut after 30 s without progress. A server-sent event stream is an answer in
//! progress, not an idle connection: it stays open while its client reads it, and rmcp sends a
//! keep-alive comment every 15 s, so a client that stops reading one is cut by the write
//! timeout.
//!
//! Calls act for the configuration's session unless the URL names one:
//! `http://127.0.0.1:PORT/mcp?session=NAME`. An HTTP client never closes its session by going
//! away; `tend session close NAME` does.

mod guard;
mod token;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use tend_listen::ConnectionLimits;
pub use token::{TOKEN_FILE, ensure_token, token_path};

use crate::config::McpConfig;
use crate::error::McpError;
use crate::server::{Shared, TendServer};
use guard::Guard;

/// The path the tools are served at.
pub const PATH: &str = "/mcp";

/// Connections served at once by [`serve`].
pub const MAX_CONNECTIONS: usize = 256;

/// The limits [`serve`] applies: [`MAX_CONNECTIONS`], 10 s header (idle) timeout, 30 s write
/// timeout, 5 s drain.
pub fn limits() -> ConnectionLimits {
    ConnectionLimits {
        max_connections: MAX_CONNECTIONS,
        ..ConnectionLimits::default()
    }
}

/// The session of HTTP calls whose URL names none, for a daemon's configuration.
pub const DEFAULT_SESSION: &str = "mcp-http";

/// The router serving the tools at [`PATH`], guarded by the token of the configuration's home
/// (`config.client().home()`), which is made when missing. `shutdown` ends open streams.
///
/// # Examples
///
/// ```no_run
/// use tend_client::Client;
/// use tend_mcp::{McpConfig, http};
/// use tokio_util::sync::CancellationToken;
///
/// # fn example() -> Result<(), tend_mcp::McpError> {
/// let home = "/home/me/.local/state/tend";
/// let config = McpConfig::new(Client::new(home), http::DEFAULT_SESSION, "/")?;
/// let app: axum::Router = http::router(config, CancellationToken::new())?;
/// # Ok(())
/// # }
/// ```
pub fn router(config: McpConfig, shutdown: CancellationToken) -> Result<Router, McpError> {
    let token = ensure_token(config.client().home())?;
    let shared = Shared::new(config, true);
    let settings = StreamableHttpServerConfig::default().with_cancellation_token(shutdown);
    let service = StreamableHttpService::new(
        move || Ok(TendServer::with_shared(Arc::clone(&shared))),
        Arc::new(LocalSessionManager::default()),
        settings,
    );
    Ok(Router::new()
        .route_service(PATH, service)
        .layer(axum::middleware::from_fn_with_state(
            Guard::new(&token),
            guard::check,
        )))
}

/// Binds a TCP listener on `addr`, which must be a loopback address (`127.0.0.1:PORT`,
/// `[::1]:PORT`; port 0 picks a free one: see [`TcpListener::local_addr`]).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, McpError> {
    if !addr.ip().is_loopback() {
        return Err(McpError::NotLoopback { addr });
    }
    TcpListener::bind(addr)
        .await
        .map_err(|source| McpError::Bind { addr, source })
}

/// Serves [`router`] on `listener` with [`limits`] until `shutdown` completes, then ends open
/// streams and returns once the connections have closed.
pub async fn serve(
    listener: TcpListener,
    config: McpConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), McpError> {
    serve_with(listener, config, limits(), shutdown).await
}

/// [`serve`] with other connection limits.
pub async fn serve_with(
    listener: TcpListener,
    config: McpConfig,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), McpError> {
    let streams = CancellationToken::new();
    let app = router(config, streams.clone())?;
    tend_listen::serve(listener, app, limits, async move {
        shutdown.await;
        streams.cancel();
    })
    .await;
    Ok(())
}

/// [`bind`] then [`serve`]: the tools at `http://ADDR/mcp` until `shutdown` completes.
///
/// # Examples
///
/// ```no_run
/// use tend_client::Client;
/// use tend_mcp::{McpConfig, http};
///
/// # async fn example() -> Result<(), tend_mcp::McpError> {
/// let config = McpConfig::new(Client::new("/home/me/.local/state/tend"), http::DEFAULT_SESSION, "/")?;
/// let addr = "127.0.0.1:8765".parse().unwrap();
/// http::serve_http(addr, config, std::future::pending()).await
/// # }
/// ```
pub async fn serve_http(
    addr: SocketAddr,
    config: McpConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), McpError> {
    let listener = bind(addr).await?;
    serve(listener, config, shutdown).await
}
