//! 200 MB through a 16 MiB cap: exact counters, byte-exact head and tail, bounded shim memory.

use std::time::Duration;

use tend_exec::{OutputLimits, StdinMode, Stream, procfs, spawn};

use crate::support::{Home, assert_no_leftovers, finished, wait_until};

const TOTAL: u64 = 200_000_000;

/// The byte `yes` writes at `offset`.
fn yes_byte(offset: u64) -> u8 {
    if offset.is_multiple_of(2) {
        b'y'
    } else {
        b'\n'
    }
}

#[test]
fn two_hundred_mb_with_a_16_mib_cap() {
    let home = Home::new();
    // The command waits on stdin after its output, so the shim can be measured while alive.
    let mut req = home.sh("t1", &format!("yes | head -c {TOTAL}; read done || true"));
    req.stdin = StdinMode::Pipe;
    req.limits = OutputLimits {
        head_bytes: 1 << 20,
        cap_bytes: 16 << 20,
    };
    let process = spawn(&req).expect("spawn");
    let reader = process.output(Stream::Main);
    let mut peak_rss = 0;
    let all_out = wait_until(Duration::from_secs(60), || {
        if let Ok(memory) = procfs::memory(process.ids().shim_pid) {
            peak_rss = peak_rss.max(memory.peak_rss_bytes);
        }
        reader.counters().is_ok_and(|c| c.total_bytes == TOTAL)
    });
    assert!(all_out, "output did not reach {TOTAL} bytes");
    let memory = procfs::memory(process.ids().shim_pid).expect("shim memory");
    peak_rss = peak_rss.max(memory.peak_rss_bytes);
    eprintln!("shim peak RSS after 200 MB: {} KiB", peak_rss / 1024);
    assert!(peak_rss < 8 << 20, "shim memory is bounded: {peak_rss}");
    process.close_stdin().expect("close stdin");
    let status = finished(&process);
    assert_eq!(status.exit_code(), Some(0));

    let counters = reader.counters().unwrap();
    assert_eq!(counters, status.output);
    assert_eq!(counters.total_bytes, TOTAL);
    let kept = TOTAL - counters.dropped_bytes;
    assert!(
        kept <= 16 << 20 && kept > (16 << 20) - (2 << 20),
        "kept {kept}"
    );

    let head = reader.read_raw(0, 2 << 20).unwrap();
    assert_eq!(head.data.len(), 1 << 20);
    assert!(
        head.data
            .iter()
            .enumerate()
            .all(|(i, &b)| b == yes_byte(i as u64))
    );
    let mut cursor = head.next_cursor;
    let mut first = true;
    loop {
        let chunk = reader.read_raw(cursor, 4 << 20).unwrap();
        if first {
            assert_eq!(chunk.skipped_bytes, counters.dropped_bytes);
            first = false;
        }
        let start = chunk.cursor;
        assert!(
            chunk
                .data
                .iter()
                .enumerate()
                .all(|(i, &b)| b == yes_byte(start + i as u64))
        );
        if chunk.next_cursor == TOTAL {
            break;
        }
        cursor = chunk.next_cursor;
    }
    assert_no_leftovers(process.ids(), &[]);
}
