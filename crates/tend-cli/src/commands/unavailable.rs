//! `tend tui` and `tend mcp`: not part of this build yet.

use anyhow::bail;

/// Fails with a message that names what is missing (exit 1).
pub fn run(command: &str, what: &str) -> anyhow::Result<u8> {
    bail!("`tend {command}` ({what}) is not available in this build yet")
}
