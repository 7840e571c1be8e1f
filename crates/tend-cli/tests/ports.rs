//! Ports (CONTRACT.md §9): the TCP ports a task's processes listen on, in its record and as
//! `ports_changed` events.

use std::time::{Duration, Instant};

use crate::support::{Home, eventually};

#[test]
fn a_server_that_prints_nothing_shows_its_port_within_two_seconds() {
    let home = Home::new();
    // Without a terminal Python buffers its output: the log says nothing while it serves.
    let id = home.start(&[
        "--",
        "python3",
        "-m",
        "http.server",
        "0",
        "--bind",
        "127.0.0.1",
    ]);
    let started = Instant::now();
    let mut record = serde_json::Value::Null;
    eventually("the port to show", Duration::from_secs(10), || {
        record = home.record(&id);
        !record["ports"].as_array().unwrap().is_empty()
    });
    let shown_after = started.elapsed();
    let port = &record["ports"][0];
    assert_eq!(port["address"], "127.0.0.1");
    let number = port["port"].as_u64().unwrap();
    assert!(number > 0);
    // It is the port the server really serves on.
    let served = std::net::TcpStream::connect(("127.0.0.1", u16::try_from(number).unwrap()));
    assert!(served.is_ok(), "nothing answers on {number}");
    assert!(
        shown_after < Duration::from_secs(4),
        "the port showed after {shown_after:?}"
    );
    assert!(
        home.ok(&["show", &id])
            .contains(&format!("127.0.0.1:{number} (pid "))
    );

    let changed = home.events_of(&id, "ports_changed");
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0]["ports"], record["ports"]);

    home.ok(&["stop", &id, "--grace", "1s"]);
    assert_eq!(home.record(&id)["ports"], serde_json::json!([]));
}
