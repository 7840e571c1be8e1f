//! JSON form of OS strings: a plain string when valid UTF-8, else `{"bytes": [..]}`.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An [`OsString`] that survives JSON byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WireOs(pub(crate) OsString);

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Repr {
    Text(String),
    Bytes { bytes: Vec<u8> },
}

impl Serialize for WireOs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.to_str() {
            Some(text) => Repr::Text(text.to_owned()),
            None => Repr::Bytes {
                bytes: self.0.as_bytes().to_vec(),
            },
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for WireOs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(WireOs(match Repr::deserialize(d)? {
            Repr::Text(text) => OsString::from(text),
            Repr::Bytes { bytes } => OsString::from_vec(bytes),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_text_and_bytes() {
        for original in [
            OsString::from("héllo"),
            OsString::from_vec(vec![b'a', 0xff, b'b']),
        ] {
            let json = serde_json::to_string(&WireOs(original.clone())).unwrap();
            let back: WireOs = serde_json::from_str(&json).unwrap();
            assert_eq!(back.0, original);
        }
        assert_eq!(serde_json::to_string(&WireOs("x".into())).unwrap(), "\"x\"");
    }
}
