//! The supervisor loop: the one task that owns the engine.
//!
//! Commands arrive over a channel. Inputs that arrive together form one batch: each is handled
//! by the engine, the changes of the whole batch are committed in one transaction (group
//! commit), then replies are sent, queries answered and waiters woken, and only then are the
//! actions carried out on processes. A client therefore never sees a change that is not durable.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tend_core::{Action, Changes, Engine, Input, Reply, Timestamp};
use tend_store::Store;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{error, warn};

use crate::error::HostError;
use crate::procs::Procs;

/// Most commands handled in one batch.
const MAX_BATCH: usize = 1024;

/// A closure run on the engine after the batch's commit.
pub(crate) type Query = Box<dyn FnOnce(&Engine, &Procs) + Send>;

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
                error!(%store_error, "commit failed; answering the batch with an error");
                for (reply, _) in pending {
                    let _ = reply.send(Err(HostError::Storage(store_error.to_string())));
                }
                return stop;
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
            query(&self.engine, &self.procs);
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

    async fn commit(&self, changes: &[Changes]) -> Result<(), tend_store::StoreError> {
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
}
