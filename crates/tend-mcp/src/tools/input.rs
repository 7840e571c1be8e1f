//! `bg_input`: writes to the stdin of a task started with `stdin: true`.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use tend_proto::StdinParams;

use super::{Call, task_id};
use crate::answer::{Answer, ToolError};

/// What a model tells `bg_input`.
pub(crate) const DESCRIPTION: &str = "Write text to the stdin of a background task started by \
bg_run with stdin: true or tty: true (answers to prompts, commands for a REPL). The text is \
written exactly as given: end a line with \\n, or on a tty with keys: [\"enter\"]. keys names \
keys typed after the text (enter, tab, up, ctrl-c...). eof: true closes stdin afterwards (ctrl-d \
on a tty). Costs one line; read the reply with bg_output (screen: true shows a tty task's \
screen).";

/// The arguments of `bg_input`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InputArgs {
    /// The task id, e.g. `t7`.
    task_id: String,
    /// The text to write, as is (include `\n` to end a line; on a tty task end a line with the
    /// key `enter` instead).
    #[serde(default)]
    text: String,
    /// Keys typed after the text, by name: `enter`, `tab`, `space`, `backspace`, `escape`,
    /// `delete`, `up`, `down`, `left`, `right`, `home`, `end`, `pageup`, `pagedown`, `f1`..`f12`,
    /// `ctrl-a`..`ctrl-z`, `ctrl-\`, `ctrl-]`. Without a tty only `enter`, `tab`, `ctrl-c`
    /// (interrupts) and `ctrl-d` (closes stdin).
    #[serde(default)]
    keys: Vec<String>,
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
                keys: args.keys.clone(),
                eof: args.eof,
            },
        )
        .await?;
    let closed = if args.eof { " and closed it" } else { "" };
    let keys = if args.keys.is_empty() {
        String::new()
    } else {
        format!(" and typed {}", args.keys.join(" "))
    };
    let text = format!("wrote {bytes} bytes to the stdin of {id}{keys}{closed}");
    Ok(Answer::new(
        text,
        &json!({"ok": true, "task_id": id, "bytes": bytes, "eof": args.eof}),
    ))
}
