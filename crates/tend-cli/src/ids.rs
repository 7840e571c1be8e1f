//! How the command line names tasks: `t3`, a bare `3`, or a task's name when it is unique
//! among the session's live tasks; and how errors about a named task are said.

use std::fmt;
use std::str::FromStr;

use tend_client::ClientError;
use tend_core::TaskId;
use tend_proto::{ApiErrorCode, ListTasksQuery};

use crate::context::Context;
use crate::exit;

/// A task as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskRef {
    /// `t3` or `3`.
    Id(TaskId),
    /// Anything else: the name of a live task of the session.
    Name(String),
}

impl FromStr for TaskRef {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("a task id (t3, 3) or name is needed".to_owned());
        }
        let digits = text.strip_prefix('t').unwrap_or(text);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return format!("t{digits}")
                .parse::<TaskId>()
                .map(Self::Id)
                .map_err(|error| error.to_string());
        }
        Ok(Self::Name(text.to_owned()))
    }
}

impl fmt::Display for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{id}"),
            Self::Name(name) => f.write_str(name),
        }
    }
}

/// An error the CLI words itself, with the exit code it gives.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Said {
    /// What is printed after `tend: `.
    pub message: String,
    /// The exit code.
    pub code: u8,
}

/// An error about task `id` as the CLI says it: `no task t9` for an id never issued, else the
/// daemon's message, after the id when it does not name it.
pub fn task_error(id: TaskId, error: ClientError) -> anyhow::Error {
    let code = exit::code_of_api(error.code());
    let message = match error.code() {
        ApiErrorCode::NotFound if error.detail().is_some() => format!("no task {id}"),
        _ => {
            let message = error.to_string();
            if message.contains(&id.to_string()) {
                message
            } else {
                format!("{id}: {message}")
            }
        }
    };
    Said { message, code }.into()
}

/// The id of a task given on the command line. A name is looked up among the live tasks of
/// the session: one answers its id; none is `not_found` (exit 3); several are an error that
/// lists them (exit 1).
pub async fn resolve(context: &Context, task: &TaskRef) -> anyhow::Result<TaskId> {
    let name = match task {
        TaskRef::Id(id) => return Ok(*id),
        TaskRef::Name(name) => name,
    };
    let query = ListTasksQuery {
        session: Some(context.session.clone()),
        active: true,
        ..ListTasksQuery::default()
    };
    let tasks = context.client.list_tasks(&query).await?.tasks;
    let matching: Vec<TaskId> = tasks
        .iter()
        .filter(|task| *task.name == **name)
        .map(|task| task.id)
        .collect();
    let session = &context.session;
    match matching[..] {
        [id] => Ok(id),
        [] => Err(Said {
            message: format!(
                "no live task named {name:?} in session {session} (give its id, see: tend ls)"
            ),
            code: exit::NOT_FOUND,
        }
        .into()),
        _ => {
            let ids: Vec<String> = matching.iter().map(ToString::to_string).collect();
            Err(Said {
                message: format!(
                    "{} live tasks of session {session} are named {name:?}: {}; give an id",
                    ids.len(),
                    ids.join(", ")
                ),
                code: exit::ERROR,
            }
            .into())
        }
    }
}

/// The ids of several tasks given on the command line, in order.
pub async fn resolve_all(context: &Context, tasks: &[TaskRef]) -> anyhow::Result<Vec<TaskId>> {
    let mut ids = Vec::with_capacity(tasks.len());
    for task in tasks {
        ids.push(resolve(context, task).await?);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_bare_numbers_and_names() {
        let id = |n| TaskRef::Id(TaskId::new(n));
        assert_eq!("t3".parse::<TaskRef>(), Ok(id(3)));
        assert_eq!("3".parse::<TaskRef>(), Ok(id(3)));
        assert_eq!("web".parse::<TaskRef>(), Ok(TaskRef::Name("web".into())));
        assert_eq!("t3x".parse::<TaskRef>(), Ok(TaskRef::Name("t3x".into())));
        assert!("t03".parse::<TaskRef>().is_err());
        assert!("0".parse::<TaskRef>().is_err());
        assert!("".parse::<TaskRef>().is_err());
    }
}
