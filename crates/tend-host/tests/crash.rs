//! Crash tests: a runtime in its own process is killed with SIGKILL at varied moments and a new
//! runtime on the same home recovers everything.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tend_core::{EventFilter, ListFilter, NotificationKind, Reason, State, TaskId};

use crate::support::*;

/// What task `n` of the fixture's plan prints.
fn expected_output(n: u64) -> Vec<u8> {
    let mut out = String::new();
    for i in 0..n * 3 {
        out.push_str(&format!("line {i} of task {n}\n"));
    }
    out.push_str(&format!("end {n}\n"));
    out.into_bytes()
}

/// Starts the fixture on `home`, kills it with SIGKILL `kill_after` after it started, and
/// returns the ids it reported with their planned exit codes.
fn run_and_kill(home: &std::path::Path, kill_after: Duration) -> HashMap<TaskId, i32> {
    let mut child = Command::new(FIXTURE)
        .args(["crash", home.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the fixture");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + kill_after;
    let mut reported = HashMap::new();
    while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if let Some((id, code)) = line.split_once(' ') {
            reported.insert(id.parse().unwrap(), code.parse().unwrap());
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    reported
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_runtime_loses_nothing() {
    for round in 0..20u64 {
        let home = tempfile::tempdir().unwrap();
        let kill_after = Duration::from_millis(30 + round * 131 % 1_900);
        let reported = run_and_kill(home.path(), kill_after);
        let host = open(home.path()).await;

        // No record lost, no id skipped.
        let tasks = host.list(ListFilter::default()).await.unwrap();
        for id in reported.keys() {
            assert!(
                tasks.iter().any(|t| t.id == *id),
                "round {round}: {id} lost"
            );
        }
        for (i, task) in tasks.iter().enumerate() {
            assert_eq!(
                task.id,
                TaskId::new(i as u64 + 1),
                "round {round}: ids not consecutive"
            );
        }
        // No task is live whose process is gone.
        // (A command that just ended may still have its shim draining and writing the exit
        // record; the record then turns terminal at once, as the wait below checks.)
        // A task without a pid is still being started (its spawn is in flight); the wait below
        // sees it run and end.
        for task in &tasks {
            if task.state.holds_slot() && task.pid.is_some() {
                let dir = host.task_dir(task.id);
                let ids = tend_exec::ProcessIds::read(&dir).unwrap();
                let shim_alive = ids.as_ref().is_some_and(|ids| alive(ids.shim_pid as u32));
                let recorded = dir.join("status.json").exists();
                let listing: Vec<_> = std::fs::read_dir(&dir)
                    .map(|d| d.flatten().map(|e| e.file_name()).collect())
                    .unwrap_or_default();
                let log = std::fs::read_to_string(dir.join("shim.log")).unwrap_or_default();
                assert!(
                    shim_alive || recorded,
                    "round {round}: {task:?} is live but its processes are gone; ids {ids:?}; dir {listing:?}; log {log}"
                );
            }
        }
        // Events are consecutive from 1.
        let page = host
            .events(0, EventFilter::default(), 100_000, Duration::ZERO)
            .await
            .unwrap();
        for (i, event) in page.events.iter().enumerate() {
            assert_eq!(
                event.seq,
                i as u64 + 1,
                "round {round}: event sequence broken"
            );
        }
        // Pending tasks start; every task ends with its true exit code and exact output.
        let ids: Vec<TaskId> = tasks.iter().map(|t| t.id).collect();
        let done = host
            .wait(ids, tend_host::WaitMode::All, Duration::from_secs(60))
            .await
            .unwrap();
        assert!(
            done.done,
            "round {round}: tasks did not finish after recovery"
        );
        for task in &done.tasks {
            let n = task.id.number();
            let code = (n % 7) as i32;
            assert_eq!(
                task.exit_code,
                Some(code),
                "round {round}: {} exit code",
                task.id
            );
            let state = if code == 0 {
                State::Completed
            } else {
                State::Failed
            };
            assert_eq!(
                (task.state, task.reason),
                (state, Some(Reason::Exited)),
                "round {round}: {}",
                task.id
            );
            assert_eq!(
                output_of(&host, task.id),
                expected_output(n),
                "round {round}: {} output",
                task.id
            );
        }
        // Every terminal task has exactly one notification.
        let notes = host
            .notifications("crash".into(), Duration::ZERO)
            .await
            .unwrap();
        for task in &done.tasks {
            let count = notes
                .iter()
                .filter(|n| n.kind == NotificationKind::TaskFinished && n.task_id == Some(task.id))
                .count();
            assert_eq!(
                count, 1,
                "round {round}: {} has {count} notifications",
                task.id
            );
        }
        // The sequences continue without reuse.
        let (_, next) = host.create(sh("crash", "true")).await.unwrap();
        assert_eq!(
            next.id,
            TaskId::new(tasks.len() as u64 + 1),
            "round {round}: id reused or skipped"
        );
        host.close().await;
    }
}

/// Starts a long task on a runtime for `home`, waits until it printed, and closes the runtime:
/// the task keeps running under its shim.
async fn leave_running(home: &std::path::Path) -> TaskId {
    let host = open(home).await;
    let (_, task) = host.create(sh("s1", "echo up; sleep 100")).await.unwrap();
    let id = task.id;
    assert!(eventually(Duration::from_secs(10), || output_of(&host, id) == b"up\n"));
    host.close().await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_whose_shim_and_command_were_killed_is_lost() {
    let home = tempfile::tempdir().unwrap();
    let id = leave_running(home.path()).await;
    let ids = tend_exec::ProcessIds::read(&home.path().join("tasks").join(id.to_string()))
        .unwrap()
        .unwrap();
    // SAFETY: plain kill(2) calls on the processes this test started.
    unsafe {
        libc::kill(ids.shim_pid, libc::SIGKILL);
        libc::killpg(ids.pgid, libc::SIGKILL);
    }
    assert!(eventually(Duration::from_secs(5), || !alive(
        ids.shim_pid as u32
    ) && !alive(
        ids.pid as u32
    )));
    let host = open(home.path()).await;
    let task = host.get(id).await.unwrap();
    assert_eq!(
        (task.state, task.reason),
        (State::Failed, Some(Reason::Lost))
    );
    let notes = host
        .notifications("s1".into(), Duration::ZERO)
        .await
        .unwrap();
    assert!(notes.iter().any(|n| n.task_id == Some(id)));
    host.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_runtime_readopts_and_stops_a_running_task() {
    let home = tempfile::tempdir().unwrap();
    let id = leave_running(home.path()).await;
    let host = open(home.path()).await;
    let task = host.get(id).await.unwrap();
    assert_eq!(task.state, State::Running);
    let pid = task.pid.unwrap();
    assert!(alive(pid));
    let stopped = host.stop(id, Some(1_000)).await.unwrap();
    assert_eq!(
        (stopped.state, stopped.reason),
        (State::Cancelled, Some(Reason::Stopped))
    );
    assert!(eventually(Duration::from_secs(5), || !alive(pid)));
    host.close().await;
}

/// Wall-clock now, as the runtime would stamp it.
fn wall_now() -> tend_core::Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    tend_core::Timestamp::from_millis(i64::try_from(ms).unwrap())
}

/// Commits `steps`' changes to the store of `home`, as a runtime that then died would have.
async fn commit_as_a_runtime_would(home: &std::path::Path, steps: Vec<tend_core::Step>) {
    use tend_store::Store;

    let store = tend_store::SqliteStore::open(home.join("tend.db"))
        .await
        .unwrap();
    let changes: Vec<_> = steps.into_iter().map(|step| step.changes).collect();
    store.commit(&changes).await.unwrap();
    store.close().await;
}

/// The runtime recorded a task's start and died before launching it: the next runtime launches
/// it, and it runs to its true end, instead of reporting a command that never ran as lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_started_on_record_but_never_launched_runs_after_recovery() {
    let home = tempfile::tempdir().unwrap();
    let mut engine = tend_core::Engine::new(tend_core::Config::default());
    let input = tend_core::Input::Create(sh("s1", "echo ran; exit 3"));
    let step = engine.handle(input, wall_now()).unwrap();
    let id = step.changes.tasks[0].task.id;
    assert_eq!(step.changes.tasks[0].task.state, State::Running);
    commit_as_a_runtime_would(home.path(), vec![step]).await;
    assert!(!home.path().join("tasks").join(id.to_string()).exists());

    let host = open(home.path()).await;
    let task = wait_done(&host, id, Duration::from_secs(20)).await;
    assert_eq!(
        (task.state, task.reason, task.exit_code),
        (State::Failed, Some(Reason::Exited), Some(3))
    );
    assert_eq!(output_of(&host, id), b"ran\n");
    assert_eq!(finished_notifications(&host, id).await, 1);
    host.close().await;
}

/// The same for a retry: the files the first attempt left in the task's directory are not
/// taken for the second attempt's, which runs after recovery.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_started_on_record_but_never_launched_runs_after_recovery() {
    let home = tempfile::tempdir().unwrap();
    let script = "echo attempt; exit 3";
    let t0 = tend_core::Timestamp::from_millis(wall_now().as_millis() - 10_000);
    let mut engine = tend_core::Engine::new(tend_core::Config::default());
    let mut request = sh("s1", script);
    request.max_attempts = Some(2);
    let created = engine
        .handle(tend_core::Input::Create(request), t0)
        .unwrap();
    let id = created.changes.tasks[0].task.id;
    // The first attempt really runs, and leaves its pids.json and status.json.
    let dir = home.path().join("tasks").join(id.to_string());
    let mut first = tend_exec::SpawnRequest::new(shim(), &dir, ["sh", "-c", script]);
    first.launch = 1;
    let process = tend_exec::spawn(&first).unwrap();
    let pid = u32::try_from(process.pid()).unwrap();
    assert!(eventually(Duration::from_secs(10), || matches!(
        tend_exec::adopt(&dir),
        Ok(tend_exec::Adopted::Finished(_))
    )));
    drop(process);
    let started = engine
        .handle(tend_core::Input::ProcessStarted { id, pid }, t0)
        .unwrap();
    let outcome = tend_core::ExitOutcome::Exited(3);
    let exited = engine
        .handle(tend_core::Input::ProcessExited { id, outcome }, t0)
        .unwrap();
    // The backoff ends and the second attempt's start is recorded; the runtime dies.
    let retried = engine
        .handle(tend_core::Input::TimerFired, t0.plus_ms(5_000))
        .unwrap();
    let record = &retried.changes.tasks[0].task;
    assert_eq!((record.state, record.attempt), (State::Running, 2));
    commit_as_a_runtime_would(home.path(), vec![created, started, exited, retried]).await;

    let host = open(home.path()).await;
    let task = wait_done(&host, id, Duration::from_secs(20)).await;
    assert_eq!(
        (task.state, task.reason, task.exit_code, task.attempt),
        (State::Failed, Some(Reason::Exited), Some(3), 2)
    );
    assert_eq!(output_of(&host, id), b"attempt\nattempt\n");
    assert_eq!(finished_notifications(&host, id).await, 1);
    host.close().await;
}

async fn finished_notifications(host: &tend_host::Host, id: TaskId) -> usize {
    host.notifications("s1".into(), Duration::ZERO)
        .await
        .unwrap()
        .iter()
        .filter(|n| n.kind == NotificationKind::TaskFinished && n.task_id == Some(id))
        .count()
}

/// Several starts were recorded and their directories made, but the runtime died before any
/// shim ran: recovery gives them one shared settle wait, not one each, and launches them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_starts_that_never_ran_share_one_settle_wait() {
    let home = tempfile::tempdir().unwrap();
    let mut engine = tend_core::Engine::new(tend_core::Config::default());
    let mut steps = Vec::new();
    let mut ids = Vec::new();
    for n in 0..5 {
        let input = tend_core::Input::Create(sh("s1", &format!("echo run {n}")));
        let step = engine.handle(input, wall_now()).unwrap();
        let id = step.changes.tasks[0].task.id;
        // What a runtime does just before it launches the shim.
        std::fs::create_dir_all(home.path().join("tasks").join(id.to_string())).unwrap();
        ids.push(id);
        steps.push(step);
    }
    commit_as_a_runtime_would(home.path(), steps).await;

    let opening = Instant::now();
    let host = open(home.path()).await;
    let took = opening.elapsed();
    // One settle wait is 3 s; one per task would be at least 15 s.
    assert!(took < Duration::from_secs(10), "recovery took {took:?}");
    for (n, &id) in ids.iter().enumerate() {
        let task = wait_done(&host, id, Duration::from_secs(20)).await;
        assert_eq!((task.state, task.exit_code), (State::Completed, Some(0)));
        assert_eq!(output_of(&host, id), format!("run {n}\n").into_bytes());
    }
    host.close().await;
}
