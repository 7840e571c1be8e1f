//! What every command gets: the environment read by `main`, the home, the session, the client
//! and how to print.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Context as _;
use tend_client::{Autostart, Client, HomeEnv, StartPolicy, resolve_home};

use crate::cli::Cli;
use crate::render::Style;

/// The session of the CLI when neither `--session` nor `TEND_SESSION` names one.
pub const DEFAULT_SESSION: &str = "cli";

/// The environment of the process, read by `main` (the library reads none).
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `TEND_HOME`, `XDG_STATE_HOME` and `HOME`.
    pub home: HomeEnv,
    /// `TEND_SESSION`.
    pub session: Option<String>,
    /// `TEND_NO_AUTOSTART` is set to something other than empty or `0`.
    pub no_autostart: bool,
    /// `NO_COLOR` is set and not empty.
    pub no_color: bool,
    /// `TEND_LOG`: the daemon's log filter (default `info`).
    pub log_filter: Option<String>,
    /// The working directory.
    pub cwd: Option<PathBuf>,
    /// The running executable, started as the daemon and as the shim.
    pub current_exe: Option<PathBuf>,
    /// `TEND_REQUEST_TIMEOUT`: how long a request may go unanswered (default 30 s; long polls
    /// and stops get their own wait on top).
    pub request_timeout: Option<String>,
    /// The whole environment (variables whose name and value are UTF-8), sent with `tend run`
    /// as the task's. A secret: its `Debug` shows only how many variables there are.
    pub vars: tend_proto::EnvMap,
}

impl Environment {
    /// Reads a variable the way `main` hands it over: `None` when unset or not UTF-8.
    pub fn text(value: Option<OsString>) -> Option<String> {
        value
            .and_then(|value| value.into_string().ok())
            .filter(|value| !value.is_empty())
    }
}

/// Everything a command works with.
#[derive(Debug)]
pub struct Context {
    /// The home.
    pub home: PathBuf,
    /// The session acted for: `--session`, else `TEND_SESSION`, else `cli`.
    pub session: String,
    /// `--session` when given on the command line (filters of `ls`, `clean`, `events`).
    pub session_filter: Option<String>,
    /// `--json`.
    pub json: bool,
    /// The client, starting the daemon unless `TEND_NO_AUTOSTART` says not to.
    pub client: Client,
    /// How to start the daemon.
    pub autostart: Autostart,
    /// Colours and width of human output.
    pub style: Style,
    /// The working directory.
    pub cwd: PathBuf,
    /// The environment.
    pub env: Environment,
    /// How long a request may go unanswered.
    pub request_timeout: std::time::Duration,
}

impl Context {
    /// Builds the context of one command.
    pub fn new(cli: &Cli, env: Environment) -> anyhow::Result<Self> {
        let cwd = env.cwd.clone().unwrap_or_else(|| PathBuf::from("/"));
        let home = resolve_home(&env.home, &cwd)?;
        let exe = env
            .current_exe
            .clone()
            .context("cannot find the path of the running tend executable")?;
        let autostart = Autostart::new(exe);
        let policy = if env.no_autostart {
            StartPolicy::Disabled
        } else {
            StartPolicy::Spawn(autostart.clone())
        };
        let session = cli
            .session
            .clone()
            .or_else(|| env.session.clone())
            .unwrap_or_else(|| DEFAULT_SESSION.to_owned());
        let timeout = match &env.request_timeout {
            Some(text) => std::time::Duration::from_millis(
                crate::cli::parse_duration(text)
                    .map_err(|e| anyhow::anyhow!("TEND_REQUEST_TIMEOUT: {e}"))?,
            ),
            None => tend_client::DEFAULT_REQUEST_TIMEOUT,
        };
        Ok(Self {
            client: Client::new(&home)
                .with_start_policy(policy)
                .with_timeout(timeout),
            request_timeout: timeout,
            home,
            session,
            session_filter: cli.session.clone(),
            json: cli.json,
            autostart,
            style: Style::for_stdout(env.no_color),
            cwd,
            env,
        })
    }

    /// A client of the same home that never starts a daemon (`tend daemon ...`).
    pub fn client_without_autostart(&self) -> Client {
        Client::new(&self.home).with_timeout(self.request_timeout)
    }
}
