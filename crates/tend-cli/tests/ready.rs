//! Readiness (CONTRACT.md §9): `ready` conditions on output, port and HTTP, `run --wait-ready`
//! and `wait --ready`, the `ready` event and the `task_ready` notification.

use std::time::{Duration, Instant};

use crate::support::Home;

#[test]
fn a_silent_server_is_ready_once_it_listens_on_any_port() {
    let home = Home::new();
    let started = Instant::now();
    let outcome = home.run(&[
        "run",
        "--ready-port",
        "0",
        "--wait-ready",
        "--",
        "python3",
        "-m",
        "http.server",
        "0",
        "--bind",
        "127.0.0.1",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let id = outcome.text().trim().to_owned();
    assert!(started.elapsed() < Duration::from_secs(10));
    let record = home.record(&id);
    assert!(record["ready_at"].is_string(), "{record}");
    let port = record["ports"][0]["port"].as_u64().unwrap();
    let ready = home.events_of(&id, "ready");
    assert_eq!(ready.len(), 1, "{ready:?}");
    assert_eq!(ready[0]["condition"], "port");
    assert_eq!(ready[0]["detail"], port.to_string());
    let notifications = home.ok(&["notifications"]);
    assert!(
        notifications.contains(&format!(
            "{id} \"python3 -m http.server 0 --bind 127.0.0.1\" ready: listening on :{port} after"
        )),
        "{notifications}"
    );
    // Ready is told once: waiting again answers at once.
    assert_eq!(
        home.run(&["wait", &id, "--ready", "--timeout", "5s"]).code,
        0
    );
    assert_eq!(home.events_of(&id, "ready").len(), 1);
    home.ok(&["stop", &id, "--grace", "1s"]);
}

#[test]
fn a_line_of_output_makes_a_task_ready_and_wait_ready_says_how_it_went() {
    let home = Home::new();
    let id = home.start(&[
        "--ready-output",
        "listening on \\d+",
        "--sh",
        "echo booting; sleep 1; echo listening on 8080; sleep 30",
    ]);
    let outcome = home.run(&["wait", &id, "--ready", "--timeout", "20s"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let ready = home.events_of(&id, "ready");
    assert_eq!(ready[0]["condition"], "output");
    assert_eq!(ready[0]["detail"], "listening on 8080");
    home.ok(&["stop", &id, "--grace", "1s"]);

    // Ended without being ready: 1; not ready in time: 124.
    let ended = home.start(&["--ready-output", "never", "--sh", "echo nothing"]);
    assert_eq!(
        home.run(&["wait", &ended, "--ready", "--timeout", "20s"])
            .code,
        1
    );
    assert!(home.record(&ended)["ready_at"].is_null());
    let slow = home.start(&["--ready-output", "never", "--", "sleep", "30"]);
    let outcome = home.run(&["wait", &slow, "--ready", "--timeout", "500ms"]);
    assert_eq!(outcome.code, 124, "{}", outcome.stderr);
    home.ok(&["stop", &slow, "--grace", "1s"]);
}

#[test]
fn an_http_check_makes_a_task_ready_when_the_server_answers_below_500() {
    let home = Home::new();
    let port = crate::support::free_port();
    // Listens after a second, answers 503 twice, then 404.
    let server = format!(
        "import http.server, time\n\
         time.sleep(1)\n\
         seen = [0]\n\
         class H(http.server.BaseHTTPRequestHandler):\n\
         \x20   def do_GET(self):\n\
         \x20       seen[0] += 1\n\
         \x20       self.send_response(503 if seen[0] <= 2 else 404)\n\
         \x20       self.end_headers()\n\
         \x20   def log_message(self, *a): pass\n\
         http.server.HTTPServer(('127.0.0.1', {port}), H).serve_forever()\n"
    );
    let url = format!("http://127.0.0.1:{port}/health");
    let id = home.start(&["--ready-http", &url, "--", "python3", "-c", &server]);
    let outcome = home.run(&["wait", &id, "--ready", "--timeout", "20s"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let ready = home.events_of(&id, "ready");
    assert_eq!(ready[0]["condition"], "http");
    assert_eq!(ready[0]["detail"], "404");
    home.ok(&["stop", &id, "--grace", "1s"]);

    let refused = home.run(&["run", "--ready-http", "ftp://x", "--", "true"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("ready.http"), "{}", refused.stderr);
    let refused = home.run(&["run", "--ready-output", "(", "--", "true"]);
    assert!(
        refused.stderr.contains("invalid regex"),
        "{}",
        refused.stderr
    );
}
