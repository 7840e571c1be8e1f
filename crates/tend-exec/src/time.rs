//! Timestamps as the contract writes them: RFC 3339, UTC, milliseconds.

use jiff::Timestamp;

/// Formats `ts` as `2025-01-31T12:00:00.123Z`.
pub(crate) fn format_ms(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Serde adapter for a [`Timestamp`] stored as an RFC 3339 string with milliseconds.
pub(crate) mod rfc3339_ms {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(crate) fn serialize<S: Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_ms(*ts))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_with_milliseconds() {
        let ts = jiff::Timestamp::from_millisecond(1_700_000_000_123).unwrap();
        assert_eq!(super::format_ms(ts), "2023-11-14T22:13:20.123Z");
        assert_eq!(super::format_ms(ts).parse::<jiff::Timestamp>().unwrap(), ts);
    }
}
