//! `tend group ls` and `tend group set NAME LIMIT`.

use tend_proto::GroupLimitParams;

use crate::context::Context;
use crate::{exit, output, render};

/// Runs `tend group ls`.
pub async fn list(context: &Context) -> anyhow::Result<u8> {
    let answer = context.client.groups().await?;
    if context.json {
        output::json(&answer)?;
    } else {
        output::text(&render::groups_table(&answer.groups, &context.style))?;
    }
    Ok(exit::OK)
}

/// Runs `tend group set`.
pub async fn set(context: &Context, name: &str, limit: u32) -> anyhow::Result<u8> {
    let group = context
        .client
        .set_group_limit(name, &GroupLimitParams { limit })
        .await?;
    if context.json {
        output::json(&group)?;
    } else {
        output::text(&render::groups_table(
            std::slice::from_ref(&group),
            &context.style,
        ))?;
    }
    Ok(exit::OK)
}
