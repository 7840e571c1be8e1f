//! The end-to-end check: a real engine run committed step by step, then restored from the store.

use tend_core::{
    Action, ClosePolicy, CompleteTask, Config, CreateTask, Engine, Env, Error, Event, EventFilter,
    ExitOutcome, Input, Kind, ListFilter, Notification, ProgressReport, State, Step, TaskId,
    Timestamp, invariants,
};

use super::samples::T0;
use super::{Fixture, all_as_stored, commit, load};

/// How many inputs the run feeds.
const INPUTS: usize = 400;

/// A small deterministic generator (xorshift64*), so that a failure replays exactly.
#[derive(Debug)]
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }

    /// True with probability `percent`%.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.below(items.len())].clone())
    }
}

/// Settings short enough for eviction, retries and timeouts to happen within the run.
fn config() -> Config {
    Config {
        retention_ms: 3_000,
        unacked_retention_ms: 8_000,
        default_grace_ms: 200,
        retry_base_ms: 50,
        retry_cap_ms: 400,
        groups: vec![("build".into(), 2)],
    }
}

const SESSIONS: [&str; 3] = ["s1", "s2", "s3"];

/// The engine under test and what the runtime around it would know.
struct Run {
    engine: Engine,
    dice: Dice,
    now: Timestamp,
    /// Shell tasks the engine asked to spawn that have not started yet.
    to_spawn: Vec<TaskId>,
}

impl Run {
    fn ids(&self, filter: &ListFilter) -> Vec<TaskId> {
        self.engine.list(filter).iter().map(|t| t.id).collect()
    }

    fn live(&self, kind_shell: bool) -> Vec<TaskId> {
        self.engine
            .list(&ListFilter {
                active: true,
                ..ListFilter::default()
            })
            .iter()
            .filter(|t| t.kind.is_shell() == kind_shell)
            .map(|t| t.id)
            .collect()
    }

    fn create(&mut self) -> Input {
        let session = SESSIONS[self.dice.below(SESSIONS.len())];
        let mut request = if self.dice.chance(75) {
            let mut shell = CreateTask::shell(session, ["sh", "-c", "make test"]);
            shell.env = Env::new(vec![(
                "TOKEN".into(),
                format!("secret-{}", self.dice.below(1000)),
            )]);
            if self.dice.chance(30) {
                shell.max_attempts = Some(2);
            }
            if self.dice.chance(20) {
                shell.timeout_ms = Some(300);
            }
            shell
        } else {
            CreateTask::external(Kind::Subagent, session, "review")
        };
        if self.dice.chance(40) {
            request.group = Some("build".into());
        }
        if self.dice.chance(20) {
            request.key = Some(format!("k{}", self.dice.below(5)));
        }
        if self.dice.chance(15) {
            let all = self.ids(&ListFilter::default());
            request.after = self.dice.pick(&all).into_iter().collect();
        }
        request.close_policy = Some(match self.dice.below(3) {
            0 => ClosePolicy::Keep,
            1 => ClosePolicy::Cancel,
            _ => ClosePolicy::Transfer,
        });
        Input::Create(request)
    }

    /// The next input, chosen among those that make sense now (some are refused anyway: that
    /// is part of the run).
    fn input(&mut self) -> Input {
        let shells = self.live(true);
        let externals = self.live(false);
        let any = self.ids(&ListFilter::default());
        match self.dice.below(20) {
            0..=4 => self.create(),
            5..=7 if !self.to_spawn.is_empty() => {
                let id = self.to_spawn.remove(self.dice.below(self.to_spawn.len()));
                if self.dice.chance(10) {
                    Input::SpawnFailed {
                        id,
                        message: "no such file".into(),
                    }
                } else {
                    Input::ProcessStarted {
                        id,
                        pid: 1000 + u32::try_from(id.number()).unwrap_or(0),
                    }
                }
            }
            8..=10 if !shells.is_empty() => Input::ProcessExited {
                id: shells[self.dice.below(shells.len())],
                outcome: match self.dice.below(6) {
                    0 => ExitOutcome::Exited(1),
                    1 => ExitOutcome::Signaled("SIGKILL".into()),
                    2 => ExitOutcome::Lost,
                    _ => ExitOutcome::Exited(0),
                },
            },
            11 if !externals.is_empty() => Input::Progress(ProgressReport {
                id: externals[self.dice.below(externals.len())],
                message: Some("halfway".into()),
                state: Some(if self.dice.chance(50) {
                    State::Waiting
                } else {
                    State::Running
                }),
            }),
            12 if !externals.is_empty() => Input::Complete(CompleteTask {
                id: externals[self.dice.below(externals.len())],
                state: [State::Completed, State::Failed, State::Cancelled][self.dice.below(3)],
                summary: Some("done".into()),
            }),
            13 if !any.is_empty() => Input::Stop {
                id: any[self.dice.below(any.len())],
                grace_ms: None,
            },
            14 => {
                let session = SESSIONS[self.dice.below(SESSIONS.len())];
                let queued: Vec<_> = self
                    .engine
                    .notifications(session)
                    .iter()
                    .map(|n| n.id)
                    .collect();
                let ids = queued
                    .into_iter()
                    .filter(|_| self.dice.chance(70))
                    .collect();
                Input::Ack {
                    session: session.into(),
                    ids,
                }
            }
            15 => Input::SetGroupLimit {
                group: "build".into(),
                limit: u32::try_from(self.dice.below(4)).unwrap_or(0),
            },
            16 if !any.is_empty() => Input::Remove {
                id: any[self.dice.below(any.len())],
            },
            17 if !any.is_empty() && self.dice.chance(30) => Input::Transfer {
                id: any[self.dice.below(any.len())],
                session: SESSIONS[self.dice.below(SESSIONS.len())].into(),
            },
            18 if self.dice.chance(15) => Input::CloseSession {
                session: SESSIONS[self.dice.below(SESSIONS.len())].into(),
                successor: self
                    .dice
                    .chance(50)
                    .then(|| SESSIONS[self.dice.below(SESSIONS.len())].into()),
            },
            _ => Input::TimerFired,
        }
    }

