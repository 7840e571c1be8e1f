//! `tend rm ID...`: removes ended tasks and their output.

use crate::cli::RmArgs;
use crate::context::Context;
use crate::exit;

/// Runs `tend rm`. Every id is tried; the first failure decides the exit code (a live task is
/// a conflict, exit 5).
pub async fn run(context: &Context, args: &RmArgs) -> anyhow::Result<u8> {
    let mut code = exit::OK;
    for &id in &args.ids {
        if let Err(error) = context.client.remove_task(id).await {
            eprintln!("tend: {id}: {error}");
            if code == exit::OK {
                code = exit::code_of_api(error.code());
            }
        }
    }
    Ok(code)
}
