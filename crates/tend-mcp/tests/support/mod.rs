//! What the tests share: the `tend` binary, the Python SDK, a temporary home whose daemon is
//! stopped afterwards, and running a scenario of `mcp_client.py`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

#[path = "../../../../testing/tend_binary.rs"]
mod tend_binary;

/// The `tend` binary of this build.
pub fn tend() -> &'static Path {
    tend_binary::tend_binary()
}

/// The Python of the virtual environment holding the MCP SDK, installed on first use.
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let root = workspace();
        let script = root.join("scripts/setup-test-env.sh");
        let status = Command::new("bash")
            .arg(&script)
            .status()
            .expect("cannot run bash");
        assert!(status.success(), "{} failed", script.display());
        root.join(".venv/bin/python")
    })
}

/// A temporary `TEND_HOME`; its daemon (if one was started) is stopped with its tasks when
/// dropped.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("tend-mcp-")
            .tempdir()
            .expect("temp dir");
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        if self.path().join("tend.sock").exists() {
            let _ = Command::new(tend())
                .args(["daemon", "stop", "--kill-tasks"])
                .env("TEND_HOME", self.path())
                .env("TEND_NO_AUTOSTART", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Runs `mcp_client.py SCENARIO` for `home` and fails the test with its output unless every
/// check held.
pub fn scenario(name: &str, home: &Home, extra: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp_client.py");
    let mut child = Command::new(python())
        .arg(&script)
        .arg(name)
        .arg("--tend")
        .arg(tend())
        .arg("--home")
        .arg(home.path())
        .args(extra)
        .env_remove("TEND_SESSION")
        .env("PYTHONUNBUFFERED", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run the Python client");
    let deadline = Instant::now() + Duration::from_secs(600);
    while child.try_wait().expect("wait for the client").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("client output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "scenario {name} failed ({})\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}\n--- daemon.log ---\n{}",
        output.status,
        std::fs::read_to_string(home.path().join("daemon.log")).unwrap_or_default()
    );
}