    fn note(&mut self, step: &Step) {
        for action in &step.actions {
            if let Action::Spawn { task } = action {
                self.to_spawn.push(task.task.id);
            }
        }
    }
}

/// Every retained event of `engine`.
fn retained_events(engine: &Engine) -> Vec<Event> {
    let all = EventFilter::default();
    match engine.events_after(0, &all, usize::MAX) {
        Ok(page) => page.events,
        Err(Error::EventsExpired { oldest_seq, .. }) => engine
            .events_after(oldest_seq - 1, &all, usize::MAX)
            .map(|page| page.events)
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

fn notifications(engine: &Engine) -> Vec<Notification> {
    let mut all: Vec<_> = engine.all_notifications().cloned().collect();
    all.sort_by_key(|n| n.id);
    all
}

/// Drives an engine through a few hundred mixed inputs, committing every step's changes (alone
/// or grouped in batches of up to eight steps), then restores an engine from the store: it holds
/// the same tasks (stored form), notifications, events, group limits and sequences, and passes
/// the engine's invariant checks.
pub async fn engine_run_restores<F: Fixture>(fixture: &mut F) {
    let store = fixture.fresh().await;
    let mut run = Run {
        engine: Engine::new(config()),
        dice: Dice(0x9e37_79b9_7f4a_7c15),
        now: Timestamp::from_millis(T0),
        to_spawn: Vec::new(),
    };
    let mut pending = Vec::new();
    let mut batch_size = 1;
    let mut accepted = 0;
    for index in 0..INPUTS {
        run.now = run.now.plus_ms(run.dice.below(60) as u64);
        let input = run.input();
        let Ok(step) = run.engine.handle(input, run.now) else {
            continue;
        };
        accepted += 1;
        run.note(&step);
        pending.push(step.changes);
        if pending.len() >= batch_size {
            commit(&store, &pending, &format!("engine run, input {index}")).await;
            pending.clear();
            batch_size = 1 + run.dice.below(8);
        }
    }
    commit(&store, &pending, "engine run, last batch").await;
    assert!(
        accepted > INPUTS / 2,
        "the run should be mostly accepted inputs"
    );

    let store = fixture.reopen(store).await;
    let snapshot = load(&store, "engine run").await;
    let restored = match Engine::restore(config(), snapshot) {
        Ok(engine) => engine,
        Err(error) => panic!("the stored state does not restore: {error}"),
    };
    let original = &run.engine;
    if let Err(violation) = invariants::check(&restored) {
        panic!("restored engine breaks an invariant: {violation}");
    }
    let expected = all_as_stored(original.stored_tasks());
    let actual: Vec<_> = restored.stored_tasks().cloned().collect();
    assert_eq!(actual, expected, "restored tasks differ");
    assert_eq!(
        notifications(&restored),
        notifications(original),
        "restored notifications differ"
    );
    assert_eq!(
        retained_events(&restored),
        retained_events(original),
        "restored events differ"
    );
    assert_eq!(restored.sequences(), original.sequences());
    for group in original.groups() {
        assert_eq!(
            restored.group_status(&group.name),
            group,
            "group {} differs",
            group.name
        );
    }
    // The run must have reached the paths worth checking: evictions and pruned events.
    assert!(
        original.len() as u64 + 10 < original.sequences().next_task,
        "the run evicted too few tasks"
    );
    assert!(
        retained_events(original)
            .first()
            .is_some_and(|event| event.seq > 1),
        "the run pruned no events"
    );
}
