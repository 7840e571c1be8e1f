//! Stop and remove, each in a task of its own: a stop answers only once the task has ended,
//! which may take its grace period, and the UI goes on meanwhile.

use tend_client::Client;
use tend_core::TaskId;
use tend_proto::StopParams;
use tokio::sync::mpsc::Sender;

use crate::app::Msg;

/// Stops task `id` and reports the end.
pub(super) fn stop(client: &Client, tx: &Sender<Msg>, id: TaskId) {
    let (client, tx) = (client.clone(), tx.clone());
    tokio::spawn(async move {
        let error = client.stop_task(id, &StopParams::default()).await.err();
        let error = error.map(|error| error.to_string());
        let _ = tx
            .send(Msg::ActionDone {
                id,
                action: "stop",
                error,
            })
            .await;
    });
}

/// Removes ended task `id` and reports the end.
pub(super) fn remove(client: &Client, tx: &Sender<Msg>, id: TaskId) {
    let (client, tx) = (client.clone(), tx.clone());
    tokio::spawn(async move {
        let error = client
            .remove_task(id)
            .await
            .err()
            .map(|error| error.to_string());
        let _ = tx
            .send(Msg::ActionDone {
                id,
                action: "remove",
                error,
            })
            .await;
    });
}
