//! The conformance suite: the behaviour every [`Store`] backend must show.
//!
//! A backend's tests implement [`Fixture`] (how to make a fresh store and how to reopen one) and
//! call [`run_all`], or each check on its own to see failures one by one. Checks panic with a
//! message on the first difference. Nothing here assumes SQLite: a PostgreSQL backend runs the
//! same checks. They need a tokio runtime (one check commits from spawned tasks).
//!
//! ```no_run
//! use tend_store::conformance::{self, Fixture};
//! use tend_store::SqliteStore;
//!
//! struct Files(tempfile::TempDir, u32);
//!
//! impl Fixture for Files {
//!     type Store = SqliteStore;
//!     async fn fresh(&mut self) -> SqliteStore {
//!         self.1 += 1;
//!         SqliteStore::open(self.0.path().join(format!("{}.db", self.1))).await.unwrap()
//!     }
//!     async fn reopen(&mut self, store: SqliteStore) -> SqliteStore {
//!         store.close().await;
//!         SqliteStore::open(store.path()).await.unwrap()
//!     }
//! }
//!
//! # async fn run() {
//! conformance::run_all(&mut Files(tempfile::tempdir().unwrap(), 0)).await;
//! # }
//! ```

mod batches;
mod engine_run;
mod rows;
mod samples;

use std::future::Future;

use tend_core::Snapshot;

use crate::Store;

pub use batches::{
    batches_apply_in_order, concurrent_commits_all_land, failed_batch_leaves_nothing,
    large_batch_is_wholly_visible, sequences_never_go_backwards,
};
pub use engine_run::engine_run_restores;
pub use rows::{
    acked_notifications_are_gone, empty_store_loads_nothing, pruned_events_are_gone,
    removals_delete, reopen_keeps_everything, round_trips_everything, upserts_overwrite,
};

/// How the suite gets stores of the backend under test.
pub trait Fixture {
    /// The backend.
    type Store: Store;

    /// A new, empty store, independent of every other one this fixture made.
    fn fresh(&mut self) -> impl Future<Output = Self::Store>;

    /// The same store opened anew: `store` is closed (or dropped) first, as a restarted daemon
    /// would find it.
    fn reopen(&mut self, store: Self::Store) -> impl Future<Output = Self::Store>;
}

/// Runs every check, each on a fresh store.
pub async fn run_all<F: Fixture>(fixture: &mut F) {
    empty_store_loads_nothing(fixture).await;
    round_trips_everything(fixture).await;
    upserts_overwrite(fixture).await;
    removals_delete(fixture).await;
    acked_notifications_are_gone(fixture).await;
    pruned_events_are_gone(fixture).await;
    batches_apply_in_order(fixture).await;
    failed_batch_leaves_nothing(fixture).await;
    large_batch_is_wholly_visible(fixture).await;
    sequences_never_go_backwards(fixture).await;
    concurrent_commits_all_land(fixture).await;
    reopen_keeps_everything(fixture).await;
    engine_run_restores(fixture).await;
}

/// Loads `store`, failing the check on error.
async fn load(store: &impl Store, context: &str) -> Snapshot {
    match store.load().await {
        Ok(snapshot) => snapshot,
        Err(error) => panic!("{context}: load failed: {error}"),
    }
}

/// Commits `batch`, failing the check on error.
async fn commit(store: &impl Store, batch: &[tend_core::Changes], context: &str) {
    if let Err(error) = store.commit(batch).await {
        panic!("{context}: commit failed: {error}");
    }
}

/// What a store gives back of a committed task: everything but its environment, which no
/// store writes (the runtime keeps it in a private file, CONTRACT.md §12).
fn as_stored(task: &tend_core::StoredTask) -> tend_core::StoredTask {
    let mut stored = task.clone();
    stored.spec.env = tend_core::Env::default();
    stored
}

/// [`as_stored`] of each task.
fn all_as_stored<'a>(
    tasks: impl IntoIterator<Item = &'a tend_core::StoredTask>,
) -> Vec<tend_core::StoredTask> {
    tasks.into_iter().map(as_stored).collect()
}

/// Asserts that two snapshots hold the same state (the expected tasks as a store keeps them).
fn assert_same(actual: &Snapshot, expected: &Snapshot, context: &str) {
    assert_eq!(
        actual.tasks,
        all_as_stored(&expected.tasks),
        "{context}: tasks differ"
    );
    assert_eq!(
        actual.notifications, expected.notifications,
        "{context}: notifications differ"
    );
    assert_eq!(actual.events, expected.events, "{context}: events differ");
    assert_eq!(
        actual.group_limits, expected.group_limits,
        "{context}: group limits differ"
    );
    assert_eq!(
        actual.sequences, expected.sequences,
        "{context}: sequences differ"
    );
}
