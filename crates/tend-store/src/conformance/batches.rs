//! Checks of group commit: order within a batch, atomicity, size, sequences, concurrency.

use std::sync::Arc;

use tend_core::{Changes, NotificationId, State, TaskId};

use super::samples::{changes, event, events, notification, sequences, shared, task};
use super::{Fixture, all_as_stored, assert_same, commit, load};
use crate::Store;

/// Within one batch, later steps win: a task upserted then removed is gone, a notification
/// queued then acknowledged is gone, events pruned by a later step are gone, the last group
/// limit and the last sequences hold.
pub async fn batches_apply_in_order<F: Fixture>(fixture: &mut F) {
    let store = fixture.fresh().await;
    let mut first = changes(sequences(2, 4, 2));
    first.tasks = vec![task(1, "s1", State::Pending)];
    first.notifications = shared(vec![notification(1, 1, "s1")]);
    first.events = events(1, 3);
    first.group_limits = vec![("g".into(), 1)];
    let mut second = changes(sequences(3, 6, 2));
    second.tasks = vec![task(1, "s1", State::Running), task(2, "s1", State::Pending)];
    second.events = events(4, 5);
    second.events_pruned_before = Some(3);
    second.acked_notifications = vec![NotificationId::new(1)];
    second.group_limits = vec![("g".into(), 3)];
    let mut third = changes(sequences(3, 7, 3));
    third.removed_tasks = vec![TaskId::new(2)];
    third.notifications = shared(vec![notification(2, 1, "s1")]);
    third.events = events(6, 6);
    commit(&store, &[first, second, third], "one batch of three steps").await;

    let snapshot = load(&store, "after the batch").await;
    assert_eq!(
        snapshot.tasks,
        all_as_stored(&[task(1, "s1", State::Running)])
    );
    assert_eq!(snapshot.notifications, vec![notification(2, 1, "s1")]);
    assert_eq!(snapshot.events, events(3, 6));
    assert_eq!(snapshot.group_limits, vec![("g".to_owned(), 3)]);
    assert_eq!(snapshot.sequences, sequences(3, 7, 3));
}

/// A batch refused part way (its last step appends an event whose sequence number is already
/// stored) leaves nothing of itself behind, and the store takes the next batch.
pub async fn failed_batch_leaves_nothing<F: Fixture>(fixture: &mut F) {
    let store = fixture.fresh().await;
    let mut first = changes(sequences(2, 3, 1));
    first.tasks = vec![task(1, "s1", State::Running)];
    first.events = events(1, 2);
    commit(&store, &[first], "before the failed batch").await;
    let before = load(&store, "before the failed batch").await;

    let mut good = changes(sequences(3, 4, 2));
    good.tasks = vec![
        task(1, "s1", State::Completed),
        task(2, "s1", State::Pending),
    ];
    good.notifications = shared(vec![notification(1, 1, "s1")]);
    good.events = vec![event(3, 1, "s1")];
    good.events_pruned_before = Some(2);
    good.group_limits = vec![("g".into(), 4)];
    let mut bad = changes(sequences(3, 5, 2));
    bad.removed_tasks = vec![TaskId::new(1)];
    bad.events = vec![event(2, 2, "s1")];
    let result = store.commit(&[good.clone(), bad]).await;
    assert!(
        result.is_err(),
        "appending event 2 a second time must fail the batch"
    );
    assert_same(
        &load(&store, "after the failed batch").await,
        &before,
        "after the failed batch",
    );

    commit(&store, &[good], "after the failed batch").await;
    let snapshot = load(&store, "after the retried batch").await;
    assert_eq!(snapshot.tasks.len(), 2);
    assert_eq!(snapshot.events, events(2, 3));
    assert_eq!(snapshot.sequences, sequences(3, 4, 2));
}

