//! `GET /v1/tasks/{id}/output` (CONTRACT.md §4): its query, its JSON answer and raw headers.

use serde::{Deserialize, Serialize};
use tend_core::{Error, State, TaskId};

use crate::limits::{DEFAULT_READ_BYTES, MAX_CONTEXT_LINES, MAX_READ_BYTES, check_duration};
use crate::query::{QueryBuilder, QueryPairs};

/// Which stream of a task to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutputStream {
    /// The main stream: stdout and stderr together (or stdout alone with separate stderr).
    #[default]
    Combined,
    /// The stderr stream of a task created with `stderr: "separate"`.
    Stderr,
}

impl OutputStream {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Combined => "combined",
            Self::Stderr => "stderr",
        }
    }
}

/// How the output is answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    /// An [`OutputRead`] document.
    #[default]
    Json,
    /// The bytes as `application/octet-stream`, the numbers in `X-Tend-*` headers.
    Raw,
}

impl OutputFormat {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Raw => "raw",
        }
    }
}

/// What an output read answers (CONTRACT §8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutputRender {
    /// The bytes as written (§4).
    #[default]
    Raw,
    /// `data` without escape sequences, carriage-return overwrites and backspaces applied.
    Plain,
    /// The terminal's screen after every byte so far: a [`ScreenRead`].
    Screen,
}

impl OutputRender {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Raw => "raw",
            Self::Plain => "plain",
            Self::Screen => "screen",
        }
    }
}

/// The answer of `GET /v1/tasks/{id}/output?render=screen`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ScreenRead {
    /// The task.
    pub task_id: TaskId,
    /// Its state when the read was made.
    pub state: State,
    /// Bytes the task wrote to the stream so far (all of them are on the screen).
    pub total_bytes: u64,
    /// What the terminal shows.
    pub screen: Screen,
}

/// A terminal's screen: one string per row, trailing spaces trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Screen {
    /// Rows of the screen.
    pub rows: u16,
    /// Columns of the screen.
    pub cols: u16,
    /// Where the cursor is (from 0).
    pub cursor: ScreenCursor,
    /// The text of each row.
    pub lines: Vec<String>,
}

/// A position on a [`Screen`], from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ScreenCursor {
    /// The row.
    pub row: u16,
    /// The column.
    pub col: u16,
}

/// The query of an output read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OutputQuery {
    /// Byte offset to read from (default 0).
    #[cfg_attr(feature = "schema", schemars(with = "Option<u64>"))]
    pub cursor: u64,
    /// The most bytes answered (default 65536, at most 16 MiB).
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<u64>", range(min = 1, max = 16777216))
    )]
    pub max_bytes: u64,
    /// Answer the last N lines instead of reading from `cursor`.
    pub tail_lines: Option<u64>,
    /// Answer only the lines matching this regular expression, scanning from `cursor`.
    pub grep: Option<String>,
    /// With `grep`: also answer this many lines before and after each matching line (at most
    /// 1000), groups of lines that do not touch separated by a `--` line, like `grep -C`.
    #[cfg_attr(feature = "schema", schemars(range(max = 1000)))]
    pub context: Option<u64>,
    /// When nothing lies past `cursor` and the task is live, wait up to this long.
    #[cfg_attr(feature = "schema", schemars(range(max = 31_536_000_000u64)))]
    pub wait_ms: Option<u64>,
    /// `combined` (default) or `stderr`.
    #[cfg_attr(feature = "schema", schemars(with = "Option<OutputStream>"))]
    pub stream: OutputStream,
    /// `json` (default) or `raw`.
    #[cfg_attr(feature = "schema", schemars(with = "Option<OutputFormat>"))]
    pub format: OutputFormat,
    /// `raw` (default), `plain` or `screen` (CONTRACT §8).
    #[cfg_attr(feature = "schema", schemars(with = "Option<OutputRender>"))]
    pub render: OutputRender,
}

impl Default for OutputQuery {
    fn default() -> Self {
        Self {
            cursor: 0,
            max_bytes: DEFAULT_READ_BYTES,
            tail_lines: None,
            grep: None,
            context: None,
            wait_ms: None,
            stream: OutputStream::Combined,
            format: OutputFormat::Json,
            render: OutputRender::Raw,
        }
    }
}

