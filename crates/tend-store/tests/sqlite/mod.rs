//! The conformance suite on the SQLite backend, one test per check, plus what only a file shows.

mod full_disk;

use tempfile::TempDir;
use tend_core::{Config, CreateTask, Engine, Input, Timestamp};
use tend_store::conformance::{self, Fixture};
use tend_store::{SqliteStore, Store, StoreError};

/// Fresh databases as files in one temp dir.
struct Files {
    dir: TempDir,
    count: u32,
}

impl Files {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temp dir"),
            count: 0,
        }
    }
}

impl Fixture for Files {
    type Store = SqliteStore;

    async fn fresh(&mut self) -> SqliteStore {
        self.count += 1;
        let path = self.dir.path().join(format!("store-{}.db", self.count));
        SqliteStore::open(path).await.expect("open a fresh store")
    }

    async fn reopen(&mut self, store: SqliteStore) -> SqliteStore {
        store.close().await;
        let path = store.path().to_path_buf();
        drop(store);
        SqliteStore::open(path).await.expect("reopen the store")
    }
}

macro_rules! conformance_tests {
    ($($check:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                conformance::$check(&mut Files::new()).await;
            }
        )*
    };
}

conformance_tests!(
    empty_store_loads_nothing,
    round_trips_everything,
    upserts_overwrite,
    removals_delete,
    acked_notifications_are_gone,
    pruned_events_are_gone,
    batches_apply_in_order,
    failed_batch_leaves_nothing,
    large_batch_is_wholly_visible,
    sequences_never_go_backwards,
    concurrent_commits_all_land,
    reopen_keeps_everything,
    engine_run_restores,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_suite_passes_on_a_multi_threaded_runtime() {
    conformance::run_all(&mut Files::new()).await;
}

#[tokio::test]
async fn opening_creates_the_file_and_reopening_migrates_nothing_twice() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("nested-ok.db");
    let store = SqliteStore::open(&path).await.expect("create");
    assert!(path.exists(), "the database file was not created");
    store.close().await;
    assert!(store.is_closed());
    let again = SqliteStore::open(&path).await.expect("reopen");
    assert!(again.load().await.expect("load").tasks.is_empty());
}

#[tokio::test]
async fn a_closed_store_refuses_commits() {
    let mut files = Files::new();
    let store = files.fresh().await;
    store.close().await;
    let error = store.commit(&[Default::default()]).await.unwrap_err();
    assert!(matches!(error, StoreError::Closed), "{error}");
    let error = store.load().await.unwrap_err();
    assert!(matches!(error, StoreError::Closed), "{error}");
}

#[tokio::test]
async fn an_unreachable_path_fails_to_open_with_the_path() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("missing-dir").join("tend.db");
    let error = SqliteStore::open(&path).await.unwrap_err();
    assert!(error.is_open_failure(), "{error}");
    assert!(error.to_string().contains("missing-dir"), "{error}");
}

#[tokio::test]
async fn a_file_that_is_not_a_database_fails_to_open() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("garbage.db");
    std::fs::write(&path, vec![b'x'; 8192]).expect("write garbage");
    let error = SqliteStore::open(&path).await.unwrap_err();
    assert!(error.is_open_failure(), "{error}");
}

/// A store holding one task, and a second connection to the same file to damage it.
async fn store_and_raw_connection() -> (TempDir, SqliteStore, sqlx::SqlitePool) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("tend.db");
    let store = SqliteStore::open(&path).await.expect("open");
    let mut engine = Engine::new(Config::default());
    let create = Input::Create(CreateTask::shell("s1", ["true"]));
    let step = engine
        .handle(create, Timestamp::from_millis(1_800_000_000_000))
        .expect("create");
    store.commit(&[step.changes]).await.expect("commit");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path);
    let raw = sqlx::SqlitePool::connect_with(options)
        .await
        .expect("a raw connection");
    (dir, store, raw)
}

#[tokio::test]
async fn a_row_that_is_not_json_is_reported_corrupt() {
    let (_dir, store, raw) = store_and_raw_connection().await;
    sqlx::query("UPDATE tasks SET data = '{not json'")
        .execute(&raw)
        .await
        .expect("damage the row");
    let error = store.load().await.unwrap_err();
    assert!(error.is_corrupt(), "{error}");
    assert!(error.to_string().starts_with("stored task rows"), "{error}");
}

#[tokio::test]
async fn a_row_whose_key_disagrees_with_its_document_is_reported_corrupt() {
    let (_dir, store, raw) = store_and_raw_connection().await;
    sqlx::query("UPDATE tasks SET id = 7")
        .execute(&raw)
        .await
        .expect("move the row");
    let error = store.load().await.unwrap_err();
    assert!(error.is_corrupt(), "{error}");
    assert!(error.to_string().contains("task row 7"), "{error}");
    assert!(error.to_string().contains("its document says 1"), "{error}");
}
