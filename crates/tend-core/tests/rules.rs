//! Table tests of the contract: one test per row of the reasons table, and tests for each
//! numbered lifecycle rule, asserting what a user of tend would notice.

use tend_core::{
    ClosePolicy, Config, ErrorCode, EventFilter, EventKind, ExitOutcome, Input, NotificationKind,
    Reason, Signal, State, TaskId,
};

use crate::support::{
    DAY, Harness, SECOND, by_session, created, external, reply_ids, reply_task, shell, signals,
    spawned, step_all_finished, step_events, step_finished, was_created,
};

// ---------------------------------------------------------------------------------------------
// The reasons table: each state/reason pair, reached through the engine.
// ---------------------------------------------------------------------------------------------

#[test]
fn reason_completed_exited_when_the_command_exits_zero() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    h.exit(id, 0);
    let task = h.assert_ended(id, State::Completed, Reason::Exited);
    assert_eq!((task.exit_code, task.signal), (Some(0), None));
}

#[test]
fn reason_completed_reported_when_an_external_task_reports_completion() {
    let mut h = Harness::new();
    let id = h.create_external("s", "review");
    h.complete(id, State::Completed, Some("looks good"));
    let task = h.assert_ended(id, State::Completed, Reason::Reported);
    assert_eq!(task.summary.as_deref(), Some("looks good"));
}

#[test]
fn reason_failed_exited_with_the_exit_code() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    h.exit(id, 3);
    let task = h.assert_ended(id, State::Failed, Reason::Exited);
    assert_eq!((task.exit_code, task.signal), (Some(3), None));
}

#[test]
fn reason_failed_signaled_with_the_signal() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    h.killed_by(id, "SIGSEGV");
    let task = h.assert_ended(id, State::Failed, Reason::Signaled);
    assert_eq!(
        (task.exit_code, task.signal.as_deref()),
        (None, Some("SIGSEGV"))
    );
}

#[test]
fn reason_failed_timed_out_for_a_shell_task_after_its_process_is_gone() {
    let mut h = Harness::new();
    let mut request = shell("s");
    request.timeout_ms = Some(10 * SECOND);
    let (id, _) = h.create(request);
    h.started(id);

    let step = h.advance(10 * SECOND - 1);
    assert!(signals(&step).is_empty());
    assert_eq!(h.task(id).state, State::Running);

    let step = h.advance(1);
    assert_eq!(signals(&step), vec![(id, Signal::Term)]);
    assert_eq!(h.task(id).state, State::CancelRequested);
    assert_eq!(
        h.finished_notifications(id),
        0,
        "not terminal before the process is gone"
    );

    // The process does not react: SIGKILL comes only once the default grace (5 s) has passed.
    assert!(signals(&h.advance(5 * SECOND - 1)).is_empty());
    assert_eq!(signals(&h.advance(1)), vec![(id, Signal::Kill)]);
    h.killed_by(id, "SIGKILL");
    let task = h.assert_ended(id, State::Failed, Reason::TimedOut);
    assert_eq!(task.signal.as_deref(), Some("SIGKILL"));
}

#[test]
fn reason_failed_timed_out_for_an_external_task_at_once() {
    let mut h = Harness::new();
    let mut request = external("s", "subagent");
    request.timeout_ms = Some(10 * SECOND);
    let (id, _) = h.create(request);
    assert_eq!(h.task(id).state, State::Running);
    assert_eq!(h.advance(10 * SECOND - 1).changes.events.len(), 0);
    let step = h.advance(1);
    assert!(step.actions.is_empty());
    h.assert_ended(id, State::Failed, Reason::TimedOut);
}

#[test]
fn reason_failed_stale_for_a_shell_task_without_output() {
    let mut h = Harness::new();
    let mut request = shell("s");
    request.idle_timeout_ms = Some(5 * SECOND);
    let (id, _) = h.create(request);
    h.started(id);
    h.advance(3 * SECOND);
    h.output(id, 10);
    // Output at 3 s moved the anchor: nothing at 6 s, SIGTERM at 8 s.
    assert!(signals(&h.advance(3 * SECOND)).is_empty());
    assert!(signals(&h.advance(2 * SECOND - 1)).is_empty());
    assert_eq!(signals(&h.advance(1)), vec![(id, Signal::Term)]);
    h.killed_by(id, "SIGTERM");
    let task = h.assert_ended(id, State::Failed, Reason::Stale);
    assert_eq!(task.signal.as_deref(), Some("SIGTERM"));
    assert_eq!(task.output.map(|o| o.total_bytes), Some(10));
}

#[test]
fn reason_failed_stale_for_an_external_task_without_progress() {
    let mut h = Harness::new();
    let mut request = external("s", "subagent");
    request.idle_timeout_ms = Some(5 * SECOND);
    let (id, _) = h.create(request);
    h.advance(3 * SECOND);
    h.progress(id, Some("reading files"), None);
    h.advance(5 * SECOND - 1);
    assert_eq!(h.task(id).state, State::Running);
    let step = h.advance(1);
    assert!(step.actions.is_empty());
    h.assert_ended(id, State::Failed, Reason::Stale);
}

