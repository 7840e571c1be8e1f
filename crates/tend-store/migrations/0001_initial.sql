-- The engine's durable state. Kept to types and statements that PostgreSQL shares
-- (INTEGER keys become BIGINT there); JSON documents are stored as TEXT.

-- Every retained task: its stored form (record, run spec with the environment, bookkeeping).
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    session TEXT NOT NULL,
    state TEXT NOT NULL,
    data TEXT NOT NULL
);

-- The retained event log, consecutive by sequence number.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    session TEXT NOT NULL,
    task_id INTEGER NOT NULL,
    data TEXT NOT NULL
);

-- Unacknowledged notifications; acknowledged ones are deleted.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    session TEXT NOT NULL,
    task_id INTEGER,
    data TEXT NOT NULL
);

-- Group limits set at run time.
CREATE TABLE group_limits (
    name TEXT PRIMARY KEY,
    task_limit INTEGER NOT NULL
);

-- The engine's sequences: next_task, next_event, next_notification.
CREATE TABLE sequences (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
