//! `tend input ID [TEXT] [--key NAME]... [--eof]`: writes to the stdin of a task started with
//! `--stdin` or `--tty`.

use tend_proto::StdinParams;

use crate::cli::InputArgs;
use crate::context::Context;
use crate::exit;

/// Runs `tend input`.
pub async fn run(context: &Context, args: &InputArgs) -> anyhow::Result<u8> {
    let params = StdinParams {
        data: args.text.clone().unwrap_or_default(),
        keys: args.keys.clone(),
        eof: args.eof,
    };
    let id = crate::ids::resolve(context, &args.id).await?;
    context
        .client
        .write_stdin(id, &params)
        .await
        .map_err(|error| crate::ids::task_error(id, error))?;
    Ok(exit::OK)
}
