//! The runtime dies; the task goes on; a new runtime adopts it, stops it or reads its end.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use tend_exec::{Adopted, ProcessIds, StdinMode, TaskEnd, adopt, spawn};

use crate::support::{Home, assert_no_leftovers, shim, wait_until};

const HELPER_ENV: &str = "TEND_EXEC_TEST_RUNTIME_HELPER";

/// Not a test on its own: when re-invoked with [`HELPER_ENV`] set, this process plays the
/// runtime: it spawns the task described there, marks it ready, and waits to be killed.
#[test]
fn runtime_helper() {
    let Ok(spec) = std::env::var(HELPER_ENV) else {
        return;
    };
    let spec: Vec<String> = serde_json::from_str(&spec).expect("helper spec");
    let (task_dir, stdin, argv) = (PathBuf::from(&spec[0]), &spec[1], &spec[2..]);
    let mut req = tend_exec::SpawnRequest::new(shim(), &task_dir, argv.iter().cloned());
    if stdin == "pipe" {
        req.stdin = StdinMode::Pipe;
    }
    let process = spawn(&req).expect("helper spawn");
    std::fs::write(task_dir.with_extension("ready"), process.pid().to_string()).expect("mark");
    loop {
        std::thread::park();
    }
}

/// Starts a runtime in another process, lets it spawn `argv`, then SIGKILLs that runtime.
fn spawn_in_doomed_runtime(task_dir: &Path, stdin: &str, argv: &[&str]) -> ProcessIds {
    let mut spec = vec![task_dir.display().to_string(), stdin.to_owned()];
    spec.extend(argv.iter().map(|a| (*a).to_owned()));
    let mut runtime: Child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "detach::runtime_helper",
            "--test-threads=1",
            "--quiet",
        ])
        .env(HELPER_ENV, serde_json::to_string(&spec).expect("spec"))
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start the runtime process");
    let ready = task_dir.with_extension("ready");
    assert!(
        wait_until(Duration::from_secs(10), || ready.exists()),
        "runtime did not spawn"
    );
    runtime.kill().expect("SIGKILL the runtime");
    runtime.wait().expect("reap the runtime");
    ProcessIds::read(task_dir)
        .expect("pids.json")
        .expect("pids.json exists")
}

#[test]
fn a_new_runtime_adopts_a_running_task_and_stops_it() {
    let home = Home::new();
    let dir = home.task_dir("t1");
    let ids = spawn_in_doomed_runtime(&dir, "null", &["sleep", "100"]);
    assert!(ids.command_is_alive(), "the command outlived its runtime");
    assert!(ids.shim_is_alive(), "the shim outlived its runtime");
    let Adopted::Running(process) = adopt(&dir).expect("adopt") else {
        panic!("expected a running task")
    };
    assert_eq!(process.ids(), &ids);
    let Ok(TaskEnd::Finished(status)) = process.stop(Duration::from_secs(2)) else {
        panic!("stop failed")
    };
    assert_eq!(status.signal(), Some("SIGTERM"));
    assert_no_leftovers(&ids, &[]);
}

#[test]
fn a_task_that_ends_while_no_runtime_watches_keeps_its_exit_code() {
    let home = Home::new();
    let dir = home.task_dir("t1");
    let ids = spawn_in_doomed_runtime(
        &dir,
        "pipe",
        &["sh", "-c", "read line; echo \"$line\"; exit 7"],
    );
    assert!(ids.command_is_alive());
    tend_exec::stdin::write(&dir, b"bye\n", Duration::from_secs(5)).expect("stdin");
    let status = match adopt(&dir).expect("adopt") {
        Adopted::Running(process) => match process.wait_exit(Some(Duration::from_secs(10))) {
            Ok(Some(TaskEnd::Finished(status))) => status,
            other => panic!("no exit record: {other:?}"),
        },
        Adopted::Finished(status) => status,
        Adopted::Vanished(_) => panic!("vanished"),
    };
    assert_eq!(status.exit_code(), Some(7));
    let Adopted::Finished(again) = adopt(&dir).expect("adopt") else {
        panic!("not finished")
    };
    assert_eq!(again, status);
    assert_eq!(crate::support::all_text(&dir), "bye\n");
    assert_no_leftovers(&ids, &[]);
}

#[test]
fn a_shim_killed_with_its_command_is_reported_as_vanished() {
    let home = Home::new();
    let req = home.request("t1", &["sleep", "100"]);
    let process = spawn(&req).expect("spawn");
    let ids = process.ids().clone();
    // SAFETY: kill with integer arguments; both processes are alive (checked by spawn).
    unsafe {
        libc::kill(ids.shim_pid, libc::SIGKILL);
        libc::killpg(ids.pgid, libc::SIGKILL);
    }
    assert_eq!(
        process
            .wait_exit(Some(Duration::from_secs(10)))
            .expect("wait"),
        Some(TaskEnd::Vanished)
    );
    match adopt(&req.task_dir).expect("adopt") {
        Adopted::Vanished(vanished) => assert_eq!(vanished.ids(), Some(&ids)),
        other => panic!("expected vanished, got {other:?}"),
    }
    assert_no_leftovers(&ids, &[]);
}

#[test]
fn leftovers_of_a_vanished_shim_can_be_killed() {
    let home = Home::new();
    let req = home.sh("t1", "sleep 100 & sleep 100");
    let process = spawn(&req).expect("spawn");
    let ids = process.ids().clone();
    // SAFETY: kill with integer arguments.
    unsafe { libc::kill(ids.shim_pid, libc::SIGKILL) };
    assert_eq!(
        process
            .wait_exit(Some(Duration::from_secs(10)))
            .expect("wait"),
        Some(TaskEnd::Vanished)
    );
    assert!(ids.command_is_alive(), "the command survives its shim");
    let Adopted::Vanished(vanished) = adopt(&req.task_dir).expect("adopt") else {
        panic!("expected vanished")
    };
    assert!(vanished.kill_leftovers() >= 1);
    assert_no_leftovers(&ids, &[]);
}
