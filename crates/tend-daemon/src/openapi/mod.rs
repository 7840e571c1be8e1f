//! The OpenAPI 3.1 document of the API, generated from the wire types.
//!
//! Schemas come from the types themselves (schemars, JSON Schema 2020-12, which OpenAPI 3.1
//! uses as is): request bodies and query parameters describe how the daemon reads them,
//! answers how it writes them. The routes, their parameters and their statuses are listed in
//! [`routes`], beside the router, and a test checks that both name the same routes.
//! [`shape`] then rewrites the schemas into the forms client generators read best (enums as
//! `enum`, tagged unions as named schemas with a `discriminator`); [`examples`] holds the
//! examples of the main routes, which a test reads back into the wire types.

mod examples;
mod routes;
mod shape;

use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};
use tend_proto::ErrorBody;

/// The OpenAPI 3.1 document served at `GET /v1/openapi.json`.
pub fn openapi_document() -> Value {
    let mut spec = Spec::new();
    routes::describe(&mut spec);
    spec.finish()
}

fn settings() -> SchemaSettings {
    SchemaSettings::draft2020_12().with(|settings| {
        settings.definitions_path = "/components/schemas".into();
        settings.meta_schema = None;
    })
}

/// Flat objects written as one schema per value of a kind property: (schema, property).
const SPLITS: &[(&str, &str)] = &[("Notification", "kind")];

/// The document being built.
pub(crate) struct Spec {
    /// Schemas of what the daemon reads.
    reads: SchemaGenerator,
    /// Schemas of what the daemon writes.
    writes: SchemaGenerator,
    paths: Map<String, Value>,
}

/// One operation being described.
pub(crate) struct Op {
    method: &'static str,
    path: &'static str,
    value: Map<String, Value>,
    parameters: Vec<Value>,
    responses: Map<String, Value>,
}

impl Op {
    /// An example of the JSON request body.
    pub(crate) fn request_example(&mut self, example: Value) {
        if let Some(media) = self
            .value
            .get_mut("requestBody")
            .and_then(|body| body.pointer_mut("/content/application~1json"))
        {
            media["example"] = example;
        }
    }

    /// An example of the JSON answer with `status`.
    pub(crate) fn answer_example(&mut self, status: u16, example: Value) {
        if let Some(media) = self
            .responses
            .get_mut(&status.to_string())
            .and_then(|answer| answer.pointer_mut("/content/application~1json"))
        {
            media["example"] = example;
        }
    }
}

impl Spec {
    fn new() -> Self {
        Self {
            reads: settings().for_deserialize().into_generator(),
            writes: settings().for_serialize().into_generator(),
            paths: Map::new(),
        }
    }

    /// Starts an operation.
    pub(crate) fn op(
        &mut self,
        method: &'static str,
        path: &'static str,
        id: &'static str,
        summary: &'static str,
    ) -> Op {
        let mut value = Map::new();
        value.insert("operationId".into(), id.into());
        value.insert("summary".into(), summary.into());
        let mut op = Op {
            method,
            path,
            value,
            parameters: Vec::new(),
            responses: Map::new(),
        };
        for name in path_params(path) {
            let (schema, description) = match name {
                "id" => (
                    self.reads.subschema_for::<tend_core::TaskId>().to_value(),
                    "a task id",
                ),
                "session" => (name_schema(), "a session name (percent-encode `/`)"),
                _ => (name_schema(), "a group name"),
            };
            op.parameters.push(json!({
                "name": name, "in": "path", "required": true,
                "description": description, "schema": schema,
            }));
        }
        op
    }

    /// Query parameters: the properties of the query type `T`.
    pub(crate) fn query<T: JsonSchema>(&mut self, op: &mut Op) {
        let schema = T::json_schema(&mut self.reads).to_value();
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(properties) = schema["properties"].as_object() {
            for (name, property) in properties {
                let mut property = without_null(property.clone());
                let description = property
                    .as_object_mut()
                    .and_then(|p| p.remove("description"))
                    .unwrap_or(Value::Null);
                // Every query parameter reads an empty value (`grep=`) as not given.
                op.parameters.push(json!({
                    "name": name, "in": "query", "required": required.contains(&name.as_str()),
                    "allowEmptyValue": true, "description": description, "schema": property,
                }));
            }
        }
    }

