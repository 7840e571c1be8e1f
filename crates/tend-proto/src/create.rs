//! `POST /v1/tasks`: the create body, its conversion to an engine request, and the answer.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use tend_core::{
    BaseEnv, ClosePolicy, CreateTask, Env, Error, Kind, ReadySpec, StderrMode, StdinMode, Task,
    TaskId, TtySize,
};

use crate::limits::{MAX_READ_BYTES, check_duration};
use crate::output::OutputRead;

/// A task's environment variables on the wire: a JSON object of strings. Never shown: `Debug`
/// prints only how many there are.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct EnvMap(pub BTreeMap<String, String>);

impl fmt::Debug for EnvMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnvMap([{} redacted])", self.0.len())
    }
}

/// The body of `POST /v1/tasks`.
///
/// A shell task (`kind` absent or `"shell"`) gives `command` (argv) or `shell` (a string run
/// with `sh -c`). An external task gives its `kind` and a `name`, and none of the shell fields.
/// `yield_ms` waits up to that long for the task to end and answers its output from byte 0,
/// at most `max_bytes` of it (default 65536).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTaskParams {
    /// `shell` (default) or an external kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// The owning session: notifications go here.
    #[cfg_attr(feature = "schema", schemars(pattern(crate::limits::NAME_PATTERN)))]
    pub session: String,
    /// Shell: the argv to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// Shell: a command line run as `sh -c STRING`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<String>,
    /// A label; defaults to the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Shell: the working directory, an absolute path (default: the daemon's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(pattern("^/")))]
    pub cwd: Option<String>,
    /// Shell: variables added to the environment. Never returned or logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<EnvMap>,
    /// Shell: what the environment starts from. `daemon` (default): the daemon's environment
    /// with `env` added (a variable of `env` replaces the daemon's of the same name).
    /// `request`: `env` is the whole environment, as a client that sends its caller's
    /// environment (`tend run`) wants. Either way the environment is kept only in a private
    /// file while a launch may need it, never in the database, and never answered or logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_env: Option<BaseEnv>,
    /// The concurrency group (default `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(pattern(crate::limits::NAME_PATTERN)))]
    pub group: Option<String>,
    /// Tasks that must complete before this one starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(max = 1000)))]
    pub after: Option<Vec<TaskId>>,
    /// Idempotency key within the session: a live task with the same key is returned instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 256)))]
    pub key: Option<String>,
    /// Run time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 31_536_000_000u64)))]
    pub timeout_ms: Option<u64>,
    /// No output (shell) or progress (external) for this long fails the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 31_536_000_000u64)))]
    pub idle_timeout_ms: Option<u64>,
    /// Pending for longer than this fails the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 31_536_000_000u64)))]
    pub queue_timeout_ms: Option<u64>,
    /// Attempts allowed (shell; default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 100)))]
    pub max_attempts: Option<u32>,
    /// Shell: `null` (default) or `pipe` to write to the task with `/stdin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin: Option<StdinMode>,
    /// Shell: `combined` (default) or `separate` to keep stderr in its own stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<StderrMode>,
    /// Shell: run in a terminal: `true` (40x120) or `{"rows", "cols"}` (1..1000 each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tty: Option<TtyParam>,
    /// What happens when the session closes (default `keep`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_policy: Option<ClosePolicy>,
    /// The parent task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<TaskId>,
    /// For subagents: the harness's child session id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(pattern(crate::limits::NAME_PATTERN)))]
    pub child_session: Option<String>,
    /// Shell tasks: when the task counts as ready (CONTRACT.md §9): a line of output matches
    /// `output` (a regular expression), it listens on `port` (0: any port), or an HTTP GET of
    /// `http` answers a status below 500. The first that holds makes it ready, once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<ReadySpec>,
    /// Wait up to this long for the task to end before answering (at most 10 minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(max = 31_536_000_000u64)))]
    pub yield_ms: Option<u64>,
    /// The most output bytes answered with `yield_ms` (default 65536, at most 16 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 16_777_216u64)))]
    pub max_bytes: Option<u64>,
}

