//! The daemon: autostart, `TEND_NO_AUTOSTART`, `daemon start|stop|status`, the foreground
//! daemon, and recovery after the daemon was killed.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::support::{Home, eventually, process_alive, wait_child};

fn signal(pid: u32, signal: Signal) {
    kill(Pid::from_raw(i32::try_from(pid).unwrap()), signal).unwrap();
}

#[test]
fn the_first_command_starts_the_daemon() {
    let home = Home::new();
    assert_eq!(home.run(&["daemon", "status"]).code, 1);
    assert_eq!(home.ok(&["ls"]), "no tasks\n");
    let pid = home.daemon_pid();
    assert!(process_alive(pid));
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    // The home existed (a temporary directory): its mode is the owner's; what tend creates in
    // it is private.
    assert_eq!(mode(&home.path().join("tasks")), 0o700);
    assert_eq!(mode(&home.path().join("tend.sock")), 0o600);
    assert_eq!(mode(&home.path().join("tend.db")), 0o600);
    assert!(home.log().exists());
    // Later commands use the same daemon.
    home.ok(&["ls"]);
    assert_eq!(home.daemon_pid(), pid);
}

#[test]
fn no_autostart_fails_with_a_clear_message() {
    let home = Home::new();
    let mut command = home.command(&["ls"]);
    command.env("TEND_NO_AUTOSTART", "1");
    let outcome = home.output_of(command);
    assert_eq!(outcome.code, 1);
    assert!(
        outcome.stderr.contains("no daemon is running"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("TEND_NO_AUTOSTART"),
        "{}",
        outcome.stderr
    );
    assert!(!home.path().join("tend.sock").exists());
}

#[test]
fn daemon_start_status_and_stop() {
    let home = Home::new();
    let started = home.ok(&["daemon", "start"]);
    let pid = home.daemon_pid();
    assert!(started.contains(&format!("pid {pid}")), "{started}");
    assert!(
        home.ok(&["daemon", "start"])
            .contains(&format!("pid {pid}"))
    );
    assert!(home.ok(&["daemon", "status"]).contains("daemon running"));
    let stopped = home.ok(&["daemon", "stop"]);
    assert!(stopped.contains("daemon stopped"), "{stopped}");
    assert!(!process_alive(pid), "stop returns once the daemon is gone");
    assert_eq!(home.run(&["daemon", "status"]).code, 1);
    assert!(
        home.ok(&["daemon", "stop"])
            .contains("no daemon is running")
    );
}

#[test]
fn stopping_the_daemon_leaves_tasks_running_for_the_next_one() {
    let home = Home::new();
    let id = home.start(&["--sh", "echo before; sleep 1; echo after; exit 3"]);
    let pid = home.daemon_pid();
    home.ok(&["daemon", "stop"]);
    assert!(!process_alive(pid));
    assert_eq!(home.run(&["wait", &id, "--timeout", "20s"]).code, 1);
    let record = home.record(&id);
    assert_eq!(
        (record["reason"].as_str(), record["exit_code"].as_i64()),
        (Some("exited"), Some(3))
    );
    assert_eq!(home.ok(&["logs", &id]), "before\nafter\n");
    assert_ne!(home.daemon_pid(), pid);
}

#[test]
fn stop_with_kill_tasks_cancels_them() {
    let home = Home::new();
    let id = home.start(&["--", "sleep", "30"]);
    let answer = home.json(&["daemon", "stop", "--kill-tasks", "--grace", "1s"]);
    assert_eq!(answer["stopping"], true);
    assert_eq!(answer["tasks"][0]["id"], id.as_str());
    let record = home.record(&id);
    assert_eq!(
        (record["state"].as_str(), record["reason"].as_str()),
        (Some("cancelled"), Some("shutdown"))
    );
}

#[test]
fn the_foreground_daemon_serves_until_sigterm() {
    let home = Home::new();
    let mut command = home.command(&["daemon"]);
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut daemon = command.spawn().unwrap();
    eventually(
        "the foreground daemon to answer",
        Duration::from_secs(10),
        || home.run(&["daemon", "status"]).code == 0,
    );
    assert_eq!(home.daemon_pid(), daemon.id());
    let second = home.run(&["daemon"]);
    assert_eq!(second.code, 1);
    assert!(
        second.stderr.contains("already running"),
        "{}",
        second.stderr
    );
    signal(daemon.id(), Signal::SIGTERM);
    let status = wait_child(&mut daemon, Duration::from_secs(10)).expect("the daemon stops");
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_daemon_killed_with_sigkill_is_replaced_and_its_tasks_recovered() {
    let home = Home::new();
    let exits = home.start(&["--sh", "echo start; sleep 0.5; echo done; exit 3"]);
    let killed = home.start(&["--sh", "echo bye; sleep 0.5; kill -KILL $$"]);
    let runs_on = home.start(&["--sh", "sleep 2; echo late"]);
    let pids: Vec<u32> = [&exits, &killed]
        .iter()
        .map(|id| u32::try_from(home.record(id)["pid"].as_u64().unwrap()).unwrap())
        .collect();
    let daemon = home.daemon_pid();
    signal(daemon, Signal::SIGKILL);
    eventually("the old daemon to die", Duration::from_secs(5), || {
        !process_alive(daemon)
    });
    // Both commands end while no daemon runs.
    eventually("the commands to end", Duration::from_secs(10), || {
        pids.iter().all(|&pid| !process_alive(pid))
    });
    let listed = home.json(&["ls"]);
    assert_ne!(home.daemon_pid(), daemon, "a new daemon was started");
    assert_eq!(listed["tasks"].as_array().unwrap().len(), 3);
    let record = home.finished(&exits);
    assert_eq!(
        (record["state"].as_str(), record["exit_code"].as_i64()),
        (Some("failed"), Some(3))
    );
    assert_eq!(home.ok(&["logs", &exits]), "start\ndone\n");
    let record = home.finished(&killed);
    assert_eq!(
        (record["reason"].as_str(), record["signal"].as_str()),
        (Some("signaled"), Some("SIGKILL"))
    );
    assert_eq!(home.ok(&["logs", &killed]), "bye\n");
    assert_eq!(home.run(&["wait", &runs_on, "--timeout", "20s"]).code, 0);
    assert_eq!(home.ok(&["logs", &runs_on]), "late\n");
}

/// Sends one HTTP request to `addr` and answers the status code.
fn http_status(addr: std::net::SocketAddr, headers: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\n{headers}Content-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).unwrap();
    String::from_utf8_lossy(&head[9..12]).parse().unwrap()
}

#[test]
fn the_foreground_daemon_serves_mcp_over_http_with_its_token() {
    let home = Home::new();
    let port = crate::support::free_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut command = home.command(&["daemon", "--mcp-http", &addr.to_string()]);
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut daemon = command.spawn().unwrap();
    let token_file = home.path().join("mcp.token");
    eventually(
        "the MCP endpoint and its token",
        Duration::from_secs(10),
        || token_file.exists() && std::net::TcpStream::connect(addr).is_ok(),
    );
    let initialize = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"#;
    assert_eq!(
        http_status(addr, "", initialize),
        401,
        "no token must be refused"
    );
    let token = std::fs::read_to_string(&token_file).unwrap();
    let bearer = format!("Authorization: Bearer {}\r\n", token.trim());
    assert_eq!(
        http_status(addr, &bearer, initialize),
        200,
        "the token must be accepted"
    );
    let foreign = format!("{bearer}Origin: https://evil.example\r\n");
    assert_eq!(
        http_status(addr, &foreign, initialize),
        403,
        "a foreign origin must be refused"
    );
    signal(daemon.id(), Signal::SIGTERM);
    let status = wait_child(&mut daemon, Duration::from_secs(10)).expect("the daemon stops");
    assert!(status.success(), "{status:?}");
    // Where to connect and where the token is are said on stderr, not only in daemon.log.
    use std::io::Read as _;
    let mut stderr = String::new();
    daemon
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(
        stderr,
        format!(
            "tend daemon: MCP over HTTP on http://127.0.0.1:{port}/mcp, token in {}\n",
            token_file.display()
        )
    );
}
