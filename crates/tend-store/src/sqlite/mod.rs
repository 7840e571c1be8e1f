//! The SQLite backend: one database file in WAL mode, written through one transaction per batch.

mod load;
mod open;
mod secrets;
mod write;

use std::path::{Path, PathBuf};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection, SqlitePool};
use tend_core::{Changes, Snapshot};
use tokio::sync::Mutex;

use crate::{Store, StoreError};

/// The embedded store: a SQLite database file accessed through sqlx.
///
/// The database runs in WAL mode with `synchronous=NORMAL`: a commit survives the process being
/// killed at any moment; after a power loss the last commits before it may be missing, but the
/// database stays consistent. Other connections wait up to five seconds for a lock.
///
/// Commits are serialised inside the store, so concurrent callers each get their own
/// transaction in turn; [`Store::load`] reads one consistent snapshot beside them. One
/// connection writes and one reads; each runs on a thread of its own, and `load` decodes on
/// tokio's blocking threads, so the store is used inside a tokio runtime.
///
/// A failed commit (a statement refused, or a COMMIT that the disk could not take) closes the
/// writer connection, whatever state the failure left it in; the next commit opens a fresh one,
/// so the store works again as soon as the disk does.
///
/// The schema is created and upgraded by versioned migrations embedded in the binary (sqlx's
/// migrator, table `_sqlx_migrations`).
#[derive(Debug)]
pub struct SqliteStore {
    /// Connections for `load`.
    readers: SqlitePool,
    /// The one connection that writes, held for the whole of a commit so that batches never
    /// interleave.
    writer: Mutex<Writer>,
    /// How the writer is opened again after a failure.
    writer_options: SqliteConnectOptions,
    path: PathBuf,
}

/// The writer connection.
#[derive(Debug)]
enum Writer {
    /// Ready for the next transaction.
    Open(SqliteConnection),
    /// The last transaction failed or was abandoned: the next commit opens a new connection.
    Lost,
    /// [`SqliteStore::close`] was called.
    Closed,
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file if needed and bringing its schema up to
    /// date.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let connections = open::connect(&path).await?;
        Ok(Self {
            readers: connections.readers,
            writer: Mutex::new(Writer::Open(connections.writer)),
            writer_options: connections.writer_options,
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every connection, after the commit under way if any. Later calls fail with
    /// [`StoreError::Closed`]. Dropping the store without closing it is also safe: nothing
    /// committed is lost.
    pub async fn close(&self) {
        let writer = std::mem::replace(&mut *self.writer.lock().await, Writer::Closed);
        if let Writer::Open(writer) = writer {
            // Closing only checkpoints and releases the file: a failure loses nothing.
            let _ = writer.close().await;
        }
        self.readers.close().await;
    }

    /// The environments that a version which kept them in the database stored for tasks that
    /// are not terminal. This version stores none (CONTRACT.md §12).
    pub async fn stored_environments(
        &self,
    ) -> Result<Vec<(tend_core::TaskId, tend_core::Env)>, StoreError> {
        secrets::stored_environments(self).await
    }

    /// Erases every stored environment from the database's files (rows, freed pages and the
    /// write-ahead log).
    pub async fn erase_environments(&self) -> Result<(), StoreError> {
        secrets::erase_environments(self).await
    }

    /// Whether [`SqliteStore::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.readers.is_closed()
    }
}

impl Store for SqliteStore {
    async fn commit(&self, batch: &[Changes]) -> Result<(), StoreError> {
        write::commit(self, batch).await
    }

    async fn load(&self) -> Result<Snapshot, StoreError> {
        if self.is_closed() {
            return Err(StoreError::Closed);
        }
        load::load(&self.readers).await
    }
}
