//! Watching the processes of running tasks (CONTRACT.md §9): the TCP ports they listen on, and
//! whether they are ready.
//!
//! One task looks four times a second. It asks the supervisor which shell tasks run (their
//! markers, directories and `ready` conditions not yet met), then:
//! - every second, scans `/proc` once for all of them on the blocking pool and feeds each change
//!   of a task's set of listening ports to the engine ([`Input::PortsObserved`], recorded with
//!   one `ports_changed` event);
//! - for `ready.output`, scans the output written since its last look for a matching line;
//! - for `ready.port`, looks at the last scan of ports (0: any port);
//! - for `ready.http`, sends `GET` (1 s timeout; at most [`MAX_PROBES`] at once);
//!
//! and feeds the first condition that holds to the engine ([`Input::Ready`]), which records it
//! once. After a restart everything is looked at again from the start, so a task that became
//! ready while no runtime ran is found ready by the next one. The watcher holds only a weak
//! handle on the supervisor's channel, so it ends with the runtime.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use tend_core::ready::HttpTarget;
use tend_core::{Engine, Input, ListeningPort, ReadyCondition, ReadySpec, TaskId};
use tokio::sync::{mpsc, oneshot};

use crate::procs::Procs;
use crate::supervisor::{Command, Query};

/// How often the watcher looks.
pub(crate) const PERIOD: Duration = Duration::from_millis(250);
/// Ports are scanned every this many looks (once a second).
const PORT_EVERY: u32 = 4;
/// How long one HTTP check may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(1);
/// HTTP checks under way at once, over all tasks.
pub(crate) const MAX_PROBES: usize = 16;

/// A running shell task, as the watcher needs it.
struct Watched {
    id: TaskId,
    marker: Option<String>,
    dir: PathBuf,
    /// Its conditions, while it is not ready yet.
    ready: Option<ReadySpec>,
}

/// What the watcher remembers of a task between looks.
#[derive(Default)]
struct Seen {
    ports: Option<Vec<ListeningPort>>,
    /// Where the next scan for `ready.output` starts.
    cursor: u64,
    /// A readiness already reported (the engine records only the first).
    ready_sent: bool,
}

fn running(engine: &Engine, procs: &Procs) -> Vec<Watched> {
    procs
        .watched()
        .into_iter()
        .map(|(id, marker, dir)| {
            let ready = engine
                .get(id)
                .ok()
                .filter(|task| task.ready_at.is_none() && task.state.holds_slot())
                .and_then(|task| task.ready.clone());
            Watched {
                id,
                marker,
                dir,
                ready,
            }
        })
        .collect()
}

