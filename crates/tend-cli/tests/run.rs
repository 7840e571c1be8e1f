//! `tend run`: the id alone, options carried to the record, `--wait` and `--yield`.

use std::time::Duration;

use crate::support::{Home, is_task_id};

#[test]
fn run_prints_the_id_alone() {
    let home = Home::new();
    let outcome = home.run(&["run", "--", "true"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let text = outcome.text();
    assert!(
        text.ends_with('\n') && is_task_id(text.trim_end()),
        "{text:?}"
    );
    assert_eq!(text.lines().count(), 1);
}

#[test]
fn wait_exits_with_the_commands_exit_code() {
    let home = Home::new();
    assert_eq!(
        home.run(&["run", "--wait", "--", "sh", "-c", "exit 7"])
            .code,
        7
    );
    assert_eq!(home.run(&["run", "--wait", "--", "true"]).code, 0);
}

#[test]
fn a_command_killed_by_sigterm_gives_143() {
    let home = Home::new();
    assert_eq!(
        home.run(&["run", "--wait", "--", "sh", "-c", "kill -TERM $$"])
            .code,
        143
    );
}

#[test]
fn a_timed_out_command_gives_124_and_one_that_cannot_start_gives_1() {
    let home = Home::new();
    let outcome = home.run(&["run", "--wait", "--timeout", "300ms", "--", "sleep", "10"]);
    assert_eq!(outcome.code, 124, "{}", outcome.stderr);
    assert!(
        outcome.elapsed < Duration::from_secs(8),
        "{:?}",
        outcome.elapsed
    );
    assert_eq!(outcome.stderr, "tend: t1 failed: timed_out\n");
    // Why it ended goes to stderr, since no output of its own says so.
    let outcome = home.run(&["run", "--wait", "--", "/nonexistent/program"]);
    assert_eq!(outcome.code, 1);
    assert_eq!(outcome.text(), "");
    assert!(
        outcome.stderr.starts_with(
            "tend: t2 failed: spawn_failed: cannot execute /nonexistent/program: No such file"
        ),
        "{}",
        outcome.stderr
    );
    // A command that exits by itself speaks for itself.
    let outcome = home.run(&["run", "--wait", "--sh", "echo out; echo err >&2; exit 3"]);
    assert_eq!(outcome.code, 3);
    assert_eq!(
        (outcome.text().as_str(), outcome.stderr.as_str()),
        ("out\nerr\n", "")
    );
}

#[test]
fn wait_streams_the_output_in_order() {
    let home = Home::new();
    let script = "printf 'a\\n'; sleep 0.2; printf 'b' >&2; printf 'c'";
    let outcome = home.run(&["run", "--wait", "--", "sh", "-c", script]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(outcome.stdout, b"a\nbc");
    let outcome = home.run(&[
        "run",
        "--wait",
        "--separate-stderr",
        "--",
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(outcome.stdout, b"a\nc");
    assert_eq!(outcome.stderr, "b");
}

#[test]
fn yield_prints_the_id_and_returns_while_the_task_runs() {
    let home = Home::new();
    home.ok(&["daemon", "start"]);
    let outcome = home.run(&["run", "--yield", "200ms", "--", "sleep", "5"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome.elapsed < Duration::from_millis(900),
        "took {:?}",
        outcome.elapsed
    );
    let id = outcome.text();
    let id = id.trim_end();
    assert!(is_task_id(id), "{id:?}");
    assert_eq!(home.record(id)["state"], "running");
}

#[test]
fn yield_puts_the_id_on_its_own_line_after_the_output() {
    let home = Home::new();
    let outcome = home.run(&["run", "--yield", "300ms", "--sh", "printf partial; sleep 5"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let text = outcome.text();
    let (output, id) = text.trim_end().split_once('\n').expect("two lines");
    assert_eq!(output, "partial");
    assert!(is_task_id(id), "{text:?}");
}

#[test]
fn yield_of_a_quick_task_is_like_wait() {
    let home = Home::new();
    let outcome = home.run(&["run", "--yield", "10s", "--sh", "echo hi; exit 3"]);
    assert_eq!((outcome.code, outcome.text()), (3, "hi\n".to_owned()));
}

#[test]
fn json_prints_the_create_answer() {
    let home = Home::new();
    let created = home.json(&["run", "--", "true"]);
    assert_eq!(created["created"], true);
    assert!(is_task_id(created["task"]["id"].as_str().unwrap()));
    assert!(created["output"].is_null());
    let outcome = home.run(&["--json", "run", "--wait", "--sh", "echo out; exit 2"]);
    assert_eq!(outcome.code, 2);
    let answer = outcome.json();
    assert_eq!(answer["task"]["exit_code"], 2);
    assert_eq!(answer["output"]["data"], "out\n");
    assert_eq!(answer["output"]["eof"], true);
    let outcome = home.run(&["--json", "run", "--yield", "100ms", "--", "sleep", "5"]);
    assert_eq!(outcome.code, 0);
    assert_eq!(outcome.json()["task"]["state"], "running");
}

#[test]
fn options_reach_the_record_and_the_environment_stays_hidden() {
    let home = Home::new();
    std::fs::create_dir(home.path().join("sub")).unwrap();
    let id = home.start(&[
        "--name",
        "labelled",
        "--cwd",
        "sub",
        "--env",
        "SECRET_VALUE=hunter2",
        "--group",
        "g1",
        "--key",
        "k1",
        "--timeout",
        "1m",
        "--idle-timeout",
        "30s",
        "--queue-timeout",
        "10s",
        "--max-attempts",
        "2",
        "--stdin",
        "--separate-stderr",
        "--close-policy",
        "cancel",
        "--",
        "sh",
        "-c",
        "pwd; echo $SECRET_VALUE; read line",
    ]);
    let record = home.record(&id);
    assert_eq!(record["name"], "labelled");
    assert_eq!(record["group"], "g1");
    assert_eq!(record["key"], "k1");
    assert_eq!(record["timeout_ms"], 60_000);
    assert_eq!(record["idle_timeout_ms"], 30_000);
    assert_eq!(record["max_attempts"], 2);
    assert_eq!(record["close_policy"], "cancel");
    let cwd = home.path().join("sub");
    assert_eq!(record["cwd"], cwd.to_str().unwrap());
    assert!(!record.to_string().contains("hunter2"));
    assert!(!home.ok(&["show", &id]).contains("hunter2"));
    home.wait_for_output(&id, "hunter2");
    home.ok(&["input", &id, "\n", "--eof"]);
    home.finished(&id);
    let expected = format!("{}\nhunter2\n", cwd.display());
    assert_eq!(home.ok(&["logs", &id]), expected);
}

#[test]
fn the_default_cwd_is_the_callers_and_sh_runs_a_command_line() {
    let home = Home::new();
    let outcome = home.run(&["run", "--wait", "--", "pwd"]);
    assert_eq!(outcome.text(), format!("{}\n", home.path().display()));
    assert_eq!(
        home.run(&["run", "--wait", "--sh", "echo $((1 + 2))"])
            .text(),
        "3\n"
    );
}

#[test]
fn a_live_key_answers_the_same_task() {
    let home = Home::new();
    let first = home.start(&["--key", "dev-server", "--", "sleep", "30"]);
    let again = home.json(&["run", "--key", "dev-server", "--", "sleep", "30"]);
    assert_eq!(again["created"], false);
    assert_eq!(again["task"]["id"], first.as_str());
}

#[test]
fn the_session_comes_from_the_flag_then_the_environment_then_cli() {
    let home = Home::new();
    let id = home.start(&["--", "true"]);
    assert_eq!(home.record(&id)["session"], "cli");
    let mut command = home.command(&["run", "--", "true"]);
    command.env("TEND_SESSION", "agent-7");
    let id = home.output_of(command).text();
    assert_eq!(home.record(id.trim())["session"], "agent-7");
    let id = home.start(&["--session", "explicit", "--", "true"]);
    assert_eq!(home.record(&id)["session"], "explicit");
}
