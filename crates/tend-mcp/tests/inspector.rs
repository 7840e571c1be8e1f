//! The MCP Inspector CLI (npm `@modelcontextprotocol/inspector`, pinned) lists and calls the
//! tools of `tend mcp`. Skipped, with a notice, where `npx` is not installed.

use std::process::{Command, Output};

use crate::support::{Home, tend};

/// The Inspector release the test runs.
const INSPECTOR: &str = "@modelcontextprotocol/inspector@2.12.0";

fn npx_present() -> bool {
    Command::new("npx")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

fn inspect(home: &Home, method_args: &[&str]) -> Output {
    let home_env = format!("TEND_HOME={}", home.path().display());
    Command::new("npx")
        .args(["--yes", INSPECTOR, "--cli"])
        .arg(tend())
        .arg("mcp")
        .args(["-e", &home_env, "-e", "TEND_SESSION=inspector"])
        .args(method_args)
        .env("TEND_HOME", home.path())
        .env("npm_config_yes", "true")
        .env("npm_config_update_notifier", "false")
        .current_dir(home.path())
        .output()
        .expect("cannot run npx")
}

fn text(output: &Output) -> String {
    format!(
        "status {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_mcp_inspector_lists_and_calls_the_tools() {
    if !npx_present() {
        eprintln!("notice: npx is not installed: the MCP Inspector check is skipped");
        return;
    }
    let home = Home::new();
    let listed = inspect(&home, &["--method", "tools/list"]);
    let shown = text(&listed);
    assert!(listed.status.success(), "{shown}");
    for tool in [
        "bg_run",
        "bg_output",
        "bg_wait",
        "bg_stop",
        "bg_list",
        "bg_input",
    ] {
        assert!(
            shown.contains(&format!("\"{tool}\"")),
            "{tool} missing: {shown}"
        );
    }
    let called = inspect(
        &home,
        &[
            "--method",
            "tools/call",
            "--tool-name",
            "bg_run",
            "--tool-arg",
            "command=echo inspected",
        ],
    );
    let shown = text(&called);
    assert!(called.status.success(), "{shown}");
    assert!(
        shown.contains("inspected") && shown.contains("completed (exit 0)"),
        "{shown}"
    );
    let listed = inspect(&home, &["--method", "tools/call", "--tool-name", "bg_list"]);
    let shown = text(&listed);
    assert!(listed.status.success(), "{shown}");
    assert!(
        shown.contains("session inspector") && shown.contains("echo inspected"),
        "{shown}"
    );
}
