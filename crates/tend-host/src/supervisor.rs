//! The supervisor loop: the one task that owns the engine.
//!
//! Commands arrive over a channel. Inputs that arrive together form one batch: each is handled
//! by the engine, the changes of the whole batch are committed in one transaction (group
//! commit), then replies are sent, queries answered and waiters woken, and only then are the
//! actions carried out on processes. A client therefore never sees a change that is not durable.
//!
//! Store failures are fail-stop. When a batch cannot be committed (after a few short retries),
//! every request of the batch is answered `unavailable`, its queries are not answered from the
//! engine that applied it, and its actions are dropped: none of it happened. The engine is then
//! rebuilt from the durable state by the path of recovery (load, restore, re-adopt the live
//! processes). Until the store commits again, retried with a growing backoff, every request is
//! answered `unavailable` and queries are answered from the durable state; [`StoreStatus`]
//! says so meanwhile.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tend_core::{Action, Changes, Engine, Input, Reply, Timestamp};
use tend_store::{Store, StoreError};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tracing::{error, info, warn};

use crate::error::HostError;
use crate::procs::Procs;
use crate::recovery;
use crate::settings::Settings;

/// Most commands handled in one batch.
const MAX_BATCH: usize = 1024;

/// The first wait before rebuilding again after a failed rebuild; it doubles up to
/// [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// The longest wait between two rebuilds while the store does not commit.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// How long a rebuild waits for the shims being started to answer.
const SPAWN_SETTLE: Duration = Duration::from_secs(10);

/// A closure run on the engine after the batch's commit, or told why it cannot be.
pub(crate) type Query = Box<dyn FnOnce(Result<(&Engine, &Procs), HostError>) + Send>;

/// Whether the store accepts commits, as [`crate::Host::store_health`] tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreStatus {
    /// Whether the last commit succeeded.
    pub ok: bool,
    /// Why the store does not commit, while it does not.
    pub error: Option<String>,
    /// When the store stopped committing, while it does not.
    pub since: Option<Timestamp>,
}

impl StoreStatus {
    /// A store that commits.
    pub(crate) fn healthy() -> Self {
        Self {
            ok: true,
            error: None,
            since: None,
        }
    }

    /// A store that has not committed since `since`, for `why`.
    fn failing(why: String, since: Timestamp) -> Self {
        Self {
            ok: false,
            error: Some(why),
            since: Some(since),
        }
    }
}

/// What the supervisor receives.
pub(crate) enum Command {
    /// An input with a caller waiting for the reply.
    Input {
        input: Input,
        reply: oneshot::Sender<Result<Reply, HostError>>,
    },
    /// An observation from a process watcher; nobody waits.
    Observe(Input),
    /// A shim finished starting (or failed to).
    Spawned {
        id: tend_core::TaskId,
        result: Result<tend_exec::TaskProcess, tend_exec::SpawnError>,
    },
    /// A read of committed state.
    Query(Query),
    /// Stop the loop (after the current batch); tasks keep running.
    Stop(oneshot::Sender<()>),
}

/// What waiters watch: bumped after every committed batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Version {
    /// Increases with every batch that changed something.
    pub epoch: u64,
    /// The last event sequence number committed.
    pub last_event: u64,
}

/// The current wall-clock time as the engine sees it.
pub(crate) fn wall_now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    Timestamp::from_millis(i64::try_from(ms).unwrap_or(i64::MAX))
}

pub(crate) struct Supervisor<S: Store> {
    pub engine: Engine,
    pub store: S,
    pub procs: Procs,
    pub rx: mpsc::UnboundedReceiver<Command>,
    pub version: watch::Sender<Version>,
    pub health: watch::Sender<StoreStatus>,
    pub settings: Settings,
    pub next_timer: Option<Timestamp>,
}

impl<S: Store> Supervisor<S> {
    pub async fn run(mut self) {
        let mut stop_reply = None;
        loop {
            let mut batch: Vec<Command> = Vec::new();
            let sleep = self.timer_sleep();
            tokio::select! {
                command = self.rx.recv() => match command {
                    Some(command) => batch.push(command),
                    None => break,
                },
                () = sleep => batch.push(Command::Observe(Input::TimerFired)),
            }
            while batch.len() < MAX_BATCH {
                match self.rx.try_recv() {
                    Ok(command) => batch.push(command),
                    Err(_) => break,
                }
            }
            if let Some(reply) = self.handle_batch(batch).await {
                stop_reply = Some(reply);
                break;
            }
        }
        self.procs.detach_all();
        if let Some(reply) = stop_reply {
            let _ = reply.send(());
        }
    }

