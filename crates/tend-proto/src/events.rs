//! `GET /v1/events`: its query and answer.

use serde::{Deserialize, Serialize};
use tend_core::{Error, Event, EventFilter, Seq, TaskId};

use crate::limits::{DEFAULT_EVENTS_LIMIT, MAX_EVENTS_LIMIT, check_duration};
use crate::query::{QueryBuilder, QueryPairs};

/// The query of `GET /v1/events`: `after=`, `session=`, `task=`, `wait_ms=`, `limit=`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventsQuery {
    /// Answer events after this sequence number. Absent: from the oldest retained event (or,
    /// for a stream, from the `Last-Event-ID` header).
    pub after: Option<Seq>,
    /// Only this session's events.
    #[cfg_attr(feature = "schema", schemars(pattern(crate::limits::NAME_PATTERN)))]
    pub session: Option<String>,
    /// Only this task's events.
    pub task: Option<TaskId>,
    /// When no event is there yet, wait up to this long for one.
    #[cfg_attr(feature = "schema", schemars(range(max = 31_536_000_000u64)))]
    pub wait_ms: Option<u64>,
    /// The most events answered (default 1000, at most 10000).
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<u64>", range(min = 1, max = 10000))
    )]
    pub limit: usize,
}

impl Default for EventsQuery {
    fn default() -> Self {
        Self {
            after: None,
            session: None,
            task: None,
            wait_ms: None,
            limit: DEFAULT_EVENTS_LIMIT,
        }
    }
}

impl EventsQuery {
    /// Parses and checks a query string.
    pub fn from_query(query: Option<&str>) -> Result<Self, Error> {
        let mut pairs = QueryPairs::parse(query);
        let after = pairs.take_u64("after")?;
        let session = pairs.take("session")?;
        if let Some(session) = &session {
            tend_core::validate_session(session)?;
        }
        let task = pairs
            .take("task")?
            .map(|text| text.parse::<TaskId>())
            .transpose()?;
        let wait_ms = pairs
            .take_u64("wait_ms")?
            .map(|ms| check_duration("wait_ms", ms))
            .transpose()?;
        let limit = pairs
            .take_u64("limit")?
            .unwrap_or(DEFAULT_EVENTS_LIMIT as u64);
        if !(1..=MAX_EVENTS_LIMIT as u64).contains(&limit) {
            return Err(Error::invalid(
                "limit",
                format!("{limit} is not between 1 and {MAX_EVENTS_LIMIT}"),
            ));
        }
        pairs.finish()?;
        let limit = usize::try_from(limit).unwrap_or(MAX_EVENTS_LIMIT);
        Ok(Self {
            after,
            session,
            task,
            wait_ms,
            limit,
        })
    }

    /// The query string (without `?`).
    pub fn to_query(&self) -> String {
        QueryBuilder::new()
            .add("after", self.after)
            .add("session", self.session.as_deref())
            .add("task", self.task)
            .add("wait_ms", self.wait_ms)
            .add(
                "limit",
                (self.limit != DEFAULT_EVENTS_LIMIT).then_some(self.limit),
            )
            .finish()
    }

    /// The engine's filter.
    pub fn filter(&self) -> EventFilter {
        EventFilter {
            session: self.session.clone(),
            task: self.task,
        }
    }
}

/// The answer of `GET /v1/events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventsResponse {
    /// The events, in sequence order.
    pub events: Vec<Event>,
    /// Where the next read continues (`after=`): the last sequence number covered.
    pub next_after: Seq,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_round_trips_and_checks_values() {
        let query = EventsQuery {
            after: Some(4),
            session: Some("cli".into()),
            task: Some(TaskId::new(2)),
            wait_ms: Some(100),
            limit: 5,
        };
        assert_eq!(
            EventsQuery::from_query(Some(&query.to_query())).unwrap(),
            query
        );
        for bad in [
            "after=-1",
            "task=x1",
            "limit=0",
            "limit=10001",
            "session=a%20b",
            "x=1",
        ] {
            assert!(
                EventsQuery::from_query(Some(bad)).is_err(),
                "{bad} accepted"
            );
        }
    }
}
