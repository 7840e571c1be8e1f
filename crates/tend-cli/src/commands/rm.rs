//! `tend rm ID...`: removes ended tasks and their output.

use crate::cli::RmArgs;
use crate::context::Context;
use crate::exit;

/// Runs `tend rm`. Every id is tried; the first failure decides the exit code (a live task is
/// a conflict, exit 5).
pub async fn run(context: &Context, args: &RmArgs) -> anyhow::Result<u8> {
    let mut code = exit::OK;
    for id in crate::ids::resolve_all(context, &args.ids).await? {
        if let Err(error) = context.client.remove_task(id).await {
            let error = crate::ids::task_error(id, error);
            eprintln!("tend: {error}");
            if code == exit::OK {
                code = exit::code_of_error(&error).unwrap_or(exit::ERROR);
            }
        }
    }
    Ok(code)
}
