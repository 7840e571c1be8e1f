//! Session routes: notifications, their acknowledgement, and closing a session.

use serde::{Deserialize, Serialize};
use tend_core::{Error, Notification, NotificationId};

use crate::limits::check_duration;
use crate::query::{QueryBuilder, QueryPairs};

/// The query of `GET /v1/sessions/{s}/notifications`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotificationsQuery {
    /// When none is there yet, wait up to this long for one.
    #[cfg_attr(feature = "schema", schemars(range(max = 31_536_000_000u64)))]
    pub wait_ms: Option<u64>,
}

impl NotificationsQuery {
    /// Parses and checks a query string.
    pub fn from_query(query: Option<&str>) -> Result<Self, Error> {
        let mut pairs = QueryPairs::parse(query);
        let wait_ms = pairs
            .take_u64("wait_ms")?
            .map(|ms| check_duration("wait_ms", ms))
            .transpose()?;
        pairs.finish()?;
        Ok(Self { wait_ms })
    }

    /// The query string (without `?`).
    pub fn to_query(&self) -> String {
        QueryBuilder::new().add("wait_ms", self.wait_ms).finish()
    }
}

/// The answer of `GET /v1/sessions/{s}/notifications`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotificationsResponse {
    /// Unacknowledged notifications, oldest first.
    pub notifications: Vec<Notification>,
}

/// The body of `POST /v1/sessions/{s}/notifications/ack`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AckParams {
    /// The notifications to acknowledge.
    pub ids: Vec<NotificationId>,
}

/// The body of `POST /v1/sessions/{s}/close` (may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CloseParams {
    /// Where tasks with close policy `transfer` go (they are kept when none is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(pattern(crate::limits::NAME_PATTERN)))]
    pub successor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_and_queries_parse() {
        let ack: AckParams = serde_json::from_str(r#"{"ids": ["n1", "n2"]}"#).unwrap();
        assert_eq!(ack.ids, [NotificationId::new(1), NotificationId::new(2)]);
        assert!(serde_json::from_str::<AckParams>(r#"{"ids": ["t1"]}"#).is_err());
        assert_eq!(
            NotificationsQuery::from_query(Some("wait_ms=5"))
                .unwrap()
                .wait_ms,
            Some(5)
        );
        assert!(NotificationsQuery::from_query(Some("wait_ms=soon")).is_err());
    }
}
