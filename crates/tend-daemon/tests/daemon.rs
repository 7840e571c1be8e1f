//! The daemon itself: one per home, files and modes, health, stop with and without tasks,
//! re-adoption by the next daemon, the OpenAPI document.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use serde_json::json;
use tend_daemon::{Daemon, DaemonError, DaemonOptions};

use crate::support::{TestDaemon, shim};

#[path = "../../../testing/tmpfs.rs"]
mod tmpfs;
use tmpfs::Tmpfs;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_daemon_per_home_with_private_files() {
    let daemon = TestDaemon::start().await;
    // The home is a temporary directory the test made: what tend creates in it is private.
    assert_eq!(mode(&daemon.socket), 0o600);
    assert_eq!(mode(&daemon.home().join("tend.db")), 0o600);
    assert_eq!(mode(&daemon.home().join("tasks")), 0o700);
    let second = Daemon::start(DaemonOptions::new(daemon.home(), shim())).await;
    match second {
        Err(error @ DaemonError::AlreadyRunning { .. }) => {
            let message = error.to_string();
            assert!(
                message.contains(&format!("pid {}", std::process::id())),
                "{message}"
            );
        }
        other => panic!("a second daemon started: {other:?}"),
    }
    // The first one is untouched.
    assert_eq!(daemon.get("/v1/health").await.status, 200);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_socket_is_replaced() {
    let home = tempfile::tempdir().unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    // A socket file left by a daemon that died.
    drop(std::os::unix::net::UnixListener::bind(home.path().join("tend.sock")).unwrap());
    let daemon = TestDaemon::start_in(home, |_| {}).await;
    assert_eq!(daemon.get("/v1/health").await.status, 200);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_openapi_answer() {
    let daemon = TestDaemon::start().await;
    let health = daemon.get("/v1/health").await;
    assert_eq!(health.status, 200);
    let health = health.json();
    assert_eq!(health["ok"], true);
    assert_eq!(health["pid"], std::process::id());
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        health["store"],
        json!({"ok": true, "error": null, "since": null})
    );
    let document = daemon.get("/v1/openapi.json").await;
    assert_eq!(document.status, 200);
    assert_eq!(document.header("content-type"), Some("application/json"));
    let document = document.json();
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["paths"]["/v1/tasks/{id}/output"]["get"].is_object());
    assert!(document["components"]["schemas"]["Task"].is_object());
    // An empty query value reads as not given, and the document says so.
    let parameters = document["paths"]["/v1/tasks"]["get"]["parameters"]
        .as_array()
        .unwrap();
    assert!(!parameters.is_empty());
    assert!(parameters.iter().all(|p| p["allowEmptyValue"] == true));
    let answer = daemon.get("/v1/tasks?state=&limit=").await;
    assert_eq!(answer.status, 200);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_daemon_leaves_tasks_running_for_the_next_one() {
    let daemon = TestDaemon::start().await;
    let id = daemon.sh("sleep 1; echo survived").await;
    let socket = daemon.socket.clone();
    let home = daemon.stop_keeping_tasks().await;
    assert!(!socket.exists(), "the socket is removed");
    let next = TestDaemon::start_in(home, |_| {}).await;
    let record = next.finished(&id).await;
    assert_eq!(record["state"], "completed", "{record}");
    assert_eq!(record["exit_code"], 0);
    let read = next.get(&format!("/v1/tasks/{id}/output")).await.json();
    assert_eq!(read["data"], "survived\n");
    next.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_with_kill_tasks_cancels_them_with_reason_shutdown() {
    let mut daemon = TestDaemon::start().await;
    let id = daemon.sh("sleep 30").await;
    let external = daemon
        .create(json!({"session": "s", "kind": "monitor", "name": "m"}))
        .await;
    let reply = daemon
        .post(
            "/v1/daemon/stop",
            json!({"kill_tasks": true, "grace_ms": 200}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["stopping"], true);
    let tasks = body["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    for task in tasks {
        assert_eq!(
            (task["state"].as_str(), task["reason"].as_str()),
            (Some("cancelled"), Some("shutdown")),
            "{task}"
        );
    }
    assert!(tasks.iter().any(|t| t["id"] == id.as_str()));
    assert!(tasks.iter().any(|t| t["id"] == external["id"]));
    daemon.join_daemon().await;
    assert!(
        crate::support::client::try_send(&daemon.socket, "GET", "/v1/health", &[], b"")
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shutdown_handle_ends_streams_and_long_polls() {
    let daemon = TestDaemon::start().await;
    let id = daemon.sh("sleep 30").await;
    let socket = daemon.socket.clone();
    let poll = tokio::spawn(async move {
        let path = format!("/v1/tasks/{id}/output?wait_ms=600000");
        crate::support::client::send(&socket, "GET", &path, &[], b"").await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    daemon.handle.trigger();
    let reply = tokio::time::timeout(Duration::from_secs(8), poll)
        .await
        .expect("poll ends")
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    // The task ran on; a fresh daemon on the same home stops it.
    let next = daemon.restart().await;
    next.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_expires_records_and_events() {
    let daemon = TestDaemon::start_with(|options| {
        options.settings = Some(tend_host::Settings {
            retention_ms: 300,
            ..tend_host::Settings::default()
        });
    })
    .await;
    let task = daemon
        .create(json!({"session": "s", "kind": "other", "name": "brief"}))
        .await;
    let id = task["id"].as_str().unwrap();
    daemon
        .post(
            &format!("/v1/tasks/{id}/complete"),
            json!({"state": "completed"}),
        )
        .await;
    let notes = daemon.get("/v1/sessions/s/notifications").await.json();
    let ids: Vec<_> = notes["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    daemon
        .post("/v1/sessions/s/notifications/ack", json!({"ids": ids}))
        .await;
    let expired = crate::support::eventually(Duration::from_secs(10), || async {
        daemon.get(&format!("/v1/tasks/{id}")).await.status == 410
    })
    .await;
    assert!(expired, "the record was not evicted");
    let gone = crate::support::eventually(Duration::from_secs(10), || async {
        daemon.get("/v1/events?after=0").await.status == 410
    })
    .await;
    assert!(gone, "the events were not pruned");
    let reply = daemon.get("/v1/events?after=0").await;
    crate::support::assert_error(&reply, 410, "expired", "oldest");
    let oldest = reply.json()["error"]["oldest_seq"]
        .as_u64()
        .expect("oldest_seq");
    assert!(oldest > 1);
    // Without `after`, a reader starts at the oldest retained event instead.
    let page = daemon.get("/v1/events").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let page = page.json();
    match page["events"].as_array().unwrap().first() {
        Some(first) => assert_eq!(first["seq"].as_u64(), Some(oldest), "{page}"),
        None => assert_eq!(page["next_after"].as_u64(), Some(oldest - 1), "{page}"),
    }
    daemon.stop().await;
}

/// A full disk: writes answer 503 `unavailable` saying why, health says the store fails, and
/// once space is freed the daemon commits again by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_unavailable_and_health_says_so() {
    let disk = match Tmpfs::mount("16m") {
        Ok(disk) => disk,
        Err(why) => {
            eprintln!("skipped: cannot mount a tmpfs: {why}");
            return;
        }
    };
    let daemon = TestDaemon::start_in(tempfile::tempdir_in(disk.path()).unwrap(), |_| {}).await;
    let before = daemon.sh("echo before").await;
    daemon.finished(&before).await;

    let filler = disk.fill("filler");
    let body = json!({"session": "disk", "command": ["true"], "name": "x".repeat(2000)});
    let mut refused = None;
    for _ in 0..500 {
        let answer = daemon.post("/v1/tasks", body.clone()).await;
        if answer.status != 201 && answer.status != 200 {
            let health = daemon.get("/v1/health").await.json();
            refused = Some((answer, health));
            if refused
                .as_ref()
                .is_some_and(|(_, h)| h["store"]["ok"] == false)
            {
                break;
            }
        }
    }
    let (answer, health) = refused.expect("a full disk refuses a create");
    assert_eq!(answer.status, 503, "{}", answer.text());
    let error = answer.json();
    assert_eq!(error["error"]["code"], "unavailable");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("store cannot commit") && message.contains("full"),
        "{message}"
    );
    assert_eq!(health["ok"], true);
    assert_eq!(health["store"]["ok"], false, "{health}");
    assert!(
        health["store"]["error"].as_str().unwrap().contains("full"),
        "{health}"
    );
    assert!(health["store"]["since"].is_string(), "{health}");

    std::fs::remove_file(&filler).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let health = daemon.get("/v1/health").await.json();
        if health["store"]["ok"] == true {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never recovered: {health}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let after = daemon.sh("echo after").await;
    assert_eq!(daemon.finished(&after).await["exit_code"], 0);
    assert_eq!(daemon.finished(&before).await["exit_code"], 0);
    daemon.stop().await;
}
