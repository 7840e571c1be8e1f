//! `tend events`: the event log as JSON lines; `-f` keeps printing new events.

use std::time::Duration;

use tend_client::{EventFollower, FOLLOW_POLL};
use tend_proto::EventsQuery;

use crate::cli::EventsArgs;
use crate::context::Context;
use crate::{exit, output};

/// Runs `tend events`: the events after `--after` (from the oldest retained), of the session
/// given with `--session` (else all) and of `--task`; without `-f`, until the newest.
pub async fn run(context: &Context, args: &EventsArgs) -> anyhow::Result<u8> {
    let query = EventsQuery {
        after: args.after,
        session: context.session_filter.clone(),
        task: match &args.task {
            Some(task) => Some(crate::ids::resolve(context, task).await?),
            None => None,
        },
        ..EventsQuery::default()
    };
    let mut follower = EventFollower::new(query);
    let wait = if args.follow {
        FOLLOW_POLL
    } else {
        Duration::ZERO
    };
    loop {
        let events = follower.next(&context.client, wait).await?;
        if events.is_empty() && !args.follow {
            return Ok(exit::OK);
        }
        for event in &events {
            output::json(event)?;
        }
    }
}