    /// A JSON request body of type `T`; `required: false` when it may be left out.
    pub(crate) fn body<T: JsonSchema>(&mut self, op: &mut Op, required: bool) {
        let schema = self.reads.subschema_for::<T>().to_value();
        op.value.insert(
            "requestBody".into(),
            json!({"required": required, "content": {"application/json": {"schema": schema}}}),
        );
    }

    /// A JSON answer of type `T` with `status`.
    pub(crate) fn answer<T: JsonSchema>(&mut self, op: &mut Op, status: u16, description: &str) {
        let schema = self.writes.subschema_for::<T>().to_value();
        op.responses.insert(
            status.to_string(),
            json!({"description": description, "content": {"application/json": {"schema": schema}}}),
        );
    }

    /// An answer with a hand-written body description.
    pub(crate) fn answer_with(op: &mut Op, status: u16, response: Value) {
        op.responses.insert(status.to_string(), response);
    }

    /// Schema of `T` as written, for hand-written answers.
    pub(crate) fn written<T: JsonSchema>(&mut self) -> Value {
        self.writes.subschema_for::<T>().to_value()
    }

    /// Adds the operation with the error answers it can give (and a default error answer).
    pub(crate) fn add(&mut self, mut op: Op, errors: &[u16]) {
        let error = self.writes.subschema_for::<ErrorBody>().to_value();
        let content = json!({"application/json": {"schema": error}});
        for &status in errors.iter().chain(&[400, 500, 503]) {
            let description = match status {
                400 => "invalid_argument: malformed request or value not allowed",
                404 => "not_found: the id was never issued",
                405 => "the route does not take this method",
                408 => "invalid_argument: the body did not arrive in time",
                409 => "conflict: the request conflicts with the task's state",
                410 => "expired: the record or events are no longer retained",
                413 => "invalid_argument: the body is larger than 1 MiB",
                503 => {
                    "unavailable: the daemon is shutting down, or a limit is reached (waiting requests, output answers in flight, live tasks)"
                }
                _ => "internal: the daemon failed",
            };
            op.responses.insert(
                status.to_string(),
                json!({"description": description, "content": content}),
            );
        }
        op.responses.insert(
            "default".into(),
            json!({"description": "an error", "content": content}),
        );
        op.value
            .insert("parameters".into(), Value::Array(op.parameters));
        op.value
            .insert("responses".into(), Value::Object(op.responses));
        let item = self.paths.entry(op.path).or_insert_with(|| json!({}));
        if let Some(item) = item.as_object_mut() {
            item.insert(op.method.into(), Value::Object(op.value));
        }
    }

    fn finish(mut self) -> Value {
        let mut schemas = self.reads.take_definitions(true);
        for (name, schema) in self.writes.take_definitions(true) {
            // A type read and written alike has one schema; the tests check there is no other.
            schemas.entry(name).or_insert(schema);
        }
        shape::reshape(&mut schemas, &mut self.paths, SPLITS);
        json!({
            "openapi": "3.1.0",
            "info": {
                "title": "tend",
                "version": env!("CARGO_PKG_VERSION"),
                "description": "The HTTP API of tend's daemon, served on the unix socket \
                    TEND_HOME/tend.sock. Errors are {\"error\": {\"code\", \"message\"}}.",
            },
            "servers": [{"url": "http://localhost", "description": "the daemon's unix socket"}],
            "paths": self.paths,
            "components": {"schemas": schemas},
        })
    }
}

/// The `{name}` parameters of a path.
fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
}

fn name_schema() -> Value {
    json!({"type": "string", "pattern": "^[A-Za-z0-9._:@/+-]{1,128}$"})
}

/// A query parameter is absent or has a value: drop `null` from its schema.
fn without_null(mut schema: Value) -> Value {
    if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let single = types[0].clone();
            schema["type"] = single;
        }
    }
    let alternatives = schema
        .get("anyOf")
        .and_then(Value::as_array)
        .map(|alternatives| {
            alternatives
                .iter()
                .filter(|a| a.get("type") != Some(&json!("null")))
                .cloned()
                .collect::<Vec<_>>()
        });
    if let (Some(mut alternatives), Some(object)) = (alternatives, schema.as_object_mut()) {
        object.remove("anyOf");
        if alternatives.len() == 1 {
            if let Some(Value::Object(only)) = alternatives.pop() {
                object.extend(only);
            }
        } else {
            object.insert("anyOf".into(), Value::Array(alternatives));
        }
    }
    schema
}
