//! [`TendServer`]: the MCP server handler, its six tools and the session each call acts for.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{CallToolResult, Implementation, JsonObject, ServerCapabilities, ServerConfig};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler, tool, tool_handler, tool_router};

use crate::answer::{self, Answer, ToolError};
use crate::config::McpConfig;
use crate::notify::Notifier;
use crate::schema;
use crate::tools::{self, Call, input, list, output, run, stop, wait};

/// What the server tells a client about itself.
const INSTRUCTIONS: &str = "tend runs shell commands in the background. Use bg_run \
instead of a blocking shell call for anything that may take more than a few seconds (builds, \
test suites, installs, servers, watchers): it answers inline when the command is quick, else \
with a task id while it keeps running. Answers are short: long output shows its head and tail \
with the cursor of the middle; read more with bg_output (cursor, tail_lines, grep with \
context), wait with bg_wait rather than polling, stop with bg_stop. A [tend] line at the end of \
an answer reports a task that ended since the previous answer, once.";

/// State shared by every handler of one server: the configuration, the notification lock and
/// whether any tool was called.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: McpConfig,
    notifier: Notifier,
    used: AtomicBool,
    session_from_query: bool,
}

impl Shared {
    /// State for `config`; with `session_from_query`, an HTTP request's `?session=NAME`
    /// chooses the session of its calls.
    pub(crate) fn new(config: McpConfig, session_from_query: bool) -> Arc<Self> {
        Arc::new(Self {
            config,
            notifier: Notifier::default(),
            used: AtomicBool::new(false),
            session_from_query,
        })
    }

    /// Whether a tool was called (so the session may hold tasks).
    pub(crate) fn was_used(&self) -> bool {
        self.used.load(Ordering::Relaxed)
    }
}

/// The MCP server handler of tend: the tools `bg_run`, `bg_output`, `bg_wait`, `bg_stop`,
/// `bg_list` and `bg_input` (CONTRACT.md §7) over a daemon client.
///
/// Serve it on any rmcp transport; [`crate::run_stdio`] and [`crate::http::router`] do that
/// for stdio and Streamable HTTP.
#[derive(Clone)]
pub struct TendServer {
    shared: Arc<Shared>,
    tool_router: ToolRouter<Self>,
}

impl fmt::Debug for TendServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TendServer")
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}

impl TendServer {
    /// A server acting for `config`'s session.
    pub fn new(config: McpConfig) -> Self {
        Self::with_shared(Shared::new(config, false))
    }

    pub(crate) fn with_shared(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            tool_router: Self::tool_router(),
        }
    }

    /// The session a call acts for: the configuration's, or over HTTP the `session` query
    /// parameter of the request when given.
    fn session(&self, context: &RequestContext<RoleServer>) -> Result<String, ToolError> {
        let own = self.shared.config.session();
        if !self.shared.session_from_query {
            return Ok(own.to_owned());
        }
        let query = context
            .extensions
            .get::<axum::http::request::Parts>()
            .and_then(|parts| parts.uri.query())
            .unwrap_or_default();
        let asked = form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "session")
            .map(|(_, value)| value.into_owned());
        match asked {
            None => Ok(own.to_owned()),
            Some(session) => {
                tend_core::validate_session(&session).map_err(ToolError::from)?;
                Ok(session)
            }
        }
    }

    /// Runs one tool for the call's session and ends its answer with the notifications.
    async fn answer<A, F>(
        &self,
        context: &RequestContext<RoleServer>,
        arguments: JsonObject,
        tool: F,
    ) -> CallToolResult
    where
        A: serde::de::DeserializeOwned,
        F: AsyncFnOnce(Call<'_>, A) -> Result<Answer, ToolError>,
    {
        let session = match self.session(context) {
            Ok(session) => session,
            Err(error) => return answer::finish(Err(error), &[]),
        };
        self.shared.used.store(true, Ordering::Relaxed);
        let config = &self.shared.config;
        let call = Call {
            client: config.client(),
            session: &session,
            cwd: config.cwd(),
            environment: config.environment(),
        };
        let outcome = match tools::parse::<A>(arguments) {
            Ok(arguments) => tool(call, arguments).await,
            Err(error) => Err(error),
        };
        let notes = self.shared.notifier.take(config.client(), &session).await;
        answer::finish(outcome, &notes)
    }
}

