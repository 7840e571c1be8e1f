//! Every route of the API as the OpenAPI document describes it.

use serde_json::json;
use tend_core::{GroupStatus, Task};
use tend_proto::{
    AckParams, CloseParams, CompleteParams, CreateTaskParams, CreateTaskResponse, DaemonStopParams,
    DaemonStopResponse, EventsQuery, EventsResponse, GroupLimitParams, GroupsResponse,
    HealthResponse, ListTasksQuery, NotificationsQuery, NotificationsResponse, OutputQuery,
    OutputRead, ProcessesResponse, ProgressParams, ResizeParams, ScreenRead, StdinParams,
    StopParams, TasksResponse, TransferParams, WaitParams, WaitResponse, headers,
};

use super::{Spec, examples};

/// Errors of routes about one task.
const TASK: &[u16] = &[404, 410];
/// Errors of routes with a JSON body.
const BODY: &[u16] = &[408, 413];

fn errors(groups: &[&[u16]]) -> Vec<u16> {
    groups
        .iter()
        .flat_map(|group| group.iter().copied())
        .collect()
}

/// Describes every route into `spec`.
pub(super) fn describe(spec: &mut Spec) {
    tasks(spec);
    task_operations(spec);
    waits_and_events(spec);
    sessions_and_groups(spec);
    daemon(spec);
}

