//! Benchmarks of the UI's work per frame with 5,000 tasks and a full output window at 200x50:
//! drawing the screen, applying a page of events, and taking a chunk of a fast task's output.
//!
//! Run with `cargo bench -p tend-tui`. `bench/tui.sh` measures the real `tend tui` (memory, CPU
//! and key latency while it follows a task printing 10 MB/s).

use divan::Bencher;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tend_core::{
    ClosePolicy, Event, EventKind, Kind, OutputCounters, State, Task, TaskId, Timestamp,
};
use tend_tui::{App, Effect, Msg, OutputChunk, READ_CHUNK_BYTES, ReadPurpose, render};

fn main() {
    divan::main();
}

const NOW: i64 = 1_800_000_000_000;
const TASKS: u64 = 5_000;
const STATES: [State; 5] = [
    State::Running,
    State::Pending,
    State::Completed,
    State::Failed,
    State::Cancelled,
];

fn task(n: u64) -> Task {
    let state = STATES[usize::try_from(n).unwrap_or(0) % STATES.len()];
    Task {
        id: TaskId::new(n),
        kind: Kind::Shell,
        session: format!("agent-{}", n % 37).into(),
        parent: None,
        child_session: None,
        key: None,
        name: format!("cargo test -p crate-{n} -- --nocapture").into(),
        command: Some(vec!["sh".into(), "-c".into(), format!("cargo test -p crate-{n}")].into()),
        cwd: Some("/home/u/proj".into()),
        group: format!("group-{}", n % 5).into(),
        state,
        reason: None,
        exit_code: None,
        signal: None,
        summary: None,
        attempt: 1,
        max_attempts: 1,
        after: vec![],
        pid: Some(1000),
        progress: None,
        output: Some(OutputCounters {
            total_bytes: 0,
            dropped_bytes: 0,
        }),
        ports: Vec::new(),
        ready: None,
        ready_at: None,
        tty: None,
        close_policy: ClosePolicy::Keep,
        timeout_ms: None,
        idle_timeout_ms: None,
        created_at: Timestamp::from_millis(NOW - i64::try_from(n).unwrap_or(0) * 1000),
        started_at: Some(Timestamp::from_millis(NOW - 500)),
        updated_at: Timestamp::from_millis(NOW),
        finished_at: None,
    }
}

/// Output as a fast task prints it: lines of 100 bytes.
fn output(bytes: usize) -> Vec<u8> {
    let line: Vec<u8> = (0..99).map(|i| b'a' + (i % 26)).chain([b'\n']).collect();
    line.repeat(bytes / line.len())
}

/// 5,000 tasks, the newest selected and its window full.
fn app() -> (App, u64) {
    let mut app = App::new("/tmp/tend-home", Timestamp::from_millis(NOW));
    app.update(Msg::Resize {
        width: 200,
        height: 50,
    });
    let effects = app.update(Msg::Connected {
        tasks: (1..=TASKS).map(task).collect(),
    });
    let generation = effects
        .iter()
        .find_map(|effect| match effect {
            Effect::Follow { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("the selected task is followed");
    let mut cursor = 0;
    let piece = output(usize::try_from(READ_CHUNK_BYTES).unwrap_or(0));
    for _ in 0..8 {
        app.update(follow_chunk(generation, cursor, &piece));
        cursor += piece.len() as u64;
    }
    (app, cursor)
}

fn follow_chunk(generation: u64, cursor: u64, data: &[u8]) -> Msg {
    Msg::Output(OutputChunk {
        generation,
        purpose: ReadPurpose::Follow,
        requested: cursor,
        cursor,
        data: data.to_vec(),
        total_bytes: cursor + data.len() as u64,
        dropped_bytes: 0,
        eof: false,
        screen: None,
    })
}

/// Drawing the whole screen (table, detail, full output pane) into a 200x50 test terminal.
#[divan::bench]
fn draw_200x50(bencher: Bencher) {
    let (app, _) = app();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("a test terminal");
    bencher.bench_local(|| {
        terminal.draw(|frame| render(&app, frame)).expect("drawn");
    });
}

/// Drawing while scrolled back to the top of the full window (the longest scan for lines).
#[divan::bench]
fn draw_200x50_scrolled_back(bencher: Bencher) {
    let (mut app, _) = app();
    app.update(Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)));
    for _ in 0..400 {
        app.update(Msg::Key(KeyEvent::new(KeyCode::PageUp, KeyModifiers::NONE)));
    }
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("a test terminal");
    bencher.bench_local(|| {
        terminal.draw(|frame| render(&app, frame)).expect("drawn");
    });
}

/// Applying a page of 100 events (state changes) to the 5,000 tasks, with the view refreshed.
#[divan::bench]
fn apply_100_events(bencher: Bencher) {
    let (mut app, _) = app();
    let events: Vec<Event> = (0..100u64)
        .map(|n| Event {
            seq: n + 1,
            at: Timestamp::from_millis(NOW),
            task_id: TaskId::new(n * 50 + 1),
            session: "agent-1".into(),
            kind: EventKind::StateChanged {
                from: State::Running,
                to: State::CancelRequested,
            },
        })
        .collect();
    bencher.bench_local(|| app.update(Msg::Events(events.clone())));
}

/// Taking a 256 KiB chunk of a followed task's output into a full window.
#[divan::bench]
fn follow_256k_chunk(bencher: Bencher) {
    let (mut app, mut cursor) = app();
    let f = || Msg::Key(KeyEvent::new(KeyCode::Char('f'), KeyModifiers::NONE));
    app.update(f());
    let generation = app
        .update(f())
        .iter()
        .find_map(|effect| match effect {
            Effect::Follow { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("following again");
    let piece = output(usize::try_from(READ_CHUNK_BYTES).unwrap_or(0));
    bencher.bench_local(|| {
        app.update(follow_chunk(generation, cursor, &piece));
        cursor += piece.len() as u64;
    });
}
