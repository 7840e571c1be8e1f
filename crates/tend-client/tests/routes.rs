//! Every route through the typed client, against an in-process daemon. Only external tasks are
//! created, so no shim is needed.

use std::time::Duration;

use tend_client::{Client, ClientError, EventFollower, wait_for};
use tend_core::{Kind, State, TaskId};
use tend_daemon::{Daemon, DaemonOptions};
use tend_exec::ShimProgram;
use tend_proto::{
    ApiErrorCode, CompleteParams, CreateTaskParams, EventsQuery, FinalState, GroupLimitParams,
    ListTasksQuery, NotificationsQuery, OutputQuery, ProgressParams, ProgressState, StopParams,
    TransferParams, WaitMode, WaitParams,
};

fn external(session: &str, name: &str) -> CreateTaskParams {
    CreateTaskParams {
        kind: Some(Kind::Subagent),
        name: Some(name.to_owned()),
        session: session.to_owned(),
        ..CreateTaskParams::default()
    }
}

fn code(error: &ClientError) -> ApiErrorCode {
    error.code()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_its_wire_type() {
    let home = tempfile::tempdir().unwrap();
    let options = DaemonOptions::new(
        home.path(),
        ShimProgram::new("/nonexistent/tend", ["__shim"]),
    );
    let daemon = Daemon::start(options).await.unwrap();
    let shutdown = daemon.shutdown_handle();
    let served = tokio::spawn(daemon.serve());
    let client = Client::new(home.path());

    let health = client.health().await.unwrap();
    assert!(health.ok);
    assert_eq!(health.pid, std::process::id());
    assert!(client.openapi().await.unwrap()["paths"].is_object());

    // An external task: progress, transfer, completion.
    let created = client.create_task(&external("s1", "review")).await.unwrap();
    assert!(created.created);
    let id = created.task.id;
    let progress = ProgressParams {
        message: Some("half way".into()),
        state: Some(ProgressState::Waiting),
    };
    let task = client.report_progress(id, &progress).await.unwrap();
    assert_eq!(task.state, State::Waiting);
    assert_eq!(task.progress.unwrap().message, "half way");
    let task = client
        .transfer_task(
            id,
            &TransferParams {
                session: "s2".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(task.session, "s2");
    let done = CompleteParams {
        state: FinalState::Completed,
        summary: Some("ok".into()),
    };
    let task = client.complete_task(id, &done).await.unwrap();
    assert_eq!(
        (task.state, task.summary.as_deref()),
        (State::Completed, Some("ok"))
    );
    let again = client.complete_task(id, &done).await.unwrap_err();
    assert_eq!(code(&again), ApiErrorCode::Conflict);
    assert_eq!(again.detail().unwrap().task.as_ref().unwrap().id, id);

    // Lists, waits, notifications.
    let listed = client
        .list_tasks(&ListTasksQuery {
            session: Some("s2".into()),
            ..ListTasksQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.tasks.len(), 1);
    let other = client
        .create_task(&external("s3", "watch"))
        .await
        .unwrap()
        .task
        .id;
    let params = WaitParams {
        ids: Some(vec![id, other]),
        mode: Some(WaitMode::All),
        ..WaitParams::default()
    };
    let answer = wait_for(&client, &params, Some(Duration::from_millis(100)))
        .await
        .unwrap();
    assert!(!answer.done);
    let params = WaitParams {
        mode: Some(WaitMode::Any),
        ..params
    };
    assert!(wait_for(&client, &params, None).await.unwrap().done);
    let stopped = client
        .stop_task(other, &StopParams { grace_ms: Some(10) })
        .await
        .unwrap();
    assert_eq!(stopped.state, State::Cancelled);
    let notes = client
        .notifications("s2", &NotificationsQuery::default())
        .await
        .unwrap();
    assert_eq!(notes.notifications[0].task_id, Some(id));
    let ids = notes.notifications.iter().map(|n| n.id).collect();
    client
        .ack_notifications("s2", &tend_proto::AckParams { ids })
        .await
        .unwrap();
    let notes = client
        .notifications("s2", &NotificationsQuery::default())
        .await
        .unwrap();
    assert!(notes.notifications.is_empty());

    // Output of an external task is not_found-free: it reads as empty.
    let read = client.read_output(id, &OutputQuery::default()).await;
    if let Ok(read) = read {
        assert!(read.data.is_empty());
    }

    // Sessions with odd characters travel in the path.
    let odd = client
        .create_task(&external("a/b+c@d", "odd"))
        .await
        .unwrap()
        .task
        .id;
    let closed = client
        .close_session("a/b+c@d", &Default::default())
        .await
        .unwrap();
    assert!(closed.tasks.iter().all(|task| task.id == odd));

    // Groups.
    let group = client
        .set_group_limit("build/x", &GroupLimitParams { limit: 2 })
        .await
        .unwrap();
    assert_eq!((group.name.as_str(), group.limit), ("build/x", 2));
    assert!(
        client
            .groups()
            .await
            .unwrap()
            .groups
            .iter()
            .any(|g| g.name == "build/x")
    );

    // Events, followed from the start.
    let mut follower = EventFollower::new(EventsQuery::default());
    let events = follower.next(&client, Duration::ZERO).await.unwrap();
    assert_eq!(events[0].seq, 1);
    assert!(
        follower
            .next(&client, Duration::ZERO)
            .await
            .unwrap()
            .is_empty()
    );

    // Errors carry their codes.
    let missing = client.get_task(TaskId::new(999)).await.unwrap_err();
    assert_eq!(code(&missing), ApiErrorCode::NotFound);
    client.remove_task(id).await.unwrap();
    assert_eq!(
        code(&client.get_task(id).await.unwrap_err()),
        ApiErrorCode::Expired
    );
    let bad = client
        .create_task(&CreateTaskParams::default())
        .await
        .unwrap_err();
    assert_eq!(code(&bad), ApiErrorCode::InvalidArgument);

    // Stopping the daemon through the API.
    let answer = client.stop_daemon(&Default::default()).await.unwrap();
    assert!(answer.stopping);
    tokio::time::timeout(Duration::from_secs(10), served)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(client.probe().await.unwrap().is_none());
    assert!(client.health().await.unwrap_err().is_unavailable());
    drop(shutdown);
}
