//! `tend clean`: removes every ended task of the session given with `--session`, else of all
//! sessions.

use tend_core::State;
use tend_proto::{ApiErrorCode, ListTasksQuery, TasksResponse};

use crate::context::Context;
use crate::{exit, output};

/// Runs `tend clean`; prints how many tasks were removed (`--json`: their records).
pub async fn run(context: &Context) -> anyhow::Result<u8> {
    let query = ListTasksQuery {
        session: context.session_filter.clone(),
        states: vec![State::Completed, State::Failed, State::Cancelled],
        ..ListTasksQuery::default()
    };
    let ended = context.client.list_tasks(&query).await?.tasks;
    let mut removed = Vec::with_capacity(ended.len());
    for task in ended {
        match context.client.remove_task(task.id).await {
            Ok(()) => removed.push(task),
            // Removed meanwhile by someone else, or by retention.
            Err(error)
                if matches!(error.code(), ApiErrorCode::NotFound | ApiErrorCode::Expired) => {}
            Err(error) => return Err(error.into()),
        }
    }
    if context.json {
        output::json(&TasksResponse { tasks: removed })?;
    } else {
        let plural = if removed.len() == 1 { "" } else { "s" };
        output::line(&format!("removed {} task{plural}", removed.len()))?;
    }
    Ok(exit::OK)
}
