//! Regression tests, each named after the failure it prevents.

use tend_core::{
    ClosePolicy, CreateTask, Env, ErrorCode, EventFilter, ExitOutcome, Input, ListFilter,
    NotificationKind, ProgressReport, Reason, Signal, State, TaskId,
};

use crate::support::{
    DAY, Harness, SECOND, by_session, created, external, reply_task, shell, signals, spawned,
    step_all_finished, step_events, step_finished, was_created,
};

#[test]
fn failed_task_stays_queryable_and_notifies_once() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    h.exit(id, 2);
    h.advance(DAY);
    // Late observations of the same end add nothing.
    h.exit(id, 2);
    h.ended(id, ExitOutcome::Lost);
    h.stop(id, None);
    let task = h.assert_ended(id, State::Failed, Reason::Exited);
    assert_eq!(task.exit_code, Some(2));
    let listed = h.engine.list(&by_session("s"));
    assert_eq!(listed, vec![&task]);
    let failed = ListFilter {
        states: vec![State::Failed],
        ..Default::default()
    };
    assert_eq!(h.engine.list(&failed).len(), 1);
    let outbox = h.engine.notifications("s");
    assert_eq!(outbox.iter().filter(|n| n.task_id == Some(id)).count(), 1);
}

#[test]
fn stop_after_completion_changes_nothing_and_emits_no_event() {
    let mut h = Harness::new();
    let shell_task = h.run_shell("s");
    h.exit(shell_task, 0);
    let external_task = h.create_external("s", "review");
    h.complete(external_task, State::Completed, None);
    h.advance(SECOND);
    for id in [shell_task, external_task] {
        let before = h.observe();
        let record = h.task(id);
        for grace in [None, Some(0), Some(10 * SECOND)] {
            let step = h.stop(id, grace);
            assert_eq!(reply_task(&step), record);
            assert!(
                step.changes.is_empty() && step.actions.is_empty(),
                "{step:?}"
            );
            assert_eq!(step.changes.sequences, before.sequences);
        }
        h.advance(20 * SECOND);
        assert_eq!(h.observe().tasks, before.tasks);
    }
}

#[test]
fn complete_after_completion_is_a_conflict_carrying_the_unchanged_record() {
    let mut h = Harness::new();
    let id = h.create_external("s", "review");
    h.complete(id, State::Completed, Some("done"));
    let before = h.observe();
    let error = h.fail(Harness::complete_input(id, State::Failed, Some("oops")));
    assert_eq!(error.code(), ErrorCode::Conflict);
    let tend_core::Error::Conflict {
        task: Some(task), ..
    } = error
    else {
        panic!("conflict without the record: {error:?}")
    };
    assert_eq!(*task, h.task(id));
    assert_eq!(task.summary.as_deref(), Some("done"));
    assert_eq!(h.observe(), before);
}

#[test]
fn cancel_request_is_never_undone_by_a_progress_report() {
    let mut h = Harness::new();
    let id = h.create_external("s", "subagent");
    h.progress(id, Some("waiting for review"), Some(State::Waiting));
    h.stop(id, Some(10 * SECOND));
    for state in [Some(State::Running), Some(State::Waiting), None] {
        let step = h.progress(id, Some("still working"), state);
        assert_eq!(reply_task(&step).state, State::CancelRequested);
        assert_eq!(
            step_events(&step),
            vec![(id, "progress")],
            "no state_changed back"
        );
    }
    // The forced stop still comes at the original deadline.
    h.advance(10 * SECOND);
    h.assert_ended(id, State::Cancelled, Reason::Stopped);
}

#[test]
fn five_tasks_finishing_at_the_same_instant_give_five_notifications_and_one_all_finished() {
    let mut h = Harness::new();
    let ids: Vec<TaskId> = (0..5).map(|_| h.run_shell("s")).collect();
    h.advance(SECOND);
    for (i, &id) in ids.iter().enumerate() {
        let step = h.exit(id, i32::from(i == 2));
        assert_eq!(step_finished(&step), vec![id]);
        let summaries = step_all_finished(&step);
        if i < 4 {
            assert!(summaries.is_empty());
        } else {
            assert_eq!(summaries.len(), 1);
            assert_eq!(summaries[0].tasks, ids);
            assert_eq!(
                summaries[0].text,
                "all 5 tasks finished: 4 completed, 1 failed"
            );
        }
    }
    let outbox = h.engine.notifications("s");
    assert_eq!(outbox.len(), 6);
    for &id in &ids {
        assert_eq!(h.finished_notifications(id), 1);
    }
    assert_eq!(h.all_finished_notifications("s"), 1);
}