#[test]
fn reason_failed_queue_timeout_when_pending_too_long() {
    let mut h = Harness::new();
    h.set_limit("one", 1);
    let blocker = h.create_in_group("s", "one");
    let mut request = shell("s");
    request.group = Some("one".into());
    request.queue_timeout_ms = Some(2 * SECOND);
    let (queued, _) = h.create(request);
    h.advance(2 * SECOND - 1);
    assert_eq!(h.task(queued).state, State::Pending);
    h.advance(1);
    h.assert_ended(queued, State::Failed, Reason::QueueTimeout);
    assert!(!h.ever_spawned(queued));
    assert_eq!(h.task(blocker).state, State::Running);
    assert_eq!(h.engine.group_status("one").pending, 0);
}

#[test]
fn reason_failed_spawn_failed_with_the_message_in_the_summary() {
    let mut h = Harness::new();
    let id = h.create_shell("s");
    h.spawn_failed(id, "make: No such file or directory");
    let task = h.assert_ended(id, State::Failed, Reason::SpawnFailed);
    assert_eq!(
        task.summary.as_deref(),
        Some("make: No such file or directory")
    );
    assert_eq!(task.pid, None);
}

#[test]
fn reason_failed_dependency_failed_without_starting() {
    let mut h = Harness::new();
    let first = h.run_shell("s");
    let mut request = shell("s");
    request.after = vec![first];
    let (second, _) = h.create(request);
    h.exit(first, 1);
    let task = h.assert_ended(second, State::Failed, Reason::DependencyFailed);
    assert_eq!(task.started_at, None);
    assert!(!h.ever_spawned(second));
}

#[test]
fn reason_failed_lost_when_the_process_vanished() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    h.ended(id, ExitOutcome::Lost);
    let task = h.assert_ended(id, State::Failed, Reason::Lost);
    assert_eq!((task.exit_code, task.signal), (None, None));
}

#[test]
fn reason_failed_reported_when_an_external_task_reports_failure() {
    let mut h = Harness::new();
    let id = h.create_external("s", "review");
    h.complete(id, State::Failed, Some("could not check out the branch"));
    let task = h.assert_ended(id, State::Failed, Reason::Reported);
    assert_eq!(
        task.summary.as_deref(),
        Some("could not check out the branch")
    );
}

#[test]
fn reason_cancelled_stopped_by_request() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    h.stop(id, Some(SECOND));
    h.killed_by(id, "SIGTERM");
    let task = h.assert_ended(id, State::Cancelled, Reason::Stopped);
    assert_eq!(task.signal.as_deref(), Some("SIGTERM"));
}

#[test]
fn reason_cancelled_session_closed_with_policy_cancel() {
    let mut h = Harness::new();
    let mut request = shell("s");
    request.close_policy = Some(ClosePolicy::Cancel);
    let (id, _) = h.create(request);
    h.started(id);
    let step = h.close("s", None);
    assert_eq!(signals(&step), vec![(id, Signal::Term)]);
    h.killed_by(id, "SIGTERM");
    h.assert_ended(id, State::Cancelled, Reason::SessionClosed);
}

#[test]
fn reason_cancelled_parent_cancelled_when_the_parent_is_stopped() {
    let mut h = Harness::new();
    let parent = h.create_external("s", "subagent");
    let mut request = shell("s");
    request.parent = Some(parent);
    let (child, _) = h.create(request);
    h.started(child);
    let step = h.stop(parent, Some(SECOND));
    assert_eq!(signals(&step), vec![(child, Signal::Term)]);
    h.killed_by(child, "SIGTERM");
    h.assert_ended(child, State::Cancelled, Reason::ParentCancelled);
    h.advance(SECOND);
    h.assert_ended(parent, State::Cancelled, Reason::Stopped);
}

#[test]
fn reason_cancelled_shutdown_when_the_daemon_stops_with_kill_tasks() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    let agent = h.create_external("s", "observer");
    let step = h.handle(Input::Shutdown {
        grace_ms: Some(SECOND),
    });
    assert_eq!(signals(&step), vec![(id, Signal::Term)]);
    h.killed_by(id, "SIGTERM");
    h.assert_ended(id, State::Cancelled, Reason::Shutdown);
    h.advance(SECOND);
    h.assert_ended(agent, State::Cancelled, Reason::Shutdown);
}

// ---------------------------------------------------------------------------------------------
// Rule 1: the first terminal transition wins.
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_1_later_stop_and_exit_observations_change_nothing() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    h.exit(id, 0);
    let done = h.task(id);
    h.advance(SECOND);

    let step = h.stop(id, None);
    assert_eq!(reply_task(&step), done, "stop answers the unchanged record");
    for step in [
        step,
        h.exit(id, 1),
        h.killed_by(id, "SIGKILL"),
        h.ended(id, ExitOutcome::Lost),
        h.spawn_failed(id, "late"),
        h.stop(id, Some(0)),
    ] {
        assert!(step.changes.is_empty(), "{step:?}");
        assert!(step.actions.is_empty());
    }
    assert_eq!(h.task(id), done);
    assert_eq!(h.event_types(id), ["registered", "started", "finished"]);
}

#[test]
fn rule_1_complete_after_the_end_is_a_conflict_with_the_unchanged_record() {
    let mut h = Harness::new();
    let id = h.create_external("s", "review");
    h.complete(id, State::Failed, Some("first"));
    let done = h.task(id);
    for state in [State::Completed, State::Failed, State::Cancelled] {
        let error = h.fail(Harness::complete_input(id, state, Some("second")));
        assert_eq!(error.code(), ErrorCode::Conflict);
        let tend_core::Error::Conflict { task, .. } = error else {
            unreachable!()
        };
        assert_eq!(task.as_deref(), Some(&done));
    }
    let error = h.fail(Input::Progress(tend_core::ProgressReport {
        id,
        message: Some("still going".into()),
        state: Some(State::Running),
    }));
    assert_eq!(error.code(), ErrorCode::Conflict);
    assert_eq!(h.task(id), done);
    assert_eq!(h.count_events(id, "finished"), 1);
}

