//! One-line texts of notifications, for a model or a person. Each is written into one string,
//! sized up front: they are made on every task's terminal step.

use std::fmt::Write as _;

use crate::display::write_compact_duration;
use crate::task::{Reason, State, Task};
use crate::time::Timestamp;

/// `t7 "npm test" finished: failed, exit 1, after 42s`.
pub(crate) fn task_finished(task: &Task, now: Timestamp) -> String {
    let mut out = String::with_capacity(task.name.len() + 64);
    let since = task.started_at.unwrap_or(task.created_at);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "{} {:?} finished: {}",
        task.id,
        task.name,
        task.state.as_str()
    );
    let _ = match (task.state, task.reason) {
        (State::Completed, _) | (_, None) => Ok(()),
        (_, Some(Reason::Exited)) => match task.exit_code {
            Some(code) => write!(out, ", exit {code}"),
            None => Ok(()),
        },
        (_, Some(Reason::Signaled)) => {
            write!(out, ", {}", task.signal.as_deref().unwrap_or("signal"))
        }
        (_, Some(reason)) => write!(out, ", {}", reason.as_str()),
    };
    out.push_str(", after ");
    let _ = write_compact_duration(&mut out, now.millis_since(since));
    out
}

/// `t3 "npm run dev" ready: listening on :5173 after 2.1s` (or `: output "Listening..."`,
/// `: http 200`).
pub(crate) fn task_ready(
    task: &Task,
    condition: crate::task::ReadyCondition,
    detail: &str,
    now: Timestamp,
) -> String {
    use crate::task::ReadyCondition;
    let mut out = String::with_capacity(task.name.len() + detail.len() + 48);
    let since = task.started_at.unwrap_or(task.created_at);
    let _ = write!(out, "{} {:?} ready: ", task.id, task.name);
    let _ = match condition {
        ReadyCondition::Port => write!(out, "listening on :{detail}"),
        ReadyCondition::Output => write!(out, "output {detail:?}"),
        ReadyCondition::Http => write!(out, "http {detail}"),
    };
    out.push_str(" after ");
    let _ = write_compact_duration(&mut out, now.millis_since(since));
    out
}

/// `all 5 tasks finished: 4 completed, 1 failed`.
pub(crate) fn all_finished<'a>(tasks: impl Iterator<Item = &'a Task>) -> String {
    let (mut total, mut completed, mut failed, mut cancelled) = (0, 0, 0, 0);
    for task in tasks {
        total += 1;
        match task.state {
            State::Completed => completed += 1,
            State::Failed => failed += 1,
            State::Cancelled => cancelled += 1,
            State::Pending | State::Running | State::Waiting | State::CancelRequested => {}
        }
    }
    let noun = if total == 1 { "task" } else { "tasks" };
    let mut out = String::with_capacity(80);
    let _ = write!(out, "all {total} {noun} finished:");
    let mut separator = " ";
    for (n, label) in [
        (completed, "completed"),
        (failed, "failed"),
        (cancelled, "cancelled"),
    ] {
        if n > 0 {
            let _ = write!(out, "{separator}{n} {label}");
            separator = ", ";
        }
    }
    out
}
