//! `POST /v1/wait` and `GET /v1/events`, as JSON pages and as server-sent events.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

use crate::support::{TestDaemon, assert_error};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_answers_any_all_timeouts_and_sessions() {
    let daemon = TestDaemon::start().await;
    let quick = daemon.sh("sleep 0.2").await;
    let slow = daemon.sh("sleep 30").await;
    let any = daemon
        .post(
            "/v1/wait",
            json!({"ids": [&quick, &slow], "mode": "any", "timeout_ms": 10_000}),
        )
        .await;
    assert_eq!(any.status, 200, "{}", any.text());
    assert_eq!(any.json()["done"], true);
    assert_eq!(any.json()["tasks"][0]["state"], "completed");
    let started = Instant::now();
    let all = daemon
        .post(
            "/v1/wait",
            json!({"ids": [&quick, &slow], "timeout_ms": 300}),
        )
        .await
        .json();
    assert_eq!(all["done"], false);
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(all["tasks"][1]["state"], "running");
    let session = daemon
        .post("/v1/wait", json!({"session": "s", "timeout_ms": 100}))
        .await
        .json();
    assert_eq!(session["done"], false);
    assert_eq!(session["tasks"].as_array().unwrap().len(), 1);
    let idle = daemon
        .post("/v1/wait", json!({"session": "nobody", "timeout_ms": 100}))
        .await
        .json();
    assert_eq!(idle, json!({"done": true, "tasks": []}));

    assert_error(
        &daemon.post("/v1/wait", json!({})).await,
        400,
        "invalid_argument",
        "ids",
    );
    assert_error(
        &daemon.post("/v1/wait", json!({"ids": []})).await,
        400,
        "invalid_argument",
        "ids",
    );
    assert_error(
        &daemon
            .post("/v1/wait", json!({"ids": [&quick], "session": "s"}))
            .await,
        400,
        "invalid_argument",
        "ids",
    );
    assert_error(
        &daemon
            .post("/v1/wait", json!({"ids": [&quick], "mode": "some"}))
            .await,
        400,
        "invalid_argument",
        "mode",
    );
    assert_error(
        &daemon
            .post("/v1/wait", json!({"ids": [&quick], "timeout_ms": -1}))
            .await,
        400,
        "invalid_argument",
        "timeout_ms",
    );
    assert_error(
        &daemon
            .post("/v1/wait", json!({"ids": [&quick], "timeout_ms": 1e30}))
            .await,
        400,
        "invalid_argument",
        "timeout_ms",
    );
    assert_error(
        &daemon
            .post("/v1/wait", json!({"ids": ["t999"], "timeout_ms": 1}))
            .await,
        404,
        "not_found",
        "t999",
    );
    daemon.stop().await;
}

