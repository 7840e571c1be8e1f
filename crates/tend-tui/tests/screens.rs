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
