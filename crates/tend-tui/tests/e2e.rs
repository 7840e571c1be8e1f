//! The real `tend tui` in tmux against a real daemon in a temporary home: tasks started from the
//! CLI appear with their states, selecting one shows its output, and the stop key with its
//! confirmation cancels it.
//!
//! Needs tmux (`scripts/tui-deps.sh` installs it). The `tend` binary is built for it into the
//! same target directory (`$TEND_BIN` to choose another).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long the screen may take to show what is expected.
const PATIENCE: Duration = Duration::from_secs(20);

#[path = "../../../testing/tend_binary.rs"]
mod tend_binary;

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A daemon in a temporary home and a tmux server of its own; both are stopped on drop.
struct Bench {
    tend: PathBuf,
    home: tempfile::TempDir,
    socket: String,
}

impl Bench {
    fn tend(&self, args: &[&str]) -> String {
        let output = run(Command::new(&self.tend)
            .args(args)
            .env("TEND_HOME", self.home.path()));
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    fn tmux(&self, args: &[&str]) -> String {
        let output = run(Command::new("tmux").arg("-L").arg(&self.socket).args(args));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "tui"])
    }

    fn keys(&self, keys: &str) {
        self.tmux(&["send-keys", "-t", "tui", keys]);
    }

    /// Whether the UI's tmux session is still there (it ends when the UI exits).
    fn has_session(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "tui"])
            .output()
            .is_ok_and(|output| output.status.success())
    }

    /// Waits until `done` holds for the screen; answers the screen.
    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {what}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
        let _ = Command::new(&self.tend)
            .args(["daemon", "stop", "--kill-tasks"])
            .env("TEND_HOME", self.home.path())
            .output();
    }
}

/// The row of task `id` in the table on `screen`.
fn row<'a>(screen: &'a str, id: &str) -> Option<&'a str> {
    screen
        .lines()
        .find(|line| line.split_whitespace().next() == Some(id))
}

fn shows(screen: &str, id: &str, state: &str) -> bool {
    row(screen, id).is_some_and(|row| row.split_whitespace().nth(1) == Some(state))
}

fn tui_is_wired(tend: &Path, home: &Path) -> bool {
    // Without a terminal the UI refuses to start, before it asks the daemon anything, and says
    // why; a build without the UI says something else.
    let output = Command::new(tend)
        .arg("tui")
        .env("TEND_HOME", home)
        .stdin(std::process::Stdio::null())
        .output();
    output.is_ok_and(|output| String::from_utf8_lossy(&output.stderr).contains("needs a terminal"))
}

#[test]
fn the_real_tui_shows_tasks_and_output_and_stops_one() {
    let tend = tend_binary::tend_binary().to_path_buf();
    assert!(
        Command::new("tmux").arg("-V").output().is_ok(),
        "tmux is not installed (scripts/tui-deps.sh installs it)"
    );
    let home = tempfile::tempdir().expect("a temporary home");
    assert!(
        tui_is_wired(&tend, home.path()),
        "{} tui does not start the terminal UI",
        tend.display()
    );
    let socket = format!("tend-tui-e2e-{}", std::process::id());
    let bench = Bench { tend, home, socket };
    bench.tend(&["daemon", "start"]);
    let ticker = "echo first-line; i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.1; done";
    let sleeper = bench.tend(&["run", "--name", "ticker", "--sh", ticker]);
    let quick = bench.tend(&["run", "--name", "quick", "--sh", "echo quick-output-marker"]);
    let failing = bench.tend(&["run", "--name", "failing", "--sh", "exit 3"]);
    bench.tend(&["wait", &quick]);
    let command = format!(
        "env TEND_HOME={} {} tui",
        bench.home.path().display(),
        bench.tend.display()
    );
    bench.tmux(&[
        "new-session",
        "-d",
        "-s",
        "tui",
        "-x",
        "160",
        "-y",
        "40",
        &command,
    ]);

    // The table lists the three tasks with their states; the newest is selected.
    let screen = bench.wait_for("three tasks with their states", |screen| {
        shows(screen, &sleeper, "running")
            && shows(screen, &quick, "completed")
            && shows(screen, &failing, "failed")
    });
    assert!(
        row(&screen, &failing).is_some_and(|row| row.contains("exit 3")),
        "{screen}"
    );

    // Selecting the quick task shows its output; then the ticker's output follows its end.
    bench.keys("j");
    bench.wait_for("the quick task's output", |screen| {
        screen.contains("quick-output-marker")
    });
    bench.keys("j");
    let screen = bench.wait_for("the ticker's output", |screen| screen.contains("tick-"));
    assert!(screen.contains(&format!("output {sleeper}")), "{screen}");
    let first_tick = last_tick(&screen);
    let screen = bench.wait_for("the output growing", |screen| {
        last_tick(screen) > first_tick
    });
    assert!(screen.contains("following"), "{screen}");

    // Stop asks first; `n` keeps the task running.
    bench.keys("s");
    bench.wait_for("the question", |screen| {
        screen.contains(&format!("Stop {sleeper}"))
    });
    bench.keys("n");
    bench.wait_for("the question gone", |screen| {
        !screen.contains(&format!("Stop {sleeper}"))
    });
    assert!(shows(&bench.screen(), &sleeper, "running"));

    // `s` then `y` stops it: the table shows it cancelled, and so does the daemon.
    bench.keys("s");
    bench.wait_for("the question", |screen| {
        screen.contains(&format!("Stop {sleeper}"))
    });
    bench.keys("y");
    bench.wait_for("the ticker cancelled", |screen| {
        shows(screen, &sleeper, "cancelled")
    });
    let record = bench.tend(&["--json", "show", &sleeper]);
    assert!(
        record.contains("\"state\":\"cancelled\"") || record.contains("\"state\": \"cancelled\"")
    );

    // `q` quits.
    bench.keys("q");
    let deadline = Instant::now() + PATIENCE;
    while bench.has_session() {
        assert!(
            Instant::now() < deadline,
            "the UI did not quit:\n{}",
            bench.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The highest `tick-N` on the screen.
fn last_tick(screen: &str) -> u64 {
    screen
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .filter_map(|word| word.strip_prefix("tick-")?.parse().ok())
        .max()
        .unwrap_or(0)
}
