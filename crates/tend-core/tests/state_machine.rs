//! A property-based state machine: random sequences of every input kind over several sessions,
//! groups and parent/child trees, with a clock that moves by random amounts; the lifecycle's
//! invariants are checked after every step.
//!
//! `TEND_PROPTEST_CASES` sets the number of cases (default 5,000).

use std::collections::{BTreeMap, HashMap, HashSet};

use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use tend_core::{
    Action, ClosePolicy, CompleteTask, Config, CreateTask, Engine, Error, EventFilter, EventKind,
    ExitOutcome, Input, Kind, NotificationKind, ProgressReport, Reason, State, Step, TaskId,
    Timestamp,
};

const SESSIONS: [&str; 3] = ["alpha", "beta", "gamma"];
const GROUPS: [&str; 3] = ["default", "build", "test"];

/// One random operation. Task references are indexes into the ids issued so far (or, for
/// `Ref::Wild`, any number, so that unknown ids are exercised too).
#[derive(Debug, Clone)]
enum Op {
    CreateShell {
        session: usize,
        group: usize,
        after: Vec<Ref>,
        parent: Option<Ref>,
        key: Option<u8>,
        attempts: u32,
        timeout: Option<u64>,
        idle: Option<u64>,
        queue: Option<u64>,
        policy: u8,
    },
    CreateExternal {
        session: usize,
        group: usize,
        parent: Option<Ref>,
        key: Option<u8>,
        timeout: Option<u64>,
        idle: Option<u64>,
        policy: u8,
    },
    Stop {
        task: Ref,
        grace: Option<u64>,
    },
    Shutdown,
    Progress {
        task: Ref,
        state: u8,
    },
    Complete {
        task: Ref,
        state: u8,
    },
    /// A spawned task's process: started (mostly), failed to start, or never launched.
    Started {
        pick: usize,
        how: u8,
    },
    Exited {
        task: Ref,
        outcome: u8,
    },
    Output {
        task: Ref,
    },
    Advance {
        ms: u64,
    },
    Transfer {
        task: Ref,
        session: usize,
    },
    Close {
        session: usize,
        successor: Option<usize>,
    },
    Ack {
        session: usize,
    },
    SetLimit {
        group: usize,
        limit: u32,
    },
    Remove {
        task: Ref,
    },
    Resume,
}

#[derive(Debug, Clone, Copy)]
enum Ref {
    Issued(usize),
    Wild(u64),
}

fn arb_ref() -> impl Strategy<Value = Ref> {
    prop_oneof![9 => any::<usize>().prop_map(Ref::Issued), 1 => (0u64..60).prop_map(Ref::Wild)]
}

fn arb_duration() -> impl Strategy<Value = Option<u64>> {
    prop_oneof![3 => Just(None), 1 => (1u64..20_000).prop_map(Some)]
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..3usize, 0..3usize, prop::collection::vec(arb_ref(), 0..3), prop::option::weighted(0.3, arb_ref()),
              prop::option::weighted(0.3, 0u8..3), 1u32..4, arb_duration(), arb_duration(), arb_duration(), 0u8..3)
            .prop_map(|(session, group, after, parent, key, attempts, timeout, idle, queue, policy)| Op::CreateShell {
                session, group, after, parent, key, attempts, timeout, idle, queue, policy }),
        3 => (0..3usize, 0..3usize, prop::option::weighted(0.3, arb_ref()), prop::option::weighted(0.3, 0u8..3),
              arb_duration(), arb_duration(), 0u8..3)
            .prop_map(|(session, group, parent, key, timeout, idle, policy)| Op::CreateExternal {
                session, group, parent, key, timeout, idle, policy }),
        3 => (arb_ref(), prop::option::of(0u64..10_000)).prop_map(|(task, grace)| Op::Stop { task, grace }),
        1 => Just(Op::Shutdown),
        2 => (arb_ref(), 0u8..4).prop_map(|(task, state)| Op::Progress { task, state }),
        2 => (arb_ref(), 0u8..4).prop_map(|(task, state)| Op::Complete { task, state }),
        6 => (any::<usize>(), 0u8..20).prop_map(|(pick, how)| Op::Started { pick, how }),
        5 => (arb_ref(), 0u8..6).prop_map(|(task, outcome)| Op::Exited { task, outcome }),
        2 => arb_ref().prop_map(|task| Op::Output { task }),
        6 => prop_oneof![
                6 => 0u64..2_000,
                3 => 2_000u64..70_000,
                1 => 86_400_000u64..(40 * 86_400_000)
             ].prop_map(|ms| Op::Advance { ms }),
        1 => (arb_ref(), 0..3usize).prop_map(|(task, session)| Op::Transfer { task, session }),
        1 => (0..3usize, prop::option::of(0..3usize)).prop_map(|(session, successor)| Op::Close { session, successor }),
        2 => (0..3usize).prop_map(|session| Op::Ack { session }),
        2 => (0..3usize, 0u32..4).prop_map(|(group, limit)| Op::SetLimit { group, limit }),
        1 => arb_ref().prop_map(|task| Op::Remove { task }),
        1 => Just(Op::Resume),
    ]
}

