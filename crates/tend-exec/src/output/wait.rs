//! Waiting for a stream to grow, with inotify rather than a sleep loop.

use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};

use super::reader::OutputReader;
use super::{Growth, ReadError};
use crate::sys::fd;

/// See [`OutputReader::wait_for_growth`].
pub(super) fn wait_for_growth(
    reader: &OutputReader,
    cursor: u64,
    timeout: Duration,
) -> Result<Growth, ReadError> {
    let deadline = Instant::now() + timeout;
    let watch_error = |path: &std::path::Path, e: nix::Error| ReadError::Watch {
        path: path.to_path_buf(),
        source: std::io::Error::from(e),
    };
    let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)
        .map_err(|e| watch_error(&reader.dir, e))?;
    // The task directory tells when `status.json` appears (by rename) or the stream is created.
    let dir_events = AddWatchFlags::IN_CREATE | AddWatchFlags::IN_MOVED_TO;
    let stream_events = AddWatchFlags::IN_MODIFY | dir_events;
    inotify
        .add_watch(&reader.task_dir, dir_events)
        .map_err(|e| watch_error(&reader.task_dir, e))?;
    let mut stream_watched = false;
    loop {
        if !stream_watched {
            stream_watched = inotify.add_watch(&reader.dir, stream_events).is_ok();
        }
        if reader.counters()?.total_bytes > cursor {
            return Ok(Growth::Grew);
        }
        if reader.is_complete() {
            // The last bytes are written before the status file: look once more.
            return Ok(if reader.counters()?.total_bytes > cursor {
                Growth::Grew
            } else {
                Growth::Finished
            });
        }
        if Instant::now() >= deadline {
            return Ok(Growth::TimedOut);
        }
        let raw = inotify.as_fd().as_raw_fd();
        fd::poll(&[(raw, libc::POLLIN)], Some(deadline)).map_err(|source| ReadError::Watch {
            path: reader.dir.clone(),
            source,
        })?;
        while let Ok(events) = inotify.read_events() {
            if events.is_empty() {
                break;
            }
        }
    }
}
