//! The errors of starting and running a server (tool failures are tool answers, not these).

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use tend_client::ClientError;

/// Why a server could not start or ended badly.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    /// The session name is not valid.
    #[error("invalid session {session:?}: {source}")]
    InvalidSession {
        /// The name given.
        session: String,
        /// What is wrong with it.
        source: tend_core::Error,
    },
    /// The default working directory is not absolute.
    #[error("the working directory {} is not an absolute path", .cwd.display())]
    RelativeCwd {
        /// The directory given.
        cwd: PathBuf,
    },
    /// The MCP connection could not be set up.
    #[error("cannot start the MCP session: {source}")]
    Serve {
        /// What went wrong.
        source: Box<rmcp::service::ServerInitializeError>,
    },
    /// Closing the session when the client went away failed.
    #[error("cannot close session {session}: {source}")]
    CloseSession {
        /// The session.
        session: String,
        /// The daemon's answer.
        source: ClientError,
    },
    /// The HTTP transport was asked to listen on an address that is not loopback.
    #[error("the MCP HTTP transport listens on loopback addresses only, not {addr}")]
    NotLoopback {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The HTTP listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
    /// The bearer token file could not be read or created.
    #[error("cannot prepare the MCP token {}: {source}", .path.display())]
    Token {
        /// `TEND_HOME/mcp.token`.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// Serving HTTP failed.
    #[error("the MCP HTTP server failed: {source}")]
    Http {
        /// The OS error.
        source: io::Error,
    },
    /// Signal handlers could not be installed.
    #[error("cannot listen for signals: {source}")]
    Signal {
        /// The OS error.
        source: io::Error,
    },
}
