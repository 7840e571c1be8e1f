//! Watching the processes of running tasks: the TCP ports they listen on (CONTRACT.md §9).
//!
//! One task samples every second: it asks the supervisor for the markers of the running shell
//! tasks, scans `/proc` once for all of them on the blocking pool, and feeds each change of a
//! task's set to the engine as [`Input::PortsObserved`], which records it with one
//! `ports_changed` event. The watcher holds only a weak handle on the supervisor's channel, so
//! it ends with the runtime.

use std::collections::HashMap;
use std::time::Duration;

use tend_core::{Input, ListeningPort, TaskId};
use tokio::sync::{mpsc, oneshot};

use crate::supervisor::{Command, Query};

/// How often the ports are sampled.
pub(crate) const PERIOD: Duration = Duration::from_secs(1);

/// Starts the watcher of the runtime whose supervisor listens on `tx`.
pub(crate) fn spawn(tx: &mpsc::UnboundedSender<Command>) {
    let weak = tx.downgrade();
    tokio::spawn(async move {
        let mut known: HashMap<TaskId, Vec<ListeningPort>> = HashMap::new();
        let mut tick = tokio::time::interval(PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(tx) = weak.upgrade() else { break };
            let (reply, answer) = oneshot::channel();
            let query: Query = Box::new(move |state| {
                let _ = reply.send(state.map(|(_, procs)| procs.markers()).unwrap_or_default());
            });
            if tx.send(Command::Query(query)).is_err() {
                break;
            }
            drop(tx);
            let Ok(markers) = answer.await else { break };
            known.retain(|id, _| markers.iter().any(|(task, _)| task == id));
            if markers.is_empty() {
                continue;
            }
            let wanted: Vec<String> = markers.iter().map(|(_, marker)| marker.clone()).collect();
            let Ok(mut found) =
                tokio::task::spawn_blocking(move || tend_exec::listening_ports(&wanted)).await
            else {
                continue;
            };
            let Some(tx) = weak.upgrade() else { break };
            for (id, marker) in markers {
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
                if known.get(&id) != Some(&ports) {
                    known.insert(id, ports.clone());
                    let _ = tx.send(Command::Observe(Input::PortsObserved { id, ports }));
                }
            }
        }
    });
}
