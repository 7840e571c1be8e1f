//! A command that leaves a background process behind ends when the command does.

use std::time::{Duration, Instant};

use tend_exec::spawn;

use crate::support::{Home, all_text, assert_gone, assert_no_leftovers, finished};

#[test]
fn the_task_ends_with_its_command_and_the_orphan_is_killed() {
    let home = Home::new();
    let req = home.sh("t1", "sleep 100 & echo \"started $!\"");
    let started = Instant::now();
    let process = spawn(&req).expect("spawn");
    let status = finished(&process);
    let took = started.elapsed();
    assert_eq!(status.exit_code(), Some(0));
    // The orphan holds the output pipe open: the shim drains for 500 ms, then kills it.
    assert!(took >= Duration::from_millis(450), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    let text = all_text(&req.task_dir);
    let orphan: i32 = text
        .trim()
        .strip_prefix("started ")
        .expect("started line")
        .parse()
        .unwrap();
    assert_gone(&[orphan]);
    assert_no_leftovers(process.ids(), &[orphan]);
}

#[test]
fn a_daemon_without_the_pipe_ends_with_the_command_at_once() {
    let home = Home::new();
    let mut req = home.sh("t1", "sleep 100 > /dev/null 2>&1 & echo \"started $!\"");
    // A long drain time that must not be waited for: the pipe reaches end of file at once.
    req.drain = Duration::from_secs(10);
    let started = Instant::now();
    let process = spawn(&req).expect("spawn");
    finished(&process);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    let text = all_text(&req.task_dir);
    let orphan: i32 = text
        .trim()
        .strip_prefix("started ")
        .expect("started line")
        .parse()
        .unwrap();
    assert_no_leftovers(process.ids(), &[orphan]);
}
