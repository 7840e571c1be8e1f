//! Joining tasks as they end (`Host::join_next`) and closing a runtime with its tasks stopped
//! (`Host::close_and_stop`).

use std::time::Duration;

use tend_core::{Reason, State};

use crate::support::{alive, eventually, open, output_of, sh};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_next_answers_each_task_once_in_the_order_they_end() {
    let home = tempfile::tempdir().unwrap();
    let host = open(home.path()).await;
    let (_, slow) = host.create(sh("j", "sleep 0.6; echo slow")).await.unwrap();
    let (_, fast) = host.create(sh("j", "echo fast")).await.unwrap();
    let (_, middle) = host.create(sh("j", "sleep 0.3; exit 2")).await.unwrap();
    let joiner = host.clone();
    let mut joined = Vec::new();
    while let Some(task) = tokio::time::timeout(Duration::from_secs(20), joiner.join_next())
        .await
        .expect("join_next answers once a task ends")
    {
        let task = task.unwrap();
        assert!(task.state.is_terminal(), "{task:?}");
        joined.push((task.id, task.state, task.exit_code));
    }
    assert_eq!(
        joined,
        vec![
            (fast.id, State::Completed, Some(0)),
            (middle.id, State::Failed, Some(2)),
            (slow.id, State::Completed, Some(0)),
        ]
    );
    assert_eq!(output_of(&host, slow.id), b"slow\n");
    assert!(host.join_next().await.is_none(), "each task is joined once");
    host.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_and_stop_leaves_no_process_behind() {
    let home = tempfile::tempdir().unwrap();
    let host = open(home.path()).await;
    let (_, task) = host
        .create(sh("c", "sleep 100 & echo up; wait"))
        .await
        .unwrap();
    let dir = host.task_dir(task.id);
    assert!(eventually(Duration::from_secs(10), || output_of(
        &host, task.id
    ) == b"up\n"));
    let ids = tend_exec::ProcessIds::read(&dir)
        .unwrap()
        .expect("pids.json");
    let stopped = host.close_and_stop(Some(1_000)).await.unwrap();
    assert_eq!(stopped.len(), 1);
    assert_eq!(stopped[0].id, task.id);
    assert_eq!(stopped[0].state, State::Cancelled);
    assert_eq!(stopped[0].reason, Some(Reason::Shutdown));
    let group_empty = eventually(Duration::from_secs(10), || {
        // SAFETY: kill with signal 0 only checks for existence.
        unsafe { libc::kill(-ids.pgid, 0) != 0 }
    });
    assert!(group_empty, "processes of group {} survived", ids.pgid);
    assert!(eventually(Duration::from_secs(10), || !alive(
        u32::try_from(ids.shim_pid).unwrap()
    )));
    // The runtime is closed: it takes no more requests.
    assert!(host.get(task.id).await.is_err());
}