// ---------------------------------------------------------------------------------------------
// Rule 2: every terminal transition does everything in one step.
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_2_one_terminal_step_sets_the_record_releases_notifies_emits_and_wakes() {
    let mut h = Harness::new();
    h.set_limit("g", 1);
    let first = h.create_in_group("s", "g");
    h.started(first);
    let queued = h.create_in_group("s", "g");
    let mut request = shell("s");
    request.after = vec![first];
    let (waiter, _) = h.create(request);
    h.advance(5 * SECOND);

    let step = h.exit(first, 0);
    let task = h.task(first);
    assert_eq!(
        (task.state, task.reason),
        (State::Completed, Some(Reason::Exited))
    );
    assert_eq!(task.finished_at, Some(h.now));
    let mut started = spawned(&step);
    started.sort();
    assert_eq!(
        started,
        vec![queued, waiter],
        "slot released and waiter woken"
    );
    assert_eq!(step_finished(&step), vec![first]);
    assert!(
        step_all_finished(&step).is_empty(),
        "the session still has live tasks"
    );
    let finished: Vec<_> = step
        .changes
        .events
        .iter()
        .filter(|e| e.kind.type_name() == "finished")
        .collect();
    assert_eq!(finished.len(), 1);
    let EventKind::Finished { task: carried } = &finished[0].kind else {
        unreachable!()
    };
    assert_eq!(
        (carried.state, carried.reason, carried.finished_at),
        (task.state, task.reason, task.finished_at)
    );
    assert_eq!(carried.exit_code, task.exit_code);
    let retention = h.engine.config().retention_ms;
    assert_eq!(
        h.engine.stored(first).unwrap().run.evict_at,
        Some(h.now.plus_ms(retention))
    );
    assert!(step.wake.tasks.contains(&first));
    assert_eq!(step.wake.sessions, ["s"]);
    let group = h.engine.group_status("g");
    assert_eq!((group.running, group.pending), (1, 0));
    assert!(
        step.changes.tasks.iter().any(|s| *s.task == task),
        "the record is persisted"
    );
}

// ---------------------------------------------------------------------------------------------
// Rule 3: groups.
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_3_group_limit_holds_and_pending_tasks_start_in_fifo_order() {
    let mut h = Harness::new();
    h.set_limit("g", 2);
    let ids: Vec<TaskId> = (0..5).map(|_| h.create_in_group("s", "g")).collect();
    for &id in &ids {
        let expected = if ids[..2].contains(&id) {
            State::Running
        } else {
            State::Pending
        };
        assert_eq!(h.task(id).state, expected);
    }
    assert!(h.ever_spawned(ids[0]) && h.ever_spawned(ids[1]) && !h.ever_spawned(ids[2]));
    h.started(ids[1]);
    assert_eq!(spawned(&h.exit(ids[1], 0)), vec![ids[2]]);
    h.started(ids[0]);
    assert_eq!(spawned(&h.killed_by(ids[0], "SIGKILL")), vec![ids[3]]);
    h.started(ids[3]);
    assert_eq!(spawned(&h.exit(ids[3], 1)), vec![ids[4]]);
    let group = h.engine.group_status("g");
    assert_eq!((group.limit, group.running, group.pending), (2, 2, 0));
}

#[test]
fn rule_3_limit_changes_take_effect_at_once() {
    let mut h = Harness::new();
    h.set_limit("g", 1);
    let ids: Vec<TaskId> = (0..4).map(|_| h.create_in_group("s", "g")).collect();
    let step = h.set_limit("g", 3);
    assert_eq!(spawned(&step), vec![ids[1], ids[2]]);
    assert_eq!(step.changes.group_limits, vec![("g".to_owned(), 3)]);

    // Lowering the limit stops nothing; it only holds back new starts.
    let step = h.set_limit("g", 1);
    assert!(step.actions.is_empty());
    assert_eq!(h.engine.group_status("g").running, 3);
    for &id in &ids[..2] {
        h.started(id);
        assert!(
            spawned(&h.exit(id, 0)).is_empty(),
            "still at or over the new limit"
        );
    }

    // 0 means unlimited.
    assert_eq!(spawned(&h.set_limit("g", 0)), vec![ids[3]]);
    let more: Vec<TaskId> = (0..10).map(|_| h.create_in_group("s", "g")).collect();
    assert!(more.iter().all(|&id| h.task(id).state == State::Running));
}

#[test]
fn rule_3_the_default_group_is_unlimited_unless_configured() {
    let mut h = Harness::new();
    let ids: Vec<TaskId> = (0..50).map(|_| h.create_shell("s")).collect();
    assert!(ids.iter().all(|&id| h.task(id).state == State::Running));
    assert_eq!(h.engine.group_status("default").limit, 0);

    let config = Config {
        groups: vec![("default".into(), 2)],
        ..Config::default()
    };
    let mut h = Harness::with_config(config);
    let ids: Vec<TaskId> = (0..3).map(|_| h.create_shell("s")).collect();
    let states: Vec<State> = ids.iter().map(|&id| h.task(id).state).collect();
    assert_eq!(states, [State::Running, State::Running, State::Pending]);
}

