//! `tend notifications [--ack]`: the session's unacknowledged notifications.

use tend_proto::{AckParams, NotificationsQuery};

use crate::cli::NotificationsArgs;
use crate::context::Context;
use crate::{clock, exit, output, render};

/// Runs `tend notifications`; with `--ack`, acknowledges those it printed and says so.
pub async fn run(context: &Context, args: &NotificationsArgs) -> anyhow::Result<u8> {
    let session = &context.session;
    let answer = context
        .client
        .notifications(session, &NotificationsQuery::default())
        .await?;
    let notifications = &answer.notifications;
    if context.json {
        output::json(&answer)?;
    } else if notifications.is_empty() {
        output::line(&format!("no notifications for session {session}"))?;
    } else {
        output::text(&render::notifications_table(
            notifications,
            clock::now(),
            &context.style,
        ))?;
    }
    if args.ack && !notifications.is_empty() {
        let ids: Vec<_> = notifications.iter().map(|n| n.id).collect();
        context
            .client
            .ack_notifications(session, &AckParams { ids: ids.clone() })
            .await?;
        if !context.json {
            let plural = if ids.len() == 1 { "" } else { "s" };
            let last = ids[ids.len() - 1];
            // On stderr, so that stdout stays the list.
            eprintln!(
                "tend: acknowledged {} notification{plural} of session {session}, up to {last}",
                ids.len()
            );
        }
    }
    Ok(exit::OK)
}