/// The `tty` of a create request: `true`/`false`, or a size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum TtyParam {
    /// `true`: a terminal of the default size (40x120); `false`: none.
    On(bool),
    /// A terminal of this size.
    Size(TtySize),
}

impl TtyParam {
    /// The terminal asked for, if any.
    pub fn size(self) -> Option<TtySize> {
        match self {
            TtyParam::On(true) => Some(TtySize::DEFAULT),
            TtyParam::On(false) => None,
            TtyParam::Size(size) => Some(size),
        }
    }
}

impl fmt::Debug for CreateTaskParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written out so that a new field cannot leak into logs without a thought.
        f.debug_struct("CreateTaskParams")
            .field("kind", &self.kind)
            .field("session", &self.session)
            .field("command", &self.command)
            .field("shell", &self.shell)
            .field("name", &self.name)
            .field("cwd", &self.cwd)
            .field("env", &self.env)
            .field("base_env", &self.base_env)
            .field("group", &self.group)
            .field("key", &self.key)
            .field("yield_ms", &self.yield_ms)
            .finish_non_exhaustive()
    }
}

impl CreateTaskParams {
    /// A shell task running `argv` in `session`.
    pub fn command<I, S>(session: impl Into<String>, argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            session: session.into(),
            command: Some(argv.into_iter().map(Into::into).collect()),
            ..Self::default()
        }
    }

    /// A shell task running `sh -c line` in `session`.
    pub fn shell(session: impl Into<String>, line: impl Into<String>) -> Self {
        Self {
            session: session.into(),
            shell: Some(line.into()),
            ..Self::default()
        }
    }

    /// The kind asked for (`shell` when absent).
    pub fn task_kind(&self) -> Kind {
        self.kind.unwrap_or(Kind::Shell)
    }

    /// Checks what can be checked without the engine and builds its request. `yield_ms` and
    /// `max_bytes` are checked but stay with the caller (they shape the answer, not the task).
    pub fn into_create_task(self) -> Result<CreateTask, Error> {
        if let Some(ms) = self.yield_ms {
            check_duration("yield_ms", ms)?;
        }
        if let Some(bytes) = self.max_bytes
            && !(1..=MAX_READ_BYTES).contains(&bytes)
        {
            return Err(Error::invalid(
                "max_bytes",
                format!("{bytes} is not between 1 and {MAX_READ_BYTES}"),
            ));
        }
        let kind = self.task_kind();
        let mut request = if kind.is_shell() {
            let argv = match (self.command, self.shell) {
                (Some(_), Some(_)) => {
                    return Err(Error::invalid(
                        "command",
                        "give either command or shell, not both",
                    ));
                }
                (None, None) => {
                    return Err(Error::invalid(
                        "command",
                        "a shell task needs command (an argv) or shell (a command line)",
                    ));
                }
                (Some(argv), None) => argv,
                (None, Some(line)) if line.trim().is_empty() => {
                    return Err(Error::invalid("shell", "must not be empty"));
                }
                (None, Some(line)) => vec!["sh".to_owned(), "-c".to_owned(), line],
            };
            if let Some(cwd) = &self.cwd
                && !cwd.starts_with('/')
            {
                return Err(Error::invalid(
                    "cwd",
                    format!("{cwd:?} is not an absolute path"),
                ));
            }
            let mut request = CreateTask::shell(self.session, argv);
            request.cwd = self.cwd;
            request.env = Env::new(
                self.env
                    .map(|env| env.0.into_iter().collect())
                    .unwrap_or_default(),
            );
            request.base_env = self.base_env.unwrap_or_default();
            request.stdin = self.stdin.unwrap_or_default();
            request.stderr = self.stderr.unwrap_or_default();
            request.tty = self.tty.and_then(TtyParam::size);
            request.name = self.name;
            if let Some(ready) = &self.ready {
                check_ready(ready)?;
            }
            request.ready = self.ready;
            request
        } else {
            let shell_only = [
                ("command", self.command.is_some()),
                ("shell", self.shell.is_some()),
                ("cwd", self.cwd.is_some()),
                ("env", self.env.is_some()),
                ("base_env", self.base_env.is_some()),
                ("stdin", self.stdin.is_some()),
                ("stderr", self.stderr.is_some()),
                ("ready", self.ready.is_some()),
                ("tty", self.tty.is_some()),
            ];
            if let Some((field, _)) = shell_only.iter().find(|(_, given)| *given) {
                return Err(Error::invalid(
                    field,
                    format!(
                        "only shell tasks take {field}; this is a {} task",
                        kind.as_str()
                    ),
                ));
            }
            CreateTask::external(kind, self.session, self.name.unwrap_or_default())
        };
        request.group = self.group;
        request.after = self.after.unwrap_or_default();
        request.key = self.key;
        request.timeout_ms = self.timeout_ms;
        request.idle_timeout_ms = self.idle_timeout_ms;
        request.queue_timeout_ms = self.queue_timeout_ms;
        request.max_attempts = self.max_attempts;
        request.close_policy = self.close_policy;
        request.parent = self.parent;
        request.child_session = self.child_session;
        Ok(request)
    }
}

