//! Terminals of tty tasks: `tend screen ID` and `tend attach ID` (CONTRACT §8).

use std::io::{IsTerminal, Write};
use std::os::fd::AsFd;
use std::time::Duration;

use clap::Args;
use tend_core::{TaskId, TtySize};
use tend_proto::{OutputQuery, ResizeParams, ScreenRead, StdinParams};
use tokio::sync::mpsc;

use crate::context::Context;
use crate::{exit, output};

/// The key that detaches `tend attach`: Ctrl-].
const DETACH: u8 = 0x1d;
/// How often `attach` looks at the person's terminal size.
const SIZE_POLL: Duration = Duration::from_millis(250);

/// `tend screen`.
#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// The task.
    pub id: TaskId,
}

/// `tend attach`.
#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The task.
    pub id: TaskId,
}

/// Parses `ROWSxCOLS` (e.g. `40x120`), each side 1..1000.
pub fn parse_size(text: &str) -> Result<TtySize, String> {
    let (rows, cols) = text
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("{text:?} is not ROWSxCOLS, e.g. 40x120"))?;
    let side = |s: &str| {
        s.trim()
            .parse::<u16>()
            .map_err(|_| format!("{s:?} is not a number"))
    };
    let size = TtySize {
        rows: side(rows)?,
        cols: side(cols)?,
    };
    if size.is_valid() {
        Ok(size)
    } else {
        Err(format!("{text} is outside 1..1000"))
    }
}

/// Runs `tend screen`: the screen's lines, trailing empty lines left out.
pub async fn screen(context: &Context, args: &ScreenArgs) -> anyhow::Result<u8> {
    let read = context.client.read_screen(args.id).await?;
    if context.json {
        output::json(&read)?;
        return Ok(exit::OK);
    }
    let lines = &read.screen.lines;
    let used = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    let mut text = String::new();
    for line in &lines[..used] {
        text.push_str(&tend_core::display::visible(line));
        text.push('\n');
    }
    output::text(&text)?;
    Ok(exit::OK)
}

/// Puts the terminal in raw mode and restores it when dropped, on every way out.
struct RawMode {
    saved: nix::sys::termios::Termios,
}

impl RawMode {
    fn enter() -> anyhow::Result<Self> {
        use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};
        let stdin = std::io::stdin();
        let saved = tcgetattr(stdin.as_fd())?;
        let mut raw = saved.clone();
        cfmakeraw(&mut raw);
        tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &raw)?;
        Ok(Self { saved })
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let stdin = std::io::stdin();
        let _ = nix::sys::termios::tcsetattr(
            stdin.as_fd(),
            nix::sys::termios::SetArg::TCSANOW,
            &self.saved,
        );
    }
}

/// The person's terminal size, if stdout is one.
fn own_size() -> Option<TtySize> {
    let (terminal_size::Width(cols), terminal_size::Height(rows)) = terminal_size::terminal_size()?;
    let size = TtySize {
        rows: rows.min(TtySize::MAX),
        cols: cols.min(TtySize::MAX),
    };
    size.is_valid().then_some(size)
}

/// Reads stdin on a thread of its own (a blocked read must not hold the runtime at exit).
fn stdin_reader() -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel(16);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match nix::unistd::read(std::io::stdin(), &mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if tx.blocking_send(buf[..n].to_vec()).is_err() {
                        return;
                    }
                }
            }
        }
    });
    rx
}

/// Draws a screen read: clear, each line at its row, the cursor where it is.
fn draw(read: &ScreenRead) -> Vec<u8> {
    let mut out = Vec::from(&b"\x1b[H\x1b[2J"[..]);
    for (row, line) in read.screen.lines.iter().enumerate() {
        out.extend_from_slice(format!("\x1b[{};1H", row + 1).as_bytes());
        out.extend_from_slice(tend_core::display::visible(line).as_bytes());
    }
    let cursor = read.screen.cursor;
    out.extend_from_slice(format!("\x1b[{};{}H", cursor.row + 1, cursor.col + 1).as_bytes());
    out
}

/// Runs `tend attach`.
pub async fn attach(context: &Context, args: &AttachArgs) -> anyhow::Result<u8> {
    let client = &context.client;
    let task = client.get_task(args.id).await?;
    let interactive = std::io::stdin().is_terminal();
    let raw = if task.tty.is_some() && interactive {
        Some(RawMode::enter()?)
    } else {
        None
    };
    let result = attached(context, args.id, task.tty.is_some(), raw.is_some()).await;
    drop(raw);
    match result {
        Ok(Ending::Detached) => eprintln!("\r\ndetached from {}; it runs on", args.id),
        Ok(Ending::Ended) => eprintln!("\r\n{} has ended", args.id),
        Err(error) => {
            eprintln!();
            return Err(error);
        }
    }
    Ok(exit::OK)
}

enum Ending {
    Detached,
    Ended,
}

async fn attached(context: &Context, id: TaskId, tty: bool, raw: bool) -> anyhow::Result<Ending> {
    let client = &context.client;
    let mut size = None;
    if tty && let Some(own) = own_size() {
        client
            .resize_terminal(
                id,
                &ResizeParams {
                    rows: own.rows,
                    cols: own.cols,
                },
            )
            .await?;
        size = Some(own);
    }
    let mut cursor = 0;
    if tty {
        let read = client.read_screen(id).await?;
        output::bytes(&draw(&read))?;
        cursor = read.total_bytes;
    }
    let mut keys = stdin_reader();
    let mut sizes = tokio::time::interval(SIZE_POLL);
    let mut query = OutputQuery {
        cursor,
        wait_ms: Some(1000),
        ..OutputQuery::default()
    };
    let mut stdin_open = true;
    loop {
        tokio::select! {
            chunk = client.read_output_raw(id, &query) => {
                let chunk = chunk?;
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(&chunk.data)?;
                stdout.flush()?;
                if chunk.eof {
                    return Ok(Ending::Ended);
                }
                query.cursor = chunk.next_cursor;
            }
            typed = keys.recv(), if stdin_open => {
                let Some(bytes) = typed else {
                    // End of the person's input: without a terminal, the task's too.
                    stdin_open = false;
                    if !raw {
                        let _ = client.write_stdin(id, &StdinParams { eof: true, ..StdinParams::default() }).await;
                    }
                    continue;
                };
                let (send, detach) = match bytes.iter().position(|&b| b == DETACH && raw) {
                    Some(at) => (&bytes[..at], true),
                    None => (&bytes[..], false),
                };
                if !send.is_empty() {
                    let params = StdinParams {
                        data: String::from_utf8_lossy(send).into_owned(),
                        ..StdinParams::default()
                    };
                    match client.write_stdin(id, &params).await {
                        Ok(()) => {}
                        // A task without a terminal or a stdin pipe: follow its output only.
                        Err(_) if !tty => stdin_open = false,
                        Err(error) => return Err(error.into()),
                    }
                }
                if detach {
                    return Ok(Ending::Detached);
                }
            }
            _ = sizes.tick(), if size.is_some() => {
                if let Some(own) = own_size() && Some(own) != size {
                    client.resize_terminal(id, &ResizeParams { rows: own.rows, cols: own.cols }).await?;
                    size = Some(own);
                }
            }
        }
    }
}
