//! Checks of each kind of row: round trips, overwrites, deletions, pruning, reopening.

use tend_core::{NotificationId, Sequences, Snapshot, State, TaskId};

use super::samples::{changes, event, events, notification, sequences, shared, summary, task};
use super::{Fixture, all_as_stored, assert_same, commit, load};

/// A store that was never written loads as empty, with every sequence at zero.
pub async fn empty_store_loads_nothing<F: Fixture>(fixture: &mut F) {
    let store = fixture.fresh().await;
    let snapshot = load(&store, "empty store").await;
    assert_same(&snapshot, &Snapshot::default(), "empty store");
    assert_eq!(snapshot.sequences, Sequences::default());
}

/// Everything committed comes back equal: tasks (without their environment, which is never
/// stored), events, notifications (with and without a task), group limits and sequences.
pub async fn round_trips_everything<F: Fixture>(fixture: &mut F) {
    let store = fixture.fresh().await;
    let mut step = changes(sequences(4, 4, 3));
    step.tasks = vec![
        task(2, "s2", State::Completed),
        task(1, "s1", State::Running),
        task(3, "s1", State::Pending),
    ];
    step.events = events(1, 3);
    step.notifications = shared(vec![notification(1, 2, "s2"), summary(2, "s2", &[2])]);
    step.group_limits = vec![("build".into(), 2), ("default".into(), 0)];
    commit(&store, &[step.clone()], "round trip").await;

    let snapshot = load(&store, "round trip").await;
    let expected = Snapshot {
        tasks: vec![
            task(1, "s1", State::Running),
            task(2, "s2", State::Completed),
            task(3, "s1", State::Pending),
        ],
        notifications: step.notifications.iter().map(|n| (**n).clone()).collect(),
        events: step.events.clone(),
        group_limits: step.group_limits.clone(),
        sequences: step.sequences,
    };
    assert_same(&snapshot, &expected, "round trip");
    assert!(
        snapshot.tasks.iter().all(|t| t.spec.env.is_empty()),
        "a task's environment must never be stored"
    );
}

/// A task, notification or group limit committed again replaces the stored one.
pub async fn upserts_overwrite<F: Fixture>(fixture: &mut F) {
    let store = fixture.fresh().await;
    let mut first = changes(sequences(2, 1, 2));
    first.tasks = vec![task(1, "s1", State::Pending)];
    first.notifications = shared(vec![notification(1, 1, "s1")]);
    first.group_limits = vec![("build".into(), 2)];
    commit(&store, &[first], "first version").await;

    let mut moved = task(1, "s9", State::Completed);
    moved.spec.env = tend_core::Env::new(vec![("TOKEN".into(), "rotated".into())]);
    let mut renotified = notification(1, 1, "s9");
    renotified.text = "rewritten".into();
    let mut second = changes(sequences(2, 1, 2));
    second.tasks = vec![moved.clone()];
    second.notifications = shared(vec![renotified.clone()]);
    second.group_limits = vec![("build".into(), 5)];
    commit(&store, &[second], "second version").await;

    let snapshot = load(&store, "overwritten").await;
    assert_eq!(
        snapshot.tasks,
        all_as_stored(&[moved]),
        "the task was not replaced"
    );
    assert_eq!(snapshot.notifications, vec![renotified]);
    assert_eq!(snapshot.group_limits, vec![("build".to_owned(), 5)]);
}

/// Removed tasks are gone and the others stay; removing an unknown task is not an error.
pub async fn removals_delete<F: Fixture>(fixture: &mut F) {
    let store = fixture.fresh().await;
    let mut first = changes(sequences(4, 1, 1));
    first.tasks = (1..=3).map(|n| task(n, "s1", State::Completed)).collect();
    commit(&store, &[first], "three tasks").await;
    let mut second = changes(sequences(4, 1, 1));
    second.removed_tasks = vec![TaskId::new(2), TaskId::new(77)];
    commit(&store, &[second], "remove").await;

    let snapshot = load(&store, "after removal").await;
    let ids: Vec<_> = snapshot.tasks.iter().map(|s| s.task.id).collect();
    assert_eq!(ids, vec![TaskId::new(1), TaskId::new(3)]);
}

/// Acknowledged notifications are gone and the others stay.
pub async fn acked_notifications_are_gone<F: Fixture>(fixture: &mut F) {
    let store = fixture.fresh().await;
    let mut first = changes(sequences(4, 1, 4));
    first.notifications = (1..=3).map(|n| notification(n, n, "s1").into()).collect();
    commit(&store, &[first], "three notifications").await;
    let mut second = changes(sequences(4, 1, 4));
    second.acked_notifications = vec![NotificationId::new(1), NotificationId::new(3)];
    commit(&store, &[second], "ack").await;
    let mut third = changes(sequences(4, 1, 4));
    third.acked_notifications = vec![NotificationId::new(3), NotificationId::new(50)];
    commit(&store, &[third], "ack again").await;

    let snapshot = load(&store, "after acks").await;
    assert_eq!(snapshot.notifications, vec![notification(2, 2, "s1")]);
}

/// Events before the prune point are gone; the rest stay, consecutive, and the log goes on.
pub async fn pruned_events_are_gone<F: Fixture>(fixture: &mut F) {
    let store = fixture.fresh().await;
    let mut first = changes(sequences(2, 11, 1));
    first.events = events(1, 10);
    commit(&store, &[first], "ten events").await;
    let mut second = changes(sequences(2, 11, 1));
    second.events_pruned_before = Some(6);
    commit(&store, &[second], "prune").await;
    assert_eq!(load(&store, "after prune").await.events, events(6, 10));

    let mut third = changes(sequences(2, 13, 1));
    third.events = events(11, 12);
    commit(&store, &[third], "append").await;
    let snapshot = load(&store, "after append").await;
    assert_eq!(snapshot.events, events(6, 12));
    assert_eq!(snapshot.sequences.next_event, 13);
}

/// Closing and reopening the store keeps everything, and the reopened store takes commits.
pub async fn reopen_keeps_everything<F: Fixture>(fixture: &mut F) {
    let store = fixture.fresh().await;
    let mut first = changes(sequences(3, 3, 2));
    first.tasks = vec![task(1, "s1", State::Running), task(2, "s1", State::Failed)];
    first.events = events(1, 2);
    first.notifications = shared(vec![notification(1, 2, "s1")]);
    first.group_limits = vec![("build".into(), 3)];
    commit(&store, &[first], "before reopening").await;
    let before = load(&store, "before reopening").await;

    let store = fixture.reopen(store).await;
    let after = load(&store, "after reopening").await;
    assert_same(&after, &before, "after reopening");

    let mut second = changes(sequences(4, 4, 2));
    second.tasks = vec![task(3, "s1", State::Pending)];
    second.events = vec![event(3, 3, "s1")];
    commit(&store, &[second], "after reopening").await;
    let store = fixture.reopen(store).await;
    let last = load(&store, "after the second reopening").await;
    assert_eq!(last.tasks.len(), 3);
    assert_eq!(last.events.len(), 3);
    assert_eq!(last.sequences, sequences(4, 4, 2));
}
