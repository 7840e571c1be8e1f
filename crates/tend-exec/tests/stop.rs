//! Stopping: the whole tree dies, graceful exits are recorded, stubborn commands are killed.

use std::time::{Duration, Instant};

use tend_exec::{Outcome, StopRequest, TaskEnd, spawn};

use crate::support::{Home, assert_gone, assert_no_leftovers, finished, read_pid, wait_for_text};

const GRACE: Duration = Duration::from_secs(2);

fn stopped(process: &tend_exec::TaskProcess, grace: Duration) -> tend_exec::TaskStatus {
    match process.stop(grace).expect("stop") {
        TaskEnd::Finished(status) => status,
        TaskEnd::Vanished => panic!("shim vanished"),
    }
}

#[test]
fn stop_kills_background_children() {
    let home = Home::new();
    let req = home.sh(
        "t1",
        "sleep 100 & echo $! > kid1; sleep 100 & echo $! > kid2; wait",
    );
    let mut req = req;
    req.cwd = home.dir.path().to_path_buf();
    let process = spawn(&req).expect("spawn");
    let kids = [read_pid(&home.path("kid1")), read_pid(&home.path("kid2"))];
    let status = stopped(&process, GRACE);
    assert_eq!(status.signal(), Some("SIGTERM"));
    assert_eq!(status.stop_requested, Some(StopRequest::Terminate));
    assert_no_leftovers(process.ids(), &kids);
}

#[test]
fn stop_kills_a_descendant_that_left_the_group_with_setsid() {
    let home = Home::new();
    let mut req = home.sh(
        "t1",
        "setsid sh -c 'echo $$ > escaped; exec sleep 100' & wait",
    );
    req.cwd = home.dir.path().to_path_buf();
    let process = spawn(&req).expect("spawn");
    let escaped = read_pid(&home.path("escaped"));
    let stat = tend_exec::procfs::stat(escaped).expect("escaped process runs");
    assert_ne!(stat.pgid, process.ids().pgid, "the escapee left the group");
    stopped(&process, GRACE);
    assert_no_leftovers(process.ids(), &[escaped]);
}

#[test]
fn stop_kills_a_double_forked_daemon() {
    let home = Home::new();
    let script = "(setsid sh -c 'echo $$ > daemon; exec sleep 100' < /dev/null > /dev/null 2>&1 &); \
                  echo spawned; sleep 100";
    let mut req = home.sh("t1", script);
    req.cwd = home.dir.path().to_path_buf();
    let process = spawn(&req).expect("spawn");
    let daemon = read_pid(&home.path("daemon"));
    wait_for_text(&req.task_dir, "spawned");
    let stat = tend_exec::procfs::stat(daemon).expect("daemon runs");
    assert_eq!(
        stat.ppid,
        process.ids().shim_pid,
        "the daemon was reparented to the shim"
    );
    stopped(&process, GRACE);
    assert_no_leftovers(process.ids(), &[daemon]);
}

#[test]
fn a_command_that_traps_term_and_exits_0_is_recorded_with_exit_0() {
    let home = Home::new();
    let req = home.sh(
        "t1",
        "trap 'echo bye; exit 0' TERM; echo ready; sleep 100 & wait",
    );
    let process = spawn(&req).expect("spawn");
    wait_for_text(&req.task_dir, "ready");
    let status = stopped(&process, GRACE);
    assert_eq!(status.outcome, Outcome::Exited { code: 0 });
    assert!(crate::support::all_text(&req.task_dir).ends_with("bye\n"));
    assert_no_leftovers(process.ids(), &[]);
}

#[test]
fn a_command_that_ignores_term_is_killed_after_the_grace_period() {
    let home = Home::new();
    let req = home.sh("t1", "trap '' TERM; echo ready; sleep 100");
    let process = spawn(&req).expect("spawn");
    wait_for_text(&req.task_dir, "ready");
    let grace = Duration::from_millis(300);
    let started = Instant::now();
    let status = stopped(&process, grace);
    assert!(started.elapsed() >= grace);
    assert_eq!(status.signal(), Some("SIGKILL"));
    assert_eq!(status.stop_requested, Some(StopRequest::Kill));
    assert_no_leftovers(process.ids(), &[]);
}

#[test]
fn stop_right_after_spawn_leaves_nothing_running() {
    let home = Home::new();
    for i in 0..5 {
        let req = home.sh(&format!("t{i}"), "sleep 100 & sleep 100");
        let process = spawn(&req).expect("spawn");
        let status = stopped(&process, GRACE);
        assert!(status.signal().is_some(), "{status:?}");
        assert_no_leftovers(process.ids(), &[]);
    }
}

#[test]
fn stop_after_exit_is_a_harmless_no_op() {
    let home = Home::new();
    let req = home.request("t1", &["true"]);
    let process = spawn(&req).expect("spawn");
    let status = finished(&process);
    assert_eq!(stopped(&process, GRACE), status);
    assert_eq!(stopped(&process, GRACE), status);
    assert!(!process.terminate().expect("terminate"));
    assert!(!process.kill().expect("kill"));
    assert_no_leftovers(process.ids(), &[]);
}

#[test]
fn kill_ends_everything_at_once() {
    let home = Home::new();
    let mut req = home.sh(
        "t1",
        "trap '' TERM; setsid sleep 100 & echo $! > kid; sleep 100",
    );
    req.cwd = home.dir.path().to_path_buf();
    let process = spawn(&req).expect("spawn");
    let kid = read_pid(&home.path("kid"));
    assert!(process.kill().expect("kill"));
    let status = finished(&process);
    assert_eq!(status.signal(), Some("SIGKILL"));
    assert_no_leftovers(process.ids(), &[kid]);
    assert_gone(&[kid]);
}

#[test]
fn a_command_signalling_its_parent_does_not_lose_the_task() {
    let home = Home::new();
    let req = home.sh(
        "t1",
        "kill -TERM $PPID; kill -HUP $PPID; kill -INT $PPID; echo alive; exit 4",
    );
    let process = spawn(&req).expect("spawn");
    let status = finished(&process);
    assert_eq!(status.exit_code(), Some(4));
    assert_eq!(crate::support::all_text(&req.task_dir), "alive\n");
    assert_no_leftovers(process.ids(), &[]);
}