#[test]
fn rule_3_a_stopped_pending_task_is_cancelled_and_never_starts() {
    let mut h = Harness::new();
    h.set_limit("g", 1);
    let running = h.create_in_group("s", "g");
    let queued = h.create_in_group("s", "g");
    let step = h.stop(queued, None);
    assert!(step.actions.is_empty());
    h.assert_ended(queued, State::Cancelled, Reason::Stopped);
    h.started(running);
    assert!(spawned(&h.exit(running, 0)).is_empty());
    assert!(!h.ever_spawned(queued));
}

// ---------------------------------------------------------------------------------------------
// Rule 4: after.
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_4_a_task_starts_only_after_every_listed_task_completed() {
    let mut h = Harness::new();
    let x = h.run_shell("s");
    let y = h.create_external("s", "review");
    let mut request = shell("s");
    request.after = vec![x, y];
    let (both, _) = h.create(request);
    let mut request = shell("s");
    request.after = vec![both];
    let (chained, _) = h.create(request);
    assert_eq!(h.task(both).state, State::Pending);

    assert!(spawned(&h.exit(x, 0)).is_empty(), "y is still running");
    assert_eq!(h.task(both).state, State::Pending);
    assert_eq!(spawned(&h.complete(y, State::Completed, None)), vec![both]);
    assert_eq!(h.task(chained).state, State::Pending);
    h.started(both);
    assert_eq!(spawned(&h.exit(both, 0)), vec![chained]);

    // A dependency already completed does not hold a new task back.
    let mut request = shell("s");
    request.after = vec![x];
    let (late, step) = h.create(request);
    assert_eq!(spawned(&step), vec![late]);
}

#[test]
fn rule_4_dependency_failure_cascades_down_the_chain_in_one_step() {
    let mut h = Harness::new();
    let root = h.run_shell("s");
    let mut chain = vec![root];
    for _ in 0..3 {
        let mut request = shell("s");
        request.after = vec![*chain.last().unwrap()];
        chain.push(h.create(request).0);
    }
    let step = h.exit(root, 2);
    assert_eq!(step_finished(&step).len(), 4);
    for &id in &chain[1..] {
        h.assert_ended(id, State::Failed, Reason::DependencyFailed);
        assert!(!h.ever_spawned(id));
    }
    assert_eq!(step_all_finished(&step).len(), 1);
}

#[test]
fn rule_4_a_cancelled_or_failed_dependency_fails_the_dependent() {
    let mut h = Harness::new();
    let dep = h.create_external("s", "review");
    let mut request = shell("s");
    request.after = vec![dep];
    let (waiting, _) = h.create(request);
    h.stop(dep, Some(0));
    h.assert_ended(dep, State::Cancelled, Reason::Stopped);
    h.assert_ended(waiting, State::Failed, Reason::DependencyFailed);

    // Listing an already failed or cancelled task fails the new task at creation.
    let mut request = shell("s");
    request.after = vec![dep];
    let (doomed, step) = h.create(request);
    let record = created(&step);
    assert_eq!(
        (record.state, record.reason),
        (State::Failed, Some(Reason::DependencyFailed))
    );
    assert!(spawned(&step).is_empty());
    h.assert_ended(doomed, State::Failed, Reason::DependencyFailed);
}

// ---------------------------------------------------------------------------------------------
// Rule 5: retries.
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_5_retries_back_off_1s_2s_4s_keep_the_id_and_notify_only_the_final_outcome() {
    let mut h = Harness::new();
    let mut request = shell("s");
    request.max_attempts = Some(4);
    let (id, _) = h.create(request);
    for (attempt, backoff) in [(1, SECOND), (2, 2 * SECOND), (3, 4 * SECOND)] {
        h.started(id);
        let step = h.exit(id, 1);
        let task = h.task(id);
        assert_eq!(
            (task.id, task.state, task.attempt),
            (id, State::Pending, attempt + 1)
        );
        assert_eq!(step_events(&step), vec![(id, "retrying")]);
        let EventKind::Retrying {
            failed_attempt,
            reason,
            exit_code,
            retry_at,
            ..
        } = &step.changes.events[0].kind
        else {
            unreachable!()
        };
        assert_eq!(
            (*failed_attempt, *reason, *exit_code),
            (attempt, Reason::Exited, Some(1))
        );
        assert_eq!(*retry_at, h.now.plus_ms(backoff));
        assert!(
            step.changes.notifications.is_empty(),
            "no notification before the end"
        );
        assert_eq!(
            h.engine.group_status("default").running,
            0,
            "no slot held in backoff"
        );

        assert!(spawned(&h.advance(backoff - 1)).is_empty());
        let step = h.advance(1);
        assert_eq!(spawned(&step), vec![id]);
        let Some(tend_core::Action::Spawn { task }) = step.actions.first() else {
            unreachable!()
        };
        assert_eq!(task.task.attempt, attempt + 1);
    }
    h.started(id);
    h.exit(id, 1);
    let task = h.assert_ended(id, State::Failed, Reason::Exited);
    assert_eq!(
        (task.attempt, task.max_attempts, task.exit_code),
        (4, 4, Some(1))
    );
    assert_eq!(h.count_events(id, "retrying"), 3);
    assert_eq!(h.finished_notifications(id), 1);
}

