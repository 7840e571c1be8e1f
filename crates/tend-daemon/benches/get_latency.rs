//! Latency of `GET /v1/tasks/{id}` under 50 concurrent keep-alive connections, against an
//! in-process daemon on a unix socket: p50, p99 and throughput.
//!
//! Run with `cargo bench -p tend-daemon --bench get_latency`.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

const CONNECTIONS: usize = 50;
const REQUESTS_PER_CONNECTION: usize = 400;

/// Sends one request on `stream` and reads the whole answer; returns its status.
async fn exchange(stream: &mut BufReader<UnixStream>, request: &[u8]) -> u16 {
    stream.get_mut().write_all(request).await.expect("write");
    let mut line = String::new();
    stream.read_line(&mut line).await.expect("status line");
    let status: u16 = line[9..12].parse().expect("status");
    let mut length = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line).await.expect("header");
        if line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().expect("length");
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.expect("body");
    status
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let home = tempfile::tempdir().expect("home");
        let shim = tend_exec::ShimProgram::new("/bin/false", ["__shim"]);
        let options = tend_daemon::DaemonOptions::new(home.path(), shim);
        let daemon = tend_daemon::Daemon::start(options).await.expect("daemon");
        let shutdown = daemon.shutdown_handle();
        let served = tokio::spawn(daemon.serve());
        let socket = home.path().join("tend.sock");

        let mut stream = BufReader::new(UnixStream::connect(&socket).await.expect("connect"));
        let body = r#"{"kind":"subagent","session":"bench","name":"review"}"#;
        let create = format!(
            "POST /v1/tasks HTTP/1.1\r\nHost: tend\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        assert_eq!(exchange(&mut stream, create.as_bytes()).await, 201);

        let started = Instant::now();
        let mut clients = Vec::new();
        for _ in 0..CONNECTIONS {
            let socket = socket.clone();
            clients.push(tokio::spawn(async move {
                let mut stream = BufReader::new(UnixStream::connect(&socket).await.expect("connect"));
                let request = b"GET /v1/tasks/t1 HTTP/1.1\r\nHost: tend\r\n\r\n";
                let mut latencies = Vec::with_capacity(REQUESTS_PER_CONNECTION);
                for _ in 0..REQUESTS_PER_CONNECTION {
                    let sent = Instant::now();
                    assert_eq!(exchange(&mut stream, request).await, 200);
                    latencies.push(sent.elapsed());
                }
                latencies
            }));
        }
        let mut latencies = Vec::new();
        for client in clients {
            latencies.extend(client.await.expect("client"));
        }
        let elapsed = started.elapsed();
        latencies.sort();
        println!(
            "GET /v1/tasks/t1, {CONNECTIONS} connections x {REQUESTS_PER_CONNECTION} requests: \
             p50 {:?}, p99 {:?}, max {:?}, {:.0} requests/s",
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
            latencies.last().expect("latencies"),
            latencies.len() as f64 / elapsed.as_secs_f64()
        );
        shutdown.trigger();
        served.await.expect("serve").expect("served");
    });
}
