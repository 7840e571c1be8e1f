//! One-line texts of notifications, for a model or a person.

use crate::display::compact_duration;
use crate::task::{Reason, State, Task};
use crate::time::Timestamp;

/// `t7 "npm test" finished: failed, exit 1, after 42s`.
pub(crate) fn task_finished(task: &Task, now: Timestamp) -> String {
    let state = task.state.as_str();
    let detail = match (task.state, task.reason) {
        (State::Completed, _) => String::new(),
        (_, Some(Reason::Exited)) => task
            .exit_code
            .map(|c| format!(", exit {c}"))
            .unwrap_or_default(),
        (_, Some(Reason::Signaled)) => {
            format!(", {}", task.signal.as_deref().unwrap_or("signal"))
        }
        (_, Some(reason)) => format!(", {}", reason.as_str()),
        (_, None) => String::new(),
    };
    let since = task.started_at.unwrap_or(task.created_at);
    format!(
        "{} {:?} finished: {state}{detail}, after {}",
        task.id,
        task.name,
        compact_duration(now.millis_since(since))
    )
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
    let mut parts = Vec::new();
    for (n, label) in [
        (completed, "completed"),
        (failed, "failed"),
        (cancelled, "cancelled"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {label}"));
        }
    }
    let noun = if total == 1 { "task" } else { "tasks" };
    format!("all {total} {noun} finished: {}", parts.join(", "))
}
