//! `bg_wait`: waits for tasks to end, with progress notifications while it waits.

use std::time::Duration;

use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::{Peer, RoleServer};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tend_core::{Task, TaskId};
use tend_proto::{ListTasksQuery, MAX_LONG_POLL_MS, WaitMode, WaitParams, WaitResponse};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Call, task_id};
use crate::answer::{Answer, ToolError};
use crate::render;

/// What a model tells `bg_wait`.
pub(crate) const DESCRIPTION: &str = "Wait for background tasks to end instead of polling: \
until one of task_ids ends (mode any, the default) or all do (mode all), or timeout_ms (default \
60000, at most 600000) passes. Without task_ids: this session's live tasks. Costs one line per \
task (state, exit code, duration), no output: read it with bg_output.";

/// How often a wait reports progress when the client asked for it.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// Whether one task or all must end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Mode {
    // Done when one task has ended.
    #[default]
    Any,
    // Done when every task has ended.
    All,
}

/// The arguments of `bg_wait`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WaitArgs {
    /// Task ids (`t3`) to wait for (default: this session's live tasks).
    #[serde(default)]
    task_ids: Vec<String>,
    /// `any`: done when one task has ended; `all`: when every one has.
    #[serde(default)]
    mode: Mode,
    /// Milliseconds to wait at most (at most 600000).
    #[serde(default = "default_timeout_ms")]
    #[schemars(range(max = 600_000))]
    timeout_ms: u64,
}

fn default_timeout_ms() -> u64 {
    60_000
}

/// Where progress goes, when the client asked for it.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    /// The client.
    pub peer: Peer<RoleServer>,
    /// The token of the call.
    pub token: ProgressToken,
}

/// Waits, reporting progress every second when asked, until done, timed out or cancelled.
pub(crate) async fn wait(
    call: Call<'_>,
    args: WaitArgs,
    progress: Option<Progress>,
    cancel: CancellationToken,
) -> Result<Answer, ToolError> {
    let ids = if args.task_ids.is_empty() {
        let query = ListTasksQuery {
            session: Some(call.session.to_owned()),
            active: true,
            ..ListTasksQuery::default()
        };
        call.client
            .list_tasks(&query)
            .await?
            .tasks
            .into_iter()
            .map(|task| task.id)
            .collect()
    } else {
        args.task_ids
            .iter()
            .map(|id| task_id(id))
            .collect::<Result<Vec<TaskId>, _>>()?
    };
    if ids.is_empty() {
        let text = format!(
            "nothing to wait for: session {} has no live tasks",
            call.session
        );
        return Ok(Answer::new(text, &json!({"done": true, "tasks": []})));
    }
    let timeout = Duration::from_millis(args.timeout_ms.min(MAX_LONG_POLL_MS));
    let mode = match args.mode {
        Mode::Any => WaitMode::Any,
        Mode::All => WaitMode::All,
    };
    let start = Instant::now();
    if let Some(progress) = &progress {
        let names: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let message = format!("waiting for {}", names.join(", "));
        send(progress, 0.0, timeout, message).await;
    }
    let mut answer = None;
    loop {
        let left = timeout.saturating_sub(start.elapsed());
        let slice = if progress.is_some() {
            left.min(PROGRESS_EVERY)
        } else {
            left
        };
        let params = WaitParams {
            ids: Some(ids.clone()),
            mode: Some(mode),
            timeout_ms: Some(u64::try_from(slice.as_millis()).unwrap_or(MAX_LONG_POLL_MS)),
            ..WaitParams::default()
        };
        let found = tokio::select! {
            found = call.client.wait(&params) => found?,
            () = cancel.cancelled() => break,
        };
        let finished = start.elapsed() >= timeout || found.done;
        if let (Some(progress), false) = (&progress, finished) {
            report(progress, &found, start.elapsed(), timeout).await;
        }
        answer = Some(found);
        if finished {
            break;
        }
    }
    let Some(found) = answer else {
        return Err(ToolError::new(
            tend_proto::ApiErrorCode::Unavailable,
            "the wait was cancelled",
        ));
    };
    let ended: Vec<TaskId> = found
        .tasks
        .iter()
        .filter(|task| task.state.is_terminal())
        .map(|task| task.id)
        .collect();
    Ok(Answer::new(text(&found, args.mode, start.elapsed()), &json!(found)).reporting(ended))
}

async fn report(progress: &Progress, found: &WaitResponse, elapsed: Duration, timeout: Duration) {
    let ended = found.tasks.iter().filter(|task| !task.is_live()).count();
    let live: Vec<String> = found
        .tasks
        .iter()
        .filter(|task| task.is_live())
        .map(|task| task.id.to_string())
        .collect();
    let message = format!(
        "{ended} of {} ended; waiting for {}",
        found.tasks.len(),
        live.join(", ")
    );
    send(progress, elapsed.as_secs_f64(), timeout, message).await;
}

/// Sends one progress notification; a client that went away is no reason to stop waiting.
async fn send(progress: &Progress, done: f64, timeout: Duration, message: String) {
    let param = ProgressNotificationParam::new(progress.token.clone(), done)
        .with_total(timeout.as_secs_f64())
        .with_message(message);
    if let Err(error) = progress.peer.notify_progress(param).await {
        tracing::debug!(%error, "cannot send progress");
    }
}

fn text(found: &WaitResponse, mode: Mode, waited: Duration) -> String {
    let ended: Vec<&Task> = found.tasks.iter().filter(|task| !task.is_live()).collect();
    let total = found.tasks.len();
    let waited = render::duration(u64::try_from(waited.as_millis()).unwrap_or(u64::MAX));
    let mut text = match (found.done, mode) {
        (true, Mode::Any) => format!("done after {waited}: {} of {total} ended", ended.len()),
        (true, Mode::All) => format!("done after {waited}: all {total} ended"),
        (false, _) => format!(
            "timed out after {waited}: {} of {total} ended; call bg_wait again to keep waiting",
            ended.len()
        ),
    };
    let now = render::now();
    for task in &found.tasks {
        text.push('\n');
        text.push_str(&render::task_line(task, now, false));
    }
    if let Some(task) = ended.first() {
        text.push_str(&format!(
            "\nbg_output task_id={} shows its output (head and end when long).",
            task.id
        ));
    }
    text
}
