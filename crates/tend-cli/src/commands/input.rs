//! `tend input ID TEXT [--eof]`: writes to the stdin of a task started with `--stdin`.

use tend_proto::StdinParams;

use crate::cli::InputArgs;
use crate::context::Context;
use crate::exit;

/// Runs `tend input`.
pub async fn run(context: &Context, args: &InputArgs) -> anyhow::Result<u8> {
    let params = StdinParams {
        data: args.text.clone(),
        eof: args.eof,
    };
    context.client.write_stdin(args.id, &params).await?;
    Ok(exit::OK)
}