#[test]
fn five_tasks_ended_in_one_step_give_five_notifications_and_one_all_finished() {
    let mut h = Harness::new();
    let ids: Vec<TaskId> = (0..5)
        .map(|i| {
            let mut request = external("s", &format!("agent {i}"));
            request.close_policy = Some(ClosePolicy::Cancel);
            h.create(request).0
        })
        .collect();
    h.close("s", None);
    let step = h.advance(h.engine.config().default_grace_ms);
    assert_eq!(step_finished(&step), ids);
    let summaries = step_all_finished(&step);
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].tasks, ids);
    for &id in &ids {
        h.assert_ended(id, State::Cancelled, Reason::SessionClosed);
    }
    assert_eq!(h.engine.notifications("s").len(), 6);
}

#[test]
fn stopping_a_pending_task_never_starts_it_and_keeps_its_neighbours_queued_in_order() {
    let mut h = Harness::new();
    h.set_limit("g", 1);
    let running = h.create_in_group("s", "g");
    let queue: Vec<TaskId> = (0..3).map(|_| h.create_in_group("s", "g")).collect();
    let [first, stopped, last] = queue[..] else {
        unreachable!()
    };

    let step = h.stop(stopped, Some(SECOND));
    assert!(step.actions.is_empty());
    h.assert_ended(stopped, State::Cancelled, Reason::Stopped);
    assert_eq!(h.task(first).state, State::Pending);
    assert_eq!(h.task(last).state, State::Pending);
    let group = h.engine.group_status("g");
    assert_eq!((group.running, group.pending), (1, 2));

    h.started(running);
    assert_eq!(spawned(&h.exit(running, 0)), vec![first]);
    h.started(first);
    assert_eq!(spawned(&h.exit(first, 0)), vec![last]);
    h.advance(10 * SECOND);
    assert!(!h.ever_spawned(stopped));
    assert_eq!(h.task(stopped).started_at, None);
}

#[test]
fn stopping_a_task_in_retry_backoff_never_starts_it_again() {
    let mut h = Harness::new();
    let mut request = shell("s");
    request.max_attempts = Some(3);
    let (id, _) = h.create(request);
    h.started(id);
    h.exit(id, 1);
    assert_eq!(h.task(id).state, State::Pending);
    h.stop(id, None);
    h.assert_ended(id, State::Cancelled, Reason::Stopped);
    assert!(spawned(&h.advance(60 * SECOND)).is_empty());
    assert_eq!(h.log.iter().filter(|s| spawned(s).contains(&id)).count(), 1);
}

/// One way for the task holding the group's only slot to end.
struct Ending {
    name: &'static str,
    reason: (State, Reason),
    prepare: fn(CreateTask) -> CreateTask,
    end: fn(&mut Harness, TaskId, TaskId),
}

fn unchanged(request: CreateTask) -> CreateTask {
    request
}

