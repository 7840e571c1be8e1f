//! Benchmarks of the `tend` binary against a warm daemon in a temporary home:
//!
//! 1. `tend run -- true` round trip, from process start to the id printed: median, p90 and
//!    minimum over `--runs` runs (default 100).
//! 2. `--tasks` (default 1,000) `true` tasks created through the API and all awaited, wall
//!    time, with one create request in flight at a time and with 16; beside the same number of
//!    `sh -c true` spawned and awaited one after another by a shell loop.
//!
//! Run with `cargo bench -p tend-cli --bench cli [-- --runs N --tasks N]` or
//! `bench/cli_roundtrip.sh`.

// The report is this program's output.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tend_client::{Client, wait_for};
use tend_core::State;
use tend_proto::{CreateTaskParams, WaitMode, WaitParams};

const TEND: &str = env!("CARGO_BIN_EXE_tend");

fn tend(home: &Path, args: &[&str]) -> std::process::Output {
    let output = Command::new(TEND)
        .args(args)
        .env("TEND_HOME", home)
        .env_remove("TEND_NO_AUTOSTART")
        .stdin(Stdio::null())
        .output()
        .expect("tend runs");
    assert!(
        output.status.success(),
        "tend {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn option(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|arg| arg == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn round_trip(home: &Path, runs: usize) {
    for _ in 0..5 {
        tend(home, &["run", "--", "true"]);
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let output = tend(home, &["run", "--", "true"]);
            let elapsed = started.elapsed();
            assert!(output.stdout.starts_with(b"t"));
            elapsed
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "tend run -- true round trip ({runs} runs): median {:.2} ms, p90 {:.2} ms, min {:.2} ms",
        millis(at(0.5)),
        millis(at(0.9)),
        millis(times[0])
    );
}

/// Creates `count` `true` tasks with `concurrency` requests in flight and waits for all;
/// answers the wall time and the time the creates took.
fn create_and_finish(home: &Path, count: usize, concurrency: usize) -> (Duration, Duration) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::new(home);
    runtime.block_on(async {
        let started = Instant::now();
        let mut ids = Vec::with_capacity(count);
        let mut next = 0;
        while next < count {
            let batch = concurrency.min(count - next);
            let creates = (0..batch).map(|_| {
                let params = CreateTaskParams::command("bench", ["true"]);
                let client = client.clone();
                async move { client.create_task(&params).await.expect("created").task.id }
            });
            ids.extend(futures_util::future::join_all(creates).await);
            next += batch;
        }
        let created = started.elapsed();
        let mut tasks = Vec::new();
        for chunk in ids.chunks(tend_proto::MAX_WAIT_IDS) {
            let params = WaitParams {
                ids: Some(chunk.to_vec()),
                mode: Some(WaitMode::All),
                ..WaitParams::default()
            };
            let answer = wait_for(&client, &params, Some(Duration::from_secs(600)))
                .await
                .unwrap();
            assert!(answer.done, "the tasks did not finish");
            tasks.extend(answer.tasks);
        }
        assert!(tasks.iter().all(|task| task.state == State::Completed));
        (started.elapsed(), created)
    })
}

fn many_tasks(home: &Path, count: usize) {
    let script = format!("i=0; while [ $i -lt {count} ]; do sh -c true; i=$((i+1)); done");
    let started = Instant::now();
    let status = Command::new("sh").args(["-c", &script]).status().unwrap();
    assert!(status.success());
    let shell = started.elapsed();
    println!(
        "{count} `sh -c true` one after another in a shell loop: {:.0} ms ({:.2} ms each)",
        millis(shell),
        millis(shell) / count as f64,
    );
    for concurrency in [1, 16] {
        let (elapsed, created) = create_and_finish(home, count, concurrency);
        println!(
            "{count} `true` tasks through the API, {concurrency} request(s) in flight: all \
             finished in {:.0} ms ({:.2} ms per task, creates {:.0} ms); tend / shell = {:.2}x",
            millis(elapsed),
            millis(elapsed) / count as f64,
            millis(created),
            elapsed.as_secs_f64() / shell.as_secs_f64()
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|arg| arg == "--list") {
        return;
    }
    let runs = option(&args, "--runs", 100).max(1);
    let tasks = option(&args, "--tasks", 1000).max(1);
    let home = tempfile::Builder::new()
        .prefix("tend-bench-")
        .tempdir()
        .unwrap();
    tend(home.path(), &["daemon", "start"]);
    round_trip(home.path(), runs);
    many_tasks(home.path(), tasks);
    tend(home.path(), &["daemon", "stop", "--kill-tasks"]);
}
