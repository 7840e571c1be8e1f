//! The command line of CONTRACT.md §6, as clap structures.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tend_core::{ClosePolicy, Seq, State};

use crate::ids::TaskRef;

/// Runs and tracks background work: shell commands and the work of agents, kept by one daemon
/// per home.
#[derive(Debug, Parser)]
#[command(name = "tend", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Print the API's JSON documents (JSON lines for streams) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// The session to act for [default: $TEND_SESSION, else `cli`]. `ls`, `clean` and
    /// `events` show all sessions unless it is given.
    #[arg(long, global = true, value_name = "S")]
    pub session: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
// Parsed once per process: the size of `run`'s options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a shell task and print its id.
    Run(RunArgs),
    /// List tasks of all sessions.
    Ls(LsArgs),
    /// Show a task's record.
    Show(ShowArgs),
    /// Print a task's output.
    Logs(LogsArgs),
    /// Show the live processes of a task as a tree.
    Ps(PsArgs),
    /// Wait for tasks to end.
    Wait(WaitArgs),
    /// Stop tasks; returns once they have ended.
    Stop(StopArgs),
    /// Write to the stdin of a task started with --stdin or --tty (text and keys).
    Input(InputArgs),
    /// Print the screen of a task's terminal (any task: without a tty at 40x120).
    Screen(crate::commands::terminal::ScreenArgs),
    /// Connect this terminal to a tty task; Ctrl-] detaches (the task runs on).
    Attach(crate::commands::terminal::AttachArgs),
    /// Remove ended tasks and their output.
    Rm(RmArgs),
    /// Remove every ended task (of the session given with --session, else of all sessions).
    Clean,
    /// Print events as JSON lines.
    Events(EventsArgs),
    /// List the session's unacknowledged notifications.
    Notifications(NotificationsArgs),
    /// Concurrency groups.
    #[command(subcommand)]
    Group(GroupCommand),
    /// Sessions.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Run the daemon in the foreground, or control the background daemon.
    Daemon(DaemonArgs),
    /// The terminal UI.
    Tui,
    /// The MCP server on stdio.
    Mcp,
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

/// `tend run`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  tend run -- npm run dev\n  tend run --wait -- make test\n  \
                  tend run --yield 10s --sh 'cargo build 2>&1 | tail -n 20'"
)]
pub struct RunArgs {
    /// A label (default: the command line).
    #[arg(long)]
    pub name: Option<String>,
    /// The working directory (default: the current one).
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// A variable added to the task's environment, or replacing one (repeatable); never shown.
    #[arg(long = "env", value_name = "K=V", value_parser = parse_env)]
    pub env: Vec<(String, String)>,
    /// Start from the daemon's environment instead of this shell's (plus --env).
    #[arg(long)]
    pub clean_env: bool,
    /// The concurrency group.
    #[arg(long, add = crate::complete::group_names())]
    pub group: Option<String>,
    /// Start only after this task completed (repeatable).
    #[arg(long = "after", value_name = "ID")]
    pub after: Vec<TaskRef>,
    /// An idempotency key: a live task of the session with this key is answered instead.
    #[arg(long)]
    pub key: Option<String>,
    /// Fail the task when it runs longer than this (timed_out).
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub timeout: Option<u64>,
    /// Fail the task when it prints nothing for this long (stale).
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub idle_timeout: Option<u64>,
    /// Fail the task when it waits to start for longer than this (queue_timeout).
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub queue_timeout: Option<u64>,
    /// Run a failing task again, up to N attempts in all.
    #[arg(long, value_name = "N")]
    pub max_attempts: Option<u32>,
    /// Keep the task's stdin open for `tend input`.
    #[arg(long)]
    pub stdin: bool,
    /// Run the command in a terminal (stdin, stdout and stderr; `tend input`, `tend attach`).
    #[arg(long)]
    pub tty: bool,
    /// The terminal's size, ROWSxCOLS (with --tty; default 40x120).
    #[arg(long, value_name = "ROWSxCOLS", requires = "tty", value_parser = crate::commands::terminal::parse_size)]
    pub size: Option<tend_core::TtySize>,
    /// Keep stderr in its own stream (`tend logs --stderr`).
    #[arg(long)]
    pub separate_stderr: bool,
    /// What happens to the task when its session closes.
    #[arg(long, value_enum, value_name = "P")]
    pub close_policy: Option<ClosePolicyArg>,
    /// Print the output until the task ends, then exit with its code (exit code, 128+N for
    /// signal N, 124 for a timeout, 1 for other failures). Interrupting tend leaves the task
    /// running.
    #[arg(long, conflicts_with = "yield_for")]
    pub wait: bool,
    /// Ready once a line of output matches this regular expression.
    #[arg(long, value_name = "RE")]
    pub ready_output: Option<String>,
    /// Ready once the task listens on this TCP port (0: any port).
    #[arg(long, value_name = "N")]
    pub ready_port: Option<u16>,
    /// Ready once an HTTP GET of this http:// URL answers a status below 500.
    #[arg(long, value_name = "URL")]
    pub ready_http: Option<String>,
    /// Wait until the task is ready, print its id, exit like `wait --ready`.
    #[arg(long, conflicts_with_all = ["wait", "yield_for"])]
    pub wait_ready: bool,
    /// Like --wait for at most DUR; then print the id and exit 0.
    #[arg(long = "yield", value_name = "DUR", value_parser = parse_duration)]
    pub yield_for: Option<u64>,
    /// Run STRING with `sh -c` instead of PROGRAM ARGS.
    #[arg(long, value_name = "STRING", conflicts_with = "program")]
    pub sh: Option<String>,
    /// The program and its arguments (after `--`).
    #[arg(
        value_name = "PROGRAM",
        trailing_var_arg = true,
        required_unless_present = "sh"
    )]
    pub program: Vec<String>,
}

