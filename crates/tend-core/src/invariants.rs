//! Invariant checks over the whole engine, for tests and for state read back from a store.

use std::collections::HashMap;

use crate::engine::Engine;
use crate::task::State;

/// Checks every structural invariant of the engine; returns the first violation found.
///
/// Checked: terminal records have a reason and `finished_at` and live ones neither; the live
/// set, session counts and key index agree with the records; per group, slots held equal the
/// tasks in running/waiting/cancel_requested and the pending count equals the pending tasks;
/// the ready queue holds only pending tasks; no live task has a failed or cancelled dependency;
/// every retained terminal task that still has an unacknowledged notification has exactly one;
/// the event log is consecutive and below the sequence.
pub fn check(engine: &Engine) -> Result<(), String> {
    let mut running: HashMap<&str, u32> = HashMap::new();
    let mut pending: HashMap<&str, u32> = HashMap::new();
    let mut live_per_session: HashMap<&str, usize> = HashMap::new();
    for stored in engine.tasks.values() {
        let task = &stored.task;
        let id = task.id;
        if task.state.is_terminal() != task.reason.is_some() {
            return Err(format!(
                "{id}: state {:?} with reason {:?}",
                task.state, task.reason
            ));
        }
        if task.state.is_terminal() != task.finished_at.is_some() {
            return Err(format!(
                "{id}: state {:?} with finished_at {:?}",
                task.state, task.finished_at
            ));
        }
        if task.is_live() != engine.live.contains(&id) {
            return Err(format!(
                "{id}: live index disagrees with state {:?}",
                task.state
            ));
        }
        if !engine.order.contains(&id) {
            return Err(format!("{id}: missing from the order index"));
        }
        if !engine
            .sessions
            .get(&task.session)
            .is_some_and(|s| s.tasks.contains(&id))
        {
            return Err(format!("{id}: missing from session {}", task.session));
        }
        if task.state.holds_slot() {
            *running.entry(&task.group).or_default() += 1;
        }
        if task.state == State::Pending {
            *pending.entry(&task.group).or_default() += 1;
        }
        if task.is_live() {
            *live_per_session.entry(&task.session).or_default() += 1;
            if let Some(key) = &task.key
                && engine.keys.get(&(task.session.to_string(), key.clone())) != Some(&id)
            {
                return Err(format!("{id}: live key {key:?} not indexed"));
            }
            for dep in &task.after {
                if let Some(d) = engine.tasks.get(dep)
                    && matches!(d.task.state, State::Failed | State::Cancelled)
                    && !engine.restore_failures.contains(&id)
                {
                    return Err(format!(
                        "{id} is live but its dependency {dep} is {:?}",
                        d.task.state
                    ));
                }
            }
        }
    }
    for ((session, key), id) in &engine.keys {
        match engine.tasks.get(id) {
            Some(s)
                if s.task.is_live()
                    && &s.task.session == session
                    && s.task.key.as_ref() == Some(key) => {}
            _ => return Err(format!("key index ({session}, {key}) -> {id} is stale")),
        }
    }
    for (name, group) in &engine.groups {
        let held = running.get(&**name).copied().unwrap_or(0);
        if group.running != held {
            return Err(format!(
                "group {name}: {} slots counted, {held} held",
                group.running
            ));
        }
        let waiting = pending.get(&**name).copied().unwrap_or(0);
        if group.pending != waiting {
            return Err(format!(
                "group {name}: {} pending counted, {waiting} pending",
                group.pending
            ));
        }
        for id in &group.ready {
            if engine
                .tasks
                .get(id)
                .is_none_or(|s| s.task.state != State::Pending)
            {
                return Err(format!(
                    "group {name}: ready queue holds {id}, which is not pending"
                ));
            }
        }
    }
    for (name, index) in &engine.sessions {
        let live = live_per_session.get(name.as_str()).copied().unwrap_or(0);
        if index.live != live {
            return Err(format!(
                "session {name}: {} live counted, {live} live",
                index.live
            ));
        }
    }
    for (task, notification) in &engine.unacked_tasks {
        let Some(stored) = engine.tasks.get(task) else {
            return Err(format!(
                "unacknowledged notification {notification} for evicted {task}"
            ));
        };
        if !engine
            .outbox
            .get(&stored.task.session)
            .is_some_and(|o| o.contains_key(notification))
            && !engine.outbox.values().any(|o| o.contains_key(notification))
        {
            return Err(format!(
                "{task}: notification {notification} is not in any outbox"
            ));
        }
    }
    let mut expected = engine.events.front().map(|e| e.seq);
    for event in &engine.events {
        if Some(event.seq) != expected {
            return Err(format!("event log gap at {}", event.seq));
        }
        expected = Some(event.seq + 1);
    }
    if let Some(next) = expected
        && next != engine.seq.next_event
    {
        return Err(format!(
            "event log ends at {next} but the sequence is {}",
            engine.seq.next_event
        ));
    }
    Ok(())
}
