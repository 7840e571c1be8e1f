//! `tend ls`: the tasks of all sessions (or of `--session`) as a table.

use std::io::IsTerminal as _;

use tend_proto::ListTasksQuery;

use crate::cli::LsArgs;
use crate::context::Context;
use crate::{clock, exit, output, render};

/// How many tasks `ls` shows on a terminal without `--limit`.
pub const TERMINAL_LIMIT: u64 = 50;

/// Runs `tend ls`. On a terminal without `--limit`, only the last [`TERMINAL_LIMIT`] tasks are
/// shown, followed by a line saying how many are hidden and how to see them.
pub async fn run(context: &Context, args: &LsArgs) -> anyhow::Result<u8> {
    let shown_limit = match args.limit {
        Some(0) => None,
        Some(n) => Some(n),
        None if !context.json && std::io::stdout().is_terminal() => Some(TERMINAL_LIMIT),
        None => None,
    };
    // With the default limit all are fetched, so that the hidden ones can be counted.
    let query = ListTasksQuery {
        session: context.session_filter.clone(),
        states: args.state.clone(),
        active: args.active,
        limit: args.limit.filter(|&n| n > 0),
        ..ListTasksQuery::default()
    };
    let mut answer = context.client.list_tasks(&query).await?;
    if context.json {
        output::json(&answer)?;
        return Ok(exit::OK);
    }
    if answer.tasks.is_empty() {
        output::line("no tasks")?;
        return Ok(exit::OK);
    }
    let hidden = match shown_limit {
        Some(limit) => answer.tasks.len().saturating_sub(limit as usize),
        None => 0,
    };
    answer.tasks.drain(..hidden);
    output::text(&render::tasks_table(
        &answer.tasks,
        clock::now(),
        &context.style,
    ))?;
    if hidden > 0 {
        let plural = if hidden == 1 { "" } else { "s" };
        output::line(&format!(
            "{hidden} older task{plural} not shown; all of them: tend ls --limit 0"
        ))?;
    }
    Ok(exit::OK)
}
