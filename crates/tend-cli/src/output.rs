//! Writing to stdout, which is the CLI's output: lines, JSON documents and raw bytes.
//!
//! Everything goes through a locked handle with `write!` rather than `print!`: a reader that
//! goes away (`tend logs -f t1 | head -n 1`) makes the write fail with a broken pipe, which
//! ends the command quietly (see [`crate::exit`]) instead of panicking.

use std::io::{self, Write};

use serde::Serialize;

/// Prints `text` and a newline.
pub fn line(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.write_all(b"\n")?;
    stdout.flush()
}

/// Prints `text` as it is (it ends with its own newline, if any).
pub fn text(text: &str) -> io::Result<()> {
    bytes(text.as_bytes())
}

/// Prints bytes exactly and flushes them.
pub fn bytes(data: &[u8]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(data)?;
    stdout.flush()
}

/// Prints a JSON document on one line.
pub fn json<T: Serialize>(value: &T) -> io::Result<()> {
    let mut encoded = serde_json::to_vec(value).map_err(io::Error::other)?;
    encoded.push(b'\n');
    bytes(&encoded)
}

/// Writes bytes to stderr exactly (the stderr stream of a task followed by `run --wait`).
pub fn stderr_bytes(data: &[u8]) -> io::Result<()> {
    let mut stderr = io::stderr().lock();
    stderr.write_all(data)?;
    stderr.flush()
}
