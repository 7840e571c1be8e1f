//! Test support: a temporary home with the real `tend` binary, commands run with deadlines,
//! and waiting for conditions without bare sleeps.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary under test.
pub const TEND: &str = env!("CARGO_BIN_EXE_tend");

/// How long any one command may take before the test fails.
const COMMAND_DEADLINE: Duration = Duration::from_secs(30);

/// A temporary home. Dropping it stops its daemon with `--kill-tasks`, so no process is left.
pub struct Home {
    dir: tempfile::TempDir,
}

/// What a finished command did.
#[derive(Debug)]
pub struct Outcome {
    /// The exit code (`-1` when killed by a signal).
    pub code: i32,
    /// Its stdout, byte for byte.
    pub stdout: Vec<u8>,
    /// Its stderr.
    pub stderr: String,
    /// How long it ran.
    pub elapsed: Duration,
}

impl Outcome {
    /// Stdout as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Stdout as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {:?}", self.text()))
    }

    /// Stdout as JSON lines.
    pub fn json_lines(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }
}

impl Home {
    /// A fresh, empty home (no daemon yet).
    pub fn new() -> Self {
        Self {
            dir: tempfile::Builder::new()
                .prefix("tend-cli-")
                .tempdir()
                .expect("a temp dir"),
        }
    }

    /// The home's path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A `tend` command for this home with a clean environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(TEND);
        command
            .args(args)
            .env("TEND_HOME", self.path())
            .env_remove("TEND_SESSION")
            .env_remove("TEND_NO_AUTOSTART")
            .env_remove("NO_COLOR")
            .env_remove("XDG_STATE_HOME")
            .current_dir(self.path())
            .stdin(Stdio::null());
        command
    }

    /// Runs a prepared command to its end (failing the test after a deadline).
    pub fn output_of(&self, mut command: Command) -> Outcome {
        let scratch = tempfile::tempdir().expect("a temp dir");
        let out_path = scratch.path().join("stdout");
        let err_path = scratch.path().join("stderr");
        command
            .stdout(File::create(&out_path).unwrap())
            .stderr(File::create(&err_path).unwrap());
        let started = Instant::now();
        let mut child = command.spawn().expect("tend starts");
        let status = wait_child(&mut child, COMMAND_DEADLINE)
            .unwrap_or_else(|| panic!("{command:?} did not end within {COMMAND_DEADLINE:?}"));
        Outcome {
            code: status.code().unwrap_or(-1),
            stdout: std::fs::read(&out_path).unwrap(),
            stderr: std::fs::read_to_string(&err_path).unwrap(),
            elapsed: started.elapsed(),
        }
    }

    /// Runs `tend ARGS...`.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.output_of(self.command(args))
    }

    /// Runs `tend ARGS...`, which must exit 0; answers stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let outcome = self.run(args);
        assert_eq!(outcome.code, 0, "tend {args:?} failed: {}", outcome.stderr);
        outcome.text()
    }

    /// Runs `tend --json ARGS...`, which must exit 0; answers the document.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let outcome = self.run(&all);
        assert_eq!(outcome.code, 0, "tend {all:?} failed: {}", outcome.stderr);
        outcome.json()
    }

    /// Starts a task with `tend run ARGS...`; answers its id.
    pub fn start(&self, args: &[&str]) -> String {
        let mut all = vec!["run"];
        all.extend_from_slice(args);
        let id = self.ok(&all);
        let id = id.trim_end_matches('\n');
        assert!(is_task_id(id), "run printed {id:?}");
        id.to_owned()
    }

    /// The record of a task.
    pub fn record(&self, id: &str) -> Value {
        self.json(&["show", id])
    }

    /// Waits until the task is terminal; answers its record.
    pub fn finished(&self, id: &str) -> Value {
        let outcome = self.run(&["wait", id, "--timeout", "20s"]);
        assert!(
            matches!(outcome.code, 0 | 1),
            "tend wait {id}: {}",
            outcome.stderr
        );
        self.record(id)
    }

    /// Waits until the task has written `text` (a task that wrote something has started and
    /// holds its stdin open).
    pub fn wait_for_output(&self, id: &str, text: &str) {
        eventually(
            &format!("{id} to print {text:?}"),
            Duration::from_secs(10),
            || self.ok(&["logs", id]).contains(text),
        );
    }

    /// The events of type `kind` about task `id`, from the start of the log.
    pub fn events_of(&self, id: &str, kind: &str) -> Vec<Value> {
        self.run(&["events", "--json"])
            .json_lines()
            .into_iter()
            .filter(|e| e["type"] == kind && e["task_id"] == id)
            .collect()
    }

    /// The pid of the running daemon.
    pub fn daemon_pid(&self) -> u32 {
        let health = self.json(&["daemon", "status"]);
        u32::try_from(health["pid"].as_u64().expect("a pid")).unwrap()
    }

    /// `daemon.log`.
    pub fn log(&self) -> PathBuf {
        self.path().join("daemon.log")
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let mut command = self.command(&["daemon", "stop", "--kill-tasks", "--grace", "1s"]);
        command.stdout(Stdio::null()).stderr(Stdio::null());
        if let Ok(mut child) = command.spawn() {
            let _ = wait_child(&mut child, COMMAND_DEADLINE);
        }
    }
}

/// Waits for a child for up to `limit`; kills it when time runs out.
pub fn wait_child(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Polls `condition` until it holds, failing the test after `limit`.
pub fn eventually(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether a process exists and is not a zombie.
pub fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Whether `text` is a task id `t<N>`.
pub fn is_task_id(text: &str) -> bool {
    text.strip_prefix('t')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A TCP port of the loopback address that nothing listens on at the moment of asking.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}
