//! Environments stored by versions that kept them in the database: found, then erased.

use sqlx::Row;
use tend_core::{Env, TaskId};

use super::{SqliteStore, Writer};
use crate::StoreError;

/// Tasks that are not terminal and whose stored row still holds an environment.
pub(super) async fn stored_environments(
    store: &SqliteStore,
) -> Result<Vec<(TaskId, Env)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, json_extract(data, '$.spec.env') AS env FROM tasks \
         WHERE state NOT IN ('completed', 'failed', 'cancelled') \
         AND json_array_length(json_extract(data, '$.spec.env')) > 0",
    )
    .fetch_all(&store.readers)
    .await
    .map_err(StoreError::query("read stored environments"))?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.get("id");
            let env: String = row.get("env");
            let id = TaskId::new(u64::try_from(id).unwrap_or_default());
            let vars: Vec<(String, String)> =
                serde_json::from_str(&env).map_err(|e| StoreError::Unstorable {
                    what: format!("the stored environment of {id}"),
                    message: e.to_string(),
                })?;
            Ok((id, Env::new(vars)))
        })
        .collect()
}

/// Removes every environment from the stored rows and overwrites what held them: freed space
/// is zeroed (`secure_delete`) and the write-ahead log is checkpointed and truncated, so that
/// the values are no longer in the database's files.
pub(super) async fn erase_environments(store: &SqliteStore) -> Result<(), StoreError> {
    let mut writer = store.writer.lock().await;
    let Writer::Open(writer) = &mut *writer else {
        return Err(StoreError::Closed);
    };
    for statement in [
        "PRAGMA secure_delete = ON",
        "UPDATE tasks SET data = json_remove(data, '$.spec.env') \
         WHERE json_type(data, '$.spec.env') IS NOT NULL",
        "PRAGMA wal_checkpoint(TRUNCATE)",
    ] {
        sqlx::query(statement)
            .execute(&mut *writer)
            .await
            .map_err(StoreError::query("erase stored environments"))?;
    }
    Ok(())
}
