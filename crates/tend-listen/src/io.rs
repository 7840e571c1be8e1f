//! A stream whose writes fail once they stall past a deadline.

use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Wraps a stream so that a write (or flush, or shutdown) that stays pending for longer than
/// the write timeout fails with [`io::ErrorKind::TimedOut`]. Each write that makes progress
/// restarts the clock, so a slow but steady reader is served; a reader that stopped reading is
/// cut off. Reads are passed through: the HTTP layer bounds how long a request may take.
#[derive(Debug)]
pub struct TimeoutIo<S> {
    inner: S,
    timeout: Duration,
    /// Armed while a write is pending; `None` until the first stall.
    deadline: Option<Pin<Box<Sleep>>>,
    armed: bool,
}

impl<S> TimeoutIo<S> {
    /// Wraps `inner` with a write timeout.
    pub fn new(inner: S, timeout: Duration) -> Self {
        Self {
            inner,
            timeout,
            deadline: None,
            armed: false,
        }
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Called when the inner write is pending: arms the deadline on the first stall, and
    /// fails once it passed.
    fn stalled(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let deadline = Instant::now() + self.timeout;
        let sleep = self
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if !self.armed {
            sleep.as_mut().reset(deadline);
            self.armed = true;
        }
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading the answer",
            )),
            Poll::Pending => Poll::Pending,
        }
    }

    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match polled {
            Poll::Pending => match self.stalled(cx) {
                Poll::Ready(error) => Poll::Ready(Err(error)),
                Poll::Pending => Poll::Pending,
            },
            ready => {
                self.armed = false;
                ready
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for TimeoutIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for TimeoutIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.watch(cx, polled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn a_write_that_stalls_past_the_timeout_fails_and_a_reader_keeps_it_alive() {
        let (near, mut far) = tokio::io::duplex(1024);
        let mut io = TimeoutIo::new(near, Duration::from_millis(200));
        let chunk = vec![b'x'; 4096];
        let started = Instant::now();
        let error = io.write_all(&chunk).await.expect_err("nobody reads");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(200));

        // A reader that keeps reading is served whatever the total time.
        let (near, mut far2) = tokio::io::duplex(1024);
        let mut io = TimeoutIo::new(near, Duration::from_millis(200));
        let reader = tokio::spawn(async move {
            let mut buf = vec![0; 512];
            let mut total = 0;
            while total < 8192 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                total += far2.read(&mut buf).await.unwrap();
            }
            total
        });
        io.write_all(&vec![b'y'; 8192])
            .await
            .expect("steady reader");
        assert_eq!(reader.await.unwrap(), 8192);
        drop(far.read(&mut [0; 1]).await);
    }
}
