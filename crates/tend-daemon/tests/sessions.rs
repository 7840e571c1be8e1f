//! Notifications, session close and groups.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{TestDaemon, assert_error};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_long_poll_and_are_acknowledged() {
    let daemon = TestDaemon::start().await;
    let empty = daemon.get("/v1/sessions/s/notifications").await;
    assert_eq!(empty.status, 200, "{}", empty.text());
    assert_eq!(empty.json(), json!({"notifications": []}));

    let id = daemon.sh("sleep 0.3; exit 2").await;
    let started = Instant::now();
    let reply = daemon
        .get("/v1/sessions/s/notifications?wait_ms=10000")
        .await
        .json();
    assert!(started.elapsed() < Duration::from_secs(8));
    let list = reply["notifications"].as_array().unwrap();
    assert_eq!(list[0]["task_id"], id.as_str());
    assert_eq!(list[0]["kind"], "task_finished");
    assert_eq!(list[0]["state"], "failed");
    assert_eq!(list[0]["exit_code"], 2);

    // all_finished may follow the task's own notification: acknowledge whatever is there.
    let all = daemon.get("/v1/sessions/s/notifications").await.json();
    let ids: Vec<_> = all["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    let ack = daemon
        .post("/v1/sessions/s/notifications/ack", json!({"ids": ids}))
        .await;
    assert_eq!(ack.status, 204, "{}", ack.text());
    assert_eq!(
        daemon.get("/v1/sessions/s/notifications").await.json(),
        json!({"notifications": []})
    );

    assert_error(
        &daemon
            .post("/v1/sessions/s/notifications/ack", json!({"ids": ["t1"]}))
            .await,
        400,
        "invalid_argument",
        "ids",
    );
    assert_error(
        &daemon
            .post("/v1/sessions/s/notifications/ack", json!({}))
            .await,
        400,
        "invalid_argument",
        "ids",
    );
    assert_error(
        &daemon.get("/v1/sessions/a%20b/notifications").await,
        400,
        "invalid_argument",
        "session",
    );
    assert_error(
        &daemon.get("/v1/sessions/s/notifications?wait_ms=-1").await,
        400,
        "invalid_argument",
        "wait_ms",
    );
    // Session names may hold a slash, percent-encoded in the path.
    let slash = daemon.get("/v1/sessions/agent%2Fone/notifications").await;
    assert_eq!(slash.status, 200, "{}", slash.text());
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_session_applies_close_policies() {
    let daemon = TestDaemon::start().await;
    let cancel = daemon
        .create(json!({"session": "c", "shell": "sleep 30", "close_policy": "cancel"}))
        .await;
    let keep = daemon
        .create(json!({"session": "c", "shell": "sleep 30"}))
        .await;
    let transfer = daemon
        .create(json!({"session": "c", "shell": "sleep 30", "close_policy": "transfer"}))
        .await;
    let reply = daemon
        .post("/v1/sessions/c/close", json!({"successor": "next"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let affected = reply.json()["tasks"].as_array().unwrap().clone();
    assert!(affected.iter().any(|t| t["id"] == cancel["id"]));
    let cancelled = daemon.finished(cancel["id"].as_str().unwrap()).await;
    assert_eq!(cancelled["reason"], "session_closed");
    let kept = daemon
        .get(&format!("/v1/tasks/{}", keep["id"].as_str().unwrap()))
        .await
        .json();
    assert_eq!(kept["state"], "running");
    let moved = daemon
        .get(&format!("/v1/tasks/{}", transfer["id"].as_str().unwrap()))
        .await
        .json();
    assert_eq!(moved["session"], "next");
    let empty = daemon.request("POST", "/v1/sessions/c/close", None).await;
    assert_eq!(empty.status, 200, "{}", empty.text());
    assert_error(
        &daemon
            .post("/v1/sessions/c/close", json!({"successor": "bad name"}))
            .await,
        400,
        "invalid_argument",
        "session",
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_list_and_limits_take_effect_at_once() {
    let daemon = TestDaemon::start().await;
    let reply = daemon.put("/v1/groups/build", json!({"limit": 1})).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json(),
        json!({"name": "build", "limit": 1, "running": 0, "pending": 0})
    );
    let first = daemon
        .create(json!({"session": "s", "shell": "sleep 30", "group": "build"}))
        .await;
    let second = daemon
        .create(json!({"session": "s", "shell": "true", "group": "build"}))
        .await;
    assert_eq!(second["state"], "pending");
    let groups = daemon.get("/v1/groups").await.json();
    let build = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "build")
        .unwrap()
        .clone();
    assert_eq!(
        (build["running"].as_u64(), build["pending"].as_u64()),
        (Some(1), Some(1))
    );
    daemon.put("/v1/groups/build", json!({"limit": 0})).await;
    let record = daemon.finished(second["id"].as_str().unwrap()).await;
    assert_eq!(record["state"], "completed");
    assert_eq!(
        daemon
            .get(&format!("/v1/tasks/{}", first["id"].as_str().unwrap()))
            .await
            .json()["state"],
        "running"
    );
    for (body, field) in [
        (json!({"limit": 100_001}), "limit"),
        (json!({"limit": -1}), "limit"),
        (json!({"limit": "two"}), "limit"),
        (json!({}), "limit"),
    ] {
        assert_error(
            &daemon.put("/v1/groups/build", body).await,
            400,
            "invalid_argument",
            field,
        );
    }
    assert_error(
        &daemon
            .put("/v1/groups/no%20spaces", json!({"limit": 1}))
            .await,
        400,
        "invalid_argument",
        "group",
    );
    daemon.stop().await;
}
