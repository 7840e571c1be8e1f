//! Identifiers: task ids `t<N>`, notification ids `n<N>` and event sequence numbers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// An event sequence number: increases by one per event across the whole engine.
pub type Seq = u64;

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u64);

        impl $name {
            /// The id with sequence number `n` (n >= 1).
            pub const fn new(n: u64) -> Self {
                Self(n)
            }

            /// The sequence number behind the id.
            pub const fn number(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self, Error> {
                let invalid = || Error::invalid($field, format!("{s:?} is not an id of the form {}<N>", $prefix));
                let digits = s.strip_prefix($prefix).ok_or_else(invalid)?;
                if digits.is_empty() || digits.len() > 19 || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid());
                }
                digits.parse::<u64>().map(Self).map_err(|_| invalid())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

prefixed_id!(
    /// A task id, `t<N>`, with N from a sequence the engine owns; never reused.
    TaskId,
    "t",
    "id"
);
prefixed_id!(
    /// A notification id, `n<N>`, never reused.
    NotificationId,
    "n",
    "notification id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_round_trip_and_reject_garbage() {
        assert_eq!("t12".parse::<TaskId>().unwrap(), TaskId::new(12));
        assert_eq!(TaskId::new(7).to_string(), "t7");
        for bad in [
            "",
            "t",
            "12",
            "t012",
            "t-1",
            "x1",
            "t1a",
            "t99999999999999999999",
        ] {
            assert!(bad.parse::<TaskId>().is_err(), "{bad} parsed");
        }
    }
}

#[cfg(feature = "schema")]
mod schema {
    use std::borrow::Cow;

    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

    use super::{NotificationId, TaskId};

    impl JsonSchema for TaskId {
        fn inline_schema() -> bool {
            true
        }

        fn schema_name() -> Cow<'static, str> {
            "TaskId".into()
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "pattern": "^t[1-9][0-9]{0,18}$",
                "description": "a task id, t<N>",
                "examples": ["t12"]
            })
        }
    }

    impl JsonSchema for NotificationId {
        fn inline_schema() -> bool {
            true
        }

        fn schema_name() -> Cow<'static, str> {
            "NotificationId".into()
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "pattern": "^n[1-9][0-9]{0,18}$",
                "description": "a notification id, n<N>",
                "examples": ["n7"]
            })
        }
    }
}
