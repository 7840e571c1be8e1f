//! Creating tasks: validation, key idempotency, registration, dependencies.

use std::sync::Arc;

use crate::config::{MAX_ATTEMPTS, MAX_DURATION_MS};
use crate::error::Error;
use crate::event::EventKind;
use crate::id::TaskId;
use crate::input::CreateTask;
use crate::name::{validate_group, validate_key, validate_session};
use crate::spec::{RunSpec, RunState, StderrMode, StdinMode, StoredTask};
use crate::task::{ClosePolicy, OutputCounters, Reason, State, Task};
use crate::time::Timestamp;

use super::{Answer, Engine, Fx, TimerKind};

const MAX_NAME_BYTES: usize = 4096;
const MAX_ARGV_BYTES: usize = 1024 * 1024;
const MAX_AFTER: usize = 1000;

/// Checks a duration field: between 1 ms and 365 days.
pub(crate) fn validate_duration(field: &'static str, value: Option<u64>) -> Result<(), Error> {
    match value {
        Some(0) => Err(Error::invalid(field, "must be at least 1 ms")),
        Some(ms) if ms > MAX_DURATION_MS => Err(Error::invalid(
            field,
            format!("must be at most {MAX_DURATION_MS} ms (365 days)"),
        )),
        _ => Ok(()),
    }
}

/// The default name of a shell task: its argv, words with spaces quoted.
fn command_line(argv: &[String]) -> String {
    if let [sh, flag, script] = argv
        && sh == "sh"
        && flag == "-c"
    {
        return script.clone();
    }
    let mut line = String::with_capacity(argv.iter().map(|word| word.len() + 1).sum());
    for word in argv {
        if !line.is_empty() {
            line.push(' ');
        }
        if !word.is_empty() && !word.contains(char::is_whitespace) && !word.contains('\'') {
            line.push_str(word);
        } else {
            line.push('\'');
            line.push_str(&word.replace('\'', r"'\''"));
            line.push('\'');
        }
    }
    line
}

