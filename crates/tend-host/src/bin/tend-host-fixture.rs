//! A runtime in its own process, for tend-host's crash and recovery tests.
//!
//! `tend-host-fixture __shim` runs the shim. `tend-host-fixture crash HOME` opens a runtime on
//! HOME, sets group `gate` to a limit of 2, creates a plan of shell tasks in mixed states (queued
//! behind the full group, running for a while, finishing soon, printing output as they go),
//! prints each created id on stdout, then runs until it is killed.
#![allow(clippy::print_stdout)]

use std::io::Write;

use tend_core::CreateTask;
use tend_host::{Host, HostOptions};

/// The exit code task number `n` of the plan ends with.
fn plan_exit_code(n: u64) -> u64 {
    n % 7
}

fn plan_task(n: u64) -> CreateTask {
    // Sleeps of 0 to 1.9 s, output of n lines, an exit code derived from n.
    let sleep = format!("0.{}", n % 10);
    let script = format!(
        "i=0; while [ $i -lt {lines} ]; do echo line $i of task {n}; i=$((i+1)); done; sleep {sleep}; \
         [ {slow} = 1 ] && sleep 1; echo end {n}; exit {code}",
        lines = n * 3,
        slow = n % 2,
        code = plan_exit_code(n),
    );
    let mut request = CreateTask::shell("crash", ["sh", "-c", &script]);
    if n.is_multiple_of(3) {
        request.group = Some("gate".to_owned());
    }
    request.key = Some(format!("plan-{n}"));
    request
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("__shim") {
        std::process::exit(tend_exec::shim::main());
    }
    let (Some("crash"), Some(home)) = (args.get(1).map(String::as_str), args.get(2)) else {
        eprintln!("usage: tend-host-fixture crash HOME | __shim");
        std::process::exit(2);
    };
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        let shim = std::env::current_exe().expect("own path");
        let options = HostOptions::new(home, tend_exec::ShimProgram::new(shim, ["__shim"]));
        let host = Host::open(options).await.expect("open the runtime");
        host.set_group_limit("gate".to_owned(), 2)
            .await
            .expect("group limit");
        let mut stdout = std::io::stdout();
        for n in 1..=20 {
            let (_, task) = host.create(plan_task(n)).await.expect("create");
            writeln!(stdout, "{} {}", task.id, plan_exit_code(n)).expect("stdout");
            stdout.flush().expect("stdout");
        }
        writeln!(stdout, "ready").expect("stdout");
        stdout.flush().expect("stdout");
        std::future::pending::<()>().await;
    });
}