fn tasks(spec: &mut Spec) {
    let mut op = spec.op(
        "post",
        "/v1/tasks",
        "createTask",
        "Create a shell or external task",
    );
    spec.body::<CreateTaskParams>(&mut op, true);
    spec.answer::<CreateTaskResponse>(&mut op, 201, "created");
    spec.answer::<CreateTaskResponse>(&mut op, 200, "a live task of the session has this key");
    op.request_example(examples::create_shell());
    op.answer_example(201, examples::created());
    spec.add(op, &errors(&[BODY, &[409]]));

    let mut op = spec.op("get", "/v1/tasks", "listTasks", "List tasks, oldest first");
    spec.query::<ListTasksQuery>(&mut op);
    spec.answer::<TasksResponse>(&mut op, 200, "the tasks");
    spec.add(op, &[]);

    let mut op = spec.op("get", "/v1/tasks/{id}", "getTask", "One task's record");
    spec.answer::<Task>(&mut op, 200, "the record");
    op.answer_example(200, examples::shell_task());
    spec.add(op, TASK);

    let mut op = spec.op(
        "delete",
        "/v1/tasks/{id}",
        "removeTask",
        "Remove a terminal task",
    );
    Spec::answer_with(&mut op, 204, json!({"description": "removed"}));
    spec.add(op, &errors(&[TASK, &[409]]));

    let mut op = spec.op(
        "get",
        "/v1/tasks/{id}/output",
        "readOutput",
        "Read a task's output",
    );
    spec.query::<OutputQuery>(&mut op);
    let read = spec.written::<OutputRead>();
    let screen = spec.written::<ScreenRead>();
    let number = json!({"schema": {"type": "integer", "minimum": 0}});
    let flag = json!({"schema": {"type": "string", "enum": ["true", "false"]}});
    Spec::answer_with(
        &mut op,
        200,
        json!({
            "description": "an output read; with render=screen the screen (its own media \
                            type); with format=raw the bytes, numbers in headers",
            "headers": {
                headers::CURSOR: number, headers::NEXT_CURSOR: number,
                headers::TOTAL_BYTES: number, headers::DROPPED_BYTES: number,
                headers::TRUNCATED: flag, headers::EOF: flag,
                headers::STATE: {"schema": {"type": "string"}},
            },
            "content": {
                "application/json": {"schema": read, "example": examples::output_read()},
                crate::api::output::SCREEN_MEDIA_TYPE: {"schema": screen},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        }),
    );
    spec.add(op, TASK);

    let mut op = spec.op(
        "get",
        "/v1/tasks/{id}/processes",
        "taskProcesses",
        "The live processes of a shell task",
    );
    spec.answer::<ProcessesResponse>(&mut op, 200, "every live process of the task, by pid");
    spec.add(op, TASK);
}

fn task_operations(spec: &mut Spec) {
    let mut op = spec.op("post", "/v1/tasks/{id}/stop", "stopTask", "Stop a task");
    spec.body::<StopParams>(&mut op, false);
    spec.answer::<Task>(&mut op, 200, "the record once terminal");
    spec.add(op, &errors(&[TASK, BODY]));

    let mut op = spec.op(
        "post",
        "/v1/tasks/{id}/stdin",
        "writeStdin",
        "Write to a task's stdin",
    );
    spec.body::<StdinParams>(&mut op, true);
    Spec::answer_with(&mut op, 204, json!({"description": "written"}));
    spec.add(op, &errors(&[TASK, BODY, &[409]]));

    let mut op = spec.op(
        "post",
        "/v1/tasks/{id}/resize",
        "resizeTerminal",
        "Give a tty task's terminal a new size",
    );
    spec.body::<ResizeParams>(&mut op, true);
    spec.answer::<Task>(&mut op, 200, "the record");
    spec.add(op, &errors(&[TASK, BODY, &[409]]));

    let mut op = spec.op(
        "post",
        "/v1/tasks/{id}/progress",
        "reportProgress",
        "An external task reports progress",
    );
    spec.body::<ProgressParams>(&mut op, true);
    spec.answer::<Task>(&mut op, 200, "the record");
    spec.add(op, &errors(&[TASK, BODY, &[409]]));

    let mut op = spec.op(
        "post",
        "/v1/tasks/{id}/complete",
        "completeTask",
        "An external task reports its outcome",
    );
    spec.body::<CompleteParams>(&mut op, true);
    spec.answer::<Task>(&mut op, 200, "the terminal record");
    spec.add(op, &errors(&[TASK, BODY, &[409]]));

    let mut op = spec.op(
        "post",
        "/v1/tasks/{id}/transfer",
        "transferTask",
        "Move a task to another session",
    );
    spec.body::<TransferParams>(&mut op, true);
    spec.answer::<Task>(&mut op, 200, "the record");
    spec.add(op, &errors(&[TASK, BODY, &[409]]));
}

fn waits_and_events(spec: &mut Spec) {
    let mut op = spec.op("post", "/v1/wait", "wait", "Wait for tasks to end");
    spec.body::<WaitParams>(&mut op, true);
    spec.answer::<WaitResponse>(&mut op, 200, "whether they ended, and their records");
    op.request_example(examples::wait());
    op.answer_example(200, examples::waited());
    spec.add(op, &errors(&[TASK, BODY]));

    let mut op = spec.op("get", "/v1/events", "events", "Replay or stream events");
    spec.query::<EventsQuery>(&mut op);
    let page = spec.written::<EventsResponse>();
    Spec::answer_with(
        &mut op,
        200,
        json!({
            "description": "a page of events; with Accept: text/event-stream, a stream of \
                `id: SEQ` / `data: EVENT` messages that ends only when the daemon stops",
            "content": {
                "application/json": {"schema": page, "example": examples::events()},
                "text/event-stream": {"schema": {"type": "string"}},
            },
        }),
    );
    spec.add(op, &[410]);
}

fn sessions_and_groups(spec: &mut Spec) {
    let mut op = spec.op(
        "get",
        "/v1/sessions/{session}/notifications",
        "notifications",
        "A session's unacknowledged notifications",
    );
    spec.query::<NotificationsQuery>(&mut op);
    spec.answer::<NotificationsResponse>(&mut op, 200, "oldest first");
    op.answer_example(200, examples::notifications());
    spec.add(op, &[]);

    let mut op = spec.op(
        "post",
        "/v1/sessions/{session}/notifications/ack",
        "ackNotifications",
        "Acknowledge notifications",
    );
    spec.body::<AckParams>(&mut op, true);
    Spec::answer_with(&mut op, 204, json!({"description": "acknowledged"}));
    spec.add(op, &errors(&[BODY, &[404]]));

    let mut op = spec.op(
        "post",
        "/v1/sessions/{session}/close",
        "closeSession",
        "Close a session",
    );
    spec.body::<CloseParams>(&mut op, false);
    spec.answer::<TasksResponse>(&mut op, 200, "the affected tasks");
    spec.add(op, BODY);

    let mut op = spec.op("get", "/v1/groups", "listGroups", "Concurrency groups");
    spec.answer::<GroupsResponse>(&mut op, 200, "every group");
    spec.add(op, &[]);

    let mut op = spec.op(
        "put",
        "/v1/groups/{name}",
        "setGroupLimit",
        "Set a group's limit",
    );
    spec.body::<GroupLimitParams>(&mut op, true);
    spec.answer::<GroupStatus>(&mut op, 200, "the group");
    spec.add(op, BODY);
}

fn daemon(spec: &mut Spec) {
    let mut op = spec.op(
        "get",
        "/v1/health",
        "health",
        "Whether the daemon answers and its store commits",
    );
    spec.answer::<HealthResponse>(&mut op, 200, "it does");
    spec.add(op, &[]);

    let mut op = spec.op("post", "/v1/daemon/stop", "stopDaemon", "Stop the daemon");
    spec.body::<DaemonStopParams>(&mut op, false);
    spec.answer::<DaemonStopResponse>(&mut op, 200, "stopping");
    spec.add(op, BODY);

    let mut op = spec.op("get", "/v1/openapi.json", "openapi", "This document");
    Spec::answer_with(
        &mut op,
        200,
        json!({"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}),
    );
    spec.add(op, &[]);
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::{Spec, openapi_document};

    /// Every route of the router, as (method, path).
    const ROUTES: &[(&str, &str)] = &[
        ("post", "/v1/tasks"),
        ("get", "/v1/tasks"),
        ("get", "/v1/tasks/{id}"),
        ("delete", "/v1/tasks/{id}"),
        ("get", "/v1/tasks/{id}/output"),
        ("get", "/v1/tasks/{id}/processes"),
        ("post", "/v1/tasks/{id}/stop"),
        ("post", "/v1/tasks/{id}/stdin"),
        ("post", "/v1/tasks/{id}/resize"),
        ("post", "/v1/tasks/{id}/progress"),
        ("post", "/v1/tasks/{id}/complete"),
        ("post", "/v1/tasks/{id}/transfer"),
        ("post", "/v1/wait"),
        ("get", "/v1/events"),
        ("get", "/v1/sessions/{session}/notifications"),
        ("post", "/v1/sessions/{session}/notifications/ack"),
        ("post", "/v1/sessions/{session}/close"),
        ("get", "/v1/groups"),
        ("put", "/v1/groups/{name}"),
        ("get", "/v1/health"),
        ("post", "/v1/daemon/stop"),
        ("get", "/v1/openapi.json"),
    ];

    #[test]
    fn every_route_is_described_with_its_parameters() {
        let document = openapi_document();
        let paths = document["paths"].as_object().unwrap();
        let described: usize = paths
            .values()
            .map(|item| item.as_object().unwrap().len())
            .sum();
        assert_eq!(described, ROUTES.len());
        for (method, path) in ROUTES {
            let op = &document["paths"][path][method];
            assert!(op.is_object(), "{method} {path} is not described");
            let parameters = op["parameters"].as_array().unwrap();
            for name in super::super::path_params(path) {
                assert!(
                    parameters.iter().any(|p| p["name"] == name),
                    "{path}: {name}"
                );
            }
        }
        let output = &document["paths"]["/v1/tasks/{id}/output"]["get"]["parameters"];
        let names: Vec<&str> = output
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        for name in [
            "cursor",
            "max_bytes",
            "tail_lines",
            "grep",
            "context",
            "wait_ms",
            "stream",
            "format",
        ] {
            assert!(names.contains(&name), "output lacks {name}: {names:?}");
        }
        let list = &document["paths"]["/v1/tasks"]["get"]["parameters"];
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "state")
        );
    }

    #[test]
    fn every_reference_resolves_and_no_schema_is_described_twice_differently() {
        let document = openapi_document();
        let schemas = document["components"]["schemas"].as_object().unwrap();
        for name in [
            "CreateTaskParams",
            "Task",
            "Event",
            "ErrorBody",
            "OutputRead",
        ] {
            assert!(schemas.contains_key(name), "{name} missing");
        }
        let text = document.to_string();
        for reference in text.split("\"$ref\":\"").skip(1) {
            let target = reference.split('"').next().unwrap();
            let name = target.strip_prefix("#/components/schemas/").expect(target);
            assert!(schemas.contains_key(name), "{target} does not resolve");
        }
        let mut spec = Spec::new();
        super::describe(&mut spec);
        let reads = spec.reads.take_definitions(true);
        let writes = spec.writes.take_definitions(true);
        for (name, schema) in &reads {
            if let Some(other) = writes.get(name) {
                assert_eq!(schema, other, "{name} is read and written differently");
            }
        }
        assert!(!text.contains("\"null\"") || query_params_have_no_null(&document));
    }

    #[test]
    fn enums_are_enums_and_unions_are_named_and_discriminated() {
        let document = openapi_document();
        let text = document.to_string();
        assert!(
            !text.contains("CONTRACT.md"),
            "a description points outside"
        );
        assert!(
            !text.contains("\"const\":\"pending\""),
            "State is a oneOf of const"
        );
        let schemas = document["components"]["schemas"].as_object().unwrap();
        assert_eq!(schemas["State"]["type"], "string");
        assert_eq!(schemas["State"]["enum"][0], "pending");
        assert!(schemas["Reason"]["enum"].as_array().unwrap().len() >= 8);
        let union = |name: &str, tag: &str, kinds: &[&str]| {
            let schema = &schemas[name];
            assert_eq!(schema["discriminator"]["propertyName"], tag, "{name}");
            let alternatives = schema["oneOf"].as_array().unwrap();
            assert_eq!(alternatives.len(), kinds.len(), "{name}");
            for kind in kinds {
                let reference = schema["discriminator"]["mapping"][kind].as_str().unwrap();
                assert!(alternatives.iter().any(|a| a["$ref"] == reference));
                let variant = &schemas[reference.rsplit('/').next().unwrap()];
                assert_eq!(variant["properties"][tag]["const"], *kind, "{reference}");
                assert!(
                    variant["required"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|r| r == tag)
                );
            }
        };
        union(
            "Event",
            "type",
            &[
                "registered",
                "started",
                "progress",
                "state_changed",
                "retrying",
                "finished",
                "transferred",
                "removed",
                "ports_changed",
                "ready",
            ],
        );
        union(
            "Notification",
            "kind",
            &["task_finished", "all_finished", "task_ready"],
        );
        // Every event variant has the fields every event has.
        let removed = &schemas["EventRemoved"];
        for field in ["seq", "at", "task_id", "session", "type"] {
            assert!(removed["properties"][field].is_object(), "{field}");
            assert!(
                removed["required"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r == field)
            );
        }
        assert!(schemas["EventFinished"]["properties"]["task"]["$ref"].is_string());
    }

    #[test]
    fn the_output_route_has_one_json_schema_and_raw_apart() {
        let document = openapi_document();
        let content =
            &document["paths"]["/v1/tasks/{id}/output"]["get"]["responses"]["200"]["content"];
        assert_eq!(
            content["application/json"]["schema"]["$ref"],
            "#/components/schemas/OutputRead"
        );
        assert_eq!(
            content["application/octet-stream"]["schema"]["format"],
            "binary"
        );
        for (path, method, status) in [
            ("/v1/tasks", "post", "201"),
            ("/v1/tasks/{id}", "get", "200"),
            ("/v1/tasks/{id}/output", "get", "200"),
            ("/v1/wait", "post", "200"),
            ("/v1/events", "get", "200"),
            ("/v1/sessions/{session}/notifications", "get", "200"),
        ] {
            let media = &document["paths"][path][method]["responses"][status]["content"]["application/json"];
            assert!(
                media["example"].is_object(),
                "{method} {path} has no example"
            );
        }
        let body =
            &document["paths"]["/v1/tasks"]["post"]["requestBody"]["content"]["application/json"];
        assert_eq!(body["example"]["shell"], "cargo test");
    }

    fn query_params_have_no_null(document: &Value) -> bool {
        document["paths"].as_object().unwrap().values().all(|item| {
            item.as_object().unwrap().values().all(|op| {
                op["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|p| !p["schema"].to_string().contains("null"))
            })
        })
    }
}
