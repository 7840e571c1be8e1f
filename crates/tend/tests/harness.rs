//! A harness built on the facade, as its README shows one: this test binary has a plain `main`
//! that is its own shim. Three tasks are joined as they end; `close_and_stop` leaves no process
//! behind.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::{Duration, Instant};

use tend::{State, TaskSpec};
use tend_core::{EventFilter, EventKind};

#[path = "../../../testing/tend_binary.rs"]
mod tend_binary;

fn alive(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks for existence.
    let exists = unsafe { libc::kill(pid, 0) } == 0;
    exists
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
            s.rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z'))
        })
}

fn eventually(within: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while !condition() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

async fn three_tasks_joined_then_closed_and_stopped(home: &Path) -> Result<(), String> {
    let host = tend::open(home).await.map_err(|e| e.to_string())?;
    let err = |e: tend::HostError| e.to_string();
    let build = TaskSpec::sh("h", "sleep 0.2; echo built")
        .name("build")
        .spawn(&host)
        .await
        .map_err(err)?;
    let tests = TaskSpec::sh("h", "echo tests")
        .after([build.id])
        .spawn(&host)
        .await
        .map_err(err)?;
    let lint = TaskSpec::shell("h", ["sh", "-c", "exit 1"])
        .timeout(Duration::from_secs(60))
        .spawn(&host)
        .await
        .map_err(err)?;
    let mut order = Vec::new();
    while let Some(task) = tokio::time::timeout(Duration::from_secs(20), host.join_next())
        .await
        .map_err(|_| "join_next did not answer in 20 s".to_owned())?
    {
        let task = task.map_err(err)?;
        order.push((task.id, task.state));
    }
    let expected = vec![
        (lint.id, State::Failed),
        (build.id, State::Completed),
        (tests.id, State::Completed),
    ];
    if order != expected {
        return Err(format!("joined {order:?}, expected {expected:?}"));
    }
    let built = tend::read_output(&host, build.id, tend::Stream::Main, 0, 1024)
        .await
        .map_err(|e| e.to_string())?;
    if built.data != b"built\n" || built.next_cursor != 6 {
        return Err(format!("the build's output is {built:?}"));
    }
    // A task still running when the harness ends: close_and_stop ends it, shim included.
    let server = TaskSpec::sh("h", "echo up; exec sleep 100")
        .spawn(&host)
        .await
        .map_err(err)?;
    let dir = host.task_dir(server.id);
    let ids = loop {
        if let Some(ids) = tend_exec::ProcessIds::read(&dir).map_err(|e| e.to_string())? {
            break ids;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    if !eventually(Duration::from_secs(10), || alive(ids.pid)) {
        return Err("the server did not start".into());
    }
    let stopped = host.close_and_stop(Some(500)).await.map_err(err)?;
    if stopped.len() != 1 || stopped[0].state != State::Cancelled {
        return Err(format!("stopped {stopped:?}"));
    }
    if !eventually(Duration::from_secs(10), || {
        !alive(ids.pid) && !alive(ids.shim_pid)
    }) {
        return Err(format!("pid {} or shim {} survived", ids.pid, ids.shim_pid));
    }
    Ok(())
}

async fn a_managed_future_stopped_from_the_cli_is_cancelled_once(
    home: &Path,
) -> Result<(), String> {
    let shim = tend::this_binary_as_shim().map_err(|e| e.to_string())?;
    let daemon = tend_daemon::Daemon::start(tend_daemon::DaemonOptions::new(home, shim))
        .await
        .map_err(|e| e.to_string())?;
    let host = daemon.host().clone();
    let shutdown = daemon.shutdown_handle();
    let served = tokio::spawn(daemon.serve());
    let (cancelled, saw_cancel) = tokio::sync::oneshot::channel();
    let task = tend::spawn_managed(
        &host,
        TaskSpec::managed("m", "subagent loop"),
        |token| async move {
            token.cancelled().await;
            let _ = cancelled.send(());
            Ok(Some("ignored: a cancelled task ends cancelled".into()))
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    if task.state != State::Running {
        return Err(format!("the managed task is {:?}", task.state));
    }
    // `tend stop`, another process, reaches the task through the daemon's socket.
    let stop = tokio::process::Command::new(tend_binary::tend_binary())
        .args(["stop", &task.id.to_string()])
        .env("TEND_HOME", home)
        .env("TEND_NO_AUTOSTART", "1")
        .output()
        .await
        .map_err(|e| e.to_string())?;
    if !stop.status.success() {
        return Err(format!(
            "tend stop failed: {}",
            String::from_utf8_lossy(&stop.stderr)
        ));
    }
    tokio::time::timeout(Duration::from_secs(20), saw_cancel)
        .await
        .map_err(|_| "the token was not cancelled within 20 s".to_owned())?
        .map_err(|_| "the future was dropped".to_owned())?;
    let done = host
        .wait(vec![task.id], tend::WaitMode::All, Duration::from_secs(20))
        .await
        .map_err(|e| e.to_string())?;
    if done.tasks[0].state != State::Cancelled {
        return Err(format!("the managed task ended {:?}", done.tasks[0]));
    }
    let filter = EventFilter {
        task: Some(task.id),
        ..EventFilter::default()
    };
    let events = host
        .events(0, filter, 1000, Duration::ZERO)
        .await
        .map_err(|e| e.to_string())?;
    let finished = events
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Finished { .. }))
        .count();
    let notes = host
        .notifications("m".into(), Duration::ZERO)
        .await
        .map_err(|e| e.to_string())?;
    let notified = notes.iter().filter(|n| n.task_id == Some(task.id)).count();
    if (finished, notified) != (1, 1) {
        return Err(format!(
            "{finished} finished events, {notified} notifications"
        ));
    }
    shutdown.trigger();
    served
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn main() {
    tend::run_shim_if_requested();
    let home = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let joined = runtime.block_on(three_tasks_joined_then_closed_and_stopped(
        &home.path().join("joined"),
    ));
    let managed = runtime.block_on(a_managed_future_stopped_from_the_cli_is_cancelled_once(
        &home.path().join("managed"),
    ));
    let (mut passed, mut failed) = (0, 0);
    for (name, result) in [
        ("three_tasks_joined_then_closed_and_stopped", joined),
        (
            "a_managed_future_stopped_from_the_cli_is_cancelled_once",
            managed,
        ),
    ] {
        match result {
            Ok(()) => {
                passed += 1;
                println!("test harness::{name} ... ok");
            }
            Err(message) => {
                failed += 1;
                println!("test harness::{name} ... FAILED: {message}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
