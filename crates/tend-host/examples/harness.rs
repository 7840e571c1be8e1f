//! A Rust harness using the runtime in-process: runs a build, a test suite that waits for it and
//! a linter in the background, takes each as it ends (`join_next`), prints its output and the
//! session's notifications, and stops whatever is left before deleting its home
//! (`close_and_stop`).
//!
//! Run with `cargo run -p tend-host --example harness`. The example is its own shim: started as
//! `harness __shim` it supervises one task.
#![allow(clippy::print_stdout)]

use tend_core::CreateTask;
use tend_host::{Host, HostOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().nth(1).as_deref() == Some("__shim") {
        std::process::exit(tend_exec::shim::main());
    }
    let home = std::env::temp_dir().join(format!("tend-harness-{}", std::process::id()));
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let shim = tend_exec::ShimProgram::new(std::env::current_exe()?, ["__shim"]);
        let host = Host::open(HostOptions::new(&home, shim)).await?;

        let sh = |script: &str| CreateTask::shell("harness", ["sh", "-c", script]);
        let (_, build) = host
            .create(sh("echo compiling; sleep 0.3; echo built"))
            .await?;
        let mut tests = sh("echo 3 tests passed");
        tests.after = vec![build.id];
        host.create(tests).await?;
        host.create(sh("echo lint clean")).await?;

        while let Some(task) = host.join_next().await {
            let task = task?;
            let reader =
                tend_exec::OutputReader::new(host.task_dir(task.id), tend_exec::Stream::Main);
            let output = reader.read(0, 64 * 1024)?;
            println!(
                "{} {:?} exit {:?}: {}",
                task.id,
                task.state,
                task.exit_code,
                output.text().trim()
            );
        }
        for note in host
            .notifications("harness".into(), std::time::Duration::ZERO)
            .await?
        {
            println!("notification {}: {}", note.id, note.text);
        }
        host.close_and_stop(None).await?;
        std::fs::remove_dir_all(&home)?;
        Ok(())
    })
}
