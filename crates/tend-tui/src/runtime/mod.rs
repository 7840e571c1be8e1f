//! The runtime: the terminal, the key thread, the task feed, output reads and actions around
//! one loop that updates the state and draws it, at most once per frame interval.

mod actions;
mod clock;
mod feed;
mod output;
mod terminal;

use std::io::IsTerminal;
use std::time::Duration;

use tend_client::Client;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use crate::app::{App, Effect, Filter, Msg};
use crate::ui::render;
use crate::{Options, TuiError};
use output::OutputReads;
use terminal::Screen;

/// The shortest time between two frames.
const FRAME: Duration = Duration::from_millis(16);
/// How often the clock ticks (ages are shown in seconds).
const TICK: Duration = Duration::from_secs(1);
/// The most messages applied before a frame is drawn.
const BATCH: usize = 512;

/// Runs `tend tui` until the user quits.
///
/// `client` is asked once for the daemon's health, so that its start policy applies (with the
/// CLI's client, a daemon is started when none runs); an error then is returned before the
/// terminal is touched. After that the UI uses a client of the same home that never starts a
/// daemon: when the daemon goes away, the UI says so and reconnects once one answers again.
///
/// Needs a current tokio runtime (a current-thread one is enough) and a terminal on standard
/// input and output.
pub async fn run(client: Client, options: Options) -> Result<(), TuiError> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(TuiError::NotATerminal);
    }
    client.health().await?;
    let client = Client::new(client.home());
    let filter = Filter {
        session: options.session,
        ..Filter::default()
    };
    let mut app = App::new(client.home().display().to_string(), clock::now())
        .with_filter(filter)
        .with_colour(!options.no_color);
    let (tx, mut rx) = mpsc::channel(256);
    let mut screen = Screen::enter()?;
    let size = screen.terminal.size()?;
    app.update(Msg::Resize {
        width: size.width,
        height: size.height,
    });
    terminal::spawn_input(tx.clone())?;
    let feed = tokio::spawn(feed::run(client.clone(), tx.clone()));
    let mut reads = OutputReads::new(client.clone(), tx.clone());
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut drawn_at = Instant::now();
    let mut dirty = true;
    let result = loop {
        if dirty && drawn_at.elapsed() >= FRAME {
            if let Err(error) = screen.terminal.draw(|frame| render(&app, frame)) {
                break Err(error.into());
            }
            drawn_at = Instant::now();
            dirty = false;
        }
        let msg = tokio::select! {
            msg = rx.recv() => match msg {
                Some(msg) => msg,
                None => break Ok(()),
            },
            _ = tick.tick() => Msg::Tick(clock::now()),
            _ = tokio::time::sleep_until(drawn_at + FRAME), if dirty => continue,
            _ = terminate.recv() => break Ok(()),
            _ = hangup.recv() => break Ok(()),
        };
        let mut quit = apply(&mut app, msg, &client, &tx, &mut reads);
        for _ in 0..BATCH {
            let Ok(msg) = rx.try_recv() else { break };
            quit |= apply(&mut app, msg, &client, &tx, &mut reads);
        }
        if quit {
            break Ok(());
        }
        dirty = true;
    };
    feed.abort();
    drop(reads);
    drop(screen);
    result
}

/// Updates the state with `msg` and carries out the effects; answers whether to quit.
fn apply(
    app: &mut App,
    msg: Msg,
    client: &Client,
    tx: &mpsc::Sender<Msg>,
    reads: &mut OutputReads,
) -> bool {
    let mut quit = false;
    for effect in app.update(msg) {
        match effect {
            Effect::Quit => quit = true,
            Effect::Follow {
                id,
                from,
                generation,
            } => reads.follow(id, from, generation),
            Effect::Unfollow => reads.unfollow(),
            Effect::Read {
                id,
                cursor,
                max_bytes,
                purpose,
                generation,
            } => {
                reads.read(id, cursor, max_bytes, purpose, generation);
            }
            Effect::Stop(id) => actions::stop(client, tx, id),
            Effect::Remove(id) => actions::remove(client, tx, id),
        }
    }
    quit
}

#[cfg(test)]
mod tests;
