//! The processes of a running task, read from `/proc`: every process that carries the task's
//! marker (the command and all its descendants, those that left its group and session
//! included), or, for a launch recorded without a marker, the command's process group.

use std::fs;
use std::io;
use std::path::Path;

use crate::marker;
use crate::procfs;
use crate::runtime::ids::ProcessIds;

/// One process of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInfo {
    /// Process id.
    pub pid: u32,
    /// Parent process id.
    pub ppid: u32,
    /// Process group id.
    pub pgid: u32,
    /// Session id.
    pub sid: u32,
    /// State letter from `/proc/<pid>/stat`: `R` running, `S` sleeping, `D` disk wait, `T`
    /// stopped, `Z` zombie, ...
    pub state: String,
    /// User and system CPU time used so far, in milliseconds.
    pub cpu_ms: u64,
    /// Resident memory in bytes.
    pub rss_bytes: u64,
    /// The command line (arguments separated by spaces; empty for a kernel thread or zombie).
    pub args: String,
}

/// CPU clock ticks per second (`sysconf(_SC_CLK_TCK)`).
fn ticks_per_second() -> u64 {
    // SAFETY: sysconf with a constant name has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks).ok().filter(|&t| t > 0).unwrap_or(100)
}

/// User plus system time of `pid` in clock ticks (fields 14 and 15 of `/proc/<pid>/stat`).
fn cpu_ticks(pid: i32) -> Option<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_ascii_whitespace().collect();
    // `fields[0]` is field 3, so field N is `fields[N - 3]`.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

fn args(pid: i32) -> String {
    fs::read(format!("/proc/{pid}/cmdline"))
        .map(|raw| {
            raw.split(|&b| b == 0)
                .filter(|arg| !arg.is_empty())
                .map(String::from_utf8_lossy)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

fn info(pid: i32, start_time: u64, per_second: u64) -> Option<ProcessInfo> {
    let stat = procfs::stat(pid).ok()?;
    if stat.start_time != start_time {
        return None;
    }
    let unsigned = |n: i32| u32::try_from(n).unwrap_or(0);
    Some(ProcessInfo {
        pid: unsigned(pid),
        ppid: unsigned(stat.ppid),
        pgid: unsigned(stat.pgid),
        sid: unsigned(stat.sid),
        state: stat.state.to_string(),
        cpu_ms: cpu_ticks(pid).unwrap_or(0) * 1000 / per_second,
        rss_bytes: procfs::memory(pid).map_or(0, |m| m.rss_bytes),
        args: args(pid),
    })
}

/// The live processes of the task whose directory is `task_dir`, sorted by pid; empty when its
/// command has not started or no process of it is left.
pub fn task_processes(task_dir: &Path) -> io::Result<Vec<ProcessInfo>> {
    let Some(ids) = ProcessIds::read(task_dir)? else {
        return Ok(Vec::new());
    };
    let found: Vec<(i32, u64)> = match &ids.marker {
        Some(mark) => marker::marked(mark),
        None => procfs::group_members(ids.pgid)?
            .into_iter()
            .filter_map(|pid| procfs::start_time(pid).map(|start| (pid, start)))
            .collect(),
    };
    let per_second = ticks_per_second();
    let mut processes: Vec<ProcessInfo> = found
        .into_iter()
        .filter_map(|(pid, start)| info(pid, start, per_second))
        .filter(|p| p.state != "Z" && p.state != "X")
        .collect();
    processes.sort_by_key(|p| p.pid);
    Ok(processes)
}
