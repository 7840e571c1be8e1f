//! The six tools of CONTRACT.md §7, one file each: their arguments (with the schema a model
//! sees) and what they do against the daemon.

pub(crate) mod input;
pub(crate) mod list;
pub(crate) mod output;
pub(crate) mod run;
pub(crate) mod stop;
pub(crate) mod wait;

use std::path::Path;

use rmcp::model::JsonObject;
use serde::de::DeserializeOwned;
use tend_client::Client;
use tend_core::TaskId;

use crate::answer::ToolError;

/// The most output bytes an answer carries when the call does not say.
pub(crate) const DEFAULT_MAX_BYTES: u64 = 16_384;

/// What a tool call works with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The daemon.
    pub client: &'a Client,
    /// The session the call acts for.
    pub session: &'a str,
    /// The server's working directory.
    pub cwd: &'a Path,
    /// The environment commands start from, if not the daemon's.
    pub environment: Option<&'a std::collections::BTreeMap<String, String>>,
}

/// Parses a call's arguments; mistakes are `invalid_argument` tool errors that name the field.
pub(crate) fn parse<T: DeserializeOwned>(arguments: JsonObject) -> Result<T, ToolError> {
    serde_json::from_value(serde_json::Value::Object(arguments))
        .map_err(|error| ToolError::invalid(format!("bad arguments: {error}")))
}

/// Parses a task id such as `t12`.
pub(crate) fn task_id(text: &str) -> Result<TaskId, ToolError> {
    text.trim().parse::<TaskId>().map_err(ToolError::from)
}

pub(crate) fn default_max_bytes() -> u64 {
    DEFAULT_MAX_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_arguments_are_checked() {
        assert_eq!(task_id("t12").unwrap(), TaskId::new(12));
        assert_eq!(
            task_id("12").unwrap_err().code(),
            tend_proto::ApiErrorCode::InvalidArgument
        );
        let arguments = serde_json::json!({"task_id": "t1", "colour": 1});
        let serde_json::Value::Object(arguments) = arguments else {
            unreachable!()
        };
        let error = parse::<output::OutputArgs>(arguments).unwrap_err();
        assert_eq!(error.code(), tend_proto::ApiErrorCode::InvalidArgument);
    }
}
