//! Hand-made rows for the checks: tasks (with an environment), events and notifications.

use tend_core::{
    Changes, ClosePolicy, Env, Event, EventKind, Kind, Notification, NotificationId,
    NotificationKind, OutputCounters, Reason, RunSpec, RunState, Sequences, State, StoredTask,
    Task, TaskId, Timestamp,
};

/// The instant samples are made at.
pub(super) const T0: i64 = 1_800_000_000_000;

/// Task `t<n>` of `session` in `state`, a shell task with a secret in its environment.
pub(super) fn task(n: u64, session: &str, state: State) -> StoredTask {
    let terminal = state.is_terminal();
    let at = Timestamp::from_millis(T0 + i64::try_from(n).unwrap_or(0));
    StoredTask {
        task: std::sync::Arc::new(Task {
            id: TaskId::new(n),
            kind: Kind::Shell,
            session: session.into(),
            parent: None,
            child_session: None,
            key: Some(format!("key-{n}")),
            name: format!("job {n}").into(),
            command: Some(vec!["sh".into(), "-c".into(), format!("echo {n} ü")].into()),
            cwd: Some("/tmp".into()),
            group: "default".into(),
            state,
            reason: terminal.then_some(Reason::Exited),
            exit_code: terminal.then_some(0),
            signal: None,
            summary: None,
            attempt: 1,
            max_attempts: 2,
            after: if n > 1 {
                vec![TaskId::new(n - 1)]
            } else {
                Vec::new()
            },
            pid: state
                .holds_slot()
                .then_some(4000 + u32::try_from(n).unwrap_or(0)),
            progress: None,
            output: Some(OutputCounters {
                total_bytes: 10 * n,
                dropped_bytes: 0,
            }),
            ports: if state.holds_slot() {
                vec![tend_core::ListeningPort {
                    port: 8000 + u16::try_from(n % 1000).unwrap_or(0),
                    address: "127.0.0.1".into(),
                    pid: 4000 + u32::try_from(n).unwrap_or(0),
                }]
            } else {
                Vec::new()
            },
            ready: None,
            ready_at: None,
            tty: None,
            close_policy: ClosePolicy::Cancel,
            timeout_ms: Some(60_000),
            idle_timeout_ms: None,
            created_at: at,
            started_at: (state != State::Pending).then_some(at),
            updated_at: at,
            finished_at: terminal.then_some(at.plus_ms(5)),
        }),
        spec: RunSpec {
            env: Env::new(vec![
                ("TOKEN".into(), format!("secret-{n}")),
                ("LANG".into(), "C.UTF-8".into()),
            ]),
            queue_timeout_ms: Some(1_000),
            ..RunSpec::default()
        },
        run: RunState {
            pending_since: Some(at),
            last_activity_at: Some(at.plus_ms(1)),
            evict_at: terminal.then_some(at.plus_ms(86_400_000)),
            ..RunState::default()
        },
    }
}

/// Event `seq` about `t<task>`.
pub(super) fn event(seq: u64, task: u64, session: &str) -> Event {
    Event {
        seq,
        at: Timestamp::from_millis(T0 + i64::try_from(seq).unwrap_or(0)),
        task_id: TaskId::new(task),
        session: session.into(),
        kind: EventKind::Started {
            attempt: 1,
            pid: Some(100),
        },
    }
}

/// Events `first..=last`, each about `t1`.
pub(super) fn events(first: u64, last: u64) -> Vec<Event> {
    (first..=last).map(|seq| event(seq, 1, "s1")).collect()
}

/// Notification `n<n>` that `t<task>` finished.
/// Notifications as a step carries them.
pub(super) fn shared(notifications: Vec<Notification>) -> Vec<std::sync::Arc<Notification>> {
    notifications.into_iter().map(std::sync::Arc::new).collect()
}

pub(super) fn notification(n: u64, task: u64, session: &str) -> Notification {
    Notification {
        id: NotificationId::new(n),
        session: session.into(),
        task_id: Some(TaskId::new(task)),
        kind: NotificationKind::TaskFinished,
        state: Some(State::Completed),
        reason: Some(Reason::Exited),
        exit_code: Some(0),
        name: Some(format!("job {task}").into()),
        text: format!("t{task} completed (exit 0)"),
        tasks: Vec::new(),
        created_at: Timestamp::from_millis(T0),
    }
}

/// An `all_finished` summary `n<n>` of `tasks`.
pub(super) fn summary(n: u64, session: &str, tasks: &[u64]) -> Notification {
    Notification {
        id: NotificationId::new(n),
        session: session.into(),
        task_id: None,
        kind: NotificationKind::AllFinished,
        state: None,
        reason: None,
        exit_code: None,
        name: None,
        text: format!("all {} tasks finished", tasks.len()),
        tasks: tasks.iter().copied().map(TaskId::new).collect(),
        created_at: Timestamp::from_millis(T0),
    }
}

/// Sequences.
pub(super) fn sequences(next_task: u64, next_event: u64, next_notification: u64) -> Sequences {
    Sequences {
        next_task,
        next_event,
        next_notification,
    }
}

/// Empty changes carrying `sequences`.
pub(super) fn changes(sequences: Sequences) -> Changes {
    Changes {
        sequences,
        ..Changes::default()
    }
}
