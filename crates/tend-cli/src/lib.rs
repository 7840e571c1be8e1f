//! tend-cli: the `tend` command line (CONTRACT.md §6) as a library; `main.rs` only reads the
//! environment and calls [`run`].
//!
//! Each command lives in its own file under `commands/` and talks to the daemon through
//! [`tend_client::Client`], which starts the daemon of the home when none answers (unless
//! `TEND_NO_AUTOSTART=1`). `tend daemon` runs [`tend_daemon::run`] in the foreground. Human
//! output is built in `render/` (aligned tables, colours only on a terminal with `NO_COLOR`
//! unset); `--json` prints the API's documents as they are. Exit codes are in [`exit`].
//!
//! # Choices where CONTRACT.md is silent
//!
//! - `tend run` sends the caller's working directory (or `--cwd`, relative to it) and its whole
//!   environment (the variables whose name and value are UTF-8; `base_env: "request"`): the
//!   task runs with exactly that plus `--env K=V`. `--clean-env` starts from the daemon's
//!   environment instead. `--cwd` must be a directory this user may enter, else nothing is
//!   created (exit 2).
//! - Interrupting `run --wait` or `run --yield` (Ctrl-C) leaves the task running, says so on
//!   stderr (`t22 keeps running; stop it with: tend stop t22`) and exits 130.
//! - Where a command takes a task, `t3`, a bare `3` and the name of a task are accepted; a name
//!   must be that of exactly one live task of the session, else the error says so (exit 3 when
//!   none, 1 when several, listing them). An id never issued is `no task t9` (exit 3).
//! - `stop` of a task that had already ended says so (`t5 had already ended (completed, exit
//!   0)`) and exits 0.
//! - `ls` has a RAN column (start to end, or to now while it runs); it prints `no tasks` when
//!   there are none. `--limit N` shows the N most recent (0: all); on a terminal without
//!   `--limit`, the last 50, then a line saying how many are hidden.
//! - `show` adds the run time and, for a pending task, `waiting:` (the `after` tasks that have
//!   not completed, the retry backoff, a full group).
//! - `notifications` is a table (id, age, text); `--ack` says on stderr how many were
//!   acknowledged.
//! - `logs --grep` exits 1 when no line matched. When `--grep` or `--json` printed U+FFFD and
//!   the stream holds bytes that are not UTF-8, a note on stderr says that they were replaced.
//! - `completions SHELL` prints a script that asks `tend` for candidates at each TAB
//!   (subcommands, options, task ids, group names; see [`complete`]).
//! - `run --json --wait` prints the create answer once the task ended, with its output read
//!   from byte 0 (as `yield_ms` answers it); `run --json --yield DUR` is the create answer with
//!   `yield_ms`. Both exit with the task's code when it ended.
//! - `ls`, `clean` and `events` cover all sessions unless `--session` is given on the command
//!   line (`TEND_SESSION` does not filter them); `notifications` is the session's.
//! - `logs` without `-f` prints everything written so far; `--json` prints one output read
//!   (up to 16 MiB), and with `-f` one read per line until the end.
//! - `input` writes TEXT exactly as given (no newline is added).
//! - `wait --any` exits 0 when one of the ended tasks completed.
//! - `rm` and `input` print nothing, also with `--json` (the API answers 204); `clean --json`
//!   prints `{"tasks": [...]}` of the removed records.
//! - `daemon stop` without a daemon says so and exits 0; `daemon status` without one exits 1.
//!   `daemon stop` returns once the daemon's process is gone.
//! - A reader that goes away (a closed pipe) ends a command quietly with exit 0.

pub mod cli;
mod clock;
mod commands;
pub mod complete;
pub mod context;
pub mod exit;
pub mod ids;
mod output;
mod render;
mod stream;

use std::process::ExitCode;

pub use cli::Cli;
pub use context::{Context, Environment};

use crate::cli::{Command, DaemonArgs};

/// Runs one command line and answers the process's exit code. Errors are reported on stderr
/// as `tend: message`.
pub fn run(cli: Cli, env: Environment) -> ExitCode {
    match dispatch(cli, env) {
        Ok(code) => exit::exit(code),
        Err(error) => match exit::code_of_error(&error) {
            None => exit::exit(exit::OK),
            Some(code) => {
                // An error may quote a task's name or a daemon's message: shown, not interpreted.
                let message = format!("{error:#}");
                let shown: Vec<_> = message.lines().map(tend_core::display::visible).collect();
                eprintln!("tend: {}", shown.join("\n"));
                exit::exit(code)
            }
        },
    }
}

fn dispatch(cli: Cli, env: Environment) -> anyhow::Result<u8> {
    if let Command::Completions(args) = &cli.command {
        return commands::completions::run(args, env.current_exe.as_deref());
    }
    let context = Context::new(&cli, env)?;
    if let Command::Mcp = &cli.command {
        // The stdio transport reads stdin on a blocking thread: end the runtime without
        // waiting for it once the session is closed.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let code = runtime.block_on(commands::mcp::run(&context));
        runtime.shutdown_background();
        return code;
    }
    if let Command::Daemon(DaemonArgs {
        action: None,
        mcp_http,
    }) = &cli.command
    {
        return commands::daemon::foreground(&context, *mcp_http);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(commands::dispatch(&context, &cli.command))
}