#[test]
fn slot_is_released_on_every_terminal_path() {
    let endings = [
        Ending {
            name: "spawn failure",
            reason: (State::Failed, Reason::SpawnFailed),
            prepare: unchanged,
            end: |h, id, _| {
                h.spawn_failed(id, "permission denied");
            },
        },
        Ending {
            name: "exit",
            reason: (State::Failed, Reason::Exited),
            prepare: unchanged,
            end: |h, id, _| {
                h.started(id);
                h.exit(id, 1);
            },
        },
        Ending {
            name: "signal",
            reason: (State::Failed, Reason::Signaled),
            prepare: unchanged,
            end: |h, id, _| {
                h.started(id);
                h.killed_by(id, "SIGSEGV");
            },
        },
        Ending {
            name: "timeout",
            reason: (State::Failed, Reason::TimedOut),
            prepare: |mut r| {
                r.timeout_ms = Some(SECOND);
                r
            },
            end: |h, id, _| {
                h.started(id);
                h.advance(SECOND);
                h.killed_by(id, "SIGTERM");
            },
        },
        Ending {
            name: "stale",
            reason: (State::Failed, Reason::Stale),
            prepare: |mut r| {
                r.idle_timeout_ms = Some(SECOND);
                r
            },
            end: |h, id, _| {
                h.started(id);
                h.advance(SECOND);
                h.advance(h.engine.config().default_grace_ms);
                h.killed_by(id, "SIGKILL");
            },
        },
        Ending {
            name: "stop",
            reason: (State::Cancelled, Reason::Stopped),
            prepare: unchanged,
            end: |h, id, _| {
                h.started(id);
                h.stop(id, Some(SECOND));
                h.advance(SECOND);
                h.killed_by(id, "SIGKILL");
            },
        },
        Ending {
            name: "session close",
            reason: (State::Cancelled, Reason::SessionClosed),
            prepare: |mut r| {
                r.close_policy = Some(ClosePolicy::Cancel);
                r
            },
            end: |h, id, _| {
                h.started(id);
                h.close("s", None);
                h.exit(id, 143);
            },
        },
        Ending {
            name: "parent cancel",
            reason: (State::Cancelled, Reason::ParentCancelled),
            prepare: unchanged,
            end: |h, id, parent| {
                h.started(id);
                h.stop(parent, Some(0));
                h.killed_by(id, "SIGTERM");
            },
        },
        Ending {
            name: "lost",
            reason: (State::Failed, Reason::Lost),
            prepare: unchanged,
            end: |h, id, _| {
                h.started(id);
                h.ended(id, ExitOutcome::Lost);
            },
        },
        Ending {
            name: "external report",
            reason: (State::Failed, Reason::Reported),
            prepare: |r| CreateTask {
                group: r.group,
                parent: r.parent,
                ..external("s", "agent")
            },
            end: |h, id, _| {
                h.complete(id, State::Failed, None);
            },
        },
        Ending {
            name: "external forced stop",
            reason: (State::Cancelled, Reason::Stopped),
            prepare: |r| CreateTask {
                group: r.group,
                parent: r.parent,
                ..external("s", "agent")
            },
            end: |h, id, _| {
                h.stop(id, Some(SECOND));
                h.advance(SECOND);
            },
        },
        Ending {
            name: "external timeout",
            reason: (State::Failed, Reason::TimedOut),
            prepare: |r| CreateTask {
                group: r.group,
                parent: r.parent,
                timeout_ms: Some(SECOND),
                ..external("s", "agent")
            },
            end: |h, _, _| {
                h.advance(SECOND);
            },
        },
    ];
    for ending in endings {
        let mut h = Harness::new();
        h.set_limit("g", 1);
        let parent = h.create_external("p", "parent");
        let mut request = shell("s");
        request.group = Some("g".into());
        request.parent = Some(parent);
        let (victim, _) = h.create((ending.prepare)(request));
        let next = h.create_in_group("q", "g");
        assert_eq!(h.task(next).state, State::Pending, "{}", ending.name);

        (ending.end)(&mut h, victim, parent);

        let task = h.task(victim);
        assert_eq!(
            (task.state, task.reason),
            (ending.reason.0, Some(ending.reason.1)),
            "{}",
            ending.name
        );
        let ended_in = h
            .log
            .iter()
            .rev()
            .find(|s| step_finished(s).contains(&victim))
            .unwrap_or_else(|| panic!("{}: no terminal step", ending.name));
        assert_eq!(
            spawned(ended_in),
            vec![next],
            "{}: the next task starts in the same step",
            ending.name
        );
        let group = h.engine.group_status("g");
        assert_eq!((group.running, group.pending), (1, 0), "{}", ending.name);
        h.started(next);
        h.exit(next, 0);
        let group = h.engine.group_status("g");
        assert_eq!(
            (group.running, group.pending),
            (0, 0),
            "{}: nothing leaked",
            ending.name
        );
    }
}

#[test]
fn slot_is_released_on_dependency_failure_and_queue_timeout() {
    let mut h = Harness::new();
    h.set_limit("g", 1);
    let blocker = h.create_in_group("s", "g");
    let dependency = h.run_shell("s");
    let mut request = shell("s");
    request.group = Some("g".into());
    request.after = vec![dependency];
    let (doomed, _) = h.create(request);
    let mut request = shell("s");
    request.group = Some("g".into());
    request.queue_timeout_ms = Some(SECOND);
    let (impatient, _) = h.create(request);
    let next = h.create_in_group("s", "g");
    assert_eq!(h.engine.group_status("g").pending, 3);

    h.exit(dependency, 1);
    h.assert_ended(doomed, State::Failed, Reason::DependencyFailed);
    h.advance(SECOND);
    h.assert_ended(impatient, State::Failed, Reason::QueueTimeout);
    let group = h.engine.group_status("g");
    assert_eq!((group.running, group.pending), (1, 1));

    h.started(blocker);
    assert_eq!(spawned(&h.exit(blocker, 0)), vec![next]);
    assert!(!h.ever_spawned(doomed) && !h.ever_spawned(impatient));
    let group = h.engine.group_status("g");
    assert_eq!((group.running, group.pending), (1, 0));
}

