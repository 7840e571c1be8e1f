//! Segment files of a stream: their names, and consistent read-only snapshots of them.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// The file name of the segment starting at `start`.
pub(crate) fn name(start: u64) -> String {
    format!("{start:020}")
}

/// The start offset encoded in a segment file name, if it is one.
pub(crate) fn parse(name: &OsStr) -> Option<u64> {
    let text = name.to_str()?;
    if text.len() == 20 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// Start offsets of the segments in `dir`, ascending; empty when `dir` does not exist.
pub(crate) fn list(dir: &Path) -> io::Result<Vec<u64>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut starts = Vec::new();
    for entry in entries {
        if let Some(start) = parse(&entry?.file_name()) {
            starts.push(start);
        }
    }
    starts.sort_unstable();
    Ok(starts)
}

struct Segment {
    start: u64,
    len: u64,
    file: File,
}

impl Segment {
    fn end(&self) -> u64 {
        self.start + self.len
    }
}

/// Open segments of a stream at one moment. Segments deleted later remain readable through it.
pub(crate) struct Snapshot {
    segments: Vec<Segment>,
}

impl Snapshot {
    /// Opens every segment of `dir`, then measures them.
    ///
    /// Measuring after opening all makes every segment but the last one complete: the writer
    /// finishes a segment before it creates the next. When the newest listed segment vanished
    /// before it could be opened, the writer has moved far ahead, so the listing is retried.
    pub(crate) fn take(dir: &Path) -> io::Result<Snapshot> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut opened = Vec::new();
            let mut newest_missing = false;
            for start in list(dir)? {
                match File::open(dir.join(name(start))) {
                    Ok(file) => {
                        opened.push((start, file));
                        newest_missing = false;
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => newest_missing = true,
                    Err(e) => return Err(e),
                }
            }
            if newest_missing && attempt < 10 {
                continue;
            }
            let mut segments = Vec::with_capacity(opened.len());
            for (start, file) in opened {
                let len = file.metadata()?.len();
                segments.push(Segment { start, len, file });
            }
            return Ok(Snapshot { segments });
        }
    }

    /// Bytes written to the stream.
    pub(crate) fn total(&self) -> u64 {
        self.segments.last().map_or(0, Segment::end)
    }

    /// Bytes dropped: the gaps before and between segments.
    pub(crate) fn dropped(&self) -> u64 {
        let mut expected = 0;
        let mut dropped = 0;
        for segment in &self.segments {
            dropped += segment.start.saturating_sub(expected);
            expected = segment.end();
        }
        dropped
    }

    /// Where a read from `cursor` starts: `cursor`, or the first kept byte after it.
    pub(crate) fn land(&self, cursor: u64) -> u64 {
        match self.segments.iter().find(|s| s.end() > cursor) {
            Some(segment) => cursor.max(segment.start),
            None => cursor,
        }
    }

    fn index_of(&self, pos: u64) -> Option<usize> {
        self.segments
            .iter()
            .position(|s| s.start <= pos && pos < s.end())
    }

    /// End of the run of contiguous kept bytes that contains `pos` (`pos` if none does).
    pub(crate) fn run_end(&self, pos: u64) -> u64 {
        let Some(mut i) = self.index_of(pos) else {
            return pos;
        };
        while i + 1 < self.segments.len() && self.segments[i + 1].start == self.segments[i].end() {
            i += 1;
        }
        self.segments[i].end()
    }

    /// Start of the run of contiguous kept bytes that contains `pos` (`pos` if none does).
    pub(crate) fn run_start(&self, pos: u64) -> u64 {
        let Some(mut i) = self.index_of(pos) else {
            return pos;
        };
        while i > 0 && self.segments[i - 1].end() == self.segments[i].start {
            i -= 1;
        }
        self.segments[i].start
    }

    /// Reads `len` kept bytes from `pos`; the range must lie in one contiguous run.
    pub(crate) fn read_range(&self, mut pos: u64, len: u64) -> io::Result<Vec<u8>> {
        let mut out = vec![0; usize::try_from(len).map_err(io::Error::other)?];
        let mut filled = 0;
        while filled < out.len() {
            let segment = self
                .index_of(pos)
                .map(|i| &self.segments[i])
                .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "range not kept"))?;
            let want = (out.len() - filled).min((segment.end() - pos) as usize);
            segment
                .file
                .read_exact_at(&mut out[filled..filled + want], pos - segment.start)?;
            filled += want;
            pos += want as u64;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sort() {
        assert_eq!(name(1_048_576), "00000000000001048576");
        assert_eq!(parse(OsStr::new("00000000000001048576")), Some(1_048_576));
        assert_eq!(parse(OsStr::new("00000000000001048576.tmp")), None);
        assert_eq!(parse(OsStr::new("status.json")), None);
    }

    #[test]
    fn derives_totals_and_gaps() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(name(0)), b"head").unwrap();
        fs::write(dir.path().join(name(10)), b"abc").unwrap();
        fs::write(dir.path().join(name(13)), b"de").unwrap();
        let snap = Snapshot::take(dir.path()).unwrap();
        assert_eq!((snap.total(), snap.dropped()), (15, 6));
        assert_eq!(
            (snap.land(2), snap.land(4), snap.land(12), snap.land(99)),
            (2, 10, 12, 99)
        );
        assert_eq!((snap.run_end(1), snap.run_end(11)), (4, 15));
        assert_eq!((snap.run_start(14), snap.run_start(3)), (10, 0));
        assert_eq!(snap.read_range(11, 4).unwrap(), b"bcde");
    }
}
