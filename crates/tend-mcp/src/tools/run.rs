//! `bg_run`: starts a shell command and waits up to `yield_ms` for it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use tend_core::{ClosePolicy, StdinMode};
use tend_proto::{CreateTaskParams, EnvMap, MAX_LONG_POLL_MS};

use super::{Call, default_max_bytes, task_id};
use crate::answer::{Answer, ToolError};
use crate::read::{Shown, head_and_tail};
use crate::render::{self, ReadKind};

/// What a model tells `bg_run`.
pub(crate) const DESCRIPTION: &str = "Run a shell command in the background. Waits up to \
yield_ms (default 15000) for it to end: then answers its exit code and output, like a shell \
call; else its task id and the output so far, and it keeps running (yield_ms: 0 for servers and \
watchers). Costs one status line plus at most max_bytes (default 16384) of output: when longer, \
the first quarter and the last three quarters, cut at line ends, with a marker naming the \
cursor of the middle; escape sequences removed, repeated lines folded. A task's end is told \
once, in a [tend] line of a later answer. Tasks stop when this session ends unless detach: true.";

/// The arguments of `bg_run`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunArgs {
    /// The command line, run with `sh -c` (pipes, `&&`, redirections work).
    command: String,
    /// Working directory, absolute or relative to the server's (default: the server's).
    cwd: Option<String>,
    /// Extra environment variables for the command (never shown back).
    #[serde(default)]
    env: BTreeMap<String, String>,
    /// A short label for lists and notifications (default: the command).
    name: Option<String>,
    /// Milliseconds to wait for the command to end before answering (0: answer at once).
    #[serde(default = "default_yield_ms")]
    #[schemars(range(max = 600_000))]
    yield_ms: u64,
    /// Fail the task if it runs longer than this many milliseconds (0: no limit).
    #[serde(default)]
    timeout_ms: u64,
    /// A concurrency group: tasks of a group with a limit wait for a free slot.
    group: Option<String>,
    /// Task ids (`t3`) that must complete first; the command starts after them.
    #[serde(default)]
    after: Vec<String>,
    /// Keep the task running after this session ends (default: it is stopped).
    #[serde(default)]
    detach: bool,
    /// Give the command a stdin pipe that bg_input writes to.
    #[serde(default)]
    stdin: bool,
    /// Run the command in a terminal (40x120): programs that buffer on pipes, REPLs,
    /// prompts, full-screen programs. Drive it with bg_input keys, read it with bg_output
    /// screen: true; output text is shown without escape sequences.
    #[serde(default)]
    tty: bool,
    /// The most output bytes in this answer.
    #[serde(default = "default_max_bytes")]
    #[schemars(range(min = 1, max = 16_777_216))]
    max_bytes: u64,
}

fn default_yield_ms() -> u64 {
    15_000
}

/// Creates the task and answers its end or its id and the output so far.
pub(crate) async fn run(call: Call<'_>, args: RunArgs) -> Result<Answer, ToolError> {
    if args.command.trim().is_empty() {
        return Err(ToolError::invalid("command must not be empty"));
    }
    let cwd = match &args.cwd {
        Some(dir) if !dir.trim().is_empty() => call.cwd.join(dir),
        _ => call.cwd.to_path_buf(),
    };
    let cwd = cwd
        .to_str()
        .ok_or_else(|| ToolError::invalid("cwd: the directory is not valid UTF-8"))?
        .to_owned();
    let after = args
        .after
        .iter()
        .map(|id| task_id(id))
        .collect::<Result<Vec<_>, _>>()?;
    let yield_ms = args.yield_ms.min(MAX_LONG_POLL_MS);
    // The server's own environment plus the call's variables (CONTRACT.md §10).
    let (base_env, env) = match call.environment {
        Some(environment) => {
            let mut env = environment.clone();
            env.extend(args.env);
            (Some(tend_core::BaseEnv::Request), env)
        }
        None => (None, args.env),
    };
    let params = CreateTaskParams {
        session: call.session.to_owned(),
        shell: Some(args.command.clone()),
        name: args.name.filter(|name| !name.trim().is_empty()),
        cwd: Some(cwd),
        env: (!env.is_empty()).then_some(EnvMap(env)),
        base_env,
        group: args.group.filter(|group| !group.trim().is_empty()),
        after: (!after.is_empty()).then_some(after),
        timeout_ms: (args.timeout_ms > 0).then_some(args.timeout_ms),
        stdin: args.stdin.then_some(StdinMode::Pipe),
        tty: args.tty.then_some(tend_proto::TtyParam::On(true)),
        close_policy: Some(if args.detach {
            ClosePolicy::Keep
        } else {
            ClosePolicy::Cancel
        }),
        yield_ms: (yield_ms > 0).then_some(yield_ms),
        max_bytes: Some(args.max_bytes),
        ..CreateTaskParams::default()
    };
    let mut created = call.client.create_task(&params).await?;
    let shown = match created.output.take() {
        Some(read) => {
            Some(head_and_tail(call.client, created.task.id, read, args.max_bytes).await?)
        }
        None => None,
    };
    let task = &created.task;
    let now = render::now();
    let mut text = String::new();
    if task.state.is_terminal() {
        let _ = writeln!(text, "{}", render::task_line(task, now, false));
    } else {
        let waited = if yield_ms > 0 {
            format!("did not finish within {}; ", render::duration(yield_ms))
        } else {
            String::new()
        };
        let policy = if args.detach {
            "detached: it keeps running after this session ends"
        } else {
            "it is stopped when this session ends"
        };
        let _ = writeln!(
            text,
            "{}: {}, in the background ({waited}{policy}).",
            render::label(task),
            render::state(task),
        );
        let _ = writeln!(text, "Its end will be told once, in a later answer.");
    }
    if let Some(shown) = &shown {
        text.push_str(&render::output(shown, ReadKind::Range));
    }
    let reported = task.state.is_terminal().then_some(task.id);
    let mut structured = json!(created);
    if let (Some(shown), Some(object)) = (&shown, structured.as_object_mut()) {
        object.insert("output".to_owned(), Shown::to_json(shown));
    }
    Ok(Answer::new(text, &structured).reporting(reported))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_unknown_fields_are_refused() {
        let args: RunArgs = serde_json::from_value(json!({"command": "ls"})).unwrap();
        assert_eq!(
            (args.yield_ms, args.max_bytes, args.detach),
            (15_000, 16_384, false)
        );
        assert!(serde_json::from_value::<RunArgs>(json!({"command": "ls", "x": 1})).is_err());
    }
}
