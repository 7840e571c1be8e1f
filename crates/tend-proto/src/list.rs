//! `GET /v1/tasks`: its query and answer.

use serde::{Deserialize, Serialize};
use tend_core::{Error, Kind, ListFilter, State, Task};

use crate::query::{QueryBuilder, QueryPairs};

/// The query of `GET /v1/tasks`: `session=`, `state=a,b`, `kind=`, `active=true`, `limit=`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ListTasksQuery {
    /// Only this session's tasks.
    #[cfg_attr(feature = "schema", schemars(pattern(crate::limits::NAME_PATTERN)))]
    pub session: Option<String>,
    /// Only tasks in one of these states, comma-separated (`state=running,pending`).
    #[cfg_attr(
        feature = "schema",
        schemars(
            rename = "state",
            with = "Option<String>",
            pattern(crate::limits::STATES_PATTERN)
        )
    )]
    pub states: Vec<State>,
    /// Only tasks of this kind.
    pub kind: Option<Kind>,
    /// Only live (non-terminal) tasks.
    #[cfg_attr(feature = "schema", schemars(with = "Option<bool>"))]
    pub active: bool,
    /// At most this many: the most recent ones, still answered oldest first.
    pub limit: Option<u64>,
}

fn parse_kind(text: &str) -> Option<Kind> {
    [
        Kind::Shell,
        Kind::Subagent,
        Kind::Monitor,
        Kind::Observer,
        Kind::Other,
    ]
    .into_iter()
    .find(|kind| kind.as_str() == text)
}

impl ListTasksQuery {
    /// Parses a query string.
    pub fn from_query(query: Option<&str>) -> Result<Self, Error> {
        let mut pairs = QueryPairs::parse(query);
        let session = pairs.take("session")?;
        let states = match pairs.take("state")? {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(|name| {
                    State::parse(name.trim()).ok_or_else(|| {
                        Error::invalid("state", format!("{name:?} is not a task state"))
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let kind =
            match pairs.take("kind")? {
                None => None,
                Some(text) => Some(parse_kind(&text).ok_or_else(|| {
                    Error::invalid("kind", format!("{text:?} is not a task kind"))
                })?),
            };
        let active = pairs.take_bool("active")?.unwrap_or(false);
        let limit = pairs.take_u64("limit")?;
        pairs.finish()?;
        Ok(Self {
            session,
            states,
            kind,
            active,
            limit,
        })
    }

    /// The query string (without `?`).
    pub fn to_query(&self) -> String {
        let states = (!self.states.is_empty()).then(|| {
            self.states
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",")
        });
        QueryBuilder::new()
            .add("session", self.session.as_deref())
            .add("state", states)
            .add("kind", self.kind.map(Kind::as_str))
            .add("active", self.active.then_some(true))
            .add("limit", self.limit)
            .finish()
    }

    /// The engine's filter.
    pub fn into_filter(self) -> ListFilter {
        ListFilter {
            session: self.session,
            states: self.states,
            kind: self.kind,
            active: self.active,
            limit: self.limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        }
    }
}

/// `{"tasks": [record...]}`: the answer of `GET /v1/tasks` and of session close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TasksResponse {
    /// The records, oldest first.
    pub tasks: Vec<Task>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_round_trips() {
        let query = ListTasksQuery {
            session: Some("cli".into()),
            states: vec![State::Running, State::Pending],
            kind: Some(Kind::Shell),
            active: true,
            limit: Some(5),
        };
        let text = query.to_query();
        assert_eq!(
            text,
            "session=cli&state=running%2Cpending&kind=shell&active=true&limit=5"
        );
        assert_eq!(ListTasksQuery::from_query(Some(&text)).unwrap(), query);
        assert_eq!(
            ListTasksQuery::from_query(None).unwrap(),
            ListTasksQuery::default()
        );
    }

    #[test]
    fn bad_values_are_named() {
        for (query, field) in [
            ("state=running,nope", "state"),
            ("kind=robot", "kind"),
            ("active=yes", "active"),
            ("limit=-1", "limit"),
            ("colour=red", "colour"),
        ] {
            let message = ListTasksQuery::from_query(Some(query))
                .unwrap_err()
                .to_string();
            assert!(message.contains(field), "{query}: {message}");
        }
    }
}
