//! Views of records: the `ls` table, the `show` view, groups and notifications.

use tend_core::{GroupStatus, Notification, Task, Timestamp};

pub use tend_core::display::{result_text, short_age as age};

use super::style::{Paint, Style};
use super::table::{Cell, Table};

/// The `ls` table: id, state, result, group, session, age (since creation), name.
pub fn tasks_table(tasks: &[Task], now: Timestamp, style: &Style) -> String {
    let mut table = Table::new(vec![
        "ID", "STATE", "RESULT", "GROUP", "SESSION", "AGE", "NAME",
    ]);
    for task in tasks {
        table.push(vec![
            Cell::new(task.id.to_string()),
            Cell::painted(task.state.as_str(), Paint::of_state(task.state)),
            Cell::new(result_text(task)),
            Cell::new(&task.group),
            Cell::new(&task.session),
            Cell::new(age(now.millis_since(task.created_at))),
            Cell::new(&task.name),
        ]);
    }
    table.render(style)
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

/// One line per notification: its id and text.
pub fn notification_line(notification: &Notification) -> String {
    format!(
        "{}  {}",
        notification.id,
        tend_core::display::visible(&notification.text)
    )
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

/// The `show` view: `key: value` lines of the fields that are set.
pub fn record_view(task: &Task, now: Timestamp, style: &Style) -> String {
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
    fn the_ls_table() {
        let mut done = task(12, State::Completed, Some(Reason::Exited));
        done.exit_code = Some(0);
        done.group = "build".into();
        done.name = "cargo build --release".into();
        let tasks = [task(3, State::Running, None), done];
        let text = tasks_table(&tasks, Timestamp::from_millis(NOW), &Style::default());
        assert_eq!(
            text,
            "ID   STATE      RESULT  GROUP    SESSION  AGE  NAME\n\
             t3   running    -       default  cli      2m   npm test\n\
             t12  completed  exit 0  build    cli      2m   cargo build --release\n"
        );
    }

    #[test]
    fn the_show_view() {
        let mut failed = task(7, State::Failed, Some(Reason::Exited));
        failed.exit_code = Some(1);
        failed.finished_at = Some(Timestamp::from_millis(NOW - 3000));
        failed.command = Some(vec!["echo".into(), "it's".into(), "a b".into()].into());
        let text = record_view(&failed, Timestamp::from_millis(NOW), &Style::default());
        assert_eq!(
            text,
            "id:           t7\n\
             name:         npm test\n\
             kind:         shell\n\
             state:        failed\n\
             reason:       exited\n\
             exit code:    1\n\
             command:      echo 'it'\\''s' 'a b'\n\
             cwd:          /home/u/proj\n\
             pid:          4242\n\
             session:      cli\n\
             group:        default\n\
             attempt:      1 of 1\n\
             output:       5120 bytes\n\
             close policy: keep\n\
             created:      2027-01-15T07:57:55.000Z (2m ago)\n\
             started:      2027-01-15T07:57:56.000Z (2m ago)\n\
             finished:     2027-01-15T07:59:57.000Z (3s ago)\n"
        );
    }
}
