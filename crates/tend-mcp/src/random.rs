//! Random hex strings from the kernel, for session names and the HTTP token.

use std::fs::File;
use std::io::Read;
use std::time::{SystemTime, UNIX_EPOCH};

/// `bytes` random bytes as lowercase hex, from `/dev/urandom`. Should that fail, falls back to
/// the clock and the process id, which is enough for names but is never used for the token
/// (see [`secure_hex`]).
pub(crate) fn random_hex(bytes: usize) -> String {
    secure_hex(bytes).unwrap_or_else(|_| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mixed = nanos ^ (u128::from(std::process::id()) << 64);
        let text = format!("{mixed:032x}");
        text[text.len().saturating_sub(bytes * 2)..].to_owned()
    })
}

/// `bytes` random bytes from `/dev/urandom` as lowercase hex.
pub(crate) fn secure_hex(bytes: usize) -> std::io::Result<String> {
    let mut buffer = vec![0u8; bytes];
    File::open("/dev/urandom")?.read_exact(&mut buffer)?;
    Ok(buffer.iter().map(|byte| format!("{byte:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_has_the_asked_length_and_differs() {
        let a = secure_hex(16).unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, secure_hex(16).unwrap());
        assert_eq!(random_hex(4).len(), 8);
    }
}
