//! Reshapes the schemas schemars writes into the forms client generators read best.
//!
//! Each pass is generic: it looks at the shape of a schema, not at its name, so that a type
//! or a field added later is written the same way without a change here.
//!
//! - A `oneOf` of string `const`s (a Rust enum of unit variants) becomes one `enum`, the
//!   variants' descriptions listed in the schema's description.
//! - A `oneOf` of objects told apart by one property holding a `const` string (an internally
//!   tagged Rust enum) becomes a union of named schemas (`Event` + `registered` →
//!   `EventRegistered`) with a `discriminator`.
//! - [`split_by`] turns a flat object with a kind property into such a union, one named schema
//!   per value of the kind's enum.
//! - Descriptions lose their references to documents outside the repository.

use serde_json::{Map, Value, json};

/// Applies every pass to the components and the paths of `document`.
/// `splits` names the flat objects to split by a kind property ([`split_by`]).
pub(super) fn reshape(
    schemas: &mut Map<String, Value>,
    paths: &mut Map<String, Value>,
    splits: &[(&str, &str)],
) {
    for schema in schemas.values_mut() {
        enums(schema);
    }
    for item in paths.values_mut() {
        enums(item);
    }
    let names: Vec<String> = schemas.keys().cloned().collect();
    for name in names {
        tagged_union(schemas, &name);
    }
    for (name, tag) in splits {
        split_by(schemas, name, tag);
    }
    for schema in schemas.values_mut() {
        descriptions(schema);
    }
    for item in paths.values_mut() {
        descriptions(item);
    }
}