fn types(events: &Value) -> Vec<String> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_replay_in_order_with_filters_and_long_polls() {
    let daemon = TestDaemon::start().await;
    let id = daemon.sh("true").await;
    daemon.finished(&id).await;
    daemon
        .create(json!({"session": "other", "kind": "other", "name": "x"}))
        .await;

    let page = daemon.get("/v1/events").await.json();
    let events = page["events"].as_array().unwrap();
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "gap-free from 1"
    );
    assert_eq!(page["next_after"], *seqs.last().unwrap());
    let mine = daemon
        .get(&format!("/v1/events?session=s&task={id}"))
        .await
        .json();
    assert_eq!(
        types(&mine["events"]),
        ["registered", "started", "finished"]
    );
    assert_eq!(mine["events"][2]["task"]["state"], "completed");
    let other = daemon.get("/v1/events?session=other").await.json();
    assert!(
        other["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["session"] == "other")
    );
    let after = daemon.get("/v1/events?after=2&limit=1").await.json();
    assert_eq!(after["events"][0]["seq"], 3);
    assert_eq!(after["next_after"], 3);

    // A long-poll answers as soon as an event comes.
    let next_after = page["next_after"].as_u64().unwrap();
    let poll = {
        let socket = daemon.socket.clone();
        tokio::spawn(async move {
            let path = format!("/v1/events?after={next_after}&wait_ms=10000");
            crate::support::client::send(&socket, "GET", &path, &[], b"").await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    daemon
        .create(json!({"session": "s", "kind": "other", "name": "later"}))
        .await;
    let reply = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .unwrap()
        .unwrap()
        .json();
    assert_eq!(reply["events"][0]["type"], "registered");

    for (query, field) in [
        ("after=-1", "after"),
        ("task=zz", "id"),
        ("limit=0", "limit"),
        ("wait_ms=x", "wait_ms"),
    ] {
        assert_error(
            &daemon.get(&format!("/v1/events?{query}")).await,
            400,
            "invalid_argument",
            field,
        );
    }
    daemon.stop().await;
}

/// Reads server-sent events from a raw connection until one satisfies `until`; answers all
/// events read so far.
async fn read_sse(stream: &mut UnixStream, until: impl Fn(&Value) -> bool) -> Vec<Value> {
    let mut text = String::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let data: Vec<Value> = text
            .lines()
            .filter_map(|line| line.strip_prefix("data: "))
            .filter_map(|json| serde_json::from_str(json).ok())
            .collect();
        if data.iter().any(&until) {
            return data;
        }
        assert!(Instant::now() < deadline, "not there in {text:?}");
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer))
            .await
            .expect("stream stays open")
            .expect("read");
        assert!(read > 0, "stream closed: {text:?}");
        text.push_str(&String::from_utf8_lossy(&buffer[..read]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_streams_carry_ids_and_never_another_sessions_events() {
    let daemon = TestDaemon::start().await;
    daemon
        .create(json!({"session": "mine", "kind": "other", "name": "first"}))
        .await;
    let mut stream = UnixStream::connect(&daemon.socket).await.unwrap();
    stream
        .write_all(
            b"GET /v1/events?session=mine HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\n\r\n",
        )
        .await
        .unwrap();
    let first = read_sse(&mut stream, |e| e["type"] == "registered").await;
    assert_eq!(first[0]["task"]["name"], "first");
    daemon
        .create(json!({"session": "theirs", "kind": "other", "name": "not for us"}))
        .await;
    daemon
        .create(json!({"session": "mine", "kind": "other", "name": "second"}))
        .await;
    let all = read_sse(&mut stream, |e| e["task"]["name"] == "second").await;
    assert!(all.iter().all(|e| e["session"] == "mine"), "{all:?}");
    let seqs: Vec<u64> = all.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|pair| pair[0] < pair[1]), "{seqs:?}");

    // A stream resumes after Last-Event-ID.
    let seq = all[0]["seq"].as_u64().unwrap();
    let mut resumed = UnixStream::connect(&daemon.socket).await.unwrap();
    let request = format!(
        "GET /v1/events HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\nlast-event-id: {seq}\r\n\r\n"
    );
    resumed.write_all(request.as_bytes()).await.unwrap();
    let next = read_sse(&mut resumed, |_| true).await;
    assert_eq!(next[0]["seq"], seq + 1);
    assert_error(
        &daemon.get("/v1/events?task=t1&after=x").await,
        400,
        "invalid_argument",
        "after",
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_stream_outlives_the_header_timeout() {
    let daemon =
        TestDaemon::start_with(|options| options.header_timeout = Duration::from_secs(1)).await;
    let mut stream = UnixStream::connect(&daemon.socket).await.unwrap();
    stream
        .write_all(b"GET /v1/events HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    daemon
        .create(json!({"session": "s", "kind": "other", "name": "after a quiet while"}))
        .await;
    let events = read_sse(&mut stream, |e| e["task"]["name"] == "after a quiet while").await;
    assert_eq!(events[0]["seq"], 1);
    daemon.stop().await;
}