#[test]
fn same_key_in_two_sessions_never_collides() {
    let mut h = Harness::new();
    let keyed = |session: &str| {
        let mut request = shell(session);
        request.key = Some("dev-server".into());
        request
    };
    let (a, step_a) = h.create(keyed("a"));
    let (b, step_b) = h.create(keyed("b"));
    assert!(was_created(&step_a) && was_created(&step_b));
    assert_ne!(a, b);
    assert_eq!(spawned(&step_b), vec![b]);
    assert_eq!(created(&h.handle(Input::Create(keyed("a")))).id, a);
    assert_eq!(created(&h.handle(Input::Create(keyed("b")))).id, b);
    h.started(a);
    h.exit(a, 0);
    assert_eq!(
        h.task(b).state,
        State::Running,
        "finishing a's task leaves b's alone"
    );
    assert_eq!(created(&h.handle(Input::Create(keyed("b")))).id, b);
    let step = h.handle(Input::Create(keyed("a")));
    assert!(was_created(&step));
    assert_ne!(created(&step).id, a);
}

#[test]
fn transfer_then_finish_notifies_the_new_session() {
    let mut h = Harness::new();
    let shell_task = h.run_shell("old");
    let external_task = h.create_external("old", "review");
    h.transfer(shell_task, "new");
    h.transfer(external_task, "new");
    h.exit(shell_task, 0);
    h.complete(external_task, State::Completed, None);
    assert!(h.engine.notifications("old").is_empty());
    let kinds: Vec<_> = h
        .engine
        .notifications("new")
        .iter()
        .map(|n| n.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            NotificationKind::TaskFinished,
            NotificationKind::TaskFinished,
            NotificationKind::AllFinished
        ]
    );
    let finished = EventFilter {
        session: Some("new".into()),
        task: Some(shell_task),
    };
    let page = h.engine.events_after(0, &finished, 100).unwrap();
    let types: Vec<_> = page.events.iter().map(|e| e.kind.type_name()).collect();
    assert_eq!(types, ["transferred", "finished"]);
}

#[test]
fn transferred_keyed_task_answers_for_its_key_in_the_new_session() {
    let mut h = Harness::new();
    let mut request = shell("old");
    request.key = Some("watch".into());
    let (id, _) = h.create(request.clone());
    h.transfer(id, "new");
    let step = h.handle(Input::Create(request.clone()));
    assert!(was_created(&step), "the old session's key is free");
    request.session = "new".into();
    let step = h.handle(Input::Create(request));
    assert!(!was_created(&step));
    assert_eq!(created(&step).id, id);
}

#[test]
fn lagging_consumer_can_replay_every_event_it_missed() {
    let mut h = Harness::new();
    let first = h.run_shell("a");
    let seen = h.engine.sequences().next_event - 1;
    h.set_limit("g", 1);
    for session in ["a", "b", "c"] {
        let id = h.create_in_group(session, "g");
        let ext = h.create_external(session, "agent");
        h.progress(ext, Some("half way"), Some(State::Waiting));
        h.started(id);
        h.exit(id, 0);
        h.stop(ext, Some(SECOND));
    }
    h.transfer(first, "b");
    h.advance(SECOND);
    h.exit(first, 1);

    let missed: Vec<_> = h.all_events().filter(|e| e.seq > seen).cloned().collect();
    assert!(missed.len() > 20);
    let all = EventFilter::default();
    let page = h.engine.events_after(seen, &all, usize::MAX).unwrap();
    assert_eq!(page.events, missed);
    assert_eq!(page.next_after, h.engine.sequences().next_event - 1);
    let seqs: Vec<u64> = page.events.iter().map(|e| e.seq).collect();
    let expected: Vec<u64> = (seen + 1..h.engine.sequences().next_event).collect();
    assert_eq!(seqs, expected, "consecutive, no gaps");

    // Paging through in small pages yields the same events.
    let mut after = seen;
    let mut paged = Vec::new();
    loop {
        let page = h.engine.events_after(after, &all, 3).unwrap();
        if page.events.is_empty() {
            break;
        }
        assert!(page.events.len() <= 3);
        paged.extend(page.events);
        after = page.next_after;
    }
    assert_eq!(paged, missed);

    // A consumer of one session sees exactly that session's events, never another's.
    let only_b = EventFilter {
        session: Some("b".into()),
        task: None,
    };
    let page = h.engine.events_after(seen, &only_b, usize::MAX).unwrap();
    let expected: Vec<_> = missed
        .iter()
        .filter(|e| &*e.session == "b")
        .cloned()
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(page.events, expected);
}

