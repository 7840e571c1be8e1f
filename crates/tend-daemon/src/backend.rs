//! What the routes need from the runtime beyond plain reads, in one place.

use tend_core::TaskId;
use tend_host::Host;

use crate::api::ApiError;

/// Writes `data` to the task's stdin, then closes it when `eof` is set. `conflict` unless the
/// task is a live shell task created with `stdin: "pipe"`.
pub(crate) async fn write_stdin(
    host: &Host,
    id: TaskId,
    data: Vec<u8>,
    eof: bool,
) -> Result<(), ApiError> {
    Ok(host.write_stdin(id, data, eof).await?)
}
