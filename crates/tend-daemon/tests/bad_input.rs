//! Bad input of every kind: each gets its JSON error or is dropped on a timeout, and the
//! daemon keeps serving everyone else promptly.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

use crate::support::client::send;
use crate::support::{TestDaemon, assert_error};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_are_named_invalid_arguments() {
    let daemon = TestDaemon::start().await;
    for (body, needle) in [
        (&b"{\"session\": "[..], "invalid request body"),
        (b"{\"session\": 5, \"shell\": \"x\"}", "session"),
        (b"{\"shell\": \"x\"}", "session"),
        (
            b"{\"session\": \"s\", \"shell\": \"x\", \"colour\": 1}",
            "colour",
        ),
        (
            b"{\"session\": \"s\", \"shell\": \"x\"} trailing",
            "trailing",
        ),
        (b"[1, 2]", "invalid request body"),
        (b"\"just a string\"", "invalid request body"),
        (
            b"{\"session\": \"s\", \"shell\": \"\xff\xfe\"}",
            "invalid request body",
        ),
        (
            b"{\"session\": \"s\", \"shell\": \"x\", \"timeout_ms\": 1.5}",
            "timeout_ms",
        ),
        (
            b"{\"session\": \"s\", \"shell\": \"x\", \"timeout_ms\": 1e300}",
            "timeout_ms",
        ),
        (
            b"{\"session\": \"s\", \"shell\": \"x\", \"yield_ms\": -1}",
            "yield_ms",
        ),
        (
            b"{\"session\": \"s\", \"command\": \"not a list\"}",
            "command",
        ),
        (
            b"{\"session\": \"s\", \"shell\": \"x\", \"env\": {\"A\": 1}}",
            "env",
        ),
        (
            b"{\"session\": \"s\", \"shell\": \"x\", \"stdin\": \"file\"}",
            "stdin",
        ),
        (b"", "session"),
    ] {
        let reply = send(&daemon.socket, "POST", "/v1/tasks", &[], body).await;
        assert_error(&reply, 400, "invalid_argument", needle);
    }
    // A body is an object, even where every field is optional: an array is not read as one.
    for (path, body) in [
        ("/v1/sessions/s/close", &b"[null]"[..]),
        ("/v1/sessions/s/close", b"[]"),
        ("/v1/tasks/t1/stop", b"[5000]"),
        ("/v1/daemon/stop", b"[1, true]"),
        ("/v1/wait", b"null"),
    ] {
        let reply = send(&daemon.socket, "POST", path, &[], body).await;
        assert_error(&reply, 400, "invalid_argument", "a JSON object");
    }
    daemon.stop().await;
}