#[test]
fn env_never_appears_in_debug_or_serialised_records_events_or_notifications() {
    const SECRET: &str = "hunter2-do-not-show";
    let mut h = Harness::new();
    let mut request = shell("s");
    request.env = Env::new(vec![("API_TOKEN".into(), SECRET.into())]);
    request.max_attempts = Some(2);
    assert!(!format!("{request:?}").contains(SECRET));
    let (id, step) = h.create(request);
    h.started(id);
    h.exit(id, 1);
    h.advance(SECOND);
    h.started(id);
    h.exit(id, 0);

    let hidden = |text: String, what: &str| assert!(!text.contains(SECRET), "{what}: {text}");
    hidden(format!("{step:?}"), "create step");
    hidden(format!("{:?}", h.engine), "engine");
    hidden(format!("{:?}", h.task(id)), "record");
    hidden(
        serde_json::to_string(&h.task(id)).unwrap(),
        "serialised record",
    );
    for step in &h.log {
        hidden(format!("{step:?}"), "step");
        hidden(format!("{:#?}", step.actions), "actions");
        for event in &step.changes.events {
            hidden(serde_json::to_string(event).unwrap(), "event");
        }
        for notification in &step.changes.notifications {
            hidden(serde_json::to_string(notification).unwrap(), "notification");
        }
    }
    let page = h
        .engine
        .events_after(0, &EventFilter::default(), usize::MAX)
        .unwrap();
    hidden(serde_json::to_string(&page).unwrap(), "event page");

    // The process runner gets it; the serialised stored form, which stores write, does not.
    let stored = h.engine.stored(id).unwrap();
    assert_eq!(
        stored.spec.env.vars(),
        [("API_TOKEN".to_owned(), SECRET.to_owned())]
    );
    hidden(serde_json::to_string(stored).unwrap(), "stored task");
    let Some(tend_core::Action::Spawn { task }) = step.actions.first() else {
        unreachable!()
    };
    assert_eq!(task.spec.env.vars()[0].1, SECRET);
}

