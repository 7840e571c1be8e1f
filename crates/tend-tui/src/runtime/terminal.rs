//! The terminal: raw mode and the alternate screen while the UI runs, restored on every way
//! out (return, error, panic); and the thread that reads keys and resizes from it.

use std::io;
use std::time::Duration;

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event};
use tokio::sync::mpsc::Sender;

use crate::app::Msg;

/// How often the input thread checks whether the UI is gone.
const INPUT_POLL: Duration = Duration::from_millis(100);

/// The terminal in raw mode on the alternate screen; dropping it restores the terminal.
/// ratatui's panic hook restores it on a panic too.
#[derive(Debug)]
pub(super) struct Screen {
    pub(super) terminal: DefaultTerminal,
}

impl Screen {
    /// Enters raw mode and the alternate screen.
    pub(super) fn enter() -> io::Result<Self> {
        match ratatui::try_init() {
            Ok(terminal) => Ok(Self { terminal }),
            Err(error) => {
                ratatui::restore();
                Err(error)
            }
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = self.terminal.show_cursor();
        ratatui::restore();
    }
}

/// Reads keys and resizes on a thread of its own (reading the terminal blocks) and sends them
/// to the UI, until the UI is gone or the terminal cannot be read.
pub(super) fn spawn_input(tx: Sender<Msg>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("tend-tui-input".into())
        .spawn(move || {
            while !tx.is_closed() {
                match event::poll(INPUT_POLL) {
                    Ok(false) => continue,
                    Ok(true) => {}
                    Err(_) => return,
                }
                let msg = match event::read() {
                    Ok(Event::Key(key)) => Msg::Key(key),
                    Ok(Event::Resize(width, height)) => Msg::Resize { width, height },
                    Ok(_) => continue,
                    Err(_) => return,
                };
                if tx.blocking_send(msg).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}