/// A batch of thousands of steps (5,000 events: more than backends usually read or write in one
/// statement) is wholly visible, and so is a batch that removes half of it.
pub async fn large_batch_is_wholly_visible<F: Fixture>(fixture: &mut F) {
    const STEPS: u64 = 2_500;
    let store = fixture.fresh().await;
    let batch: Vec<Changes> = (1..=STEPS)
        .map(|n| {
            let mut step = changes(sequences(n + 1, 2 * n + 1, n + 1));
            step.tasks = vec![task(n, "s1", State::Completed)];
            step.events = vec![event(2 * n - 1, n, "s1"), event(2 * n, n, "s1")];
            step.notifications = shared(vec![notification(n, n, "s1")]);
            step.group_limits = vec![(format!("g{}", n % 7), u32::try_from(n).unwrap_or(0))];
            step
        })
        .collect();
    commit(&store, &batch, "a large batch").await;
    let snapshot = load(&store, "after the large batch").await;
    assert_eq!(snapshot.tasks.len() as u64, STEPS);
    assert!(
        snapshot
            .tasks
            .iter()
            .zip(1..)
            .all(|(s, n)| s.task.id.number() == n)
    );
    assert_eq!(snapshot.events.len() as u64, 2 * STEPS);
    assert!(snapshot.events.iter().zip(1..).all(|(e, seq)| e.seq == seq));
    assert_eq!(snapshot.notifications.len() as u64, STEPS);
    assert_eq!(snapshot.group_limits.len(), 7);
    // The last step setting g0 is the last multiple of seven.
    assert!(snapshot.group_limits.contains(&("g0".to_owned(), 2_499)));
    assert_eq!(
        snapshot.sequences,
        sequences(STEPS + 1, 2 * STEPS + 1, STEPS + 1)
    );

    let evictions: Vec<Changes> = (1..=STEPS)
        .filter(|n| n % 2 == 0)
        .map(|n| {
            let mut step = changes(sequences(STEPS + 1, 2 * STEPS + 1, STEPS + 1));
            step.removed_tasks = vec![TaskId::new(n)];
            step.acked_notifications = vec![NotificationId::new(n)];
            step
        })
        .collect();
    commit(&store, &evictions, "a large batch of removals").await;
    let snapshot = load(&store, "after the removals").await;
    assert_eq!(snapshot.tasks.len() as u64, STEPS / 2);
    assert!(snapshot.tasks.iter().all(|s| s.task.id.number() % 2 == 1));
    assert_eq!(snapshot.notifications.len() as u64, STEPS / 2);
    assert!(
        snapshot
            .notifications
            .iter()
            .all(|n| n.id.number() % 2 == 1)
    );
}

/// A commit carrying smaller sequences than those stored keeps the stored ones, each on its own.
pub async fn sequences_never_go_backwards<F: Fixture>(fixture: &mut F) {
    let store = fixture.fresh().await;
    commit(&store, &[changes(sequences(10, 20, 5))], "forward").await;
    commit(&store, &[changes(sequences(3, 4, 1))], "backward").await;
    assert_eq!(
        load(&store, "after a backward commit").await.sequences,
        sequences(10, 20, 5)
    );
    commit(&store, &[changes(sequences(11, 2, 6))], "mixed").await;
    assert_eq!(
        load(&store, "after a mixed commit").await.sequences,
        sequences(11, 20, 6)
    );
}

/// Commits from concurrent tasks all land, none lost or torn.
pub async fn concurrent_commits_all_land<F: Fixture>(fixture: &mut F) {
    const WRITERS: u64 = 8;
    const COMMITS: u64 = 10;
    let store = Arc::new(fixture.fresh().await);
    let mut handles = Vec::new();
    for writer in 0..WRITERS {
        let store = Arc::clone(&store);
        handles.push(tokio::spawn(async move {
            for commit in 0..COMMITS {
                let n = 1 + writer * COMMITS + commit;
                let mut step = changes(sequences(n + 1, 1, 1));
                step.tasks = vec![task(n, &format!("s{writer}"), State::Pending)];
                step.notifications = shared(vec![notification(n, n, &format!("s{writer}"))]);
                store.commit(&[step]).await?;
            }
            Ok::<_, crate::StoreError>(())
        }));
    }
    for handle in handles {
        match handle.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => panic!("a concurrent commit failed: {error}"),
            Err(error) => panic!("a concurrent writer panicked: {error}"),
        }
    }
    let snapshot = load(store.as_ref(), "after concurrent commits").await;
    let total = WRITERS * COMMITS;
    assert_eq!(snapshot.tasks.len() as u64, total);
    assert_eq!(snapshot.notifications.len() as u64, total);
    assert_eq!(snapshot.sequences, sequences(total + 1, 1, 1));
}
