//! Any terminal size draws without a panic, zero height and 1x1 included, in every mode.

use ratatui::crossterm::event::KeyCode;

use crate::fixtures::{app_on_server, draw, key};
use tend_tui::Msg;

#[test]
fn every_size_draws_in_every_mode() {
    let modes: [&[Msg]; 5] = [
        &[],
        &[key(KeyCode::Char('?'))],
        &[key(KeyCode::Char('s'))],
        &[key(KeyCode::Char('/')), key(KeyCode::Char('x'))],
        &[
            key(KeyCode::Tab),
            key(KeyCode::Char('z')),
            key(KeyCode::PageUp),
        ],
    ];
    let sizes = (0..=12).flat_map(|w| (0..=16).map(move |h| (w * 9, h)));
    for (width, height) in sizes.chain([(0, 0), (1, 1), (0, 50), (200, 0), (1, 100), (300, 1)]) {
        for keys in modes {
            let mut app = app_on_server(width, height);
            for msg in keys {
                app.update(msg.clone());
            }
            for msg in [
                key(KeyCode::Down),
                key(KeyCode::PageDown),
                key(KeyCode::End),
            ] {
                app.update(msg);
                draw(&app, width, height);
            }
        }
    }
}

#[test]
fn a_resize_to_nothing_and_back_keeps_the_state() {
    let mut app = app_on_server(80, 24);
    app.update(Msg::Resize {
        width: 0,
        height: 0,
    });
    draw(&app, 0, 0);
    app.update(key(KeyCode::Down));
    app.update(Msg::Resize {
        width: 80,
        height: 24,
    });
    let screen = draw(&app, 80, 24);
    assert_eq!(
        app.selected_task()
            .map(|task| task.id.to_string())
            .as_deref(),
        Some("t2")
    );
    assert!(format!("{}", screen.backend()).contains("output t2"));
}
