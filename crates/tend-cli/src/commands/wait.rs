//! `tend wait ID...`: 0 when all (or with `--any`, one) completed, 1 when one failed or was
//! cancelled, 124 on timeout.

use std::time::Duration;

use tend_core::{State, Task};
use tend_proto::{WaitMode, WaitParams};

use crate::cli::WaitArgs;
use crate::context::Context;
use crate::{exit, output, render};

/// Runs `tend wait`.
pub async fn run(context: &Context, args: &WaitArgs) -> anyhow::Result<u8> {
    if args.ready {
        let ids = crate::ids::resolve_all(context, &args.ids).await?;
        let timeout = args.timeout.map(Duration::from_millis);
        return until_ready(context, ids, timeout, true).await;
    }
    let mode = if args.any {
        WaitMode::Any
    } else {
        WaitMode::All
    };
    let ids = crate::ids::resolve_all(context, &args.ids).await?;
    let params = WaitParams {
        ids: Some(ids),
        mode: Some(mode),
        ..WaitParams::default()
    };
    let timeout = args.timeout.map(Duration::from_millis);
    let answer = match tend_client::wait_for(&context.client, &params, timeout).await {
        Ok(answer) => answer,
        Err(error) if error.code() == tend_proto::ApiErrorCode::NotFound => {
            // Say which id, as the other commands do.
            for &id in params.ids.iter().flatten() {
                if let Err(missing) = context.client.get_task(id).await {
                    return Err(crate::ids::task_error(id, missing));
                }
            }
            return Err(error.into());
        }
        Err(error) => return Err(error.into()),
    };
    if context.json {
        output::json(&answer)?;
    } else {
        for task in &answer.tasks {
            output::line(&summary_line(task))?;
        }
    }
    Ok(if answer.done {
        code_of(&answer.tasks, mode)
    } else {
        exit::TIMED_OUT
    })
}

/// The exit code of a finished wait.
fn code_of(tasks: &[Task], mode: WaitMode) -> u8 {
    let completed = |task: &&Task| task.state == State::Completed;
    let ended = tasks.iter().filter(|task| !task.is_live());
    let success = match mode {
        WaitMode::All => ended.clone().all(|task| completed(&task)),
        WaitMode::Any => ended.clone().any(|task| completed(&task)),
    };
    if success { exit::OK } else { exit::ERROR }
}

fn summary_line(task: &Task) -> String {
    format!(
        "{}  {}  {}",
        task.id,
        task.state.as_str(),
        render::result_text(task)
    )
}

/// `wait --ready`: 0 once every task is ready, 1 when one ended without being ready, 124 on
/// timeout. With `print`, prints a line a task (the JSON answer with `--json`).
pub async fn until_ready(
    context: &Context,
    ids: Vec<tend_core::TaskId>,
    timeout: Option<Duration>,
    print: bool,
) -> anyhow::Result<u8> {
    let params = WaitParams {
        ids: Some(ids),
        mode: Some(WaitMode::All),
        until: Some(tend_proto::WaitUntil::Ready),
        ..WaitParams::default()
    };
    let answer = tend_client::wait_for(&context.client, &params, timeout).await?;
    if print && context.json {
        output::json(&answer)?;
    } else if print {
        for task in &answer.tasks {
            let line = match task.ready_at {
                Some(at) => format!("{}  ready at {at}", task.id),
                None => summary_line(task),
            };
            output::line(&line)?;
        }
    }
    Ok(if !answer.done {
        exit::TIMED_OUT
    } else if answer.tasks.iter().all(|task| task.ready_at.is_some()) {
        exit::OK
    } else {
        exit::ERROR
    })
}
