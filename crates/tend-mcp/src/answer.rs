//! Tool answers: text for the model, `structuredContent` with the API's JSON, errors carrying
//! the API's codes, and the session's notifications at the end.

use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tend_client::ClientError;
use tend_core::Notification;
use tend_proto::ApiErrorCode;

/// What a tool found: its text and its JSON (an object of the API's shape).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Answer {
    text: String,
    structured: Map<String, Value>,
}

impl Answer {
    /// An answer with `text` for the model and `structured` (serialised to an object; any
    /// other value is put under `"result"`).
    pub(crate) fn new(text: impl Into<String>, structured: &impl Serialize) -> Self {
        let structured = match serde_json::to_value(structured) {
            Ok(Value::Object(object)) => object,
            Ok(other) => Map::from_iter([("result".to_owned(), other)]),
            Err(error) => Map::from_iter([("result".to_owned(), json!(error.to_string()))]),
        };
        Self {
            text: text.into(),
            structured,
        }
    }
}

/// A tool failure: the API's code and a message, shown as `code: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ToolError {
    code: ApiErrorCode,
    message: String,
}

impl ToolError {
    /// A failure with a code.
    pub(crate) fn new(code: ApiErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// An `invalid_argument` failure.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(ApiErrorCode::InvalidArgument, message)
    }

    /// The code.
    #[cfg(test)]
    pub(crate) fn code(&self) -> ApiErrorCode {
        self.code
    }
}

impl From<ClientError> for ToolError {
    fn from(error: ClientError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<tend_core::Error> for ToolError {
    fn from(error: tend_core::Error) -> Self {
        Self::new(error.code().into(), error.to_string())
    }
}

/// The tool result of an outcome, ending with the notifications (already acknowledged).
pub(crate) fn finish(outcome: Result<Answer, ToolError>, notes: &[Notification]) -> CallToolResult {
    let (mut text, mut structured, is_error) = match outcome {
        Ok(answer) => (answer.text, answer.structured, false),
        Err(error) => {
            let text = format!("{}: {}", error.code.as_str(), error.message);
            let body = json!({"code": error.code, "message": error.message});
            (text, Map::from_iter([("error".to_owned(), body)]), true)
        }
    };
    if !notes.is_empty() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push('\n');
        for note in notes {
            text.push_str("[tend] ");
            text.push_str(&note.text);
            text.push('\n');
        }
    }
    let notes = serde_json::to_value(notes).unwrap_or_else(|_| json!([]));
    structured.insert("notifications".to_owned(), notes);
    let content = vec![ContentBlock::text(text.trim_end().to_owned())];
    let mut result = if is_error {
        CallToolResult::error(content)
    } else {
        CallToolResult::success(content)
    };
    result.structured_content = Some(Value::Object(structured));
    result
}

#[cfg(test)]
mod tests {
    use tend_core::{NotificationId, NotificationKind, Timestamp};

    use super::*;

    fn note(text: &str) -> Notification {
        Notification {
            id: NotificationId::new(3),
            session: "s".into(),
            task_id: None,
            kind: NotificationKind::AllFinished,
            state: None,
            reason: None,
            exit_code: None,
            name: None,
            text: text.into(),
            tasks: vec![],
            created_at: Timestamp::from_millis(0),
        }
    }

    fn text_of(result: &CallToolResult) -> String {
        result.content[0]
            .as_text()
            .map(|text| text.text.clone())
            .unwrap_or_default()
    }

    #[test]
    fn errors_carry_the_code_and_notifications_come_last() {
        let error = ToolError::new(ApiErrorCode::NotFound, "task t99 not found");
        let result = finish(Err(error), &[note("all 1 task finished: 1 completed")]);
        assert_eq!(result.is_error, Some(true));
        assert_eq!(
            text_of(&result),
            "not_found: task t99 not found\n\n[tend] all 1 task finished: 1 completed"
        );
        let structured = result.structured_content.unwrap();
        assert_eq!(structured["error"]["code"], "not_found");
        assert_eq!(structured["notifications"][0]["id"], "n3");
    }

    #[test]
    fn answers_keep_their_json() {
        let answer = Answer::new("ok", &json!({"done": true}));
        let result = finish(Ok(answer), &[]);
        assert_eq!(result.is_error, Some(false));
        assert_eq!(text_of(&result), "ok");
        let structured = result.structured_content.unwrap();
        assert_eq!(structured["done"], true);
        assert_eq!(structured["notifications"], json!([]));
    }
}
