//! tend-store: what the engine persists and what recovery reads, behind one trait.
//!
//! The [`Store`] trait takes the [`Changes`] of one or more engine steps and commits them in one
//! transaction (group commit), and reads everything back as a [`Snapshot`] for
//! [`tend_core::Engine::restore`]. Backends: SQLite ([`SqliteStore`], the embedded default).
//! Every backend passes the conformance suite in [`conformance`].
//!
//! # Example
//!
//! ```
//! use tend_core::{Config, CreateTask, Engine, Input, Timestamp};
//! use tend_store::{SqliteStore, Store};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let store = SqliteStore::open(dir.path().join("tend.db")).await?;
//! let mut engine = Engine::new(Config::default());
//! let now = Timestamp::from_millis(1_700_000_000_000);
//! let step = engine.handle(Input::Create(CreateTask::shell("cli", ["true"])), now)?;
//! store.commit(&[step.changes]).await?;
//!
//! let restored = Engine::restore(Config::default(), store.load().await?)?;
//! assert_eq!(restored.len(), 1);
//! store.close().await;
//! # Ok(())
//! # }
//! ```

mod batch;
pub mod conformance;
mod error;
mod sqlite;

use std::future::Future;

use tend_core::{Changes, Snapshot};

pub use error::StoreError;
pub use sqlite::SqliteStore;

/// Durable storage of the engine's state.
///
/// # Contract
///
/// - `commit` applies the changes of several steps, in order, atomically: after a crash either
///   all of them are visible to `load` or none is. A failed commit leaves nothing of its batch.
/// - Within a batch, later steps win: a task upserted then removed is gone, a notification queued
///   then acknowledged is gone, the last limit set for a group holds.
/// - Events are append-only: committing an event whose sequence number is already stored fails
///   the whole batch.
/// - No task's environment is written (it is not part of a task's serialised form: the runtime
///   keeps it in a private file while a launch may need it, CONTRACT.md §12).
/// - `load` returns every retained task (its stored form, without environment) by id, every
///   unacknowledged notification by id, every retained event in sequence order, the group limits
///   set at run time by name, and the sequences of the last committed step (all zero before the
///   first commit).
/// - Sequences never go backwards: a commit carrying smaller sequences than those stored keeps
///   the stored ones.
///
/// # Cancel safety
///
/// Dropping a `commit` future before it completes leaves the store as if the batch was never
/// committed, or wholly committed if the backend had already committed it; never half of it.
pub trait Store: Send + Sync + 'static {
    /// Commits the changes of several steps in one transaction.
    fn commit(&self, batch: &[Changes]) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Reads everything back for recovery.
    fn load(&self) -> impl Future<Output = Result<Snapshot, StoreError>> + Send;
}
