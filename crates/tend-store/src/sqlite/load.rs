//! Reading everything back for recovery, from one consistent snapshot of the database.

use std::collections::VecDeque;

use serde::de::DeserializeOwned;
use sqlx::{SqliteConnection, SqlitePool};
use tend_core::{Event, Notification, Sequences, Snapshot, StoredTask};

use crate::StoreError;

/// Reads the whole snapshot inside one read transaction.
pub(super) async fn load(pool: &SqlitePool) -> Result<Snapshot, StoreError> {
    let mut tx = pool
        .begin()
        .await
        .map_err(StoreError::query("begin a read transaction"))?;
    // Each table's last chunks are still being decoded while the next table is read.
    let tasks = documents(&mut tx, &TASKS, |task: &StoredTask| task.task.id.number()).await?;
    let notifications =
        documents(&mut tx, &NOTIFICATIONS, |n: &Notification| n.id.number()).await?;
    let events = documents(&mut tx, &EVENTS, |event: &Event| event.seq).await?;
    let group_limits = sqlx::query_as::<_, (String, i64)>(
        "SELECT name, task_limit FROM group_limits ORDER BY name",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(StoreError::query("read group limits"))?
    .into_iter()
    .map(|(name, limit)| {
        let limit = u32::try_from(limit).map_err(|_| StoreError::Corrupt {
            what: format!("limit of group {name}"),
            message: format!("{limit} is not a group limit"),
        })?;
        Ok((name, limit))
    })
    .collect::<Result<_, StoreError>>()?;
    let sequences = sequences(&mut tx).await?;
    tx.commit()
        .await
        .map_err(StoreError::query("end a read transaction"))?;
    Ok(Snapshot {
        tasks: tasks.finish().await?,
        notifications: notifications.finish().await?,
        events: events.finish().await?,
        group_limits,
        sequences,
    })
}

/// Rows fetched per query. Each chunk comes back as one JSON array, so the cost per row is
/// SQLite's alone; chunks are decoded on blocking threads while the next one is read.
const CHUNK_ROWS: i64 = 4096;

/// Chunks of one table decoded at once at most: bounds the memory held by fetched text.
const DECODING: usize = 4;

/// A table of JSON documents keyed by an integer.
struct Documents {
    /// Reads the chunk of the first `?2` rows after a key (`?1`): their keys, comma separated,
    /// and their documents as one JSON array, both in the same order. That order is the key
    /// order in practice, but SQLite does not promise it (asking with `ORDER BY` inside the
    /// aggregate would sort every chunk again), so [`take`] sorts when it is not.
    sql: &'static str,
    operation: &'static str,
    what: &'static str,
}

const TASKS: Documents = Documents {
    sql: "SELECT coalesce(group_concat(id, ','), ''), \
          '[' || coalesce(group_concat(data, ','), '') || ']' \
          FROM (SELECT id, data FROM tasks WHERE id > ?1 ORDER BY id LIMIT ?2)",
    operation: "read tasks",
    what: "task",
};

const NOTIFICATIONS: Documents = Documents {
    sql: "SELECT coalesce(group_concat(id, ','), ''), \
          '[' || coalesce(group_concat(data, ','), '') || ']' \
          FROM (SELECT id, data FROM notifications WHERE id > ?1 ORDER BY id LIMIT ?2)",
    operation: "read notifications",
    what: "notification",
};

const EVENTS: Documents = Documents {
    sql: "SELECT coalesce(group_concat(seq, ','), ''), \
          '[' || coalesce(group_concat(data, ','), '') || ']' \
          FROM (SELECT seq, data FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2)",
    operation: "read events",
    what: "event",
};

/// A chunk being decoded: the keys of its rows and the decoding task.
type Decoding<T> = (
    Vec<i64>,
    tokio::task::JoinHandle<Result<Vec<T>, serde_json::Error>>,
);

/// A table's documents: those decoded and the chunks still decoding.
struct Decoded<T> {
    table: &'static Documents,
    key_of: fn(&T) -> u64,
    out: Vec<T>,
    decoding: VecDeque<Decoding<T>>,
}

impl<T> Decoded<T> {
    /// Waits for the oldest chunk still decoding, if any.
    async fn take_one(&mut self) -> Result<(), StoreError> {
        match self.decoding.pop_front() {
            Some(chunk) => take(&mut self.out, chunk, self.table, self.key_of).await,
            None => Ok(()),
        }
    }

    /// Every document, in key order.
    async fn finish(mut self) -> Result<Vec<T>, StoreError> {
        while !self.decoding.is_empty() {
            self.take_one().await?;
        }
        Ok(self.out)
    }
}

/// Reads every document of `table`, checking that each document's own key agrees with its
/// row's. The last chunks may still be decoding when this returns: see [`Decoded::finish`].
async fn documents<T: DeserializeOwned + Send + 'static>(
    conn: &mut SqliteConnection,
    table: &'static Documents,
    key_of: fn(&T) -> u64,
) -> Result<Decoded<T>, StoreError> {
    let mut decoded = Decoded {
        table,
        key_of,
        out: Vec::new(),
        decoding: VecDeque::new(),
    };
    let mut after = i64::MIN;
    loop {
        let (keys, json) = sqlx::query_as::<_, (String, String)>(table.sql)
            .bind(after)
            .bind(CHUNK_ROWS)
            .fetch_one(&mut *conn)
            .await
            .map_err(StoreError::query(table.operation))?;
        let keys = keys
            .split(',')
            .filter(|key| !key.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<i64>, _>>()
            .map_err(|error| StoreError::Corrupt {
                what: format!("{} keys", table.what),
                message: error.to_string(),
            })?;
        let Some(&last) = keys.iter().max() else {
            break;
        };
        let full = keys.len() as i64 >= CHUNK_ROWS;
        if decoded.decoding.len() >= DECODING {
            decoded.take_one().await?;
        }
        let task = tokio::task::spawn_blocking(move || serde_json::from_str::<Vec<T>>(&json));
        decoded.decoding.push_back((keys, task));
        if !full {
            break;
        }
        after = last;
    }
    Ok(decoded)
}

/// Waits for a decoded chunk and appends it to `out` in key order, after checking each
/// document's key against its row's.
async fn take<T>(
    out: &mut Vec<T>,
    (keys, task): Decoding<T>,
    table: &Documents,
    key_of: fn(&T) -> u64,
) -> Result<(), StoreError> {
    let rows = || match (keys.iter().min(), keys.iter().max()) {
        (Some(first), Some(last)) => format!("{} rows {first} to {last}", table.what),
        _ => format!("{} rows", table.what),
    };
    let documents = match task.await {
        Ok(Ok(documents)) => documents,
        Ok(Err(error)) => {
            return Err(StoreError::Corrupt {
                what: rows(),
                message: error.to_string(),
            });
        }
        Err(error) => {
            return Err(StoreError::Corrupt {
                what: rows(),
                message: format!("decoding stopped: {error}"),
            });
        }
    };
    if documents.len() != keys.len() {
        return Err(StoreError::Corrupt {
            what: rows(),
            message: format!("{} documents for {} rows", documents.len(), keys.len()),
        });
    }
    for (document, &key) in documents.iter().zip(&keys) {
        let said = key_of(document);
        if i64::try_from(said) != Ok(key) {
            return Err(StoreError::Corrupt {
                what: format!("{} row {key}", table.what),
                message: format!("its document says {said}"),
            });
        }
    }
    let start = out.len();
    out.extend(documents);
    if !keys.is_sorted() {
        out[start..].sort_unstable_by_key(key_of);
    }
    Ok(())
}

/// Reads the sequences; missing ones are zero.
async fn sequences(conn: &mut SqliteConnection) -> Result<Sequences, StoreError> {
    let rows = sqlx::query_as::<_, (String, i64)>("SELECT name, value FROM sequences")
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::query("read sequences"))?;
    let mut sequences = Sequences::default();
    for (name, value) in rows {
        let value = u64::try_from(value).map_err(|_| StoreError::Corrupt {
            what: format!("sequence {name}"),
            message: format!("{value} is negative"),
        })?;
        match name.as_str() {
            "next_task" => sequences.next_task = value,
            "next_event" => sequences.next_event = value,
            "next_notification" => sequences.next_notification = value,
            _ => {
                return Err(StoreError::Corrupt {
                    what: format!("sequence {name}"),
                    message: "no such sequence".to_owned(),
                });
            }
        }
    }
    Ok(sequences)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Doc {
        id: u64,
    }

    fn chunk(keys: Vec<i64>, json: &'static str) -> Decoding<Doc> {
        (
            keys,
            tokio::task::spawn_blocking(move || serde_json::from_str(json)),
        )
    }

    #[tokio::test]
    async fn chunks_come_out_in_key_order_whatever_order_they_came_in() {
        let mut out = Vec::new();
        let unordered = chunk(vec![3, 1, 2], r#"[{"id":3},{"id":1},{"id":2}]"#);
        take(&mut out, unordered, &TASKS, |d| d.id).await.unwrap();
        let ids: Vec<_> = out.iter().map(|d| d.id).collect();
        assert_eq!(ids, vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn a_document_under_another_key_is_corrupt() {
        let swapped = chunk(vec![1, 2], r#"[{"id":2},{"id":1}]"#);
        let error = take(&mut Vec::new(), swapped, &TASKS, |d| d.id)
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "stored task row 1 is corrupt: its document says 2"
        );
        let short = chunk(vec![1, 2], r#"[{"id":1}]"#);
        let error = take(&mut Vec::new(), short, &TASKS, |d| d.id)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("1 documents for 2 rows"),
            "{error}"
        );
    }
}
