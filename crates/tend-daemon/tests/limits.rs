//! Limits of the connection layer and of the routes: clients that never read their answer,
//! and long polls that would otherwise take every connection.

use std::os::fd::AsFd;
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::UnixStream;
use tokio::time::Instant;

use crate::support::{TestDaemon, client, eventually};

/// Whether the daemon closed its end of `stream`, whatever is still unread on ours (a unix
/// socket whose peer is closed polls as hung up).
fn peer_closed(stream: &UnixStream) -> bool {
    let mut fds = [PollFd::new(stream.as_fd(), PollFlags::empty())];
    poll(&mut fds, PollTimeout::ZERO).unwrap_or(0) > 0
        && fds[0]
            .revents()
            .is_some_and(|r| r.contains(PollFlags::POLLHUP))
}

async fn health_within(daemon: &TestDaemon, limit: Duration) {
    let started = Instant::now();
    let reply = tokio::time::timeout(limit, daemon.get("/v1/health"))
        .await
        .unwrap_or_else(|_| panic!("health did not answer within {limit:?}"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(started.elapsed() < limit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_never_read_a_large_answer_are_cut_after_the_write_timeout() {
    let daemon =
        TestDaemon::start_with(|options| options.write_timeout = Duration::from_secs(2)).await;
    let id = daemon.sh("head -c 8388608 /dev/zero | tr '\\0' a").await;
    let record = daemon.finished(&id).await;
    assert_eq!(record["output"]["total_bytes"], 8 * 1024 * 1024, "{record}");
    let mut slow = Vec::new();
    for i in 0..20 {
        let format = if i % 2 == 0 { "raw" } else { "json" };
        let mut stream = UnixStream::connect(&daemon.socket).await.unwrap();
        let request = format!(
            "GET /v1/tasks/{id}/output?max_bytes=16777216&format={format} HTTP/1.1\r\nhost: x\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        slow.push(stream);
    }
    // The daemon answers others while they hang.
    for _ in 0..3 {
        health_within(&daemon, Duration::from_secs(2)).await;
    }
    // Every slow connection is closed (the answer stalled past the write timeout, or, waiting
    // for room among the answers in flight, was refused and closed).
    for (i, stream) in slow.iter().enumerate() {
        assert!(
            eventually(Duration::from_secs(30), || async { peer_closed(stream) }).await,
            "slow reader {i} is still connected"
        );
    }
    health_within(&daemon, Duration::from_secs(2)).await;
    // A reader that reads gets the whole answer.
    let reply = daemon
        .get(&format!(
            "/v1/tasks/{id}/output?max_bytes=16777216&format=raw"
        ))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.len(), 8 * 1024 * 1024);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_polls_beyond_their_cap_leave_room_for_plain_requests() {
    let daemon = TestDaemon::start_with(|options| {
        options.max_connections = 16;
        options.max_long_polls = 8;
    })
    .await;
    let id = daemon.sh("sleep 60").await;
    let body = json!({"ids": [id], "timeout_ms": 60_000}).to_string();
    let mut polls = Vec::new();
    for _ in 0..40 {
        let socket = daemon.socket.clone();
        let body = body.clone();
        polls.push(tokio::spawn(async move {
            client::send(&socket, "POST", "/v1/wait", &[], body.as_bytes()).await
        }));
    }
    // Refused long polls are answered at once with `unavailable`.
    let mut refused = 0;
    let deadline = Instant::now() + Duration::from_secs(10);
    for poll in &mut polls {
        let Ok(Ok(reply)) = tokio::time::timeout_at(deadline, &mut *poll).await else {
            continue;
        };
        assert_eq!(reply.status, 503, "{}", reply.text());
        assert_eq!(reply.json()["error"]["code"], "unavailable");
        let message = reply.json()["error"]["message"].to_string();
        assert!(message.contains("too many waiting requests"), "{message}");
        refused += 1;
    }
    assert!(refused >= 40 - 8, "only {refused} long polls were refused");
    // A plain request is answered promptly, again and again.
    for _ in 0..5 {
        health_within(&daemon, Duration::from_secs(2)).await;
    }
    for poll in &polls {
        poll.abort();
    }
    daemon.stop().await;
}
