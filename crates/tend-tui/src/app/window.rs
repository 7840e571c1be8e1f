//! [`OutputWindow`]: a bounded piece of a task's output held in memory, as runs of bytes at
//! their stream offsets, read line by line from the bottom.

use std::collections::VecDeque;

use memchr::{memchr, memchr_iter, memrchr};

/// The most bytes a window holds after any change.
pub const WINDOW_CAP_BYTES: usize = 1 << 20;

/// How far past the cap the front may be trimmed at once, so that following a fast stream does
/// not move the whole window for every chunk.
const TRIM_SLACK: usize = WINDOW_CAP_BYTES / 4;

/// How far a trim looks for a line break to cut at, so the first line is not cut in two.
const LINE_SEARCH: usize = 64 * 1024;

/// A contiguous piece of the stream: `bytes` are the stream's bytes from offset `start` on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    start: u64,
    bytes: Vec<u8>,
}

impl Run {
    fn end(&self) -> u64 {
        self.start + self.bytes.len() as u64
    }
}

/// One line of a window as it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowLine<'a> {
    /// The bytes of one line, without its line break.
    Text(&'a [u8]),
    /// Bytes between two runs that the window does not hold: dropped by the daemon's output
    /// cap, or never read.
    Gap(u64),
}

/// A bounded window on a task's output stream.
///
/// The window holds runs of bytes in stream order; between two runs lies a gap (bytes the
/// daemon dropped, shown as a marker line). Contiguous runs are merged, so two neighbouring
/// runs always have a gap between them. The window never holds much more than
/// [`WINDOW_CAP_BYTES`]: appending trims the front, prepending trims the back, each at a line
/// break when one is near.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputWindow {
    runs: VecDeque<Run>,
    len: usize,
}

impl OutputWindow {
    /// An empty window.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the window holds nothing.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Bytes held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The stream offset of the first byte held (or of the first gap); 0 when empty.
    pub fn start(&self) -> u64 {
        self.runs.front().map_or(0, |run| run.start)
    }

    /// The stream offset just past the last byte held; 0 when empty.
    pub fn end(&self) -> u64 {
        self.runs.back().map_or(0, Run::end)
    }

    /// Forgets everything and holds `bytes` from `start`. When `start` is not the stream's
    /// beginning, a partial first line is dropped if a line break follows soon.
    pub fn reset(&mut self, start: u64, bytes: &[u8]) {
        self.runs.clear();
        self.len = 0;
        let skip = if start > 0 { partial_line(bytes) } else { 0 };
        self.push_back(start + skip as u64, &bytes[skip..]);
        self.trim_front(0);
    }

    /// Adds `bytes` read at `start` after what is held (a gap when `start` is past the end;
    /// bytes already held are skipped), then trims the front to the cap. Answers how many lines were added at the bottom.
    pub fn append(&mut self, start: u64, bytes: &[u8]) -> usize {
        let (start, bytes) = match self.runs.back() {
            Some(run) if run.end() > start => {
                let held = usize::try_from(run.end() - start).unwrap_or(usize::MAX);
                (run.end(), bytes.get(held..).unwrap_or_default())
            }
            _ => (start, bytes),
        };
        let added = match self.runs.back() {
            Some(run) if run.end() == start => {
                let joined_tail =
                    has_partial_tail(bytes) || (bytes.is_empty() && has_partial_tail(&run.bytes));
                line_breaks(bytes) + usize::from(joined_tail)
                    - usize::from(has_partial_tail(&run.bytes))
            }
            Some(_) => 1 + line_breaks(bytes) + usize::from(has_partial_tail(bytes)),
            None => line_breaks(bytes) + usize::from(has_partial_tail(bytes)),
        };
        self.push_back(start, bytes);
        self.trim_front(TRIM_SLACK);
        added
    }

    /// Adds `bytes` read at `start` before what is held, up to the first byte held (a gap when
    /// they end before it), then trims the back to the cap. Answers how many lines were removed
    /// from the bottom.
    pub fn prepend(&mut self, start: u64, bytes: &[u8]) -> usize {
        let first = self.start();
        if self.is_empty() {
            self.push_back(start, bytes);
            return 0;
        }
        if start >= first {
            return 0;
        }
        let keep = usize::try_from((first - start).min(bytes.len() as u64)).unwrap_or(0);
        let bytes = &bytes[..keep];
        let end = start + keep as u64;
        match self.runs.front_mut() {
            Some(run) if run.start == end => {
                let mut joined = Vec::with_capacity(keep + run.bytes.len());
                joined.extend_from_slice(bytes);
                joined.extend_from_slice(&run.bytes);
                run.bytes = joined;
                run.start = start;
            }
            _ => self.runs.push_front(Run {
                start,
                bytes: bytes.to_vec(),
            }),
        }
        self.len += keep;
        self.trim_back()
    }

