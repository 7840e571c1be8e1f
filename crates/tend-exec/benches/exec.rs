//! Benchmarks of the shim against running commands directly: spawn-to-exit latency, output
//! throughput, and the memory of an idle shim. Run with `cargo bench -p tend-exec --bench exec`.
//!
//! The shim measured is this crate's `tend-exec-shim` binary; in production the shim is the
//! `tend` binary, which maps more code but touches the same pages on this path.
//!
//! On a machine shared with other work, latency is dominated by scheduling: the shim path
//! hands off between five processes where a direct spawn hands off once. Run it as
//! `chrt -f 50 target/release/deps/exec-* --bench spawn` to measure without that noise.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use tend_exec::{OutputLimits, ShimProgram, SpawnRequest, TaskEnd, procfs, spawn};

fn shim() -> ShimProgram {
    ShimProgram::new(env!("CARGO_BIN_EXE_tend-exec-shim"), Vec::<String>::new())
}

fn out(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `req` to its end; returns the time until `spawn` returned and until the end was seen.
fn timed_run(req: &SpawnRequest) -> (Duration, Duration) {
    let started = Instant::now();
    let process = spawn(req).expect("spawn");
    let spawned = started.elapsed();
    match process.wait_exit(None).expect("wait") {
        Some(TaskEnd::Finished(status)) => assert_eq!(status.exit_code(), Some(0)),
        other => panic!("unexpected end: {other:?}"),
    }
    (spawned, started.elapsed())
}

fn run_through_shim(req: &SpawnRequest) -> Duration {
    timed_run(req).1
}

fn spawn_to_exit(home: &std::path::Path, rounds: usize) {
    let mut shimmed = Vec::with_capacity(rounds);
    let mut spawned = Vec::with_capacity(rounds);
    let mut direct = Vec::with_capacity(rounds);
    for i in 0..rounds + 10 {
        let req = SpawnRequest::new(shim(), home.join(format!("true{i}")), ["true"]);
        let (to_spawned, through) = timed_run(&req);
        let started = Instant::now();
        let status = Command::new("true").status().expect("true");
        let plain = started.elapsed();
        assert!(status.success());
        if i >= 10 {
            spawned.push(to_spawned);
            shimmed.push(through);
            direct.push(plain);
        }
    }
    let (s50, d50) = (percentile(&mut shimmed, 0.5), percentile(&mut direct, 0.5));
    let (s90, d90) = (percentile(&mut shimmed, 0.9), percentile(&mut direct, 0.9));
    out(&format!(
        "spawn-to-exit of `true` ({rounds} rounds): shim median {:.3} ms (p90 {:.3}; spawn() \
         returned after {:.3} ms), direct median {:.3} ms (p90 {:.3}), extra per task {:.3} ms \
         (target <= 3 ms)",
        ms(s50),
        ms(s90),
        ms(percentile(&mut spawned, 0.5)),
        ms(d50),
        ms(d90),
        ms(s50.saturating_sub(d50))
    ));
}

fn throughput(home: &std::path::Path, bytes: u64, rounds: usize) {
    let mb = bytes as f64 / 1e6;
    let mut direct = Vec::new();
    let mut capped = Vec::new();
    let mut kept_all = Vec::new();
    for i in 0..rounds {
        let file = home.join(format!("direct{i}"));
        let started = Instant::now();
        let status = Command::new("sh")
            .args([
                "-c",
                &format!("yes | head -c {bytes} > '{}'", file.display()),
            ])
            .status()
            .expect("sh");
        direct.push(started.elapsed());
        assert!(status.success());
        std::fs::remove_file(&file).expect("remove");

        let script = format!("yes | head -c {bytes}");
        let req = SpawnRequest::new(
            shim(),
            home.join(format!("capped{i}")),
            ["sh", "-c", &script],
        );
        capped.push(run_through_shim(&req));
        std::fs::remove_dir_all(&req.task_dir).expect("remove");

        let mut req =
            SpawnRequest::new(shim(), home.join(format!("all{i}")), ["sh", "-c", &script]);
        req.limits = OutputLimits {
            head_bytes: 1 << 20,
            cap_bytes: bytes * 2,
        };
        kept_all.push(run_through_shim(&req));
        std::fs::remove_dir_all(&req.task_dir).expect("remove");
    }
    let rate = |d: Duration| mb / d.as_secs_f64();
    let d = percentile(&mut direct, 0.5);
    let c = percentile(&mut capped, 0.5);
    let k = percentile(&mut kept_all, 0.5);
    out(&format!(
        "throughput of {mb:.0} MB (median of {rounds}): direct `yes | head > file` {:.0} MB/s; \
         shim with default 64 MiB cap {:.0} MB/s ({:.0}% of direct); \
         shim keeping everything {:.0} MB/s ({:.0}% of direct) (target >= 70%)",
        rate(d),
        rate(c),
        100.0 * d.as_secs_f64() / c.as_secs_f64(),
        rate(k),
        100.0 * d.as_secs_f64() / k.as_secs_f64(),
    ));
}

fn pss_kib(pid: i32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    text.lines().find_map(|l| {
        l.strip_prefix("Pss:")?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    })
}

fn idle_memory(home: &std::path::Path, shims: usize) {
    let mut processes = Vec::new();
    for i in 0..shims {
        let req = SpawnRequest::new(shim(), home.join(format!("idle{i}")), ["sleep", "100"]);
        processes.push(spawn(&req).expect("spawn"));
    }
    // Let every shim reach its poll loop.
    std::thread::sleep(Duration::from_millis(200));
    let mut rss = Vec::new();
    let mut pss = Vec::new();
    for process in &processes {
        let pid = process.ids().shim_pid;
        rss.push(procfs::memory(pid).expect("memory").rss_bytes / 1024);
        pss.push(pss_kib(pid).unwrap_or(0));
    }
    for process in &processes {
        process.stop(Duration::from_secs(2)).expect("stop");
    }
    rss.sort();
    pss.sort();
    out(&format!(
        "idle shim memory ({shims} shims running `sleep`): RSS median {} KiB (max {}), \
         PSS median {} KiB (max {}) (target <= 2048 KiB)",
        rss[shims / 2],
        rss[shims - 1],
        pss[shims / 2],
        pss[shims - 1]
    ));
}

fn memory_under_load(home: &std::path::Path, bytes: u64) {
    let script = format!("yes | head -c {bytes}; read done || true");
    let mut req = SpawnRequest::new(shim(), home.join("load"), ["sh", "-c", &script]);
    req.stdin = tend_exec::StdinMode::Pipe;
    let process = spawn(&req).expect("spawn");
    let reader = process.output(tend_exec::Stream::Main);
    let mut cursor = 0;
    while cursor < bytes {
        reader
            .wait_for_growth(cursor, Duration::from_secs(60))
            .expect("wait");
        cursor = reader.counters().expect("counters").total_bytes;
    }
    let memory = procfs::memory(process.ids().shim_pid).expect("memory");
    process.close_stdin().expect("close");
    process.wait_exit(None).expect("wait");
    std::fs::remove_dir_all(&req.task_dir).expect("remove");
    out(&format!(
        "shim memory after {:.0} MB of output (64 MiB cap): peak RSS (VmHWM) {} KiB, RSS {} KiB",
        bytes as f64 / 1e6,
        memory.peak_rss_bytes / 1024,
        memory.rss_bytes / 1024
    ));
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs a quick smoke pass instead.
    // Extra arguments `spawn`, `throughput` or `memory` select parts (default: all).
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = !args.iter().any(|a| a == "--bench");
    let parts: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |part: &str| parts.is_empty() || parts.contains(&part);
    let home = tempfile::tempdir().expect("temp dir");
    let (rounds, bytes, repeats, shims) = if quick {
        (5, 10_000_000, 1, 2)
    } else {
        (300, 1 << 30, 3, 20)
    };
    if wants("spawn") {
        spawn_to_exit(home.path(), rounds);
    }
    if wants("throughput") {
        throughput(home.path(), bytes, repeats);
    }
    if wants("memory") {
        idle_memory(home.path(), shims);
        memory_under_load(home.path(), bytes);
    }
}
