//! Integration tests of tend-mcp: a real MCP client that nobody here wrote (the official MCP
//! Python SDK, and the MCP Inspector CLI when npm is present) drives the real `tend mcp`
//! against a real daemon in a temporary `TEND_HOME`.
//!
//! The SDK is installed into `.venv` at the workspace root by `scripts/setup-test-env.sh`,
//! which the tests run first. The `tend` binary is built next to this test binary (same target
//! directory and profile) with `cargo build -p tend-cli --bin tend`; `TEND_BIN` overrides it.
//! The scenarios themselves are in `mcp_client.py`.

mod http;
mod inspector;
mod stdio;
mod support;
