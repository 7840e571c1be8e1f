//! `tend stop ID...`: stops the tasks at once and returns when all have ended.

use futures_util::future::join_all;
use tend_proto::{StopParams, TasksResponse};

use crate::cli::StopArgs;
use crate::context::Context;
use crate::{exit, output, render};

/// Runs `tend stop`. Each id is stopped even when another fails; the first failure decides
/// the exit code.
pub async fn run(context: &Context, args: &StopArgs) -> anyhow::Result<u8> {
    let params = StopParams {
        grace_ms: args.grace,
    };
    let stops = args
        .ids
        .iter()
        .map(|&id| context.client.stop_task(id, &params));
    let mut tasks = Vec::new();
    let mut code = exit::OK;
    for (id, result) in args.ids.iter().zip(join_all(stops).await) {
        match result {
            Ok(task) => tasks.push(task),
            Err(error) => {
                eprintln!("tend: {id}: {error}");
                if code == exit::OK {
                    code = exit::code_of_api(error.code());
                }
            }
        }
    }
    if context.json {
        output::json(&TasksResponse { tasks })?;
    } else {
        for task in &tasks {
            let line = format!(
                "{}  {}  {}",
                task.id,
                task.state.as_str(),
                render::result_text(task)
            );
            output::line(&line)?;
        }
    }
    Ok(code)
}
