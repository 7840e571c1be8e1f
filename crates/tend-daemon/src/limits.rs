//! Limits the routes apply: long polls counted apart from ordinary requests, and the output
//! answers in flight bounded in bytes.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use http_body::{Frame, SizeHint};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::api::ApiError;

/// The size of the pieces an output answer is handed to the connection in.
const PIECE: usize = 64 * 1024;

/// What the routes count: requests in a long poll, and output bytes held by answers.
#[derive(Debug, Clone)]
pub(crate) struct Gates {
    long_polls: Arc<Semaphore>,
    max_long_polls: usize,
    /// Permits are KiB of output held by answers being read or sent.
    output: Arc<Semaphore>,
    output_kib: u32,
    /// How long a large read waits for room before it is refused.
    output_wait: Duration,
}

/// A request's place among the long polls; dropped when it ends.
#[derive(Debug)]
pub(crate) struct LongPollPermit(#[allow(dead_code)] OwnedSemaphorePermit);

/// Output bytes an answer holds; dropped with the answer's body.
#[derive(Debug)]
pub(crate) struct OutputPermit(OwnedSemaphorePermit);

impl Gates {
    pub(crate) fn new(
        max_long_polls: usize,
        max_output_bytes: usize,
        output_wait: Duration,
    ) -> Self {
        let max_long_polls = max_long_polls.max(1);
        let output_kib = u32::try_from(max_output_bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .max(1);
        Self {
            long_polls: Arc::new(Semaphore::new(max_long_polls)),
            max_long_polls,
            output: Arc::new(Semaphore::new(output_kib as usize)),
            output_kib,
            output_wait,
        }
    }

    /// A place for one long poll, or `unavailable` (with the connection closed after the
    /// answer) when `max_long_polls` requests are already waiting.
    pub(crate) fn long_poll(&self) -> Result<LongPollPermit, ApiError> {
        match Arc::clone(&self.long_polls).try_acquire_owned() {
            Ok(permit) => Ok(LongPollPermit(permit)),
            Err(_) => Err(ApiError::busy(format!(
                "too many waiting requests (at most {} long polls at once); retry later",
                self.max_long_polls
            ))),
        }
    }

    /// Room for an answer of up to `bytes` of output: waits up to the output wait for earlier
    /// large answers to be sent (or their connections closed), then answers `unavailable`.
    pub(crate) async fn output(&self, bytes: u64) -> Result<OutputPermit, ApiError> {
        let kib = u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .clamp(1, self.output_kib);
        let acquire = Arc::clone(&self.output).acquire_many_owned(kib);
        match tokio::time::timeout(self.output_wait, acquire).await {
            Ok(Ok(permit)) => Ok(OutputPermit(permit)),
            _ => Err(ApiError::busy(
                "too many large output reads in flight; retry later".to_owned(),
            )),
        }
    }
}

impl OutputPermit {
    /// Keeps only what `bytes` need, giving the rest back.
    pub(crate) fn shrink_to(&mut self, bytes: usize) {
        let keep = bytes.div_ceil(1024).max(1);
        let held = self.0.num_permits();
        if held > keep {
            drop(self.0.split(held - keep));
        }
    }
}

/// An answer's bytes, handed to the connection in 64 KiB pieces, holding its output permit
/// until the body is dropped (sent, or its connection closed).
#[derive(Debug)]
pub(crate) struct HeldBody {
    data: Bytes,
    _permit: OutputPermit,
}

impl HeldBody {
    pub(crate) fn body(data: impl Into<Bytes>, mut permit: OutputPermit) -> Body {
        let data = data.into();
        permit.shrink_to(data.len());
        Body::new(Self {
            data,
            _permit: permit,
        })
    }
}

impl HttpBody for HeldBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if this.data.is_empty() {
            return Poll::Ready(None);
        }
        let piece = this.data.split_to(this.data.len().min(PIECE));
        Poll::Ready(Some(Ok(Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.len() as u64)
    }
}
