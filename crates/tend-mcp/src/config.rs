//! What a server works with: the daemon client, its session and the default working directory.

use std::path::{Path, PathBuf};

use tend_client::Client;

use crate::error::McpError;
use crate::random::random_hex;

/// The configuration of one MCP server: which daemon it talks to, the session its tasks and
/// notifications belong to, and the directory `bg_run` runs commands in when none is given.
///
/// # Examples
///
/// ```
/// use tend_client::Client;
/// use tend_mcp::{McpConfig, session_name};
///
/// let session = session_name(None, Some("review".into()));
/// let config = McpConfig::new(Client::new("/tmp/tend-home"), session, "/home/me/proj").unwrap();
/// assert_eq!(config.session(), "review");
/// ```
#[derive(Debug, Clone)]
pub struct McpConfig {
    client: Client,
    session: String,
    cwd: PathBuf,
    /// The environment `bg_run` commands start from; `None`: the daemon's.
    environment: Option<std::collections::BTreeMap<String, String>>,
}

impl McpConfig {
    /// A configuration; fails when `session` is not a valid session name or `cwd` is not an
    /// absolute path.
    pub fn new(
        client: Client,
        session: impl Into<String>,
        cwd: impl Into<PathBuf>,
    ) -> Result<Self, McpError> {
        let session = session.into();
        tend_core::validate_session(&session).map_err(|source| McpError::InvalidSession {
            session: session.clone(),
            source,
        })?;
        let cwd = cwd.into();
        if !cwd.is_absolute() {
            return Err(McpError::RelativeCwd { cwd });
        }
        Ok(Self {
            client,
            session,
            cwd,
            environment: None,
        })
    }

    /// The same configuration with commands of `bg_run` started from `environment` (the MCP
    /// server's own, for `tend mcp`: CONTRACT.md §10) plus the call's `env`, instead of the
    /// daemon's environment.
    pub fn with_environment(
        mut self,
        environment: std::collections::BTreeMap<String, String>,
    ) -> Self {
        self.environment = Some(environment);
        self
    }

    /// The environment `bg_run` commands start from, if not the daemon's.
    pub fn environment(&self) -> Option<&std::collections::BTreeMap<String, String>> {
        self.environment.as_ref()
    }

    /// The daemon client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The session: tasks started by `bg_run` belong to it and its notifications are shown.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// The working directory of `bg_run` when the call gives none.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }
}

/// The session of `tend mcp`: the `--session` flag, else `TEND_SESSION`, else `mcp-<random>`
/// (CONTRACT.md §7). Empty values count as absent. The caller reads the environment.
pub fn session_name(flag: Option<String>, env: Option<String>) -> String {
    flag.filter(|name| !name.is_empty())
        .or_else(|| env.filter(|name| !name.is_empty()))
        .unwrap_or_else(random_session)
}

/// A fresh session name `mcp-<8 hex digits>`.
pub fn random_session() -> String {
    format!("mcp-{}", random_hex(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_then_the_environment_then_a_random_name() {
        assert_eq!(session_name(Some("a".into()), Some("b".into())), "a");
        assert_eq!(session_name(Some(String::new()), Some("b".into())), "b");
        let random = session_name(None, Some(String::new()));
        assert!(random.starts_with("mcp-") && random.len() == 12, "{random}");
        assert_ne!(random_session(), random_session());
    }

    #[test]
    fn bad_sessions_and_relative_directories_are_refused() {
        let client = Client::new("/tmp/none");
        assert!(McpConfig::new(client.clone(), "has space", "/").is_err());
        assert!(McpConfig::new(client.clone(), "ok", "rel").is_err());
        assert!(McpConfig::new(client, "ok", "/").is_ok());
    }
}
