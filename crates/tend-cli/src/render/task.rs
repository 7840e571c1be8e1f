//! Views of records: the `ls` table, the `show` view, groups and notifications.

use tend_core::{GroupStatus, Notification, State, Task, Timestamp};

pub use tend_core::display::{compact_duration, result_text, short_age as age};

use super::style::{Paint, Style};
use super::table::{Cell, Table};

/// The `ls` table: id, state, result, group, session, age (since creation), run time, name.
pub fn tasks_table(tasks: &[Task], now: Timestamp, style: &Style) -> String {
    let mut table = Table::new(vec![
        "ID", "STATE", "RESULT", "GROUP", "SESSION", "AGE", "RAN", "NAME",
    ]);
    for task in tasks {
        table.push(vec![
            Cell::new(task.id.to_string()),
            Cell::painted(task.state.as_str(), Paint::of_state(task.state)),
            Cell::new(result_text(task)),
            Cell::new(&task.group),
            Cell::new(&task.session),
            Cell::new(age(now.millis_since(task.created_at))),
            Cell::new(run_time(task, now).map_or_else(|| "-".to_owned(), compact_duration)),
            Cell::new(&task.name),
        ]);
    }
    table.render(style)
}

/// How long a task ran: from its start to its end, or to `now` while it runs; `None` when it
/// never started.
pub fn run_time(task: &Task, now: Timestamp) -> Option<u64> {
    let start = task.started_at?;
    match task.finished_at {
        Some(end) => Some(end.millis_since(start)),
        // A task waiting for its next attempt is not running.
        None if task.is_live() && task.state != State::Pending => Some(now.millis_since(start)),
        None => None,
    }
}

/// The `group ls` table.
pub fn groups_table(groups: &[GroupStatus], style: &Style) -> String {
    let mut table = Table::new(vec!["GROUP", "LIMIT", "RUNNING", "PENDING"]);
    for group in groups {
        let limit = if group.limit == 0 {
            "unlimited".to_owned()
        } else {
            group.limit.to_string()
        };
        table.push(vec![
            Cell::new(&group.name),
            Cell::new(limit),
            Cell::new(group.running.to_string()),
            Cell::new(group.pending.to_string()),
        ]);
    }
    table.render(style)
}

/// The notifications as a table: id, age, text.
pub fn notifications_table(
    notifications: &[Notification],
    now: Timestamp,
    style: &Style,
) -> String {
    let mut table = Table::new(vec!["ID", "AGE", "NOTIFICATION"]);
    for notification in notifications {
        table.push(vec![
            Cell::new(notification.id.to_string()),
            Cell::new(age(now.millis_since(notification.created_at))),
            Cell::new(&notification.text),
        ]);
    }
    table.render(style)
}

/// A command line with arguments quoted for a POSIX shell where needed.
fn shell_words(argv: &[String]) -> String {
    let quote = |word: &String| {
        let plain = !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
        if plain {
            word.clone()
        } else {
            format!("'{}'", word.replace('\'', r"'\''"))
        }
    };
    argv.iter().map(quote).collect::<Vec<_>>().join(" ")
}

/// `when (age ago)`.
fn instant(at: Timestamp, now: Timestamp) -> String {
    format!("{at} ({} ago)", age(now.millis_since(at)))
}

