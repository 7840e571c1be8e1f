//! Reads process facts from `/proc`: start times, states, children and memory use.

use std::fs;
use std::io::{self, Read};

/// What `/proc/<pid>/stat` says about a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcStat {
    /// State letter: `R`, `S`, `D`, `Z` (zombie), `T`, ...
    pub state: char,
    /// Parent pid.
    pub ppid: i32,
    /// Process group id.
    pub pgid: i32,
    /// Session id.
    pub sid: i32,
    /// Start time in clock ticks after boot (field 22); with the pid it names one process.
    pub start_time: u64,
}

impl ProcStat {
    /// True when the process has exited and waits to be reaped.
    pub fn is_zombie(&self) -> bool {
        self.state == 'Z' || self.state == 'X'
    }
}

/// Reads `/proc/<pid>/stat`; `NotFound` when no such process exists.
pub fn stat(pid: i32) -> io::Result<ProcStat> {
    let text = read_small(&format!("/proc/{pid}/stat"))?;
    parse_stat(&text).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unparsable /proc/{pid}/stat"),
        )
    })
}

fn parse_stat(text: &str) -> Option<ProcStat> {
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_ascii_whitespace().collect();
    // `fields[0]` is field 3 (state), so field N is `fields[N - 3]`.
    Some(ProcStat {
        state: fields.first()?.chars().next()?,
        ppid: fields.get(1)?.parse().ok()?,
        pgid: fields.get(2)?.parse().ok()?,
        sid: fields.get(3)?.parse().ok()?,
        start_time: fields.get(19)?.parse().ok()?,
    })
}

/// Reads a small /proc file with one system call in the common case.
fn read_small(path: &str) -> io::Result<String> {
    let mut text = String::with_capacity(1024);
    fs::File::open(path)?.read_to_string(&mut text)?;
    Ok(text)
}

/// Start time of `pid` in clock ticks after boot, or `None` when no such process exists.
pub fn start_time(pid: i32) -> Option<u64> {
    stat(pid).ok().map(|s| s.start_time)
}

/// True when `pid` is alive (not a zombie) and started at `start_time`: the same process.
pub fn is_alive(pid: i32, start_time: u64) -> bool {
    matches!(stat(pid), Ok(s) if s.start_time == start_time && !s.is_zombie())
}

/// Direct children of `pid` (all its threads), from `/proc/<pid>/task/*/children`.
pub fn children(pid: i32) -> io::Result<Vec<i32>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(format!("/proc/{pid}/task"))? {
        let tid = entry?.file_name();
        match thread_children(pid, tid.to_str().unwrap_or_default()) {
            Ok(children) => out.extend(children),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Children forked by one thread `tid` of `pid` (for a single-threaded process, `tid = pid`).
pub fn thread_children(pid: i32, tid: &str) -> io::Result<Vec<i32>> {
    let text = read_small(&format!("/proc/{pid}/task/{tid}/children"))?;
    Ok(text
        .split_ascii_whitespace()
        .filter_map(|p| p.parse::<i32>().ok())
        .collect())
}

/// Every live process whose process group is `pgid`, found by scanning `/proc`.
pub fn group_members(pgid: i32) -> io::Result<Vec<i32>> {
    let mut out = Vec::new();
    for entry in fs::read_dir("/proc")? {
        let Some(pid) = entry?
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        if matches!(stat(pid), Ok(s) if s.pgid == pgid && !s.is_zombie()) {
            out.push(pid);
        }
    }
    Ok(out)
}

/// Every live process of the calling user whose environment holds `entry` (a whole
/// `NAME=value` string), with its start time, found by scanning `/proc`. The calling process
/// itself is left out.
///
/// `/proc/<pid>/environ` shows the environment a process was started with (what `execve`
/// received), so a process that changes its own variables still matches; one that `exec`s a
/// program with a cleared or rewritten environment does not. Processes whose environment
/// cannot be read (another user's, or not dumpable) are left out.
pub fn with_env_entry(entry: &[u8]) -> io::Result<Vec<(i32, u64)>> {
    use std::os::unix::fs::MetadataExt;

    let me = std::process::id() as i32;
    // SAFETY: geteuid has no arguments and cannot fail.
    let uid = unsafe { libc::geteuid() };
    let mut out = Vec::new();
    for dirent in fs::read_dir("/proc")? {
        let dirent = dirent?;
        let Some(pid) = dirent
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        if pid == me || !dirent.metadata().is_ok_and(|m| m.uid() == uid) {
            continue;
        }
        let Ok(before) = stat(pid) else { continue };
        if before.is_zombie() {
            continue;
        }
        let Ok(environ) = fs::read(format!("/proc/{pid}/environ")) else {
            continue;
        };
        if !environ.split(|&b| b == 0).any(|e| e == entry) {
            continue;
        }
        // The environment read belongs to the process seen before if the pid still names it.
        if matches!(stat(pid), Ok(after) if after.start_time == before.start_time) {
            out.push((pid, before.start_time));
        }
    }
    Ok(out)
}

/// Resident memory of a process, from `/proc/<pid>/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Current resident set size (`VmRSS`) in bytes.
    pub rss_bytes: u64,
    /// Peak resident set size (`VmHWM`) in bytes.
    pub peak_rss_bytes: u64,
}

/// Reads the memory use of `pid`.
pub fn memory(pid: i32) -> io::Result<Memory> {
    let text = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024)
    };
    Ok(Memory {
        rss_bytes: field("VmRSS:"),
        peak_rss_bytes: field("VmHWM:"),
    })
}

/// The kernel's boot id: start times only compare within one boot.
pub fn boot_id() -> io::Result<String> {
    Ok(fs::read_to_string("/proc/sys/kernel/random/boot_id")?
        .trim()
        .to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_odd_command_names() {
        let line = "42 (a) b (c)) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 0 0";
        let s = parse_stat(line).unwrap();
        assert_eq!(
            (s.state, s.ppid, s.pgid, s.sid, s.start_time),
            ('S', 1, 42, 42, 123456)
        );
    }

    #[test]
    fn reads_own_process() {
        let me = std::process::id() as i32;
        let s = stat(me).unwrap();
        assert!(is_alive(me, s.start_time));
        assert!(!is_alive(me, s.start_time + 1));
        assert!(memory(me).unwrap().rss_bytes > 0);
    }
}
