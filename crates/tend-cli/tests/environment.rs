//! `tend run` gives the task the caller's environment (CONTRACT.md §10), `--clean-env` the
//! daemon's, and `--env` adds or replaces variables; neither is stored in the database.

use std::os::unix::fs::PermissionsExt;

use crate::support::{Home, Outcome};

/// A home whose daemon (logging at `trace`) was started with `TEND_T_DAEMON_ONLY=d` and
/// without `TEND_T_FOO`, and a directory holding a program `tend-t-tool` that only the caller has on its `PATH`.
fn home_with_a_daemon() -> (Home, tempfile::TempDir) {
    let home = Home::new();
    let mut start = home.command(&["daemon", "start"]);
    // Logging everything, so that a leak into the log would show.
    start
        .env("TEND_T_DAEMON_ONLY", "d")
        .env("TEND_LOG", "trace")
        .env_remove("TEND_T_FOO");
    let outcome = home.output_of(start);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let bin = tempfile::tempdir().unwrap();
    let tool = bin.path().join("tend-t-tool");
    std::fs::write(&tool, "#!/bin/sh\necho tool ran\n").unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    (home, bin)
}

/// `tend run ARGS...` from a shell with `TEND_T_FOO=bar` and the tool's directory first on
/// its `PATH`.
fn run_from_shell(home: &Home, bin: &tempfile::TempDir, args: &[&str]) -> Outcome {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    let mut command = home.command(&all);
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap()
    );
    command
        .env("TEND_T_FOO", "bar")
        .env("PATH", path)
        .env_remove("TEND_T_DAEMON_ONLY");
    home.output_of(command)
}

const SCRIPT: &str = "echo \"foo=$TEND_T_FOO daemon=$TEND_T_DAEMON_ONLY\"; tend-t-tool";

#[test]
fn a_task_runs_with_the_callers_environment() {
    let (home, bin) = home_with_a_daemon();
    let outcome = run_from_shell(&home, &bin, &["--wait", "--sh", SCRIPT]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(outcome.text(), "foo=bar daemon=\ntool ran\n");
    // --env replaces a variable of the caller's.
    let outcome = run_from_shell(
        &home,
        &bin,
        &["--wait", "--env", "TEND_T_FOO=baz", "--sh", SCRIPT],
    );
    assert_eq!(outcome.text(), "foo=baz daemon=\ntool ran\n");
}

#[test]
fn clean_env_starts_from_the_daemons_environment() {
    let (home, bin) = home_with_a_daemon();
    let outcome = run_from_shell(
        &home,
        &bin,
        &[
            "--wait",
            "--clean-env",
            "--env",
            "TEND_T_X=1",
            "--sh",
            SCRIPT,
        ],
    );
    // The tool is not on the daemon's PATH.
    assert_eq!(outcome.code, 127, "{}", outcome.stderr);
    assert!(
        outcome.text().starts_with("foo= daemon=d\n"),
        "{}",
        outcome.text()
    );
    let outcome = run_from_shell(
        &home,
        &bin,
        &[
            "--wait",
            "--clean-env",
            "--env",
            "TEND_T_X=1",
            "--sh",
            "echo $TEND_T_X",
        ],
    );
    assert_eq!(outcome.text(), "1\n");
}

#[test]
fn the_callers_environment_stays_out_of_the_database_and_the_log() {
    let (home, bin) = home_with_a_daemon();
    let secret = "caller-secret-5521";
    let mut command = home.command(&["run", "--wait", "--sh", "echo \"$TEND_T_SECRET\""]);
    command.env("TEND_T_SECRET", secret);
    let outcome = home.output_of(command);
    assert_eq!(outcome.text(), format!("{secret}\n"));
    let _ = bin;
    for name in ["tend.db", "tend.db-wal", "daemon.log"] {
        let data = std::fs::read(home.path().join(name)).unwrap_or_default();
        assert!(
            !data.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{name} holds the caller's environment"
        );
    }
}

#[test]
fn a_task_launched_by_the_next_daemon_still_has_only_the_callers_environment() {
    let (home, bin) = home_with_a_daemon();
    home.ok(&["group", "set", "one", "1"]);
    let blocker = home.start(&["--group", "one", "--", "sleep", "30"]);
    let outcome = run_from_shell(&home, &bin, &["--group", "one", "--sh", SCRIPT]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let queued = outcome.text().trim().to_owned();
    // The daemon dies while the task waits; the next one has an environment of its own.
    let pid = home.daemon_pid();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(pid).unwrap()),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    crate::support::eventually(
        "the daemon to die",
        std::time::Duration::from_secs(10),
        || !crate::support::process_alive(pid),
    );
    let mut start = home.command(&["daemon", "start"]);
    start.env("TEND_T_DAEMON_ONLY", "next");
    assert_eq!(home.output_of(start).code, 0);
    home.ok(&["stop", &blocker]);
    home.finished(&queued);
    assert_eq!(home.ok(&["logs", &queued]), "foo=bar daemon=\ntool ran\n");
}
