//! Committing a batch: fold it to its net effect, encode the rows, write them in one transaction.

use serde::Serialize;
use sqlx::query_builder::Separated;
use sqlx::{Connection, QueryBuilder, Sqlite, SqliteConnection};
use tend_core::Changes;

use crate::StoreError;
use crate::batch::{Net, chunk_sizes};

use super::{SqliteStore, Writer, open};

/// Most rows in one statement (a power of two). Five binds a row stays far below SQLite's
/// 32,766 parameters.
const MAX_ROWS: usize = 256;

/// A task row.
struct TaskRow<'a> {
    id: i64,
    session: &'a str,
    state: &'static str,
    data: String,
}

/// An event row.
struct EventRow<'a> {
    seq: i64,
    at: i64,
    session: &'a str,
    task_id: i64,
    data: String,
}

/// A notification row.
struct NotificationRow<'a> {
    id: i64,
    session: &'a str,
    task_id: Option<i64>,
    data: String,
}

/// Every row a batch writes, encoded before the transaction begins.
struct Rows<'a> {
    tasks: Vec<TaskRow<'a>>,
    removed_tasks: Vec<i64>,
    events: Vec<EventRow<'a>>,
    events_pruned_before: Option<i64>,
    notifications: Vec<NotificationRow<'a>>,
    acked_notifications: Vec<i64>,
    group_limits: Vec<(&'a str, i64)>,
    sequences: Option<[(&'static str, i64); 3]>,
}

/// Commits `batch` in one transaction.
///
/// The writer connection is taken out for the transaction and put back only when it succeeds.
/// After a failure (or when this future is dropped midway) the connection is closed instead: a
/// COMMIT refused for a full disk leaves a connection that SQLite has rolled back but that the
/// driver still believes is inside a transaction, which refuses every later `BEGIN`. The next
/// commit opens a fresh connection.
pub(super) async fn commit(store: &SqliteStore, batch: &[Changes]) -> Result<(), StoreError> {
    if batch.is_empty() {
        return Ok(());
    }
    let net = Net::fold(batch);
    let rows = encode(&net)?;
    let mut writer = store.writer.lock().await;
    let mut conn = match std::mem::replace(&mut *writer, Writer::Lost) {
        Writer::Open(conn) => conn,
        Writer::Lost => open::reconnect(&store.path, &store.writer_options).await?,
        Writer::Closed => {
            *writer = Writer::Closed;
            return Err(StoreError::Closed);
        }
    };
    match transaction(&mut conn, rows).await {
        Ok(()) => {
            *writer = Writer::Open(conn);
            Ok(())
        }
        Err(error) => {
            // Closing discards whatever the connection still holds of the transaction.
            let _ = conn.close().await;
            Err(error)
        }
    }
}

/// Writes `rows` in one transaction on `conn`.
async fn transaction(conn: &mut SqliteConnection, rows: Rows<'_>) -> Result<(), StoreError> {
    // Dropping the transaction unfinished (an error below) rolls it back.
    let mut tx = conn
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(StoreError::query("begin a transaction"))?;
    write(&mut tx, rows).await?;
    tx.commit()
        .await
        .map_err(StoreError::query("commit a transaction"))
}

/// A stored integer: ids, sequence numbers and counts beyond `i64::MAX` cannot be stored.
fn int(value: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::Unstorable {
        what: what.to_owned(),
        message: format!("{value} exceeds the largest stored integer"),
    })
}

/// A JSON document.
fn json<T: Serialize>(value: &T, what: impl FnOnce() -> String) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| StoreError::Unstorable {
        what: what(),
        message: error.to_string(),
    })
}

