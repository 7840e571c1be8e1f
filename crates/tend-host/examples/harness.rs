//! A Rust harness using the runtime in-process: runs a build and a test suite in the
//! background, the tests only after the build completed, waits for both and prints their output
//! and the session's notifications.
//!
//! Run with `cargo run -p tend-host --example harness`. The example is its own shim: started as
//! `harness __shim` it supervises one task.
#![allow(clippy::print_stdout)]

use std::time::Duration;

use tend_core::CreateTask;
use tend_host::{Host, HostOptions, WaitMode};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().nth(1).as_deref() == Some("__shim") {
        std::process::exit(tend_exec::shim::main());
    }
    let home = std::env::temp_dir().join(format!("tend-harness-{}", std::process::id()));
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let shim = tend_exec::ShimProgram::new(std::env::current_exe()?, ["__shim"]);
        let host = Host::open(HostOptions::new(&home, shim)).await?;

        let build = CreateTask::shell(
            "harness",
            ["sh", "-c", "echo compiling; sleep 0.3; echo built"],
        );
        let (_, build) = host.create(build).await?;
        let mut tests = CreateTask::shell("harness", ["sh", "-c", "echo 3 tests passed"]);
        tests.after = vec![build.id];
        let (_, tests) = host.create(tests).await?;
        println!(
            "started {} ({}) and {} ({})",
            build.id, build.name, tests.id, tests.name
        );

        let done = host
            .wait(
                vec![build.id, tests.id],
                WaitMode::All,
                Duration::from_secs(30),
            )
            .await?;
        for task in &done.tasks {
            let reader =
                tend_exec::OutputReader::new(host.task_dir(task.id), tend_exec::Stream::Main);
            let output = reader.read(0, 64 * 1024)?;
            println!(
                "{} {:?} exit {:?}:\n{}",
                task.id,
                task.state,
                task.exit_code,
                output.text()
            );
        }
        for note in host.notifications("harness".into(), Duration::ZERO).await? {
            println!("notification {}: {}", note.id, note.text);
        }
        host.close().await;
        std::fs::remove_dir_all(&home)?;
        Ok(())
    })
}