/// Rewrites every `oneOf` of string constants under `value` as an `enum`.
fn enums(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(values) = object.get("oneOf").and_then(constants) {
                let lines: Vec<String> = object["oneOf"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|alternative| {
                        let description = alternative.get("description")?.as_str()?;
                        Some(format!(
                            "- `{}`: {description}",
                            alternative["const"].as_str()?
                        ))
                    })
                    .collect();
                object.remove("oneOf");
                if !lines.is_empty() {
                    let head = object
                        .get("description")
                        .and_then(Value::as_str)
                        .map(|head| format!("{head}\n\n"))
                        .unwrap_or_default();
                    object.insert(
                        "description".into(),
                        format!("{head}{}", lines.join("\n")).into(),
                    );
                }
                object.insert("type".into(), "string".into());
                object.insert("enum".into(), Value::Array(values));
            }
            for child in object.values_mut() {
                enums(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(enums),
        _ => {}
    }
}

/// The values when every alternative is `{"type": "string", "const": ...}`.
fn constants(alternatives: &Value) -> Option<Vec<Value>> {
    let alternatives = alternatives.as_array()?;
    if alternatives.is_empty() {
        return None;
    }
    alternatives
        .iter()
        .map(|alternative| {
            let object = alternative.as_object()?;
            let constant = object.get("const").filter(|c| c.is_string())?;
            let plain = object
                .keys()
                .all(|key| matches!(key.as_str(), "const" | "type" | "description"));
            plain.then(|| constant.clone())
        })
        .collect()
}

/// When the schema `name` is a `oneOf` of inline objects that one property (holding a string
/// `const`) tells apart, moves each alternative to a named schema and adds a `discriminator`.
fn tagged_union(schemas: &mut Map<String, Value>, name: &str) {
    let Some(alternatives) = schemas[name].get("oneOf").and_then(Value::as_array) else {
        return;
    };
    let Some(tag) = common_tag(alternatives) else {
        return;
    };
    let alternatives = alternatives.clone();
    // Properties beside the `oneOf` (a flattened struct) go into every variant, first.
    let union = schemas[name].as_object().expect("an object schema");
    let common = union.get("properties").and_then(Value::as_object).cloned();
    let common_required = union.get("required").and_then(Value::as_array).cloned();
    let mut refs = Vec::new();
    let mut mapping = Map::new();
    for mut alternative in alternatives {
        if let Some(common) = &common {
            let mut properties = common.clone();
            if let Some(own) = alternative["properties"].as_object() {
                properties.extend(own.clone());
            }
            alternative["properties"] = Value::Object(properties);
        }
        if let Some(common_required) = &common_required {
            let mut required = common_required.clone();
            required.extend(
                alternative["required"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
            alternative["required"] = Value::Array(required);
        }
        let value = alternative["properties"][&tag]["const"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let variant = format!("{name}{}", pascal(&value));
        alternative["title"] = variant.clone().into();
        let reference = format!("#/components/schemas/{variant}");
        refs.push(json!({"$ref": reference}));
        mapping.insert(value, reference.into());
        schemas.insert(variant, alternative);
    }
    let union = schemas[name].as_object_mut().expect("an object schema");
    for key in ["properties", "required", "type", "additionalProperties"] {
        union.remove(key);
    }
    union.insert("oneOf".into(), Value::Array(refs));
    union.insert(
        "discriminator".into(),
        json!({"propertyName": tag, "mapping": mapping}),
    );
}

/// The property every alternative has, required, as a distinct string `const`.
fn common_tag(alternatives: &[Value]) -> Option<String> {
    let first = alternatives.first()?.get("properties")?.as_object()?;
    first
        .keys()
        .find(|key| {
            let mut seen = std::collections::BTreeSet::new();
            alternatives.iter().all(|alternative| {
                let required = alternative["required"]
                    .as_array()
                    .is_some_and(|names| names.iter().any(|n| n == key.as_str()));
                let constant = alternative["properties"][key.as_str()]["const"].as_str();
                required && constant.is_some_and(|c| seen.insert(c.to_owned()))
            })
        })
        .cloned()
}

/// Turns the flat object schema `name`, whose property `tag` refers to a string enum, into a
/// discriminated union of one named schema per value of that enum (`NotificationTaskFinished`).
fn split_by(schemas: &mut Map<String, Value>, name: &str, tag: &str) {
    let Some(base) = schemas.get(name).cloned() else {
        return;
    };
    let Some(target) = base["properties"][tag]["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    else {
        return;
    };
    let Some(values) = schemas
        .get(target)
        .and_then(|kind| kind["enum"].as_array())
        .cloned()
    else {
        return;
    };
    let mut refs = Vec::new();
    let mut mapping = Map::new();
    for value in values.iter().filter_map(Value::as_str) {
        let variant = format!("{name}{}", pascal(value));
        let mut schema = base.clone();
        schema["title"] = variant.clone().into();
        schema["properties"][tag] = json!({"type": "string", "const": value});
        let reference = format!("#/components/schemas/{variant}");
        refs.push(json!({"$ref": reference}));
        mapping.insert(value.to_owned(), reference.into());
        schemas.insert(variant, schema);
    }
    let mut union = Map::new();
    if let Some(description) = base.get("description") {
        union.insert("description".into(), description.clone());
    }
    union.insert("oneOf".into(), Value::Array(refs));
    union.insert(
        "discriminator".into(),
        json!({"propertyName": tag, "mapping": mapping}),
    );
    schemas.insert(name.to_owned(), Value::Object(union));
}

/// `task_finished` → `TaskFinished`.
fn pascal(value: &str) -> String {
    value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Removes `(CONTRACT.md §N)` and the like from every description: the document must stand on
/// its own.
fn descriptions(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(text)) = object.get_mut("description") {
                *text = without_outside_references(text);
            }
            for (key, child) in object.iter_mut() {
                // `properties` maps names to schemas; a property may be named `description`.
                if key != "description" || !child.is_string() {
                    descriptions(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(descriptions),
        _ => {}
    }
}

fn without_outside_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("CONTRACT.md") {
        let (before, after) = rest.split_at(start);
        let after = &after["CONTRACT.md".len()..];
        // Drop the section number that follows (` §4`, ` §3.11`).
        let after = after.trim_start_matches(' ');
        let after = after.strip_prefix('§').map_or(after, |section| {
            section.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
        });
        match (before.strip_suffix('('), after.strip_prefix(')')) {
            (Some(before), Some(after)) => {
                out.push_str(before.trim_end_matches(' '));
                rest = after;
            }
            _ => {
                out.push_str(before);
                out.push_str("the contract");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_references_are_dropped_from_descriptions() {
        assert_eq!(
            without_outside_references("One output read (CONTRACT.md §4)."),
            "One output read."
        );
        assert_eq!(
            without_outside_references("The task record (CONTRACT.md §3.11). Kept."),
            "The task record. Kept."
        );
        assert_eq!(
            without_outside_references("as CONTRACT.md §5 says"),
            "as the contract says"
        );
    }

    #[test]
    fn names_are_pascal_cased() {
        assert_eq!(pascal("task_finished"), "TaskFinished");
        assert_eq!(pascal("registered"), "Registered");
    }
}
