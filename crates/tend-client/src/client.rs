//! [`Client`]: one method per route of the API (CONTRACT.md §5), starting a daemon when asked.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hyper::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tend_core::{GroupStatus, State, Task, TaskId};
use tend_proto::{
    AckParams, CloseParams, CompleteParams, CreateTaskParams, CreateTaskResponse, DaemonStopParams,
    DaemonStopResponse, EventsQuery, EventsResponse, GroupLimitParams, GroupsResponse,
    HealthResponse, ListTasksQuery, NotificationsQuery, NotificationsResponse, OutputFormat,
    OutputQuery, OutputRead, ProcessesResponse, ProgressParams, StdinParams, StopParams,
    TasksResponse, TransferParams, WaitParams, WaitResponse,
};
use tokio::sync::Mutex;

use crate::autostart::{self, Autostart, StartPolicy};
use crate::codec::{decode, encode, error_of, no_listener, raw_output, route, segment, with_query};
use crate::error::ClientError;
use crate::home::socket_path;
use crate::transport::{self, Outgoing, Reply, SendError};

/// A client of the daemon of one home.
///
/// Every request opens its own connection to `HOME/tend.sock`. When that connection cannot be
/// made (no socket, or a stale one), the [`StartPolicy`] decides: fail, or start `tend daemon`
/// for the home and send the request once the daemon answers `GET /v1/health`. A request is
/// only sent again when it was never sent, so no request is carried out twice.
///
/// Cloning is cheap; clones share the guard that keeps concurrent requests from starting more
/// than one daemon.
///
/// # Examples
///
/// ```no_run
/// use tend_client::{Autostart, Client, StartPolicy};
/// use tend_proto::CreateTaskParams;
///
/// # async fn example() -> Result<(), tend_client::ClientError> {
/// let client = Client::new("/home/me/.local/state/tend")
///     .with_start_policy(StartPolicy::Spawn(Autostart::new("/usr/bin/tend")));
/// let created = client.create_task(&CreateTaskParams::shell("cli", "make test")).await?;
/// println!("{}", created.task.id);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    home: PathBuf,
    socket: PathBuf,
    policy: StartPolicy,
    starting: Arc<Mutex<()>>,
    timeout: Duration,
}

/// How long a request may go unanswered (beyond its own wait) before the client gives up.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The grace a stop may take when the request does not say (the daemon's default is 5 s unless
/// configured otherwise).
const UNSAID_GRACE: Duration = Duration::from_secs(60);

fn millis(ms: Option<u64>) -> Duration {
    Duration::from_millis(ms.unwrap_or(0))
}

/// A raw output read (`format=raw`): the bytes exactly as written, and the numbers of
/// [`OutputRead`] from the `X-Tend-*` headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawOutput {
    /// The bytes.
    pub data: Vec<u8>,
    /// The task's state when the read was made.
    pub state: State,
    /// Offset of the first byte answered.
    pub cursor: u64,
    /// The cursor for the next read.
    pub next_cursor: u64,
    /// Bytes written to the stream so far.
    pub total_bytes: u64,
    /// Bytes dropped from the middle by the output cap.
    pub dropped_bytes: u64,
    /// True when `max_bytes` cut the answer.
    pub truncated: bool,
    /// True when the task is terminal and everything was read.
    pub eof: bool,
}

impl Client {
    /// A client of the daemon of `home` that never starts one.
    pub fn new(home: impl Into<PathBuf>) -> Self {
        let home = home.into();
        Self {
            socket: socket_path(&home),
            home,
            policy: StartPolicy::Never,
            starting: Arc::new(Mutex::new(())),
            timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }

    /// The same client giving up on a request after `timeout` (plus the request's own wait,
    /// for long polls and stops). Default: 30 s.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same client with another policy for when no daemon answers.
    pub fn with_start_policy(mut self, policy: StartPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The home.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The socket requests go to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    // ----- daemon -----

    /// `GET /v1/health`.
    pub async fn health(&self) -> Result<HealthResponse, ClientError> {
        self.call(Method::GET, "/v1/health".into(), None::<&()>)
            .await
    }

    /// `GET /v1/health` without starting a daemon: `None` when none answers.
    pub async fn probe(&self) -> Result<Option<HealthResponse>, ClientError> {
        let route = "/v1/health";
        let outgoing = Outgoing::new(Method::GET, route, None);
        match transport::send(&self.socket, &outgoing, self.timeout).await {
            Ok(reply) => decode(&outgoing, reply).map(Some),
            Err(SendError::Connect(_)) => Ok(None),
            Err(error) => Err(self.send_error(&outgoing, error)),
        }
    }

    /// Starts a daemon for the home unless one answers, whatever the policy (with the
    /// policy's program when it has one, else `autostart`), and answers its health.
    pub async fn start_daemon(&self, autostart: &Autostart) -> Result<HealthResponse, ClientError> {
        let _guard = self.starting.lock().await;
        // A daemon that is shutting down still holds its socket but drops connections: wait
        // (bounded) until it is gone before starting the next one.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            match self.probe().await {
                Ok(Some(health)) => return Ok(health),
                Ok(None) => break,
                Err(error) if error.is_unavailable() && tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(error) => return Err(error),
            }
        }
        autostart::start_and_wait(self, autostart).await
    }

