//! Snapshots of the main screens at 80x24 and 200x50, and of a 20x5 terminal.

use insta::assert_snapshot;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;

use crate::fixtures::{app, app_on_server, draw, key, select, shifted};
use tend_tui::Msg;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

#[test]
fn the_main_screen() {
    for (width, height) in SIZES {
        let app = app_on_server(width, height);
        assert_snapshot!(
            format!("main_{width}x{height}"),
            draw(&app, width, height).backend()
        );
    }
}

#[test]
fn the_help_overlay() {
    for (width, height) in SIZES {
        let mut app = app_on_server(width, height);
        app.update(key(KeyCode::Char('?')));
        assert_snapshot!(
            format!("help_{width}x{height}"),
            draw(&app, width, height).backend()
        );
    }
}

#[test]
fn the_stop_question() {
    for (width, height) in SIZES {
        let mut app = app_on_server(width, height);
        app.update(key(KeyCode::Char('s')));
        assert_snapshot!(
            format!("stop_{width}x{height}"),
            draw(&app, width, height).backend()
        );
    }
}

#[test]
fn a_filtered_table_while_typing() {
    for (width, height) in SIZES {
        let mut app = app(width, height);
        app.update(key(KeyCode::Char('t')));
        app.update(key(KeyCode::Char('/')));
        for c in "cargo".chars() {
            app.update(key(KeyCode::Char(c)));
        }
        assert_snapshot!(
            format!("filter_{width}x{height}"),
            draw(&app, width, height).backend()
        );
    }
}

#[test]
fn an_external_task_and_a_lost_daemon() {
    for (width, height) in SIZES {
        let mut app = app(width, height);
        select(&mut app, 6);
        app.update(Msg::Tick(crate::fixtures::ago(-15)));
        app.update(Msg::Disconnected {
            error: "connection refused".into(),
        });
        app.update(Msg::Tick(crate::fixtures::ago(-20)));
        assert_snapshot!(
            format!("lost_{width}x{height}"),
            draw(&app, width, height).backend()
        );
    }
}

#[test]
fn the_output_pane_zoomed_and_scrolled_back() {
    for (width, height) in SIZES {
        let mut app = app_on_server(width, height);
        app.update(key(KeyCode::Tab));
        app.update(key(KeyCode::Char('z')));
        for _ in 0..3 {
            app.update(key(KeyCode::PageUp));
        }
        app.update(key(KeyCode::Down));
        assert_snapshot!(
            format!("zoomed_{width}x{height}"),
            draw(&app, width, height).backend()
        );
    }
}

#[test]
fn a_tiny_terminal() {
    let mut app = app_on_server(20, 5);
    assert_snapshot!("tiny_20x5", draw(&app, 20, 5).backend());
    app.update(key(KeyCode::Tab));
    assert_snapshot!("tiny_20x5_output", draw(&app, 20, 5).backend());
    app.update(key(KeyCode::Char('?')));
    assert_snapshot!("tiny_20x5_help", draw(&app, 20, 5).backend());
}

#[test]
fn states_are_coloured() {
    let mut app = app(200, 50);
    app.update(shifted('G'));
    let terminal = draw(&app, 200, 50);
    let buffer = terminal.backend().buffer();
    let colour_of = |word: &str| {
        (0..buffer.area.height).find_map(|y| {
            let line: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect();
            let x = line.find(&format!(" {word} "))? + 1;
            Some(buffer[(u16::try_from(x).ok()?, y)].fg)
        })
    };
    assert_eq!(colour_of("failed"), Some(Color::Red));
    assert_eq!(colour_of("completed"), Some(Color::Green));
    assert_eq!(colour_of("running"), Some(Color::Cyan));
    assert_eq!(colour_of("cancelled"), Some(Color::Yellow));
}

#[test]
fn a_terminal_task_is_shown_as_its_screen_while_following() {
    use tend_tui::{OutputChunk, ReadPurpose};
    let mut app = app(100, 30);
    select(&mut app, 3);
    let generation = crate::fixtures::follow_generation(&mut app);
    let data = b"\x1b[?2004h>>> 2+2\r\n4\r\n>>> \x1b[K".to_vec();
    let screen = [">>> 2+2", "4", ">>>", "", ""].map(String::from).to_vec();
    app.update(Msg::Output(OutputChunk {
        generation,
        purpose: ReadPurpose::Follow,
        requested: 0,
        cursor: 0,
        total_bytes: data.len() as u64,
        data,
        dropped_bytes: 0,
        eof: false,
        screen: Some(screen),
    }));
    let text = |app: &tend_tui::App| {
        let terminal = draw(app, 100, 30);
        let buffer = terminal.backend().buffer().clone();
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol().to_owned())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let shown = text(&app);
    assert!(shown.contains("│>>> 2+2"), "{shown}");
    assert!(shown.contains("screen"), "{shown}");
    // The raw bytes' escape sequences never reach the pane.
    assert!(!shown.contains("2004h"), "{shown}");
    // Paused, the pane shows the output's lines again, escapes made visible.
    app.update(key(KeyCode::Char('f')));
    let paused = text(&app);
    assert!(!paused.contains("screen"), "{paused}");
}
