//! Load: 50 concurrent clients creating, stopping and completing 10,000 tasks through the API;
//! afterwards the engine's invariants hold on the state read back from the store.

use std::time::Duration;

use tend_core::{CompleteTask, CreateTask, Kind, ListFilter, State};
use tend_store::Store;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_clients_and_ten_thousand_tasks_leave_a_consistent_store() {
    let home = tempfile::tempdir().unwrap();
    let host = open(home.path()).await;
    host.set_group_limit("limited".into(), 3).await.unwrap();
    let mut clients = Vec::new();
    for client in 0..50u32 {
        let host = host.clone();
        clients.push(tokio::spawn(async move {
            let session = format!("client-{client}");
            for n in 0..200u32 {
                if n % 40 == 0 {
                    // A few real processes, some stopped while they run.
                    let (_, task) = host.create(sh(&session, "sleep 5")).await.unwrap();
                    let task = host.stop(task.id, Some(200)).await.unwrap();
                    assert_eq!(task.state, State::Cancelled);
                    continue;
                }
                let mut request =
                    CreateTask::external(Kind::Subagent, session.clone(), format!("job {n}"));
                if n % 3 == 0 {
                    request.group = Some("limited".into());
                }
                let (_, task) = host.create(request).await.unwrap();
                let state = if n % 5 == 0 {
                    State::Failed
                } else {
                    State::Completed
                };
                if task.state == State::Pending && n % 2 == 0 {
                    host.stop(task.id, Some(0)).await.unwrap();
                } else {
                    host.complete(CompleteTask {
                        id: task.id,
                        state,
                        summary: None,
                    })
                    .await
                    .unwrap();
                }
            }
        }));
    }
    for client in clients {
        client.await.unwrap();
    }
    let tasks = host.list(ListFilter::default()).await.unwrap();
    assert_eq!(tasks.len(), 10_000);
    // Completing tasks frees slots, so every queued task ran or was stopped.
    let ids: Vec<_> = tasks.iter().map(|t| t.id).collect();
    let done = host
        .wait(ids, tend_host::WaitMode::All, Duration::from_secs(60))
        .await
        .unwrap();
    assert!(
        done.done,
        "tasks left live: {:?}",
        done.tasks
            .iter()
            .filter(|t| t.is_live())
            .map(|t| t.id)
            .collect::<Vec<_>>()
    );
    host.close().await;

    let store = tend_store::SqliteStore::open(&home.path().join("tend.db"))
        .await
        .unwrap();
    let snapshot = store.load().await.unwrap();
    assert_eq!(snapshot.tasks.len(), 10_000);
    let engine = tend_core::Engine::restore(tend_core::Config::default(), snapshot).unwrap();
    tend_core::invariants::check(&engine).unwrap();
    assert_eq!(engine.sequences().next_task, 10_001);
}
