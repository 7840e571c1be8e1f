//! The state's behaviour: keys, confirmations, events, reconnection and output scrolling, as a
//! user would notice them.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tend_core::{Event, EventKind, Reason, State, TaskId, Timestamp};
use tend_tui::{Connection, Effect, Mode, Msg, OutputChunk, ReadPurpose, WINDOW_CAP_BYTES};

use crate::fixtures::{
    NOW, app, app_on_server, ended, follow_generation, key, select, shell, shifted,
};

fn id(n: u64) -> TaskId {
    TaskId::new(n)
}

fn event(seq: u64, task: u64, kind: EventKind) -> Event {
    Event {
        seq,
        at: Timestamp::from_millis(NOW),
        task_id: id(task),
        session: "cli".into(),
        kind,
    }
}

fn chunk(
    generation: u64,
    purpose: ReadPurpose,
    requested: u64,
    cursor: u64,
    data: &[u8],
    total: u64,
) -> Msg {
    Msg::Output(OutputChunk {
        generation,
        purpose,
        requested,
        cursor,
        data: data.to_vec(),
        total_bytes: total,
        dropped_bytes: 0,
        eof: false,
        screen: None,
    })
}

#[test]
fn stopping_asks_first_and_only_yes_stops() {
    let mut app = app(80, 24);
    select(&mut app, 3);
    assert!(app.update(key(KeyCode::Char('s'))).is_empty());
    assert!(matches!(app.mode(), Mode::Confirm(question) if question.id == id(3)));
    assert!(app.update(key(KeyCode::Char('n'))).is_empty());
    assert_eq!(app.mode(), &Mode::Normal);
    app.update(key(KeyCode::Char('s')));
    assert_eq!(
        app.update(key(KeyCode::Char('y'))),
        vec![Effect::Stop(id(3))]
    );
    assert_eq!(app.mode(), &Mode::Normal);
}

#[test]
fn ended_tasks_cannot_be_stopped_and_live_ones_cannot_be_removed() {
    let mut app = app(80, 24);
    select(&mut app, 1);
    app.update(key(KeyCode::Char('s')));
    assert_eq!(app.mode(), &Mode::Normal, "no question for an ended task");
    app.update(key(KeyCode::Char('d')));
    assert_eq!(
        app.update(key(KeyCode::Char('y'))),
        vec![Effect::Remove(id(1))]
    );
    select(&mut app, 3);
    app.update(key(KeyCode::Delete));
    assert_eq!(app.mode(), &Mode::Normal, "no question for a live task");
}

#[test]
fn quitting_and_the_help_overlay() {
    let mut app = app(80, 24);
    app.update(key(KeyCode::Char('?')));
    assert_eq!(app.mode(), &Mode::Help);
    assert!(
        app.update(key(KeyCode::Char('q'))).is_empty(),
        "q closes the help first"
    );
    assert_eq!(app.mode(), &Mode::Normal);
    assert_eq!(app.update(key(KeyCode::Char('q'))), vec![Effect::Quit]);
    app.update(key(KeyCode::Char('/')));
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(app.update(ctrl_c), vec![Effect::Quit]);
}

#[test]
fn events_keep_the_table_current_and_the_selection_on_its_task() {
    let mut app = app(80, 24);
    select(&mut app, 3);
    let new = shell(10, "make lint", "cli", 0);
    app.update(Msg::Events(vec![event(
        1,
        10,
        EventKind::Registered {
            task: std::sync::Arc::new(new.clone()),
        },
    )]));
    assert_eq!(app.tasks().view()[0], id(10), "newest first");
    assert_eq!(
        app.selected_task().map(|task| task.id),
        Some(id(3)),
        "the selection stays"
    );
    let mut done = ended(new, State::Completed, Reason::Exited, 0);
    done.exit_code = Some(0);
    app.update(Msg::Events(vec![
        event(
            2,
            10,
            EventKind::Started {
                attempt: 1,
                pid: Some(77),
            },
        ),
        event(
            3,
            10,
            EventKind::Finished {
                task: std::sync::Arc::new(done),
            },
        ),
        event(
            4,
            3,
            EventKind::StateChanged {
                from: State::Running,
                to: State::CancelRequested,
            },
        ),
    ]));
    assert_eq!(
        app.tasks().get(id(10)).map(|task| task.state),
        Some(State::Completed)
    );
    assert_eq!(
        app.tasks().get(id(3)).map(|task| task.state),
        Some(State::CancelRequested)
    );
    app.update(Msg::Events(vec![event(5, 10, EventKind::Removed)]));
    assert!(app.tasks().get(id(10)).is_none());
}

