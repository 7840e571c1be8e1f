//! A harness built on the facade, as its README shows one: this test binary has a plain `main`
//! that is its own shim. Three tasks are joined as they end; `close_and_stop` leaves no process
//! behind.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::{Duration, Instant};

use tend::{State, TaskSpec};

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

fn main() {
    tend::run_shim_if_requested();
    let home = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let result = runtime.block_on(three_tasks_joined_then_closed_and_stopped(
        &home.path().join("home"),
    ));
    match result {
        Ok(()) => println!(
            "test harness::three_tasks_joined_then_closed_and_stopped ... ok\n1 passed, 0 failed"
        ),
        Err(message) => {
            println!(
                "test harness::three_tasks_joined_then_closed_and_stopped ... FAILED: {message}\n0 passed, 1 failed"
            );
            std::process::exit(1);
        }
    }
}
