//! The shim's side of a stream: appends bytes to segment files and deletes the oldest tail.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use super::OutputCounters;
use super::segments;
use crate::request::OutputLimits;

const MIN_SEGMENT: u64 = 64 << 10;
const MAX_SEGMENT: u64 = 8 << 20;

/// Size of tail segments for a tail budget: an eighth of it, between 64 KiB and 8 MiB.
pub(crate) fn segment_bytes(tail_budget: u64) -> u64 {
    (tail_budget / 8).clamp(MIN_SEGMENT, MAX_SEGMENT)
}

/// Appends the logical stream to its directory under the head-and-tail cap.
///
/// Memory stays constant: the writer holds one open file and the list of kept tail segments
/// (at most about ten entries).
#[derive(Debug)]
pub(crate) struct StreamWriter {
    dir: PathBuf,
    head_limit: u64,
    tail_budget: u64,
    segment_bytes: u64,
    total: u64,
    dropped: u64,
    current: Option<File>,
    current_len: u64,
    /// Kept tail segments, oldest first: `(start, len)`.
    tail: VecDeque<(u64, u64)>,
    tail_kept: u64,
}

impl StreamWriter {
    /// Opens the stream in `dir`, creating it, or continuing an existing stream at its end
    /// (a retried attempt writes on in the same stream).
    pub(crate) fn open(dir: PathBuf, limits: OutputLimits) -> io::Result<Self> {
        crate::sys::fsutil::create_private_dir_all(&dir)?;
        let head_limit = limits.head_bytes.min(limits.cap_bytes);
        let tail_budget = limits.cap_bytes - head_limit;
        let mut writer = StreamWriter {
            segment_bytes: segment_bytes(tail_budget),
            dir,
            head_limit,
            tail_budget,
            total: 0,
            dropped: 0,
            current: None,
            current_len: 0,
            tail: VecDeque::new(),
            tail_kept: 0,
        };
        writer.resume()?;
        Ok(writer)
    }

    fn resume(&mut self) -> io::Result<()> {
        let mut expected = 0;
        for start in segments::list(&self.dir)? {
            let len = fs::metadata(self.dir.join(segments::name(start)))?.len();
            self.dropped += start.saturating_sub(expected);
            expected = start + len;
            if start >= self.head_limit || self.head_limit == 0 {
                self.tail.push_back((start, len));
                self.tail_kept += len;
            }
        }
        self.total = expected;
        let last = self
            .tail
            .back()
            .copied()
            .or((self.total > 0).then_some((0, self.total)));
        if let Some((start, len)) = last {
            let in_head = start == 0 && self.tail.is_empty() && len < self.head_limit;
            if in_head || (!self.tail.is_empty() && len < self.segment_bytes) {
                self.current = Some(self.open_segment(start, false)?);
                self.current_len = len;
            }
        }
        Ok(())
    }

    fn open_segment(&self, start: u64, create: bool) -> io::Result<File> {
        OpenOptions::new()
            .append(true)
            .create(create)
            .mode(0o600)
            .open(self.dir.join(segments::name(start)))
    }

    /// Bytes written and dropped so far.
    pub(crate) fn counters(&self) -> OutputCounters {
        OutputCounters {
            total_bytes: self.total,
            dropped_bytes: self.dropped,
        }
    }

    /// Appends `data` to the stream, moving to a new segment and deleting the oldest tail
    /// segments as needed. Each byte is in a file when this returns.
    pub(crate) fn write(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let room = if self.total < self.head_limit {
                if self.current.is_none() {
                    self.current = Some(self.open_segment(0, true)?);
                    self.current_len = self.total;
                }
                self.head_limit - self.total
            } else {
                if self.current.is_none() || self.current_len >= self.segment_bytes {
                    self.current = Some(self.open_segment(self.total, true)?);
                    self.current_len = 0;
                    self.tail.push_back((self.total, 0));
                }
                self.segment_bytes - self.current_len
            };
            let n = data.len().min(usize::try_from(room).unwrap_or(usize::MAX));
            let file = self.current.as_mut().expect("a segment is open");
            if let Err(err) = file.write_all(&data[..n]) {
                // Part of the data may have reached the file: count what the file holds, so
                // the counters keep matching what readers derive from the files.
                let len = file.metadata().map_or(self.current_len, |m| m.len());
                let written = len.saturating_sub(self.current_len);
                self.account(written);
                return Err(err);
            }
            data = &data[n..];
            self.account(n as u64);
            self.evict()?;
        }
        Ok(())
    }

    /// Records `n` bytes appended to the current segment.
    fn account(&mut self, n: u64) {
        self.total += n;
        self.current_len += n;
        if self.total <= self.head_limit {
            if self.total == self.head_limit {
                self.current = None;
            }
            return;
        }
        if let Some(newest) = self.tail.back_mut() {
            newest.1 += n;
        }
        self.tail_kept += n;
    }

    fn evict(&mut self) -> io::Result<()> {
        while self.tail.len() > 1 && self.tail_kept > self.tail_budget {
            let (start, len) = self.tail.pop_front().expect("more than one segment");
            match fs::remove_file(self.dir.join(segments::name(start))) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            self.tail_kept -= len;
            self.dropped += len;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::segments::Snapshot;

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn keeps_head_and_tail_and_counts_the_middle() {
        let dir = tempfile::tempdir().unwrap();
        let limits = OutputLimits {
            head_bytes: 1000,
            cap_bytes: 1000 + 8 * MIN_SEGMENT,
        };
        let mut writer = StreamWriter::open(dir.path().to_path_buf(), limits).unwrap();
        let data = pattern(5_000_000);
        for chunk in data.chunks(7777) {
            writer.write(chunk).unwrap();
        }
        let snap = Snapshot::take(dir.path()).unwrap();
        assert_eq!(snap.total(), data.len() as u64);
        assert_eq!(writer.counters().total_bytes, snap.total());
        assert_eq!(writer.counters().dropped_bytes, snap.dropped());
        let kept = snap.total() - snap.dropped();
        assert!(
            kept <= limits.cap_bytes && kept > limits.cap_bytes - MIN_SEGMENT,
            "{kept}"
        );
        assert_eq!(snap.read_range(0, 1000).unwrap(), &data[..1000]);
        let tail_start = snap.land(1000);
        let tail = snap
            .read_range(tail_start, snap.total() - tail_start)
            .unwrap();
        assert_eq!(tail, &data[tail_start as usize..]);
    }

    #[test]
    fn resumes_an_existing_stream() {
        let dir = tempfile::tempdir().unwrap();
        let limits = OutputLimits {
            head_bytes: 10,
            cap_bytes: 10 + 8 * MIN_SEGMENT,
        };
        let data = pattern(3 * MIN_SEGMENT as usize);
        let (first, second) = data.split_at(MIN_SEGMENT as usize + 5);
        StreamWriter::open(dir.path().to_path_buf(), limits)
            .unwrap()
            .write(first)
            .unwrap();
        let mut again = StreamWriter::open(dir.path().to_path_buf(), limits).unwrap();
        assert_eq!(again.counters().total_bytes, first.len() as u64);
        again.write(second).unwrap();
        let snap = Snapshot::take(dir.path()).unwrap();
        assert_eq!(snap.read_range(0, snap.total()).unwrap(), data);
    }
}