    /// `POST /v1/daemon/stop`: the daemon answers, then stops. With `kill_tasks`, its live
    /// tasks are stopped first (reason `shutdown`) and listed.
    pub async fn stop_daemon(
        &self,
        params: &DaemonStopParams,
    ) -> Result<DaemonStopResponse, ClientError> {
        let wait = if params.kill_tasks {
            params.grace_ms.map_or(UNSAID_GRACE, |ms| millis(Some(ms)))
        } else {
            Duration::ZERO
        };
        self.call_waiting(Method::POST, "/v1/daemon/stop".into(), Some(params), wait)
            .await
    }

    /// `GET /v1/openapi.json`: the OpenAPI document of the API.
    pub async fn openapi(&self) -> Result<serde_json::Value, ClientError> {
        self.call(Method::GET, "/v1/openapi.json".into(), None::<&()>)
            .await
    }

    // ----- tasks -----

    /// `POST /v1/tasks`: creates a task (or finds the live one with the same key).
    pub async fn create_task(
        &self,
        params: &CreateTaskParams,
    ) -> Result<CreateTaskResponse, ClientError> {
        let wait = millis(params.yield_ms);
        self.call_waiting(Method::POST, "/v1/tasks".into(), Some(params), wait)
            .await
    }

    /// `GET /v1/tasks`: records, oldest first.
    pub async fn list_tasks(&self, query: &ListTasksQuery) -> Result<TasksResponse, ClientError> {
        self.call(
            Method::GET,
            with_query("/v1/tasks", &query.to_query()),
            None::<&()>,
        )
        .await
    }

    /// `GET /v1/tasks/{id}`: one record.
    pub async fn get_task(&self, id: TaskId) -> Result<Task, ClientError> {
        self.call(Method::GET, format!("/v1/tasks/{id}"), None::<&()>)
            .await
    }

    /// `GET /v1/tasks/{id}/output` as JSON (the query's `format` is ignored).
    pub async fn read_output(
        &self,
        id: TaskId,
        query: &OutputQuery,
    ) -> Result<OutputRead, ClientError> {
        let query = OutputQuery {
            format: OutputFormat::Json,
            ..query.clone()
        };
        let target = with_query(&format!("/v1/tasks/{id}/output"), &query.to_query());
        let wait = millis(query.wait_ms);
        self.call_waiting(Method::GET, target, None::<&()>, wait)
            .await
    }

    /// `GET /v1/tasks/{id}/output` as raw bytes (the query's `format` is ignored).
    pub async fn read_output_raw(
        &self,
        id: TaskId,
        query: &OutputQuery,
    ) -> Result<RawOutput, ClientError> {
        let query = OutputQuery {
            format: OutputFormat::Raw,
            ..query.clone()
        };
        let target = with_query(&format!("/v1/tasks/{id}/output"), &query.to_query());
        let mut outgoing = Outgoing::new(Method::GET, &target, None);
        outgoing.wait = millis(query.wait_ms);
        let reply = self.send(&outgoing).await?;
        if !reply.status.is_success() {
            return Err(error_of(&outgoing, &reply));
        }
        raw_output(&outgoing, reply)
    }

    /// `GET /v1/tasks/{id}/processes`: the live processes of a shell task.
    pub async fn task_processes(&self, id: TaskId) -> Result<ProcessesResponse, ClientError> {
        self.call(
            Method::GET,
            format!("/v1/tasks/{id}/processes"),
            None::<&()>,
        )
        .await
    }

    /// `POST /v1/tasks/{id}/stop`: answers the record once terminal.
    pub async fn stop_task(&self, id: TaskId, params: &StopParams) -> Result<Task, ClientError> {
        let wait = params.grace_ms.map_or(UNSAID_GRACE, |ms| millis(Some(ms)));
        let target = format!("/v1/tasks/{id}/stop");
        self.call_waiting(Method::POST, target, Some(params), wait)
            .await
    }

