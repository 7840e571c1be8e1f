//! `tend daemon`: runs the daemon in the foreground; `start`, `stop` and `status` control the
//! background daemon of the home (and never start one by themselves, except `start`).

use std::time::Duration;

use anyhow::{Context as _, bail};
use tend_daemon::DaemonOptions;
use tend_exec::ShimProgram;
use tend_proto::{DaemonStopParams, DaemonStopResponse};
use tokio::time::Instant;

use crate::cli::{DaemonAction, DaemonArgs};
use crate::context::Context;
use crate::{exit, output};

/// How long `tend daemon stop` waits for the daemon's process to end after it answered.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// Runs the daemon of the home in this process until SIGTERM, SIGINT or `tend daemon stop`.
/// Logs go to `daemon.log` (filter: `TEND_LOG`, default `info`).
pub fn foreground(context: &Context, mcp_http: Option<std::net::SocketAddr>) -> anyhow::Result<u8> {
    let filter = context.env.log_filter.as_deref().unwrap_or("info");
    tend_daemon::init_logging(&context.home, filter)?;
    let shim = ShimProgram::new(&context.autostart.program, ["__shim"]);
    let mut options = DaemonOptions::new(&context.home, shim);
    if mcp_http.is_some() {
        options.other_connections = tend_mcp::http::MAX_CONNECTIONS;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let daemon = tend_daemon::Daemon::start(options).await?;
        if let Some(addr) = mcp_http {
            let listener = tend_mcp::http::bind(addr).await?;
            let bound = listener.local_addr().unwrap_or(addr);
            let said = format!(
                "tend daemon: MCP over HTTP on http://{bound}{}, token in {}",
                tend_mcp::http::PATH,
                tend_mcp::http::token_path(daemon.home()).display()
            );
            let client = tend_client::Client::new(daemon.home());
            let session = tend_mcp::http::DEFAULT_SESSION;
            let config = tend_mcp::McpConfig::new(client, session, context.cwd.clone())?;
            let shutdown = daemon.shutdown_handle();
            tracing::info!(%addr, "serving MCP over HTTP at /mcp");
            tokio::spawn(async move {
                let stop = async move { shutdown.triggered().await };
                // Said once the token exists, so that the file named is there to read.
                let home = config.client().home().to_owned();
                match tend_mcp::http::ensure_token(&home) {
                    Ok(_) => eprintln!("{said}"),
                    Err(error) => eprintln!("tend daemon: MCP over HTTP is not served: {error}"),
                }
                if let Err(error) = tend_mcp::http::serve(listener, config, stop).await {
                    tracing::error!(%error, "MCP over HTTP failed");
                }
            });
        }
        tend_daemon::serve_until_signalled(daemon).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(exit::OK)
}

/// Runs `tend daemon start|stop|status`.
pub async fn control(context: &Context, args: &DaemonArgs) -> anyhow::Result<u8> {
    let client = context.client_without_autostart();
    let home = context.home.display();
    match &args.action {
        None => bail!("`tend daemon` runs in the foreground and cannot be driven from here"),
        Some(DaemonAction::Start { reset }) => {
            if *reset {
                reset_home(context, &client).await?;
            }
            let health = client.start_daemon(&context.autostart).await?;
            if context.json {
                output::json(&health)?;
            } else {
                output::line(&format!("daemon running for {home} (pid {})", health.pid))?;
            }
            Ok(exit::OK)
        }
        Some(DaemonAction::Status) => match probe_or_holder(&client).await? {
            Some(health) => {
                if context.json {
                    output::json(&health)?;
                } else {
                    let version = &health.version;
                    output::line(&format!(
                        "daemon running for {home} (pid {}, version {version})",
                        health.pid
                    ))?;
                }
                Ok(exit::OK)
            }
            None => match tend_client::lock_holder(&context.home) {
                Some(pid) => bail!(
                    "a daemon (pid {pid}) holds the lock of {home} but does not answer on {}",
                    client.socket().display()
                ),
                None => bail!("no daemon is running for {home}"),
            },
        },
        Some(DaemonAction::Stop { kill_tasks, grace }) => {
            let Some(health) = probe_or_holder(&client).await? else {
                if let Some(pid) = tend_client::lock_holder(&context.home) {
                    return stop_unreachable(context, pid, *kill_tasks).await;
                }
                if context.json {
                    output::json(&DaemonStopResponse {
                        stopping: false,
                        tasks: vec![],
                    })?;
                } else {
                    output::line(&format!("no daemon is running for {home}"))?;
                }
                return Ok(exit::OK);
            };
            let params = DaemonStopParams {
                kill_tasks: *kill_tasks,
                grace_ms: *grace,
            };
            let answer = client.stop_daemon(&params).await?;
            wait_for_exit(health.pid)
                .await
                .with_context(|| format!("the daemon for {home} was asked to stop"))?;
            if context.json {
                output::json(&answer)?;
            } else {
                let stopped = match answer.tasks.len() {
                    0 => String::new(),
                    1 => ", 1 task stopped".to_owned(),
                    n => format!(", {n} tasks stopped"),
                };
                output::line(&format!("daemon stopped (pid {}){stopped}", health.pid))?;
            }
            Ok(exit::OK)
        }
    }
}

/// How long a command waits for a daemon that holds the home's lock to answer on its socket (it
/// binds its socket again within a second when the file vanished).
const REBIND_WAIT: Duration = Duration::from_secs(3);

/// The daemon's health; when nothing answers but a daemon holds the home's lock, waits a
/// little for it to bind its socket again.
async fn probe_or_holder(
    client: &tend_client::Client,
) -> anyhow::Result<Option<tend_proto::HealthResponse>> {
    let deadline = Instant::now() + REBIND_WAIT;
    loop {
        if let Some(health) = client.probe().await? {
            return Ok(Some(health));
        }
        if tend_client::lock_holder(client.home()).is_none() || Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Stops a daemon that holds the home's lock but cannot be reached on its socket: SIGTERM to
/// its process (it leaves tasks running for the next daemon), then waits for it to end.
async fn stop_unreachable(context: &Context, pid: u32, kill_tasks: bool) -> anyhow::Result<u8> {
    let home = context.home.display();
    if kill_tasks {
        bail!(
            "the daemon for {home} (pid {pid}) does not answer on its socket, so it cannot be \
             asked to stop its tasks; `tend daemon stop` without --kill-tasks ends it and \
             leaves them to the next daemon"
        );
    }
    let target = nix::unistd::Pid::from_raw(i32::try_from(pid).context("a pid out of range")?);
    nix::sys::signal::kill(target, nix::sys::signal::Signal::SIGTERM)
        .with_context(|| format!("cannot signal the daemon for {home} (pid {pid})"))?;
    wait_for_exit(pid)
        .await
        .with_context(|| format!("the daemon for {home} was sent SIGTERM"))?;
    if context.json {
        output::json(&DaemonStopResponse {
            stopping: true,
            tasks: vec![],
        })?;
    } else {
        output::line(&format!(
            "daemon stopped (pid {pid}; it did not answer on its socket)"
        ))?;
    }
    Ok(exit::OK)
}

/// Moves the home aside, to `HOME.reset-<UTC time>` beside it (or, when its parent cannot be
/// written, into `HOME/reset-<UTC time>/`), so that the next daemon starts fresh. Refused while
/// a daemon runs for the home.
async fn reset_home(context: &Context, client: &tend_client::Client) -> anyhow::Result<()> {
    let home = &context.home;
    if let Some(health) = probe_or_holder(client).await? {
        bail!(
            "a daemon (pid {}) is running for {}; stop it first (tend daemon stop)",
            health.pid,
            home.display()
        );
    }
    if let Some(pid) = tend_client::lock_holder(home) {
        bail!("a daemon (pid {pid}) holds the lock of {}", home.display());
    }
    if !home.exists() {
        return Ok(());
    }
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let mut beside = home.as_os_str().to_owned();
    beside.push(format!(".reset-{stamp}"));
    let beside = std::path::PathBuf::from(beside);
    let moved_to = match std::fs::rename(home, &beside) {
        Ok(()) => beside,
        Err(_) => {
            let inside = home.join(format!("reset-{stamp}"));
            std::fs::create_dir(&inside)
                .with_context(|| format!("cannot create {}", inside.display()))?;
            for entry in std::fs::read_dir(home)? {
                let entry = entry?;
                if entry.path() == inside {
                    continue;
                }
                std::fs::rename(entry.path(), inside.join(entry.file_name()))
                    .with_context(|| format!("cannot move {}", entry.path().display()))?;
            }
            inside
        }
    };
    eprintln!(
        "tend: the old home of {} is kept at {}",
        home.display(),
        moved_to.display()
    );
    Ok(())
}

/// Waits until process `pid` is gone (or a zombie whose parent has yet to reap it).
async fn wait_for_exit(pid: u32) -> anyhow::Result<()> {
    let deadline = Instant::now() + STOP_WAIT;
    while alive(pid) {
        if Instant::now() >= deadline {
            bail!(
                "its process {pid} is still running after {} s",
                STOP_WAIT.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses and may hold spaces.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_free_pid_is_not() {
        assert!(alive(std::process::id()));
        assert!(!alive(u32::MAX - 1));
    }
}
