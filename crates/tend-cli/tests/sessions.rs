//! `events`, `notifications`, `group`, `session close`.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use crate::support::{Home, eventually, wait_child};

#[test]
fn events_are_json_lines_in_sequence() {
    let home = Home::new();
    let id = home.start(&["--", "true"]);
    home.finished(&id);
    let other = home.start(&["--session", "s2", "--", "true"]);
    home.finished(&other);
    let events = home.run(&["events"]).json_lines();
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|pair| pair[1] == pair[0] + 1),
        "{seqs:?}"
    );
    let types: Vec<&str> = events
        .iter()
        .filter(|e| e["task_id"] == id.as_str())
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types.first(), Some(&"registered"));
    assert_eq!(types.last(), Some(&"finished"));
    let after = seqs[2].to_string();
    let later = home.run(&["events", "--after", &after]).json_lines();
    assert_eq!(later[0]["seq"].as_u64(), Some(seqs[2] + 1));
    let s2 = home.run(&["events", "--session", "s2"]).json_lines();
    assert!(!s2.is_empty() && s2.iter().all(|e| e["session"] == "s2"));
    let task = home.run(&["events", "--task", &other]).json_lines();
    assert!(task.iter().all(|e| e["task_id"] == other.as_str()));
}

#[test]
fn events_follow_prints_new_events() {
    let home = Home::new();
    home.ok(&["daemon", "start"]);
    let mut command = home.command(&["events", "-f"]);
    command.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let id = home.start(&["--", "true"]);
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(
        (first["type"].as_str(), first["task_id"].as_str()),
        (Some("registered"), Some(id.as_str()))
    );
    child.kill().unwrap();
    assert!(wait_child(&mut child, Duration::from_secs(5)).is_some());
}

#[test]
fn notifications_are_listed_then_acknowledged() {
    let home = Home::new();
    let id = home.start(&["--name", "build it", "--", "sh", "-c", "exit 1"]);
    home.finished(&id);
    let answer = home.json(&["notifications"]);
    let list = answer["notifications"].as_array().unwrap();
    assert_eq!(list[0]["task_id"], id.as_str());
    assert_eq!(list[0]["kind"], "task_finished");
    let outcome = home.run(&["notifications", "--ack"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let text = outcome.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "ID  AGE  NOTIFICATION", "{text}");
    assert!(
        lines[1].starts_with(list[0]["id"].as_str().unwrap()) && lines[1].contains("build it"),
        "{text}"
    );
    // What was acknowledged is said (on stderr: stdout stays the list).
    let last = list.last().unwrap()["id"].as_str().unwrap();
    assert_eq!(
        outcome.stderr,
        format!(
            "tend: acknowledged {} notification{} of session cli, up to {last}\n",
            list.len(),
            if list.len() == 1 { "" } else { "s" }
        )
    );
    assert_eq!(
        home.ok(&["notifications"]),
        "no notifications for session cli\n"
    );
    // Another session's notifications are its own.
    let other = home.start(&["--session", "s2", "--", "true"]);
    home.finished(&other);
    assert_eq!(
        home.ok(&["notifications"]),
        "no notifications for session cli\n"
    );
    assert!(
        home.ok(&["notifications", "--session", "s2"])
            .contains(&other)
    );
}

#[test]
fn notification_ids_and_texts_are_aligned_columns() {
    let home = Home::new();
    // Enough tasks for ids of one and two digits (n9, n10, ...): one notification each (a
    // single task's end queues no all_finished).
    for _ in 0..11 {
        let id = home.start(&["--", "true"]);
        home.finished(&id);
    }
    let text = home.ok(&["notifications"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 10, "{text}");
    let column = |line: &str, word: usize| {
        let mut at = 0;
        let mut rest = line;
        for _ in 0..word {
            let end = rest.find("  ").unwrap();
            let skip = rest[end..].len() - rest[end..].trim_start().len();
            at += end + skip;
            rest = &line[at..];
        }
        at
    };
    let (age, text_at) = (column(lines[0], 1), column(lines[0], 2));
    for line in &lines[1..] {
        assert_eq!(column(line, 1), age, "{text}");
        assert_eq!(column(line, 2), text_at, "{text}");
    }
}

#[test]
fn group_limits_queue_tasks() {
    let home = Home::new();
    let set = home.json(&["group", "set", "one-at-a-time", "1"]);
    assert_eq!(
        (set["name"].as_str(), set["limit"].as_u64()),
        (Some("one-at-a-time"), Some(1))
    );
    let first = home.start(&["--group", "one-at-a-time", "--", "sleep", "30"]);
    let second = home.start(&["--group", "one-at-a-time", "--", "true"]);
    assert_eq!(home.record(&second)["state"], "pending");
    let text = home.ok(&["group", "ls"]);
    assert!(text.starts_with("GROUP"), "{text}");
    let row = text
        .lines()
        .find(|l| l.starts_with("one-at-a-time"))
        .unwrap();
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["one-at-a-time", "1", "1", "1"]
    );
    home.ok(&["stop", &first]);
    assert_eq!(home.run(&["wait", &second, "--timeout", "20s"]).code, 0);
    let groups = home.json(&["group", "ls"]);
    assert!(
        groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == "one-at-a-time")
    );
    assert_eq!(home.run(&["group", "set", "bad name", "1"]).code, 1);
}

#[test]
fn closing_a_session_applies_close_policies() {
    let home = Home::new();
    let cancel = home.start(&[
        "--session",
        "agent",
        "--close-policy",
        "cancel",
        "--",
        "sleep",
        "30",
    ]);
    let transfer = home.start(&[
        "--session",
        "agent",
        "--close-policy",
        "transfer",
        "--",
        "sleep",
        "30",
    ]);
    let keep = home.start(&["--session", "agent", "--", "sleep", "30"]);
    let answer = home.json(&["session", "close", "agent", "--successor", "heir"]);
    let affected: Vec<&str> = answer["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(
        affected.contains(&cancel.as_str()) && affected.contains(&transfer.as_str()),
        "{affected:?}"
    );
    eventually("the cancel task to end", Duration::from_secs(10), || {
        home.record(&cancel)["state"] == "cancelled"
    });
    assert_eq!(home.record(&cancel)["reason"], "session_closed");
    assert_eq!(home.record(&transfer)["session"], "heir");
    assert_eq!(home.record(&keep)["state"], "running");
    assert_eq!(home.ok(&["session", "close", "nobody"]), "");
}
