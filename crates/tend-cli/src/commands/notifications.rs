//! `tend notifications [--ack]`: the session's unacknowledged notifications.

use tend_proto::{AckParams, NotificationsQuery};

use crate::cli::NotificationsArgs;
use crate::context::Context;
use crate::{exit, output, render};

/// Runs `tend notifications`; with `--ack`, acknowledges those it printed.
pub async fn run(context: &Context, args: &NotificationsArgs) -> anyhow::Result<u8> {
    let session = &context.session;
    let answer = context
        .client
        .notifications(session, &NotificationsQuery::default())
        .await?;
    if context.json {
        output::json(&answer)?;
    } else {
        for notification in &answer.notifications {
            output::line(&render::notification_line(notification))?;
        }
    }
    if args.ack && !answer.notifications.is_empty() {
        let ids = answer.notifications.iter().map(|n| n.id).collect();
        context
            .client
            .ack_notifications(session, &AckParams { ids })
            .await?;
    }
    Ok(exit::OK)
}
