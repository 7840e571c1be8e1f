//! The bearer token of the HTTP transport: `TEND_HOME/mcp.token`, mode 0600, made when missing.

use std::fs::{self, OpenOptions, Permissions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::McpError;
use crate::random::secure_hex;

/// The token file's name inside the home.
pub const TOKEN_FILE: &str = "mcp.token";

/// `HOME/mcp.token`.
pub fn token_path(home: &Path) -> PathBuf {
    home.join(TOKEN_FILE)
}

/// The token kept in `HOME/mcp.token`: read when the file holds one (its mode is narrowed to
/// 0600 if it was wider), else 32 random bytes in hex written to a new file of mode 0600.
/// Clients send it as `Authorization: Bearer <token>`.
pub fn ensure_token(home: &Path) -> Result<String, McpError> {
    let path = token_path(home);
    let error = |source| McpError::Token {
        path: path.clone(),
        source,
    };
    for _ in 0..2 {
        match fs::read_to_string(&path) {
            Ok(text) if !text.trim().is_empty() => {
                let mode = fs::metadata(&path).map_err(error)?.permissions().mode();
                if mode & 0o077 != 0 {
                    fs::set_permissions(&path, Permissions::from_mode(0o600)).map_err(error)?;
                }
                return Ok(text.trim().to_owned());
            }
            Ok(_) => fs::remove_file(&path).map_err(error)?,
            Err(read) if read.kind() == ErrorKind::NotFound => {}
            Err(read) => return Err(error(read)),
        }
        let token = secure_hex(32).map_err(error)?;
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(format!("{token}\n").as_bytes())
                    .map_err(error)?;
                file.sync_all().map_err(error)?;
                return Ok(token);
            }
            // Made meanwhile by another process: read that one.
            Err(create) if create.kind() == ErrorKind::AlreadyExists => {}
            Err(create) => return Err(error(create)),
        }
    }
    Err(error(std::io::Error::other(
        "the token file keeps changing",
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_made_once_private_and_then_kept() {
        let home = tempfile::tempdir().unwrap();
        let token = ensure_token(home.path()).unwrap();
        assert_eq!(token.len(), 64);
        let path = token_path(home.path());
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(ensure_token(home.path()).unwrap(), token);
        fs::set_permissions(&path, Permissions::from_mode(0o644)).unwrap();
        assert_eq!(ensure_token(home.path()).unwrap(), token);
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        fs::write(&path, "  \n").unwrap();
        assert_ne!(ensure_token(home.path()).unwrap(), token);
    }
}
