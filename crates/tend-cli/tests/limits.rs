//! The daemon's limits seen from outside, on the real binary: idle MCP HTTP connections, slow
//! readers of large outputs, and the open files limit.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use nix::sys::resource::{Resource, getrlimit};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::support::{Home, TEND, eventually, wait_child};

/// Descriptors open in process `pid`.
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(Iterator::count)
        .unwrap_or(0)
}

/// Resident memory of process `pid`, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .expect("VmRSS");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("a number");
    kib * 1024
}

/// The soft and hard "Max open files" of process `pid`.
fn open_files_limits(pid: u32) -> (u64, u64) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .expect("Max open files");
    let mut numbers = line
        .split_whitespace()
        .filter_map(|word| word.parse::<u64>().ok());
    (numbers.next().unwrap(), numbers.next().unwrap())
}

/// Starts `tend daemon` in the foreground under `limits` (shell `ulimit` commands); answers
/// the child once the daemon answers.
fn daemon_under(home: &Home, limits: &str) -> Child {
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(format!("{limits}; exec \"$0\" daemon"))
        .arg(TEND)
        .env("TEND_HOME", home.path())
        .env_remove("TEND_SESSION")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let child = command.spawn().unwrap();
    eventually("the daemon to answer", Duration::from_secs(15), || {
        let mut status = home.command(&["daemon", "status"]);
        status.env("TEND_NO_AUTOSTART", "1");
        home.output_of(status).code == 0
    });
    child
}

fn stop(home: &Home, mut daemon: Child) {
    home.ok(&["daemon", "stop", "--kill-tasks", "--grace", "1s"]);
    wait_child(&mut daemon, Duration::from_secs(20)).expect("the daemon stops");
}

