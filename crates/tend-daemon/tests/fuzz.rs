//! Random requests over the whole API: never a 500, every error in the JSON body, and the
//! daemon healthy afterwards.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::support::TestDaemon;
use crate::support::client::try_send;

/// Requests sent in all.
const REQUESTS: usize = 3000;
/// Requests in flight at once.
const WORKERS: usize = 4;

/// splitmix64: small, seeded, reproducible.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const IDS: &[&str] = &[
    "t1",
    "t2",
    "t3",
    "t4",
    "t0",
    "t99999",
    "x",
    "%ff",
    "t18446744073709551615",
    "T1",
    "t-1",
];
const NAMES: &[&str] = &[
    "s",
    "other",
    "a%2Fb",
    "%20",
    "",
    "%00",
    "build",
    "x.y:z@w+1",
];
/// Routes with their method and a valid body to start from (empty: none).
const ROUTES: &[(&str, &str, &str)] = &[
    ("POST", "/v1/tasks", r#"{"session": "s", "shell": "true"}"#),
    (
        "POST",
        "/v1/tasks",
        r#"{"session": "s", "command": ["echo", "x"], "yield_ms": 5}"#,
    ),
    (
        "POST",
        "/v1/tasks",
        r#"{"session": "other", "kind": "subagent", "name": "n"}"#,
    ),
    ("GET", "/v1/tasks", ""),
    ("GET", "/v1/tasks/{id}", ""),
    ("DELETE", "/v1/tasks/{id}", ""),
    ("GET", "/v1/tasks/{id}/output", ""),
    ("POST", "/v1/tasks/{id}/stop", r#"{"grace_ms": 5}"#),
    ("POST", "/v1/tasks/{id}/stdin", r#"{"data": "x"}"#),
    (
        "POST",
        "/v1/tasks/{id}/progress",
        r#"{"message": "m", "state": "running"}"#,
    ),
    (
        "POST",
        "/v1/tasks/{id}/complete",
        r#"{"state": "completed"}"#,
    ),
    ("POST", "/v1/tasks/{id}/transfer", r#"{"session": "other"}"#),
    ("POST", "/v1/wait", r#"{"ids": ["t1"], "timeout_ms": 5}"#),
    ("GET", "/v1/events", ""),
    ("GET", "/v1/sessions/{name}/notifications", ""),
    (
        "POST",
        "/v1/sessions/{name}/notifications/ack",
        r#"{"ids": ["n1"]}"#,
    ),
    ("POST", "/v1/sessions/{name}/close", r#"{"successor": "x"}"#),
    ("GET", "/v1/groups", ""),
    ("PUT", "/v1/groups/{name}", r#"{"limit": 2}"#),
    ("GET", "/v1/health", ""),
    ("GET", "/v1/openapi.json", ""),
    ("GET", "/", ""),
    ("GET", "/v1", ""),
    ("GET", "/v1/tasks/{id}/output/more", ""),
    ("GET", "/v1//tasks", ""),
];
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const QUERY_NAMES: &[&str] = &[
    "cursor",
    "max_bytes",
    "tail_lines",
    "grep",
    "context",
    "wait_ms",
    "stream",
    "format",
    "after",
    "session",
    "task",
    "limit",
    "state",
    "kind",
    "active",
    "bogus",
];
const QUERY_VALUES: &[&str] = &[
    "",
    "0",
    "1",
    "-1",
    "abc",
    "99999999999999999999",
    "t1",
    "running,failed",
    "(",
    ".*",
    "combined",
    "stderr",
    "raw",
    "json",
    "true",
    "%00",
    "%ff",
    "16777216",
    "16777217",
    "s",
    "shell",
    "3.5",
];
const DURATIONS: &[&str] = &[
    "",
    "0",
    "5",
    "-1",
    "x",
    "99999999999999999999",
    "31536000001",
];
const FIELDS: &[&str] = &[
    "session",
    "command",
    "shell",
    "name",
    "cwd",
    "env",
    "group",
    "after",
    "key",
    "timeout_ms",
    "idle_timeout_ms",
    "queue_timeout_ms",
    "max_attempts",
    "stdin",
    "stderr",
    "close_policy",
    "parent",
    "yield_ms",
    "max_bytes",
    "kind",
    "child_session",
    "grace_ms",
    "data",
    "eof",
    "message",
    "state",
    "summary",
    "ids",
    "mode",
    "successor",
    "limit",
    "bogus",
];
const STRINGS: &[&str] = &[
    "s",
    "",
    "true",
    "echo hi",
    "sleep 5",
    "t1",
    "n1",
    "pipe",
    "null",
    "separate",
    "combined",
    "cancel",
    "transfer",
    "keep",
    "subagent",
    "shell",
    "completed",
    "failed",
    "running",
    "waiting",
    "any",
    "all",
    "/tmp",
    "relative",
    "\u{0}",
    "ü",
    "a b",
];

fn random_value(random: &mut Random, field: &str, depth: u32) -> Value {
    if field.ends_with("_ms") {
        return match random.below(7) {
            0 => json!(0),
            1 => json!(5),
            2 => json!(-1),
            3 => json!(1e300),
            4 => json!("x"),
            5 => Value::Null,
            _ => json!(31_536_000_001u64),
        };
    }
    match random.below(if depth > 1 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => json!(random.chance(50)),
        2 => json!(random.next() as i64 % 200_000 - 1000),
        3 => json!(random.next()),
        4 => json!(-3.25),
        5 => json!(random.pick(STRINGS)),
        6 => Value::Array(
            (0..random.below(4))
                .map(|_| random_value(random, "", depth + 1))
                .collect(),
        ),
        7 => json!([random.pick(IDS), random.pick(IDS)]),
        _ => random_object(random, depth + 1),
    }
}

fn random_object(random: &mut Random, depth: u32) -> Value {
    let mut object = Map::new();
    for _ in 0..random.below(6) {
        let field = random.pick(FIELDS);
        object.insert(field.to_owned(), random_value(random, field, depth));
    }
    Value::Object(object)
}

/// A body: garbage, nothing, a random object, or the route's valid body with a few changes.
fn random_body(random: &mut Random, valid: &str) -> Vec<u8> {
    match random.below(12) {
        0 => Vec::new(),
        1 => (0..random.below(64)).map(|_| random.next() as u8).collect(),
        2 => b"{\"session\": ".to_vec(),
        3 | 4 => random_object(random, 0).to_string().into_bytes(),
        _ => {
            let mut body: Value =
                serde_json::from_str(if valid.is_empty() { "{}" } else { valid }).unwrap();
            let object = body.as_object_mut().unwrap();
            for _ in 0..random.below(4) {
                let keys: Vec<String> = object.keys().cloned().collect();
                match random.below(3) {
                    0 if !keys.is_empty() => {
                        object.remove(&keys[random.below(keys.len())]);
                    }
                    1 if !keys.is_empty() => {
                        let key = keys[random.below(keys.len())].clone();
                        let value = random_value(random, &key, 1);
                        object.insert(key, value);
                    }
                    _ => {
                        let field = random.pick(FIELDS);
                        object.insert(field.to_owned(), random_value(random, field, 1));
                    }
                }
            }
            body.to_string().into_bytes()
        }
    }
}

fn random_request(random: &mut Random) -> (&'static str, String, Vec<u8>) {
    let (method, template, valid) = ROUTES[random.below(ROUTES.len())];
    let method = if random.chance(85) {
        method
    } else {
        random.pick(METHODS)
    };
    let mut path = template
        .replace("{id}", random.pick(IDS))
        .replace("{name}", random.pick(NAMES));
    if random.chance(50) {
        let mut pairs = Vec::new();
        for _ in 0..1 + random.below(3) {
            let name = random.pick(QUERY_NAMES);
            let value = if name == "wait_ms" {
                random.pick(DURATIONS)
            } else {
                random.pick(QUERY_VALUES)
            };
            pairs.push(format!("{name}={value}"));
        }
        path = format!("{path}?{}", pairs.join("&"));
    }
    let body = if method == "GET" && random.chance(80) {
        Vec::new()
    } else {
        random_body(random, valid)
    };
    (method, path, body)
}

/// What the workers saw.
#[derive(Default)]
struct Tally {
    failures: Vec<String>,
    statuses: BTreeMap<u16, usize>,
    timeouts: usize,
}

/// One worker: `count` requests.
async fn worker(socket: &Path, seed: u64, count: usize) -> Tally {
    let mut random = Random(seed);
    let mut tally = Tally::default();
    let failures = &mut tally.failures;
    for _ in 0..count {
        let (method, path, body) = random_request(&mut random);
        let sent = tokio::time::timeout(
            Duration::from_secs(2),
            try_send(socket, method, &path, &[], &body),
        );
        let reply = match sent.await {
            // A long-poll or a graceful stop may take longer than the fuzzer waits.
            Err(_) => {
                tally.timeouts += 1;
                continue;
            }
            Ok(Err(error)) => {
                failures.push(format!("{method} {path}: {error}"));
                continue;
            }
            Ok(Ok(reply)) => reply,
        };
        *tally.statuses.entry(reply.status).or_default() += 1;
        let shown = || {
            format!(
                "{method} {path} {:?} -> {} {}",
                String::from_utf8_lossy(&body),
                reply.status,
                reply.text()
            )
        };
        if reply.status >= 500 {
            failures.push(shown());
        } else if reply.status >= 400 && method != "HEAD" {
            match serde_json::from_slice::<Value>(&reply.body) {
                Ok(error)
                    if error["error"]["code"].is_string()
                        && error["error"]["message"].is_string() => {}
                _ => failures.push(format!("not a JSON error: {}", shown())),
            }
        }
    }
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_requests_never_get_a_500_and_leave_the_daemon_healthy() {
    let daemon = TestDaemon::start().await;
    // Something for ids to hit: finished, running, external.
    let done = daemon.sh("echo hi").await;
    daemon.finished(&done).await;
    daemon.sh("sleep 30").await;
    daemon
        .create(json!({"session": "s", "kind": "subagent", "name": "n"}))
        .await;
    daemon
        .create(json!({"session": "other", "command": ["cat"], "stdin": "pipe"}))
        .await;

    let mut workers = Vec::new();
    for index in 0..WORKERS {
        let socket = daemon.socket.clone();
        workers.push(tokio::spawn(async move {
            worker(&socket, 0x7e4d_0000 + index as u64, REQUESTS / WORKERS).await
        }));
    }
    let mut total = Tally::default();
    for worker in workers {
        let tally = worker.await.unwrap();
        total.failures.extend(tally.failures);
        total.timeouts += tally.timeouts;
        for (status, count) in tally.statuses {
            *total.statuses.entry(status).or_default() += count;
        }
    }
    let failures = &total.failures;
    assert!(
        failures.is_empty(),
        "{} failures, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    eprintln!("statuses {:?}, timeouts {}", total.statuses, total.timeouts);
    // The requests reached every kind of answer, and few waited past the fuzzer's patience.
    for status in [200, 201, 204, 400, 404, 405, 409] {
        assert!(
            total.statuses.contains_key(&status),
            "no {status} in {:?}",
            total.statuses
        );
    }
    assert!(
        total.timeouts < REQUESTS / 20,
        "{} timeouts; {:?}",
        total.timeouts,
        total.statuses
    );
    assert_eq!(daemon.get("/v1/health").await.status, 200);
    let id = daemon.sh("echo still here").await;
    assert_eq!(daemon.finished(&id).await["state"], "completed");
    daemon.stop().await;
}