impl Engine {
    fn validate_create(&self, request: &CreateTask) -> Result<(), Error> {
        validate_session(&request.session)?;
        if let Some(group) = &request.group {
            validate_group(group)?;
        }
        if let Some(key) = &request.key {
            validate_key(key)?;
        }
        if let Some(child) = &request.child_session {
            validate_session(child).map_err(|_| {
                Error::invalid(
                    "child_session",
                    format!("{child:?} is not a valid session name"),
                )
            })?;
        }
        if let Some(name) = &request.name {
            if name.len() > MAX_NAME_BYTES {
                return Err(Error::invalid(
                    "name",
                    format!("is longer than {MAX_NAME_BYTES} bytes"),
                ));
            }
            if name.contains('\0') {
                return Err(Error::invalid("name", "must not contain NUL"));
            }
        }
        validate_duration("timeout_ms", request.timeout_ms)?;
        validate_duration("idle_timeout_ms", request.idle_timeout_ms)?;
        validate_duration("queue_timeout_ms", request.queue_timeout_ms)?;
        if let Some(attempts) = request.max_attempts
            && !(1..=MAX_ATTEMPTS).contains(&attempts)
        {
            return Err(Error::invalid(
                "max_attempts",
                format!("must be between 1 and {MAX_ATTEMPTS}"),
            ));
        }
        if request.kind.is_shell() {
            let argv = request.command.as_deref().unwrap_or_default();
            match argv.first() {
                None => return Err(Error::invalid("command", "a shell task needs a command")),
                Some(program) if program.is_empty() => {
                    return Err(Error::invalid("command", "the program name is empty"));
                }
                Some(_) => {}
            }
            if argv.iter().any(|word| word.contains('\0')) {
                return Err(Error::invalid("command", "must not contain NUL"));
            }
            if argv.iter().map(String::len).sum::<usize>() > MAX_ARGV_BYTES {
                return Err(Error::invalid("command", "is longer than 1 MiB"));
            }
            if let Some(size) = request.tty {
                if !size.is_valid() {
                    return Err(Error::invalid(
                        "tty",
                        format!(
                            "rows and cols must be 1..1000 (got {}x{})",
                            size.rows, size.cols
                        ),
                    ));
                }
                if request.stderr == StderrMode::Separate {
                    return Err(Error::invalid(
                        "tty",
                        "a terminal has one output stream: stderr cannot be separate",
                    ));
                }
            }
            if let Some(cwd) = &request.cwd
                && (cwd.is_empty() || cwd.contains('\0'))
            {
                return Err(Error::invalid("cwd", "must be a non-empty path"));
            }
            for (key, value) in request.env.vars() {
                if key.is_empty() || key.contains('=') || key.contains('\0') || value.contains('\0')
                {
                    return Err(Error::invalid(
                        "env",
                        format!("{key:?} is not a valid variable name"),
                    ));
                }
            }
        } else {
            if request.command.is_some() || request.cwd.is_some() || !request.env.is_empty() {
                return Err(Error::invalid(
                    "kind",
                    format!(
                        "a {} task takes no command, cwd or env",
                        request.kind.as_str()
                    ),
                ));
            }
            if request.stdin == StdinMode::Pipe {
                return Err(Error::invalid("stdin", "only shell tasks have stdin"));
            }
            if request.ready.is_some() {
                return Err(Error::invalid("ready", "only shell tasks become ready"));
            }
            if request.tty.is_some() {
                return Err(Error::invalid("tty", "only shell tasks have a terminal"));
            }
            if request.max_attempts.is_some_and(|n| n > 1) {
                return Err(Error::invalid(
                    "max_attempts",
                    "only shell tasks are retried",
                ));
            }
            if request.name.as_deref().is_none_or(str::is_empty) {
                return Err(Error::invalid("name", "an external task needs a name"));
            }
        }
        if request
            .ready
            .as_ref()
            .is_some_and(crate::task::ReadySpec::is_empty)
        {
            return Err(Error::invalid(
                "ready",
                "give at least one of output, port and http",
            ));
        }
        if request.after.len() > MAX_AFTER {
            return Err(Error::invalid(
                "after",
                format!("lists more than {MAX_AFTER} tasks"),
            ));
        }
        for &dep in &request.after {
            if !self.was_issued(dep) {
                return Err(Error::invalid(
                    "after",
                    format!("task {dep} was never issued"),
                ));
            }
            if !self.tasks.contains_key(&dep) {
                return Err(Error::invalid("after", format!("task {dep} has expired")));
            }
        }
        if let Some(parent) = request.parent {
            if !self.was_issued(parent) {
                return Err(Error::invalid(
                    "parent",
                    format!("task {parent} was never issued"),
                ));
            }
            if !self.tasks.contains_key(&parent) {
                return Err(Error::invalid(
                    "parent",
                    format!("task {parent} has expired"),
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn create(
        &mut self,
        request: CreateTask,
        now: Timestamp,
        fx: &mut Fx,
    ) -> Result<Answer, Error> {
        self.validate_create(&request)?;
        if let Some(key) = &request.key
            && let Some(&existing) = self.keys.get(&(request.session.clone(), key.clone()))
        {
            return Ok(Answer::Created {
                created: false,
                id: existing,
            });
        }

        let id = TaskId::new(self.seq.next_task);
        self.seq.next_task += 1;
        let mut after: Vec<TaskId> = Vec::with_capacity(request.after.len());
        for dep in request.after {
            if !after.contains(&dep) {
                after.push(dep);
            }
        }
        let shell = request.kind.is_shell();
        let name = match request.name {
            Some(name) if !name.is_empty() => name,
            _ => command_line(request.command.as_deref().unwrap_or_default()),
        };
        // The names are the engine's shared ones: a new task copies no name string.
        let group_name = request.group.as_deref().unwrap_or("default");
        self.group_mut(group_name).pending += 1;
        let group = self.group_name(group_name);
        let session = self.session_mut(&request.session);
        session.tasks.insert(id);
        session.live += 1;
        let session_name = self.session_name(&request.session);
        if let Some(key) = &request.key {
            self.keys.insert((request.session, key.clone()), id);
        }
        let task = Task {
            id,
            kind: request.kind,
            session: session_name,
            parent: request.parent,
            child_session: request.child_session,
            key: request.key,
            name: name.into(),
            command: request.command.map(Arc::from),
            cwd: request.cwd,
            group,
            state: State::Pending,
            reason: None,
            exit_code: None,
            signal: None,
            summary: None,
            attempt: 1,
            max_attempts: request.max_attempts.unwrap_or(1),
            after: after.clone(),
            pid: None,
            progress: None,
            output: shell.then(OutputCounters::default),
            ports: Vec::new(),
            ready: request.ready,
            ready_at: None,
            tty: request.tty,
            close_policy: request.close_policy.unwrap_or(ClosePolicy::Keep),
            timeout_ms: request.timeout_ms,
            idle_timeout_ms: request.idle_timeout_ms,
            created_at: now,
            started_at: None,
            updated_at: now,
            finished_at: None,
        };
        let spec = RunSpec {
            env: request.env,
            base_env: request.base_env,
            stdin: request.stdin,
            stderr: request.stderr,
            queue_timeout_ms: request.queue_timeout_ms,
        };
        let run = RunState {
            pending_since: Some(now),
            ..RunState::default()
        };
        self.tasks.insert(
            id,
            StoredTask {
                task: Arc::new(task),
                spec,
                run,
            },
        );
        self.order.insert(id);
        self.live.insert(id);
        if let Some(parent) = request.parent {
            self.children.entry(parent).or_default().push(id);
        }
        fx.touch(id);
        let record = Arc::clone(&self.tasks[&id].task);
        self.emit(id, EventKind::Registered { task: record }, now, fx);
        self.arm(id, TimerKind::Queue);

        let mut unmet = 0;
        let mut failed_dependency = false;
        for dep in after {
            match self.tasks.get(&dep).map(|d| d.task.state) {
                Some(State::Completed) | None => {}
                Some(State::Failed | State::Cancelled) => failed_dependency = true,
                Some(State::Pending | State::Running | State::Waiting | State::CancelRequested) => {
                    self.dependents.entry(dep).or_default().push(id);
                    unmet += 1;
                }
            }
        }
        if failed_dependency {
            self.finish(id, State::Failed, Reason::DependencyFailed, now, fx);
        } else if unmet > 0 {
            self.unmet.insert(id, unmet);
        } else {
            self.make_ready(id, fx);
        }
        Ok(Answer::Created { created: true, id })
    }
}