/// Checks the conditions of `ready`: at least one, a valid regular expression, an http(s) URL.
fn check_ready(ready: &ReadySpec) -> Result<(), Error> {
    if ready.is_empty() {
        return Err(Error::invalid(
            "ready",
            "give at least one of output, port and http",
        ));
    }
    if let Some(pattern) = &ready.output {
        regex::bytes::Regex::new(pattern)
            .map_err(|e| Error::invalid("ready.output", format!("invalid regex: {e}")))?;
    }
    if let Some(url) = &ready.http {
        tend_core::ready::HttpTarget::parse(url)
            .map_err(|message| Error::invalid("ready.http", message))?;
    }
    Ok(())
}

/// The answer of `POST /v1/tasks`: 201 with `created: true`, or 200 with `created: false` when
/// a live task of the session has the same `key`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreateTaskResponse {
    /// Whether a new task was made.
    pub created: bool,
    /// The record (after the yield, when one was asked for).
    pub task: Task,
    /// With `yield_ms` on a shell task: its output read from byte 0; otherwise null.
    pub output: Option<OutputRead>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<CreateTaskParams, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn the_base_of_the_environment_is_carried_over_and_only_for_shell_tasks() {
        let plain = parse(r#"{"session": "s", "shell": "env"}"#).unwrap();
        assert_eq!(plain.into_create_task().unwrap().base_env, BaseEnv::Daemon);
        let json = r#"{"session": "s", "shell": "env", "base_env": "request", "env": {"A": "1"}}"#;
        let request = parse(json).unwrap().into_create_task().unwrap();
        assert_eq!(request.base_env, BaseEnv::Request);
        assert!(parse(r#"{"session": "s", "shell": "env", "base_env": "mine"}"#).is_err());
        let external = r#"{"session": "s", "kind": "subagent", "name": "x", "base_env": "daemon"}"#;
        let error = parse(external).unwrap().into_create_task().unwrap_err();
        assert!(error.to_string().contains("base_env"), "{error}");
    }

    #[test]
    fn a_shell_string_runs_under_sh() {
        let params = parse(r#"{"session": "cli", "shell": "echo hi", "env": {"A": "1"}}"#).unwrap();
        let request = params.into_create_task().unwrap();
        assert_eq!(request.kind, Kind::Shell);
        assert_eq!(request.command.unwrap(), ["sh", "-c", "echo hi"]);
        assert_eq!(request.env.vars(), [("A".to_owned(), "1".to_owned())]);
    }

    #[test]
    fn argv_and_every_option_are_carried_over() {
        let json = r#"{"session": "s", "command": ["ls", "-l"], "name": "list", "cwd": "/tmp",
            "group": "g", "after": ["t1"], "key": "k", "timeout_ms": 5, "idle_timeout_ms": 6,
            "queue_timeout_ms": 7, "max_attempts": 2, "stdin": "pipe", "stderr": "separate",
            "close_policy": "cancel", "parent": "t2", "yield_ms": 10, "max_bytes": 100}"#;
        let request = parse(json).unwrap().into_create_task().unwrap();
        assert_eq!(request.command.unwrap(), ["ls", "-l"]);
        assert_eq!(request.name.as_deref(), Some("list"));
        assert_eq!(request.cwd.as_deref(), Some("/tmp"));
        assert_eq!(request.after, [TaskId::new(1)]);
        assert_eq!(request.parent, Some(TaskId::new(2)));
        assert_eq!(
            (request.timeout_ms, request.idle_timeout_ms),
            (Some(5), Some(6))
        );
        assert_eq!(
            (request.queue_timeout_ms, request.max_attempts),
            (Some(7), Some(2))
        );
        assert_eq!(request.stdin, StdinMode::Pipe);
        assert_eq!(request.stderr, StderrMode::Separate);
        assert_eq!(request.close_policy, Some(ClosePolicy::Cancel));
    }

    #[test]
    fn mistakes_are_named() {
        for (json, field) in [
            (r#"{"session": "s"}"#, "command"),
            (
                r#"{"session": "s", "command": ["a"], "shell": "b"}"#,
                "command",
            ),
            (r#"{"session": "s", "shell": "  "}"#, "shell"),
            (r#"{"session": "s", "shell": "x", "cwd": "rel/dir"}"#, "cwd"),
            (
                r#"{"session": "s", "shell": "x", "yield_ms": 99999999999999}"#,
                "yield_ms",
            ),
            (
                r#"{"session": "s", "shell": "x", "max_bytes": 0}"#,
                "max_bytes",
            ),
            (
                r#"{"session": "s", "kind": "subagent", "name": "n", "shell": "x"}"#,
                "shell",
            ),
            (
                r#"{"session": "s", "kind": "monitor", "name": "n", "stderr": "combined"}"#,
                "stderr",
            ),
        ] {
            let message = parse(json)
                .unwrap()
                .into_create_task()
                .unwrap_err()
                .to_string();
            assert!(message.contains(field), "{json}: {message}");
        }
    }

    #[test]
    fn unknown_fields_wrong_types_and_missing_fields_are_refused() {
        assert!(parse(r#"{"session": "s", "shell": "x", "colour": 1}"#).is_err());
        assert!(parse(r#"{"session": "s", "shell": 5}"#).is_err());
        assert!(parse(r#"{"session": "s", "shell": "x", "timeout_ms": -1}"#).is_err());
        assert!(parse(r#"{"shell": "x"}"#).is_err());
        assert!(parse(r#"{"session": "s", "shell": "x", "parent": "12"}"#).is_err());
    }

    #[test]
    fn external_tasks_need_no_shell_fields() {
        let json =
            r#"{"kind": "subagent", "session": "s", "name": "review", "child_session": "c"}"#;
        let request = parse(json).unwrap().into_create_task().unwrap();
        assert_eq!(request.kind, Kind::Subagent);
        assert_eq!(request.name.as_deref(), Some("review"));
        assert_eq!(request.child_session.as_deref(), Some("c"));
        assert!(request.command.is_none());
    }

    #[test]
    fn debug_never_shows_the_environment() {
        let mut params = CreateTaskParams::shell("s", "true");
        params.env = Some(EnvMap([("TOKEN".to_owned(), "secret".to_owned())].into()));
        let shown = format!("{params:?}");
        assert!(
            !shown.contains("secret") && !shown.contains("TOKEN"),
            "{shown}"
        );
        let json = serde_json::to_string(&CreateTaskParams::command("s", ["ls"])).unwrap();
        assert_eq!(json, r#"{"session":"s","command":["ls"]}"#);
    }
}
