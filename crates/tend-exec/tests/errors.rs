//! Commands that cannot start come back as spawn errors with the OS's message.

use std::os::unix::fs::PermissionsExt;

use tend_exec::{FailureStage, Outcome, SpawnError, TaskStatus, spawn};

use crate::support::Home;

fn failure_of(req: &tend_exec::SpawnRequest) -> (SpawnError, TaskStatus) {
    let err = spawn(req).expect_err("spawn must fail");
    let status = TaskStatus::read(&req.task_dir)
        .expect("status")
        .expect("status.json written");
    (err, status)
}

fn recorded(status: &TaskStatus) -> (FailureStage, String) {
    match &status.outcome {
        Outcome::SpawnFailed(f) => (f.stage, f.message.clone()),
        other => panic!("not a spawn failure: {other:?}"),
    }
}

#[test]
fn program_not_found() {
    let home = Home::new();
    let req = home.request("t1", &["tend-no-such-program"]);
    let (err, status) = failure_of(&req);
    assert!(matches!(err, SpawnError::Exec { .. }), "{err:?}");
    assert!(err.is_command_failure());
    assert_eq!(
        err.os_error().map(|e| e.to_string()).as_deref(),
        Some("No such file or directory (os error 2)")
    );
    assert_eq!(
        err.to_string(),
        "cannot execute tend-no-such-program: No such file or directory (os error 2)"
    );
    assert_eq!(
        recorded(&status),
        (
            FailureStage::Exec,
            "No such file or directory (os error 2)".into()
        )
    );
}

#[test]
fn cwd_missing() {
    let home = Home::new();
    let mut req = home.request("t1", &["true"]);
    req.cwd = home.path("missing");
    let (err, status) = failure_of(&req);
    assert!(matches!(err, SpawnError::Cwd { .. }), "{err:?}");
    assert!(
        err.to_string()
            .ends_with("No such file or directory (os error 2)"),
        "{err}"
    );
    assert_eq!(recorded(&status).0, FailureStage::Cwd);
}

#[test]
fn not_executable() {
    let home = Home::new();
    let path = home.path("garbage");
    std::fs::write(&path, [0x7f, b'E', b'L', b'F', 0, 0, 0, 0]).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let req = home.request("t1", &[path.to_str().unwrap()]);
    let (err, status) = failure_of(&req);
    assert!(matches!(err, SpawnError::Exec { .. }), "{err:?}");
    assert_eq!(
        err.os_error().map(|e| e.to_string()).as_deref(),
        Some("Exec format error (os error 8)")
    );
    assert_eq!(recorded(&status).1, "Exec format error (os error 8)");
}

#[test]
fn permission_denied() {
    let home = Home::new();
    let path = home.path("script");
    std::fs::write(&path, "#!/bin/sh\necho no\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    for program in [path.clone(), home.dir.path().to_path_buf()] {
        let req = home.request("t1", &[program.to_str().unwrap()]);
        let (err, status) = failure_of(&req);
        assert!(matches!(err, SpawnError::Exec { .. }), "{err:?}");
        assert_eq!(
            err.os_error().map(|e| e.to_string()).as_deref(),
            Some("Permission denied (os error 13)")
        );
        assert_eq!(recorded(&status).1, "Permission denied (os error 13)");
    }
}

#[test]
fn a_missing_shim_is_not_a_command_failure() {
    let home = Home::new();
    let mut req = home.request("t1", &["true"]);
    req.shim = tend_exec::ShimProgram::new(home.path("no-shim"), ["__shim"]);
    let err = spawn(&req).expect_err("spawn must fail");
    assert!(matches!(err, SpawnError::ShimLaunch { .. }), "{err:?}");
    assert!(!err.is_command_failure());
    req.argv.clear();
    assert!(matches!(
        spawn(&req),
        Err(SpawnError::InvalidRequest { .. })
    ));
}

#[test]
fn a_shim_that_never_reports_times_out_and_one_that_exits_is_silent() {
    let home = Home::new();
    let mut req = home.request("t1", &["true"]);
    req.shim = tend_exec::ShimProgram::new("/bin/sleep", ["5"]);
    req.report_timeout = std::time::Duration::from_millis(200);
    let started = std::time::Instant::now();
    let err = spawn(&req).expect_err("no report");
    assert!(matches!(err, SpawnError::ShimTimeout { .. }), "{err:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    req.shim = tend_exec::ShimProgram::new("/bin/true", Vec::<String>::new());
    let err = spawn(&req).expect_err("no report");
    assert!(matches!(err, SpawnError::ShimSilent { .. }), "{err:?}");
}
