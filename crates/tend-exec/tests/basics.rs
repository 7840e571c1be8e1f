//! Plain commands: output readable at once after exit, exit codes, combined and separate stderr.

use tend_exec::{Outcome, OutputReader, StderrMode, Stream, spawn};

use crate::support::{Home, all_text, assert_no_leftovers, finished};

#[test]
fn echo_hello_is_readable_right_after_exit() {
    let home = Home::new();
    let req = home.request("t1", &["echo", "hello"]);
    let process = spawn(&req).expect("spawn");
    assert_eq!(process.pid(), process.ids().pgid);
    let status = finished(&process);
    assert_eq!(status.outcome, Outcome::Exited { code: 0 });
    assert_eq!(all_text(&req.task_dir), "hello\n");
    let chunk = OutputReader::new(&req.task_dir, Stream::Main)
        .read(0, 1024)
        .unwrap();
    assert_eq!(
        (chunk.total_bytes, chunk.dropped_bytes, chunk.truncated),
        (6, 0, false)
    );
    assert_eq!(status.output.total_bytes, 6);
    assert!(status.finished_at >= status.started_at);
    assert_no_leftovers(process.ids(), &[]);
}

#[test]
fn stderr_and_exit_code_in_the_combined_stream() {
    let home = Home::new();
    let req = home.sh("t1", "echo out; echo err >&2; echo out2; exit 3");
    let process = spawn(&req).expect("spawn");
    let status = finished(&process);
    assert_eq!(status.exit_code(), Some(3));
    assert_eq!(all_text(&req.task_dir), "out\nerr\nout2\n");
    assert_eq!(status.stderr_output, None);
    assert_no_leftovers(process.ids(), &[]);
}

#[test]
fn separate_stderr_gets_its_own_stream() {
    let home = Home::new();
    let mut req = home.sh("t1", "echo err >&2; echo out; exit 3");
    req.stderr = StderrMode::Separate;
    let process = spawn(&req).expect("spawn");
    let status = finished(&process);
    assert_eq!(status.exit_code(), Some(3));
    let main = OutputReader::new(&req.task_dir, Stream::Main)
        .read(0, 1024)
        .unwrap();
    let err = OutputReader::new(&req.task_dir, Stream::Stderr)
        .read(0, 1024)
        .unwrap();
    assert_eq!(
        (main.text().as_ref(), err.text().as_ref()),
        ("out\n", "err\n")
    );
    assert_eq!(status.stderr_output.map(|c| c.total_bytes), Some(4));
    assert_no_leftovers(process.ids(), &[]);
}

#[test]
fn a_signal_death_is_recorded_by_name_with_resource_use() {
    let home = Home::new();
    let req = home.sh(
        "t1",
        "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; kill -USR1 $$",
    );
    let process = spawn(&req).expect("spawn");
    let status = finished(&process);
    assert_eq!(status.signal(), Some("SIGUSR1"));
    assert!(status.peak_rss_bytes > 0);
    assert!(status.user_cpu_ms + status.system_cpu_ms > 0, "{status:?}");
    assert_no_leftovers(process.ids(), &[]);
}

#[test]
fn env_is_added_to_the_inherited_environment_and_cwd_is_used() {
    let home = Home::new();
    let mut req = home.sh("t1", "echo \"$TEND_TEST_VAR:${HOME:+home}:$(pwd)\"");
    req.env.push(("TEND_TEST_VAR".into(), "value".into()));
    req.cwd = home.dir.path().to_path_buf();
    let process = spawn(&req).expect("spawn");
    finished(&process);
    let cwd = home.dir.path().canonicalize().unwrap();
    assert_eq!(
        all_text(&req.task_dir),
        format!("value:home:{}\n", cwd.display())
    );

    let mut bare = home.sh("t2", "echo \"[${HOME:-}]\"");
    bare.inherit_env = false;
    let process = spawn(&bare).expect("spawn");
    finished(&process);
    assert_eq!(all_text(&bare.task_dir), "[]\n");
}

#[test]
fn a_retry_continues_the_same_stream() {
    let home = Home::new();
    let req = home.request("t1", &["echo", "first"]);
    finished(&spawn(&req).expect("spawn"));
    let again = home.request("t1", &["echo", "second"]);
    let process = spawn(&again).expect("spawn");
    let status = finished(&process);
    assert_eq!(all_text(&req.task_dir), "first\nsecond\n");
    assert_eq!(status.output.total_bytes, 13);
}

#[test]
fn each_launch_marks_its_ids_and_status_so_an_earlier_launchs_are_told_apart() {
    let home = Home::new();
    let mut first = home.request("t1", &["echo", "first"]);
    first.launch = 1;
    let process = spawn(&first).expect("spawn");
    assert_eq!(process.ids().launch, 1);
    assert_eq!(finished(&process).launch, 1);
    let on_disk = tend_exec::ProcessIds::read(&first.task_dir)
        .unwrap()
        .unwrap();
    assert_eq!(on_disk.launch, 1);
    // The second launch's files replace the first's, marked with its own number.
    let mut second = home.sh("t1", "exit 4");
    second.launch = 2;
    let process = spawn(&second).expect("spawn");
    let status = finished(&process);
    assert_eq!((status.launch, status.exit_code()), (2, Some(4)));
    match tend_exec::adopt(&second.task_dir).unwrap() {
        tend_exec::Adopted::Finished(status) => assert_eq!(status.launch, 2),
        _ => panic!("not finished"),
    }
    let ids = tend_exec::ProcessIds::read(&second.task_dir)
        .unwrap()
        .unwrap();
    assert_eq!(ids.launch, 2);
}