    /// Marks the bytes from `start` up to the first byte held as not readable (dropped by the
    /// daemon): the window then starts at `start`, behind a gap.
    pub fn mark_gap_before(&mut self, start: u64) {
        if !self.is_empty() && start < self.start() {
            self.runs.push_front(Run {
                start,
                bytes: Vec::new(),
            });
        }
    }

    /// The number of lines the window shows.
    pub fn line_count(&self) -> usize {
        let mut count = 0;
        let mut previous_end = None;
        for run in &self.runs {
            if previous_end.is_some_and(|end| end < run.start) {
                count += 1;
            }
            count += line_breaks(&run.bytes) + usize::from(has_partial_tail(&run.bytes));
            previous_end = Some(run.end());
        }
        count
    }

    /// Up to `take` lines ending `skip` lines above the bottom, top first.
    pub fn lines_from_bottom(&self, skip: usize, take: usize) -> Vec<WindowLine<'_>> {
        let mut lines = Collector {
            lines: Vec::with_capacity(take),
            skip,
            take,
        };
        if take == 0 {
            return lines.lines;
        }
        let mut runs = self.runs.iter().rev().peekable();
        'runs: while let Some(run) = runs.next() {
            let mut rest: &[u8] = &run.bytes;
            if has_partial_tail(rest) {
                let cut = memrchr(b'\n', rest).map_or(0, |at| at + 1);
                if !lines.push(WindowLine::Text(&rest[cut..])) {
                    break;
                }
                rest = &rest[..cut];
            }
            while let Some(body) = rest.strip_suffix(b"\n") {
                let cut = memrchr(b'\n', body).map_or(0, |at| at + 1);
                if !lines.push(WindowLine::Text(&body[cut..])) {
                    break 'runs;
                }
                rest = &body[..cut];
            }
            if let Some(previous) = runs.peek()
                && previous.end() < run.start
                && !lines.push(WindowLine::Gap(run.start - previous.end()))
            {
                break;
            }
        }
        lines.lines.reverse();
        lines.lines
    }

    fn push_back(&mut self, start: u64, bytes: &[u8]) {
        if bytes.is_empty() && !self.is_empty() {
            return;
        }
        match self.runs.back_mut() {
            Some(run) if run.end() == start => run.bytes.extend_from_slice(bytes),
            _ => self.runs.push_back(Run {
                start,
                bytes: bytes.to_vec(),
            }),
        }
        self.len += bytes.len();
    }

    /// Drops bytes from the front until at most the cap is held, once more than `slack` over it.
    fn trim_front(&mut self, slack: usize) {
        if self.len <= WINDOW_CAP_BYTES + slack {
            return;
        }
        let mut excess = self.len - WINDOW_CAP_BYTES;
        while let Some(run) = self.runs.front_mut() {
            if run.bytes.len() <= excess {
                excess -= run.bytes.len();
                self.len -= run.bytes.len();
                self.runs.pop_front();
                continue;
            }
            let cut = excess + partial_line(&run.bytes[excess..]);
            run.bytes.drain(..cut);
            run.start += cut as u64;
            self.len -= cut;
            break;
        }
    }

    /// Drops bytes from the back down to the cap; answers the lines removed.
    fn trim_back(&mut self) -> usize {
        let mut removed = 0;
        while self.len > WINDOW_CAP_BYTES {
            let excess = self.len - WINDOW_CAP_BYTES;
            let Some(run) = self.runs.back_mut() else {
                break;
            };
            if run.bytes.len() <= excess {
                removed += line_breaks(&run.bytes) + usize::from(has_partial_tail(&run.bytes));
                self.len -= run.bytes.len();
                self.runs.pop_back();
                removed += usize::from(self.runs.back().is_some());
                continue;
            }
            let mut keep = run.bytes.len() - excess;
            if let Some(at) = memrchr(b'\n', &run.bytes[keep.saturating_sub(LINE_SEARCH)..keep]) {
                keep = keep.saturating_sub(LINE_SEARCH) + at + 1;
            }
            let cut = &run.bytes[keep..];
            removed += line_breaks(cut) + usize::from(has_partial_tail(cut));
            self.len -= cut.len();
            run.bytes.truncate(keep);
        }
        removed
    }
}

/// Lines gathered from the bottom: the first `skip` are passed over, then `take` are kept.
struct Collector<'a> {
    lines: Vec<WindowLine<'a>>,
    skip: usize,
    take: usize,
}

impl<'a> Collector<'a> {
    /// Gathers a line; answers whether more are wanted.
    fn push(&mut self, line: WindowLine<'a>) -> bool {
        if self.skip > 0 {
            self.skip -= 1;
        } else {
            self.lines.push(line);
        }
        self.lines.len() < self.take
    }
}

