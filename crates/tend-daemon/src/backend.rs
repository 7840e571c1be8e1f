//! What the routes need from the runtime beyond plain reads, in one place.

use tend_core::TaskId;
use tend_host::Host;

use crate::api::ApiError;

/// Writes `data` and then `keys` to the task's input, then ends it when `eof` is set
/// (CONTRACT §8). `conflict` unless the task is a live shell task with a terminal or created
/// with `stdin: "pipe"`.
pub(crate) async fn write_stdin(
    host: &Host,
    id: TaskId,
    data: Vec<u8>,
    keys: &[String],
    eof: bool,
) -> Result<(), ApiError> {
    Ok(host.write_input(id, data, keys, eof).await?)
}