#[test]
fn rule_5_a_retry_that_succeeds_completes_the_same_task() {
    let mut h = Harness::new();
    let mut request = shell("s");
    request.max_attempts = Some(3);
    let (id, _) = h.create(request);
    h.started(id);
    h.killed_by(id, "SIGSEGV");
    h.advance(SECOND);
    h.started(id);
    h.exit(id, 0);
    let task = h.assert_ended(id, State::Completed, Reason::Exited);
    assert_eq!(
        (task.attempt, task.exit_code, task.signal),
        (2, Some(0), None)
    );
    assert_eq!(h.engine.len(), 1);
}

#[test]
fn rule_5_timeouts_stale_and_lost_are_retried_but_spawn_failures_and_stops_are_not() {
    let mut h = Harness::new();
    let retried = |h: &mut Harness, id: TaskId| {
        assert_eq!(h.task(id).state, State::Pending, "{id}");
        assert_eq!(h.count_events(id, "retrying"), 1, "{id}");
        assert_eq!(h.finished_notifications(id), 0, "{id}");
    };
    let mut request = shell("s");
    request.max_attempts = Some(2);
    request.timeout_ms = Some(SECOND);
    let (timed, _) = h.create(request.clone());
    request.timeout_ms = None;
    request.idle_timeout_ms = Some(SECOND);
    let (stale, _) = h.create(request.clone());
    request.idle_timeout_ms = None;
    let (lost, _) = h.create(request.clone());
    let (unspawned, _) = h.create(request.clone());
    let (stopped, _) = h.create(request);
    for id in [timed, stale, lost, stopped] {
        h.started(id);
    }
    let step = h.advance(SECOND);
    assert_eq!(
        signals(&step),
        vec![(timed, Signal::Term), (stale, Signal::Term)]
    );
    h.killed_by(timed, "SIGTERM");
    h.killed_by(stale, "SIGTERM");
    h.ended(lost, ExitOutcome::Lost);
    for id in [timed, stale, lost] {
        retried(&mut h, id);
    }
    h.spawn_failed(unspawned, "exec format error");
    h.assert_ended(unspawned, State::Failed, Reason::SpawnFailed);
    h.stop(stopped, None);
    h.exit(stopped, 1);
    h.assert_ended(stopped, State::Cancelled, Reason::Stopped);
}

#[test]
fn rule_5_backoff_doubles_and_is_capped_at_60s() {
    let mut h = Harness::new();
    let mut request = shell("s");
    request.max_attempts = Some(10);
    let (id, _) = h.create(request);
    let mut backoffs = Vec::new();
    for _ in 0..9 {
        h.started(id);
        let step = h.exit(id, 1);
        let EventKind::Retrying { retry_at, .. } = &step.changes.events[0].kind else {
            unreachable!()
        };
        let backoff = retry_at.millis_since(h.now);
        backoffs.push(backoff / SECOND);
        h.advance(backoff);
    }
    assert_eq!(backoffs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
}

#[test]
fn rule_5_external_tasks_are_not_retried() {
    let mut h = Harness::new();
    let mut request = external("s", "review");
    request.max_attempts = Some(2);
    let error = h.fail(Input::Create(request));
    assert_eq!(error.code(), ErrorCode::InvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Rule 6: key idempotency.
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_6_a_live_key_returns_the_task_with_created_false_and_starts_nothing() {
    let mut h = Harness::new();
    let mut request = shell("s");
    request.key = Some("build".into());
    let (first, step) = h.create(request.clone());
    assert!(was_created(&step));
    let before = h.observe();

    let step = h.handle(Input::Create(request.clone()));
    assert!(!was_created(&step));
    assert_eq!(created(&step).id, first);
    assert!(step.actions.is_empty() && step.changes.is_empty());
    assert_eq!(h.observe(), before);

    h.started(first);
    h.exit(first, 0);
    let step = h.handle(Input::Create(request));
    assert!(was_created(&step), "a terminal task frees its key");
    let second = created(&step).id;
    assert_ne!(second, first);
    assert_eq!(spawned(&step), vec![second]);
}

#[test]
fn rule_6_a_task_in_retry_backoff_still_holds_its_key() {
    let mut h = Harness::new();
    let mut request = shell("s");
    request.key = Some("flaky".into());
    request.max_attempts = Some(2);
    let (id, _) = h.create(request.clone());
    h.started(id);
    h.exit(id, 1);
    let step = h.handle(Input::Create(request));
    assert!(!was_created(&step));
    assert_eq!(created(&step).id, id);
}

// ---------------------------------------------------------------------------------------------
// Rule 7: stop.
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_7_stop_sends_term_then_kill_only_after_the_grace_deadline() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    let step = h.stop(id, Some(2 * SECOND));
    assert_eq!(reply_task(&step).state, State::CancelRequested);
    assert_eq!(signals(&step), vec![(id, Signal::Term)]);
    assert_eq!(step_events(&step), vec![(id, "state_changed")]);
    assert_eq!(step.next_timer, Some(h.now.plus_ms(2 * SECOND)));
    assert_eq!(
        h.engine.group_status("default").running,
        1,
        "the slot is held until the end"
    );

    assert!(signals(&h.advance(2 * SECOND - 1)).is_empty());
    assert_eq!(signals(&h.advance(1)), vec![(id, Signal::Kill)]);
    assert!(signals(&h.advance(10 * SECOND)).is_empty(), "one SIGKILL");
    assert_eq!(h.task(id).state, State::CancelRequested);
    h.killed_by(id, "SIGKILL");
    let task = h.assert_ended(id, State::Cancelled, Reason::Stopped);
    assert_eq!(task.signal.as_deref(), Some("SIGKILL"));
}

#[test]
fn rule_7_a_graceful_exit_keeps_its_exit_code_and_is_never_killed() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    h.stop(id, None);
    h.advance(SECOND);
    h.exit(id, 0);
    let task = h.assert_ended(id, State::Cancelled, Reason::Stopped);
    assert_eq!((task.exit_code, task.signal), (Some(0), None));
    h.advance(10 * SECOND);
    assert!(
        h.log
            .iter()
            .all(|s| !signals(s).contains(&(id, Signal::Kill)))
    );
}

#[test]
fn rule_7_stop_with_zero_grace_kills_at_once() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    let step = h.stop(id, Some(0));
    assert_eq!(signals(&step), vec![(id, Signal::Term), (id, Signal::Kill)]);
}

