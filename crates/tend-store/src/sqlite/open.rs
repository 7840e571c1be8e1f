//! Opening the database: connection settings and the embedded migrations.

use std::path::Path;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqliteConnection, SqlitePool};

use crate::StoreError;

/// How long a connection waits for another one's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Prepared statements kept per connection: the write path uses a few dozen shapes.
const STATEMENT_CACHE: usize = 256;

/// How much of the file readers map into memory rather than copy page by page: recovery reads
/// the whole database, and mapping it saves about a sixth of the time.
const READER_MMAP_BYTES: u64 = 1 << 30;

/// Readers beside the one writer: recovery reads once, so one is enough.
const READERS: u32 = 1;

/// The schema versions, oldest first. A released migration is never edited: add a new one.
fn migrator() -> Migrator {
    use sqlx::SqlSafeStr;
    Migrator::with_migrations(vec![Migration::new(
        1,
        "initial".into(),
        MigrationType::Simple,
        include_str!("../../migrations/0001_initial.sql").into_sql_str(),
        false,
    )])
}

/// The pool of readers and the one writer connection.
pub(super) struct Connections {
    pub readers: SqlitePool,
    pub writer: SqliteConnection,
    /// How the writer was opened, to open it again after a failed transaction.
    pub writer_options: SqliteConnectOptions,
}

/// Opens the writer connection again with `options`.
pub(super) async fn reconnect(
    path: &Path,
    options: &SqliteConnectOptions,
) -> Result<SqliteConnection, StoreError> {
    options.connect().await.map_err(|error| StoreError::Open {
        path: path.display().to_string(),
        message: error.to_string(),
    })
}

/// Opens (creating if needed) and migrates the database at `path`.
pub(super) async fn connect(path: &Path) -> Result<Connections, StoreError> {
    let shown = || path.display().to_string();
    let open_failed = |error: sqlx::Error| StoreError::Open {
        path: shown(),
        message: error.to_string(),
    };
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT)
        .statement_cache_capacity(STATEMENT_CACHE);
    let readers = SqlitePoolOptions::new()
        .max_connections(READERS)
        .test_before_acquire(false)
        .connect_with(
            options
                .clone()
                .pragma("mmap_size", READER_MMAP_BYTES.to_string()),
        )
        .await
        .map_err(open_failed)?;
    if let Err(error) = migrator().run(&readers).await {
        readers.close().await;
        return Err(StoreError::Migrate {
            path: shown(),
            message: error.to_string(),
        });
    }
    match options.connect().await {
        Ok(writer) => Ok(Connections {
            readers,
            writer,
            writer_options: options,
        }),
        Err(error) => {
            readers.close().await;
            Err(open_failed(error))
        }
    }
}