#[test]
fn invalid_inputs_are_errors_that_change_nothing() {
    let mut h = Harness::new();
    let running = h.run_shell("s");
    let mut request = shell("s");
    request.key = Some("k".into());
    let (keyed, _) = h.create(request);
    let agent = h.create_external("s", "agent");
    let done = h.run_shell("s");
    h.exit(done, 0);
    let done_agent = h.create_external("s", "finished agent");
    h.complete(done_agent, State::Failed, None);
    h.set_limit("g", 1);
    let holder = h.create_in_group("s", "g");
    let mut pending = external("s", "queued");
    pending.group = Some("g".into());
    let (queued, _) = h.create(pending);
    let gone = h.run_shell("s");
    h.exit(gone, 0);
    h.handle(Input::Remove { id: gone });
    let never = TaskId::new(10_000);
    let too_long = 365 * DAY + 1;

    let with = |f: fn(&mut CreateTask)| {
        let mut request = shell("s");
        f(&mut request);
        Input::Create(request)
    };
    let progress =
        |id, message: Option<String>, state| Input::Progress(ProgressReport { id, message, state });
    let transfer = |id, session: &str| Input::Transfer {
        id,
        session: session.into(),
    };
    let close = |session: &str, successor: Option<&str>| Input::CloseSession {
        session: session.into(),
        successor: successor.map(Into::into),
    };
    let exited = |id| Input::ProcessExited {
        id,
        outcome: ExitOutcome::Exited(0),
    };
    let stop = |id, grace_ms| Input::Stop { id, grace_ms };
    let limit = |group: &str, limit| Input::SetGroupLimit {
        group: group.into(),
        limit,
    };
    let complete = Harness::complete_input;

    let invalid: Vec<(&str, Input)> = vec![
        ("empty session", with(|r| r.session = String::new())),
        ("session with space", with(|r| r.session = "a b".into())),
        ("non-ascii session", with(|r| r.session = "sé".into())),
        ("long session", with(|r| r.session = "s".repeat(129))),
        ("empty key", with(|r| r.key = Some(String::new()))),
        ("key with newline", with(|r| r.key = Some("a\nb".into()))),
        ("long key", with(|r| r.key = Some("k".repeat(257)))),
        ("bad group", with(|r| r.group = Some("a/b c".into()))),
        ("zero timeout", with(|r| r.timeout_ms = Some(0))),
        ("zero idle timeout", with(|r| r.idle_timeout_ms = Some(0))),
        ("zero queue timeout", with(|r| r.queue_timeout_ms = Some(0))),
        ("huge timeout", with(|r| r.timeout_ms = Some(365 * DAY + 1))),
        (
            "huge idle timeout",
            with(|r| r.idle_timeout_ms = Some(u64::MAX)),
        ),
        (
            "huge queue timeout",
            with(|r| r.queue_timeout_ms = Some(365 * DAY + 1)),
        ),
        ("zero attempts", with(|r| r.max_attempts = Some(0))),
        ("too many attempts", with(|r| r.max_attempts = Some(101))),
        ("no command", with(|r| r.command = Some(Vec::new()))),
        (
            "empty program",
            with(|r| r.command = Some(vec![String::new()])),
        ),
        (
            "unknown after",
            with(|r| r.after = vec![TaskId::new(10_000)]),
        ),
        ("after t0", with(|r| r.after = vec![TaskId::new(0)])),
        (
            "unknown parent",
            with(|r| r.parent = Some(TaskId::new(10_000))),
        ),
        ("external without name", Input::Create(external("s", ""))),
        ("external with command", {
            let command = Some(vec!["ls".into()]);
            Input::Create(CreateTask {
                command,
                ..external("s", "x")
            })
        }),
        ("huge grace", stop(running, Some(too_long))),
        (
            "huge shutdown grace",
            Input::Shutdown {
                grace_ms: Some(too_long),
            },
        ),
        ("transfer to the same session", transfer(running, "s")),
        ("transfer to a bad session", transfer(running, "no way")),
        ("close a bad session", close("", None)),
        ("close with itself as successor", close("s", Some("s"))),
        ("close with a bad successor", close("s", Some("a b"))),
        (
            "ack a bad session",
            Input::Ack {
                session: "a b".into(),
                ids: Vec::new(),
            },
        ),
        ("group limit too large", limit("g", 100_001)),
        ("bad group name", limit("", 1)),
        ("progress of a shell task", progress(running, None, None)),
        (
            "progress to a terminal state",
            progress(agent, None, Some(State::Completed)),
        ),
        (
            "progress too long",
            progress(agent, Some("x".repeat(64 * 1024 + 1)), None),
        ),
        (
            "complete a shell task",
            complete(running, State::Completed, None),
        ),
        (
            "complete to a live state",
            complete(agent, State::Running, None),
        ),
        (
            "started external",
            Input::ProcessStarted { id: agent, pid: 1 },
        ),
        ("exited external", exited(agent)),
        (
            "spawn failed external",
            Input::SpawnFailed {
                id: agent,
                message: "x".into(),
            },
        ),
        (
            "output of external",
            Input::OutputGrew {
                id: agent,
                total_bytes: 1,
                dropped_bytes: 0,
            },
        ),
    ];
    let not_found: Vec<(&str, Input)> = vec![
        ("stop never issued", stop(never, None)),
        ("stop t0", stop(TaskId::new(0), None)),
        ("transfer never issued", transfer(never, "t")),
        ("remove never issued", Input::Remove { id: never }),
        (
            "complete never issued",
            complete(never, State::Completed, None),
        ),
        (
            "started never issued",
            Input::ProcessStarted { id: never, pid: 1 },
        ),
    ];
    let expired: Vec<(&str, Input)> = vec![
        ("stop removed", stop(gone, None)),
        ("exited removed", exited(gone)),
        ("transfer removed", transfer(gone, "t")),
    ];
    let conflict: Vec<(&str, Input)> = vec![
        ("transfer a terminal task", transfer(done, "t")),
        ("remove a live task", Input::Remove { id: keyed }),
        (
            "progress starting a pending task",
            progress(queued, None, Some(State::Running)),
        ),
        (
            "complete a terminal task",
            complete(done_agent, State::Completed, None),
        ),
    ];
    let cases = [
        (invalid, ErrorCode::InvalidArgument),
        (not_found, ErrorCode::NotFound),
        (expired, ErrorCode::Expired),
        (conflict, ErrorCode::Conflict),
    ]
    .into_iter()
    .flat_map(|(inputs, code)| {
        inputs
            .into_iter()
            .map(move |(label, input)| (label, input, code))
    });
    for (label, input, code) in cases {
        let before = h.observe();
        let error = h.fail(input);
        assert_eq!(error.code(), code, "{label}: {error}");
        assert_eq!(h.observe(), before, "{label} changed something");
    }
    for bad in [
        "",
        "t",
        "t0",
        "t01",
        "x1",
        "1",
        "t-1",
        "t1 ",
        "t99999999999999999999",
    ] {
        let error = bad.parse::<TaskId>().unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidArgument, "{bad:?}");
    }
    assert_eq!(h.task(keyed).state, State::Running);
    assert_eq!(h.task(holder).state, State::Running);
    assert_eq!(h.task(queued).state, State::Pending);
}

