//! Retention and the output disk budget, observed with short settings.

use std::time::Duration;

use tend_core::State;
use tend_host::HostError;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evicted_tasks_answer_expired_and_their_output_is_gone() {
    let home = tempfile::tempdir().unwrap();
    let settings = tend_host::Settings {
        retention_ms: 300,
        ..tend_host::Settings::default()
    };
    let host = open_with(home.path(), settings).await;
    let (_, task) = host
        .create(sh("s1", "echo kept for a moment"))
        .await
        .unwrap();
    let task = wait_done(&host, task.id, Duration::from_secs(10)).await;
    assert_eq!(task.state, State::Completed);
    let dir = host.task_dir(task.id);
    assert!(dir.exists());
    // Acknowledging the notifications lets retention evict the task.
    let notes = host
        .notifications("s1".into(), Duration::ZERO)
        .await
        .unwrap();
    host.ack("s1".into(), notes.iter().map(|n| n.id).collect())
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match host.get(task.id).await {
            Err(HostError::Engine(error)) if error.code().as_str() == "expired" => break,
            Ok(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => panic!("{} was not evicted: {other:?}", task.id),
        }
    }
    assert!(
        eventually(Duration::from_secs(5), || !dir.exists()),
        "output of an evicted task stayed"
    );
    let never = "t999".parse().unwrap();
    let error = host.get(never).await.unwrap_err();
    assert_eq!(error.code(), "not_found");
    host.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_output_budget_removes_the_oldest_output_first() {
    let home = tempfile::tempdir().unwrap();
    let settings = tend_host::Settings {
        output_budget_bytes: 12_000,
        ..tend_host::Settings::default()
    };
    let host = open_with(home.path(), settings).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let (_, task) = host
            .create(sh("s1", &format!("head -c 8000 /dev/zero; echo {n}")))
            .await
            .unwrap();
        wait_done(&host, task.id, Duration::from_secs(10)).await;
        ids.push(task.id);
    }
    let (first, last) = (host.task_dir(ids[0]), host.task_dir(ids[2]));
    assert!(
        eventually(Duration::from_secs(5), || !first.exists()),
        "the oldest output was kept"
    );
    assert!(last.exists(), "the newest output was removed");
    // Records stay until retention.
    assert_eq!(host.get(ids[0]).await.unwrap().state, State::Completed);
    host.close().await;
}
