//! `tend run`: creates a shell task and prints its id; with `--wait` or `--yield` copies its
//! output until it ends and exits with its code.

use std::time::Duration;

use anyhow::Context as _;
use tend_core::{BaseEnv, Reason, StderrMode, StdinMode, Task, TaskId};
use tend_proto::{CreateTaskParams, EnvMap, MAX_LONG_POLL_MS, OutputQuery, WaitMode, WaitParams};
use tokio::time::Instant;

use crate::cli::RunArgs;
use crate::context::Context;
use crate::exit::{self, UsageError};
use crate::output;
use crate::stream;

/// Runs `tend run`.
pub async fn run(context: &Context, args: &RunArgs) -> anyhow::Result<u8> {
    let mut params = params(context, args)?;
    if !args.after.is_empty() {
        params.after = Some(crate::ids::resolve_all(context, &args.after).await?);
    }
    let follows = args.wait || args.yield_for.is_some();
    if context.json && follows {
        return run_json(context, params, args.yield_for).await;
    }
    let created = context.client.create_task(&params).await?;
    let id = created.task.id;
    if args.wait_ready {
        let code = crate::commands::wait::until_ready(context, vec![id], None, false).await?;
        output::line(&id.to_string())?;
        return Ok(code);
    }
    if !follows {
        if context.json {
            output::json(&created)?;
        } else {
            output::line(&id.to_string())?;
        }
        return Ok(exit::OK);
    }
    let deadline = args
        .yield_for
        .map(|ms| Instant::now() + Duration::from_millis(ms));
    let copy = stream::copy_task(&context.client, id, args.separate_stderr, deadline);
    let copied = tokio::select! {
        copied = copy => copied?,
        _ = tokio::signal::ctrl_c() => return interrupted(id),
    };
    if copied.done {
        let task = context.client.get_task(id).await?;
        if let Some(note) = end_note(&task) {
            output::stderr_bytes(format!("tend: {note}\n").as_bytes())?;
        }
        return Ok(exit::code_of_task(&task));
    }
    yielded(id, copied.at_line_start)
}

/// Why a followed task ended, when its own exit does not say it: it never started, was killed,
/// timed out, was stopped. `None` when the command exited by itself (its output speaks for it).
fn end_note(task: &Task) -> Option<String> {
    match task.reason? {
        Reason::Exited => None,
        _ => {
            let mut note = format!(
                "{} {}: {}",
                task.id,
                task.state.as_str(),
                tend_core::display::result_text(task)
            );
            if let Some(summary) = &task.summary {
                note.push_str(": ");
                note.push_str(summary);
            }
            Some(note)
        }
    }
}

/// Ctrl-C while following: the task is not the terminal's, it goes on; say so and how to
/// stop it. Exits 130 like a shell command ended by SIGINT.
fn interrupted(id: TaskId) -> anyhow::Result<u8> {
    use std::io::IsTerminal as _;
    // On a terminal the cursor is after the echoed `^C`.
    let newline = if std::io::stderr().is_terminal() {
        "\n"
    } else {
        ""
    };
    output::stderr_bytes(
        format!("{newline}tend: {id} keeps running; stop it with: tend stop {id}\n").as_bytes(),
    )?;
    Ok(exit::INTERRUPTED)
}

/// The yield ran out: the id goes on a line of its own after the output.
fn yielded(id: TaskId, at_line_start: bool) -> anyhow::Result<u8> {
    let newline = if at_line_start { "" } else { "\n" };
    output::line(&format!("{newline}{id}"))?;
    Ok(exit::OK)
}

/// `--json` with `--yield` or `--wait`: the create answer once the task ended (or the yield
/// ran out), with its output read from the start.
async fn run_json(
    context: &Context,
    mut params: CreateTaskParams,
    yield_for: Option<u64>,
) -> anyhow::Result<u8> {
    params.yield_ms = Some(yield_for.unwrap_or(MAX_LONG_POLL_MS));
    let mut created = context.client.create_task(&params).await?;
    if yield_for.is_none() && created.task.is_live() {
        let wait = WaitParams {
            ids: Some(vec![created.task.id]),
            mode: Some(WaitMode::All),
            ..WaitParams::default()
        };
        let answer = tokio::select! {
            answer = tend_client::wait_for(&context.client, &wait, None) => answer?,
            _ = tokio::signal::ctrl_c() => return interrupted(created.task.id),
        };
        if let Some(task) = answer.tasks.into_iter().next() {
            created.task = task;
        }
        let output = context
            .client
            .read_output(created.task.id, &OutputQuery::default())
            .await?;
        created.output = Some(output);
    }
    output::json(&created)?;
    Ok(if created.task.is_live() {
        exit::OK
    } else {
        exit::code_of_task(&created.task)
    })
}

/// Refuses a `--cwd` that is not a directory this user may enter, before any task is made.
fn check_directory(dir: &std::path::Path) -> anyhow::Result<()> {
    let shown = dir.display();
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => {
            Err(UsageError(format!("--cwd {shown}: not a directory")).into())
        }
        // The task will enter it: a directory this user may not enter is refused too.
        Ok(_) => match nix::unistd::access(dir, nix::unistd::AccessFlags::X_OK) {
            Ok(()) => Ok(()),
            Err(errno) => Err(UsageError(format!("--cwd {shown}: {}", errno.desc())).into()),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Err(UsageError(format!("--cwd {shown}: no such directory")).into())
        }
        Err(error) => Err(UsageError(format!("--cwd {shown}: {error}")).into()),
    }
}

/// The create body of the command line.
fn params(context: &Context, args: &RunArgs) -> anyhow::Result<CreateTaskParams> {
    let mut params = match &args.sh {
        Some(line) => CreateTaskParams::shell(&context.session, line),
        None => CreateTaskParams::command(&context.session, args.program.iter().cloned()),
    };
    let cwd = match &args.cwd {
        Some(dir) => context.cwd.join(dir),
        None => context.cwd.clone(),
    };
    if args.cwd.is_some() {
        check_directory(&cwd)?;
    }
    let cwd = cwd
        .to_str()
        .ok_or_else(|| UsageError(format!("the directory {} is not UTF-8", cwd.display())))
        .context("--cwd")?;
    params.cwd = Some(cwd.to_owned());
    params.name = args.name.clone();
    // The caller's environment, unless --clean-env: the task runs with exactly that.
    let mut env = if args.clean_env {
        EnvMap::default()
    } else {
        params.base_env = Some(BaseEnv::Request);
        context.env.vars.clone()
    };
    env.0.extend(args.env.iter().cloned());
    params.env = (!env.0.is_empty()).then_some(env);
    params.group = args.group.clone();
    params.key = args.key.clone();
    params.timeout_ms = args.timeout;
    params.idle_timeout_ms = args.idle_timeout;
    params.queue_timeout_ms = args.queue_timeout;
    params.max_attempts = args.max_attempts;
    params.stdin = args.stdin.then_some(StdinMode::Pipe);
    params.stderr = args.separate_stderr.then_some(StderrMode::Separate);
    params.tty = args
        .tty
        .then(|| tend_proto::TtyParam::Size(args.size.unwrap_or_default()));
    params.close_policy = args.close_policy.map(Into::into);
    let ready = tend_core::ReadySpec {
        output: args.ready_output.clone(),
        port: args.ready_port,
        http: args.ready_http.clone(),
    };
    if args.wait_ready && ready.is_empty() {
        return Err(UsageError(
            "--wait-ready needs --ready-output, --ready-port or --ready-http".to_owned(),
        )
        .into());
    }
    params.ready = (!ready.is_empty()).then_some(ready);
    Ok(params)
}
