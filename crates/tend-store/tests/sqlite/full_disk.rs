//! A real full disk: a small tmpfs holds the database and a file fills the rest of it.

use tend_core::{Changes, Config, CreateTask, Engine, Env, Input, Timestamp};
use tend_store::{SqliteStore, Store};

#[path = "../../../../testing/tmpfs.rs"]
mod tmpfs;
use tmpfs::Tmpfs;

/// The changes of `count` creates, each carrying an environment of about 8 KiB.
fn creates(engine: &mut Engine, count: usize, now: Timestamp) -> Vec<Changes> {
    (0..count)
        .map(|n| {
            let mut request = CreateTask::shell("disk", ["true"]);
            request.env = Env::new(
                (0..8)
                    .map(|i| (format!("VAR_{i}"), format!("{n}-{}", "x".repeat(1000))))
                    .collect(),
            );
            engine
                .handle(Input::Create(request), now)
                .expect("create")
                .changes
        })
        .collect()
}

#[tokio::test]
async fn a_commit_refused_by_a_full_disk_does_not_break_the_next_one() {
    let disk = match Tmpfs::mount("2m") {
        Ok(disk) => disk,
        Err(why) => {
            eprintln!("skipped: cannot mount a tmpfs: {why}");
            return;
        }
    };
    let store = SqliteStore::open(disk.path().join("tend.db"))
        .await
        .expect("open the store");
    let now = Timestamp::from_millis(1_700_000_000_000);
    let mut engine = Engine::new(Config::default());
    let first = creates(&mut engine, 1, now);
    store.commit(&first).await.expect("the first commit");

    let filler = disk.fill("filler");
    let mut refused = Engine::restore(Config::default(), store.load().await.unwrap()).unwrap();
    let big = creates(&mut refused, 60, now);
    let error = store
        .commit(&big)
        .await
        .expect_err("a full disk refuses the batch");
    eprintln!("refused as expected: {error}");
    let error = store
        .commit(&big)
        .await
        .expect_err("a full disk still refuses the batch");
    eprintln!("refused again as expected: {error}");
    assert_eq!(
        store.load().await.unwrap().tasks.len(),
        1,
        "a refused batch leaves nothing"
    );

    std::fs::remove_file(filler).unwrap();
    store
        .commit(&big)
        .await
        .expect("once there is space again, the batch commits");
    let snapshot = store.load().await.unwrap();
    assert_eq!(snapshot.tasks.len(), 61);
    store.close().await;

    let reopened = SqliteStore::open(disk.path().join("tend.db"))
        .await
        .unwrap();
    assert_eq!(reopened.load().await.unwrap().tasks.len(), 61);
    reopened.close().await;
}