fn encode<'a>(net: &Net<'a>) -> Result<Rows<'a>, StoreError> {
    let tasks = net
        .upserted_tasks()
        .map(|stored| {
            let task = &stored.task;
            Ok(TaskRow {
                id: int(task.id.number(), "a task id")?,
                session: &task.session,
                state: task.state.as_str(),
                data: json(stored, || format!("task {}", task.id))?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let removed_tasks = net
        .removed_tasks()
        .map(|id| int(id, "a task id"))
        .collect::<Result<_, _>>()?;
    let events = net
        .events
        .iter()
        .map(|event| {
            Ok(EventRow {
                seq: int(event.seq, "an event sequence number")?,
                at: event.at.as_millis(),
                session: &event.session,
                task_id: int(event.task_id.number(), "a task id")?,
                data: json(event, || format!("event {}", event.seq))?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let events_pruned_before = net
        .events_pruned_before
        .map(|seq| int(seq, "an event sequence number"))
        .transpose()?;
    let notifications = net
        .queued_notifications()
        .map(|notification| {
            Ok(NotificationRow {
                id: int(notification.id.number(), "a notification id")?,
                session: &notification.session,
                task_id: notification
                    .task_id
                    .map(|id| int(id.number(), "a task id"))
                    .transpose()?,
                data: json(notification, || format!("notification {}", notification.id))?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let acked_notifications = net
        .acked_notifications()
        .map(|id| int(id, "a notification id"))
        .collect::<Result<_, _>>()?;
    let group_limits = net
        .group_limits
        .iter()
        .map(|(name, limit)| (*name, i64::from(*limit)))
        .collect();
    let sequences = net
        .sequences
        .map(|seq| -> Result<_, StoreError> {
            Ok([
                ("next_task", int(seq.next_task, "the task sequence")?),
                ("next_event", int(seq.next_event, "the event sequence")?),
                (
                    "next_notification",
                    int(seq.next_notification, "the notification sequence")?,
                ),
            ])
        })
        .transpose()?;
    Ok(Rows {
        tasks,
        removed_tasks,
        events,
        events_pruned_before,
        notifications,
        acked_notifications,
        group_limits,
        sequences,
    })
}

/// Writes every row, tasks first: a refused event (a sequence number already stored) then
/// undoes the tasks with the rest of the transaction.
async fn write(conn: &mut SqliteConnection, rows: Rows<'_>) -> Result<(), StoreError> {
    insert(
        conn,
        "upsert tasks",
        "INSERT INTO tasks (id, session, state, data) ",
        " ON CONFLICT (id) DO UPDATE SET session = excluded.session, \
         state = excluded.state, data = excluded.data",
        rows.tasks,
        |mut row, task| {
            row.push_bind(task.id)
                .push_bind(task.session)
                .push_bind(task.state)
                .push_bind(task.data);
        },
    )
    .await?;
    delete(
        conn,
        "delete tasks",
        "DELETE FROM tasks WHERE id IN (",
        rows.removed_tasks,
    )
    .await?;
    // Pruning first is the same as pruning in step order: the batch never appends an event that
    // one of its own later steps prunes (see `Net::fold`).
    if let Some(before) = rows.events_pruned_before {
        sqlx::query("DELETE FROM events WHERE seq < ?")
            .bind(before)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query("prune events"))?;
    }
    insert(
        conn,
        "insert events",
        "INSERT INTO events (seq, at, session, task_id, data) ",
        "",
        rows.events,
        |mut row, event| {
            row.push_bind(event.seq)
                .push_bind(event.at)
                .push_bind(event.session)
                .push_bind(event.task_id)
                .push_bind(event.data);
        },
    )
    .await?;
    insert(
        conn,
        "upsert notifications",
        "INSERT INTO notifications (id, session, task_id, data) ",
        " ON CONFLICT (id) DO UPDATE SET session = excluded.session, \
         task_id = excluded.task_id, data = excluded.data",
        rows.notifications,
        |mut row, notification| {
            row.push_bind(notification.id)
                .push_bind(notification.session)
                .push_bind(notification.task_id)
                .push_bind(notification.data);
        },
    )
    .await?;
    delete(
        conn,
        "delete notifications",
        "DELETE FROM notifications WHERE id IN (",
        rows.acked_notifications,
    )
    .await?;
    insert(
        conn,
        "upsert group limits",
        "INSERT INTO group_limits (name, task_limit) ",
        " ON CONFLICT (name) DO UPDATE SET task_limit = excluded.task_limit",
        rows.group_limits,
        |mut row, (name, limit)| {
            row.push_bind(name).push_bind(limit);
        },
    )
    .await?;
    insert(
        conn,
        "write sequences",
        "INSERT INTO sequences (name, value) ",
        " ON CONFLICT (name) DO UPDATE SET value = CASE \
         WHEN excluded.value > sequences.value THEN excluded.value \
         ELSE sequences.value END",
        rows.sequences.into_iter().flatten().collect(),
        |mut row, (name, value)| {
            row.push_bind(name).push_bind(value);
        },
    )
    .await
}

/// Inserts `rows` with `head VALUES (..), (..) tail`, in statements of at most [`MAX_ROWS`].
async fn insert<R>(
    conn: &mut SqliteConnection,
    operation: &'static str,
    head: &'static str,
    tail: &'static str,
    rows: Vec<R>,
    mut bind: impl FnMut(Separated<'_, Sqlite, &'static str>, R),
) -> Result<(), StoreError> {
    let sizes = chunk_sizes(rows.len(), MAX_ROWS);
    let mut rows = rows.into_iter();
    for size in sizes {
        let mut query = QueryBuilder::<Sqlite>::new(head);
        query.push_values(rows.by_ref().take(size), &mut bind);
        query.push(tail);
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query(operation))?;
    }
    Ok(())
}

/// Deletes the rows whose key is in `keys` with `head ?, ?, ?)`.
async fn delete(
    conn: &mut SqliteConnection,
    operation: &'static str,
    head: &'static str,
    keys: Vec<i64>,
) -> Result<(), StoreError> {
    let sizes = chunk_sizes(keys.len(), MAX_ROWS);
    let mut keys = keys.into_iter();
    for size in sizes {
        let mut query = QueryBuilder::<Sqlite>::new(head);
        let mut list = query.separated(", ");
        for key in keys.by_ref().take(size) {
            list.push_bind(key);
        }
        query.push(")");
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query(operation))?;
    }
    Ok(())
}
