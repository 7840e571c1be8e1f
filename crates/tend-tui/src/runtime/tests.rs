//! The feed and the output reads against a real daemon: the `tend` binary of this build, built
//! into the same target directory (`$TEND_BIN` to choose another).

use std::path::PathBuf;
use std::time::Duration;

use tend_client::{Autostart, Client};
use tend_core::{EventKind, TaskId};
use tend_proto::{CreateTaskParams, DaemonStopParams};
use tokio::sync::mpsc::{self, Receiver};

use super::feed;
use super::output::OutputReads;
use crate::app::{Msg, ReadPurpose};

/// How long a message may take to come.
const PATIENCE: Duration = Duration::from_secs(15);

#[path = "../../../../testing/tend_binary.rs"]
mod tend_binary;

/// A daemon in a temporary home, stopped with its tasks on drop.
struct Daemon {
    tend: PathBuf,
    home: tempfile::TempDir,
    client: Client,
}

impl Daemon {
    async fn start() -> Self {
        let tend = tend_binary::tend_binary().to_path_buf();
        let home = tempfile::tempdir().expect("a temporary home");
        let client = Client::new(home.path());
        let daemon = Self { tend, home, client };
        daemon
            .client
            .start_daemon(&Autostart::new(&daemon.tend))
            .await
            .expect("a daemon");
        daemon
    }

    async fn shell(&self, line: &str) -> TaskId {
        let params = CreateTaskParams::shell("cli", line);
        self.client
            .create_task(&params)
            .await
            .expect("a task")
            .task
            .id
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = std::process::Command::new(&self.tend)
            .args(["daemon", "stop", "--kill-tasks"])
            .env("TEND_HOME", self.home.path())
            .output();
    }
}

/// The first message that `pick` accepts.
async fn next<T>(rx: &mut Receiver<Msg>, mut pick: impl FnMut(Msg) -> Option<T>) -> T {
    let wait = async {
        loop {
            let msg = rx.recv().await.expect("the sender lives");
            if let Some(found) = pick(msg) {
                return found;
            }
        }
    };
    tokio::time::timeout(PATIENCE, wait)
        .await
        .expect("the message came in time")
}

#[tokio::test(flavor = "current_thread")]
async fn the_feed_lists_follows_events_and_reconnects() {
    let daemon = Daemon::start().await;
    let first = daemon.shell("echo one").await;
    let (tx, mut rx) = mpsc::channel(64);
    let feed = tokio::spawn(feed::run(daemon.client.clone(), tx));
    let listed = next(&mut rx, |msg| match msg {
        Msg::Connected { tasks } => Some(tasks),
        _ => None,
    })
    .await;
    assert!(listed.iter().any(|task| task.id == first));

    let second = daemon.shell("sleep 30").await;
    next(&mut rx, |msg| match msg {
        Msg::Events(events) => events
            .iter()
            .any(|e| e.task_id == second && matches!(e.kind, EventKind::Registered { .. }))
            .then_some(()),
        _ => None,
    })
    .await;

    let stop = DaemonStopParams {
        kill_tasks: false,
        grace_ms: None,
    };
    daemon
        .client
        .stop_daemon(&stop)
        .await
        .expect("the daemon stops");
    next(&mut rx, |msg| {
        matches!(msg, Msg::Disconnected { .. }).then_some(())
    })
    .await;

    daemon
        .client
        .start_daemon(&Autostart::new(&daemon.tend))
        .await
        .expect("a new daemon");
    let relisted = next(&mut rx, |msg| match msg {
        Msg::Connected { tasks } => Some(tasks),
        _ => None,
    })
    .await;
    let ids: Vec<TaskId> = relisted.iter().map(|task| task.id).collect();
    assert!(ids.contains(&first) && ids.contains(&second), "{ids:?}");
    feed.abort();
}

#[tokio::test(flavor = "current_thread")]
async fn output_is_followed_to_the_end_and_read_at_any_cursor() {
    let daemon = Daemon::start().await;
    let id = daemon
        .shell("for i in 1 2 3; do echo line-$i; sleep 0.2; done")
        .await;
    let (tx, mut rx) = mpsc::channel(64);
    let mut reads = OutputReads::new(daemon.client.clone(), tx);
    reads.follow(id, 0, 7);
    let mut followed = Vec::new();
    loop {
        let chunk = next(&mut rx, |msg| match msg {
            Msg::Output(chunk) => Some(chunk),
            _ => None,
        })
        .await;
        assert_eq!((chunk.generation, chunk.purpose), (7, ReadPurpose::Follow));
        assert_eq!(
            chunk.cursor,
            followed.len() as u64,
            "chunks follow each other"
        );
        followed.extend_from_slice(&chunk.data);
        if chunk.eof {
            break;
        }
    }
    assert_eq!(followed, b"line-1\nline-2\nline-3\n");

    reads.read(id, 7, 6, ReadPurpose::Before, 8);
    let chunk = next(&mut rx, |msg| match msg {
        Msg::Output(chunk) => Some(chunk),
        _ => None,
    })
    .await;
    assert_eq!(
        (chunk.purpose, chunk.cursor, chunk.data.as_slice()),
        (ReadPurpose::Before, 7, &b"line-2"[..])
    );

    reads.read(TaskId::new(999), 0, 6, ReadPurpose::Start, 9);
    let failed = next(&mut rx, |msg| match msg {
        Msg::OutputFailed { generation, error } => Some((generation, error)),
        _ => None,
    })
    .await;
    assert_eq!(failed.0, 9);
}
