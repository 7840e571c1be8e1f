//! The `tend` binary for tests that run it. Several crates' tests include this file
//! (`#[path = ".../testing/tend_binary.rs"] mod tend_binary;`) so that they all find and build
//! it the same way.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The `tend` binary of this build: `$TEND_BIN`, else built (once per test process) into the
/// target directory and profile this test binary was built in, so that it is never stale.
pub fn tend_binary() -> &'static Path {
    static TEND: OnceLock<PathBuf> = OnceLock::new();
    TEND.get_or_init(|| {
        if let Some(path) = std::env::var_os("TEND_BIN") {
            return PathBuf::from(path);
        }
        // <target>/<profile>/deps/<test>-<hash> -> <target>/<profile>/tend
        let exe = std::env::current_exe().expect("test executable");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("profile directory");
        let target_dir = profile_dir.parent().expect("target directory");
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut build = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        build
            .args(["build", "--quiet", "-p", "tend-cli", "--bin", "tend"])
            .env("CARGO_TARGET_DIR", target_dir)
            .current_dir(workspace);
        if profile_dir
            .file_name()
            .is_some_and(|name| name == "release")
        {
            build.arg("--release");
        }
        let status = build.status().expect("cannot run cargo to build tend");
        assert!(status.success(), "cargo build -p tend-cli failed");
        let tend = profile_dir.join("tend");
        assert!(tend.exists(), "{} was not built", tend.display());
        tend
    })
}
