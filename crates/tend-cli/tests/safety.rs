//! Safety of the home (CONTRACT.md §12) through the real binary: shared and foreign homes are
//! refused and left as they were, everything in a home is private, a lost database is not
//! replaced silently, a vanished socket does not orphan the daemon, control characters are
//! shown, and a daemon that does not answer makes commands give up.

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::support::{Home, eventually};

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

#[test]
fn a_home_others_can_write_is_refused_and_its_mode_kept() {
    let home = Home::new();
    let shared = home.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let mut command = home.command(&["run", "--env", "SECRET=s3cr3t", "--", "true"]);
    command.env("TEND_HOME", &shared);
    let outcome = home.output_of(command);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains(&shared.display().to_string())
            && outcome.stderr.contains("can be written by other users"),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        mode(&shared),
        0o777,
        "tend changed the mode of a directory it did not create"
    );
    assert_eq!(
        std::fs::read_dir(&shared).unwrap().count(),
        0,
        "nothing is written into a refused home"
    );
}

#[test]
fn a_home_of_another_user_is_refused() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: giving a directory to another user needs root");
        return;
    }
    let home = Home::new();
    let theirs = home.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
    for args in [&["ls"][..], &["daemon"][..]] {
        let mut command = home.command(args);
        command.env("TEND_HOME", &theirs);
        let outcome = home.output_of(command);
        assert_eq!(outcome.code, 1, "tend {args:?}: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains("belongs to uid 65534"),
            "tend {args:?}: {}",
            outcome.stderr
        );
    }
    assert_eq!(std::fs::metadata(&theirs).unwrap().uid(), 65534);
    assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 0);
}

#[test]
fn everything_in_a_home_is_private() {
    let home = Home::new();
    let id = home.start(&["--stdin", "--", "sh", "-c", "echo out; echo err >&2; cat"]);
    home.wait_for_output(&id, "err");
    let mut seen = 0;
    let mut stack = vec![home.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            seen += 1;
            if meta.is_dir() {
                assert_eq!(mode(&path), 0o700, "{}", path.display());
                stack.push(path);
            } else {
                let kind = meta.file_type();
                assert!(
                    kind.is_file() || kind.is_fifo() || kind.is_socket(),
                    "{}",
                    path.display()
                );
                assert_eq!(mode(&path), 0o600, "{}", path.display());
            }
        }
    }
    assert!(seen >= 10, "only {seen} entries in the home");
    home.ok(&["input", &id, "", "--eof"]);
    home.finished(&id);
}

#[test]
fn a_deleted_database_is_refused_until_reset() {
    let home = Home::new();
    for _ in 0..3 {
        let id = home.start(&["--", "echo", "kept"]);
        home.finished(&id);
    }
    home.ok(&["daemon", "stop"]);
    for name in ["tend.db", "tend.db-wal", "tend.db-shm"] {
        let _ = std::fs::remove_file(home.path().join(name));
    }
    let outcome = home.run(&["ls"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("tend daemon start --reset") && outcome.stderr.contains("up to t3"),
        "{}",
        outcome.stderr
    );
    assert!(home.path().join("tasks/t1/out").exists(), "old output kept");

    // Emptied instead of deleted: refused as well.
    std::fs::write(home.path().join("tend.db"), b"").unwrap();
    let outcome = home.run(&["ls"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("is empty"), "{}", outcome.stderr);

    let reset = home.run(&["daemon", "start", "--reset"]);
    assert_eq!(reset.code, 0, "{}", reset.stderr);
    assert!(reset.stderr.contains("is kept at"), "{}", reset.stderr);
    // Beside the home when its parent can be written (here it can), else inside it.
    let name = home
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let entries = |dir: &Path, prefix: String| {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(move |path| {
                path.file_name()
                    .is_some_and(|file| file.to_string_lossy().starts_with(&prefix))
            })
    };
    let kept: Vec<_> = entries(home.path().parent().unwrap(), format!("{name}.reset-"))
        .chain(entries(home.path(), "reset-".to_owned()))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].join("tasks/t3").exists(), "{kept:?}");
    let fresh = home.start(&["--", "true"]);
    assert_eq!(fresh, "t1", "a fresh home");
    for old in &kept {
        std::fs::remove_dir_all(old).unwrap();
    }
}

#[test]
fn a_stray_task_directory_is_never_reused() {
    let home = Home::new();
    let first = home.start(&["--", "true"]);
    assert_eq!(first, "t1");
    home.finished(&first);
    home.ok(&["daemon", "stop"]);
    // A directory the database does not know of (a record removed while its output stayed).
    std::fs::create_dir_all(home.path().join("tasks/t40/out")).unwrap();
    std::fs::write(
        home.path().join("tasks/t40/out/00000000000000000000"),
        b"old",
    )
    .unwrap();
    let next = home.start(&["--", "echo", "new"]);
    assert_eq!(next, "t41");
    home.finished(&next);
    assert_eq!(home.ok(&["logs", &next]), "new\n");
}

