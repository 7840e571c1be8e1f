//! One runtime, real commands: exits, failures, stops of process trees, groups, timeouts,
//! long-polls.

use std::time::{Duration, Instant};

use tend_core::{EventFilter, ListFilter, NotificationKind, Reason, State};

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_completes_with_its_output_and_one_notification() {
    let home = tempfile::tempdir().unwrap();
    let host = open(home.path()).await;
    let (created, task) = host.create(sh("s1", "echo hello")).await.unwrap();
    assert!(created);
    let task = wait_done(&host, task.id, Duration::from_secs(10)).await;
    assert_eq!(
        (task.state, task.reason, task.exit_code),
        (State::Completed, Some(Reason::Exited), Some(0))
    );
    assert_eq!(output_of(&host, task.id), b"hello\n");
    assert_eq!(task.output.unwrap().total_bytes, 6);
    let notes = host
        .notifications("s1".into(), Duration::ZERO)
        .await
        .unwrap();
    let kinds: Vec<_> = notes.iter().map(|n| n.kind).collect();
    assert_eq!(kinds, [NotificationKind::TaskFinished]);
    host.ack("s1".into(), notes.iter().map(|n| n.id).collect())
        .await
        .unwrap();
    assert!(
        host.notifications("s1".into(), Duration::ZERO)
            .await
            .unwrap()
            .is_empty()
    );
    host.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_command_keeps_its_exit_code() {
    let home = tempfile::tempdir().unwrap();
    let host = open(home.path()).await;
    let (_, task) = host.create(sh("s1", "echo err >&2; exit 3")).await.unwrap();
    let task = wait_done(&host, task.id, Duration::from_secs(10)).await;
    assert_eq!(
        (task.state, task.reason, task.exit_code),
        (State::Failed, Some(Reason::Exited), Some(3))
    );
    assert_eq!(output_of(&host, task.id), b"err\n");
    host.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_program_is_a_spawn_failure_with_the_os_message() {
    let home = tempfile::tempdir().unwrap();
    let host = open(home.path()).await;
    let request = tend_core::CreateTask::shell("s1", ["/definitely/not/here"]);
    let (_, task) = host.create(request).await.unwrap();
    let task = wait_done(&host, task.id, Duration::from_secs(10)).await;
    assert_eq!(
        (task.state, task.reason),
        (State::Failed, Some(Reason::SpawnFailed))
    );
    let summary = task.summary.unwrap();
    assert!(summary.contains("No such file or directory"), "{summary}");
    host.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_ends_the_whole_process_tree() {
    let home = tempfile::tempdir().unwrap();
    let host = open(home.path()).await;
    let (_, task) = host
        .create(sh("s1", "sleep 100 & sleep 100 & echo up; wait"))
        .await
        .unwrap();
    let id = task.id;
    let dir = host.task_dir(id);
    assert!(eventually(Duration::from_secs(10), || output_of(&host, id) == b"up\n"));
    let ids = tend_exec::ProcessIds::read(&dir)
        .unwrap()
        .expect("pids.json");
    let stopped = host.stop(id, Some(1_000)).await.unwrap();
    assert_eq!(
        (stopped.state, stopped.reason),
        (State::Cancelled, Some(Reason::Stopped))
    );
    assert!(stopped.signal.is_some() || stopped.exit_code.is_some());
    // Nothing of the tree is left: the group is empty.
    let group_empty = eventually(Duration::from_secs(5), || {
        // SAFETY: kill with signal 0 only checks for existence.
        unsafe { libc::kill(-ids.pgid, 0) != 0 }
    });
    assert!(
        group_empty,
        "processes of group {} survived the stop",
        ids.pgid
    );
    host.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_limit_queues_tasks_in_order() {
    let home = tempfile::tempdir().unwrap();
    let host = open(home.path()).await;
    host.set_group_limit("build".into(), 1).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..3 {
        let mut request = sh("s1", &format!("sleep 0.2; echo {n}"));
        request.group = Some("build".into());
        ids.push(host.create(request).await.unwrap().1.id);
    }
    let groups = host.groups().await.unwrap();
    let build = groups.iter().find(|g| g.name == "build").unwrap();
    assert_eq!((build.limit, build.running, build.pending), (1, 1, 2));
    let result = host
        .wait(
            ids.clone(),
            tend_host::WaitMode::All,
            Duration::from_secs(20),
        )
        .await
        .unwrap();
    assert!(result.done);
    let mut spans: Vec<_> = result
        .tasks
        .iter()
        .map(|t| (t.started_at.unwrap(), t.finished_at.unwrap()))
        .collect();
    spans.sort();
    for pair in spans.windows(2) {
        assert!(
            pair[1].0 >= pair[0].1,
            "two tasks of a group limited to 1 overlapped"
        );
    }
    let starts: Vec<_> = result.tasks.iter().map(|t| t.started_at.unwrap()).collect();
    assert!(
        starts.windows(2).all(|w| w[0] <= w[1]),
        "tasks did not start in creation order"
    );
    host.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_and_idle_timeouts_end_real_processes() {
    let home = tempfile::tempdir().unwrap();
    let settings = tend_host::Settings {
        default_grace_ms: 500,
        ..tend_host::Settings::default()
    };
    let host = open_with(home.path(), settings).await;
    let mut slow = sh("s1", "sleep 30");
    slow.timeout_ms = Some(300);
    let slow = host.create(slow).await.unwrap().1.id;
    let mut quiet = sh("s1", "echo once; sleep 30");
    quiet.idle_timeout_ms = Some(400);
    let quiet = host.create(quiet).await.unwrap().1.id;
    let started = Instant::now();
    let slow = wait_done(&host, slow, Duration::from_secs(10)).await;
    let quiet = wait_done(&host, quiet, Duration::from_secs(10)).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        (slow.state, slow.reason, slow.signal.as_deref()),
        (State::Failed, Some(Reason::TimedOut), Some("SIGTERM"))
    );
    assert_eq!(
        (quiet.state, quiet.reason),
        (State::Failed, Some(Reason::Stale))
    );
    host.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_polls_wake_on_change_not_on_a_clock() {
    let home = tempfile::tempdir().unwrap();
    let host = open(home.path()).await;
    let after = host
        .events(0, EventFilter::default(), 100, Duration::ZERO)
        .await
        .unwrap()
        .next_after;
    let waiter = {
        let host = host.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let page = host
                .events(after, EventFilter::default(), 100, Duration::from_secs(20))
                .await
                .unwrap();
            (started.elapsed(), page)
        })
    };
    let notes = {
        let host = host.clone();
        tokio::spawn(async move {
            host.notifications("poll".into(), Duration::from_secs(20))
                .await
                .unwrap()
        })
    };
    let (_, task) = host.create(sh("poll", "true")).await.unwrap();
    let (elapsed, page) = waiter.await.unwrap();
    assert!(elapsed < Duration::from_secs(5));
    assert_eq!(page.events[0].task_id, task.id);
    let notes = notes.await.unwrap();
    assert_eq!(notes[0].task_id, Some(task.id));
    let all = host.list(ListFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1);
    host.close().await;
}
