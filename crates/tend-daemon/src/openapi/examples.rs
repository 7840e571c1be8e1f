//! Examples of the main routes' bodies and answers, as the daemon writes them. The tests read
//! each back into its wire type, so an example that no longer matches the types fails them.

use serde_json::{Value, json};

/// A running shell task's record.
pub(super) fn shell_task() -> Value {
    json!({
        "id": "t1", "kind": "shell", "session": "harness-1", "parent": null,
        "child_session": null, "key": null, "name": "cargo test",
        "command": ["sh", "-c", "cargo test"], "cwd": "/home/me/project", "group": "default",
        "state": "running", "reason": null, "exit_code": null, "signal": null,
        "summary": null, "attempt": 1, "max_attempts": 1, "after": [], "pid": 4242,
        "progress": null, "output": {"total_bytes": 6, "dropped_bytes": 0},
        "ports": [], "ready": null, "ready_at": null, "tty": null,
        "close_policy": "keep", "timeout_ms": null, "idle_timeout_ms": null,
        "created_at": "2026-01-05T10:00:00.000Z", "started_at": "2026-01-05T10:00:00.012Z",
        "updated_at": "2026-01-05T10:00:00.012Z", "finished_at": null,
    })
}

/// A subagent (external task) that completed.
pub(super) fn completed_subagent() -> Value {
    json!({
        "id": "t2", "kind": "subagent", "session": "harness-1", "parent": null,
        "child_session": "child-7", "key": null, "name": "review the diff",
        "command": null, "cwd": null, "group": "default",
        "state": "completed", "reason": "reported", "exit_code": null, "signal": null,
        "summary": "no findings", "attempt": 1, "max_attempts": 1, "after": [], "pid": null,
        "progress": null, "output": null, "ports": [], "ready": null, "ready_at": null, "tty": null,
        "close_policy": "keep", "timeout_ms": null, "idle_timeout_ms": null,
        "created_at": "2026-01-05T10:00:01.000Z", "started_at": "2026-01-05T10:00:01.000Z",
        "updated_at": "2026-01-05T10:02:00.000Z", "finished_at": "2026-01-05T10:02:00.000Z",
    })
}

pub(super) fn create_shell() -> Value {
    json!({"session": "harness-1", "shell": "cargo test", "cwd": "/home/me/project"})
}

pub(super) fn created() -> Value {
    json!({"created": true, "task": shell_task(), "output": null})
}

pub(super) fn output_read() -> Value {
    json!({
        "task_id": "t1", "state": "running", "data": "hello\n", "cursor": 0,
        "next_cursor": 6, "total_bytes": 6, "dropped_bytes": 0, "truncated": false,
        "eof": false,
    })
}

pub(super) fn wait() -> Value {
    json!({"ids": ["t2"], "mode": "all", "timeout_ms": 30000})
}

pub(super) fn waited() -> Value {
    json!({"done": true, "tasks": [completed_subagent()]})
}

pub(super) fn events() -> Value {
    json!({
        "events": [
            {"seq": 41, "at": "2026-01-05T10:00:00.012Z", "task_id": "t1",
             "session": "harness-1", "type": "started", "attempt": 1, "pid": 4242},
            {"seq": 42, "at": "2026-01-05T10:02:00.000Z", "task_id": "t2",
             "session": "harness-1", "type": "finished", "task": completed_subagent()},
        ],
        "next_after": 42,
    })
}

pub(super) fn notifications() -> Value {
    json!({"notifications": [{
        "id": "n3", "session": "harness-1", "task_id": "t2", "kind": "task_finished",
        "state": "completed", "reason": "reported", "exit_code": null,
        "name": "review the diff",
        "text": "t2 review the diff: completed (no findings)",
        "created_at": "2026-01-05T10:02:00.000Z",
    }]})
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;
    use serde_json::Value;
    use tend_core::Task;
    use tend_proto::{
        CreateTaskParams, CreateTaskResponse, EventsResponse, NotificationsResponse, OutputRead,
        WaitParams, WaitResponse,
    };

    use super::*;

    fn reads_back<T: DeserializeOwned + serde::Serialize>(example: Value) {
        let typed: T =
            serde_json::from_value(example.clone()).unwrap_or_else(|e| panic!("{e}: {example}"));
        let written = serde_json::to_value(&typed).unwrap();
        // What the daemon writes for the value is the example itself.
        for (key, value) in example.as_object().unwrap() {
            if !value.is_null() {
                assert_eq!(&written[key], value, "{key} of {example}");
            }
        }
    }

    #[test]
    fn every_example_is_what_the_types_read_and_write() {
        reads_back::<Task>(shell_task());
        reads_back::<Task>(completed_subagent());
        reads_back::<CreateTaskResponse>(created());
        reads_back::<OutputRead>(output_read());
        reads_back::<WaitResponse>(waited());
        reads_back::<EventsResponse>(events());
        reads_back::<NotificationsResponse>(notifications());
        let _: CreateTaskParams = serde_json::from_value(create_shell()).unwrap();
        let _: WaitParams = serde_json::from_value(wait()).unwrap();
    }
}
