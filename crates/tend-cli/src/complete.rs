//! Dynamic shell completions: `tend completions SHELL` prints a script that calls back into
//! `tend` (with `COMPLETE=SHELL` in its environment) at each TAB, which answers the subcommands
//! and options and, from the running daemon of the home, task ids and group names.
//!
//! Completing never starts a daemon: without one, no ids are offered.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use clap::CommandFactory;
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::{CompleteEnv, Shells};
use tend_client::Client;
use tend_proto::ListTasksQuery;

use crate::cli::Cli;
use crate::context::Environment;

/// The variable that asks `tend` for completions instead of running a command.
pub const VAR: &str = "COMPLETE";

/// How long completing waits for the daemon.
const TIMEOUT: Duration = Duration::from_secs(2);

/// The most task ids offered (the most recent).
const MAX_IDS: u64 = 500;

/// The home the candidates come from, set by [`complete_if_asked`].
static HOME: OnceLock<Option<PathBuf>> = OnceLock::new();

/// When `COMPLETE` is set (by a script of `tend completions`), prints the candidates for the
/// command line that follows and exits; otherwise returns.
pub fn complete_if_asked(env: &Environment) {
    let cwd = env.cwd.clone().unwrap_or_else(|| PathBuf::from("/"));
    let _ = HOME.set(tend_client::resolve_home(&env.home, &cwd).ok());
    CompleteEnv::with_factory(Cli::command).var(VAR).complete();
}

/// The registration script of `shell` (`bash`, `zsh`, `fish`), which runs `program` to
/// complete.
pub fn script(shell: &str, program: &str) -> std::io::Result<Vec<u8>> {
    let shells = Shells::builtins();
    let completer = shells
        .completer(shell)
        .ok_or_else(|| std::io::Error::other(format!("no completions for {shell}")))?;
    let mut script = Vec::new();
    completer.write_registration(VAR, "tend", "tend", program, &mut script)?;
    Ok(script)
}

/// Completes task ids (`t3`, most recent first, each with its state and name).
pub fn task_ids() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| {
        let current = current.to_string_lossy();
        let query = ListTasksQuery {
            limit: Some(MAX_IDS),
            ..ListTasksQuery::default()
        };
        let Some(tasks) = ask(|client| async move { client.list_tasks(&query).await }) else {
            return Vec::new();
        };
        tasks
            .tasks
            .iter()
            .rev()
            .filter(|task| task.id.to_string().starts_with(&*current))
            .map(|task| {
                let help = format!(
                    "{} {}",
                    task.state.as_str(),
                    tend_core::display::visible(&task.name)
                );
                CompletionCandidate::new(task.id.to_string()).help(Some(help.into()))
            })
            .collect()
    })
}

/// Completes group names.
pub fn group_names() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| {
        let current = current.to_string_lossy();
        let Some(groups) = ask(|client| async move { client.groups().await }) else {
            return Vec::new();
        };
        groups
            .groups
            .iter()
            .filter(|group| group.name.starts_with(&*current))
            .map(|group| CompletionCandidate::new(group.name.to_string()))
            .collect()
    })
}

/// One request to the home's daemon, if one runs and answers in time.
fn ask<T, F, Fut>(request: F) -> Option<T>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Result<T, tend_client::ClientError>>,
{
    let home = HOME.get()?.as_ref()?;
    let client = Client::new(home).with_timeout(TIMEOUT);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    runtime
        .block_on(async { tokio::time::timeout(TIMEOUT, request(client)).await })
        .ok()?
        .ok()
}