#[test]
fn old_events_replayed_over_a_newer_list_change_no_ended_task() {
    let mut app = app(80, 24);
    app.update(Msg::Events(vec![
        event(
            1,
            1,
            EventKind::Started {
                attempt: 1,
                pid: Some(5),
            },
        ),
        event(
            2,
            1,
            EventKind::StateChanged {
                from: State::Running,
                to: State::CancelRequested,
            },
        ),
        event(
            3,
            1,
            EventKind::Registered {
                task: std::sync::Arc::new(shell(1, "x", "cli", 9)),
            },
        ),
    ]));
    assert_eq!(
        app.tasks().get(id(1)).map(|task| task.state),
        Some(State::Completed)
    );
}

#[test]
fn a_lost_daemon_is_reported_and_its_return_announced() {
    let mut app = app(80, 24);
    app.update(Msg::Disconnected {
        error: "connection refused".into(),
    });
    assert!(matches!(app.connection(), Connection::Lost { .. }));
    let mut tasks = crate::fixtures::tasks();
    tasks.truncate(2);
    app.update(Msg::Connected { tasks });
    assert_eq!(app.connection(), &Connection::Connected);
    assert_eq!(app.tasks().len(), 2, "the new list replaces the old one");
    let screen = crate::fixtures::draw(&app, 80, 24);
    assert!(format!("{}", screen.backend()).contains("reconnected to the daemon"));
}

#[test]
fn filters_by_session_state_and_text() {
    let mut app = app(80, 24);
    app.update(shifted('S'));
    assert!(
        app.tasks()
            .view()
            .iter()
            .all(|id| app.tasks().get(*id).unwrap().session == "agent-7")
    );
    app.update(shifted('S'));
    app.update(shifted('S'));
    app.update(shifted('S'));
    assert_eq!(
        app.tasks().view().len(),
        9,
        "the cycle ends with every session"
    );
    app.update(key(KeyCode::Char('t')));
    assert_eq!(app.tasks().view().len(), 5, "live tasks");
    app.update(key(KeyCode::Char('/')));
    for c in "npm".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    assert_eq!(app.tasks().view(), [id(3)]);
    app.update(key(KeyCode::Esc));
    assert_eq!(app.tasks().view().len(), 5, "Esc restores the text filter");
    app.update(key(KeyCode::Char('c')));
    assert_eq!(app.tasks().view().len(), 9);
}

#[test]
fn selecting_a_task_follows_its_output_and_old_answers_are_ignored() {
    let mut app = app(80, 24);
    select(&mut app, 3);
    let effects = app.update(key(KeyCode::Down));
    let Some(Effect::Follow {
        id: followed,
        generation,
        ..
    }) = effects.first()
    else {
        panic!("no follow in {effects:?}");
    };
    assert_eq!(*followed, id(2));
    app.update(chunk(
        generation - 1,
        ReadPurpose::Follow,
        0,
        0,
        b"stale\n",
        6,
    ));
    assert!(app.output().window().is_empty());
    app.update(chunk(*generation, ReadPurpose::Follow, 0, 0, b"fresh\n", 6));
    assert_eq!(app.output().window().len(), 6);
}

