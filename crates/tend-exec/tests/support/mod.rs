//! Shared helpers: building requests, waiting with deadlines, asserting nothing is left behind.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tend_exec::{
    OutputReader, ProcessIds, ShimProgram, SpawnRequest, Stream, TaskEnd, TaskProcess, TaskStatus,
    procfs,
};

/// The shim binary built with this crate.
pub fn shim() -> ShimProgram {
    ShimProgram::new(env!("CARGO_BIN_EXE_tend-exec-shim"), Vec::<String>::new())
}

/// A temporary home for one test: task directories live inside.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn task_dir(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A request for `argv` in task directory `name`.
    pub fn request<S: AsRef<str>>(&self, name: &str, argv: &[S]) -> SpawnRequest {
        SpawnRequest::new(
            shim(),
            self.task_dir(name),
            argv.iter().map(|a| a.as_ref().to_owned()),
        )
    }

    /// A request for `sh -c script`.
    pub fn sh(&self, name: &str, script: &str) -> SpawnRequest {
        self.request(name, &["sh", "-c", script])
    }
}

/// Polls `condition` every few milliseconds until it holds or `timeout` passes.
pub fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits for the task's end (at most 30 s) and returns its exit record.
pub fn finished(process: &TaskProcess) -> TaskStatus {
    match process
        .wait_exit(Some(Duration::from_secs(30)))
        .expect("wait")
    {
        Some(TaskEnd::Finished(status)) => status,
        other => panic!("task did not finish properly: {other:?}"),
    }
}

/// The whole main stream as text, read through the reader in small steps.
pub fn all_text(task_dir: &Path) -> String {
    let reader = OutputReader::new(task_dir, Stream::Main);
    let mut text = String::new();
    let mut cursor = 0;
    loop {
        let chunk = reader.read(cursor, 1 << 20).expect("read");
        text.push_str(&chunk.text());
        if chunk.next_cursor == cursor {
            return text;
        }
        cursor = chunk.next_cursor;
    }
}

/// Waits until the main stream contains `needle` (at most 10 s).
pub fn wait_for_text(task_dir: &Path, needle: &str) {
    let reader = OutputReader::new(task_dir, Stream::Main);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut cursor = 0;
    let mut seen = String::new();
    while !seen.contains(needle) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "timed out waiting for {needle:?}; output so far: {seen:?}"
        );
        reader
            .wait_for_growth(cursor, left)
            .expect("wait for growth");
        let chunk = reader.read(cursor, 1 << 20).expect("read");
        seen.push_str(&chunk.text());
        cursor = chunk.next_cursor;
    }
}

/// Reads a pid a command wrote to `path` (waiting for it, at most 10 s).
pub fn read_pid(path: &Path) -> i32 {
    let mut pid = None;
    let found = wait_until(Duration::from_secs(10), || {
        pid = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| t.trim().parse().ok());
        pid.is_some()
    });
    assert!(found, "no pid written to {}", path.display());
    pid.unwrap_or_default()
}

fn alive(pid: i32) -> bool {
    matches!(procfs::stat(pid), Ok(s) if !s.is_zombie())
}

fn session_members(sid: i32) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| matches!(procfs::stat(pid), Ok(s) if s.sid == sid && !s.is_zombie()))
        .collect()
}

/// Asserts that nothing of the task is left: shim, command, its group, the shim's session and
/// the `extra` pids (escaped descendants) are all gone.
pub fn assert_no_leftovers(ids: &ProcessIds, extra: &[i32]) {
    let mut left = Vec::new();
    let gone = wait_until(Duration::from_secs(5), || {
        left.clear();
        if ids.shim_is_alive() {
            left.push(format!("shim {}", ids.shim_pid));
        }
        if ids.command_is_alive() {
            left.push(format!("command {}", ids.pid));
        }
        for pid in procfs::group_members(ids.pgid).unwrap_or_default() {
            left.push(format!("group member {pid}"));
        }
        for pid in session_members(ids.shim_pid) {
            left.push(format!("session member {pid}"));
        }
        for &pid in extra {
            if alive(pid) {
                left.push(format!("descendant {pid}"));
            }
        }
        left.is_empty()
    });
    assert!(gone, "processes left behind: {left:?}");
}

/// Asserts that `pids` are all gone (waiting up to 5 s).
pub fn assert_gone(pids: &[i32]) {
    let gone = wait_until(Duration::from_secs(5), || pids.iter().all(|&p| !alive(p)));
    assert!(gone, "processes left behind: {pids:?}");
}

/// Pids of the live processes whose environment holds `TEND_TASK=marker`, scanned from /proc.
pub fn marked_pids(marker: &str) -> Vec<i32> {
    let entry = format!("{}={marker}", tend_exec::MARKER_VAR).into_bytes();
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| alive(pid))
        .filter(|&pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|&b| b == 0).any(|e| e == entry.as_slice()))
        })
        .collect()
}