    fn timer_sleep(&self) -> tokio::time::Sleep {
        let wait = match self.next_timer {
            Some(at) => Duration::from_millis(at.millis_since(wall_now())),
            None => Duration::from_secs(3600),
        };
        tokio::time::sleep(wait)
    }

    /// Handles one batch; returns the stop reply if the loop must end.
    async fn handle_batch(&mut self, batch: Vec<Command>) -> Option<oneshot::Sender<()>> {
        let now = wall_now();
        let mut changes: Vec<Changes> = Vec::new();
        let mut actions: Vec<Action> = Vec::new();
        let mut pending = Vec::new();
        let mut queries: Vec<Query> = Vec::new();
        let mut stop = None;
        for command in batch {
            let (input, reply) = match command {
                Command::Input { input, reply } => (input, Some(reply)),
                Command::Observe(input) => (input, None),
                Command::Query(query) => {
                    queries.push(query);
                    continue;
                }
                Command::Stop(reply) => {
                    stop = Some(reply);
                    continue;
                }
                Command::Spawned { id, result } => (self.procs.spawned(id, result), None),
            };
            if matches!(input, Input::TimerFired) {
                // Idle timeouts look at output written since the last look.
                for grew in self.procs.output_observations(&self.engine) {
                    let _ = self.apply(grew, now, &mut changes, &mut actions);
                }
            }
            let result = self.apply(input, now, &mut changes, &mut actions);
            if let Some(reply) = reply {
                pending.push((reply, result));
            }
        }
        if changes.iter().any(|c| !c.is_empty()) {
            if let Err(store_error) = self.commit(&changes).await {
                error!(
                    %store_error,
                    requests = pending.len(),
                    "commit failed; the batch is answered unavailable and the state rebuilt from the store"
                );
                let why = store_error.to_string();
                // Said before the refusals, so that a client refused finds the store failing.
                let since = wall_now();
                self.health
                    .send_replace(StoreStatus::failing(why.clone(), since));
                for (reply, _) in pending {
                    let _ = reply.send(Err(HostError::StoreUnavailable(why.clone())));
                }
                for query in queries {
                    query(Err(HostError::StoreUnavailable(why.clone())));
                }
                // The batch's actions are dropped with it: nothing of it was committed.
                drop(actions);
                return self.ride_out(why, since, stop).await;
            }
            let last_event = changes
                .iter()
                .rev()
                .find_map(|c| c.events.last())
                .map(|e| e.seq);
            self.version.send_modify(|v| {
                v.epoch += 1;
                if let Some(seq) = last_event {
                    v.last_event = seq;
                }
            });
        }
        for (reply, result) in pending {
            let _ = reply.send(result);
        }
        let finished = changes
            .iter()
            .flat_map(|c| c.tasks.iter())
            .filter(|t| t.task.state.is_terminal());
        self.procs.account_finished(finished);
        for query in queries {
            query(Ok((&self.engine, &self.procs)));
        }
        for action in actions {
            self.procs.act(action, &self.engine);
        }
        stop
    }

    fn apply(
        &mut self,
        input: Input,
        now: Timestamp,
        changes: &mut Vec<Changes>,
        actions: &mut Vec<Action>,
    ) -> Result<Reply, HostError> {
        match self.engine.handle(input, now) {
            Ok(step) => {
                changes.push(step.changes);
                actions.extend(step.actions);
                self.next_timer = step.next_timer;
                Ok(step.reply)
            }
            Err(engine_error) => Err(HostError::Engine(engine_error)),
        }
    }

    async fn commit(&self, changes: &[Changes]) -> Result<(), StoreError> {
        let mut attempt = 0;
        loop {
            match self.store.commit(changes).await {
                Ok(()) => return Ok(()),
                Err(store_error) if attempt < 3 => {
                    attempt += 1;
                    warn!(%store_error, attempt, "commit failed; retrying");
                    tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                }
                Err(store_error) => return Err(store_error),
            }
        }
    }

