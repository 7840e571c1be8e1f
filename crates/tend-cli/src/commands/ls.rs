//! `tend ls`: the tasks of all sessions (or of `--session`) as a table.

use tend_proto::ListTasksQuery;

use super::print_tasks;
use crate::cli::LsArgs;
use crate::context::Context;
use crate::exit;

/// Runs `tend ls`.
pub async fn run(context: &Context, args: &LsArgs) -> anyhow::Result<u8> {
    let query = ListTasksQuery {
        session: context.session_filter.clone(),
        states: args.state.clone(),
        active: args.active,
        ..ListTasksQuery::default()
    };
    let answer = context.client.list_tasks(&query).await?;
    print_tasks(context, &answer)?;
    Ok(exit::OK)
}
