//! Output reads (CONTRACT.md §4): cursors, limits, tail, grep, raw, long-polls, streams.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{TestDaemon, assert_error};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grep_with_context_answers_the_lines_around_each_match_like_grep_c() {
    let daemon = TestDaemon::start().await;
    let id = daemon
        .sh(
            "for i in 1 2 3 4 5 6 7 8 9; do echo line$i; done; echo Error one; echo after1; \
             echo after2; echo after3; echo after4; echo after5; echo before; echo Error two",
        )
        .await;
    daemon.finished(&id).await;
    let read = daemon
        .get(&format!("/v1/tasks/{id}/output?grep=Error&context=1"))
        .await
        .json();
    assert_eq!(
        read["data"],
        "line9\nError one\nafter1\n--\nbefore\nError two\n"
    );
    assert_eq!(read["eof"], true);
    let plain = daemon
        .get(&format!("/v1/tasks/{id}/output?grep=Error"))
        .await
        .json();
    assert_eq!(plain["data"], "Error one\nError two\n");
    assert_error(
        &daemon
            .get(&format!("/v1/tasks/{id}/output?context=2"))
            .await,
        400,
        "invalid_argument",
        "context",
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_follow_cursors_and_limits() {
    let daemon = TestDaemon::start().await;
    let id = daemon.sh("printf 'one\\ntwo\\nthree\\n'").await;
    daemon.finished(&id).await;
    let read = daemon.get(&format!("/v1/tasks/{id}/output")).await.json();
    assert_eq!(read["task_id"], id.as_str());
    assert_eq!(read["state"], "completed");
    assert_eq!(read["data"], "one\ntwo\nthree\n");
    assert_eq!(
        (read["cursor"].as_u64(), read["next_cursor"].as_u64()),
        (Some(0), Some(14))
    );
    assert_eq!(read["total_bytes"], 14);
    assert_eq!(read["dropped_bytes"], 0);
    assert_eq!(
        (read["truncated"].as_bool(), read["eof"].as_bool()),
        (Some(false), Some(true))
    );

    let part = daemon
        .get(&format!("/v1/tasks/{id}/output?cursor=4&max_bytes=3"))
        .await
        .json();
    assert_eq!(part["data"], "two");
    assert_eq!(part["next_cursor"], 7);
    assert_eq!(
        (part["truncated"].as_bool(), part["eof"].as_bool()),
        (Some(true), Some(false))
    );

    let tail = daemon
        .get(&format!("/v1/tasks/{id}/output?tail_lines=2"))
        .await
        .json();
    assert_eq!(tail["data"], "two\nthree\n");
    assert_eq!(tail["next_cursor"], 14);

    let grep = daemon
        .get(&format!("/v1/tasks/{id}/output?grep=t.o%7Cthr"))
        .await
        .json();
    assert_eq!(grep["data"], "two\nthree\n");
    assert_eq!(grep["eof"], true);

    let past = daemon
        .get(&format!("/v1/tasks/{id}/output?cursor=1000"))
        .await
        .json();
    assert_eq!(past["data"], "");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_reads_carry_the_numbers_in_headers() {
    let daemon = TestDaemon::start().await;
    let id = daemon.sh("printf 'caf\\303\\251 \\377 end'").await;
    daemon.finished(&id).await;
    let raw = daemon
        .get(&format!("/v1/tasks/{id}/output?format=raw&cursor=2"))
        .await;
    assert_eq!(raw.status, 200);
    assert_eq!(raw.header("content-type"), Some("application/octet-stream"));
    assert_eq!(&raw.body[..], b"f\xc3\xa9 \xff end");
    assert_eq!(raw.header("x-tend-cursor"), Some("2"));
    assert_eq!(raw.header("x-tend-next-cursor"), Some("11"));
    assert_eq!(raw.header("x-tend-total-bytes"), Some("11"));
    assert_eq!(raw.header("x-tend-dropped-bytes"), Some("0"));
    assert_eq!(raw.header("x-tend-truncated"), Some("false"));
    assert_eq!(raw.header("x-tend-eof"), Some("true"));
    // JSON replaces the invalid byte.
    let read = daemon.get(&format!("/v1/tasks/{id}/output")).await.json();
    assert_eq!(read["data"], "café \u{fffd} end");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_ms_returns_when_output_arrives_or_the_task_ends() {
    let daemon = TestDaemon::start().await;
    let id = daemon.sh("sleep 0.5; echo late; sleep 0.5").await;
    let started = Instant::now();
    let read = daemon
        .get(&format!("/v1/tasks/{id}/output?wait_ms=10000"))
        .await
        .json();
    let waited = started.elapsed();
    assert_eq!(read["data"], "late\n", "{read}");
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert_eq!(read["eof"], false);
    let end = daemon
        .get(&format!("/v1/tasks/{id}/output?cursor=5&wait_ms=10000"))
        .await
        .json();
    assert_eq!(end["data"], "");
    assert_eq!(end["state"], "completed", "{end}");
    assert_eq!(end["eof"], true);

    // A wait that times out answers what there is.
    let quiet = daemon.sh("sleep 30").await;
    let started = Instant::now();
    let read = daemon
        .get(&format!("/v1/tasks/{quiet}/output?wait_ms=300"))
        .await
        .json();
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(
        (read["data"].as_str(), read["eof"].as_bool()),
        (Some(""), Some(false))
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_stderr_is_its_own_stream() {
    let daemon = TestDaemon::start().await;
    let task = daemon
        .create(json!({"session": "s", "shell": "echo out; echo err >&2", "stderr": "separate"}))
        .await;
    let id = task["id"].as_str().unwrap();
    daemon.finished(id).await;
    let main = daemon.get(&format!("/v1/tasks/{id}/output")).await.json();
    assert_eq!(main["data"], "out\n");
    let err = daemon
        .get(&format!("/v1/tasks/{id}/output?stream=stderr"))
        .await
        .json();
    assert_eq!(err["data"], "err\n");
    assert_eq!(err["eof"], true);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_reads_are_invalid_arguments() {
    let daemon = TestDaemon::start().await;
    let id = daemon.sh("echo x").await;
    let base = format!("/v1/tasks/{id}/output");
    for (query, field) in [
        ("grep=(unclosed", "grep"),
        ("max_bytes=0", "max_bytes"),
        ("max_bytes=16777217", "max_bytes"),
        ("cursor=-1", "cursor"),
        ("wait_ms=-5", "wait_ms"),
        ("wait_ms=99999999999999", "wait_ms"),
        ("stream=stdout", "stream"),
        ("format=yaml", "format"),
        ("tail_lines=2&grep=x", "tail_lines"),
        ("cursor=1&cursor=2", "cursor"),
    ] {
        let reply = daemon.get(&format!("{base}?{query}")).await;
        assert_error(&reply, 400, "invalid_argument", field);
    }
    assert_error(
        &daemon.get("/v1/tasks/t404/output").await,
        404,
        "not_found",
        "t404",
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_tasks_read_as_empty() {
    let daemon = TestDaemon::start().await;
    let task = daemon
        .create(json!({"session": "s", "kind": "subagent", "name": "review"}))
        .await;
    let id = task["id"].as_str().unwrap();
    let read = daemon
        .get(&format!("/v1/tasks/{id}/output?wait_ms=100"))
        .await
        .json();
    assert_eq!(
        (read["data"].as_str(), read["eof"].as_bool()),
        (Some(""), Some(false))
    );
    daemon
        .post(
            &format!("/v1/tasks/{id}/complete"),
            json!({"state": "completed"}),
        )
        .await;
    let read = daemon.get(&format!("/v1/tasks/{id}/output")).await.json();
    assert_eq!(read["eof"], true);
    daemon.stop().await;
}