/// `--close-policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClosePolicyArg {
    /// Runs on.
    Keep,
    /// Stopped (reason session_closed).
    Cancel,
    /// Moved to the successor session.
    Transfer,
}

impl From<ClosePolicyArg> for ClosePolicy {
    fn from(value: ClosePolicyArg) -> Self {
        match value {
            ClosePolicyArg::Keep => Self::Keep,
            ClosePolicyArg::Cancel => Self::Cancel,
            ClosePolicyArg::Transfer => Self::Transfer,
        }
    }
}

/// `tend ls`.
#[derive(Debug, Args)]
pub struct LsArgs {
    /// Only live tasks.
    #[arg(long)]
    pub active: bool,
    /// Only tasks in these states (comma-separated or repeated).
    #[arg(long, value_name = "S", value_delimiter = ',', value_parser = parse_state)]
    pub state: Vec<State>,
    /// Only the N most recent tasks; 0 for all [default: all, or the last 50 on a terminal].
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
}

/// `tend show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The task: its id (t3 or 3) or the name of a live task of the session.
    #[arg(value_name = "ID", add = crate::complete::task_ids())]
    pub id: TaskRef,
}

/// `tend ps`.
#[derive(Debug, Args)]
pub struct PsArgs {
    /// The task.
    #[arg(value_name = "ID", add = crate::complete::task_ids())]
    pub id: TaskRef,
}

/// `tend logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The task: its id (t3 or 3) or the name of a live task of the session.
    #[arg(value_name = "ID", add = crate::complete::task_ids())]
    pub id: TaskRef,
    /// Keep printing until the task ends.
    #[arg(short, long)]
    pub follow: bool,
    /// Only the last N lines.
    #[arg(long, value_name = "N", conflicts_with_all = ["grep", "cursor"])]
    pub tail: Option<u64>,
    /// Start at this byte offset.
    #[arg(long, value_name = "N")]
    pub cursor: Option<u64>,
    /// Only lines matching this regular expression.
    #[arg(long, value_name = "RE")]
    pub grep: Option<String>,
    /// The stderr stream of a task started with --separate-stderr.
    #[arg(long)]
    pub stderr: bool,
    /// Text without escape sequences, carriage-return overwrites and backspaces applied.
    #[arg(long)]
    pub plain: bool,
}

/// `tend wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The tasks: ids (t3 or 3) or names of live tasks of the session.
    #[arg(required = true, value_name = "ID", add = crate::complete::task_ids())]
    pub ids: Vec<TaskRef>,
    /// Return when one task has ended instead of all.
    #[arg(long)]
    pub any: bool,
    /// Done once ready (exit 0), or ended without being ready (exit 1).
    #[arg(long)]
    pub ready: bool,
    /// Give up after this long (exit 124).
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub timeout: Option<u64>,
}

/// `tend stop`.
#[derive(Debug, Args)]
pub struct StopArgs {
    /// The tasks: ids (t3 or 3) or names of live tasks of the session.
    #[arg(required = true, value_name = "ID", add = crate::complete::task_ids())]
    pub ids: Vec<TaskRef>,
    /// Time between SIGTERM and SIGKILL (default: the daemon's, 5s).
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub grace: Option<u64>,
}

/// `tend input`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The task: its id (t3 or 3) or the name of a live task of the session.
    #[arg(value_name = "ID", add = crate::complete::task_ids())]
    pub id: TaskRef,
    /// The text, written as given (add a newline yourself: `$'yes\n'`, or `--key enter`).
    pub text: Option<String>,
    /// A key typed after the text (repeatable): enter, tab, up, ctrl-c, f1...
    #[arg(long = "key", value_name = "NAME")]
    pub keys: Vec<String>,
    /// Close the task's stdin after writing (on a terminal: ctrl-d).
    #[arg(long)]
    pub eof: bool,
}

/// `tend rm`.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// The tasks: ids (t3 or 3) or names of live tasks of the session.
    #[arg(required = true, value_name = "ID", add = crate::complete::task_ids())]
    pub ids: Vec<TaskRef>,
}

