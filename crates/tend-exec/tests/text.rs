//! Reading text: long lines, invalid UTF-8, character boundaries, tail, grep, waiting, gaps.

use std::time::Duration;

use tend_exec::{Growth, OutputLimits, OutputReader, StdinMode, Stream, spawn};

use crate::support::{Home, all_text, assert_no_leftovers, finished};

fn run(home: &Home, name: &str, script: &str) -> OutputReader {
    let req = home.sh(name, script);
    let process = spawn(&req).expect("spawn");
    finished(&process);
    assert_no_leftovers(process.ids(), &[]);
    OutputReader::new(&req.task_dir, Stream::Main)
}

#[test]
fn a_5_mb_line_without_newline() {
    let home = Home::new();
    let reader = run(&home, "t1", "head -c 5000000 /dev/zero | tr '\\0' a");
    let tail = reader.tail(1, 16 << 20).unwrap();
    assert_eq!(
        (tail.cursor, tail.next_cursor, tail.truncated),
        (0, 5_000_000, false)
    );
    assert!(tail.data.iter().all(|&b| b == b'a') && tail.data.len() == 5_000_000);
    let first = reader.read(0, 1 << 20).unwrap();
    assert_eq!((first.next_cursor, first.truncated), (1 << 20, true));
    let grep = reader.grep("^a+$", 0, 1 << 20).unwrap();
    assert_eq!(grep.lines.len(), 1);
    // The line is cut so that it and its newline fit the budget.
    assert_eq!(
        (grep.lines[0].offset, grep.lines[0].text.len()),
        (0, (1 << 20) - 1)
    );
    assert_eq!(grep.next_cursor, 5_000_000);
    let short = reader.tail(3, 10).unwrap();
    assert_eq!(
        (short.data.as_slice(), short.truncated),
        (b"aaaaaaaaaa".as_slice(), true)
    );
}

#[test]
fn invalid_utf8_is_replaced_in_text_and_exact_in_raw_reads() {
    let home = Home::new();
    let reader = run(
        &home,
        "t1",
        "printf 'ok \\377\\376 x\\n'; printf '\\342\\202\\254 end\\n'",
    );
    let raw = reader.read_raw(0, 1024).unwrap();
    assert_eq!(raw.data, b"ok \xff\xfe x\n\xe2\x82\xac end\n");
    let text = reader.read(0, 1024).unwrap();
    assert_eq!(text.text(), "ok \u{FFFD}\u{FFFD} x\n€ end\n");
    assert_eq!(text.next_cursor, raw.data.len() as u64);
    // Byte-exact cursors through the invalid bytes.
    assert_eq!(reader.read(3, 1).unwrap().data, b"\xff");
    assert_eq!(reader.read_raw(4, 3).unwrap().data, b"\xfe x");
    let grep = reader.grep("end", 0, 1024).unwrap();
    assert_eq!((grep.lines.len(), grep.lines[0].offset), (1, 8));
}

#[test]
fn reads_never_end_inside_a_character() {
    let home = Home::new();
    let reader = run(&home, "t1", "printf 'ab\\342\\202\\254cd'");
    let first = reader.read(0, 3).unwrap();
    assert_eq!(
        (first.text().as_ref(), first.next_cursor, first.truncated),
        ("ab", 2, true)
    );
    let euro = reader.read(2, 1).unwrap();
    assert_eq!((euro.text().as_ref(), euro.next_cursor), ("€", 5));
    assert_eq!(reader.read(2, 4).unwrap().text(), "€c");
    assert_eq!(reader.read(0, 4).unwrap().text(), "ab");
    // A cursor inside a character reads its continuation bytes as U+FFFD, exactly.
    let inside = reader.read(3, 10).unwrap();
    assert_eq!(
        (inside.data.as_slice(), inside.next_cursor),
        (b"\x82\xaccd".as_slice(), 7)
    );
    assert_eq!(reader.read_raw(0, 3).unwrap().data, b"ab\xe2");
}

