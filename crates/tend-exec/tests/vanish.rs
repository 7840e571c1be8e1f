//! A task whose shim was killed is stopped whole: every process that carries its marker,
//! descendants that left the command's group and session included.

use std::time::{Duration, Instant};

use tend_exec::{Adopted, TaskEnd, adopt, procfs, spawn};

use crate::support::{Home, all_text, assert_no_leftovers, marked_pids, read_pid, wait_until};

/// Kills the shim of `process` and waits until the runtime side sees it vanish.
fn kill_shim(process: &tend_exec::TaskProcess) {
    // SAFETY: kill with integer arguments; the shim is alive (checked by spawn).
    unsafe { libc::kill(process.ids().shim_pid, libc::SIGKILL) };
    assert_eq!(
        process
            .wait_exit(Some(Duration::from_secs(10)))
            .expect("wait"),
        Some(TaskEnd::Vanished)
    );
}

#[test]
fn the_command_carries_the_marker_recorded_in_pids_json_and_a_given_value_is_replaced() {
    let home = Home::new();
    let mut req = home.sh("t1", "printf '%s' \"$TEND_TASK\"");
    req.env.push(("TEND_TASK".into(), "forged:1".into()));
    req.launch = 4;
    let process = spawn(&req).expect("spawn");
    crate::support::finished(&process);
    let marker = process.ids().marker.clone().expect("a marker in pids.json");
    assert!(marker.ends_with(":4"), "{marker}");
    assert_eq!(all_text(&req.task_dir), marker);
    let other = spawn(&req).expect("spawn again");
    crate::support::finished(&other);
    assert_ne!(other.ids().marker.as_deref(), Some(marker.as_str()));
}

#[test]
fn a_vanished_shims_tree_is_stopped_whole_setsid_descendants_included() {
    let home = Home::new();
    let escaped_file = home.path("escaped.pid");
    let script = format!(
        "setsid sh -c 'echo $$ > {}; exec sleep 300' & sleep 300",
        escaped_file.display()
    );
    let process = spawn(&home.sh("t1", &script)).expect("spawn");
    let ids = process.ids().clone();
    let marker = ids.marker.clone().expect("marker");
    let escaped = read_pid(&escaped_file);
    let sid = procfs::stat(escaped).expect("escaped process").sid;
    assert_ne!(sid, ids.shim_pid, "the descendant left the shim's session");
    assert!(wait_until(Duration::from_secs(10), || marked_pids(&marker)
        .contains(&escaped)));

    kill_shim(&process);
    // Without its shim, the tree lives on: the pgid and session sweep cannot reach `escaped`.
    assert!(ids.command_is_alive());
    assert!(procfs::stat(escaped).is_ok_and(|s| !s.is_zombie()));

    let started = Instant::now();
    let sweep = process.vanished().stop_leftovers(Duration::from_secs(5));
    let took = started.elapsed();
    assert!(sweep.terminated >= 3, "{sweep:?}");
    assert_eq!(sweep.remaining, 0, "{sweep:?}");
    // Everything ends on SIGTERM: no need to wait out the grace.
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert!(
        wait_until(Duration::from_secs(10), || marked_pids(&marker).is_empty()),
        "marked processes left: {:?}",
        marked_pids(&marker)
    );
    assert_no_leftovers(&ids, &[escaped]);
}

#[test]
fn leftovers_that_ignore_sigterm_are_killed_after_the_grace_found_again_through_adopt() {
    let home = Home::new();
    let escaped_file = home.path("stubborn.pid");
    let script = format!(
        "setsid sh -c 'trap \"\" TERM; echo $$ > {}; while :; do sleep 1; done' & sleep 300",
        escaped_file.display()
    );
    let req = home.sh("t1", &script);
    let process = spawn(&req).expect("spawn");
    let ids = process.ids().clone();
    let marker = ids.marker.clone().expect("marker");
    let stubborn = read_pid(&escaped_file);
    kill_shim(&process);
    drop(process);

    let Adopted::Vanished(vanished) = adopt(&req.task_dir).expect("adopt") else {
        panic!("expected vanished")
    };
    let grace = Duration::from_millis(400);
    let started = Instant::now();
    let sweep = vanished.stop_leftovers(grace);
    let took = started.elapsed();
    assert!(took >= grace, "the grace was not waited for: {took:?}");
    assert!(took < grace + Duration::from_secs(5), "{took:?}");
    assert!(sweep.killed >= 1, "{sweep:?}");
    assert_eq!(sweep.remaining, 0, "{sweep:?}");
    assert!(
        marked_pids(&marker).is_empty(),
        "{:?}",
        marked_pids(&marker)
    );
    assert_no_leftovers(&ids, &[stubborn]);
}

#[test]
fn leftovers_are_not_touched_while_the_shim_runs() {
    let home = Home::new();
    let process = spawn(&home.request("t1", &["sleep", "300"])).expect("spawn");
    let sweep = process.vanished().stop_leftovers(Duration::ZERO);
    assert!(sweep.found_nothing(), "{sweep:?}");
    assert!(process.ids().command_is_alive());
    let end = process.stop(Duration::from_secs(2)).expect("stop");
    assert!(matches!(end, TaskEnd::Finished(_)), "{end:?}");
    assert_no_leftovers(process.ids(), &[]);
}

/// The command kills its shim at once, perhaps before the shim reported to the runtime: its
/// ids are on disk all the same (the command runs only once they are), and whichever way the
/// spawn went, nothing of the task is left once it was handled.
#[test]
fn a_command_that_kills_its_shim_at_once_leaves_nothing_behind() {
    let home = Home::new();
    for round in 0..5 {
        let name = format!("t{round}");
        let escaped_file = home.path(&format!("{name}.pid"));
        let script = format!(
            "setsid sleep 300 & echo $! > {}; kill -9 $PPID; sleep 300",
            escaped_file.display()
        );
        let req = home.sh(&name, &script);
        // Both outcomes happen: the shim reported before it was killed, or it did not.
        if let Ok(process) = spawn(&req) {
            kill_shim_waited(&process);
            process.vanished().stop_leftovers(Duration::from_secs(5));
        }
        let ids = tend_exec::ProcessIds::read(&req.task_dir)
            .expect("pids.json")
            .expect("the ids were recorded before the command ran");
        let marker = ids.marker.clone().expect("marker");
        let escaped = read_pid(&escaped_file);
        assert!(
            marked_pids(&marker).is_empty(),
            "{:?}",
            marked_pids(&marker)
        );
        assert_no_leftovers(&ids, &[escaped]);
    }
}

/// Waits until the runtime side sees the shim of `process` vanish (its command killed it).
fn kill_shim_waited(process: &tend_exec::TaskProcess) {
    assert_eq!(
        process
            .wait_exit(Some(Duration::from_secs(10)))
            .expect("wait"),
        Some(TaskEnd::Vanished)
    );
}