/// Writes `head`, then `chunks` (stopping at the first write error, as a server that answered
/// early may close), and reads the answer.
async fn raw_exchange(daemon: &TestDaemon, head: &str, chunks: &[Vec<u8>]) -> String {
    let mut stream = UnixStream::connect(&daemon.socket).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in chunks {
        if stream.write_all(chunk).await.is_err() {
            break;
        }
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_bodies_are_refused_with_413() {
    let daemon = TestDaemon::start().await;
    let big = format!(
        "{{\"session\": \"s\", \"shell\": \"{}\"}}",
        "x".repeat(2 << 20)
    );
    let head = format!(
        "POST /v1/tasks HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n\r\n",
        big.len()
    );
    let chunks: Vec<Vec<u8>> = big
        .as_bytes()
        .chunks(64 * 1024)
        .map(<[u8]>::to_vec)
        .collect();
    let text = raw_exchange(&daemon, &head, &chunks).await;
    assert!(text.starts_with("HTTP/1.1 413"), "{text:?}");
    assert!(
        text.contains("invalid_argument") && text.contains("larger than"),
        "{text:?}"
    );

    // The same without a declared length (chunked).
    let head = "POST /v1/tasks HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n";
    let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
    chunk.extend(std::iter::repeat_n(b'x', 64 * 1024));
    chunk.extend_from_slice(b"\r\n");
    let text = raw_exchange(&daemon, head, &vec![chunk; 40]).await;
    assert!(text.starts_with("HTTP/1.1 413"), "{text:?}");
    assert!(text.contains("invalid_argument"), "{text:?}");
    assert_eq!(daemon.get("/v1/health").await.status, 200);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_and_wrong_methods_answer_json() {
    let daemon = TestDaemon::start().await;
    assert_error(&daemon.get("/nope").await, 404, "not_found", "/nope");
    assert_error(
        &daemon.get("/v1/tasks/t1/bogus").await,
        404,
        "not_found",
        "bogus",
    );
    assert_error(
        &daemon.get("/v2/tasks").await,
        404,
        "not_found",
        "/v2/tasks",
    );
    assert_error(
        &daemon.delete("/v1/groups").await,
        405,
        "invalid_argument",
        "DELETE",
    );
    assert_error(
        &daemon.request("PATCH", "/v1/tasks", None).await,
        405,
        "invalid_argument",
        "PATCH",
    );
    assert_error(
        &daemon.get("/v1/wait").await,
        405,
        "invalid_argument",
        "GET",
    );
    assert_error(
        &daemon.put("/v1/tasks/t1", json!({})).await,
        405,
        "invalid_argument",
        "PUT",
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_bytes_do_not_harm_the_daemon() {
    let daemon = TestDaemon::start().await;
    let task = daemon.sh("sleep 30").await;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..20 {
        let mut stream = UnixStream::connect(&daemon.socket).await.unwrap();
        let mut bytes = Vec::new();
        for _ in 0..(64 + round * 97) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            bytes.push(seed as u8);
        }
        if round % 2 == 0 {
            bytes.extend_from_slice(b"\r\n\r\n");
        }
        let _ = stream.write_all(&bytes).await;
        let mut answer = Vec::new();
        let _ =
            tokio::time::timeout(Duration::from_millis(300), stream.read_to_end(&mut answer)).await;
        let text = String::from_utf8_lossy(&answer);
        assert!(!text.contains(" 500 "), "{text:?}");
    }
    // A request line with a bad version, and header garbage.
    for raw in [
        &b"GET /v1/health HTTP/9.9\r\n\r\n"[..],
        b"GET /v1/health HTTP/1.1\r\n\x01\x02: x\r\n\r\n",
    ] {
        let mut stream = UnixStream::connect(&daemon.socket).await.unwrap();
        stream.write_all(raw).await.unwrap();
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut answer)).await;
        assert!(!String::from_utf8_lossy(&answer).contains(" 500 "));
    }
    assert_eq!(daemon.get("/v1/health").await.status, 200);
    let record = daemon.get(&format!("/v1/tasks/{task}")).await.json();
    assert_eq!(record["state"], "running", "other tasks are unharmed");
    daemon.stop().await;
}

/// Reads until the server closes the connection; answers how long that took.
async fn closed_after(stream: &mut UnixStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(
            limit.saturating_sub(started.elapsed()),
            stream.read(&mut buffer),
        )
        .await
        {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {}
            Err(_) => return None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_idle_connections_are_dropped_and_never_block_others() {
    let daemon = TestDaemon::start().await;
    let mut silent = UnixStream::connect(&daemon.socket).await.unwrap();
    let mut slow = UnixStream::connect(&daemon.socket).await.unwrap();
    slow.write_all(b"GET /v1/health HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut idle = Vec::new();
    for _ in 0..30 {
        idle.push(UnixStream::connect(&daemon.socket).await.unwrap());
    }
    // Everyone else is served promptly meanwhile.
    for _ in 0..5 {
        let started = Instant::now();
        assert_eq!(daemon.get("/v1/health").await.status, 200);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
    let silent_closed = closed_after(&mut silent, Duration::from_secs(20))
        .await
        .expect("silent client dropped");
    assert!(
        silent_closed >= Duration::from_secs(8),
        "dropped too soon: {silent_closed:?}"
    );
    let slow_closed = closed_after(&mut slow, Duration::from_secs(5)).await;
    assert!(
        slow_closed.is_some(),
        "a client that never finishes its head is dropped"
    );
    for mut connection in idle {
        assert!(
            closed_after(&mut connection, Duration::from_secs(5))
                .await
                .is_some()
        );
    }
    assert_eq!(daemon.get("/v1/health").await.status, 200);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_does_not_arrive_times_out_with_408() {
    let daemon =
        TestDaemon::start_with(|options| options.body_timeout = Duration::from_secs(1)).await;
    let mut stream = UnixStream::connect(&daemon.socket).await.unwrap();
    stream
        .write_all(b"POST /v1/tasks HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{\"sess")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text:?}");
    assert!(text.contains("invalid_argument"), "{text:?}");
    daemon.stop().await;
}
