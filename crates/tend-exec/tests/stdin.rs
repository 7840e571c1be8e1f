//! The command's stdin: a FIFO fed from any process, or /dev/null.

use std::time::{Duration, Instant};

use tend_exec::{StdinError, StdinMode, spawn};

use crate::support::{Home, all_text, assert_no_leftovers, finished, wait_for_text};

#[test]
fn cat_echoes_what_is_written_and_exits_on_end_of_input() {
    let home = Home::new();
    let mut req = home.request("t1", &["cat"]);
    req.stdin = StdinMode::Pipe;
    let process = spawn(&req).expect("spawn");
    process
        .write_stdin(b"hello\n", Duration::from_secs(5))
        .expect("write");
    wait_for_text(&req.task_dir, "hello\n");
    // Another writer, as another process would do it.
    tend_exec::stdin::write(&req.task_dir, b"world\n", Duration::from_secs(5)).expect("write");
    wait_for_text(&req.task_dir, "world\n");
    assert!(
        process
            .wait_exit(Some(Duration::ZERO))
            .expect("wait")
            .is_none(),
        "cat still runs"
    );
    process.close_stdin().expect("close");
    // Closing again is harmless: it succeeds, or says the task has already ended.
    let again = process.close_stdin();
    assert!(
        matches!(again, Ok(()) | Err(StdinError::Closed { .. })),
        "{again:?}"
    );
    let status = finished(&process);
    assert_eq!(status.exit_code(), Some(0));
    assert_eq!(all_text(&req.task_dir), "hello\nworld\n");
    assert!(matches!(
        process.write_stdin(b"late", Duration::from_secs(1)),
        Err(StdinError::Closed { .. })
    ));
    assert_no_leftovers(process.ids(), &[]);
}

#[test]
fn with_dev_null_cat_exits_at_once() {
    let home = Home::new();
    let req = home.request("t1", &["cat"]);
    let started = Instant::now();
    let process = spawn(&req).expect("spawn");
    let status = finished(&process);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(status.exit_code(), Some(0));
    let err = process
        .write_stdin(b"x", Duration::from_secs(1))
        .expect_err("no pipe");
    assert!(matches!(err, StdinError::NoPipe { .. }) && err.is_conflict());
    assert_no_leftovers(process.ids(), &[]);
}
