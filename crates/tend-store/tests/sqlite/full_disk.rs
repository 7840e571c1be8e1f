//! A real full disk: a small tmpfs holds the database and a file fills the rest of it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use tend_core::{Changes, Config, CreateTask, Engine, Env, Input, Timestamp};
use tend_store::{SqliteStore, Store};

/// A tmpfs mounted on a temp dir, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (as `mount -o size=` reads it), or says why not.
    fn mount(size: &str) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let output = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir.path())
            .output()
            .map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
        }
        Ok(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    /// Unmounts, waiting a little for files still being closed (a store's connections close
    /// on their own threads), then detaching it lazily if it is still busy.
    fn drop(&mut self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let unmounted = Command::new("umount")
                .arg(self.dir.path())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|status| status.success());
            if unmounted {
                return;
            }
            if std::time::Instant::now() >= deadline {
                let _ = Command::new("umount")
                    .arg("-l")
                    .arg(self.dir.path())
                    .status();
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// Writes `path` until the disk is full.
fn fill(path: &Path) -> PathBuf {
    let mut file = std::fs::File::create(path).expect("create the filler");
    let block = vec![0x55u8; 4096];
    loop {
        match file.write_all(&block) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::StorageFull => break,
            Err(error) => panic!("filling the disk failed otherwise: {error}"),
        }
    }
    let _ = file.sync_all();
    path.to_path_buf()
}

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

    let filler = fill(&disk.path().join("filler"));
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
