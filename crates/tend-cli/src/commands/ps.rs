//! `tend ps ID`: the live processes of a task as a tree (parents above their children), with
//! state, CPU time and memory. Processes whose parent is not in the task (escaped descendants,
//! reparented to a subreaper or init) start trees of their own.

use tend_proto::{ProcessEntry, ProcessesResponse};

use crate::cli::PsArgs;
use crate::context::Context;
use crate::{exit, output};

/// Runs `tend ps`.
pub async fn run(context: &Context, args: &PsArgs) -> anyhow::Result<u8> {
    let id = crate::ids::resolve(context, &args.id).await?;
    let answer = context
        .client
        .task_processes(id)
        .await
        .map_err(|error| crate::ids::task_error(id, error))?;
    if context.json {
        output::json(&answer)?;
    } else if answer.processes.is_empty() {
        output::line(&format!("{id} has no live process"))?;
    } else {
        output::text(&tree(&answer))?;
    }
    Ok(exit::OK)
}

/// `1.2 MiB`, `340 KiB`.
fn bytes(n: u64) -> String {
    const KIB: u64 = 1024;
    match n {
        0..KIB => format!("{n} B"),
        KIB..1_048_576 => format!("{} KiB", n / KIB),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

/// The tree: one line a process, indented under its parent.
fn tree(answer: &ProcessesResponse) -> String {
    let all = &answer.processes;
    let is_inside = |pid: u32| all.iter().any(|p| p.pid == pid);
    let mut out = format!(
        "{:>8}  {:1}  {:>9}  {:>10}  COMMAND\n",
        "PID", "S", "CPU", "RSS"
    );
    let mut stack: Vec<(&ProcessEntry, usize)> = all
        .iter()
        .filter(|p| !is_inside(p.ppid) || p.ppid == p.pid)
        .rev()
        .map(|p| (p, 0))
        .collect();
    while let Some((process, depth)) = stack.pop() {
        let args = tend_core::display::visible(&process.args);
        let cpu = tend_core::display::compact_duration(process.cpu_ms);
        out.push_str(&format!(
            "{:>8}  {:1}  {:>9}  {:>10}  {}{}\n",
            process.pid,
            process.state,
            cpu,
            bytes(process.rss_bytes),
            "  ".repeat(depth),
            args
        ));
        let children = all
            .iter()
            .filter(|p| p.ppid == process.pid && p.pid != process.pid)
            .rev();
        stack.extend(children.map(|child| (child, depth + 1)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(pid: u32, ppid: u32, args: &str) -> ProcessEntry {
        ProcessEntry {
            pid,
            ppid,
            pgid: 10,
            sid: 10,
            state: "S".into(),
            cpu_ms: 1500,
            rss_bytes: 3 * 1_048_576,
            args: args.into(),
        }
    }

    #[test]
    fn children_are_indented_under_their_parents_and_escaped_ones_stand_alone() {
        let answer = ProcessesResponse {
            processes: vec![
                process(10, 5, "sh -c server"),
                process(11, 10, "server"),
                process(12, 11, "worker"),
                process(20, 1, "sleep 300"),
            ],
        };
        let shown = tree(&answer);
        let commands: Vec<&str> = shown
            .lines()
            .skip(1)
            .map(|line| line.split("MiB  ").nth(1).unwrap())
            .collect();
        assert_eq!(
            commands,
            ["sh -c server", "  server", "    worker", "sleep 300"]
        );
        assert!(shown.contains("1s"), "{shown}");
    }
}
