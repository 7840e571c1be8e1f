//! `tend stop ID...`: stops the tasks at once and returns when all have ended.

use futures_util::future::join_all;
use tend_core::{Task, TaskId};
use tend_proto::{StopParams, TasksResponse};

use crate::cli::StopArgs;
use crate::context::Context;
use crate::{exit, output, render};

/// What became of one task.
enum Stopped {
    /// It was live and is now terminal.
    Now(Task),
    /// It had ended before the stop was asked.
    Already(Task),
}

/// Runs `tend stop`. Each id is stopped even when another fails; the first failure decides
/// the exit code. A task that had already ended is said so (`t5 had already ended (completed,
/// exit 0)`), not reported as stopped.
pub async fn run(context: &Context, args: &StopArgs) -> anyhow::Result<u8> {
    let params = StopParams {
        grace_ms: args.grace,
    };
    let ids = crate::ids::resolve_all(context, &args.ids).await?;
    let stops = ids.iter().map(|&id| stop(context, id, &params));
    let mut tasks = Vec::new();
    let mut code = exit::OK;
    let mut lines = Vec::new();
    for result in join_all(stops).await {
        match result {
            Ok(Stopped::Now(task)) => {
                lines.push(format!(
                    "{}  {}  {}",
                    task.id,
                    task.state.as_str(),
                    render::result_text(&task)
                ));
                tasks.push(task);
            }
            Ok(Stopped::Already(task)) => {
                lines.push(format!(
                    "{} had already ended ({}, {})",
                    task.id,
                    task.state.as_str(),
                    render::result_text(&task)
                ));
                tasks.push(task);
            }
            Err(error) => {
                eprintln!("tend: {error}");
                if code == exit::OK {
                    code = exit::code_of_error(&error).unwrap_or(exit::ERROR);
                }
            }
        }
    }
    if context.json {
        output::json(&TasksResponse { tasks })?;
    } else {
        for line in &lines {
            output::line(line)?;
        }
    }
    Ok(code)
}

async fn stop(context: &Context, id: TaskId, params: &StopParams) -> anyhow::Result<Stopped> {
    let about = |error| crate::ids::task_error(id, error);
    let before = context.client.get_task(id).await.map_err(about)?;
    if !before.is_live() {
        return Ok(Stopped::Already(before));
    }
    let task = context.client.stop_task(id, params).await.map_err(about)?;
    Ok(Stopped::Now(task))
}
