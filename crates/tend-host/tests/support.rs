//! Helpers: a temp home, a runtime on it with the fixture binary as shim, deadlines.

use std::path::Path;
use std::time::{Duration, Instant};

use tend_core::{CreateTask, Task, TaskId};
use tend_host::{Host, HostOptions, Settings, WaitMode};

pub const FIXTURE: &str = env!("CARGO_BIN_EXE_tend-host-fixture");

pub fn shim() -> tend_exec::ShimProgram {
    tend_exec::ShimProgram::new(FIXTURE, ["__shim"])
}

pub async fn open(home: &Path) -> Host {
    open_with(home, Settings::default()).await
}

pub async fn open_with(home: &Path, settings: Settings) -> Host {
    let mut options = HostOptions::new(home, shim());
    options.settings = Some(settings);
    Host::open(options).await.expect("open the runtime")
}

pub fn sh(session: &str, script: &str) -> CreateTask {
    CreateTask::shell(session, ["sh", "-c", script])
}

pub async fn wait_done(host: &Host, id: TaskId, within: Duration) -> Task {
    let result = host
        .wait(vec![id], WaitMode::All, within)
        .await
        .expect("wait");
    assert!(
        result.done,
        "{id} did not finish within {within:?}: {:?}",
        result.tasks[0]
    );
    result.tasks.into_iter().next().unwrap()
}

/// Reads a task's whole main stream.
pub fn output_of(host: &Host, id: TaskId) -> Vec<u8> {
    let reader = tend_exec::OutputReader::new(host.task_dir(id), tend_exec::Stream::Main);
    let mut out = Vec::new();
    let mut cursor = 0;
    loop {
        let chunk = reader.read_raw(cursor, 1 << 20).expect("read output");
        out.extend_from_slice(&chunk.data);
        if chunk.next_cursor == cursor {
            return out;
        }
        cursor = chunk.next_cursor;
    }
}

/// Whether a process exists.
pub fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
            s.rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z'))
        })
}

/// Polls `condition` until it holds or `within` passes.
pub fn eventually(within: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::yield_now();
        std::thread::park_timeout(Duration::from_millis(20));
    }
}

/// Pids of the live processes whose environment holds `TEND_TASK=marker`, scanned from /proc.
pub fn marked_pids(marker: &str) -> Vec<u32> {
    let entry = format!("{}={marker}", tend_exec::MARKER_VAR).into_bytes();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| alive(pid))
        .filter(|&pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|&b| b == 0).any(|e| e == entry.as_slice()))
        })
        .collect()
}

/// Reads a pid a command wrote to `path`, waiting up to 10 s for it.
pub fn read_pid(path: &Path) -> u32 {
    let mut pid = None;
    let found = eventually(Duration::from_secs(10), || {
        pid = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| t.trim().parse().ok());
        pid.is_some()
    });
    assert!(found, "no pid written to {}", path.display());
    pid.unwrap()
}

#[path = "../../../testing/tmpfs.rs"]
mod tmpfs;
pub use tmpfs::Tmpfs;
