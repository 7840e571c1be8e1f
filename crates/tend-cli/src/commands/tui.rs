//! `tend tui`: the terminal UI.

use crate::context::Context;
use crate::exit;

/// Runs `tend tui` until the user quits.
pub async fn run(context: &Context) -> anyhow::Result<u8> {
    let options = tend_tui::Options {
        session: context.session_filter.clone(),
        no_color: context.env.no_color,
    };
    tend_tui::run(context.client.clone(), options).await?;
    Ok(exit::OK)
}