#[test]
fn idle_mcp_http_connections_are_capped_and_closed_and_the_cli_still_answers() {
    let home = Home::new();
    let port = crate::support::free_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut daemon = home
        .command(&["daemon", "--mcp-http", &addr.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually("the MCP endpoint", Duration::from_secs(10), || {
        std::net::TcpStream::connect(addr).is_ok()
    });
    let pid = daemon.id();
    // The probe connections above are gone once the daemon's count settles.
    let before = open_fds(pid);
    let started = Instant::now();
    // More idle connections than the cap (256), none with the token.
    let idle: Vec<std::net::TcpStream> = (0..300)
        .map(|_| std::net::TcpStream::connect(addr).unwrap())
        .collect();
    // The daemon accepts up to its cap and leaves the rest in the backlog.
    let mut most = 0;
    eventually(
        "the daemon to accept up to its cap",
        Duration::from_secs(5),
        || {
            most = most.max(open_fds(pid));
            most >= before + 250
        },
    );
    assert!(
        home.run(&["ls"]).code == 0,
        "the CLI answers while idle MCP connections are open"
    );
    for _ in 0..20 {
        most = most.max(open_fds(pid));
    }
    eprintln!(
        "mcp idle connections: 300 opened, daemon fds {before} before, at most {most} while held"
    );
    assert!(
        most <= before + 256 + 8,
        "the daemon holds {most} descriptors for 300 idle connections (had {before})"
    );
    // Idle connections are closed after the idle (header) timeout of 10 s.
    let mut first = &idle[0];
    first
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let read = first.read(&mut [0; 64]);
    let closed_after = started.elapsed();
    assert!(
        matches!(read, Ok(0))
            || read.is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
        "an idle connection is closed"
    );
    assert!(
        closed_after < Duration::from_secs(25),
        "closed after {closed_after:?}"
    );
    drop(idle);
    kill(Pid::from_raw(i32::try_from(pid).unwrap()), Signal::SIGTERM).unwrap();
    wait_child(&mut daemon, Duration::from_secs(15)).expect("the daemon stops");
}

#[test]
fn slow_readers_of_a_large_output_cost_bounded_memory_and_the_daemon_keeps_answering() {
    const BIG: usize = 16 * 1024 * 1024;
    let home = Home::new();
    let id = home.start(&["--sh", "head -c 16777216 /dev/zero | tr '\\0' a"]);
    let record = home.finished(&id);
    assert_eq!(record["output"]["total_bytes"], BIG, "{record}");
    let pid = home.daemon_pid();
    let baseline = rss(pid);
    // 50 clients ask for the whole output and never read the answer.
    let socket = home.path().join("tend.sock");
    let slow: Vec<UnixStream> = (0..50)
        .map(|i| {
            let format = if i % 2 == 0 { "raw" } else { "json" };
            let mut stream = UnixStream::connect(&socket).unwrap();
            let request = format!(
                "GET /v1/tasks/{id}/output?max_bytes={BIG}&format={format} HTTP/1.1\r\nHost: tend\r\n\r\n"
            );
            stream.write_all(request.as_bytes()).unwrap();
            stream
        })
        .collect();
    // Memory is sampled while they hang; the daemon keeps answering meanwhile.
    let mut peak = baseline;
    let sampling = Instant::now();
    while sampling.elapsed() < Duration::from_secs(6) {
        peak = peak.max(rss(pid));
        let status = home.run(&["daemon", "status"]);
        assert_eq!(status.code, 0, "{}", status.stderr);
        assert!(
            status.elapsed < Duration::from_secs(5),
            "health took {:?} with slow readers",
            status.elapsed
        );
    }
    drop(slow);
    let mut after = rss(pid);
    eventually("memory to come back down", Duration::from_secs(20), || {
        after = rss(pid);
        after < baseline + 150 * 1024 * 1024
    });
    let mib = |bytes: u64| bytes / (1024 * 1024);
    eprintln!(
        "50 slow readers of 16 MiB: RSS {} MiB before, peak {} MiB while held, {} MiB after",
        mib(baseline),
        mib(peak),
        mib(after)
    );
    assert!(
        peak < baseline + 200 * 1024 * 1024,
        "RSS grew from {} MiB to {} MiB",
        mib(baseline),
        mib(peak)
    );
}

#[test]
fn the_open_files_limit_is_raised_and_tasks_beyond_it_are_refused_as_unavailable() {
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    // A low soft limit under a higher hard one: the daemon raises the soft limit.
    let home = Home::new();
    let daemon = daemon_under(&home, "ulimit -Sn 256");
    let (soft, daemon_hard) = open_files_limits(daemon.id());
    assert_eq!(
        soft, daemon_hard,
        "the soft limit is raised to the hard one"
    );
    assert_eq!(daemon_hard, hard);
    let health = home.json(&["daemon", "status"]);
    assert_eq!(health["capacity"]["open_files_limit"], soft, "{health}");
    assert!(
        health["capacity"]["max_live_tasks"].as_u64().unwrap() > 0,
        "{health}"
    );
    stop(&home, daemon);

    // A low hard limit: tasks beyond the capacity are refused, never failed as spawn_failed.
    let home = Home::new();
    let daemon = daemon_under(&home, "ulimit -Sn 150; ulimit -Hn 200");
    assert_eq!(open_files_limits(daemon.id()), (200, 200));
    let health = home.json(&["daemon", "status"]);
    let capacity = &health["capacity"];
    assert_eq!(capacity["open_files_limit"], 200, "{health}");
    assert_eq!(capacity["live_tasks"], 0, "{health}");
    let max = usize::try_from(capacity["max_live_tasks"].as_u64().unwrap()).unwrap();
    assert!(max > 0 && max < 200, "{health}");
    let mut started = Vec::new();
    let mut refused = Vec::new();
    for _ in 0..max + 3 {
        let outcome = home.run(&["run", "--", "sleep", "60"]);
        if outcome.code == 0 {
            started.push(outcome.text().trim().to_owned());
        } else {
            refused.push(outcome.stderr);
        }
    }
    assert_eq!(started.len(), max, "refused: {refused:?}");
    assert_eq!(refused.len(), 3);
    for message in &refused {
        assert!(
            message.contains("open files limit") && message.contains("ulimit"),
            "{message}"
        );
    }
    let health = home.json(&["daemon", "status"]);
    assert_eq!(health["capacity"]["live_tasks"], max, "{health}");
    let tasks = home.json(&["ls"]);
    let text = tasks.to_string();
    assert!(!text.contains("spawn_failed"), "{text}");
    for id in &started {
        assert_eq!(home.record(id)["state"], "running", "{id}");
    }
    stop(&home, daemon);
}