#[test]
fn an_incomplete_character_at_the_live_end_is_held_back() {
    let home = Home::new();
    let mut req = home.sh("t1", "printf 'x\\342\\202'; read line; printf '\\254y'");
    req.stdin = StdinMode::Pipe;
    let process = spawn(&req).expect("spawn");
    let reader = OutputReader::new(&req.task_dir, Stream::Main);
    assert_eq!(
        reader.wait_for_growth(2, Duration::from_secs(10)).unwrap(),
        Growth::Grew
    );
    let live = reader.read(0, 100).unwrap();
    assert_eq!(
        (live.text().as_ref(), live.next_cursor, live.total_bytes),
        ("x", 1, 3)
    );
    assert_eq!(
        reader.read(1, 100).unwrap().data,
        b"",
        "no progress until the rest comes"
    );
    assert_eq!(reader.tail(1, 100).unwrap().text(), "x");
    process
        .write_stdin(b"go\n", Duration::from_secs(5))
        .unwrap();
    finished(&process);
    assert_eq!(reader.read(1, 100).unwrap().text(), "€y");
    assert_no_leftovers(process.ids(), &[]);

    // At the end of a finished stream an incomplete character is returned as U+FFFD.
    let cut = run(&home, "t2", "printf 'x\\342\\202'");
    assert_eq!(cut.read(0, 100).unwrap().text(), "x\u{FFFD}");
    assert_eq!(cut.read(1, 1).unwrap().data, b"\xe2\x82");
}

#[test]
fn tail_grep_and_wait_for_growth() {
    let home = Home::new();
    let reader = run(
        &home,
        "t1",
        "for i in 1 2 3 4 5; do echo line$i; done; echo ERROR x; echo done",
    );
    let tail = reader.tail(2, 1024).unwrap();
    assert_eq!(tail.text(), "ERROR x\ndone\n");
    assert_eq!(tail.next_cursor, tail.total_bytes);
    assert_eq!(reader.tail(100, 1024).unwrap().cursor, 0);
    let grep = reader.grep("line[24]|ERROR", 0, 1024).unwrap();
    let lines: Vec<_> = grep
        .lines
        .iter()
        .map(|l| (l.offset, l.text.as_str()))
        .collect();
    assert_eq!(lines, [(6, "line2"), (18, "line4"), (30, "ERROR x")]);
    assert_eq!(grep.next_cursor, grep.total_bytes);
    // Each line costs its bytes and a newline: a 6-byte budget holds `line1\n` and no more,
    // and the next read goes on at `line2`.
    let limited = reader.grep("line", 0, 6).unwrap();
    assert_eq!(
        (limited.lines.len(), limited.next_cursor, limited.truncated),
        (1, 6, true)
    );
    let more = reader.grep("line", limited.next_cursor, 8).unwrap();
    let texts: Vec<_> = more.lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, ["line2"]);
    // A budget smaller than one line still answers that line, cut to fit.
    let cut = reader.grep("ERROR", 0, 4).unwrap();
    assert_eq!(cut.lines[0].text, "ERR");
    let bad = reader.grep("(", 0, 10).expect_err("bad regex");
    assert!(bad.is_invalid_argument());
    let end = tail.total_bytes;
    assert_eq!(
        reader.wait_for_growth(end, Duration::from_secs(5)).unwrap(),
        Growth::Finished
    );
    assert_eq!(
        reader.wait_for_growth(0, Duration::from_secs(5)).unwrap(),
        Growth::Grew
    );
}

#[test]
fn waiting_for_growth_wakes_on_new_output_and_times_out() {
    let home = Home::new();
    let mut req = home.sh("t1", "read a; echo first; read b");
    req.stdin = StdinMode::Pipe;
    let process = spawn(&req).expect("spawn");
    let reader = process.output(Stream::Main);
    let quiet = reader
        .wait_for_growth(0, Duration::from_millis(100))
        .unwrap();
    assert_eq!(quiet, Growth::TimedOut);
    process.write_stdin(b"\n", Duration::from_secs(5)).unwrap();
    assert_eq!(
        reader.wait_for_growth(0, Duration::from_secs(10)).unwrap(),
        Growth::Grew
    );
    process.close_stdin().unwrap();
    assert_eq!(
        reader.wait_for_growth(6, Duration::from_secs(10)).unwrap(),
        Growth::Finished
    );
    finished(&process);
    assert_no_leftovers(process.ids(), &[]);
}

