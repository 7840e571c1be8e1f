//! Tool answers: text for the model, `structuredContent` with the API's JSON, errors carrying
//! the API's codes, and the session's notifications at the end. A notification of a task whose
//! end the answer itself reports is not repeated as a line (it is acknowledged with the answer
//! and kept in `structuredContent`), nor is an `all_finished` summing up only such tasks.

use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tend_client::ClientError;
use tend_core::{Notification, NotificationKind, TaskId};
use tend_proto::ApiErrorCode;

/// What a tool found: its text, its JSON (an object of the API's shape) and the tasks whose
/// end it reports.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Answer {
    text: String,
    structured: Map<String, Value>,
    reported: Vec<TaskId>,
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
            reported: Vec::new(),
        }
    }

    /// The answer, saying that its text reports the end of `tasks`.
    pub(crate) fn reporting(mut self, tasks: impl IntoIterator<Item = TaskId>) -> Self {
        self.reported.extend(tasks);
        self
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
    let (mut text, mut structured, is_error, reported) = match outcome {
        Ok(answer) => (answer.text, answer.structured, false, answer.reported),
        Err(error) => {
            let text = format!("{}: {}", error.code.as_str(), error.message);
            let body = json!({"code": error.code, "message": error.message});
            let structured = Map::from_iter([("error".to_owned(), body)]);
            (text, structured, true, Vec::new())
        }
    };
    let shown: Vec<&Notification> = notes
        .iter()
        .filter(|note| !echoes(note, &reported))
        .collect();
    if !shown.is_empty() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push('\n');
        for note in shown {
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

/// Whether `note` only repeats what the answer says: the end of a task it reports, or a
/// summary of such tasks only.
fn echoes(note: &Notification, reported: &[TaskId]) -> bool {
    match note.kind {
        NotificationKind::TaskFinished => note.task_id.is_some_and(|id| reported.contains(&id)),
        NotificationKind::AllFinished => {
            !note.tasks.is_empty() && note.tasks.iter().all(|id| reported.contains(id))
        }
        // Readiness is news even in an answer that reports the task's end.
        NotificationKind::TaskReady => false,
    }
}

#[cfg(test)]
mod tests {
    use tend_core::{NotificationId, Timestamp};

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
    fn ends_the_answer_reports_are_not_echoed() {
        let mut ended = note("t7 \"make\" finished: completed, after 1s");
        ended.kind = NotificationKind::TaskFinished;
        ended.task_id = Some(TaskId::new(7));
        let mut other = ended.clone();
        other.task_id = Some(TaskId::new(8));
        other.text = "t8 \"make\" finished: failed, exit 1, after 1s".into();
        let mut both = note("all 2 tasks finished: 1 completed, 1 failed");
        both.tasks = vec![TaskId::new(7), TaskId::new(8)];
        let answer = Answer::new("t7: completed", &json!({})).reporting([TaskId::new(7)]);
        let result = finish(Ok(answer), &[ended.clone(), other.clone(), both.clone()]);
        assert_eq!(
            text_of(&result),
            "t7: completed\n\n[tend] t8 \"make\" finished: failed, exit 1, after 1s\n\
             [tend] all 2 tasks finished: 1 completed, 1 failed"
        );
        let answer = Answer::new("t7, t8", &json!({})).reporting([TaskId::new(7), TaskId::new(8)]);
        let result = finish(Ok(answer), &[ended, other, both]);
        assert_eq!(text_of(&result), "t7, t8");
        let structured = result.structured_content.unwrap();
        assert_eq!(structured["notifications"].as_array().unwrap().len(), 3);
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
