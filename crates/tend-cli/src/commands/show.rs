//! `tend show ID`: one record as `key: value` lines.

use crate::cli::ShowArgs;
use crate::context::Context;
use crate::{clock, exit, output, render};

/// Runs `tend show`.
pub async fn run(context: &Context, args: &ShowArgs) -> anyhow::Result<u8> {
    let task = context.client.get_task(args.id).await?;
    if context.json {
        output::json(&task)?;
    } else {
        output::text(&render::record_view(&task, clock::now(), &context.style))?;
    }
    Ok(exit::OK)
}