#[test]
fn a_cursor_in_the_dropped_middle_lands_on_the_first_kept_byte() {
    let home = Home::new();
    let mut req = home.sh("t1", "seq 1 300000");
    req.limits = OutputLimits {
        head_bytes: 100,
        cap_bytes: 100 + 8 * 65536,
    };
    let process = spawn(&req).expect("spawn");
    let status = finished(&process);
    let expected: String = (1..=300000).map(|i| format!("{i}\n")).collect();
    let expected = expected.as_bytes();
    let reader = process.output(Stream::Main);
    let counters = reader.counters().unwrap();
    assert_eq!(counters, status.output);
    assert_eq!(counters.total_bytes, expected.len() as u64);
    assert!(counters.dropped_bytes > 0);
    let head = reader.read(0, 1000).unwrap();
    assert_eq!(
        (head.data.as_slice(), head.truncated),
        (&expected[..100], true)
    );
    let landed = reader.read(head.next_cursor, 1000).unwrap();
    let first_kept = landed.cursor;
    assert_eq!(landed.skipped_bytes, first_kept - 100);
    assert_eq!(first_kept - 100, counters.dropped_bytes);
    assert_eq!(
        landed.data,
        &expected[first_kept as usize..first_kept as usize + 1000]
    );
    let inside = reader.read(5000, 10).unwrap();
    assert_eq!(
        (inside.cursor, inside.skipped_bytes),
        (first_kept, first_kept - 5000)
    );
    let kept = counters.total_bytes - counters.dropped_bytes;
    assert!(
        kept <= req.limits.cap_bytes && kept > req.limits.cap_bytes - 65536,
        "{kept}"
    );
    let tail = reader.read_raw(first_kept, 1 << 20).unwrap();
    assert_eq!(tail.data, &expected[first_kept as usize..]);
    let grep = reader.grep("^299999$", 0, 100).unwrap();
    assert_eq!(grep.lines.len(), 1);
    assert_eq!(grep.skipped_bytes, counters.dropped_bytes);
    assert_eq!(all_text(&req.task_dir).len() as u64, kept);
}

#[test]
fn grep_with_context_answers_the_lines_around_each_match_once() {
    let home = Home::new();
    let script = "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo l$i; done; echo FAIL a; \
                  echo l13; echo FAIL b; echo l14; echo l15; echo l16; echo l17; echo FAIL c";
    let reader = run(&home, "t1", script);
    let found = reader.grep_context("FAIL", 0, 1 << 20, 2).unwrap();
    let lines: Vec<_> = found
        .lines
        .iter()
        .map(|l| (l.text.as_str(), l.matched))
        .collect();
    assert_eq!(
        lines,
        [
            ("l11", false),
            ("l12", false),
            ("FAIL a", true),
            ("l13", false),
            ("FAIL b", true),
            ("l14", false),
            ("l15", false),
            ("l16", false),
            ("l17", false),
            ("FAIL c", true),
        ]
    );
    // Lines are contiguous inside a group: each starts where the one before it ends.
    for pair in found.lines.windows(2) {
        assert_eq!(pair[0].end, pair[1].offset, "{pair:?}");
    }
    assert_eq!(found.next_cursor, found.total_bytes);
    // Without context, only the matches; a budget too small for a group leaves it, with its
    // lines before, for the next read.
    let plain = reader.grep_context("FAIL", 0, 1 << 20, 0).unwrap();
    assert!(plain.lines.iter().all(|l| l.matched) && plain.lines.len() == 3);
    let first = reader.grep_context("FAIL", 0, 25, 2).unwrap();
    let texts: Vec<_> = first.lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, ["l11", "l12", "FAIL a", "l13"]);
    assert!(first.truncated);
    let rest = reader
        .grep_context("FAIL", first.next_cursor, 1 << 20, 2)
        .unwrap();
    assert_eq!(rest.lines[0].text, "FAIL b");
    // The `--` line between groups counts against the budget: 26 bytes of the first group, then
    // 3 for `--` and 11 for the second.
    let all = reader.grep_context("FAIL", 0, 40, 1).unwrap();
    assert_eq!((all.lines.len(), all.truncated), (7, false));
    let short = reader.grep_context("FAIL", 0, 39, 1).unwrap();
    assert_eq!((short.lines.len(), short.truncated), (5, true));
    assert_eq!(short.next_cursor, all.lines[5].offset);
}
