//! `tend show ID`: one record as `key: value` lines, with its run time and, for a pending
//! task, why it waits.

use tend_core::{EventKind, State, Task, Timestamp};
use tend_proto::EventsQuery;

use crate::cli::ShowArgs;
use crate::context::Context;
use crate::{clock, exit, output, render};

/// Runs `tend show`.
pub async fn run(context: &Context, args: &ShowArgs) -> anyhow::Result<u8> {
    let id = crate::ids::resolve(context, &args.id).await?;
    let task = context
        .client
        .get_task(id)
        .await
        .map_err(|error| crate::ids::task_error(id, error))?;
    if context.json {
        output::json(&task)?;
    } else {
        let now = clock::now();
        let waiting = if task.state == State::Pending {
            Some(why_pending(context, &task, now).await?)
        } else {
            None
        };
        let view = render::record_view(&task, waiting.as_deref(), now, &context.style);
        output::text(&view)?;
    }
    Ok(exit::OK)
}

/// Why a pending task has not started: the `after` tasks that have not completed, the retry
/// backoff, a full group; else it is about to start.
async fn why_pending(context: &Context, task: &Task, now: Timestamp) -> anyhow::Result<String> {
    let mut reasons = Vec::new();
    let mut before = Vec::new();
    for &id in &task.after {
        match context.client.get_task(id).await {
            Ok(other) if other.state == State::Completed => {}
            Ok(other) => before.push(format!("{id} ({})", other.state.as_str())),
            Err(_) => before.push(id.to_string()),
        }
    }
    if !before.is_empty() {
        reasons.push(format!("for {} to complete", before.join(", ")));
    }
    if task.attempt > 1
        && let Some(at) = retry_at(context, task).await?
        && at > now
    {
        reasons.push(format!(
            "retry backoff until {at} (in {}), attempt {} of {}",
            tend_core::display::compact_duration(at.millis_since(now)),
            task.attempt,
            task.max_attempts
        ));
    }
    let groups = context.client.groups().await?.groups;
    if let Some(group) = groups.iter().find(|group| group.name == task.group)
        && group.limit > 0
        && group.running >= group.limit
    {
        reasons.push(format!(
            "group {} is full ({} of {} running, {} pending; raise it with: tend group set {} N)",
            group.name, group.running, group.limit, group.pending, group.name
        ));
    }
    Ok(if reasons.is_empty() {
        "for nothing: it is about to start".to_owned()
    } else {
        reasons.join("; ")
    })
}

/// When the task's next attempt may start: the last `retrying` event's `retry_at`.
async fn retry_at(context: &Context, task: &Task) -> anyhow::Result<Option<Timestamp>> {
    let query = EventsQuery {
        task: Some(task.id),
        ..EventsQuery::default()
    };
    let mut follower = tend_client::EventFollower::new(query);
    let mut at = None;
    loop {
        let events = follower
            .next(&context.client, std::time::Duration::ZERO)
            .await?;
        if events.is_empty() {
            return Ok(at);
        }
        for event in events {
            if let EventKind::Retrying { retry_at, .. } = event.kind {
                at = Some(retry_at);
            }
        }
    }
}