    /// `POST /v1/tasks/{id}/stdin`: writes to a task created with `stdin: "pipe"`.
    pub async fn write_stdin(&self, id: TaskId, params: &StdinParams) -> Result<(), ClientError> {
        self.call_empty(Method::POST, format!("/v1/tasks/{id}/stdin"), Some(params))
            .await
    }

    /// `POST /v1/tasks/{id}/resize`: gives a tty task's terminal a new size; the record.
    pub async fn resize_terminal(
        &self,
        id: TaskId,
        params: &tend_proto::ResizeParams,
    ) -> Result<Task, ClientError> {
        self.call(Method::POST, format!("/v1/tasks/{id}/resize"), Some(params))
            .await
    }

    /// `GET /v1/tasks/{id}/output?render=screen`: the task's terminal screen.
    pub async fn read_screen(&self, id: TaskId) -> Result<tend_proto::ScreenRead, ClientError> {
        self.call(
            Method::GET,
            format!("/v1/tasks/{id}/output?render=screen"),
            None::<&()>,
        )
        .await
    }

    /// `POST /v1/tasks/{id}/progress`: an external task reports progress.
    pub async fn report_progress(
        &self,
        id: TaskId,
        params: &ProgressParams,
    ) -> Result<Task, ClientError> {
        self.call(
            Method::POST,
            format!("/v1/tasks/{id}/progress"),
            Some(params),
        )
        .await
    }

    /// `POST /v1/tasks/{id}/complete`: an external task reports its outcome.
    pub async fn complete_task(
        &self,
        id: TaskId,
        params: &CompleteParams,
    ) -> Result<Task, ClientError> {
        self.call(
            Method::POST,
            format!("/v1/tasks/{id}/complete"),
            Some(params),
        )
        .await
    }

    /// `POST /v1/tasks/{id}/transfer`: moves a task to another session.
    pub async fn transfer_task(
        &self,
        id: TaskId,
        params: &TransferParams,
    ) -> Result<Task, ClientError> {
        self.call(
            Method::POST,
            format!("/v1/tasks/{id}/transfer"),
            Some(params),
        )
        .await
    }

    /// `DELETE /v1/tasks/{id}`: removes a terminal task and its output.
    pub async fn remove_task(&self, id: TaskId) -> Result<(), ClientError> {
        self.call_empty(Method::DELETE, format!("/v1/tasks/{id}"), None::<&()>)
            .await
    }

    /// `POST /v1/wait`: one long-poll (at most 10 minutes; see [`crate::wait_for`] for longer).
    pub async fn wait(&self, params: &WaitParams) -> Result<WaitResponse, ClientError> {
        let wait = millis(params.timeout_ms);
        self.call_waiting(Method::POST, "/v1/wait".into(), Some(params), wait)
            .await
    }

    // ----- events, sessions, groups -----

    /// `GET /v1/events`: one page, long-polled with `wait_ms`.
    pub async fn events(&self, query: &EventsQuery) -> Result<EventsResponse, ClientError> {
        let target = with_query("/v1/events", &query.to_query());
        let wait = millis(query.wait_ms);
        self.call_waiting(Method::GET, target, None::<&()>, wait)
            .await
    }

    /// `GET /v1/sessions/{s}/notifications`: unacknowledged, oldest first.
    pub async fn notifications(
        &self,
        session: &str,
        query: &NotificationsQuery,
    ) -> Result<NotificationsResponse, ClientError> {
        let path = format!("/v1/sessions/{}/notifications", segment(session));
        let target = with_query(&path, &query.to_query());
        let wait = millis(query.wait_ms);
        self.call_waiting(Method::GET, target, None::<&()>, wait)
            .await
    }

    /// `POST /v1/sessions/{s}/notifications/ack`.
    pub async fn ack_notifications(
        &self,
        session: &str,
        params: &AckParams,
    ) -> Result<(), ClientError> {
        let path = format!("/v1/sessions/{}/notifications/ack", segment(session));
        self.call_empty(Method::POST, path, Some(params)).await
    }

    /// `POST /v1/sessions/{s}/close`: applies close policies; answers the tasks affected.
    pub async fn close_session(
        &self,
        session: &str,
        params: &CloseParams,
    ) -> Result<TasksResponse, ClientError> {
        let path = format!("/v1/sessions/{}/close", segment(session));
        self.call_waiting(Method::POST, path, Some(params), UNSAID_GRACE)
            .await
    }

    /// `GET /v1/groups`.
    pub async fn groups(&self) -> Result<GroupsResponse, ClientError> {
        self.call(Method::GET, "/v1/groups".into(), None::<&()>)
            .await
    }