#[tool_router]
impl TendServer {
    #[tool(
        name = "bg_run",
        description = run::DESCRIPTION,
        input_schema = schema::input::<run::RunArgs>(),
        annotations(title = "Run in the background", read_only_hint = false, open_world_hint = true)
    )]
    async fn bg_run(
        &self,
        context: RequestContext<RoleServer>,
        arguments: JsonObject,
    ) -> CallToolResult {
        self.answer(&context, arguments, run::run).await
    }

    #[tool(
        name = "bg_output",
        description = output::DESCRIPTION,
        input_schema = schema::input::<output::OutputArgs>(),
        annotations(title = "Read task output", read_only_hint = true, open_world_hint = false)
    )]
    async fn bg_output(
        &self,
        context: RequestContext<RoleServer>,
        arguments: JsonObject,
    ) -> CallToolResult {
        self.answer(&context, arguments, output::output).await
    }

    #[tool(
        name = "bg_wait",
        description = wait::DESCRIPTION,
        input_schema = schema::input::<wait::WaitArgs>(),
        annotations(title = "Wait for tasks", read_only_hint = true, open_world_hint = false)
    )]
    async fn bg_wait(
        &self,
        context: RequestContext<RoleServer>,
        arguments: JsonObject,
    ) -> CallToolResult {
        let progress = context
            .meta
            .get_progress_token()
            .map(|token| wait::Progress {
                peer: context.peer.clone(),
                token,
            });
        let cancel = context.ct.clone();
        self.answer(&context, arguments, async move |call, arguments| {
            wait::wait(call, arguments, progress, cancel).await
        })
        .await
    }

    #[tool(
        name = "bg_stop",
        description = stop::DESCRIPTION,
        input_schema = schema::input::<stop::StopArgs>(),
        annotations(
            title = "Stop a task",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn bg_stop(
        &self,
        context: RequestContext<RoleServer>,
        arguments: JsonObject,
    ) -> CallToolResult {
        self.answer(&context, arguments, stop::stop).await
    }

    #[tool(
        name = "bg_list",
        description = list::DESCRIPTION,
        input_schema = schema::input::<list::ListArgs>(),
        annotations(title = "List tasks", read_only_hint = true, open_world_hint = false)
    )]
    async fn bg_list(
        &self,
        context: RequestContext<RoleServer>,
        arguments: JsonObject,
    ) -> CallToolResult {
        self.answer(&context, arguments, list::list).await
    }

    #[tool(
        name = "bg_input",
        description = input::DESCRIPTION,
        input_schema = schema::input::<input::InputArgs>(),
        annotations(title = "Write to a task's stdin", read_only_hint = false, open_world_hint = false)
    )]
    async fn bg_input(
        &self,
        context: RequestContext<RoleServer>,
        arguments: JsonObject,
    ) -> CallToolResult {
        self.answer(&context, arguments, input::input).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for TendServer {
    fn get_info(&self) -> ServerConfig {
        let mut implementation = Implementation::new("tend", env!("CARGO_PKG_VERSION"));
        implementation.title = Some("tend: background tasks".to_owned());
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(implementation)
            .with_instructions(INSTRUCTIONS)
    }
}

#[cfg(test)]
mod tests {
    use tend_client::Client;

    use super::*;

    #[test]
    fn six_tools_with_strict_schemas_and_descriptions() {
        let config = McpConfig::new(Client::new("/tmp/tend-none"), "s", "/").unwrap();
        let tools = TendServer::new(config).tool_router.list_all();
        let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
        for name in [
            "bg_run",
            "bg_output",
            "bg_wait",
            "bg_stop",
            "bg_list",
            "bg_input",
        ] {
            assert!(names.contains(&name), "{names:?}");
        }
        for tool in &tools {
            let schema = serde_json::Value::Object((*tool.input_schema).clone());
            let text = schema.to_string();
            assert!(
                !text.contains("null") && !text.contains("$ref"),
                "{}: {text}",
                tool.name
            );
            assert!(
                tool.description.as_ref().is_some_and(|d| d.len() > 80),
                "{}",
                tool.name
            );
        }
    }
}
