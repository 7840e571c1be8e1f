//! `tend ls`: the tasks of all sessions (or of `--session`) as a table.

use tend_proto::ListTasksQuery;

use crate::cli::LsArgs;
use crate::context::Context;
use crate::{clock, exit, output, render};

/// Runs `tend ls`.
pub async fn run(context: &Context, args: &LsArgs) -> anyhow::Result<u8> {
    let query = ListTasksQuery {
        session: context.session_filter.clone(),
        states: args.state.clone(),
        active: args.active,
        ..ListTasksQuery::default()
    };
    let answer = context.client.list_tasks(&query).await?;
    if context.json {
        output::json(&answer)?;
    } else if !answer.tasks.is_empty() {
        output::text(&render::tasks_table(
            &answer.tasks,
            clock::now(),
            &context.style,
        ))?;
    }
    Ok(exit::OK)
}