/// `tend events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Only events after this sequence number.
    #[arg(long, value_name = "SEQ")]
    pub after: Option<Seq>,
    /// Keep printing new events.
    #[arg(short, long)]
    pub follow: bool,
    /// Only this task's events.
    #[arg(long, value_name = "ID")]
    pub task: Option<TaskRef>,
}

/// `tend notifications`.
#[derive(Debug, Args)]
pub struct NotificationsArgs {
    /// Acknowledge the notifications listed.
    #[arg(long)]
    pub ack: bool,
}

/// `tend group ...`.
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// List groups with their limits and load.
    Ls,
    /// Set a group's limit (0 = unlimited).
    Set {
        /// The group.
        #[arg(add = crate::complete::group_names())]
        name: String,
        /// Tasks of the group that may run at once.
        limit: u32,
    },
}

/// `tend session ...`.
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Close a session: its live tasks follow their close policy.
    Close {
        /// The session.
        #[arg(value_name = "S")]
        name: String,
        /// Where tasks with close policy `transfer` go.
        #[arg(long, value_name = "S2")]
        successor: Option<String>,
    },
}

/// `tend daemon [start|stop|status]`.
#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Without a subcommand the daemon runs in the foreground.
    #[command(subcommand)]
    pub action: Option<DaemonAction>,
    /// Also serve the MCP tools over Streamable HTTP at http://ADDR/mcp (loopback only; a
    /// bearer token is kept in TEND_HOME/mcp.token). Foreground daemon only.
    #[arg(long, value_name = "ADDR")]
    pub mcp_http: Option<std::net::SocketAddr>,
}

/// Controls of the background daemon.
#[derive(Debug, Subcommand)]
pub enum DaemonAction {
    /// Start the daemon in the background unless it runs.
    Start {
        /// Move the home aside (to HOME.reset-<time>) and start with a fresh one: for a home
        /// whose database is missing or empty while task directories remain.
        #[arg(long)]
        reset: bool,
    },
    /// Stop the daemon; running tasks keep running unless --kill-tasks.
    Stop {
        /// Stop every live task first (reason shutdown).
        #[arg(long)]
        kill_tasks: bool,
        /// The grace of those stops.
        #[arg(long, value_name = "DUR", value_parser = parse_duration)]
        grace: Option<u64>,
    },
    /// Tell whether the daemon runs (exit 1 when not).
    Status,
}

/// `tend completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// Shells with completion scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
}

/// A duration of the command line (`250ms`, `10s`, `5m`, `2h`) in milliseconds.
pub(crate) fn parse_duration(text: &str) -> Result<u64, String> {
    tend_core::parse_duration(text)
        .map_err(|_| format!("{text:?} is not a duration like 250ms, 10s, 5m or 2h"))
}

fn parse_env(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err("expected NAME=VALUE".to_owned()),
    }
}

fn parse_state(text: &str) -> Result<State, String> {
    State::parse(text.trim()).ok_or_else(|| {
        format!(
            "{text:?} is not a state (pending, running, waiting, cancel_requested, completed, \
             failed, cancelled)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn run_takes_its_program_after_the_options() {
        let cli = Cli::parse_from([
            "tend", "run", "--wait", "--env", "A=1=2", "--", "sh", "-c", "x",
        ]);
        let Command::Run(args) = cli.command else {
            panic!("not run")
        };
        assert!(args.wait);
        assert_eq!(args.env, [("A".to_owned(), "1=2".to_owned())]);
        assert_eq!(args.program, ["sh", "-c", "x"]);
        let cli = Cli::parse_from(["tend", "run", "--yield", "200ms", "sleep", "5", "--name"]);
        let Command::Run(args) = cli.command else {
            panic!("not run")
        };
        assert_eq!(args.yield_for, Some(200));
        assert_eq!(args.program, ["sleep", "5", "--name"]);
    }

    #[test]
    fn usage_mistakes_are_refused() {
        for argv in [
            &["tend", "run"][..],
            &["tend", "run", "--sh", "x", "--", "y"],
            &["tend", "run", "--wait", "--yield", "1s", "--", "y"],
            &["tend", "run", "--timeout", "soon", "--", "y"],
            &["tend", "ls", "--state", "sleeping"],
            &["tend", "logs", "t1", "--tail", "3", "--grep", "x"],
            &["tend", "completions", "powershell"],
        ] {
            assert!(Cli::try_parse_from(argv).is_err(), "{argv:?} accepted");
        }
    }

    #[test]
    fn the_global_options_go_anywhere() {
        let cli = Cli::parse_from([
            "tend",
            "ls",
            "--json",
            "--session",
            "s1",
            "--state",
            "running,failed",
        ]);
        assert!(cli.json);
        assert_eq!(cli.session.as_deref(), Some("s1"));
        let Command::Ls(args) = cli.command else {
            panic!("not ls")
        };
        assert_eq!(args.state, [State::Running, State::Failed]);
    }
}