#[test]
fn rule_7_an_external_owner_sees_the_request_and_confirms_with_complete() {
    let mut h = Harness::new();
    let id = h.create_external("s", "subagent");
    let step = h.stop(id, Some(3 * SECOND));
    assert!(step.actions.is_empty());
    assert_eq!(step_events(&step), vec![(id, "state_changed")]);
    let answer = reply_task(&h.progress(id, Some("wrapping up"), None));
    assert_eq!(answer.state, State::CancelRequested);
    h.advance(SECOND);
    h.complete(id, State::Cancelled, Some("stopped cleanly"));
    let task = h.assert_ended(id, State::Cancelled, Reason::Stopped);
    assert_eq!(task.summary.as_deref(), Some("stopped cleanly"));
}

#[test]
fn rule_7_an_unconfirmed_external_stop_is_forced_after_the_grace() {
    let mut h = Harness::new();
    let id = h.create_external("s", "subagent");
    h.stop(id, Some(3 * SECOND));
    h.advance(3 * SECOND - 1);
    assert_eq!(h.task(id).state, State::CancelRequested);
    h.advance(1);
    h.assert_ended(id, State::Cancelled, Reason::Stopped);
}

#[test]
fn rule_7_stopping_a_task_stops_its_live_descendants_with_parent_cancelled() {
    let mut h = Harness::new();
    h.set_limit("one", 1);
    let parent = h.run_shell("s");
    let mut request = shell("s");
    request.parent = Some(parent);
    let (child, _) = h.create(request);
    h.started(child);
    let mut request = external("other", "subagent");
    request.parent = Some(child);
    let (grandchild, _) = h.create(request);
    let blocker = h.create_in_group("x", "one");
    let mut request = shell("s");
    request.parent = Some(child);
    request.group = Some("one".into());
    let (queued, _) = h.create(request);
    let unrelated = h.run_shell("s");

    let step = h.stop(parent, Some(SECOND));
    assert_eq!(
        signals(&step),
        vec![(parent, Signal::Term), (child, Signal::Term)]
    );
    h.assert_ended(queued, State::Cancelled, Reason::ParentCancelled);
    assert_eq!(h.task(grandchild).state, State::CancelRequested);
    assert_eq!(h.task(unrelated).state, State::Running);
    assert_eq!(h.task(blocker).state, State::Running);

    let step = h.advance(SECOND);
    assert_eq!(
        signals(&step),
        vec![(parent, Signal::Kill), (child, Signal::Kill)]
    );
    h.assert_ended(grandchild, State::Cancelled, Reason::ParentCancelled);
    h.killed_by(parent, "SIGKILL");
    h.killed_by(child, "SIGKILL");
    h.assert_ended(parent, State::Cancelled, Reason::Stopped);
    h.assert_ended(child, State::Cancelled, Reason::ParentCancelled);
    assert_eq!(h.task(unrelated).state, State::Running);
}

// ---------------------------------------------------------------------------------------------
// Rule 8: closing a session applies close policies.
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_8_closing_a_session_keeps_cancels_or_transfers_each_task() {
    let mut h = Harness::new();
    let mut ids = Vec::new();
    for policy in [
        ClosePolicy::Keep,
        ClosePolicy::Cancel,
        ClosePolicy::Transfer,
    ] {
        let mut request = shell("s");
        request.close_policy = Some(policy);
        let (id, _) = h.create(request);
        h.started(id);
        ids.push(id);
    }
    let [keep, cancel, transfer] = ids[..] else {
        unreachable!()
    };
    let other = h.run_shell("elsewhere");

    let step = h.close("s", Some("s2"));
    assert_eq!(reply_ids(&step), vec![cancel, transfer]);
    assert_eq!(signals(&step), vec![(cancel, Signal::Term)]);
    assert_eq!(
        (h.task(keep).state, h.task(keep).session.as_str()),
        (State::Running, "s")
    );
    assert_eq!(h.state(cancel), (State::CancelRequested, None));
    assert_eq!(
        (h.task(transfer).state, h.task(transfer).session.as_str()),
        (State::Running, "s2")
    );
    assert_eq!(h.task(other).state, State::Running);
    h.killed_by(cancel, "SIGTERM");
    h.assert_ended(cancel, State::Cancelled, Reason::SessionClosed);
}

#[test]
fn rule_8_transfer_without_a_successor_keeps_the_task() {
    let mut h = Harness::new();
    let mut request = shell("s");
    request.close_policy = Some(ClosePolicy::Transfer);
    let (id, _) = h.create(request);
    let step = h.close("s", None);
    assert!(reply_ids(&step).is_empty());
    assert!(step.changes.is_empty() && step.actions.is_empty());
    assert_eq!(h.task(id).session, "s");
    assert_eq!(h.task(id).state, State::Running);
}

