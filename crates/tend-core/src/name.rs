//! Validation of caller-chosen names: sessions, groups and keys.

use crate::error::Error;

const MAX_NAME_BYTES: usize = 128;
const MAX_KEY_BYTES: usize = 256;

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'@' | b'/' | b'+')
}

fn validate_name(field: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.len() > MAX_NAME_BYTES {
        return Err(Error::invalid(
            field,
            format!("is longer than {MAX_NAME_BYTES} bytes"),
        ));
    }
    if let Some(bad) = value.bytes().find(|&b| !is_name_byte(b)) {
        return Err(Error::invalid(
            field,
            format!(
                "{value:?} contains {:?}; allowed are letters, digits and - _ . : @ / +",
                bad as char
            ),
        ));
    }
    Ok(())
}

/// A session name: 1 to 128 bytes of ASCII letters, digits and `- _ . : @ / +`.
pub fn validate_session(value: &str) -> Result<(), Error> {
    validate_name("session", value)
}

/// A group name: same alphabet as sessions.
pub fn validate_group(value: &str) -> Result<(), Error> {
    validate_name("group", value)
}

/// A key: 1 to 256 bytes without control characters.
pub fn validate_key(value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid("key", "must not be empty"));
    }
    if value.len() > MAX_KEY_BYTES {
        return Err(Error::invalid(
            "key",
            format!("is longer than {MAX_KEY_BYTES} bytes"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid("key", "must not contain control characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_accept_common_forms_and_reject_odd_ones() {
        for ok in ["cli", "mcp-1a2b", "claude:abc/def", "a.b_c@host+1"] {
            validate_session(ok).unwrap();
        }
        for bad in ["", "has space", "tab\t", "ünï", &"x".repeat(129)] {
            assert!(validate_session(bad).is_err(), "{bad:?} accepted");
        }
        validate_key("npm test #1").unwrap();
        assert!(validate_key("a\nb").is_err());
    }
}