    /// `PUT /v1/groups/{name}`: sets a group's limit (0 = unlimited).
    pub async fn set_group_limit(
        &self,
        name: &str,
        params: &GroupLimitParams,
    ) -> Result<GroupStatus, ClientError> {
        self.call(
            Method::PUT,
            format!("/v1/groups/{}", segment(name)),
            Some(params),
        )
        .await
    }

    // ----- plumbing -----

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        target: String,
        body: Option<&impl Serialize>,
    ) -> Result<T, ClientError> {
        self.call_waiting(method, target, body, Duration::ZERO)
            .await
    }

    /// A request that the daemon may hold for `wait` on purpose.
    async fn call_waiting<T: DeserializeOwned>(
        &self,
        method: Method,
        target: String,
        body: Option<&impl Serialize>,
        wait: Duration,
    ) -> Result<T, ClientError> {
        let body = encode(&method, &target, body)?;
        let mut outgoing = Outgoing::new(method, &target, body);
        outgoing.wait = wait;
        let reply = self.send(&outgoing).await?;
        decode(&outgoing, reply)
    }

    async fn call_empty(
        &self,
        method: Method,
        target: String,
        body: Option<&impl Serialize>,
    ) -> Result<(), ClientError> {
        let body = encode(&method, &target, body)?;
        let outgoing = Outgoing::new(method, &target, body);
        let reply = self.send(&outgoing).await?;
        if reply.status.is_success() {
            Ok(())
        } else {
            Err(error_of(&outgoing, &reply))
        }
    }

    async fn send(&self, outgoing: &Outgoing<'_>) -> Result<Reply, ClientError> {
        match transport::send(&self.socket, outgoing, self.timeout).await {
            Ok(reply) => Ok(reply),
            Err(SendError::Connect(error)) if no_listener(&error) => {
                self.start_for_request(error).await?;
                transport::send(&self.socket, outgoing, self.timeout)
                    .await
                    .map_err(|error| self.send_error(outgoing, error))
            }
            Err(error) => Err(self.send_error(outgoing, error)),
        }
    }

    /// Applies the start policy after a failed connection.
    async fn start_for_request(&self, error: std::io::Error) -> Result<(), ClientError> {
        match &self.policy {
            StartPolicy::Never => Err(self.unavailable(error)),
            StartPolicy::Disabled => Err(ClientError::AutostartDisabled {
                home: self.home.clone(),
            }),
            StartPolicy::Spawn(autostart) => {
                let _guard = self.starting.lock().await;
                // Another request of this client may have started it meanwhile.
                if self.probe().await?.is_none() {
                    autostart::start_and_wait(self, autostart).await?;
                }
                Ok(())
            }
        }
    }

    fn unavailable(&self, source: std::io::Error) -> ClientError {
        ClientError::Unavailable {
            home: self.home.clone(),
            socket: self.socket.clone(),
            source,
        }
    }

    fn send_error(&self, outgoing: &Outgoing<'_>, error: SendError) -> ClientError {
        match error {
            SendError::Connect(source) => self.unavailable(source),
            SendError::Build(detail) => ClientError::InvalidRequest {
                route: route(outgoing),
                detail,
            },
            SendError::Http(source) => ClientError::Connection {
                route: route(outgoing),
                source,
            },
            SendError::TimedOut(waited) => ClientError::Timeout {
                home: self.home.clone(),
                route: route(outgoing),
                waited,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_client_that_never_starts_reports_the_missing_daemon() {
        let home = tempfile::tempdir().unwrap();
        let client = Client::new(home.path());
        assert_eq!(client.probe().await.unwrap(), None);
        let error = client.health().await.unwrap_err();
        assert!(matches!(error, ClientError::Unavailable { .. }), "{error}");
        let client = client.with_start_policy(StartPolicy::Disabled);
        let error = client.get_task(TaskId::new(1)).await.unwrap_err();
        assert!(
            matches!(error, ClientError::AutostartDisabled { .. }),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_daemon_that_exits_at_once_is_reported_with_its_log() {
        let home = tempfile::tempdir().unwrap();
        // A "daemon" that fails at once, as one with an invalid config.toml does.
        let script = "echo 'config.toml: bad key retention' >&2; exit 3";
        let autostart = Autostart {
            args: vec!["-c".into(), script.into()],
            ..Autostart::new("/bin/sh")
        };
        let client = Client::new(home.path()).with_start_policy(StartPolicy::Spawn(autostart));
        let error = client.health().await.unwrap_err();
        let message = error.to_string();
        assert!(
            matches!(error, ClientError::DaemonExited { .. }),
            "{message}"
        );
        assert!(message.contains("bad key retention"), "{message}");
    }
}
