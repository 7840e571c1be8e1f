//! UTF-8 boundaries: where a chunk may end so that it never ends inside a character.

/// Number of trailing bytes of `buf` that start a valid character whose other bytes are
/// missing (0 to 3). An invalid sequence is never counted: it is output as U+FFFD.
pub(crate) fn incomplete_suffix(buf: &[u8]) -> usize {
    for back in 1..=buf.len().min(3) {
        let byte = buf[buf.len() - back];
        if is_continuation(byte) {
            continue;
        }
        let tail = &buf[buf.len() - back..];
        return match std::str::from_utf8(tail) {
            Err(e) if e.valid_up_to() == 0 && e.error_len().is_none() => back,
            _ => 0,
        };
    }
    0
}

/// True for bytes `10xxxxxx`, which continue a multi-byte character.
pub(crate) fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// What the first bytes of `bytes` (up to 4 are looked at) hold.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum First {
    /// A whole valid character of this many bytes.
    Char(usize),
    /// An invalid sequence of this many bytes (one U+FFFD).
    Invalid(usize),
    /// The start of a character whose other bytes are not there.
    Incomplete,
}

/// Classifies the first character of `bytes`.
pub(crate) fn first_char(bytes: &[u8]) -> First {
    let bytes = &bytes[..bytes.len().min(4)];
    match std::str::from_utf8(bytes) {
        Ok(text) => text
            .chars()
            .next()
            .map_or(First::Incomplete, |c| First::Char(c.len_utf8())),
        Err(e) if e.valid_up_to() > 0 => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            valid
                .chars()
                .next()
                .map_or(First::Incomplete, |c| First::Char(c.len_utf8()))
        }
        Err(e) => e.error_len().map_or(First::Incomplete, First::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_incomplete_suffixes() {
        let euro = "€".as_bytes(); // E2 82 AC
        assert_eq!(incomplete_suffix(b"abc"), 0);
        assert_eq!(incomplete_suffix(&[b'a', euro[0]]), 1);
        assert_eq!(incomplete_suffix(&[b'a', euro[0], euro[1]]), 2);
        assert_eq!(incomplete_suffix(euro), 0);
        assert_eq!(incomplete_suffix(&[b'a', 0xFF]), 0);
        assert_eq!(incomplete_suffix(&[0xE2, b'a']), 0);
        assert_eq!(incomplete_suffix(&[0xF0, 0x9F, 0x98]), 3);
        assert_eq!(incomplete_suffix(&[0x80, 0x80, 0x80]), 0);
    }

    #[test]
    fn classifies_first_chars() {
        assert_eq!(first_char("€x".as_bytes()), First::Char(3));
        assert_eq!(first_char(&[0xFF, b'a']), First::Invalid(1));
        assert_eq!(first_char(&[0xE2, 0x82]), First::Incomplete);
        assert_eq!(first_char(&[0xE2, b'a']), First::Invalid(1));
        assert_eq!(first_char(b""), First::Incomplete);
    }
}