// ---------------------------------------------------------------------------------------------
// Rule 9: transfer.
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_9_transfer_moves_the_task_and_emits_one_transferred_event() {
    let mut h = Harness::new();
    let id = h.run_shell("a");
    let step = h.transfer(id, "b");
    assert_eq!(reply_task(&step).session, "b");
    assert_eq!(step.changes.events.len(), 1);
    let event = &step.changes.events[0];
    assert_eq!(&*event.session, "b");
    assert!(matches!(&event.kind, EventKind::Transferred { from, to } if from == "a" && to == "b"));
    assert!(h.engine.list(&by_session("a")).is_empty());
    assert_eq!(h.engine.list(&by_session("b")).len(), 1);
    h.exit(id, 0);
    assert!(h.engine.notifications("a").is_empty());
    assert_eq!(h.engine.notifications("b")[0].task_id, Some(id));
}

#[test]
fn rule_9_transfer_is_refused_when_the_destination_has_a_live_task_with_the_key() {
    let mut h = Harness::new();
    let mut request = shell("a");
    request.key = Some("server".into());
    let (moving, _) = h.create(request);
    let mut request = external("b", "server");
    request.key = Some("server".into());
    let (holder, _) = h.create(request);
    let before = h.observe();
    let error = h.fail(Input::Transfer {
        id: moving,
        session: "b".into(),
    });
    assert_eq!(error.code(), ErrorCode::Conflict);
    assert_eq!(h.observe(), before);

    // Once the destination's task is terminal the key is free again.
    h.complete(holder, State::Completed, None);
    h.transfer(moving, "b");
    assert_eq!(h.task(moving).session, "b");
}

// ---------------------------------------------------------------------------------------------
// Rule 10: retention.
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_10_acknowledged_tasks_expire_after_the_retention() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    h.exit(id, 0);
    h.ack_all("s");
    h.advance(7 * DAY - 1);
    assert_eq!(h.task(id).state, State::Completed);
    let step = h.advance(1);
    assert_eq!(step.changes.removed_tasks, vec![id]);
    assert!(
        step.actions
            .contains(&tend_core::Action::DeleteOutput { id })
    );
    assert_eq!(step_events(&step), vec![(id, "removed")]);
    assert_eq!(h.engine.get(id).unwrap_err().code(), ErrorCode::Expired);
    assert_eq!(
        h.engine.get(TaskId::new(99)).unwrap_err().code(),
        ErrorCode::NotFound
    );
    let error = h.fail(Input::Stop { id, grace_ms: None });
    assert_eq!(error.code(), ErrorCode::Expired);
    assert!(h.engine.list(&by_session("s")).is_empty());
}

#[test]
fn rule_10_an_unacknowledged_task_is_kept_until_acknowledged() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    h.exit(id, 0);
    h.advance(10 * DAY);
    assert_eq!(
        h.task(id).state,
        State::Completed,
        "kept past the retention while unacked"
    );
    h.ack_all("s");
    h.advance(0);
    assert_eq!(h.engine.get(id).unwrap_err().code(), ErrorCode::Expired);
}

#[test]
fn rule_10_an_unacknowledged_task_is_kept_at_most_30_days() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    let finished_at = h.now;
    h.exit(id, 0);
    h.advance(30 * DAY - 1);
    assert_eq!(h.task(id).state, State::Completed);
    h.advance(1);
    assert_eq!(h.now, finished_at.plus_ms(30 * DAY));
    assert_eq!(h.engine.get(id).unwrap_err().code(), ErrorCode::Expired);
    assert!(
        h.engine
            .notifications("s")
            .iter()
            .all(|n| n.task_id != Some(id))
    );
}

#[test]
fn rule_10_removed_ids_answer_expired_and_live_tasks_cannot_be_removed() {
    let mut h = Harness::new();
    let id = h.run_shell("s");
    let error = h.fail(Input::Remove { id });
    assert_eq!(error.code(), ErrorCode::Conflict);
    h.exit(id, 0);
    let step = h.handle(Input::Remove { id });
    assert_eq!(step.changes.removed_tasks, vec![id]);
    assert_eq!(h.engine.get(id).unwrap_err().code(), ErrorCode::Expired);
    assert_eq!(h.fail(Input::Remove { id }).code(), ErrorCode::Expired);
    assert_eq!(
        h.fail(Input::Remove { id: TaskId::new(7) }).code(),
        ErrorCode::NotFound
    );
}

#[test]
fn rule_10_event_replay_before_the_retained_log_is_expired_with_the_oldest_seq() {
    let mut h = Harness::new();
    let early = h.run_shell("s");
    h.exit(early, 0);
    h.ack_all("s");
    h.advance(6 * DAY);
    let late = h.create_external("s", "review");
    let first_late_seq = h.all_events().find(|e| e.task_id == late).unwrap().seq;
    h.advance(DAY);
    let all = EventFilter::default();
    let error = h.engine.events_after(0, &all, 100).unwrap_err();
    assert_eq!(error.code(), ErrorCode::Expired);
    let tend_core::Error::EventsExpired { after, oldest_seq } = error else {
        unreachable!()
    };
    assert_eq!(after, 0);
    let oldest = h.engine.events_after(oldest_seq - 1, &all, 100).unwrap();
    assert_eq!(oldest.events[0].seq, oldest_seq);
    assert!(oldest_seq <= first_late_seq);
    assert!(h.engine.events_after(oldest_seq - 2, &all, 100).is_err());
}