#[test]
fn a_deleted_socket_is_bound_again() {
    let home = Home::new();
    home.ok(&["ls"]);
    let pid = home.daemon_pid();
    let socket = home.path().join("tend.sock");
    std::fs::remove_file(&socket).unwrap();
    eventually(
        "the socket to be bound again",
        Duration::from_secs(10),
        || socket.exists(),
    );
    assert_eq!(home.daemon_pid(), pid, "the same daemon answers");
    home.ok(&["ls"]);

    // While it is missing, `daemon status` and `daemon stop` find the daemon by its lock.
    std::fs::remove_file(&socket).unwrap();
    let status = home.run(&["daemon", "status"]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(
        status.text().contains(&format!("pid {pid}")),
        "{}",
        status.text()
    );
    std::fs::remove_file(&socket).ok();
    let stop = home.run(&["daemon", "stop"]);
    assert_eq!(stop.code, 0, "{}", stop.stderr);
    assert!(!crate::support::process_alive(pid), "the daemon ended");
}

#[test]
fn names_with_escape_sequences_are_shown_visibly() {
    let home = Home::new();
    let name = "\u{1b}]0;PWNED\u{7}\u{1b}[2J";
    let id = home.start(&["--name", name, "--", "true"]);
    home.finished(&id);
    for args in [&["show", id.as_str()][..], &["ls"][..]] {
        let shown = home.ok(args);
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown:?}"
        );
        assert!(
            shown.contains("^[]0;PWNED^G^[[2J"),
            "tend {args:?}: {shown:?}"
        );
    }
    // Notification texts quote the name with its controls escaped.
    let shown = home.ok(&["notifications"]);
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown:?}"
    );
}

#[test]
fn a_daemon_that_does_not_answer_makes_commands_give_up() {
    let home = Home::new();
    home.ok(&["ls"]);
    let pid = home.daemon_pid();
    let daemon = Pid::from_raw(i32::try_from(pid).unwrap());
    kill(daemon, Signal::SIGSTOP).unwrap();
    let mut command = home.command(&["ls"]);
    command.env("TEND_REQUEST_TIMEOUT", "1s");
    let outcome = home.output_of(command);
    kill(daemon, Signal::SIGCONT).unwrap();
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("did not answer GET /v1/tasks within 1 s"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.elapsed < Duration::from_secs(10),
        "{:?}",
        outcome.elapsed
    );
    home.ok(&["ls"]);
}

/// Whether any of the home's database files or its log holds `needle` (what `strings` would
/// find).
fn stored_anywhere(home: &Path, needle: &str) -> Vec<String> {
    ["tend.db", "tend.db-wal", "tend.db-shm", "daemon.log"]
        .iter()
        .filter(|name| {
            std::fs::read(home.join(name))
                .is_ok_and(|data| data.windows(needle.len()).any(|w| w == needle.as_bytes()))
        })
        .map(|name| (*name).to_owned())
        .collect()
}

#[test]
fn task_environments_stay_out_of_the_database_and_the_log() {
    let home = Home::new();
    home.ok(&["group", "set", "one", "1"]);
    let blocker = home.start(&["--group", "one", "--", "sleep", "30"]);
    let secret = "zq9-env-value-7731";
    let waiting = home.start(&[
        "--group",
        "one",
        "--env",
        &format!("TEND_TEST_SECRET={secret}"),
        "--sh",
        "echo \"got $TEND_TEST_SECRET\"",
    ]);
    let env_file = home.path().join("tasks").join(&waiting).join("env");
    assert_eq!(mode(&env_file), 0o600);
    assert_eq!(stored_anywhere(home.path(), secret), Vec::<String>::new());

    // The daemon dies while the task waits: the next one still launches it with its env.
    let daemon = Pid::from_raw(i32::try_from(home.daemon_pid()).unwrap());
    kill(daemon, Signal::SIGKILL).unwrap();
    eventually("the daemon to die", Duration::from_secs(10), || {
        !crate::support::process_alive(u32::try_from(daemon.as_raw()).unwrap())
    });
    home.ok(&["stop", &blocker]);
    home.finished(&waiting);
    assert_eq!(home.ok(&["logs", &waiting]), format!("got {secret}\n"));
    assert!(!env_file.exists(), "the env file outlived the task");
    assert_eq!(stored_anywhere(home.path(), secret), Vec::<String>::new());
}

#[test]
fn environments_stored_by_an_older_version_are_moved_out() {
    let home = Home::new();
    home.ok(&["group", "set", "one", "1"]);
    let blocker = home.start(&["--group", "one", "--", "sleep", "30"]);
    let waiting = home.start(&["--group", "one", "--sh", "echo \"got $OLD_SECRET\""]);
    home.ok(&["daemon", "stop"]);
    // What an older version wrote: the environment inside the task's row.
    let secret = "legacy-secret-5521";
    let script = format!(
        "import sqlite3, sys\n\
         db = sqlite3.connect(sys.argv[1])\n\
         db.execute(\"UPDATE tasks SET data = json_set(data, '$.spec.env', \
         json('[[\\\"OLD_SECRET\\\", \\\"{secret}\\\"]]')) WHERE id = ?\", (int(sys.argv[2]),))\n\
         db.commit()\n"
    );
    let status = std::process::Command::new("python3")
        .args(["-c", &script])
        .arg(home.path().join("tend.db"))
        .arg(&waiting[1..])
        .status()
        .expect("python3 runs");
    assert!(status.success());
    assert!(
        !stored_anywhere(home.path(), secret).is_empty(),
        "the legacy row holds it"
    );

    home.ok(&["ls"]);
    assert_eq!(stored_anywhere(home.path(), secret), Vec::<String>::new());
    home.ok(&["stop", &blocker]);
    home.finished(&waiting);
    assert_eq!(home.ok(&["logs", &waiting]), format!("got {secret}\n"));
    assert_eq!(stored_anywhere(home.path(), secret), Vec::<String>::new());
}
