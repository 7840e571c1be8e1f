//! `tend logs`: raw bytes, follow, tail, cursor, grep, stderr, JSON.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{Home, wait_child};

#[test]
fn follow_prints_exactly_the_bytes_written_and_returns_when_the_task_ends() {
    let home = Home::new();
    // Pieces written over time: an invalid UTF-8 byte, a multibyte character split across
    // writes, a line without its newline at the end.
    let script = "printf 'one\\n'; sleep 0.3; printf '\\377\\342\\202'; sleep 0.3; \
                  printf '\\254 two\\n'; sleep 0.3; printf 'no newline'";
    let id = home.start(&["--", "sh", "-c", script]);
    let started = Instant::now();
    let outcome = home.run(&["logs", "-f", &id]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let mut expected = b"one\n\xff\xe2\x82\xac two\nno newline".to_vec();
    assert_eq!(outcome.stdout, expected);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(home.record(&id)["state"], "completed");
    // Reading again gives the same bytes.
    assert_eq!(home.run(&["logs", &id]).stdout, expected);
    expected.clear();
}

#[test]
fn follow_keeps_up_with_a_running_task() {
    let home = Home::new();
    let id = home.start(&["--sh", "for i in 1 2 3 4 5; do echo $i; sleep 0.2; done"]);
    let mut command = home.command(&["logs", "-f", &id]);
    command.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    let status = wait_child(&mut child, Duration::from_secs(20)).expect("logs -f ends");
    assert!(status.success());
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    assert_eq!(stdout, "1\n2\n3\n4\n5\n");
}

#[test]
fn tail_cursor_and_grep_select_the_output() {
    let home = Home::new();
    let id = home.start(&["--sh", "printf 'one\\ntwo\\nthree\\n'"]);
    home.finished(&id);
    assert_eq!(home.ok(&["logs", &id]), "one\ntwo\nthree\n");
    assert_eq!(home.ok(&["logs", &id, "--tail", "2"]), "two\nthree\n");
    assert_eq!(home.ok(&["logs", &id, "--cursor", "4"]), "two\nthree\n");
    assert_eq!(home.ok(&["logs", &id, "--grep", "^t"]), "two\nthree\n");
    assert_eq!(home.ok(&["logs", &id, "--tail", "1", "-f"]), "three\n");
    let bad = home.run(&["logs", &id, "--grep", "("]);
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    assert!(bad.stderr.contains("grep"), "{}", bad.stderr);
}

#[test]
fn stderr_reads_the_separate_stream() {
    let home = Home::new();
    let id = home.start(&["--separate-stderr", "--sh", "echo out; echo err >&2"]);
    home.finished(&id);
    assert_eq!(home.ok(&["logs", &id]), "out\n");
    assert_eq!(home.ok(&["logs", &id, "--stderr"]), "err\n");
}

#[test]
fn json_prints_output_reads() {
    let home = Home::new();
    let id = home.start(&["--sh", "echo a; sleep 0.3; echo b"]);
    let lines = {
        let outcome = home.run(&["--json", "logs", "-f", &id]);
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
        outcome.json_lines()
    };
    let data: String = lines
        .iter()
        .map(|read| read["data"].as_str().unwrap())
        .collect();
    assert_eq!(data, "a\nb\n");
    assert_eq!(lines.last().unwrap()["eof"], true);
    let read = home.json(&["logs", &id]);
    assert_eq!(read["task_id"], id.as_str());
    assert_eq!(read["data"], "a\nb\n");
    assert_eq!(
        (read["total_bytes"].as_u64(), read["next_cursor"].as_u64()),
        (Some(4), Some(4))
    );
}

#[test]
fn unknown_tasks_have_no_logs() {
    let home = Home::new();
    assert_eq!(home.run(&["logs", "t999"]).code, 3);
    assert_eq!(home.run(&["logs", "-f", "t999"]).code, 3);
}
