//! Terminals: `run --tty`, `input --key`, `screen`, `logs --plain`, `attach`, and a REPL that
//! outlives a daemon killed with SIGKILL.

use std::process::Command;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::support::{Home, TEND, eventually, process_alive};

fn screen_shows(home: &Home, id: &str, line: &str) {
    eventually(
        &format!("the screen of {id} to show {line:?}"),
        Duration::from_secs(20),
        || home.ok(&["screen", id]).lines().any(|l| l == line),
    );
}

#[test]
fn run_tty_with_a_size_then_plain_logs_and_the_screen() {
    let home = Home::new();
    let id = home.start(&["--tty", "--size", "12x34", "--", "stty", "size"]);
    let record = home.finished(&id);
    assert_eq!(record["tty"], serde_json::json!({"rows": 12, "cols": 34}));
    assert_eq!(home.ok(&["logs", &id]), "12 34\r\n");
    assert_eq!(home.ok(&["logs", "--plain", &id]), "12 34\n");
    assert_eq!(home.ok(&["screen", &id]), "12 34\n");
    let bad = home.run(&["run", "--tty", "--size", "0x10", "--", "true"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn a_repl_goes_on_after_the_daemon_is_killed_between_two_inputs() {
    let home = Home::new();
    let id = home.start(&[
        "--tty",
        "--env",
        "PYTHON_BASIC_REPL=1",
        "--",
        "python3",
        "-q",
        "-i",
    ]);
    // Typed before the REPL reads, the terminal would echo the input first (typeahead).
    screen_shows(&home, &id, ">>>");
    home.ok(&["input", &id, "2+2", "--key", "enter"]);
    screen_shows(&home, &id, "4");
    let daemon = home.daemon_pid();
    kill(Pid::from_raw(daemon as i32), Signal::SIGKILL).unwrap();
    eventually("the daemon to die", Duration::from_secs(5), || {
        !process_alive(daemon)
    });
    // The next command starts a new daemon, which re-adopts the REPL.
    home.ok(&["input", &id, "3*7", "--key", "enter"]);
    screen_shows(&home, &id, "21");
    assert_ne!(home.daemon_pid(), daemon);
    let plain = home.ok(&["logs", "--plain", &id]);
    assert!(plain.contains(">>> 2+2\n4\n>>> 3*7\n21\n"), "{plain:?}");
    home.ok(&["input", &id, "--eof"]);
    let record = home.finished(&id);
    assert_eq!(record["exit_code"], 0, "{record}");
}

#[test]
fn attach_in_tmux_forwards_keys_and_detaches_on_ctrl_bracket() {
    let home = Home::new();
    let id = home.start(&["--tty", "--", "cat"]);
    let socket = home.path().join("tmux.sock");
    let socket = socket.to_str().unwrap().to_owned();
    let _server = TmuxServer(socket.clone());
    let tmux = |args: &[&str]| {
        let status = Command::new("tmux")
            .args(["-S", &socket, "-f", "/dev/null"])
            .args(args)
            .status()
            .expect("tmux runs");
        assert!(status.success(), "tmux {args:?}");
    };
    let attach = format!(
        "TEND_HOME={} {TEND} attach {id}; echo attach-ended; sleep 30",
        home.path().display()
    );
    tmux(&["new-session", "-d", "-x", "90", "-y", "25", &attach]);
    let capture = || {
        let out = Command::new("tmux")
            .args(["-S", &socket, "capture-pane", "-p"])
            .output()
            .expect("tmux capture");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // Attaching gives the task the person's terminal size.
    eventually("attach to resize the task", Duration::from_secs(20), || {
        home.record(&id)["tty"] == serde_json::json!({"rows": 25, "cols": 90})
    });
    tmux(&["send-keys", "-t", "0", "hello", "Enter"]);
    eventually("cat to echo the line", Duration::from_secs(20), || {
        home.ok(&["logs", &id]).contains("hello\r\nhello\r\n")
    });
    eventually(
        "the line to show in the person's terminal",
        Duration::from_secs(20),
        || capture().matches("hello").count() >= 2,
    );
    tmux(&["send-keys", "-t", "0", "C-]"]);
    eventually("attach to detach", Duration::from_secs(20), || {
        capture().contains("attach-ended")
    });
    assert!(capture().contains("detached from"), "{}", capture());
    assert_eq!(home.record(&id)["state"], "running");
    home.ok(&["stop", &id]);
}

/// Ends the test's tmux server (and the `tend attach` in it) however the test ends.
struct TmuxServer(String);

impl Drop for TmuxServer {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-S", &self.0, "kill-server"])
            .status();
    }
}
