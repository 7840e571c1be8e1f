//! Input schemas that strict clients accept: inlined, without `null` in any type, without
//! non-standard integer formats, and without the `$schema` and title noise.
//!
//! Optional numbers, flags and lists have defaults in their argument types; optional strings
//! stay `Option` in Rust (an absent value is not the empty string) but are described as plain
//! strings, which is what a client should send.

use std::sync::Arc;

use rmcp::model::JsonObject;
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

/// The input schema of a tool whose arguments are `T` (a struct, so an object schema).
pub(crate) fn input<T: JsonSchema>() -> Arc<JsonObject> {
    let generator = SchemaSettings::draft2020_12()
        .with(|settings| settings.inline_subschemas = true)
        .into_generator();
    let mut value = generator.into_root_schema_for::<T>().to_value();
    strictify(&mut value);
    let mut object = match value {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    };
    for noise in ["$schema", "title", "description"] {
        object.remove(noise);
    }
    object
        .entry("type")
        .or_insert_with(|| Value::String("object".into()));
    object
        .entry("properties")
        .or_insert_with(|| Value::Object(JsonObject::new()));
    Arc::new(object)
}

/// Rewrites a schema in place, at every depth: `"type": ["string", "null"]` becomes
/// `"type": "string"`, `{"type": "null"}` alternatives leave `anyOf`/`oneOf`, `"default": null`
/// and integer formats such as `uint64` go (a `minimum` says the same thing portably).
fn strictify(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::Array(types)) = object.get_mut("type") {
                types.retain(|kind| kind != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    object.insert("type".into(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                let Some(Value::Array(alternatives)) = object.get_mut(key) else {
                    continue;
                };
                alternatives.retain(|alternative| !is_null_schema(alternative));
                if alternatives.len() == 1 {
                    let Some(Value::Object(only)) = object.remove(key).and_then(first) else {
                        continue;
                    };
                    for (name, part) in only {
                        object.entry(name).or_insert(part);
                    }
                }
            }
            if object.get("default").is_some_and(Value::is_null) {
                object.remove("default");
            }
            let integer_format = object.get("type").is_some_and(|kind| kind == "integer")
                && object
                    .get("format")
                    .and_then(Value::as_str)
                    .is_some_and(|format| format.starts_with("uint") || format.starts_with("int"));
            if integer_format {
                object.remove("format");
            }
            for child in object.values_mut() {
                strictify(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strictify),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").is_some_and(|kind| kind == "null")
}

fn first(value: Value) -> Option<Value> {
    match value {
        Value::Array(mut items) if !items.is_empty() => Some(items.remove(0)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Example {
        /// Required.
        name: String,
        /// Optional text.
        note: Option<String>,
        /// Optional number.
        grace_ms: Option<u64>,
        /// A number with a default.
        #[serde(default = "seven")]
        count: u64,
        /// An enum.
        #[serde(default)]
        mode: Mode,
    }

    #[derive(Deserialize, JsonSchema, Default, serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Mode {
        #[default]
        Any,
        All,
    }

    fn seven() -> u64 {
        7
    }

    fn contains_null(value: &Value) -> bool {
        match value {
            Value::String(text) => text == "null",
            Value::Array(items) => items.iter().any(contains_null),
            Value::Object(object) => object.iter().any(|(key, value)| {
                (key == "type" || key == "anyOf" || key == "oneOf" || key == "default")
                    && contains_null(value)
                    || contains_null(value)
            }),
            Value::Null => true,
            Value::Bool(_) | Value::Number(_) => false,
        }
    }

    #[test]
    fn optional_fields_are_plain_types_and_defaults_are_shown() {
        let schema = Value::Object((*input::<Example>()).clone());
        assert!(!contains_null(&schema), "{schema:#}");
        let properties = &schema["properties"];
        assert_eq!(properties["note"]["type"], "string");
        assert_eq!(properties["grace_ms"]["type"], "integer");
        assert!(properties["grace_ms"].get("format").is_none(), "{schema:#}");
        assert_eq!(properties["count"]["default"], 7);
        assert_eq!(
            properties["mode"]["enum"],
            serde_json::json!(["any", "all"])
        );
        assert_eq!(schema["required"], serde_json::json!(["name"]));
        assert!(schema.get("$schema").is_none() && schema.get("$defs").is_none());
    }
}
