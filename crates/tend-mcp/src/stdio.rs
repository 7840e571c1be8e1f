//! `tend mcp`: the server on stdin and stdout, closing its session when the client goes away.

use std::future::Future;

use rmcp::ServiceExt;
use rmcp::transport::stdio_pipes;
use tend_client::Client;
use tend_proto::CloseParams;
use tokio::signal::unix::{SignalKind, signal};

use crate::config::McpConfig;
use crate::error::McpError;
use crate::server::{Shared, TendServer};

/// Serves MCP on stdin and stdout until the client closes stdin (or the process gets SIGTERM,
/// SIGINT or SIGHUP), then closes the session through the API: the close policies of its
/// tasks apply, so `bg_run` tasks are cancelled unless they were started with `detach: true`.
///
/// Nothing else is written to stdout. The daemon is reached through the configuration's
/// client (start it on demand with its start policy); when no tool was called and no daemon
/// runs, closing the session starts none.
///
/// The caller should end the process when this returns: a blocking read of a stdin that is
/// not a pipe cannot be interrupted and would hold up the runtime's shutdown.
///
/// # Examples
///
/// ```no_run
/// use tend_client::{Autostart, Client, StartPolicy};
/// use tend_mcp::{McpConfig, run_stdio, session_name};
///
/// # async fn example() -> Result<(), tend_mcp::McpError> {
/// let client = Client::new("/home/me/.local/state/tend")
///     .with_start_policy(StartPolicy::Spawn(Autostart::new("/usr/bin/tend")));
/// let session = session_name(None, std::env::var("TEND_SESSION").ok());
/// run_stdio(McpConfig::new(client, session, "/home/me/proj")?).await
/// # }
/// ```
pub async fn run_stdio(config: McpConfig) -> Result<(), McpError> {
    let mut terminate = signal(SignalKind::terminate()).map_err(signal_error)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(signal_error)?;
    let mut hangup = signal(SignalKind::hangup()).map_err(signal_error)?;
    let stop = async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
            _ = hangup.recv() => {}
        }
    };
    serve_until(config, stop).await
}

/// Like [`run_stdio`], ending when `stop` completes instead of on signals.
pub async fn serve_until(
    config: McpConfig,
    stop: impl Future<Output = ()>,
) -> Result<(), McpError> {
    let shared = Shared::new(config, false);
    let server = TendServer::with_shared(shared.clone());
    let served = async {
        let running = server
            .serve(stdio_pipes())
            .await
            .map_err(|source| McpError::Serve {
                source: Box::new(source),
            })?;
        if let Err(error) = running.waiting().await {
            tracing::warn!(%error, "the MCP service ended abnormally");
        }
        Ok(())
    };
    let outcome = tokio::select! {
        outcome = served => outcome,
        () = stop => Ok(()),
    };
    let closed = close_session(
        shared.config.client(),
        shared.config.session(),
        shared.was_used(),
    )
    .await;
    outcome.and(closed)
}

/// Closes the session, unless nothing could have been started in it: no tool was called and no
/// daemon answers (a daemon is not started only to close an empty session).
async fn close_session(client: &Client, session: &str, used: bool) -> Result<(), McpError> {
    if !used && !matches!(client.probe().await, Ok(Some(_))) {
        return Ok(());
    }
    let error = |source| McpError::CloseSession {
        session: session.to_owned(),
        source,
    };
    let closed = client
        .close_session(session, &CloseParams::default())
        .await
        .map_err(error)?;
    tracing::info!(%session, affected = closed.tasks.len(), "closed the session");
    Ok(())
}

fn signal_error(source: std::io::Error) -> McpError {
    McpError::Signal { source }
}