impl OutputQuery {
    /// Parses and checks a query string.
    pub fn from_query(query: Option<&str>) -> Result<Self, Error> {
        let mut pairs = QueryPairs::parse(query);
        let cursor = pairs.take_u64("cursor")?.unwrap_or(0);
        let max_bytes = pairs.take_u64("max_bytes")?.unwrap_or(DEFAULT_READ_BYTES);
        if !(1..=MAX_READ_BYTES).contains(&max_bytes) {
            return Err(Error::invalid(
                "max_bytes",
                format!("{max_bytes} is not between 1 and {MAX_READ_BYTES}"),
            ));
        }
        let tail_lines = pairs.take_u64("tail_lines")?;
        let grep = pairs.take("grep")?;
        if tail_lines.is_some() && grep.is_some() {
            return Err(Error::invalid(
                "tail_lines",
                "give tail_lines or grep, not both",
            ));
        }
        let context = pairs.take_u64("context")?;
        if let Some(lines) = context {
            if grep.is_none() {
                return Err(Error::invalid("context", "context needs grep"));
            }
            if lines > MAX_CONTEXT_LINES {
                return Err(Error::invalid(
                    "context",
                    format!("{lines} is more than {MAX_CONTEXT_LINES}"),
                ));
            }
        }
        let wait_ms = pairs
            .take_u64("wait_ms")?
            .map(|ms| check_duration("wait_ms", ms))
            .transpose()?;
        let stream = match pairs.take("stream")?.as_deref() {
            None | Some("combined") => OutputStream::Combined,
            Some("stderr") => OutputStream::Stderr,
            Some(other) => {
                return Err(Error::invalid(
                    "stream",
                    format!("{other:?} is not combined or stderr"),
                ));
            }
        };
        let format = match pairs.take("format")?.as_deref() {
            None | Some("json") => OutputFormat::Json,
            Some("raw") => OutputFormat::Raw,
            Some(other) => {
                return Err(Error::invalid(
                    "format",
                    format!("{other:?} is not json or raw"),
                ));
            }
        };
        let render = match pairs.take("render")?.as_deref() {
            None | Some("raw") => OutputRender::Raw,
            Some("plain") => OutputRender::Plain,
            Some("screen") => OutputRender::Screen,
            Some(other) => {
                return Err(Error::invalid(
                    "render",
                    format!("{other:?} is not raw, plain or screen"),
                ));
            }
        };
        if render != OutputRender::Raw && format == OutputFormat::Raw {
            return Err(Error::invalid(
                "render",
                "render=plain and render=screen answer JSON, not format=raw",
            ));
        }
        pairs.finish()?;
        Ok(Self {
            cursor,
            max_bytes,
            tail_lines,
            grep,
            context,
            wait_ms,
            stream,
            format,
            render,
        })
    }

    /// The query string (without `?`); defaults are left out.
    pub fn to_query(&self) -> String {
        QueryBuilder::new()
            .add("cursor", (self.cursor != 0).then_some(self.cursor))
            .add(
                "max_bytes",
                (self.max_bytes != DEFAULT_READ_BYTES).then_some(self.max_bytes),
            )
            .add("tail_lines", self.tail_lines)
            .add("grep", self.grep.as_deref())
            .add("context", self.context)
            .add("wait_ms", self.wait_ms)
            .add(
                "stream",
                (self.stream != OutputStream::Combined).then_some(self.stream.as_str()),
            )
            .add(
                "format",
                (self.format != OutputFormat::Json).then_some(self.format.as_str()),
            )
            .add(
                "render",
                (self.render != OutputRender::Raw).then_some(self.render.as_str()),
            )
            .finish()
    }
}

/// One output read (CONTRACT.md §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OutputRead {
    /// The task.
    pub task_id: TaskId,
    /// Its state when the read was made.
    pub state: State,
    /// The bytes as UTF-8, invalid sequences replaced by U+FFFD; never ends inside a character.
    /// With `grep`: the matching lines, each followed by a newline (with `context`, the lines
    /// around them too, and `--` between groups).
    pub data: String,
    /// Offset of the first byte answered (the requested cursor, moved past a dropped range).
    pub cursor: u64,
    /// The cursor for the next read.
    pub next_cursor: u64,
    /// Bytes the task wrote to the stream so far.
    pub total_bytes: u64,
    /// Bytes of the stream dropped from the middle by the output cap.
    pub dropped_bytes: u64,
    /// True when `max_bytes` cut the answer.
    pub truncated: bool,
    /// True when the task is terminal and `next_cursor` equals `total_bytes`.
    pub eof: bool,
}

/// Headers of a raw output read (`format=raw`), carrying the numbers of [`OutputRead`].
pub mod headers {
    /// [`super::OutputRead::cursor`].
    pub const CURSOR: &str = "x-tend-cursor";
    /// [`super::OutputRead::next_cursor`].
    pub const NEXT_CURSOR: &str = "x-tend-next-cursor";
    /// [`super::OutputRead::total_bytes`].
    pub const TOTAL_BYTES: &str = "x-tend-total-bytes";
    /// [`super::OutputRead::dropped_bytes`].
    pub const DROPPED_BYTES: &str = "x-tend-dropped-bytes";
    /// [`super::OutputRead::truncated`]: `true` or `false`.
    pub const TRUNCATED: &str = "x-tend-truncated";
    /// [`super::OutputRead::eof`]: `true` or `false`.
    pub const EOF: &str = "x-tend-eof";
    /// [`super::OutputRead::state`].
    pub const STATE: &str = "x-tend-state";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_example_parses_with_empty_values_absent() {
        let text =
            "cursor=0&max_bytes=65536&tail_lines=&grep=&wait_ms=&stream=combined&format=json";
        assert_eq!(
            OutputQuery::from_query(Some(text)).unwrap(),
            OutputQuery::default()
        );
        let query = OutputQuery {
            cursor: 7,
            grep: Some("a b".into()),
            context: Some(3),
            wait_ms: Some(10),
            stream: OutputStream::Stderr,
            format: OutputFormat::Raw,
            ..OutputQuery::default()
        };
        assert_eq!(
            OutputQuery::from_query(Some(&query.to_query())).unwrap(),
            query
        );
    }

    #[test]
    fn bad_values_are_named() {
        for (query, field) in [
            ("max_bytes=0", "max_bytes"),
            ("max_bytes=16777217", "max_bytes"),
            ("cursor=-5", "cursor"),
            ("wait_ms=-1", "wait_ms"),
            ("wait_ms=999999999999999", "wait_ms"),
            ("tail_lines=3&grep=x", "tail_lines"),
            ("context=2", "context"),
            ("grep=x&context=1001", "context"),
            ("stream=stdout", "stream"),
            ("format=xml", "format"),
            ("follow=1", "follow"),
        ] {
            let message = OutputQuery::from_query(Some(query))
                .unwrap_err()
                .to_string();
            assert!(message.contains(field), "{query}: {message}");
        }
    }
}
