//! Recovery: restore the engine from the store, account for every process that was live, then
//! resume. The same path serves the start of a runtime and the rebuild after a commit failed.
//!
//! For each task the store says is running: its shim alive → re-adopted and watched; its exit
//! record present → applied (the true exit code, though nobody watched); no shim ever recorded
//! its process (the runtime stopped between recording the start and launching it) → launched now;
//! otherwise → `failed`/`lost` (with the output its files hold), and whatever its command left
//! running is stopped whole on the blocking pool (SIGTERM, the default grace, SIGKILL).
//! Pending tasks stay pending and start as slots allow; sequences continue; unacknowledged
//! notifications are delivered as before.

use tend_core::{Action, Changes, Engine, Input, StoredTask, Timestamp};
use tend_store::Store;
use tokio::sync::{mpsc, watch};
use tracing::info;

use crate::error::HostError;
use crate::procs::Procs;
use crate::settings::Settings;
use crate::supervisor::{Command, StoreStatus, Supervisor, Version, wall_now};

/// The engine restored from the durable state, with what accounting for its live processes
/// changed: `changes` must be committed before anything else is done with it.
pub(crate) struct Restored {
    pub engine: Engine,
    pub changes: Vec<Changes>,
    actions: Vec<Action>,
    pub next_timer: Option<Timestamp>,
    adopted: usize,
    finished: usize,
    lost: usize,
    relaunched: usize,
}

/// Loads the durable state, restores the engine from it and accounts for every process it says
/// is live. `procs` stops watching what it watched first, so that afterwards it watches exactly
/// the processes of the restored engine (no shim may be starting).
pub(crate) async fn restore<S: Store>(
    store: &S,
    settings: &Settings,
    procs: &mut Procs,
) -> Result<Restored, HostError> {
    let mut snapshot = store
        .load()
        .await
        .map_err(|e| HostError::Storage(e.to_string()))?;
    crate::home::check_snapshot(procs.home(), &mut snapshot)?;
    let mut engine = Engine::restore(settings.engine_config(), snapshot)
        .map_err(|e| HostError::Storage(format!("cannot restore the stored state: {e}")))?;
    procs.detach_all();
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
    Ok(Restored {
        engine,
        changes,
        actions,
        next_timer,
        adopted,
        finished,
        lost,
        relaunched,
    })
}

impl Restored {
    /// Once `changes` are committed: accounts for the output of terminal tasks and carries out
    /// the actions (launches, stops). Returns the engine.
    pub(crate) fn resume(self, procs: &mut Procs, what: &'static str) -> Engine {
        let engine = self.engine;
        let mut terminal: Vec<&StoredTask> = engine
            .stored_tasks()
            .filter(|t| t.task.state.is_terminal())
            .collect();
        terminal.sort_by_key(|t| t.task.finished_at);
        procs.account_finished(terminal.into_iter());
        info!(
            tasks = engine.len(),
            adopted = self.adopted,
            finished = self.finished,
            lost = self.lost,
            relaunched = self.relaunched,
            "{what}"
        );
        for action in self.actions {
            procs.act(action, &engine);
        }
        engine
    }
}

/// Recovers a home on start.
pub(crate) async fn recover<S: Store>(
    store: S,
    settings: Settings,
    mut procs: Procs,
    rx: mpsc::UnboundedReceiver<Command>,
) -> Result<
    (
        Supervisor<S>,
        watch::Receiver<Version>,
        watch::Receiver<StoreStatus>,
    ),
    HostError,
> {
    let restored = restore(&store, &settings, &mut procs).await?;
    store
        .commit(&restored.changes)
        .await
        .map_err(|e| HostError::Storage(e.to_string()))?;
    let next_timer = restored.next_timer;
    let engine = restored.resume(&mut procs, "recovered");
    let last_event = engine.sequences().next_event.saturating_sub(1);
    let (version_tx, version_rx) = watch::channel(Version {
        epoch: 0,
        last_event,
    });
    let (health_tx, health_rx) = watch::channel(StoreStatus::healthy());
    let supervisor = Supervisor {
        engine,
        store,
        procs,
        rx,
        version: version_tx,
        health: health_tx,
        settings,
        next_timer,
    };
    Ok((supervisor, version_rx, health_rx))
}
