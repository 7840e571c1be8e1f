//! `bg_input`: writes to the stdin of a task started with `stdin: true`.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use tend_proto::StdinParams;

use super::{Call, task_id};
use crate::answer::{Answer, ToolError};

/// What a model tells `bg_input`.
pub(crate) const DESCRIPTION: &str = "Write text to the stdin of a task started by bg_run \
with stdin: true (answers to prompts, REPL commands), exactly as given: end a line with \\n. \
eof: true closes stdin afterwards. Costs one line; read the reply with bg_output.";

/// The arguments of `bg_input`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InputArgs {
    /// The task id, e.g. `t7`.
    task_id: String,
    /// The text to write, as is (include `\n` to end a line).
    text: String,
    /// Close the task's stdin after writing.
    #[serde(default)]
    eof: bool,
}

/// Writes the text.
pub(crate) async fn input(call: Call<'_>, args: InputArgs) -> Result<Answer, ToolError> {
    let id = task_id(&args.task_id)?;
    let bytes = args.text.len();
    call.client
        .write_stdin(
            id,
            &StdinParams {
                data: args.text,
                eof: args.eof,
            },
        )
        .await?;
    let closed = if args.eof { " and closed it" } else { "" };
    let text = format!("wrote {bytes} bytes to the stdin of {id}{closed}");
    Ok(Answer::new(
        text,
        &json!({"ok": true, "task_id": id, "bytes": bytes, "eof": args.eof}),
    ))
}
