//! `tend session close S [--successor S2]`.

use tend_proto::CloseParams;

use super::print_tasks;
use crate::context::Context;
use crate::exit;

/// Runs `tend session close`: prints the tasks its close policies affected.
pub async fn close(context: &Context, name: &str, successor: Option<&str>) -> anyhow::Result<u8> {
    let params = CloseParams {
        successor: successor.map(str::to_owned),
    };
    let answer = context.client.close_session(name, &params).await?;
    print_tasks(context, &answer)?;
    Ok(exit::OK)
}