#[test]
fn scrolling_back_reads_earlier_cursors_and_end_follows_again() {
    let mut app = app_on_server(80, 24);
    let generation = follow_generation(&mut app);
    let line = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n";
    let tail = line.repeat(100);
    let start = 10_000_000;
    app.update(chunk(
        generation,
        ReadPurpose::Follow,
        start,
        start,
        &tail,
        start + 6400,
    ));
    let first = app.output().window().start();
    assert_eq!(
        first,
        start + 64,
        "a first line that may be partial is left out"
    );
    app.update(key(KeyCode::Tab));
    let effects = app.update(key(KeyCode::PageUp));
    assert_eq!(effects[0], Effect::Unfollow, "scrolling up stops following");
    let Some(Effect::Read {
        cursor,
        max_bytes,
        purpose: ReadPurpose::Before,
        ..
    }) = effects.get(1)
    else {
        panic!("no read before the window in {effects:?}");
    };
    assert_eq!(
        cursor + max_bytes,
        first,
        "the read ends where the window starts"
    );
    let earlier = line.repeat(usize::try_from(*max_bytes).unwrap() / 64);
    app.update(chunk(
        generation,
        ReadPurpose::Before,
        *cursor,
        *cursor,
        &earlier,
        start + 6400,
    ));
    assert_eq!(app.output().window().start(), *cursor);
    assert!(!app.output().is_following());
    let effects = app.update(key(KeyCode::End));
    assert!(
        matches!(effects[..], [Effect::Follow { .. }]),
        "{effects:?}"
    );
    assert!(app.output().is_following());
}

#[test]
fn a_cursor_in_the_dropped_range_shows_a_gap_and_reads_before_it() {
    let mut app = app_on_server(80, 24);
    let generation = follow_generation(&mut app);
    let start = 70 << 20;
    let tail = b"partial\nkept tail\n";
    app.update(chunk(
        generation,
        ReadPurpose::Follow,
        start,
        start,
        tail,
        start + 18,
    ));
    app.update(key(KeyCode::Tab));
    let effects = app.update(key(KeyCode::Up));
    let Some(Effect::Read { cursor, .. }) = effects.get(1) else {
        panic!("{effects:?}")
    };
    // The whole range asked for was dropped: the daemon answers from the first kept byte.
    app.update(Msg::Output(OutputChunk {
        generation,
        purpose: ReadPurpose::Before,
        requested: *cursor,
        cursor: start,
        data: tail.to_vec(),
        total_bytes: start + 18,
        dropped_bytes: 6 << 20,
        eof: false,
        screen: None,
    }));
    assert_eq!(app.output().window().start(), start - (6 << 20));
    let effects = app.update(key(KeyCode::Up));
    let Some(Effect::Read {
        cursor, max_bytes, ..
    }) = effects.first()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(
        cursor + max_bytes,
        start - (6 << 20),
        "the next read ends at the dropped range"
    );
    let screen = crate::fixtures::draw(&app, 80, 24);
    assert!(format!("{}", screen.backend()).contains("6.0 MiB not kept"));
}

#[test]
fn following_a_fast_stream_keeps_memory_bounded() {
    let mut app = app_on_server(200, 50);
    let generation = follow_generation(&mut app);
    let piece = b"x"
        .repeat(1023)
        .into_iter()
        .chain([b'\n'])
        .collect::<Vec<u8>>()
        .repeat(256);
    let mut cursor = 0;
    for _ in 0..40 {
        let total = cursor + piece.len() as u64;
        app.update(chunk(
            generation,
            ReadPurpose::Follow,
            cursor,
            cursor,
            &piece,
            total,
        ));
        cursor = total;
        assert!(
            app.output().window().len() <= WINDOW_CAP_BYTES + WINDOW_CAP_BYTES / 4 + piece.len()
        );
    }
    assert_eq!(app.output().window().end(), cursor);
    assert_eq!(app.output().total_bytes(), 10 << 20);
}
