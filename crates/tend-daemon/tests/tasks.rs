//! Creating, listing, showing and removing tasks.

use serde_json::json;

use crate::support::{TestDaemon, assert_error};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_answers_201_and_a_matching_live_key_answers_200() {
    let daemon = TestDaemon::start().await;
    let body =
        json!({"session": "s", "command": ["sleep", "30"], "key": "dev-server", "name": "dev"});
    let first = daemon.post("/v1/tasks", body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let first = first.json();
    assert_eq!(first["created"], true);
    assert_eq!(first["output"], serde_json::Value::Null);
    assert_eq!(first["task"]["name"], "dev");
    assert_eq!(first["task"]["command"], json!(["sleep", "30"]));
    let again = daemon.post("/v1/tasks", body).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["created"], false);
    assert_eq!(again.json()["task"]["id"], first["task"]["id"]);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yield_waits_for_the_end_and_includes_the_output() {
    let daemon = TestDaemon::start().await;
    let reply = daemon
        .post("/v1/tasks", json!({"session": "s", "shell": "printf 'hello\\nworld\\n'; exit 3", "yield_ms": 10_000}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["task"]["state"], "failed");
    assert_eq!(body["task"]["exit_code"], 3);
    assert_eq!(body["output"]["data"], "hello\nworld\n");
    assert_eq!(body["output"]["eof"], true);
    assert_eq!(body["output"]["next_cursor"], 12);

    // A short yield answers a live task with the output so far, bounded by max_bytes.
    let reply = daemon
        .post(
            "/v1/tasks",
            json!({"session": "s", "shell": "echo 0123456789; sleep 30", "yield_ms": 300, "max_bytes": 4}),
        )
        .await;
    let body = reply.json();
    assert_eq!(body["task"]["state"], "running", "{body}");
    assert_eq!(body["output"]["eof"], false);
    let data = body["output"]["data"].as_str().unwrap();
    assert!(data.len() <= 4, "{data:?}");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_filters_by_session_state_kind_activity_and_limit() {
    let daemon = TestDaemon::start().await;
    let done = daemon.sh("true").await;
    daemon.finished(&done).await;
    let live = daemon.sh("sleep 30").await;
    let other = daemon
        .create(json!({"session": "other", "shell": "sleep 30"}))
        .await;
    let external = daemon
        .create(json!({"session": "s", "kind": "monitor", "name": "watch"}))
        .await;

    let ids = |reply: crate::support::Reply| -> Vec<String> {
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = ids(daemon.get("/v1/tasks").await);
    assert_eq!(all.len(), 4);
    assert_eq!(all[0], done, "oldest first");
    let session = ids(daemon.get("/v1/tasks?session=other").await);
    assert_eq!(session, [other["id"].as_str().unwrap()]);
    let active = ids(daemon.get("/v1/tasks?active=true&session=s").await);
    assert_eq!(
        active,
        [live.clone(), external["id"].as_str().unwrap().to_owned()]
    );
    let completed = ids(daemon.get("/v1/tasks?state=completed,failed").await);
    assert_eq!(completed, [done.as_str()]);
    let monitors = ids(daemon.get("/v1/tasks?kind=monitor").await);
    assert_eq!(monitors, [external["id"].as_str().unwrap()]);
    let last = ids(daemon.get("/v1/tasks?limit=1").await);
    assert_eq!(last, [external["id"].as_str().unwrap()]);
    // The contract's empty values mean "not given".
    assert_eq!(
        ids(daemon.get("/v1/tasks?session=&state=&limit=").await).len(),
        4
    );

    assert_error(
        &daemon.get("/v1/tasks?state=sleepy").await,
        400,
        "invalid_argument",
        "state",
    );
    assert_error(
        &daemon.get("/v1/tasks?kind=robot").await,
        400,
        "invalid_argument",
        "kind",
    );
    assert_error(
        &daemon.get("/v1/tasks?limit=-2").await,
        400,
        "invalid_argument",
        "limit",
    );
    assert_error(
        &daemon.get("/v1/tasks?active=maybe").await,
        400,
        "invalid_argument",
        "active",
    );
    assert_error(
        &daemon.get("/v1/tasks?colour=red").await,
        400,
        "invalid_argument",
        "colour",
    );
    assert_error(
        &daemon.get("/v1/tasks?session=a%20b").await,
        400,
        "invalid_argument",
        "session",
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_and_remove_answer_not_found_expired_and_conflict() {
    let daemon = TestDaemon::start().await;
    let live = daemon.sh("sleep 30").await;
    let done = daemon.sh("echo bye").await;
    let record = daemon.finished(&done).await;
    assert_eq!(record["state"], "completed");
    assert_eq!(record["reason"], "exited");
    assert_eq!(record["exit_code"], 0);

    let shown = daemon.get(&format!("/v1/tasks/{done}")).await;
    assert_eq!(shown.status, 200);
    assert_eq!(shown.json()["id"], done.as_str());
    assert_eq!(shown.json()["output"]["total_bytes"], 4);

    assert_error(
        &daemon.delete(&format!("/v1/tasks/{live}")).await,
        409,
        "conflict",
        &live,
    );
    let removed = daemon.delete(&format!("/v1/tasks/{done}")).await;
    assert_eq!(removed.status, 204, "{}", removed.text());
    assert!(removed.body.is_empty());
    assert_error(
        &daemon.get(&format!("/v1/tasks/{done}")).await,
        410,
        "expired",
        &done,
    );
    assert_error(
        &daemon.delete(&format!("/v1/tasks/{done}")).await,
        410,
        "expired",
        &done,
    );
    assert_error(
        &daemon.get("/v1/tasks/t999").await,
        404,
        "not_found",
        "t999",
    );
    assert_error(
        &daemon.get("/v1/tasks/12").await,
        400,
        "invalid_argument",
        "12",
    );
    assert_error(
        &daemon.get("/v1/tasks/t0").await,
        400,
        "invalid_argument",
        "t0",
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_checks_its_body() {
    let daemon = TestDaemon::start().await;
    for (body, field) in [
        (json!({"session": "s"}), "command"),
        (
            json!({"session": "s", "shell": "x", "command": ["x"]}),
            "command",
        ),
        (
            json!({"session": "s", "shell": "x", "cwd": "relative"}),
            "cwd",
        ),
        (json!({"session": "bad session", "shell": "x"}), "session"),
        (
            json!({"session": "s", "shell": "x", "timeout_ms": 0}),
            "timeout_ms",
        ),
        (
            json!({"session": "s", "shell": "x", "timeout_ms": 99_999_999_999_999u64}),
            "timeout_ms",
        ),
        (
            json!({"session": "s", "shell": "x", "yield_ms": 99_999_999_999_999u64}),
            "yield_ms",
        ),
        (
            json!({"session": "s", "shell": "x", "max_bytes": 0}),
            "max_bytes",
        ),
        (
            json!({"session": "s", "shell": "x", "max_attempts": 0}),
            "max_attempts",
        ),
        (
            json!({"session": "s", "shell": "x", "after": ["t77"]}),
            "after",
        ),
        (
            json!({"session": "s", "kind": "subagent", "name": "n", "shell": "x"}),
            "shell",
        ),
        (json!({"session": "s", "kind": "subagent"}), "name"),
    ] {
        assert_error(
            &daemon.post("/v1/tasks", body.clone()).await,
            400,
            "invalid_argument",
            field,
        );
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_task_route_answers_not_found_expired_and_invalid_ids() {
    let daemon = TestDaemon::start().await;
    let removed = daemon.sh("true").await;
    daemon.finished(&removed).await;
    assert_eq!(
        daemon.delete(&format!("/v1/tasks/{removed}")).await.status,
        204
    );
    let routes: &[(&str, &str, Option<&str>)] = &[
        ("GET", "", None),
        ("DELETE", "", None),
        ("GET", "/output", None),
        ("POST", "/stop", Some("{}")),
        ("POST", "/stdin", Some(r#"{"data": "x"}"#)),
        ("POST", "/progress", Some(r#"{"message": "m"}"#)),
        ("POST", "/complete", Some(r#"{"state": "completed"}"#)),
        ("POST", "/transfer", Some(r#"{"session": "x"}"#)),
    ];
    for (method, suffix, body) in routes {
        let reply = daemon
            .request(method, &format!("/v1/tasks/t4242{suffix}"), *body)
            .await;
        assert_error(&reply, 404, "not_found", "t4242");
        let reply = daemon
            .request(method, &format!("/v1/tasks/{removed}{suffix}"), *body)
            .await;
        assert_error(&reply, 410, "expired", &removed);
        let reply = daemon
            .request(method, &format!("/v1/tasks/task-1{suffix}"), *body)
            .await;
        assert_error(&reply, 400, "invalid_argument", "task-1");
    }
    let reply = daemon
        .post("/v1/wait", json!({"ids": [removed], "timeout_ms": 10}))
        .await;
    assert_error(&reply, 410, "expired", &removed);
    daemon.stop().await;
}
