//! Managed futures: work a harness does in-process (a subagent's loop), tracked as an external
//! task, completed with its outcome and cancelled when the task is stopped.

use std::future::Future;
use std::time::Duration;

use tend_core::{CompleteTask, EventFilter, EventKind, Kind, State, Task};
use tend_host::{Host, HostError};
use tokio_util::sync::CancellationToken;

use crate::TaskSpec;

/// What a managed future ends with: `Ok(summary)` completes the task, `Err(message)` fails it.
pub type Outcome = Result<Option<String>, String>;

/// Registers an external task from `spec`, runs `work(token)` on the tokio runtime, and reports
/// its outcome: `completed` with `Ok`'s summary, `failed` with `Err`'s message, `cancelled`
/// when the token was cancelled before it returned. The token is cancelled as soon as the task
/// is asked to stop, by the API (`tend stop`), its parent, its session's close or a shutdown, or
/// when the runtime closes; the future should then return soon, or the stop's grace ends the
/// task without it. The task ends exactly once, with the same events and notification as any
/// other task.
///
/// `spec` must be external ([`TaskSpec::external`], [`TaskSpec::managed`]); a shell spec is
/// refused by the engine.
pub async fn spawn_managed<W, F>(host: &Host, spec: TaskSpec, work: W) -> Result<Task, HostError>
where
    W: FnOnce(CancellationToken) -> F,
    F: Future<Output = Outcome> + Send + 'static,
{
    let task = spec.spawn(host).await?;
    let id = task.id;
    let token = CancellationToken::new();
    let future = work(token.clone());
    tokio::spawn(watch_for_stop(host.clone(), task.clone(), token.clone()));
    let host = host.clone();
    tokio::spawn(async move {
        let outcome = future.await;
        let (state, summary) = match outcome {
            _ if token.is_cancelled() => (State::Cancelled, None),
            Ok(summary) => (State::Completed, summary),
            Err(message) => (State::Failed, Some(message)),
        };
        // Already terminal (the stop's grace ran out first) is a conflict, and fine: the
        // task ended once.
        let _ = host.complete(CompleteTask { id, state, summary }).await;
        token.cancel();
    });
    Ok(task)
}

/// Cancels `token` when the task is asked to stop or ends, or the runtime goes away.
async fn watch_for_stop(host: Host, task: Task, token: CancellationToken) {
    let filter = EventFilter {
        task: Some(task.id),
        ..EventFilter::default()
    };
    let mut after = 0;
    loop {
        let page = tokio::select! {
            () = token.cancelled() => return,
            page = host.events(after, filter.clone(), 100, Duration::from_secs(30)) => page,
        };
        let Ok(page) = page else {
            token.cancel();
            return;
        };
        for event in &page.events {
            let stopping = matches!(
                event.kind,
                EventKind::StateChanged {
                    to: State::CancelRequested,
                    ..
                } | EventKind::Finished { .. }
                    | EventKind::Removed
            );
            if stopping {
                token.cancel();
                return;
            }
        }
        after = page.next_after;
    }
}

impl TaskSpec {
    /// An external task of kind `other` for [`spawn_managed`].
    pub fn managed(session: impl Into<String>, name: impl Into<String>) -> Self {
        Self::external(Kind::Other, session, name)
    }
}