fn policy(n: u8) -> ClosePolicy {
    match n {
        0 => ClosePolicy::Keep,
        1 => ClosePolicy::Cancel,
        _ => ClosePolicy::Transfer,
    }
}

/// What a terminal record says: state, reason, exit code, signal.
type Outcome = (State, Option<Reason>, Option<i32>, Option<String>);

/// The test's view of the world: what a runtime and a client would have observed.
#[derive(Default)]
struct World {
    now: i64,
    issued: Vec<TaskId>,
    /// Spawn actions not yet answered with started/failed.
    spawned: Vec<TaskId>,
    terminal: HashMap<TaskId, Outcome>,
    finished_events: HashMap<TaskId, u32>,
    finished_notifications: HashMap<TaskId, u32>,
    last_seq: u64,
    limits: HashMap<String, u32>,
}

impl World {
    fn resolve(&self, r: Ref) -> TaskId {
        match r {
            Ref::Issued(i) if !self.issued.is_empty() => self.issued[i % self.issued.len()],
            Ref::Issued(_) => TaskId::new(1),
            Ref::Wild(n) => TaskId::new(n),
        }
    }

    fn input(&mut self, op: &Op) -> Option<Input> {
        let session = |i: usize| SESSIONS[i].to_owned();
        Some(match op.clone() {
            Op::CreateShell {
                session: s,
                group,
                after,
                parent,
                key,
                attempts,
                timeout,
                idle,
                queue,
                policy: p,
            } => {
                let mut request = CreateTask::shell(session(s), ["sh", "-c", "work"]);
                request.group = Some(GROUPS[group].to_owned());
                request.after = after.into_iter().map(|r| self.resolve(r)).collect();
                request.parent = parent.map(|r| self.resolve(r));
                request.key = key.map(|k| format!("key-{k}"));
                request.max_attempts = Some(attempts);
                request.timeout_ms = timeout;
                request.idle_timeout_ms = idle;
                request.queue_timeout_ms = queue;
                request.close_policy = Some(policy(p));
                request.env = tend_core::Env::new(vec![("SECRET".into(), "hunter2".into())]);
                Input::Create(request)
            }
            Op::CreateExternal {
                session: s,
                group,
                parent,
                key,
                timeout,
                idle,
                policy: p,
            } => {
                let mut request = CreateTask::external(Kind::Subagent, session(s), "review");
                request.group = Some(GROUPS[group].to_owned());
                request.parent = parent.map(|r| self.resolve(r));
                request.key = key.map(|k| format!("key-{k}"));
                request.timeout_ms = timeout;
                request.idle_timeout_ms = idle;
                request.close_policy = Some(policy(p));
                Input::Create(request)
            }
            Op::Stop { task, grace } => Input::Stop {
                id: self.resolve(task),
                grace_ms: grace,
            },
            Op::Shutdown => Input::Shutdown {
                grace_ms: Some(1_000),
            },
            Op::Progress { task, state } => Input::Progress(ProgressReport {
                id: self.resolve(task),
                message: Some("working".into()),
                state: [
                    None,
                    Some(State::Running),
                    Some(State::Waiting),
                    Some(State::Completed),
                ][state as usize],
            }),
            Op::Complete { task, state } => Input::Complete(CompleteTask {
                id: self.resolve(task),
                state: [
                    State::Completed,
                    State::Failed,
                    State::Cancelled,
                    State::Running,
                ][state as usize],
                summary: Some("done".into()),
            }),
            Op::Started { pick, how } => {
                if self.spawned.is_empty() {
                    return None;
                }
                let id = self.spawned.remove(pick % self.spawned.len());
                match how {
                    0 | 1 => Input::SpawnFailed {
                        id,
                        message: "no such file or directory".into(),
                    },
                    2 => Input::NeverStarted { id },
                    _ => Input::ProcessStarted {
                        id,
                        pid: 1000 + id.number() as u32,
                    },
                }
            }
            Op::Exited { task, outcome } => Input::ProcessExited {
                id: self.resolve(task),
                outcome: match outcome {
                    0 | 1 => ExitOutcome::Exited(0),
                    2 => ExitOutcome::Exited(3),
                    3 => ExitOutcome::Signaled("SIGTERM".into()),
                    4 => ExitOutcome::Signaled("SIGKILL".into()),
                    _ => ExitOutcome::Lost,
                },
            },
            Op::Output { task } => Input::OutputGrew {
                id: self.resolve(task),
                total_bytes: self.now as u64,
                dropped_bytes: 0,
            },
            Op::Advance { ms } => {
                self.now += ms as i64;
                Input::TimerFired
            }
            Op::Transfer { task, session: s } => Input::Transfer {
                id: self.resolve(task),
                session: session(s),
            },
            Op::Close {
                session: s,
                successor,
            } => Input::CloseSession {
                session: session(s),
                successor: successor.map(session),
            },
            Op::Ack { session: _ } => return None, // built with the engine's outbox in `step`
            Op::SetLimit { group, limit } => Input::SetGroupLimit {
                group: GROUPS[group].to_owned(),
                limit,
            },
            Op::Remove { task } => Input::Remove {
                id: self.resolve(task),
            },
            Op::Resume => Input::Resume,
        })
    }
}

