//! What a person meets first: messages that say what happened and what to do next, the views
//! of `ls` and `show`, `logs --grep`, names and bare numbers as ids, `--cwd` checked before
//! anything is made, and completions of task ids and group names.

use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::support::{Home, TEND, eventually, wait_child};

#[test]
fn ctrl_c_during_run_wait_says_the_task_keeps_running() {
    let home = Home::new();
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("stdout");
    let err = scratch.path().join("stderr");
    let mut command = home.command(&["run", "--wait", "--sh", "echo started; sleep 30"]);
    command
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap());
    let mut child = command.spawn().unwrap();
    eventually("the task to print", Duration::from_secs(10), || {
        std::fs::read_to_string(&out).is_ok_and(|text| text == "started\n")
    });
    kill(
        Pid::from_raw(i32::try_from(child.id()).unwrap()),
        Signal::SIGINT,
    )
    .unwrap();
    let status = wait_child(&mut child, Duration::from_secs(10)).expect("tend ends");
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        std::fs::read_to_string(&err).unwrap(),
        "tend: t1 keeps running; stop it with: tend stop t1\n"
    );
    assert_eq!(home.record("t1")["state"], "running");
}

#[test]
fn stopping_an_ended_task_says_it_had_already_ended() {
    let home = Home::new();
    let live = home.start(&["--", "sleep", "30"]);
    let outcome = home.run(&["stop", &live, "--grace", "1s"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(outcome.text(), format!("{live}  cancelled  stopped\n"));
    let outcome = home.run(&["stop", &live]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(
        outcome.text(),
        format!("{live} had already ended (cancelled, stopped)\n")
    );
    let done = home.start(&["--", "true"]);
    home.finished(&done);
    assert_eq!(
        home.ok(&["stop", &done]),
        format!("{done} had already ended (completed, exit 0)\n")
    );
}

#[test]
fn an_unknown_id_is_said_once() {
    let home = Home::new();
    for args in [
        &["stop", "t9999"][..],
        &["show", "t9999"],
        &["logs", "t9999"],
        &["rm", "t9999"],
        &["input", "t9999", "x"],
        &["wait", "t9999"],
    ] {
        let outcome = home.run(args);
        assert_eq!(outcome.code, 3, "{args:?}");
        assert_eq!(outcome.stderr, "tend: no task t9999\n", "{args:?}");
    }
}

#[test]
fn ls_says_when_there_are_no_tasks_and_limits_its_rows() {
    let home = Home::new();
    assert_eq!(home.ok(&["ls"]), "no tasks\n");
    let ids: Vec<String> = (0..3).map(|_| home.start(&["--", "true"])).collect();
    let text = home.ok(&["ls", "--limit", "2"]);
    let shown: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(shown, [ids[1].as_str(), ids[2].as_str()], "{text}");
    assert_eq!(home.ok(&["ls", "--limit", "0"]).lines().count(), 4);
}

#[test]
fn ls_on_a_terminal_shows_the_last_fifty_and_says_how_many_are_hidden() {
    let home = Home::new();
    for _ in 0..53 {
        home.start(&["--", "true"]);
    }
    home.finished("t53");
    let line = format!("{TEND} ls");
    let mut command = std::process::Command::new("script");
    command
        .args(["-qec", &line, "/dev/null"])
        .env("TEND_HOME", home.path())
        .env("NO_COLOR", "1")
        .env_remove("TEND_SESSION")
        .stdin(Stdio::null());
    let outcome = home.output_of(command);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let text = outcome.text().replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 52, "{text}");
    assert!(lines[1].starts_with("t4 "), "{text}");
    assert_eq!(
        lines[51],
        "3 older tasks not shown; all of them: tend ls --limit 0"
    );
    // Off a terminal (a pipe, a script) everything is listed.
    assert_eq!(home.ok(&["ls"]).lines().count(), 54);
}

#[test]
fn show_says_how_long_a_task_ran_and_why_a_pending_one_waits() {
    let home = Home::new();
    let quick = home.start(&["--", "sleep", "0.2"]);
    home.finished(&quick);
    let text = home.ok(&["show", &quick]);
    let ran = text.lines().find(|l| l.starts_with("ran:")).expect(&text);
    assert!(ran.ends_with("ms") || ran.ends_with('s'), "{ran}");

    home.ok(&["group", "set", "one", "1"]);
    let blocker = home.start(&["--group", "one", "--", "sleep", "30"]);
    let queued = home.start(&["--group", "one", "--after", &blocker, "--", "true"]);
    let text = home.ok(&["show", &queued]);
    let waiting = text
        .lines()
        .find(|l| l.starts_with("waiting:"))
        .expect(&text);
    assert_eq!(
        waiting,
        format!(
            "waiting:      for {blocker} (running) to complete; group one is full (1 of 1 \
             running, 1 pending; raise it with: tend group set one N)"
        )
    );
    assert!(
        home.ok(&["show", &blocker]).contains("so far"),
        "a running task's run time goes on"
    );

    // A failed attempt waits for its backoff (2 s before the third attempt).
    let flaky = home.start(&["--max-attempts", "3", "--", "false"]);
    let mut said = String::new();
    eventually(
        "the third attempt's backoff",
        Duration::from_secs(20),
        || {
            let text = home.ok(&["show", &flaky]);
            if text.contains("attempt:      3 of 3") && text.contains("state:        pending") {
                said = text;
                true
            } else {
                false
            }
        },
    );
    let waiting = said
        .lines()
        .find(|l| l.starts_with("waiting:"))
        .expect(&said);
    assert!(
        waiting.starts_with("waiting:      retry backoff until ")
            && waiting.ends_with(", attempt 3 of 3"),
        "{said}"
    );
}

#[test]
fn logs_grep_exits_1_without_a_match_and_notes_replaced_bytes() {
    let home = Home::new();
    let id = home.start(&["--sh", r"printf 'good line\nbad \377 byte\n'"]);
    home.finished(&id);
    let outcome = home.run(&["logs", &id, "--grep", "nothing"]);
    assert_eq!((outcome.code, outcome.text()), (1, String::new()));
    let outcome = home.run(&["logs", &id, "--grep", "good"]);
    assert_eq!(
        (outcome.code, outcome.text()),
        (0, "good line\n".to_owned())
    );
    assert_eq!(outcome.stderr, "");
    let outcome = home.run(&["logs", &id, "--grep", "bad"]);
    assert_eq!(outcome.code, 0);
    assert_eq!(outcome.text(), "bad \u{FFFD} byte\n");
    assert_eq!(
        outcome.stderr,
        format!(
            "tend: note: invalid UTF-8 bytes in the output of {id} are shown as U+FFFD; \
             `tend logs {id}` without --grep or --json prints the exact bytes\n"
        )
    );
    // The exact bytes, without a note.
    let outcome = home.run(&["logs", &id]);
    assert_eq!(outcome.stdout, b"good line\nbad \xff byte\n");
    assert_eq!(outcome.stderr, "");
    // A real U+FFFD written by the task is not a replacement.
    let honest = home.start(&["--sh", "printf 'sign \\357\\277\\275 here\\n'"]);
    home.finished(&honest);
    let outcome = home.run(&["logs", &honest, "--grep", "sign"]);
    assert_eq!(outcome.text(), "sign \u{FFFD} here\n");
    assert_eq!(outcome.stderr, "");
}

#[test]
fn tasks_are_named_by_bare_numbers_and_by_unique_live_names() {
    let home = Home::new();
    let web = home.start(&["--name", "web", "--sh", "echo serving; sleep 30"]);
    home.wait_for_output(&web, "serving");
    assert_eq!(home.record("1")["id"], web.as_str());
    assert_eq!(home.ok(&["logs", "web"]), "serving\n");
    assert!(
        home.ok(&["show", "web"])
            .contains(&format!("id:           {web}"))
    );
    // Two live tasks of the name: the error lists them.
    let a = home.start(&["--name", "dup", "--", "sleep", "30"]);
    let b = home.start(&["--name", "dup", "--", "sleep", "30"]);
    let outcome = home.run(&["logs", "dup"]);
    assert_eq!(outcome.code, 1);
    assert_eq!(
        outcome.stderr,
        format!("tend: 2 live tasks of session cli are named \"dup\": {a}, {b}; give an id\n")
    );
    // Another session's task of that name is not this session's.
    let outcome = home.run(&["--session", "other", "show", "web"]);
    assert_eq!(outcome.code, 3);
    assert_eq!(
        outcome.stderr,
        "tend: no live task named \"web\" in session other (give its id, see: tend ls)\n"
    );
    let outcome = home.run(&["stop", "web", "--grace", "1s"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(home.record(&web)["state"], "cancelled");
}

#[test]
fn a_cwd_that_is_not_a_directory_is_refused_before_anything_is_made() {
    let home = Home::new();
    home.ok(&["daemon", "start"]);
    let outcome = home.run(&["run", "--cwd", "no/such/dir", "--", "true"]);
    assert_eq!(outcome.code, 2);
    assert_eq!(
        outcome.stderr,
        format!(
            "tend: --cwd {}: no such directory\n",
            home.path().join("no/such/dir").display()
        )
    );
    let file = home.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let outcome = home.run(&["run", "--cwd", file.to_str().unwrap(), "--", "true"]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.ends_with(": not a directory\n"),
        "{}",
        outcome.stderr
    );
    assert_eq!(home.json(&["ls"])["tasks"], serde_json::json!([]));
}

/// The candidates `tend` answers for a command line completed by `shell`'s script.
fn candidates(home: &Home, shell: &str, words: &[&str]) -> Vec<String> {
    let mut all = vec!["--", "tend"];
    all.extend_from_slice(words);
    let mut command = home.command(&all);
    command
        .env("COMPLETE", shell)
        .env("_CLAP_COMPLETE_INDEX", words.len().to_string())
        .env("_CLAP_IFS", "\n");
    let outcome = home.output_of(command);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    outcome
        .text()
        .lines()
        .map(|line| line.split(['\t', ':']).next().unwrap().to_owned())
        .collect()
}

#[test]
fn completions_offer_task_ids_and_group_names_in_bash_zsh_and_fish() {
    let home = Home::new();
    let web = home.start(&["--name", "web", "--group", "build", "--", "sleep", "30"]);
    let other = home.start(&["--", "true"]);
    // Bash, for real: the script is sourced and its function called as TAB does.
    let script = format!(
        "source <({TEND} completions bash)\n\
         COMP_WORDS=(tend logs t); COMP_CWORD=2; COMP_LINE='tend logs t'; COMP_POINT=11\n\
         _clap_complete_tend tend t logs\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
    );
    let mut bash = std::process::Command::new("bash");
    bash.args(["--noprofile", "--norc", "-c", &script])
        .env("TEND_HOME", home.path())
        .stdin(Stdio::null());
    let outcome = home.output_of(bash);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let text = outcome.text();
    let offered: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(
        offered.contains(&web.as_str()) && offered.contains(&other.as_str()),
        "{offered:?}"
    );
    // Zsh and fish scripts call back the same way, each with its own protocol.
    for shell in ["zsh", "fish"] {
        let script = home.ok(&["completions", shell]);
        assert!(
            script.contains(&format!("COMPLETE=\"{shell}\""))
                || script.contains(&format!("COMPLETE={shell}")),
            "{script}"
        );
        let ids = candidates(&home, shell, &["stop", ""]);
        assert!(
            ids.contains(&web) && ids.contains(&other),
            "{shell}: {ids:?}"
        );
        let groups = candidates(&home, shell, &["run", "--group", "b"]);
        assert_eq!(groups, ["build"], "{shell}");
        let subcommands = candidates(&home, shell, &["lo"]);
        assert!(
            subcommands.contains(&"logs".to_owned()),
            "{shell}: {subcommands:?}"
        );
    }
}