    /// After a failed commit: rebuilds the engine from the durable state, again and again with a
    /// growing backoff until the store commits the rebuild, answering every request
    /// `unavailable` meanwhile. Returns the stop reply if the loop must end.
    async fn ride_out(
        &mut self,
        mut why: String,
        since: Timestamp,
        mut stop: Option<oneshot::Sender<()>>,
    ) -> Option<oneshot::Sender<()>> {
        // The engine holds the failed batch until it is rebuilt: nothing may be read from it.
        let mut durable = false;
        let mut backoff = FIRST_BACKOFF;
        let mut failures: u32 = 0;
        loop {
            if stop.is_some() {
                return stop;
            }
            // A shim being started must have answered before the processes are looked at, or
            // it would be launched a second time beside itself.
            let settle = Instant::now() + SPAWN_SETTLE;
            while self.procs.is_starting() {
                tokio::select! {
                    command = self.rx.recv() => match command {
                        Some(command) => self.refuse(command, durable, &why, &mut stop),
                        None => return stop,
                    },
                    () = tokio::time::sleep_until(settle) => {
                        warn!("shims being started did not answer; rebuilding without them");
                        break;
                    }
                }
            }
            match self.rebuild().await {
                Ok(()) => {
                    info!(
                        failures,
                        down_ms = wall_now().millis_since(since),
                        "the store commits again; the state was rebuilt from it"
                    );
                    self.health.send_replace(StoreStatus::healthy());
                    return stop;
                }
                Err(error) => {
                    failures += 1;
                    why = error;
                    warn!(error = %why, failures, retry_in_ms = backoff.as_millis() as u64,
                        "the store still does not commit");
                    self.health
                        .send_replace(StoreStatus::failing(why.clone(), since));
                    durable = self.reload().await;
                }
            }
            let until = Instant::now() + backoff;
            loop {
                tokio::select! {
                    command = self.rx.recv() => match command {
                        Some(command) => self.refuse(command, durable, &why, &mut stop),
                        None => return stop,
                    },
                    () = tokio::time::sleep_until(until) => break,
                }
                if stop.is_some() {
                    return stop;
                }
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Restores the engine from the store by the path of recovery and commits what accounting
    /// for the live processes changed. On success the runtime goes on from there: waiters are
    /// woken and the recovery's actions carried out.
    async fn rebuild(&mut self) -> Result<(), String> {
        let restored = recovery::restore(&self.store, &self.settings, &mut self.procs)
            .await
            .map_err(|e| e.to_string())?;
        // The recovery's own changes are never empty (the sequences at least): their commit
        // shows the store accepts commits again. If it fails, the restored engine is dropped
        // with what it applied.
        self.store
            .commit(&restored.changes)
            .await
            .map_err(|e| e.to_string())?;
        self.next_timer = restored.next_timer;
        self.engine = restored.resume(&mut self.procs, "rebuilt from the store");
        let last_event = self.engine.sequences().next_event.saturating_sub(1);
        self.version.send_modify(|v| {
            v.epoch += 1;
            v.last_event = last_event;
        });
        Ok(())
    }

    /// Restores the engine from the store alone, so that queries are answered from the durable
    /// state while the store does not commit. Whether it could.
    async fn reload(&mut self) -> bool {
        let snapshot = match self.store.load().await {
            Ok(snapshot) => snapshot,
            Err(store_error) => {
                warn!(%store_error, "cannot read the store");
                return false;
            }
        };
        match Engine::restore(self.settings.engine_config(), snapshot) {
            Ok(engine) => {
                self.engine = engine;
                true
            }
            Err(engine_error) => {
                error!(%engine_error, "cannot restore the stored state");
                false
            }
        }
    }

    /// Answers a command while the store does not commit: requests `unavailable`, queries from
    /// the durable state if it is loaded; observations are dropped (the next rebuild finds what
    /// they said again in the task directories).
    fn refuse(
        &mut self,
        command: Command,
        durable: bool,
        why: &str,
        stop: &mut Option<oneshot::Sender<()>>,
    ) {
        let refusal = || HostError::StoreUnavailable(why.to_owned());
        match command {
            Command::Input { reply, .. } => {
                let _ = reply.send(Err(refusal()));
            }
            Command::Query(query) if durable => query(Ok((&self.engine, &self.procs))),
            Command::Query(query) => query(Err(refusal())),
            Command::Observe(_) => {}
            Command::Spawned { id, result } => {
                let _ = self.procs.spawned(id, result);
            }
            Command::Stop(reply) => *stop = Some(reply),
        }
    }
}