/// The `show` view: `key: value` lines of the fields that are set, the run time, and for a
/// pending task `waiting`, why it has not started (worked out by the caller).
pub fn record_view(task: &Task, waiting: Option<&str>, now: Timestamp, style: &Style) -> String {
    let mut rows: Vec<(&str, String)> = vec![
        ("id", task.id.to_string()),
        ("name", task.name.to_string()),
        ("kind", task.kind.as_str().to_owned()),
        (
            "state",
            style.paint(task.state.as_str(), Some(Paint::of_state(task.state))),
        ),
    ];
    let mut add = |key, value: Option<String>| {
        if let Some(value) = value {
            rows.push((key, value));
        }
    };
    add("waiting", waiting.map(str::to_owned));
    add(
        "reason",
        task.reason.map(|reason| reason.as_str().to_owned()),
    );
    add("exit code", task.exit_code.map(|code| code.to_string()));
    add("signal", task.signal.clone());
    add("summary", task.summary.clone());
    add("command", task.command.as_deref().map(shell_words));
    add("cwd", task.cwd.clone());
    add("pid", task.pid.map(|pid| pid.to_string()));
    add("session", Some(task.session.to_string()));
    add("group", Some(task.group.to_string()));
    add("parent", task.parent.map(|id| id.to_string()));
    add("child session", task.child_session.clone());
    add("key", task.key.clone());
    add(
        "attempt",
        Some(format!("{} of {}", task.attempt, task.max_attempts)),
    );
    let after: Vec<String> = task.after.iter().map(ToString::to_string).collect();
    add("after", (!after.is_empty()).then(|| after.join(", ")));
    add(
        "progress",
        task.progress
            .as_ref()
            .map(|p| format!("{} ({})", p.message, instant(p.updated_at, now))),
    );
    add(
        "output",
        task.output.map(|output| match output.dropped_bytes {
            0 => format!("{} bytes", output.total_bytes),
            dropped => format!("{} bytes ({dropped} dropped)", output.total_bytes),
        }),
    );
    let ports: Vec<String> = task
        .ports
        .iter()
        .map(|p| format!("{}:{} (pid {})", p.address, p.port, p.pid))
        .collect();
    add("ports", (!ports.is_empty()).then(|| ports.join(", ")));
    add(
        "close policy",
        Some(format!("{:?}", task.close_policy).to_lowercase()),
    );
    add("timeout", task.timeout_ms.map(|ms| format!("{ms} ms")));
    add(
        "idle timeout",
        task.idle_timeout_ms.map(|ms| format!("{ms} ms")),
    );
    add("created", Some(instant(task.created_at, now)));
    add("started", task.started_at.map(|at| instant(at, now)));
    add("finished", task.finished_at.map(|at| instant(at, now)));
    add(
        "ran",
        run_time(task, now).map(|ms| {
            let ran = compact_duration(ms);
            if task.finished_at.is_none() {
                format!("{ran} so far")
            } else {
                ran
            }
        }),
    );
    let width = rows.iter().map(|(key, _)| key.len()).max().unwrap_or(0) + 1;
    rows.iter()
        .map(|(key, value)| {
            // Painted values carry this view's own escape sequences; every other value comes
            // from a task or its caller and is made visible.
            let value = if *key == "state" {
                value.clone()
            } else {
                tend_core::display::visible(value).into_owned()
            };
            format!("{:<width$} {value}\n", format!("{key}:"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tend_core::{ClosePolicy, Kind, OutputCounters, Reason, State, TaskId};

    const NOW: i64 = 1_800_000_000_000;

    fn task(n: u64, state: State, reason: Option<Reason>) -> Task {
        Task {
            id: TaskId::new(n),
            kind: Kind::Shell,
            session: "cli".into(),
            parent: None,
            child_session: None,
            key: None,
            name: "npm test".into(),
            command: Some(vec!["sh".into(), "-c".into(), "npm test".into()].into()),
            cwd: Some("/home/u/proj".into()),
            group: "default".into(),
            state,
            reason,
            exit_code: None,
            signal: None,
            summary: None,
            attempt: 1,
            max_attempts: 1,
            after: vec![],
            pid: Some(4242),
            progress: None,
            output: Some(OutputCounters {
                total_bytes: 5120,
                dropped_bytes: 0,
            }),
            ports: Vec::new(),
            ready: None,
            ready_at: None,
            tty: None,
            close_policy: ClosePolicy::Keep,
            timeout_ms: None,
            idle_timeout_ms: None,
            created_at: Timestamp::from_millis(NOW - 125_000),
            started_at: Some(Timestamp::from_millis(NOW - 124_000)),
            updated_at: Timestamp::from_millis(NOW - 1000),
            finished_at: None,
        }
    }

    #[test]
    fn ages_are_short() {
        assert_eq!(age(0), "0s");
        assert_eq!(age(59_999), "59s");
        assert_eq!(age(300_000), "5m");
        assert_eq!(age(7_200_000), "2h");
        assert_eq!(age(47 * 3_600_000), "47h");
        assert_eq!(age(4 * 86_400_000), "4d");
    }

    #[test]
    fn the_result_says_how_a_task_ended() {
        let mut exited = task(1, State::Failed, Some(Reason::Exited));
        exited.exit_code = Some(7);
        assert_eq!(result_text(&exited), "exit 7");
        let mut killed = task(2, State::Failed, Some(Reason::Signaled));
        killed.signal = Some("SIGTERM".into());
        assert_eq!(result_text(&killed), "SIGTERM");
        assert_eq!(
            result_text(&task(3, State::Failed, Some(Reason::TimedOut))),
            "timed_out"
        );
        assert_eq!(result_text(&task(4, State::Running, None)), "-");
    }

    #[test]
    fn the_ls_table_says_how_long_each_task_ran() {
        let mut done = task(12, State::Completed, Some(Reason::Exited));
        done.exit_code = Some(0);
        done.group = "build".into();
        done.name = "cargo build --release".into();
        done.finished_at = Some(Timestamp::from_millis(NOW - 3000));
        let mut waiting = task(13, State::Pending, None);
        waiting.started_at = None;
        let tasks = [task(3, State::Running, None), done, waiting];
        let text = tasks_table(&tasks, Timestamp::from_millis(NOW), &Style::default());
        insta::assert_snapshot!(text);
    }

    #[test]
    fn the_show_view() {
        let mut failed = task(7, State::Failed, Some(Reason::Exited));
        failed.exit_code = Some(1);
        failed.finished_at = Some(Timestamp::from_millis(NOW - 3000));
        failed.command = Some(vec!["echo".into(), "it's".into(), "a b".into()].into());
        let text = record_view(
            &failed,
            None,
            Timestamp::from_millis(NOW),
            &Style::default(),
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn the_show_view_of_a_pending_task_says_why_it_waits() {
        let mut pending = task(8, State::Pending, None);
        pending.started_at = None;
        pending.pid = None;
        pending.after = vec![TaskId::new(3)];
        let why = "for t3 (running) to complete; group build is full (1 of 1 running)";
        let text = record_view(
            &pending,
            Some(why),
            Timestamp::from_millis(NOW),
            &Style::default(),
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn notifications_are_aligned_columns() {
        let note = |n: u64, task: Option<u64>, text: &str| -> Notification {
            serde_json::from_value(serde_json::json!({
                "id": format!("n{n}"), "session": "cli",
                "task_id": task.map(|t| format!("t{t}")), "kind": "task_finished",
                "state": "completed", "reason": "exited", "exit_code": 0, "name": "true",
                "text": text, "tasks": [], "created_at": "2027-01-15T07:59:00.000Z"
            }))
            .unwrap()
        };
        let notifications = [
            note(9, Some(5), "t5 \"true\" finished: completed, after 18ms"),
            note(10, Some(6), "t6 \"true\" finished: completed, after 14ms"),
            note(11, None, "all 2 tasks finished: 2 completed"),
        ];
        let text = notifications_table(
            &notifications,
            Timestamp::from_millis(NOW),
            &Style::default(),
        );
        insta::assert_snapshot!(text);
    }
}
