//! Starting, serving and stopping the daemon of one home.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tend_exec::ShimProgram;
use tend_host::{Home, Host, HostOptions, Settings};
use tokio::net::UnixListener;
use tokio::signal::unix::{SignalKind, signal};
use tracing::{info, warn};

use crate::api::{self, AppState, Limits};
use crate::descriptors;
use crate::error::DaemonError;
use crate::limits::Gates;
use crate::lock::HomeLock;
use crate::shutdown::ShutdownHandle;
use crate::socket;
use tend_listen::ConnectionLimits;

/// How a daemon is started.
#[derive(Debug, Clone)]
pub struct DaemonOptions {
    /// The home (`TEND_HOME`).
    pub home: PathBuf,
    /// How to start the shim of shell tasks (`tend __shim`).
    pub shim: ShimProgram,
    /// Settings; `None` reads the home's config.toml.
    pub settings: Option<Settings>,
    /// A request head must arrive within this after connecting or after the previous answer
    /// (default 10 s); silent and idle connections are closed then.
    pub header_timeout: Duration,
    /// A request body must arrive within this (default 10 s).
    pub body_timeout: Duration,
    /// An answer whose writing makes no progress for this long (the client stopped reading)
    /// closes its connection (default 30 s).
    pub write_timeout: Duration,
    /// Connections served at once (default 1024; lowered when the open files limit cannot
    /// hold them beside the tasks).
    pub max_connections: usize,
    /// Requests in a long poll at once (`wait_ms` reads, waits, event pages and streams,
    /// notifications; default 512, at most half of `max_connections`): more are answered
    /// `unavailable` at once, so that long polls never hold every connection.
    pub max_long_polls: usize,
    /// Bytes of task output that output answers may hold at once (default 64 MiB); a read
    /// waits up to `write_timeout` for room, then is answered `unavailable`.
    pub max_output_in_flight: usize,
    /// Connections of other listeners served beside the API in this process (such as MCP over
    /// HTTP): their descriptors are reserved from the open files limit too (default 0).
    pub other_connections: usize,
    /// How long in-flight answers may take to finish once the daemon stops (default 5 s).
    pub drain_timeout: Duration,
}

impl DaemonOptions {
    /// Options for `home` with the default limits, starting shims with `shim`.
    pub fn new(home: impl Into<PathBuf>, shim: ShimProgram) -> Self {
        Self {
            home: home.into(),
            shim,
            settings: None,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_long_polls: 512,
            max_output_in_flight: 64 * 1024 * 1024,
            other_connections: 0,
            drain_timeout: Duration::from_secs(5),
        }
    }
}

/// A started daemon: it holds the home's lock, its runtime is open and its socket is bound.
/// Nothing is served until [`Daemon::serve`].
#[derive(Debug)]
pub struct Daemon {
    host: Host,
    home: Home,
    listener: UnixListener,
    lock: HomeLock,
    state: AppState,
    connection_limits: ConnectionLimits,
    shutdown: ShutdownHandle,
}

impl Daemon {
    /// Creates the home (mode 0700), takes its lock, opens the runtime (recovering the home's
    /// tasks) and binds `tend.sock` (mode 0600), replacing a stale one.
    ///
    /// Fails with [`DaemonError::AlreadyRunning`] when another daemon holds the home.
    pub async fn start(options: DaemonOptions) -> Result<Self, DaemonError> {
        let home = Home::new(&options.home);
        home.create().map_err(tend_host::HostError::from)?;
        let lock = HomeLock::acquire(&home.lock_file(), home.root())?;
        // Before the runtime opens: recovery re-adopts live tasks, each holding a descriptor.
        let open_files = descriptors::raise_open_files_limit();
        let capacity = descriptors::plan(
            open_files,
            options.max_connections.max(1),
            options.other_connections,
        );
        info!(
            open_files,
            max_live_tasks = capacity.max_live_tasks,
            max_connections = capacity.max_connections,
            "descriptor capacity"
        );
        let host_options = HostOptions {
            home: options.home.clone(),
            shim: options.shim.clone(),
            settings: options.settings.clone(),
            max_live_tasks: Some(capacity.max_live_tasks),
        };
        let host = Host::open(host_options).await?;
        let listener = match socket::bind(&home.socket()) {
            Ok(listener) => listener,
            Err(error) => {
                host.close().await;
                return Err(error);
            }
        };
        let shutdown = ShutdownHandle::new();
        let limits = Limits {
            body_timeout: options.body_timeout,
        };
        let max_connections = capacity.max_connections;
        let gates = Gates::new(
            options.max_long_polls.min(max_connections / 2).max(1),
            options.max_output_in_flight,
            options.write_timeout,
        );
        let state = AppState::new(host.clone(), shutdown.clone(), limits, gates, capacity);
        let connection_limits = ConnectionLimits {
            header_timeout: options.header_timeout,
            write_timeout: options.write_timeout,
            max_connections,
            drain_timeout: options.drain_timeout,
        };
        info!(pid = std::process::id(), socket = %home.socket().display(), "daemon started");
        Ok(Self {
            host,
            home,
            listener,
            lock,
            state,
            connection_limits,
            shutdown,
        })
    }

    /// The socket the daemon listens on.
    pub fn socket(&self) -> PathBuf {
        self.home.socket()
    }

    /// The home.
    pub fn home(&self) -> &Path {
        self.home.root()
    }

    /// The runtime it serves: a harness that runs the daemon in-process creates and manages
    /// tasks through it while the CLI and other clients reach the same tasks on the socket.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// A handle that stops the daemon.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// Serves the API until the shutdown is triggered (by a handle or `POST /v1/daemon/stop`),
    /// then drains the connections, stops the runtime (tasks keep running), removes the socket
    /// and releases the lock.
    pub async fn serve(self) -> Result<(), DaemonError> {
        let Self {
            host,
            home,
            listener,
            lock,
            state,
            connection_limits,
            shutdown,
        } = self;
        let router = api::router(state);
        let guard = socket::guard(
            home.socket(),
            router.clone(),
            connection_limits,
            shutdown.clone(),
        );
        let stop = shutdown.clone();
        let serve = tend_listen::serve(listener, router, connection_limits, async move {
            stop.triggered().await;
        });
        tokio::join!(serve, guard);
        host.close().await;
        if let Err(error) = std::fs::remove_file(home.socket()) {
            warn!(%error, "cannot remove the socket");
        }
        drop(lock);
        info!("daemon stopped");
        Ok(())
    }
}

/// Runs the daemon of a home until SIGTERM, SIGINT or `POST /v1/daemon/stop`.
pub async fn run(options: DaemonOptions) -> Result<(), DaemonError> {
    serve_until_signalled(Daemon::start(options).await?).await
}

/// Serves a started daemon until SIGTERM, SIGINT or a stop request; for callers that attach
/// more services (such as MCP over HTTP) between [`Daemon::start`] and serving.
pub async fn serve_until_signalled(daemon: Daemon) -> Result<(), DaemonError> {
    let handle = daemon.shutdown_handle();
    let mut terminate = signal(SignalKind::terminate())
        .map_err(|e| DaemonError::io("handle SIGTERM for", daemon.home(), e))?;
    let mut interrupt = signal(SignalKind::interrupt())
        .map_err(|e| DaemonError::io("handle SIGINT for", daemon.home(), e))?;
    tokio::spawn(async move {
        tokio::select! {
            _ = terminate.recv() => info!("SIGTERM: stopping"),
            _ = interrupt.recv() => info!("SIGINT: stopping"),
            () = handle.triggered() => {}
        }
        handle.trigger();
    });
    daemon.serve().await
}
