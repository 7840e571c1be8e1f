//! A task whose shim dies is stopped whole (CONTRACT §12): marked `lost` with the output it
//! wrote, and every process of its tree, `setsid`'d descendants included, gone.

use std::path::Path;
use std::time::{Duration, Instant};

use tend_core::{Reason, State, TaskId};
use tend_host::{Host, Settings};

use crate::support::*;

/// The task's ids once its shim recorded them.
fn ids_of(home: &Path, id: TaskId) -> tend_exec::ProcessIds {
    let dir = home.join("tasks").join(id.to_string());
    let mut ids = None;
    assert!(eventually(Duration::from_secs(10), || {
        ids = tend_exec::ProcessIds::read(&dir).ok().flatten();
        ids.is_some()
    }));
    ids.unwrap()
}

/// Asserts that no process of the task is left within 10 s; returns how long that took.
fn assert_tree_gone(ids: &tend_exec::ProcessIds, escaped: u32) -> Duration {
    let marker = ids.marker.clone().expect("a marker in pids.json");
    let started = Instant::now();
    let gone = eventually(Duration::from_secs(10), || {
        marked_pids(&marker).is_empty() && !alive(escaped) && !alive(ids.pid as u32)
    });
    assert!(
        gone,
        "left behind: marked {:?}, escaped {escaped} alive: {}",
        marked_pids(&marker),
        alive(escaped)
    );
    started.elapsed()
}

/// A script that starts an escaped (`setsid`) sleeper, writes its pid to `pid_file`, prints
/// ten bytes, waits until they are in the task's output file (so that the shim has read them
/// and reported the start), then runs `then`. The task must be the home's first, `t1`.
fn escaping_script(home: &Path, pid_file: &Path, then: &str) -> String {
    let segment = home.join("tasks/t1/out/00000000000000000000");
    format!(
        "setsid sleep 300 & echo $! > {pid}; echo 0123456789 | head -c 10; \
         until [ \"$(wc -c < {seg} 2>/dev/null || echo 0)\" -ge 10 ]; do sleep 0.01; done; {then}",
        pid = pid_file.display(),
        seg = segment.display(),
    )
}

async fn record(host: &Host, id: TaskId) -> tend_core::Task {
    host.get(id).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_that_kills_its_shim_is_lost_and_stopped_whole_with_its_output_counted() {
    let home = tempfile::tempdir().unwrap();
    let host = open(home.path()).await;
    let pid_file = home.path().join("escaped.pid");
    let script = escaping_script(home.path(), &pid_file, "kill -9 $PPID; sleep 300");
    let created = Instant::now();
    let (_, task) = host.create(sh("s1", &script)).await.unwrap();
    let escaped = read_pid(&pid_file);
    let done = wait_done(&host, task.id, Duration::from_secs(30)).await;
    assert_eq!(
        (done.state, done.reason),
        (State::Failed, Some(Reason::Lost))
    );
    let ids = ids_of(home.path(), task.id);
    assert_tree_gone(&ids, escaped);
    eprintln!(
        "from creation to the tree being gone: {:?}",
        created.elapsed()
    );
    // What the record says and what a read returns agree.
    let output = output_of(&host, task.id);
    assert!(
        output.starts_with(b"0123456789"),
        "{}",
        String::from_utf8_lossy(&output)
    );
    if output.len() != 10 {
        eprintln!("more output: {:?}", String::from_utf8_lossy(&output));
    }
    let shown = record(&host, task.id).await;
    assert_eq!(
        shown.output.map(|o| o.total_bytes),
        Some(output.len() as u64)
    );
    host.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_whose_shim_died_while_no_runtime_ran_is_stopped_whole_at_recovery() {
    let home = tempfile::tempdir().unwrap();
    let pid_file = home.path().join("escaped.pid");
    let host = open(home.path()).await;
    let (_, task) = host
        .create(sh(
            "s1",
            &escaping_script(home.path(), &pid_file, "sleep 300"),
        ))
        .await
        .unwrap();
    let escaped = read_pid(&pid_file);
    assert!(eventually(Duration::from_secs(10), || output_of(
        &host, task.id
    )
    .len()
        >= 10));
    host.close().await;
    let ids = ids_of(home.path(), task.id);
    // SAFETY: kill(2) on the shim this test started, alive (checked just below).
    assert!(ids.shim_is_alive());
    unsafe { libc::kill(ids.shim_pid, libc::SIGKILL) };
    assert!(eventually(Duration::from_secs(10), || !ids.shim_is_alive()));
    assert!(alive(escaped), "the escaped descendant outlived its shim");

    let host = open(home.path()).await;
    let restarted = Instant::now();
    let lost = record(&host, task.id).await;
    assert_eq!(
        (lost.state, lost.reason),
        (State::Failed, Some(Reason::Lost))
    );
    let output = output_of(&host, task.id);
    assert!(output.starts_with(b"0123456789"), "{output:?}");
    assert_eq!(
        lost.output.map(|o| o.total_bytes),
        Some(output.len() as u64)
    );
    assert_tree_gone(&ids, escaped);
    eprintln!(
        "from recovery to the tree being gone: {:?}",
        restarted.elapsed()
    );
    host.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_task_whose_shim_died_kills_leftovers_that_ignore_sigterm_without_the_default_grace()
 {
    let home = tempfile::tempdir().unwrap();
    let settings = Settings {
        default_grace_ms: 60_000,
        ..Settings::default()
    };
    let host = open_with(home.path(), settings).await;
    let pid_file = home.path().join("stubborn.pid");
    let script = format!(
        "setsid sh -c 'trap \"\" TERM; echo $$ > {pid}; while :; do sleep 1; done' & \
         until [ -s {pid} ]; do sleep 0.01; done; kill -9 $PPID; sleep 300",
        pid = pid_file.display()
    );
    let (_, task) = host.create(sh("s1", &script)).await.unwrap();
    let stubborn = read_pid(&pid_file);
    let ids = ids_of(home.path(), task.id);
    assert!(eventually(Duration::from_secs(10), || !ids.shim_is_alive()));
    // The runtime gives the leftovers the default grace (a minute) to end on SIGTERM; a stop
    // with no grace kills them now.
    let stopping = Instant::now();
    let stopped = host.stop(task.id, Some(0)).await.unwrap();
    let stopped = if stopped.state.is_terminal() {
        stopped
    } else {
        wait_done(&host, task.id, Duration::from_secs(20)).await
    };
    assert!(stopped.state.is_terminal(), "{stopped:?}");
    assert_tree_gone(&ids, stubborn);
    let took = stopping.elapsed();
    eprintln!("from the stop to the tree being gone: {took:?}");
    assert_eq!(
        (stopped.state, stopped.reason),
        (State::Cancelled, Some(Reason::Stopped))
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
    host.close().await;
}
