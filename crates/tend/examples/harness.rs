//! A harness on the `tend` crate: a build, tests that wait for it and a linter run in the
//! background; each is printed with its output as it ends; whatever still runs is stopped at the end.
//! `cargo run -p tend --example harness`
#![allow(clippy::print_stdout)]

use tend::{Stream, TaskSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tend::run_shim_if_requested(); // this binary is also the shim of its tasks
    let home = std::env::temp_dir().join(format!("tend-harness-{}", std::process::id()));
    tokio::runtime::Runtime::new()?.block_on(async {
        let host = tend::open(&home).await?;
        let build = TaskSpec::sh("harness", "echo compiling; sleep 0.3")
            .spawn(&host)
            .await?;
        TaskSpec::sh("harness", "echo 3 tests passed")
            .after([build.id])
            .spawn(&host)
            .await?;
        TaskSpec::sh("harness", "echo lint clean")
            .spawn(&host)
            .await?;
        while let Some(task) = host.join_next().await {
            let task = task?;
            let output = tend::read_output(&host, task.id, Stream::Main, 0, 4096).await?;
            println!(
                "{} ended {:?}: {}",
                task.id,
                task.state,
                output.text().trim()
            );
        }
        host.close_and_stop(None).await?;
        std::fs::remove_dir_all(&home)?;
        Ok(())
    })
}
