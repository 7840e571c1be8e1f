//! Fixed records, output and keys for the tests: every time is relative to [`NOW`].

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tend_core::{
    ClosePolicy, Kind, OutputCounters, Progress, Reason, State, Task, TaskId, Timestamp,
};
use tend_tui::{App, Msg, OutputChunk, ReadPurpose, render};

/// The fixed "now" of every test.
pub const NOW: i64 = 1_800_000_000_000;

/// `seconds` before [`NOW`].
pub fn ago(seconds: i64) -> Timestamp {
    Timestamp::from_millis(NOW - seconds * 1000)
}

/// A running shell task, created `age` seconds ago.
pub fn shell(n: u64, name: &str, session: &str, age: i64) -> Task {
    Task {
        id: TaskId::new(n),
        kind: Kind::Shell,
        session: session.into(),
        parent: None,
        child_session: None,
        key: None,
        name: name.into(),
        command: Some(vec!["sh".into(), "-c".into(), name.into()].into()),
        cwd: Some("/home/u/proj".into()),
        group: "default".into(),
        state: State::Running,
        reason: None,
        exit_code: None,
        signal: None,
        summary: None,
        attempt: 1,
        max_attempts: 1,
        after: vec![],
        pid: Some(4000 + u32::try_from(n).unwrap_or(0)),
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
        created_at: ago(age),
        started_at: Some(ago(age - 1)),
        updated_at: ago(age - 1),
        finished_at: None,
    }
}

/// `task` ended `seconds_ago` with `state` and `reason`.
pub fn ended(mut task: Task, state: State, reason: Reason, seconds_ago: i64) -> Task {
    task.state = state;
    task.reason = Some(reason);
    task.finished_at = Some(ago(seconds_ago));
    task.updated_at = ago(seconds_ago);
    task.pid = None;
    task
}

/// The tasks of the screens: every state, three sessions, three groups.
pub fn tasks() -> Vec<Task> {
    let mut built = ended(
        shell(1, "cargo build --release", "cli", 3600),
        State::Completed,
        Reason::Exited,
        3000,
    );
    built.exit_code = Some(0);
    built.group = "build".into();
    let mut tests = ended(
        shell(2, "cargo test --workspace", "cli", 2400),
        State::Failed,
        Reason::Exited,
        2300,
    );
    tests.exit_code = Some(101);
    tests.group = "test".into();
    let mut server = shell(3, "npm run dev", "mcp-4f2a", 1800);
    server.output = Some(OutputCounters {
        total_bytes: server_output().len() as u64,
        dropped_bytes: 0,
    });
    let mut deploy = shell(4, "./deploy.sh staging", "cli", 120);
    deploy.state = State::Pending;
    deploy.started_at = None;
    deploy.pid = None;
    deploy.after = vec![TaskId::new(2), TaskId::new(3)];
    let mut watcher = ended(
        shell(5, "cargo watch -x check", "mcp-4f2a", 900),
        State::Cancelled,
        Reason::Stopped,
        60,
    );
    watcher.signal = Some("SIGTERM".into());
    let mut review = shell(6, "review the parser changes", "agent-7", 300);
    review.kind = Kind::Subagent;
    review.command = None;
    review.cwd = None;
    review.pid = None;
    review.output = None;
    review.state = State::Waiting;
    review.child_session = Some("sub-91".into());
    review.progress = Some(Progress {
        message: "reading 3 of 7 files".into(),
        updated_at: ago(12),
    });
    let mut bench = shell(7, "cargo bench", "cli", 200);
    bench.state = State::CancelRequested;
    bench.group = "build".into();
    let mut slow = ended(
        shell(8, "pytest -x tests/slow", "agent-7", 700),
        State::Failed,
        Reason::TimedOut,
        100,
    );
    slow.timeout_ms = Some(600_000);
    slow.group = "test".into();
    let mut retry = shell(
        9,
        "curl --retry 3 https://example.invalid/health",
        "agent-7",
        40,
    );
    retry.attempt = 2;
    retry.max_attempts = 3;
    vec![
        built, tests, server, deploy, watcher, review, bench, slow, retry,
    ]
}

/// Output of the `npm run dev` task: colours, a progress bar, a tab and invalid UTF-8.
pub fn server_output() -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"> app@1.0.0 dev\n> vite --port 5173\n\n");
    out.extend_from_slice(b"\x1b[32m  VITE v5.0.0\x1b[0m  ready in 312 ms\n\n");
    out.extend_from_slice(b"  \xe2\x9e\x9c  Local:   http://localhost:5173/\n");
    out.extend_from_slice(b"building 10%\rbuilding 55%\rbuilding 100%\n");
    out.extend_from_slice(b"col1\tcol2\tcol3\n");
    out.extend_from_slice(b"bad bytes: \xff\xfe\xc3 end\n");
    for n in 1..=30 {
        out.extend_from_slice(format!("[hmr] update /src/component{n}.tsx\n").as_bytes());
    }
    out
}

/// An app at [`NOW`] of `width` x `height`, with [`tasks`] listed and connected.
pub fn app(width: u16, height: u16) -> App {
    let mut app = App::new("/tmp/tend-home", Timestamp::from_millis(NOW)).with_colour(true);
    app.update(Msg::Resize { width, height });
    app.update(Msg::Connected { tasks: tasks() });
    app
}

/// `app` with task t3 selected and its output read, following.
pub fn app_on_server(width: u16, height: u16) -> App {
    let mut app = app(width, height);
    select(&mut app, 3);
    let data = server_output();
    let total = data.len() as u64;
    let generation = follow_generation(&mut app);
    app.update(Msg::Output(OutputChunk {
        generation,
        purpose: ReadPurpose::Follow,
        requested: 0,
        cursor: 0,
        data,
        total_bytes: total,
        dropped_bytes: 0,
        eof: false,
        screen: None,
    }));
    app
}

/// Moves the selection to task `t<n>`.
pub fn select(app: &mut App, n: u64) {
    app.update(key(KeyCode::Home));
    for _ in 0..app.tasks().view().len() {
        if app
            .selected_task()
            .is_some_and(|task| task.id == TaskId::new(n))
        {
            return;
        }
        app.update(key(KeyCode::Down));
    }
    panic!("t{n} is not in the view");
}

/// The generation of the current follow, found by asking the pane to follow its end again.
pub fn follow_generation(app: &mut App) -> u64 {
    app.update(key(KeyCode::Char('f')));
    let effects = app.update(key(KeyCode::Char('f')));
    effects
        .iter()
        .find_map(|effect| match effect {
            tend_tui::Effect::Follow { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("the pane follows again")
}

/// A key press.
pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A key pressed with Shift (for capital letters).
pub fn shifted(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT))
}

/// Draws `app` on a test terminal of its size.
pub fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal.draw(|frame| render(app, frame)).expect("drawn");
    terminal
}