// ---------------------------------------------------------------------------------------------
// Rule 11: notifications.
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_11_task_finished_has_the_contract_fields_and_text() {
    let mut h = Harness::new();
    let (id, _) = h.create(tend_core::CreateTask::shell("s", ["npm", "test"]));
    h.started(id);
    h.advance(42 * SECOND);
    let step = h.exit(id, 1);
    let notification = &step.changes.notifications[0];
    let json = serde_json::to_value(notification).unwrap();
    for field in [
        "id",
        "session",
        "task_id",
        "kind",
        "state",
        "reason",
        "exit_code",
        "name",
    ] {
        assert!(json.get(field).is_some(), "missing {field} in {json}");
    }
    assert_eq!(json["id"], "n1");
    assert_eq!(json["session"], "s");
    assert_eq!(json["task_id"], id.to_string());
    assert_eq!(json["kind"], "task_finished");
    assert_eq!(json["state"], "failed");
    assert_eq!(json["reason"], "exited");
    assert_eq!(json["exit_code"], 1);
    assert_eq!(json["name"], "npm test");
    assert_eq!(json["created_at"], h.now.to_rfc3339());
    assert_eq!(
        json["text"],
        format!("{id} \"npm test\" finished: failed, exit 1, after 42s")
    );
}

#[test]
fn rule_11_all_finished_sums_up_the_tasks_since_the_previous_one() {
    let mut h = Harness::new();
    let a = h.run_shell("s");
    let b = h.run_shell("s");
    let c = h.create_external("s", "review");
    let step = h.exit(a, 0);
    assert!(step_all_finished(&step).is_empty());
    h.killed_by(b, "SIGKILL");
    let step = h.complete(c, State::Cancelled, None);
    let summaries = step_all_finished(&step);
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].tasks, vec![a, b, c]);
    assert_eq!(summaries[0].task_id, None);
    assert_eq!(
        summaries[0].text,
        "all 3 tasks finished: 1 completed, 1 failed, 1 cancelled"
    );
    // Notifications go to the task's session only.
    let other = h.run_shell("t");
    assert!(h.engine.notifications("t").is_empty());

    // A single task ending alone is told by its own notification: no summary follows it.
    let d = h.run_shell("s");
    let step = h.exit(d, 0);
    assert_eq!(step_finished(&step), vec![d]);
    assert!(step_all_finished(&step).is_empty());
    assert_eq!(h.all_finished_notifications("s"), 1);
    // Nor is it summed up with the tasks that end after it.
    let e = h.run_shell("s");
    let f = h.run_shell("s");
    h.exit(e, 0);
    let step = h.exit(f, 1);
    assert_eq!(step_all_finished(&step)[0].tasks, vec![e, f]);
    assert_eq!(h.all_finished_notifications("s"), 2);
    assert_eq!(h.task(other).state, State::Running);
}

#[test]
fn rule_11_a_single_task_queues_no_all_finished() {
    let mut h = Harness::new();
    let a = h.run_shell("s");
    let step = h.exit(a, 0);
    assert_eq!(step_finished(&step), vec![a]);
    assert!(step_all_finished(&step).is_empty());
    let kinds: Vec<_> = h.engine.notifications("s").iter().map(|n| n.kind).collect();
    assert_eq!(kinds, [NotificationKind::TaskFinished]);
}

#[test]
fn rule_11_notifications_stay_until_acknowledged() {
    let mut h = Harness::new();
    let a = h.run_shell("s");
    let b = h.run_shell("s");
    h.exit(a, 0);
    h.exit(b, 0);
    h.advance(DAY);
    let queued: Vec<_> = h
        .engine
        .notifications("s")
        .iter()
        .map(|n| (n.id, n.kind))
        .collect();
    assert_eq!(queued.len(), 3);
    assert_eq!(queued[0].1, NotificationKind::TaskFinished);
    assert_eq!(queued[1].1, NotificationKind::TaskFinished);
    assert_eq!(queued[2].1, NotificationKind::AllFinished);

    // Acknowledging from another session or with unknown ids removes nothing.
    h.handle(Input::Ack {
        session: "t".into(),
        ids: vec![queued[0].0],
    });
    assert_eq!(h.engine.notifications("s").len(), 3);

    let step = h.handle(Input::Ack {
        session: "s".into(),
        ids: vec![queued[0].0],
    });
    assert_eq!(step.changes.acked_notifications, vec![queued[0].0]);
    let left: Vec<_> = h.engine.notifications("s").iter().map(|n| n.id).collect();
    assert_eq!(left, vec![queued[1].0, queued[2].0]);
    h.ack_all("s");
    assert!(h.engine.notifications("s").is_empty());
}

#[test]
fn rule_11_signaled_and_reason_texts_read_naturally() {
    let mut h = Harness::new();
    let a = h.run_shell("s");
    let b = h.run_shell("s");
    let c = h.create_external("s", "review");
    h.advance(3 * SECOND);
    let texts: Vec<String> = [
        h.killed_by(a, "SIGKILL"),
        h.exit(b, 0),
        h.complete(c, State::Failed, Some("broken")),
    ]
    .iter()
    .map(|s| s.changes.notifications[0].text.clone())
    .collect();
    assert_eq!(
        texts[0],
        format!("{a} \"make\" finished: failed, SIGKILL, after 3s")
    );
    assert_eq!(
        texts[1],
        format!("{b} \"make\" finished: completed, after 3s")
    );
    assert_eq!(
        texts[2],
        format!("{c} \"review\" finished: failed, reported, after 3s")
    );
}