#[test]
fn group_limit_answer_shows_the_group_after_the_change() {
    let mut h = Harness::new();
    h.set_limit("g", 1);
    for _ in 0..4 {
        h.create_in_group("s", "g");
    }
    let step = h.set_limit("g", 3);
    assert_eq!(spawned(&step).len(), 2);
    let tend_core::Reply::Group(answer) = &step.reply else {
        panic!("{:?}", step.reply)
    };
    assert_eq!(
        *answer,
        h.engine.group_status("g"),
        "the answer matches the group after the step"
    );
}

#[test]
fn finished_event_carries_the_record_exactly_as_stored() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    h.advance(5 * SECOND);
    let step = h.exit(id, 0);
    let record = h.task(id);
    assert_eq!(record.updated_at, record.finished_at.unwrap());
    let carried = step
        .changes
        .events
        .iter()
        .find_map(crate::support::finished_record)
        .unwrap();
    assert_eq!(
        *carried, record,
        "a client reading the finished event sees the stored record"
    );
}

#[test]
fn a_stop_during_a_timeout_is_not_undone_by_a_retry() {
    // A task whose timeout has fired is being stopped (SIGTERM sent); a stop by request, a
    // session close, a parent's cancellation or a shutdown arrives before the process is gone.
    // Whatever the final reason, the task must end: it is not retried and never starts again.
    type Cancel = fn(&mut Harness, TaskId, TaskId);
    let causes: [(&str, Cancel); 4] = [
        ("stop", |h, id, _| {
            h.stop(id, None);
        }),
        ("session close", |h, _, _| {
            h.close("s", None);
        }),
        ("parent cancel", |h, _, parent| {
            h.stop(parent, Some(0));
        }),
        ("shutdown", |h, _, _| {
            h.handle(Input::Shutdown { grace_ms: None });
        }),
    ];
    let mut retried = Vec::new();
    for (name, cancel) in causes {
        let mut h = Harness::new();
        let parent = h.create_external("p", "agent");
        let mut request = shell("s");
        request.timeout_ms = Some(SECOND);
        request.max_attempts = Some(3);
        request.close_policy = Some(ClosePolicy::Cancel);
        request.parent = Some(parent);
        let (id, _) = h.create(request);
        h.started(id);
        h.advance(SECOND);
        assert_eq!(h.task(id).state, State::CancelRequested, "{name}");
        cancel(&mut h, id, parent);
        h.killed_by(id, "SIGTERM");
        h.advance(60 * SECOND);
        let spawns = h.log.iter().filter(|s| spawned(s).contains(&id)).count();
        if !h.task(id).state.is_terminal() || spawns > 1 || h.count_events(id, "retrying") > 0 {
            retried.push(name);
        }
    }
    assert!(
        retried.is_empty(),
        "cancelled tasks were retried after: {retried:?}"
    );
}

#[test]
fn children_of_a_parent_that_reports_itself_cancelled_do_not_run_on() {
    // The reasons table: `cancelled`/`parent_cancelled` when "its parent task was cancelled".
    let mut h = Harness::new();
    let parent = h.create_external("s", "subagent");
    let mut request = shell("s");
    request.parent = Some(parent);
    let (child, _) = h.create(request);
    h.started(child);
    let step = h.complete(parent, State::Cancelled, Some("interrupted by the user"));
    h.assert_ended(parent, State::Cancelled, Reason::Stopped);
    assert_eq!(
        signals(&step),
        vec![(child, Signal::Term)],
        "the child is stopped too"
    );
    h.killed_by(child, "SIGTERM");
    h.assert_ended(child, State::Cancelled, Reason::ParentCancelled);
}

