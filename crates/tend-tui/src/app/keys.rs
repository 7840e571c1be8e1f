//! What each key does, in each [`Mode`]; [`KEYS`] is the list the help overlay shows.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::App;
use super::filter::StateFilter;
use super::mode::{Confirm, ConfirmAction, Mode};
use super::msg::Effect;
use crate::layout::Focus;

/// Every key binding as (keys, what they do), in the order the help overlay lists them.
pub const KEYS: &[(&str, &str)] = &[
    (
        "↑ ↓  j k",
        "select a task, or scroll the output (focused pane)",
    ),
    ("PgUp PgDn", "a page up or down"),
    (
        "g G  Home End",
        "first or last task; start or end of the output",
    ),
    ("← →  h l", "scroll the output sideways"),
    ("Tab", "focus the table or the output"),
    ("z", "zoom the focused pane"),
    ("f", "follow the output's end, or stop following"),
    ("s", "stop the selected task (asks y/n)"),
    ("d  Del", "remove the selected ended task (asks y/n)"),
    ("/", "filter by text (Enter keeps, Esc restores)"),
    ("S", "filter by session (cycles)"),
    ("t", "filter by state (cycles)"),
    ("c  Esc", "clear the filters"),
    ("o  r", "sort by the next column; reverse the order"),
    ("?", "this help"),
    ("q  Ctrl-C", "quit"),
];

/// Applies a key press.
pub(super) fn handle(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return vec![Effect::Quit];
    }
    match std::mem::take(&mut app.mode) {
        Mode::Normal => normal(app, key),
        Mode::Help => Vec::new(),
        Mode::Confirm(confirm) => match key.code {
            KeyCode::Char('y' | 'Y') => {
                app.say(format!("{} {}…", confirm.action.doing(), confirm.id), false);
                match confirm.action {
                    ConfirmAction::Stop => vec![Effect::Stop(confirm.id)],
                    ConfirmAction::Remove => vec![Effect::Remove(confirm.id)],
                }
            }
            _ => {
                app.say(
                    format!("did not {} {}", confirm.action.verb(), confirm.id),
                    false,
                );
                Vec::new()
            }
        },
        Mode::Filter { previous } => {
            filter_input(app, key, previous);
            Vec::new()
        }
    }
}

fn filter_input(app: &mut App, key: KeyEvent, previous: String) {
    match key.code {
        KeyCode::Enter => return,
        KeyCode::Esc => {
            app.filter.text = previous;
            return;
        }
        KeyCode::Backspace => {
            app.filter.text.pop();
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            app.filter.text.clear();
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            app.filter.text.push(c);
        }
        _ => {}
    }
    app.mode = Mode::Filter { previous };
}

fn normal(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let areas = app.areas();
    let on_output = app.focus == Focus::Output && !areas.output.is_empty();
    let table_page = areas.table_rows().max(1);
    let output_page = areas.output_lines().max(1);
    let signed = |rows: usize| isize::try_from(rows).unwrap_or(isize::MAX);
    match key.code {
        KeyCode::Char('q') => return vec![Effect::Quit],
        KeyCode::Char('?') => app.mode = Mode::Help,
        KeyCode::Tab | KeyCode::BackTab => {
            app.focus = match app.focus {
                Focus::Table => Focus::Output,
                Focus::Output => Focus::Table,
            };
        }
        KeyCode::Char('z') => app.zoomed = !app.zoomed,
        KeyCode::Up | KeyCode::Char('k') if on_output => {
            return app.output.scroll_up(1, output_page);
        }
        KeyCode::Down | KeyCode::Char('j') if on_output => return app.output.scroll_down(1),
        KeyCode::PageUp if on_output => return app.output.scroll_up(output_page, output_page),
        KeyCode::PageDown if on_output => return app.output.scroll_down(output_page),
        KeyCode::Home | KeyCode::Char('g') if on_output => return app.output.jump_to_start(),
        KeyCode::End | KeyCode::Char('G') if on_output => return app.output.jump_to_end(),
        KeyCode::Up | KeyCode::Char('k') => app.move_selection(-1),
        KeyCode::Down | KeyCode::Char('j') => app.move_selection(1),
        KeyCode::PageUp => app.move_selection(-signed(table_page)),
        KeyCode::PageDown => app.move_selection(signed(table_page)),
        KeyCode::Home | KeyCode::Char('g') => app.move_selection(isize::MIN),
        KeyCode::End | KeyCode::Char('G') => app.move_selection(isize::MAX),
        KeyCode::Left | KeyCode::Char('h') => app.output.scroll_sideways(-8),
        KeyCode::Right | KeyCode::Char('l') => app.output.scroll_sideways(8),
        KeyCode::Char('f') => return app.output.toggle_follow(),
        KeyCode::Char('s') => ask(app, ConfirmAction::Stop),
        KeyCode::Char('d') | KeyCode::Delete => ask(app, ConfirmAction::Remove),
        KeyCode::Char('/') => {
            app.mode = Mode::Filter {
                previous: app.filter.text.clone(),
            }
        }
        KeyCode::Char('S') => app.filter.session = next_session(app),
        KeyCode::Char('t') => app.filter.state = app.filter.state.next(),
        KeyCode::Char('c') | KeyCode::Esc => {
            app.filter.session = None;
            app.filter.state = StateFilter::All;
            app.filter.text.clear();
        }
        KeyCode::Char('o') => app.sort.key = app.sort.key.next(),
        KeyCode::Char('r') => app.sort.descending = !app.sort.descending,
        _ => {}
    }
    Vec::new()
}

/// Asks to stop or remove the selected task, when that can be done.
fn ask(app: &mut App, action: ConfirmAction) {
    let Some(task) = app.selected_task() else {
        app.say("no task is selected", true);
        return;
    };
    let (id, live) = (task.id, task.is_live());
    let refusal = match action {
        ConfirmAction::Stop if !live => Some(format!("{id} has already ended")),
        ConfirmAction::Remove if live => Some(format!("{id} is still live: stop it first")),
        ConfirmAction::Stop | ConfirmAction::Remove => None,
    };
    if let Some(refusal) = refusal {
        app.say(refusal, true);
        return;
    }
    let name = task.name.to_string();
    app.mode = Mode::Confirm(Confirm { action, id, name });
}

/// The session after the one filtered by, in name order; none after the last.
fn next_session(app: &App) -> Option<String> {
    let sessions = app.tasks.sessions();
    match &app.filter.session {
        None => sessions.into_iter().next(),
        Some(current) => sessions.into_iter().find(|session| session > current),
    }
}