fn check_error(engine: &Engine, error: &Error) -> Result<(), TestCaseError> {
    match error {
        Error::TaskExpired { id } => prop_assert!(
            engine.was_issued(*id),
            "expired answered for never-issued {id}"
        ),
        Error::TaskNotFound { id } => prop_assert!(
            !engine.was_issued(*id),
            "not_found answered for issued {id}"
        ),
        _ => {}
    }
    Ok(())
}

fn check_step(
    engine: &Engine,
    world: &mut World,
    step: &Step,
    states_before: &HashMap<TaskId, State>,
) -> Result<(), TestCaseError> {
    // Sequence numbers: consecutive within and across steps.
    for event in &step.changes.events {
        prop_assert_eq!(
            event.seq,
            world.last_seq + 1,
            "event sequence skipped or repeated"
        );
        world.last_seq = event.seq;
        if let EventKind::Finished { task } = &event.kind {
            *world.finished_events.entry(task.id).or_default() += 1;
        }
        let json = serde_json::to_string(event).unwrap();
        prop_assert!(
            !json.contains("hunter2"),
            "an event carries the environment"
        );
    }
    for notification in &step.changes.notifications {
        if notification.kind == NotificationKind::TaskFinished {
            *world
                .finished_notifications
                .entry(notification.task_id.unwrap())
                .or_default() += 1;
        }
    }
    for action in &step.actions {
        if let Action::Spawn { task } = action {
            world.spawned.push(task.task.id);
        }
    }
    // Terminal states never change.
    for (id, before) in &world.terminal {
        match engine.get(*id) {
            Ok(task) => {
                let now = (task.state, task.reason, task.exit_code, task.signal.clone());
                prop_assert_eq!(&now, before, "terminal record of {} changed", id);
            }
            Err(Error::TaskExpired { .. }) => {}
            Err(other) => prop_assert!(false, "terminal {id} answered {other}"),
        }
    }
    for stored in engine.stored_tasks() {
        let task = &stored.task;
        if task.state.is_terminal() {
            world
                .terminal
                .entry(task.id)
                .or_insert_with(|| (task.state, task.reason, task.exit_code, task.signal.clone()));
        }
    }
    // Exactly one finished event and one task_finished notification per terminal task.
    for id in world.terminal.keys() {
        prop_assert_eq!(
            world.finished_events.get(id).copied().unwrap_or(0),
            1,
            "finished events of {}",
            id
        );
        prop_assert_eq!(
            world.finished_notifications.get(id).copied().unwrap_or(0),
            1,
            "notifications of {}",
            id
        );
    }
    for (id, n) in &world.finished_events {
        prop_assert!(*n <= 1 && world.terminal.contains_key(id));
    }
    // Slots: a start never exceeds the limit in force; FIFO among ready tasks of a group.
    let mut started_groups: BTreeMap<String, Vec<TaskId>> = BTreeMap::new();
    for stored in &step.changes.tasks {
        let task = &stored.task;
        if states_before.get(&task.id) == Some(&State::Pending) && task.state.holds_slot() {
            started_groups
                .entry(task.group.to_string())
                .or_default()
                .push(task.id);
        }
        prop_assert!(
            !serde_json::to_string(task).unwrap().contains("hunter2"),
            "a record carries the environment"
        );
    }
    for (group, started) in &started_groups {
        let status = engine.group_status(group);
        let limit = world.limits.get(group).copied().unwrap_or(0);
        prop_assert_eq!(status.limit, limit);
        if limit != 0 {
            prop_assert!(
                status.running <= limit,
                "group {} runs {} over limit {}",
                group,
                status.running,
                limit
            );
        }
        let newest = *started.iter().max().unwrap();
        for stored in engine.stored_tasks() {
            let task = &stored.task;
            let ready = task.state == State::Pending
                && stored.run.retry_at.is_none()
                && task.after.iter().all(|d| {
                    engine
                        .get(*d)
                        .map(|t| t.state == State::Completed)
                        .unwrap_or(true)
                });
            prop_assert!(
                !(ready && &task.group == group && task.id < newest),
                "{} started before the older ready {} of group {}",
                newest,
                task.id,
                group
            );
        }
    }
    // Filtered replay never yields another session's events.
    for session in SESSIONS {
        let filter = EventFilter {
            session: Some(session.to_owned()),
            task: None,
        };
        let oldest = engine.sequences().next_event.saturating_sub(200);
        if let Ok(page) = engine.events_after(oldest, &filter, 1000) {
            for event in page.events {
                prop_assert_eq!(&*event.session, session);
            }
        }
    }
    tend_core::invariants::check(engine).map_err(TestCaseError::fail)?;
    Ok(())
}

