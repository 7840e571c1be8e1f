//! The tools over Streamable HTTP: the router served in this process, as the daemon serves it,
//! reached by the MCP Python SDK with the token, and refused without it or from a foreign
//! Origin or Host.

use tend_client::{Autostart, Client, StartPolicy};
use tend_mcp::{McpConfig, http};

use crate::support::{Home, scenario, tend};

#[test]
fn the_http_transport_needs_the_token_and_a_loopback_origin() {
    let home = Home::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(http::bind("127.0.0.1:0".parse().unwrap()))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let client =
        Client::new(home.path()).with_start_policy(StartPolicy::Spawn(Autostart::new(tend())));
    let config = McpConfig::new(client, http::DEFAULT_SESSION, home.path()).unwrap();
    let token = http::ensure_token(home.path()).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(http::serve(listener, config, async move {
        let _ = stopped.await;
    }));
    let url = format!("http://{addr}{}", http::PATH);
    scenario("http", &home, &["--url", &url, "--token", &token]);
    let _ = stop.send(());
    runtime.block_on(server).unwrap().unwrap();
}

#[test]
fn only_loopback_addresses_are_served() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let error = runtime
        .block_on(http::bind("0.0.0.0:0".parse().unwrap()))
        .unwrap_err();
    assert!(
        matches!(error, tend_mcp::McpError::NotLoopback { .. }),
        "{error}"
    );
}
