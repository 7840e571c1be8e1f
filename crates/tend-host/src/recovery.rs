//! Recovery on start: restore the engine from the store, account for every process that was
//! live, then resume.
//!
//! For each task the store says is running: its shim alive → re-adopted and watched; its exit
//! record present → applied (the true exit code, though nobody watched); no shim ever recorded
//! its process (the runtime stopped between recording the start and launching it) → launched now;
//! otherwise → `failed`/`lost` (with the output its files hold), and whatever its command left
//! running is stopped whole on the blocking pool (SIGTERM, the default grace, SIGKILL).
//! Pending tasks stay pending and start as slots allow; sequences continue; unacknowledged
//! notifications are delivered as before.

use tend_core::{Engine, Input, StoredTask};
use tend_store::Store;
use tokio::sync::{mpsc, watch};
use tracing::info;

use crate::error::HostError;
use crate::procs::Procs;
use crate::settings::Settings;
use crate::supervisor::{Command, Supervisor, Version, wall_now};

pub(crate) async fn recover<S: Store>(
    store: S,
    settings: Settings,
    mut procs: Procs,
    rx: mpsc::UnboundedReceiver<Command>,
) -> Result<(Supervisor<S>, watch::Receiver<Version>), HostError> {
    let mut snapshot = store
        .load()
        .await
        .map_err(|e| HostError::Storage(e.to_string()))?;
    crate::home::check_snapshot(procs.home(), &mut snapshot)?;
    let mut engine = Engine::restore(settings.engine_config(), snapshot)
        .map_err(|e| HostError::Storage(format!("cannot restore the stored state: {e}")))?;
    let now = wall_now();
    let live: Vec<StoredTask> = engine.live_processes().cloned().collect();
    let mut inputs: Vec<Input> = Vec::new();
    let (mut adopted, mut finished, mut lost, mut relaunched) = (0, 0, 0, 0);
    for found in procs.adopt_all(&live) {
        match found.last() {
            Some(Input::ProcessExited {
                outcome: tend_core::ExitOutcome::Lost,
                ..
            }) => lost += 1,
            Some(Input::ProcessExited { .. }) => finished += 1,
            Some(Input::NeverStarted { .. }) => relaunched += 1,
            _ => adopted += 1,
        }
        inputs.extend(found);
    }
    inputs.push(Input::Resume);
    let mut changes = Vec::new();
    let mut actions = Vec::new();
    let mut next_timer = None;
    for input in inputs {
        if let Ok(step) = engine.handle(input, now) {
            changes.push(step.changes);
            actions.extend(step.actions);
            next_timer = step.next_timer;
        }
    }
    store
        .commit(&changes)
        .await
        .map_err(|e| HostError::Storage(e.to_string()))?;
    let mut terminal: Vec<&StoredTask> = engine
        .stored_tasks()
        .filter(|t| t.task.state.is_terminal())
        .collect();
    terminal.sort_by_key(|t| t.task.finished_at);
    procs.account_finished(terminal.into_iter());
    info!(
        tasks = engine.len(),
        adopted, finished, lost, relaunched, "recovered"
    );
    let last_event = engine.sequences().next_event.saturating_sub(1);
    let (version_tx, version_rx) = watch::channel(Version {
        epoch: 0,
        last_event,
    });
    for action in actions {
        procs.act(action, &engine);
    }
    let supervisor = Supervisor {
        engine,
        store,
        procs,
        rx,
        version: version_tx,
        next_timer,
    };
    Ok((supervisor, version_rx))
}