fn run_ops(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut engine = Engine::new(Config::default());
    let mut world = World {
        now: 1_800_000_000_000,
        ..World::default()
    };
    for op in ops {
        let input = match (&op, world.input(&op)) {
            (Op::Ack { session }, _) => {
                let session = SESSIONS[*session].to_owned();
                let ids = engine
                    .notifications(&session)
                    .iter()
                    .map(|n| n.id)
                    .collect();
                Input::Ack { session, ids }
            }
            (_, Some(input)) => input,
            (_, None) => continue,
        };
        if let Input::SetGroupLimit { group, limit } = &input {
            world.limits.insert(group.clone(), *limit);
        }
        let states_before: HashMap<TaskId, State> = engine
            .stored_tasks()
            .map(|s| (s.task.id, s.task.state))
            .collect();
        let seq_before = engine.sequences();
        let terminal_before: HashSet<TaskId> = world.terminal.keys().copied().collect();
        let is_stop = matches!(input, Input::Stop { .. });
        let stop_id = if let Input::Stop { id, .. } = &input {
            Some(*id)
        } else {
            None
        };
        match engine.handle(input, Timestamp::from_millis(world.now)) {
            Ok(step) => {
                if let Some(id) = stop_id.filter(|id| terminal_before.contains(id) && is_stop) {
                    prop_assert!(
                        step.changes.events.is_empty(),
                        "stop of terminal {} emitted events",
                        id
                    );
                    prop_assert!(
                        step.changes.tasks.is_empty(),
                        "stop of terminal {} changed records",
                        id
                    );
                }
                if let Some(issued) = step.changes.sequences.next_task.checked_sub(1) {
                    while (world.issued.len() as u64) < issued {
                        world
                            .issued
                            .push(TaskId::new(world.issued.len() as u64 + 1));
                    }
                }
                check_step(&engine, &mut world, &step, &states_before)?;
            }
            Err(error) => {
                check_error(&engine, &error)?;
                prop_assert_eq!(
                    engine.sequences(),
                    seq_before,
                    "a rejected input changed the sequences"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn lifecycle_invariants_hold_for_random_inputs() {
    let cases = std::env::var("TEND_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let mut runner = TestRunner::new(RunnerConfig {
        cases,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let strategy = prop::collection::vec(arb_op(), 1..60);
    if let Err(error) = runner.run(&strategy, run_ops) {
        panic!("{error}");
    }
}
