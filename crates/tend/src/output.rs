//! A task's output, read through the runtime without blocking its async threads.

use tend_core::TaskId;
use tend_exec::{OutputChunk, OutputReader, ReadError, Stream};
use tend_host::{Host, HostError};

/// Why [`read_output`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadOutputError {
    /// The task is unknown or expired, or the runtime is closed.
    #[error(transparent)]
    Host(#[from] HostError),
    /// The output files could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The blocking read did not complete.
    #[error("the output read was cancelled")]
    Cancelled,
}

/// Reads at most `max_bytes` of a task's `stream` from `cursor` (the bytes as written; the
/// chunk's `next_cursor` is where the next read goes on), on tokio's blocking threads.
pub async fn read_output(
    host: &Host,
    id: TaskId,
    stream: Stream,
    cursor: u64,
    max_bytes: usize,
) -> Result<OutputChunk, ReadOutputError> {
    host.get(id).await?;
    let reader = OutputReader::new(host.task_dir(id), stream);
    tokio::task::spawn_blocking(move || reader.read_raw(cursor, max_bytes))
        .await
        .map_err(|_| ReadOutputError::Cancelled)?
        .map_err(ReadOutputError::from)
}
