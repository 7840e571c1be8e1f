//! Terminals (CONTRACT §8): tty tasks, keys, resize, and the plain and screen renderings.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{TestDaemon, assert_error, eventually};

async fn tty_task(d: &TestDaemon, body: Value) -> String {
    let task = d.create(body).await;
    task["id"].as_str().expect("id").to_owned()
}

async fn screen(d: &TestDaemon, id: &str) -> Value {
    let reply = d.get(&format!("/v1/tasks/{id}/output?render=screen")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

/// Polls the screen until `check` holds on its lines (at most 20 s); answers the screen.
async fn wait_screen(d: &TestDaemon, id: &str, check: impl Fn(&[String]) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let shown = screen(d, id).await;
        let lines: Vec<String> =
            serde_json::from_value(shown["screen"]["lines"].clone()).unwrap_or_default();
        if check(&lines) {
            return shown;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "screen never matched: {shown:#}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn input(d: &TestDaemon, id: &str, body: Value) {
    let reply = d.post(&format!("/v1/tasks/{id}/stdin"), body).await;
    assert_eq!(reply.status, 204, "{}", reply.text());
}

async fn raw_output(d: &TestDaemon, id: &str) -> String {
    let reply = d
        .get(&format!("/v1/tasks/{id}/output?max_bytes=16777216"))
        .await;
    reply.json()["data"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn create_checks_the_terminal_and_the_record_shows_it() {
    let d = TestDaemon::start().await;
    let task = d
        .create(json!({"session": "s", "command": ["true"], "tty": true}))
        .await;
    assert_eq!(task["tty"], json!({"rows": 40, "cols": 120}));
    let task = d
        .create(json!({"session": "s", "command": ["true"], "tty": {"rows": 5, "cols": 1000}}))
        .await;
    assert_eq!(task["tty"], json!({"rows": 5, "cols": 1000}));
    let task = d.create(json!({"session": "s", "command": ["true"]})).await;
    assert_eq!(task["tty"], Value::Null);
    let task = d
        .create(json!({"session": "s", "command": ["true"], "tty": true, "stdin": "pipe"}))
        .await;
    assert_eq!(task["tty"]["rows"], 40);

    let separate = json!({"session": "s", "command": ["true"], "tty": true, "stderr": "separate"});
    assert_error(
        &d.post("/v1/tasks", separate).await,
        400,
        "invalid_argument",
        "stderr",
    );
    for size in [
        json!({"rows": 0, "cols": 10}),
        json!({"rows": 10, "cols": 1001}),
    ] {
        let body = json!({"session": "s", "command": ["true"], "tty": size});
        assert_error(
            &d.post("/v1/tasks", body).await,
            400,
            "invalid_argument",
            "1..1000",
        );
    }
    let external = json!({"kind": "subagent", "session": "s", "name": "x", "tty": true});
    assert_error(
        &d.post("/v1/tasks", external).await,
        400,
        "invalid_argument",
        "tty",
    );
    d.stop().await;
}

#[tokio::test]
async fn python_sees_a_terminal_only_under_tty() {
    let d = TestDaemon::start().await;
    let script = "import sys; print(sys.stdout.isatty())";
    let tty = tty_task(
        &d,
        json!({"session": "s", "command": ["python3", "-c", script], "tty": true}),
    )
    .await;
    let pipe = tty_task(
        &d,
        json!({"session": "s", "command": ["python3", "-c", script]}),
    )
    .await;
    assert_eq!(d.finished(&tty).await["exit_code"], 0);
    assert_eq!(d.finished(&pipe).await["exit_code"], 0);
    assert_eq!(raw_output(&d, &tty).await, "True\r\n");
    assert_eq!(raw_output(&d, &pipe).await, "False\n");
    d.stop().await;
}

#[tokio::test]
async fn a_progress_bar_reads_as_its_last_state_with_render_plain() {
    let d = TestDaemon::start().await;
    let script = "i=1; while [ $i -le 100 ]; do printf '\\r\\033[32m%3d%%\\033[0m' $i; \
                  i=$((i+1)); done; echo; echo done";
    let id = tty_task(&d, json!({"session": "s", "shell": script, "tty": true})).await;
    d.finished(&id).await;
    let raw = d.get(&format!("/v1/tasks/{id}/output")).await.json();
    let plain = d
        .get(&format!("/v1/tasks/{id}/output?render=plain"))
        .await
        .json();
    assert_eq!(plain["data"], "100%\ndone\n", "{plain}");
    // Offsets stay those of the raw stream.
    assert_eq!(plain["next_cursor"], raw["next_cursor"]);
    assert_eq!(plain["total_bytes"], raw["total_bytes"]);
    let tail = d
        .get(&format!("/v1/tasks/{id}/output?render=plain&tail_lines=1"))
        .await
        .json();
    assert_eq!(tail["data"], "done\n");
    assert_error(
        &d.get(&format!("/v1/tasks/{id}/output?render=fancy")).await,
        400,
        "invalid_argument",
        "render",
    );
    d.stop().await;
}

#[tokio::test]
async fn a_repl_answers_through_the_screen_and_survives_a_daemon_restart() {
    let d = TestDaemon::start().await;
    let id = tty_task(
        &d,
        json!({"session": "s", "command": ["python3", "-q", "-i"], "tty": true,
               "env": {"PYTHON_BASIC_REPL": "1"}}),
    )
    .await;
    wait_screen(&d, &id, |lines| {
        lines.first().is_some_and(|l| l.starts_with(">>>"))
    })
    .await;
    input(&d, &id, json!({"data": "2+2", "keys": ["enter"]})).await;
    let shown = wait_screen(&d, &id, |lines| lines.iter().any(|l| l == "4")).await;
    assert_eq!(shown["screen"]["rows"], 40);
    assert_eq!(shown["screen"]["cols"], 120);
    assert_eq!(shown["screen"]["lines"][0], ">>> 2+2");
    assert_eq!(shown["screen"]["lines"].as_array().map(Vec::len), Some(40));

    // The daemon goes away between two inputs; the REPL runs on under its shim.
    let home = d.stop_keeping_tasks().await;
    let d = TestDaemon::start_in(home, |_| {}).await;
    input(&d, &id, json!({"data": "3*7"})).await;
    input(&d, &id, json!({"keys": ["enter"]})).await;
    wait_screen(&d, &id, |lines| lines.iter().any(|l| l == "21")).await;
    let raw = raw_output(&d, &id).await;
    assert!(
        raw.contains("2+2\r\n4\r\n") && raw.contains("3*7\r\n21\r\n"),
        "{raw:?}"
    );
    input(&d, &id, json!({"eof": true})).await;
    let done = d.finished(&id).await;
    assert_eq!(done["exit_code"], 0, "{done}");
    d.stop().await;
}

#[tokio::test]
async fn ctrl_c_interrupts_a_tty_sleep_and_a_pipe_sleep() {
    let d = TestDaemon::start().await;
    let tty = tty_task(
        &d,
        json!({"session": "s", "shell": "echo ready; exec sleep 30", "tty": true}),
    )
    .await;
    let pipe = d.sh("echo ready; exec sleep 30").await;
    for id in [&tty, &pipe] {
        assert!(
            eventually(Duration::from_secs(10), || async {
                raw_output(&d, id).await.contains("ready")
            })
            .await
        );
        input(&d, id, json!({"keys": ["ctrl-c"]})).await;
        let done = d.finished(id).await;
        assert_eq!(done["state"], "failed", "{done}");
        assert_eq!(done["signal"], "SIGINT", "{done}");
    }
    d.stop().await;
}

#[tokio::test]
async fn keys_of_a_pipe_task_and_unknown_keys() {
    let d = TestDaemon::start().await;
    let id = tty_task(
        &d,
        json!({"session": "s", "command": ["cat"], "stdin": "pipe"}),
    )
    .await;
    input(&d, &id, json!({"data": "a", "keys": ["tab", "enter"]})).await;
    assert_error(
        &d.post(&format!("/v1/tasks/{id}/stdin"), json!({"keys": ["up"]}))
            .await,
        400,
        "invalid_argument",
        "up",
    );
    assert_error(
        &d.post(
            &format!("/v1/tasks/{id}/resize"),
            json!({"rows": 10, "cols": 10}),
        )
        .await,
        409,
        "conflict",
        "terminal",
    );
    input(&d, &id, json!({"keys": ["ctrl-d"]})).await;
    assert_eq!(d.finished(&id).await["exit_code"], 0);
    assert_eq!(raw_output(&d, &id).await, "a\t\n");
    let tty = tty_task(&d, json!({"session": "s", "command": ["cat"], "tty": true})).await;
    assert_error(
        &d.post(
            &format!("/v1/tasks/{tty}/stdin"),
            json!({"keys": ["ctrl-1"]}),
        )
        .await,
        400,
        "invalid_argument",
        "ctrl-1",
    );
    d.stop().await;
}

#[tokio::test]
async fn stty_size_matches_and_resize_changes_tput_cols() {
    let d = TestDaemon::start().await;
    let size = tty_task(
        &d,
        json!({"session": "s", "command": ["stty", "size"], "tty": {"rows": 33, "cols": 77}}),
    )
    .await;
    d.finished(&size).await;
    assert_eq!(raw_output(&d, &size).await, "33 77\r\n");

    let script = "trap 'echo cols=$(tput cols)' WINCH; echo ready; while :; do sleep 0.05; done";
    let id = tty_task(&d, json!({"session": "s", "shell": script, "tty": true})).await;
    assert!(
        eventually(Duration::from_secs(10), || async {
            raw_output(&d, &id).await.contains("ready")
        })
        .await
    );
    let reply = d
        .post(
            &format!("/v1/tasks/{id}/resize"),
            json!({"rows": 20, "cols": 91}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["tty"], json!({"rows": 20, "cols": 91}));
    assert!(
        eventually(Duration::from_secs(10), || async {
            raw_output(&d, &id).await.contains("cols=91")
        })
        .await,
        "{}",
        raw_output(&d, &id).await
    );
    let shown = screen(&d, &id).await;
    assert_eq!(shown["screen"]["cols"], 91);
    assert_eq!(shown["screen"]["rows"], 20);
    assert_error(
        &d.post(
            &format!("/v1/tasks/{id}/resize"),
            json!({"rows": 0, "cols": 91}),
        )
        .await,
        400,
        "invalid_argument",
        "1..1000",
    );
    d.stop().await;
}

#[tokio::test]
async fn a_full_screen_program_renders_what_it_draws() {
    let d = TestDaemon::start().await;
    let file = d.home().join("lines.txt");
    let text: String = (1..=100).map(|n| format!("line {n}\n")).collect();
    std::fs::write(&file, text).expect("write file");
    let id = tty_task(
        &d,
        json!({"session": "s", "command": ["less", file.to_str().expect("path")],
               "tty": {"rows": 10, "cols": 40}, "env": {"LESS": "", "LESSHISTFILE": "-"}}),
    )
    .await;
    let first = wait_screen(&d, &id, |lines| lines.get(8).is_some_and(|l| l == "line 9")).await;
    let lines = first["screen"]["lines"].as_array().expect("lines").clone();
    assert_eq!(lines.len(), 10);
    for (n, line) in lines.iter().take(9).enumerate() {
        assert_eq!(line.as_str(), Some(format!("line {}", n + 1).as_str()));
    }
    input(&d, &id, json!({"keys": ["space"]})).await;
    wait_screen(&d, &id, |lines| {
        lines.first().is_some_and(|l| l == "line 10")
            && lines.get(8).is_some_and(|l| l == "line 18")
    })
    .await;
    input(&d, &id, json!({"data": "q"})).await;
    assert_eq!(d.finished(&id).await["exit_code"], 0);
    d.stop().await;
}

#[tokio::test]
async fn a_pipe_task_renders_at_40x120() {
    let d = TestDaemon::start().await;
    let id = d.sh("printf 'one\\ntwo\\033[1mbold'").await;
    d.finished(&id).await;
    let shown = screen(&d, &id).await;
    assert_eq!(shown["screen"]["rows"], 40);
    assert_eq!(shown["screen"]["cols"], 120);
    // Without a terminal "\n" only moves down a line.
    assert_eq!(shown["screen"]["lines"][0], "one");
    assert_eq!(shown["screen"]["lines"][1], "   twobold");
    assert_eq!(shown["screen"]["cursor"], json!({"row": 1, "col": 10}));
    assert_eq!(shown["total_bytes"], 15);
    d.stop().await;
}

#[tokio::test]
async fn a_python_server_that_buffers_on_pipes_logs_live_under_tty() {
    let d = TestDaemon::start().await;
    let script = "import time; print('serving on 8000'); time.sleep(60)";
    // An empty PYTHONUNBUFFERED is unset for Python, whatever the test's environment says.
    let env = json!({"PYTHONUNBUFFERED": ""});
    let pipe = d
        .create(json!({"session": "s", "command": ["python3", "-c", script], "env": env}))
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let tty = tty_task(
        &d,
        json!({"session": "s", "command": ["python3", "-c", script], "tty": true, "env": env}),
    )
    .await;
    assert!(
        eventually(Duration::from_secs(20), || async {
            raw_output(&d, &tty).await.contains("serving on 8000")
        })
        .await,
        "the tty task's line never showed"
    );
    assert_eq!(
        d.get(&format!("/v1/tasks/{tty}")).await.json()["state"],
        "running"
    );
    // Started first, the same program on a pipe still holds its line in its buffer.
    assert_eq!(raw_output(&d, &pipe).await, "");
    d.stop().await;
}
