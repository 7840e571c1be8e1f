//! `tend ps`: the live processes of a task, escaped descendants included.

use std::time::Duration;

use crate::support::{Home, eventually};

#[test]
fn ps_lists_every_process_of_a_task_including_one_that_left_its_session() {
    let home = Home::new();
    let id = home.start(&[
        "--sh",
        "setsid sleep 301 & python3 -c 'x = bytearray(50_000_000); print(\"ready\", flush=True); import time; time.sleep(300)'",
    ]);
    home.wait_for_output(&id, "ready");
    let mut listed = serde_json::Value::Null;
    eventually(
        "the escaped sleep to be listed",
        Duration::from_secs(10),
        || {
            listed = home.json(&["ps", &id]);
            listed["processes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["args"] == "sleep 301")
        },
    );
    let processes = listed["processes"].as_array().unwrap();
    let leader = home.record(&id)["pid"].as_u64().unwrap();
    let sid_of = |args: &str| {
        processes
            .iter()
            .find(|p| p["args"].as_str().unwrap().starts_with(args))
            .unwrap_or_else(|| panic!("no {args:?} in {processes:?}"))["sid"]
            .as_u64()
            .unwrap()
    };
    assert!(processes.iter().any(|p| p["pid"].as_u64() == Some(leader)));
    assert_ne!(
        sid_of("sleep 301"),
        sid_of("sh -c"),
        "setsid left the session"
    );
    let python = processes
        .iter()
        .find(|p| {
            let args = p["args"].as_str().unwrap();
            args.contains("python3 -c") && !args.starts_with("sh ")
        })
        .unwrap();
    assert!(
        python["rss_bytes"].as_u64().unwrap() > 40_000_000,
        "{python}"
    );

    let shown = home.ok(&["ps", &id]);
    assert!(shown.starts_with("     PID  S"), "{shown}");
    assert!(
        shown.contains("  sleep 301\n") && shown.contains("python3 -c"),
        "{shown}"
    );

    home.ok(&["stop", &id, "--grace", "1s"]);
    assert_eq!(home.json(&["ps", &id])["processes"], serde_json::json!([]));
    assert!(home.ok(&["ps", &id]).contains("has no live process"));
    assert_eq!(home.run(&["ps", "t999"]).code, 3);
}
