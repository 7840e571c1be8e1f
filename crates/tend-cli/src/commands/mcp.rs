//! `tend mcp`: the MCP server on stdio, for this session (`--session`, else `TEND_SESSION`,
//! else `mcp-<random>`). Nothing but the protocol may go to stdout.

use crate::context::Context;

/// Serves MCP on stdio until stdin closes, then closes the session.
pub async fn run(context: &Context) -> anyhow::Result<u8> {
    // Not `context.session`: that one defaults to `cli`.
    let session =
        tend_mcp::session_name(context.session_filter.clone(), context.env.session.clone());
    // Commands run with the environment of this server (the agent's) plus each call's env.
    let config = tend_mcp::McpConfig::new(context.client.clone(), session, context.cwd.clone())?
        .with_environment(context.env.vars.0.clone());
    tend_mcp::run_stdio(config).await?;
    Ok(0)
}