#[test]
fn child_registered_while_its_parent_is_being_stopped_does_not_outlive_it() {
    let mut h = Harness::new();
    let parent = h.create_external("s", "subagent");
    h.stop(parent, Some(5 * SECOND));
    let mut request = shell("s");
    request.parent = Some(parent);
    let (child, _) = h.create(request);
    h.started(child);
    let step = h.advance(5 * SECOND);
    h.assert_ended(parent, State::Cancelled, Reason::Stopped);
    let child_state = h.task(child).state;
    assert!(
        child_state != State::Running || signals(&step).contains(&(child, Signal::Term)),
        "the child of a cancelled parent runs on"
    );
}

/// Records are shared, not copied: a terminal step hands the same record to the `finished`
/// event and to the changes, and the first terminal step of a task nobody else holds copies
/// nothing (a copy per step made every lifecycle allocate several records).
#[test]
fn terminal_step_shares_one_record_between_its_event_and_its_changes() {
    use std::sync::Arc;
    use tend_core::{Config, Engine, EventKind, Reply, Timestamp};

    let mut engine = Engine::new(Config::default());
    let now = Timestamp::from_millis(1_800_000_000_000);
    let step = engine.handle(Input::Create(shell("s")), now).unwrap();
    let Reply::Created { task, .. } = step.reply else {
        panic!("not created")
    };
    let id = task.id;
    drop((task, step.changes, step.actions));
    engine
        .handle(Input::ProcessStarted { id, pid: 7 }, now)
        .unwrap();
    let step = engine
        .handle(
            Input::ProcessExited {
                id,
                outcome: ExitOutcome::Exited(0),
            },
            now.plus_ms(5),
        )
        .unwrap();
    let finished = step
        .changes
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Finished { task } => Some(task),
            _ => None,
        })
        .expect("a finished event");
    let stored = &step.changes.tasks[0].task;
    assert!(Arc::ptr_eq(finished, stored), "event and changes share it");
    assert_eq!(stored.state, State::Completed);
    // The table, the event log, the step's event and its changes: one record, four holders.
    assert_eq!(Arc::strong_count(stored), 4);
}

/// A start recorded just before the runtime died, whose process was never launched, is launched
/// at recovery instead of being reported lost: the command never ran, so running it loses nothing.
#[test]
fn a_task_whose_process_was_never_launched_runs_at_recovery() {
    let mut h = Harness::new();
    let id = h.create_shell("s");
    h.advance(10 * SECOND);
    let step = h.handle(Input::NeverStarted { id });
    assert_eq!(spawned(&step), vec![id], "launched again");
    let task = h.task(id);
    assert_eq!((task.state, task.attempt), (State::Running, 1));
    assert_eq!(task.started_at, Some(h.now), "its run time starts now");
    assert!(step_finished(&step).is_empty());
    h.started(id);
    h.exit(id, 0);
    h.assert_ended(id, State::Completed, Reason::Exited);
    assert_eq!(h.finished_notifications(id), 1);
}

/// A stop that was waiting for a process that never existed ends the task with the stop's
/// outcome instead of launching it.
#[test]
fn a_stopped_task_whose_process_was_never_launched_is_not_launched() {
    let mut h = Harness::new();
    let id = h.create_shell("s");
    h.stop(id, Some(60 * SECOND));
    assert_eq!(h.state(id).0, State::CancelRequested);
    let step = h.handle(Input::NeverStarted { id });
    assert!(spawned(&step).is_empty());
    h.assert_ended(id, State::Cancelled, Reason::Stopped);
    assert_eq!(h.finished_notifications(id), 1);
}

/// Only a task whose process was never seen is launched again.
#[test]
fn never_started_changes_nothing_for_a_task_whose_process_was_seen() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    let step = h.handle(Input::NeverStarted { id });
    assert!(spawned(&step).is_empty() && step.changes.is_empty());
    h.exit(id, 0);
    let step = h.handle(Input::NeverStarted { id });
    assert!(spawned(&step).is_empty() && step.changes.is_empty());
    h.assert_ended(id, State::Completed, Reason::Exited);
}
