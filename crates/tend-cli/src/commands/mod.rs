//! One file per command; [`dispatch`] sends a parsed command line to its file.

pub mod clean;
pub mod completions;
pub mod daemon;
pub mod events;
pub mod group;
pub mod input;
pub mod logs;
pub mod ls;
pub mod mcp;
pub mod notifications;
pub mod ps;
pub mod rm;
pub mod run;
pub mod session;
pub mod show;
pub mod stop;
pub mod terminal;
pub mod tui;
pub mod wait;

use tend_proto::TasksResponse;

use crate::cli::{Command, GroupCommand, SessionCommand};
use crate::context::Context;
use crate::{clock, output, render};

/// Prints a list of records: the API's document with `--json`, else the `ls` table (nothing
/// for an empty list).
fn print_tasks(context: &Context, answer: &TasksResponse) -> anyhow::Result<()> {
    if context.json {
        output::json(answer)?;
    } else if !answer.tasks.is_empty() {
        output::text(&render::tasks_table(
            &answer.tasks,
            clock::now(),
            &context.style,
        ))?;
    }
    Ok(())
}

/// Runs a command that talks to the daemon; answers its exit code.
pub async fn dispatch(context: &Context, command: &Command) -> anyhow::Result<u8> {
    match command {
        Command::Run(args) => run::run(context, args).await,
        Command::Ls(args) => ls::run(context, args).await,
        Command::Show(args) => show::run(context, args).await,
        Command::Logs(args) => logs::run(context, args).await,
        Command::Ps(args) => ps::run(context, args).await,
        Command::Wait(args) => wait::run(context, args).await,
        Command::Stop(args) => stop::run(context, args).await,
        Command::Input(args) => input::run(context, args).await,
        Command::Screen(args) => terminal::screen(context, args).await,
        Command::Attach(args) => terminal::attach(context, args).await,
        Command::Rm(args) => rm::run(context, args).await,
        Command::Clean => clean::run(context).await,
        Command::Events(args) => events::run(context, args).await,
        Command::Notifications(args) => notifications::run(context, args).await,
        Command::Group(GroupCommand::Ls) => group::list(context).await,
        Command::Group(GroupCommand::Set { name, limit }) => {
            group::set(context, name, *limit).await
        }
        Command::Session(SessionCommand::Close { name, successor }) => {
            session::close(context, name, successor.as_deref()).await
        }
        Command::Daemon(args) => daemon::control(context, args).await,
        Command::Completions(args) => completions::run(args, context.env.current_exe.as_deref()),
        Command::Tui => tui::run(context).await,
        Command::Mcp => mcp::run(context).await,
    }
}
