//! `ls`, `show`, `wait`, `stop`, `input`, `rm`, `clean`.

use std::time::Duration;

use crate::support::{Home, eventually, process_alive};

#[test]
fn ls_shows_an_aligned_table_of_all_sessions() {
    let home = Home::new();
    let done = home.start(&["--name", "quick one", "--", "true"]);
    home.finished(&done);
    let live = home.start(&[
        "--session",
        "other",
        "--group",
        "build",
        "--",
        "sleep",
        "30",
    ]);
    let text = home.ok(&["ls"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("ID  STATE      RESULT  GROUP    SESSION  AGE  RAN "),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with(&format!("{done}  completed  exit 0  default  cli      ")));
    assert!(lines[1].ends_with("  quick one"), "{}", lines[1]);
    assert!(lines[2].starts_with(&format!("{live}  running    -       build    other    ")));
    assert!(
        !text.contains('\x1b'),
        "no colours off a terminal: {text:?}"
    );
    // Filters.
    let only = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["ls"];
        all.extend_from_slice(args);
        let answer = home.json(&all);
        answer["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(only(&[]), [done.as_str(), live.as_str()]);
    assert_eq!(only(&["--active"]), [live.as_str()]);
    assert_eq!(only(&["--state", "completed,failed"]), [done.as_str()]);
    assert_eq!(only(&["--session", "other"]), [live.as_str()]);
    assert_eq!(home.ok(&["ls", "--session", "nobody"]), "no tasks\n");
}

#[test]
fn show_prints_the_record() {
    let home = Home::new();
    let id = home.start(&["--name", "show me", "--", "sh", "-c", "exit 4"]);
    let record = home.finished(&id);
    assert_eq!(
        (record["state"].as_str(), record["reason"].as_str()),
        (Some("failed"), Some("exited"))
    );
    let text = home.ok(&["show", &id]);
    for line in [
        format!("id:           {id}"),
        "name:         show me".to_owned(),
        "state:        failed".to_owned(),
        "exit code:    4".to_owned(),
        "command:      sh -c 'exit 4'".to_owned(),
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} not in\n{text}");
    }
}

#[test]
fn wait_reports_success_failure_and_timeout() {
    let home = Home::new();
    let good = home.start(&["--", "true"]);
    let bad = home.start(&["--", "false"]);
    let slow = home.start(&["--", "sleep", "30"]);
    assert_eq!(home.run(&["wait", &good]).code, 0);
    assert_eq!(home.run(&["wait", &good, &bad]).code, 1);
    assert_eq!(home.run(&["wait", "--any", &good, &slow]).code, 0);
    let outcome = home.run(&["wait", &slow, "--timeout", "300ms"]);
    assert_eq!(outcome.code, 124);
    assert!(
        outcome.elapsed < Duration::from_secs(5),
        "{:?}",
        outcome.elapsed
    );
    let outcome = home.run(&["--json", "wait", &slow, &good, "--timeout", "100ms"]);
    assert_eq!(outcome.code, 124);
    let answer = outcome.json();
    assert_eq!(answer["done"], false);
    assert_eq!(answer["tasks"].as_array().unwrap().len(), 2);
}

#[test]
fn wait_for_a_task_after_another() {
    let home = Home::new();
    let first = home.start(&["--", "sleep", "0.3"]);
    let second = home.start(&["--after", &first, "--", "true"]);
    assert_eq!(home.record(&second)["state"], "pending");
    assert_eq!(home.run(&["wait", &second, "--timeout", "20s"]).code, 0);
    let failing = home.start(&["--", "false"]);
    let blocked = home.start(&["--after", &failing, "--", "true"]);
    assert_eq!(home.run(&["wait", &blocked, "--timeout", "20s"]).code, 1);
    assert_eq!(home.record(&blocked)["reason"], "dependency_failed");
}

#[test]
fn stop_returns_once_the_task_ended() {
    let home = Home::new();
    let id = home.start(&["--", "sleep", "30"]);
    let pid = home.record(&id)["pid"].as_u64().map(|pid| pid as u32);
    let outcome = home.run(&["--json", "stop", &id, "--grace", "2s"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let task = &outcome.json()["tasks"][0];
    assert_eq!(
        (task["state"].as_str(), task["reason"].as_str()),
        (Some("cancelled"), Some("stopped"))
    );
    assert_eq!(task["signal"], "SIGTERM");
    if let Some(pid) = pid {
        eventually(
            "the stopped process to be gone",
            Duration::from_secs(5),
            || !process_alive(pid),
        );
    }
    // Stopping again says that it had already ended.
    let again = home.run(&["stop", &id]);
    assert_eq!(again.code, 0);
    assert_eq!(
        again.text(),
        format!("{id} had already ended (cancelled, stopped)\n")
    );
    // Unknown ids are reported; the others are still stopped.
    let other = home.start(&["--", "sleep", "30"]);
    let outcome = home.run(&["stop", "t999", &other]);
    assert_eq!(outcome.code, 3, "{}", outcome.stderr);
    assert_eq!(home.record(&other)["state"], "cancelled");
}

#[test]
fn input_feeds_a_task_started_with_stdin() {
    let home = Home::new();
    let script = "echo ready; read line; echo \"got $line\"; cat";
    let id = home.start(&["--stdin", "--sh", script]);
    home.wait_for_output(&id, "ready");
    home.ok(&["input", &id, "hello\n"]);
    home.ok(&["input", &id, "rest", "--eof"]);
    home.finished(&id);
    assert_eq!(home.ok(&["logs", &id]), "ready\ngot hello\nrest");
    // Without --stdin, or once ended: conflict.
    assert_eq!(home.run(&["input", &id, "late"]).code, 5);
    let plain = home.start(&["--", "sleep", "30"]);
    assert_eq!(home.run(&["input", &plain, "x"]).code, 5);
    assert_eq!(home.run(&["input", "t999", "x"]).code, 3);
}

#[test]
fn rm_removes_ended_tasks_only() {
    let home = Home::new();
    let done = home.start(&["--", "true"]);
    home.finished(&done);
    let live = home.start(&["--", "sleep", "30"]);
    let outcome = home.run(&["rm", &live]);
    assert_eq!(outcome.code, 5, "{}", outcome.stderr);
    home.ok(&["rm", &done]);
    assert_eq!(home.run(&["show", &done]).code, 4);
    assert_eq!(home.run(&["logs", &done]).code, 4);
    assert_eq!(home.run(&["rm", "t999"]).code, 3);
}

#[test]
fn clean_removes_every_ended_task_of_the_session_or_of_all() {
    let home = Home::new();
    let mine = home.start(&["--", "true"]);
    let theirs = home.start(&["--session", "s2", "--", "true"]);
    let live = home.start(&["--", "sleep", "30"]);
    home.finished(&mine);
    home.finished(&theirs);
    assert_eq!(home.ok(&["clean", "--session", "s2"]), "removed 1 task\n");
    assert_eq!(home.run(&["show", &theirs]).code, 4);
    assert_eq!(home.record(&mine)["state"], "completed");
    let answer = home.json(&["clean"]);
    assert_eq!(answer["tasks"][0]["id"], mine.as_str());
    assert_eq!(home.record(&live)["state"], "running");
}

#[test]
fn ls_colours_states_only_on_a_terminal_without_no_color() {
    let home = Home::new();
    let id = home.start(&["--", "true"]);
    home.finished(&id);
    // `script` gives the command a terminal; without it there is nothing to check here.
    let tend = crate::support::TEND;
    let on_terminal = |no_color: bool| {
        let mut command = std::process::Command::new("script");
        command.args(["-qc", &format!("{tend} ls"), "/dev/null"]);
        command.env("TEND_HOME", home.path()).env_remove("NO_COLOR");
        if no_color {
            command.env("NO_COLOR", "1");
        }
        command
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let Some(coloured) = on_terminal(false) else {
        return;
    };
    assert!(
        coloured.contains("\x1b[32mcompleted\x1b[0m"),
        "{coloured:?}"
    );
    let plain = on_terminal(true).unwrap();
    assert!(
        plain.contains("completed") && !plain.contains('\x1b'),
        "{plain:?}"
    );
}
