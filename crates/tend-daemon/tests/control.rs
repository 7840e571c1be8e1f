//! Stop, stdin, progress, complete and transfer.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{TestDaemon, assert_error};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_answers_the_terminal_record() {
    let daemon = TestDaemon::start().await;
    let id = daemon.sh("sleep 30").await;
    let started = Instant::now();
    let reply = daemon
        .post(&format!("/v1/tasks/{id}/stop"), json!({"grace_ms": 1000}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let record = reply.json();
    assert_eq!(record["state"], "cancelled");
    assert_eq!(record["reason"], "stopped");
    assert!(started.elapsed() < Duration::from_secs(10));
    // A second stop changes nothing and answers the same record; an empty body is fine.
    let again = daemon
        .request("POST", &format!("/v1/tasks/{id}/stop"), None)
        .await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["finished_at"], record["finished_at"]);
    assert_error(
        &daemon
            .post(&format!("/v1/tasks/{id}/stop"), json!({"grace_ms": -1}))
            .await,
        400,
        "invalid_argument",
        "grace_ms",
    );
    assert_error(
        &daemon
            .post(
                &format!("/v1/tasks/{id}/stop"),
                json!({"grace_ms": 99_999_999_999_999u64}),
            )
            .await,
        400,
        "invalid_argument",
        "grace_ms",
    );
    assert_error(
        &daemon.post("/v1/tasks/t99/stop", json!({})).await,
        404,
        "not_found",
        "t99",
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdin_reaches_a_piped_task_and_conflicts_otherwise() {
    let daemon = TestDaemon::start().await;
    let task = daemon
        .create(json!({"session": "s", "command": ["cat"], "stdin": "pipe"}))
        .await;
    let id = task["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/tasks/{id}/stdin");
    let ready = crate::support::eventually(Duration::from_secs(10), || async {
        daemon.get(&format!("/v1/tasks/{id}")).await.json()["state"] == "running"
    })
    .await;
    assert!(ready, "cat did not start");
    let reply = daemon.post(&path, json!({"data": "hello\n"})).await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    let reply = daemon
        .post(&path, json!({"data": "bye\n", "eof": true}))
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    let record = daemon.finished(&id).await;
    assert_eq!(record["state"], "completed");
    let read = daemon.get(&format!("/v1/tasks/{id}/output")).await.json();
    assert_eq!(read["data"], "hello\nbye\n");
    assert_error(
        &daemon.post(&path, json!({"data": "late"})).await,
        409,
        "conflict",
        &id,
    );

    let plain = daemon.sh("sleep 30").await;
    let ready = crate::support::eventually(Duration::from_secs(10), || async {
        daemon.get(&format!("/v1/tasks/{plain}")).await.json()["state"] == "running"
    })
    .await;
    assert!(ready);
    let reply = daemon
        .post(&format!("/v1/tasks/{plain}/stdin"), json!({"data": "x"}))
        .await;
    assert_error(&reply, 409, "conflict", "pipe");
    let reply = daemon
        .post(&format!("/v1/tasks/{plain}/stdin"), json!({"eof": true}))
        .await;
    // `data` may be left out (CONTRACT §8): the task still has no pipe.
    assert_error(&reply, 409, "conflict", "pipe");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_tasks_report_progress_and_completion() {
    let daemon = TestDaemon::start().await;
    let task = daemon
        .create(
            json!({"session": "s", "kind": "subagent", "name": "review", "child_session": "c1"}),
        )
        .await;
    let id = task["id"].as_str().unwrap().to_owned();
    assert_eq!(task["kind"], "subagent");
    let reply = daemon
        .post(
            &format!("/v1/tasks/{id}/progress"),
            json!({"message": "half way", "state": "waiting"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["state"], "waiting");
    assert_eq!(reply.json()["progress"]["message"], "half way");
    assert_error(
        &daemon
            .post(
                &format!("/v1/tasks/{id}/progress"),
                json!({"state": "completed"}),
            )
            .await,
        400,
        "invalid_argument",
        "state",
    );
    let done = daemon
        .post(
            &format!("/v1/tasks/{id}/complete"),
            json!({"state": "completed", "summary": "ok"}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.json()["reason"], "reported");
    // Completing twice is a conflict that carries the unchanged record.
    let again = daemon
        .post(
            &format!("/v1/tasks/{id}/complete"),
            json!({"state": "failed"}),
        )
        .await;
    assert_error(&again, 409, "conflict", &id);
    assert_eq!(again.json()["error"]["task"]["state"], "completed");
    assert_error(
        &daemon
            .post(&format!("/v1/tasks/{id}/progress"), json!({"message": "x"}))
            .await,
        409,
        "conflict",
        &id,
    );
    assert_error(
        &daemon
            .post(
                &format!("/v1/tasks/{id}/complete"),
                json!({"summary": "no state"}),
            )
            .await,
        400,
        "invalid_argument",
        "state",
    );
    let shell = daemon.sh("sleep 30").await;
    assert_error(
        &daemon
            .post(
                &format!("/v1/tasks/{shell}/progress"),
                json!({"message": "x"}),
            )
            .await,
        400,
        "invalid_argument",
        "shell",
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_moves_a_task_and_refuses_a_duplicate_key() {
    let daemon = TestDaemon::start().await;
    let moved = daemon
        .create(json!({"session": "a", "shell": "sleep 30", "key": "k"}))
        .await;
    let id = moved["id"].as_str().unwrap();
    daemon
        .create(json!({"session": "b", "shell": "sleep 30", "key": "k"}))
        .await;
    let reply = daemon
        .post(&format!("/v1/tasks/{id}/transfer"), json!({"session": "c"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["session"], "c");
    let reply = daemon
        .post(&format!("/v1/tasks/{id}/transfer"), json!({"session": "b"}))
        .await;
    assert_error(&reply, 409, "conflict", "k");
    let reply = daemon
        .post(&format!("/v1/tasks/{id}/transfer"), json!({"session": ""}))
        .await;
    assert_error(&reply, 400, "invalid_argument", "session");
    let reply = daemon
        .post(&format!("/v1/tasks/{id}/transfer"), json!({}))
        .await;
    assert_error(&reply, 400, "invalid_argument", "session");
    daemon.stop().await;
}
