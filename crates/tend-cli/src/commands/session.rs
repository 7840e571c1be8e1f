//! `tend session close S [--successor S2]`.

use tend_proto::CloseParams;

use crate::context::Context;
use crate::{clock, exit, output, render};

/// Runs `tend session close`: prints the tasks its close policies affected.
pub async fn close(context: &Context, name: &str, successor: Option<&str>) -> anyhow::Result<u8> {
    let params = CloseParams {
        successor: successor.map(str::to_owned),
    };
    let answer = context.client.close_session(name, &params).await?;
    if context.json {
        output::json(&answer)?;
    } else if !answer.tasks.is_empty() {
        output::text(&render::tasks_table(
            &answer.tasks,
            clock::now(),
            &context.style,
        ))?;
    }
    Ok(exit::OK)
}
