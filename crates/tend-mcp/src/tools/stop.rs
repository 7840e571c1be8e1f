//! `bg_stop`: stops a task and everything it started.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use tend_proto::StopParams;

use super::{Call, task_id};
use crate::answer::{Answer, ToolError};
use crate::render;

/// What a model tells `bg_stop`.
pub(crate) const DESCRIPTION: &str = "Stop a background task and every process it started: \
SIGTERM to its process group, SIGKILL after grace_ms (default 5000). Answers once it has ended. \
Costs one line: its final state. Stopping a task that already ended changes nothing.";

/// The arguments of `bg_stop`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StopArgs {
    /// The task id, e.g. `t7`.
    task_id: String,
    /// Milliseconds between SIGTERM and SIGKILL (default: 5000, or the daemon's setting).
    grace_ms: Option<u64>,
}

/// Stops the task and answers its final record.
pub(crate) async fn stop(call: Call<'_>, args: StopArgs) -> Result<Answer, ToolError> {
    let id = task_id(&args.task_id)?;
    let params = StopParams {
        grace_ms: args.grace_ms,
    };
    params.grace()?;
    let before = call.client.get_task(id).await?;
    if before.state.is_terminal() {
        let line = render::task_line(&before, render::now(), false);
        return Ok(
            Answer::new(format!("nothing to stop: {line}"), &json!(before)).reporting([before.id]),
        );
    }
    let task = call.client.stop_task(id, &params).await?;
    let line = render::task_line(&task, render::now(), false);
    let ended = task.state.is_terminal().then_some(task.id);
    Ok(Answer::new(format!("stopped {line}"), &json!(task)).reporting(ended))
}
