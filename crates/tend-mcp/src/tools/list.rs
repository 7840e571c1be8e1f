//! `bg_list`: this session's tasks, or every session's.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use tend_proto::ListTasksQuery;

use super::Call;
use crate::answer::{Answer, ToolError};
use crate::render;

/// What a model tells `bg_list`.
pub(crate) const DESCRIPTION: &str = "List this session's background tasks (all_sessions: \
true for every session's; active: true for live ones only), oldest first. Costs one line per \
task (state, exit code, pid, duration), at most limit (default 100) tasks.";

/// The arguments of `bg_list`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListArgs {
    /// List the tasks of every session, not only this one's.
    #[serde(default)]
    all_sessions: bool,
    /// Only tasks that have not ended.
    #[serde(default)]
    active: bool,
    /// At most this many tasks: the most recent ones.
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 10_000))]
    limit: u64,
}

fn default_limit() -> u64 {
    100
}

/// Lists the tasks.
pub(crate) async fn list(call: Call<'_>, args: ListArgs) -> Result<Answer, ToolError> {
    if args.limit == 0 {
        return Err(ToolError::invalid("limit must be at least 1"));
    }
    let query = ListTasksQuery {
        session: (!args.all_sessions).then(|| call.session.to_owned()),
        active: args.active,
        limit: Some(args.limit),
        ..ListTasksQuery::default()
    };
    let found = call.client.list_tasks(&query).await?;
    let now = render::now();
    let whose = if args.all_sessions {
        "any session".to_owned()
    } else {
        format!("session {}", call.session)
    };
    let mut text = if found.tasks.is_empty() {
        format!(
            "no {}tasks in {whose}",
            if args.active { "live " } else { "" }
        )
    } else {
        format!("{} tasks in {whose}:", found.tasks.len())
    };
    for task in &found.tasks {
        text.push('\n');
        text.push_str(&render::task_line(task, now, args.all_sessions));
    }
    if found.tasks.len() as u64 >= args.limit {
        text.push_str(&format!(
            "\n(limit {} reached: older tasks not shown)",
            args.limit
        ));
    }
    let ended: Vec<_> = found
        .tasks
        .iter()
        .filter(|task| task.state.is_terminal())
        .map(|task| task.id)
        .collect();
    Ok(Answer::new(text, &json!(found)).reporting(ended))
}
