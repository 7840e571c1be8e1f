//! Folding a batch of steps' changes into its net effect: one write per row, whatever the backend.

use std::collections::BTreeMap;

use tend_core::{Changes, Event, Notification, Seq, Sequences, StoredTask};

/// The net effect of a batch of [`Changes`] applied in order.
///
/// Applying it (upserts, then deletes, then inserts and the prune) leaves a store in the same
/// state as applying each `Changes` in turn. Each row is written at most once, which both keeps
/// the transaction small and keeps multi-row upserts valid on PostgreSQL (which refuses to
/// touch a row twice in one statement).
#[derive(Debug, Default)]
pub(crate) struct Net<'a> {
    /// Task number → its last stored form, or `None` when the batch ends with it removed.
    pub tasks: BTreeMap<u64, Option<&'a StoredTask>>,
    /// Events to insert, in sequence order, without those the batch itself prunes.
    pub events: Vec<&'a Event>,
    /// Delete stored events before this sequence number.
    pub events_pruned_before: Option<Seq>,
    /// Notification number → the notification, or `None` when the batch ends with it acked.
    pub notifications: BTreeMap<u64, Option<&'a Notification>>,
    /// Group → the last limit set.
    pub group_limits: BTreeMap<&'a str, u32>,
    /// The sequences of the last step.
    pub sequences: Option<Sequences>,
}

impl<'a> Net<'a> {
    /// Folds `batch`, first step first.
    pub fn fold(batch: &'a [Changes]) -> Self {
        let mut net = Self::default();
        // An event survives unless a prune at its own step or a later one covers it.
        let mut prune_from_here: Vec<Option<Seq>> = vec![None; batch.len()];
        let mut latest: Option<Seq> = None;
        for (index, changes) in batch.iter().enumerate().rev() {
            latest = latest.max(changes.events_pruned_before);
            prune_from_here[index] = latest;
        }
        net.events_pruned_before = latest;
        for (changes, prune) in batch.iter().zip(prune_from_here) {
            for stored in &changes.tasks {
                net.tasks.insert(stored.task.id.number(), Some(stored));
            }
            for id in &changes.removed_tasks {
                net.tasks.insert(id.number(), None);
            }
            net.events.extend(
                changes
                    .events
                    .iter()
                    .filter(|event| prune.is_none_or(|before| event.seq >= before)),
            );
            for notification in &changes.notifications {
                net.notifications
                    .insert(notification.id.number(), Some(notification));
            }
            for id in &changes.acked_notifications {
                net.notifications.insert(id.number(), None);
            }
            for (group, limit) in &changes.group_limits {
                net.group_limits.insert(group, *limit);
            }
            net.sequences = Some(changes.sequences);
        }
        net.events.sort_by_key(|event| event.seq);
        net
    }

    /// The tasks to upsert, by id.
    pub fn upserted_tasks(&self) -> impl Iterator<Item = &'a StoredTask> + '_ {
        self.tasks.values().filter_map(|task| *task)
    }

    /// The task numbers to delete.
    pub fn removed_tasks(&self) -> impl Iterator<Item = u64> + '_ {
        self.tasks
            .iter()
            .filter(|(_, task)| task.is_none())
            .map(|(id, _)| *id)
    }

    /// The notifications to upsert, by id.
    pub fn queued_notifications(&self) -> impl Iterator<Item = &'a Notification> + '_ {
        self.notifications.values().filter_map(|n| *n)
    }

    /// The notification numbers to delete.
    pub fn acked_notifications(&self) -> impl Iterator<Item = u64> + '_ {
        self.notifications
            .iter()
            .filter(|(_, n)| n.is_none())
            .map(|(id, _)| *id)
    }
}

/// Splits `len` rows into statement sizes: as many `max` as fit, then the binary digits of the
/// rest (`max` a power of two). Few distinct sizes means few distinct statements to prepare and
/// cache, whatever the batch sizes.
pub(crate) fn chunk_sizes(len: usize, max: usize) -> impl Iterator<Item = usize> {
    debug_assert!(max.is_power_of_two());
    let full = len / max;
    let rest = len % max;
    std::iter::repeat_n(max, full).chain(
        (0..max.trailing_zeros())
            .rev()
            .map(|bit| 1usize << bit)
            .filter(move |size| rest & size != 0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_sizes_cover_every_row_with_few_shapes() {
        for len in 0..600 {
            let sizes: Vec<_> = chunk_sizes(len, 64).collect();
            assert_eq!(sizes.iter().sum::<usize>(), len, "{len}");
            assert!(sizes.iter().all(|s| s.is_power_of_two() && *s <= 64));
        }
        assert_eq!(
            chunk_sizes(200, 64).collect::<Vec<_>>(),
            vec![64, 64, 64, 8]
        );
    }

    #[test]
    fn later_steps_win_and_prunes_reach_back() {
        use tend_core::{NotificationId, TaskId};
        let mut first = Changes::default();
        first.group_limits.push(("g".into(), 1));
        first.acked_notifications.push(NotificationId::new(3));
        let mut second = Changes {
            events_pruned_before: Some(10),
            ..Changes::default()
        };
        second.group_limits.push(("g".into(), 2));
        second.removed_tasks.push(TaskId::new(4));
        second.sequences.next_task = 9;
        let batch = [first, second];
        let net = Net::fold(&batch);
        assert_eq!(net.group_limits.get("g"), Some(&2));
        assert_eq!(net.removed_tasks().collect::<Vec<_>>(), vec![4]);
        assert_eq!(net.acked_notifications().collect::<Vec<_>>(), vec![3]);
        assert_eq!(net.events_pruned_before, Some(10));
        assert_eq!(net.sequences.map(|s| s.next_task), Some(9));
    }
}
