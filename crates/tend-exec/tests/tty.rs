//! Terminal tasks: a pseudo-terminal as stdin, stdout, stderr and controlling terminal.

use std::time::Duration;

use tend_exec::{OutputReader, Stream, TaskEnd, TtySize, spawn};

use crate::support::{Home, all_text, assert_no_leftovers, finished, read_pid, wait_for_text};

const SIZE: TtySize = TtySize {
    rows: 40,
    cols: 120,
};

fn write(task_dir: &std::path::Path, data: &[u8]) {
    tend_exec::stdin::write(task_dir, data, Duration::from_secs(5)).expect("write input");
}

#[test]
fn a_tty_task_sees_a_terminal_and_a_pipe_task_does_not() {
    let home = Home::new();
    let script = "import os, sys; print(sys.stdin.isatty(), sys.stdout.isatty(), \
                  sys.stderr.isatty(), os.environ.get('TERM'))";
    let mut req = home.request("t1", &["python3", "-c", script]);
    req.tty = Some(SIZE);
    req.env.push(("TERM".into(), "dumb".into()));
    let process = spawn(&req).expect("spawn");
    assert_eq!(finished(&process).exit_code(), Some(0));
    // The terminal turns "\n" into "\r\n": the stream holds its bytes exactly.
    assert_eq!(all_text(&req.task_dir), "True True True dumb\r\n");
    assert_no_leftovers(process.ids(), &[]);

    let mut req = home.request("t2", &["python3", "-c", script]);
    req.tty = Some(SIZE);
    let process = spawn(&req).expect("spawn");
    finished(&process);
    assert_eq!(all_text(&req.task_dir), "True True True xterm-256color\r\n");

    let req = home.request("t3", &["python3", "-c", script]);
    let process = spawn(&req).expect("spawn");
    finished(&process);
    assert!(
        all_text(&req.task_dir).starts_with("False False False"),
        "{}",
        all_text(&req.task_dir)
    );
}

#[test]
fn exit_codes_are_true_and_the_last_bytes_are_kept() {
    let home = Home::new();
    let mut req = home.sh(
        "t1",
        "head -c 3000000 /dev/zero | tr '\\0' a; printf end; exit 7",
    );
    req.tty = Some(SIZE);
    let process = spawn(&req).expect("spawn");
    let status = finished(&process);
    assert_eq!(status.exit_code(), Some(7));
    assert_eq!(status.output.total_bytes, 3_000_003);
    let text = all_text(&req.task_dir);
    assert_eq!(text.len(), 3_000_003);
    assert!(text.ends_with("aaaend"));
}

#[test]
fn stty_size_inside_matches_the_size_asked_for() {
    let home = Home::new();
    let mut req = home.request("t1", &["stty", "size"]);
    req.tty = Some(TtySize { rows: 25, cols: 83 });
    let process = spawn(&req).expect("spawn");
    finished(&process);
    assert_eq!(all_text(&req.task_dir), "25 83\r\n");
}

#[test]
fn input_is_typed_into_the_terminal_and_end_of_input_is_ctrl_d() {
    let home = Home::new();
    let mut req = home.request("t1", &["cat"]);
    req.tty = Some(SIZE);
    let process = spawn(&req).expect("spawn");
    write(&req.task_dir, b"hello\r");
    // Echoed by the terminal, then written back by cat.
    wait_for_text(&req.task_dir, "hello\r\nhello\r\n");
    process.close_stdin().expect("ctrl-d");
    let status = finished(&process);
    assert_eq!(status.exit_code(), Some(0));
    assert_no_leftovers(process.ids(), &[]);
}

#[test]
fn ctrl_c_interrupts_a_sleep_on_a_terminal() {
    let home = Home::new();
    let mut req = home.sh("t1", "echo ready; exec sleep 30");
    req.tty = Some(SIZE);
    let process = spawn(&req).expect("spawn");
    wait_for_text(&req.task_dir, "ready");
    // Whether it reaches sh before the exec or sleep after it, SIGINT ends the task.
    write(&req.task_dir, b"\x03");
    let status = match process
        .wait_exit(Some(Duration::from_secs(10)))
        .expect("wait")
    {
        Some(TaskEnd::Finished(status)) => status,
        other => panic!("ctrl-c did not end the task: {other:?}"),
    };
    assert_eq!(status.signal(), Some("SIGINT"));
    assert_eq!(status.stop_requested, None);
}

#[test]
fn interrupt_sends_sigint_to_a_pipe_task() {
    let home = Home::new();
    let req = home.sh("t1", "echo ready; exec sleep 30");
    let process = spawn(&req).expect("spawn");
    wait_for_text(&req.task_dir, "ready");
    tend_exec::tty::interrupt(&req.task_dir).expect("interrupt");
    let status = finished(&process);
    assert_eq!(status.signal(), Some("SIGINT"));
}

#[test]
fn resize_sends_sigwinch_with_the_new_size() {
    let home = Home::new();
    let mut req = home.sh(
        "t1",
        "trap 'echo winch; stty size' WINCH; echo ready; while :; do sleep 0.05; done",
    );
    req.tty = Some(SIZE);
    let process = spawn(&req).expect("spawn");
    wait_for_text(&req.task_dir, "ready");
    tend_exec::tty::resize(&req.task_dir, TtySize { rows: 30, cols: 57 }).expect("resize");
    wait_for_text(&req.task_dir, "winch\r\n30 57\r\n");
    let bad = tend_exec::tty::resize(&req.task_dir, TtySize { rows: 0, cols: 57 });
    assert!(bad.is_err());
    match process.stop(Duration::from_secs(2)).expect("stop") {
        TaskEnd::Finished(_) => {}
        TaskEnd::Vanished => panic!("shim vanished"),
    }
    assert_no_leftovers(process.ids(), &[]);
}

#[test]
fn stop_kills_the_whole_tree_of_a_tty_task() {
    let home = Home::new();
    let mut req = home.sh("t1", "sleep 100 & echo $! > kid; sleep 100");
    req.cwd = home.dir.path().to_path_buf();
    req.tty = Some(SIZE);
    let process = spawn(&req).expect("spawn");
    let kid = read_pid(&home.path("kid"));
    match process.stop(Duration::from_secs(2)).expect("stop") {
        TaskEnd::Finished(status) => assert!(status.stop_requested.is_some()),
        TaskEnd::Vanished => panic!("shim vanished"),
    }
    assert_no_leftovers(process.ids(), &[kid]);
    let reader = OutputReader::new(&req.task_dir, Stream::Main);
    assert!(reader.read(0, 1024).is_ok());
}