/// How many bytes to skip so that `bytes` starts at a line: up to the first line break when one
/// lies within [`LINE_SEARCH`], else none.
fn partial_line(bytes: &[u8]) -> usize {
    let window = &bytes[..bytes.len().min(LINE_SEARCH)];
    memchr(b'\n', window).map_or(0, |at| at + 1)
}

fn line_breaks(bytes: &[u8]) -> usize {
    memchr_iter(b'\n', bytes).count()
}

fn has_partial_tail(bytes: &[u8]) -> bool {
    bytes.last().is_some_and(|&byte| byte != b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(window: &OutputWindow, skip: usize, take: usize) -> Vec<String> {
        window
            .lines_from_bottom(skip, take)
            .into_iter()
            .map(|line| match line {
                WindowLine::Text(bytes) => String::from_utf8_lossy(bytes).into_owned(),
                WindowLine::Gap(n) => format!("<gap {n}>"),
            })
            .collect()
    }

    #[test]
    fn lines_are_read_from_the_bottom() {
        let mut window = OutputWindow::new();
        window.reset(0, b"a\nb\nc\npartial");
        assert_eq!(window.line_count(), 4);
        assert_eq!(texts(&window, 0, 2), ["c", "partial"]);
        assert_eq!(texts(&window, 1, 2), ["b", "c"]);
        assert_eq!(texts(&window, 3, 5), ["a"]);
        assert_eq!(window.append(13, b"!\nd\n"), 1);
        assert_eq!(texts(&window, 0, 2), ["partial!", "d"]);
        assert_eq!(window.line_count(), 5);
    }

    #[test]
    fn a_reset_past_the_start_drops_the_partial_first_line() {
        let mut window = OutputWindow::new();
        window.reset(100, b"tail of a line\nnext\n");
        assert_eq!(window.start(), 115);
        assert_eq!(texts(&window, 0, 10), ["next"]);
    }

    #[test]
    fn gaps_show_as_marker_lines() {
        let mut window = OutputWindow::new();
        window.reset(1000, b"x\ntail\n");
        window.mark_gap_before(600);
        assert_eq!(window.prepend(593, b"head 9\n"), 0);
        assert_eq!(texts(&window, 0, 10), ["head 9", "<gap 402>", "tail"]);
        assert_eq!(window.line_count(), 3);
        assert_eq!(window.start(), 593);
        assert_eq!(window.end(), 1007);
    }

    #[test]
    fn prepending_joins_contiguous_bytes() {
        let mut window = OutputWindow::new();
        window.reset(0, b"");
        window.reset(10, b"\nworld\n");
        window.prepend(0, b"0123456789\nhello");
        assert_eq!(texts(&window, 0, 10), ["0123456789", "world"]);
    }

    #[test]
    fn appending_keeps_the_window_bounded() {
        let mut window = OutputWindow::new();
        let line = [b'x'; 99]
            .iter()
            .copied()
            .chain([b'\n'])
            .collect::<Vec<_>>();
        let mut at = 0;
        window.reset(0, &[]);
        for _ in 0..50_000 {
            window.append(at, &line);
            at += 100;
            assert!(window.len() <= WINDOW_CAP_BYTES + TRIM_SLACK + 100);
        }
        assert_eq!(window.end(), at);
        assert_eq!(window.start() % 100, 0, "trimmed at a line break");
        assert_eq!(texts(&window, 0, 1), ["x".repeat(99)]);
    }

    #[test]
    fn prepending_trims_the_back_and_counts_the_lines_removed() {
        let mut window = OutputWindow::new();
        let block = b"0123456789abcde\n".repeat(WINDOW_CAP_BYTES / 16);
        let start = 10 * WINDOW_CAP_BYTES as u64;
        window.reset(start, &block);
        assert_eq!(window.start(), start + 16, "the first line may be partial");
        assert_eq!(window.len(), WINDOW_CAP_BYTES - 16);
        let removed = window.prepend(start + 16 - 1600, &b"0123456789abcde\n".repeat(100));
        assert_eq!(removed, 99);
        assert_eq!(window.len(), WINDOW_CAP_BYTES);
        assert_eq!(window.start(), start + 16 - 1600);
        assert_eq!(window.end(), start + 16 - 1600 + WINDOW_CAP_BYTES as u64);
    }

    #[test]
    fn huge_lines_and_empty_windows_do_not_break_reading() {
        let mut window = OutputWindow::new();
        assert!(texts(&window, 0, 5).is_empty());
        assert_eq!(window.line_count(), 0);
        window.reset(0, &vec![b'y'; 3 * WINDOW_CAP_BYTES]);
        assert!(window.len() <= WINDOW_CAP_BYTES);
        assert_eq!(window.line_count(), 1);
        assert_eq!(texts(&window, 0, 0), Vec::<String>::new());
    }
}
