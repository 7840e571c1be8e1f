//! Private directories: a home must be reachable by its owner alone (CONTRACT.md §12).
//!
//! [`ensure_private_dir`] creates a missing directory with mode 0700 and accepts an existing one
//! only when the user running tend owns it and neither its group nor others can write to it. It
//! never changes the mode of a directory it did not create: a shared directory given as a home
//! (`/tmp`, say) is refused, not locked down.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Why a directory cannot be used as a private directory.
#[derive(Debug, thiserror::Error)]
pub enum PrivateDirError {
    /// It exists and is not a directory.
    #[error("{} is not a directory", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// Another user owns it.
    #[error(
        "{} belongs to uid {owner}, not to you (uid {uid}): tend refuses a home that another \
         user controls; choose a directory of your own (TEND_HOME)",
        path.display()
    )]
    ForeignOwner {
        /// The path.
        path: PathBuf,
        /// Its owner.
        owner: u32,
        /// The user running tend.
        uid: u32,
    },
    /// Its group or others may write to it.
    #[error(
        "{} can be written by other users (mode {mode:04o}): tend refuses a shared home; \
         use a directory only you can write (`chmod go-w {}`) or another TEND_HOME",
        path.display(),
        path.display()
    )]
    Shared {
        /// The path.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// It could not be created or examined.
    #[error("cannot create or examine {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// Whether [`ensure_private_dir`] created the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateDir {
    /// It was created now, with mode 0700.
    Created,
    /// It existed, owned by the user and writable by nobody else.
    Existing,
}

/// Creates `path` (and missing parents) with mode 0700, or checks that the existing directory is
/// owned by the effective user and not writable by its group or others. A symbolic link is
/// judged by the directory it points to.
pub fn ensure_private_dir(path: &Path) -> Result<PrivateDir, PrivateDirError> {
    let io_error = |source| PrivateDirError::Io {
        path: path.to_path_buf(),
        source,
    };
    let created = match fs::DirBuilder::new().mode(0o700).create(path) {
        Ok(()) => true,
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => false,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(path)
                .map_err(io_error)?;
            true
        }
        Err(error) => return Err(io_error(error)),
    };
    let meta = fs::metadata(path).map_err(io_error)?;
    if !meta.is_dir() {
        return Err(PrivateDirError::NotADirectory {
            path: path.to_path_buf(),
        });
    }
    let uid = nix::unistd::geteuid().as_raw();
    if meta.uid() != uid {
        return Err(PrivateDirError::ForeignOwner {
            path: path.to_path_buf(),
            owner: meta.uid(),
            uid,
        });
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(PrivateDirError::Shared {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(if created {
        PrivateDir::Created
    } else {
        PrivateDir::Existing
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_missing_directory_is_created_private() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("a/b/home");
        assert_eq!(ensure_private_dir(&home).unwrap(), PrivateDir::Created);
        let mode = fs::metadata(&home).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        assert_eq!(ensure_private_dir(&home).unwrap(), PrivateDir::Existing);
    }

    #[test]
    fn a_shared_directory_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("shared");
        fs::create_dir(&home).unwrap();
        fs::set_permissions(&home, fs::Permissions::from_mode(0o777)).unwrap();
        let message = ensure_private_dir(&home).unwrap_err().to_string();
        assert!(
            message.contains("can be written by other users (mode 0777)"),
            "{message}"
        );
        assert!(message.contains(&home.display().to_string()), "{message}");
        let mode = fs::metadata(&home).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o777,
            "the mode of a directory tend did not create is kept"
        );
    }

    #[test]
    fn a_readable_directory_of_ones_own_is_accepted_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("mine");
        fs::create_dir(&home).unwrap();
        fs::set_permissions(&home, fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(ensure_private_dir(&home).unwrap(), PrivateDir::Existing);
        let mode = fs::metadata(&home).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755);
    }

    #[test]
    fn a_file_is_not_a_home() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        fs::write(&file, b"").unwrap();
        assert!(matches!(
            ensure_private_dir(&file),
            Err(PrivateDirError::NotADirectory { .. })
        ));
    }

    #[test]
    fn a_directory_of_another_user_is_refused() {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("skipped: changing a directory's owner needs root");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("theirs");
        fs::create_dir(&home).unwrap();
        fs::set_permissions(&home, fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::chown(&home, Some(65534), Some(65534)).unwrap();
        let message = ensure_private_dir(&home).unwrap_err().to_string();
        assert!(message.contains("belongs to uid 65534"), "{message}");
    }
}
