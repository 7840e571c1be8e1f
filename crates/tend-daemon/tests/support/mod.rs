//! A daemon on a temporary home and a small HTTP client over its socket.

pub mod client;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use tempfile::TempDir;
use tend_daemon::{Daemon, DaemonError, DaemonOptions, ShutdownHandle};
use tend_exec::ShimProgram;
use tokio::task::JoinHandle;

pub use client::Reply;

/// The test shim binary of tend-exec, built beside this test executable
/// (`cargo build -p tend-exec --bin tend-exec-shim`).
pub fn shim() -> ShimProgram {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile> directory");
    let path = profile_dir.join("tend-exec-shim");
    assert!(
        path.exists(),
        "{} is missing: build it first with `cargo build -p tend-exec --bin tend-exec-shim`",
        path.display()
    );
    ShimProgram::new(path, Vec::<String>::new())
}

/// A daemon serving a temporary home until dropped or stopped.
pub struct TestDaemon {
    home: Option<TempDir>,
    pub socket: PathBuf,
    pub handle: ShutdownHandle,
    join: Option<JoinHandle<Result<(), DaemonError>>>,
}

impl TestDaemon {
    /// A daemon with the default options.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// A daemon with options adjusted by `adjust`.
    pub async fn start_with(adjust: impl FnOnce(&mut DaemonOptions)) -> Self {
        Self::start_in(tempfile::tempdir().expect("temp home"), adjust).await
    }

    /// A daemon on an existing home (for instance the home of a stopped daemon).
    pub async fn start_in(home: TempDir, adjust: impl FnOnce(&mut DaemonOptions)) -> Self {
        let mut options = DaemonOptions::new(home.path(), shim());
        adjust(&mut options);
        let daemon = Daemon::start(options).await.expect("daemon starts");
        let socket = daemon.socket();
        let handle = daemon.shutdown_handle();
        let join = tokio::spawn(daemon.serve());
        Self {
            home: Some(home),
            socket,
            handle,
            join: Some(join),
        }
    }

    /// The home directory.
    pub fn home(&self) -> &Path {
        self.home.as_ref().expect("home").path()
    }

    /// Sends a request with a JSON (or any) body.
    pub async fn request(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        client::send(
            &self.socket,
            method,
            path,
            &[],
            body.unwrap_or_default().as_bytes(),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.request("POST", path, Some(&body.to_string())).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.request("PUT", path, Some(&body.to_string())).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.request("DELETE", path, None).await
    }

    /// Creates a task from `body`, asserting 201; answers the record.
    pub async fn create(&self, body: Value) -> Value {
        let reply = self.post("/v1/tasks", body).await;
        assert_eq!(reply.status, 201, "{}", reply.text());
        reply.json()["task"].clone()
    }

    /// Creates a shell task running `sh -c script` in session `s`; answers its id.
    pub async fn sh(&self, script: &str) -> String {
        let task = self.create(json!({"session": "s", "shell": script})).await;
        task["id"].as_str().expect("id").to_owned()
    }

    /// Waits for `id` to end (at most 20 s); answers the record.
    pub async fn finished(&self, id: &str) -> Value {
        let reply = self
            .post("/v1/wait", json!({"ids": [id], "timeout_ms": 20_000}))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let body = reply.json();
        assert_eq!(body["done"], true, "{id} did not end: {body}");
        body["tasks"][0].clone()
    }

    /// Stops the daemon, stopping every task first; waits until it is gone.
    pub async fn stop(mut self) {
        let reply = self
            .post(
                "/v1/daemon/stop",
                json!({"kill_tasks": true, "grace_ms": 200}),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        self.join_daemon().await;
    }

    /// Stops the daemon, leaving its tasks running; answers its home for the next daemon.
    pub async fn stop_keeping_tasks(mut self) -> TempDir {
        let reply = self.post("/v1/daemon/stop", json!({})).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.json(), json!({"stopping": true, "tasks": []}));
        self.join_daemon().await;
        self.home.take().expect("home")
    }

    /// Waits for a stopping daemon to end, then starts a new one on the same home.
    pub async fn restart(mut self) -> TestDaemon {
        self.join_daemon().await;
        let home = self.home.take().expect("home");
        TestDaemon::start_in(home, |_| {}).await
    }

    /// Waits for the daemon's serve loop to end (after a stop).
    pub async fn join_daemon(&mut self) {
        if let Some(join) = self.join.take() {
            tokio::time::timeout(Duration::from_secs(20), join)
                .await
                .expect("daemon stops in time")
                .expect("daemon task")
                .expect("daemon ends cleanly");
        }
    }
}

impl Drop for TestDaemon {
    fn drop(&mut self) {
        self.handle.trigger();
    }
}

/// Polls `check` until it holds, at most `timeout`.
pub async fn eventually<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Asserts an error answer: its status, its code, and that the message names `needle`.
pub fn assert_error(reply: &Reply, status: u16, code: &str, needle: &str) {
    assert_eq!(reply.status, status, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(needle),
        "message {message:?} does not name {needle:?}"
    );
}