/// Starts the watcher of the runtime whose supervisor listens on `tx`.
pub(crate) fn spawn(tx: &mpsc::UnboundedSender<Command>) {
    let weak = tx.downgrade();
    tokio::spawn(async move {
        let mut seen: HashMap<TaskId, Seen> = HashMap::new();
        let mut tick = tokio::time::interval(PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut looks: u32 = 0;
        let scanner = std::sync::Arc::new(std::sync::Mutex::new(tend_exec::PortScanner::new()));
        loop {
            tick.tick().await;
            looks = looks.wrapping_add(1);
            let Some(tx) = weak.upgrade() else { break };
            let (reply, answer) = oneshot::channel();
            let query: Query = Box::new(move |state| {
                let tasks = state.map(|(engine, procs)| running(engine, procs));
                let _ = reply.send(tasks.unwrap_or_default());
            });
            if tx.send(Command::Query(query)).is_err() {
                break;
            }
            drop(tx);
            let Ok(tasks) = answer.await else { break };
            seen.retain(|id, _| tasks.iter().any(|task| task.id == *id));
            if tasks.is_empty() {
                continue;
            }
            let mut inputs = Vec::new();
            if looks % PORT_EVERY == 1 {
                scan_ports(&scanner, &tasks, &mut seen, &mut inputs).await;
            }
            check_ready(&tasks, &mut seen, &mut inputs).await;
            let Some(tx) = weak.upgrade() else { break };
            for input in inputs {
                let _ = tx.send(Command::Observe(input));
            }
        }
    });
}

async fn scan_ports(
    scanner: &std::sync::Arc<std::sync::Mutex<tend_exec::PortScanner>>,
    tasks: &[Watched],
    seen: &mut HashMap<TaskId, Seen>,
    inputs: &mut Vec<Input>,
) {
    let marked: Vec<(TaskId, String)> = tasks
        .iter()
        .filter_map(|task| Some((task.id, task.marker.clone()?)))
        .collect();
    if marked.is_empty() {
        return;
    }
    let wanted: Vec<String> = marked.iter().map(|(_, marker)| marker.clone()).collect();
    let scanner = std::sync::Arc::clone(scanner);
    let scanned = tokio::task::spawn_blocking(move || {
        scanner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .scan(&wanted)
    });
    let Ok(mut found) = scanned.await else {
        return;
    };
    for (id, marker) in marked {
        let ports: Vec<ListeningPort> = found
            .remove(&marker)
            .unwrap_or_default()
            .into_iter()
            .map(|socket| ListeningPort {
                port: socket.port,
                address: socket.address,
                pid: socket.pid,
            })
            .collect();
        let entry = seen.entry(id).or_default();
        if entry.ports.as_ref() != Some(&ports) {
            entry.ports = Some(ports.clone());
            inputs.push(Input::PortsObserved { id, ports });
        }
    }
}

async fn check_ready(tasks: &[Watched], seen: &mut HashMap<TaskId, Seen>, inputs: &mut Vec<Input>) {
    let mut probes = tokio::task::JoinSet::new();
    for task in tasks {
        let Some(ready) = &task.ready else { continue };
        let entry = seen.entry(task.id).or_default();
        if entry.ready_sent {
            continue;
        }
        let mut found = None;
        if let Some(pattern) = &ready.output {
            let (pattern, dir, cursor) = (pattern.clone(), task.dir.clone(), entry.cursor);
            let scanned = tokio::task::spawn_blocking(move || {
                tend_exec::OutputReader::new(dir, tend_exec::Stream::Main)
                    .grep(&pattern, cursor, 4096)
            })
            .await;
            if let Ok(Ok(result)) = scanned {
                match result.lines.first() {
                    Some(line) => found = Some((ReadyCondition::Output, line.text.clone())),
                    None => entry.cursor = result.next_cursor,
                }
            }
        }
        if found.is_none()
            && let Some(wanted) = ready.port
            && let Some(ports) = &entry.ports
            && let Some(port) = ports.iter().find(|p| wanted == 0 || p.port == wanted)
        {
            found = Some((ReadyCondition::Port, port.port.to_string()));
        }
        if let Some((condition, detail)) = found {
            entry.ready_sent = true;
            inputs.push(Input::Ready {
                id: task.id,
                condition,
                detail,
            });
            continue;
        }
        if let Some(url) = &ready.http
            && let Ok(target) = HttpTarget::parse(url)
            && probes.len() < MAX_PROBES
        {
            let id = task.id;
            probes.spawn(async move { (id, probe(&target).await) });
        }
    }
    while let Some(done) = probes.join_next().await {
        if let Ok((id, Some(status))) = done
            && status < 500
        {
            if let Some(entry) = seen.get_mut(&id) {
                entry.ready_sent = true;
            }
            inputs.push(Input::Ready {
                id,
                condition: ReadyCondition::Http,
                detail: status.to_string(),
            });
        }
    }
}

/// `GET` of the target: the status it answered, or `None` when it did not answer in time.
async fn probe(target: &HttpTarget) -> Option<u16> {
    use http_body_util::Empty;
    use hyper::body::Bytes;

    let exchange = async {
        let stream = tokio::net::TcpStream::connect((target.host.as_str(), target.port))
            .await
            .ok()?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .ok()?;
        tokio::spawn(connection);
        let request = hyper::Request::get(target.path.as_str())
            .header(hyper::header::HOST, target.authority.as_str())
            .header(hyper::header::USER_AGENT, "tend-ready-check")
            .body(Empty::<Bytes>::new())
            .ok()?;
        let response = sender.send_request(request).await.ok()?;
        Some(response.status().as_u16())
    };
    tokio::time::timeout(HTTP_TIMEOUT, exchange)
        .await
        .ok()
        .flatten()
}
