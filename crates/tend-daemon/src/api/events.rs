//! `GET /v1/events`: a JSON page (long-polled with `wait_ms`) or, with
//! `Accept: text/event-stream`, a stream that never ends while the daemon runs.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::http::header::ACCEPT;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use tend_core::{Event, EventFilter, EventsPage, Seq};
use tend_host::{Host, HostError};
use tend_proto::{EventsQuery, EventsResponse, long_poll};

use super::{ApiError, AppState};
use crate::limits::LongPollPermit;
use crate::shutdown::ShutdownHandle;

/// How long one step of a stream waits for events before asking again.
const STREAM_POLL: Duration = Duration::from_secs(30);
/// How often a quiet stream sends a keep-alive comment.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Events after `after` (from the oldest retained when absent), filtered by session and task.
pub(crate) async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = EventsQuery::from_query(query.as_deref())?;
    let filter = query.filter();
    let streaming = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.contains("text/event-stream"));
    if streaming {
        // A stream is a long poll for as long as it is open: its place goes with it.
        let place = state.gates.long_poll()?;
        let after = query.after.or_else(|| last_event_id(&headers));
        // The first page is read before answering, so an expired position is a 410, not an
        // error in the middle of a stream.
        let first = page(&state.host, after, &filter, query.limit, Duration::ZERO).await?;
        let stream = event_stream(
            state.host.clone(),
            state.shutdown.clone(),
            filter,
            query.limit,
            first,
            place,
        );
        let keep_alive = KeepAlive::new().interval(KEEP_ALIVE);
        return Ok(Sse::new(stream).keep_alive(keep_alive).into_response());
    }
    let wait = long_poll(query.wait_ms.unwrap_or(0));
    let _place = if wait.is_zero() {
        None
    } else {
        Some(state.gates.long_poll()?)
    };
    let found = state.until_shutdown(page(&state.host, query.after, &filter, query.limit, wait));
    let found = found.await??;
    Ok(Json(EventsResponse {
        events: found.events,
        next_after: found.next_after,
    })
    .into_response())
}

fn last_event_id(headers: &HeaderMap) -> Option<Seq> {
    headers
        .get("last-event-id")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// One page. Without `after`, starts at the oldest retained event instead of failing.
async fn page(
    host: &Host,
    after: Option<Seq>,
    filter: &EventFilter,
    limit: usize,
    wait: Duration,
) -> Result<EventsPage, HostError> {
    match host
        .events(after.unwrap_or(0), filter.clone(), limit, wait)
        .await
    {
        Err(HostError::Engine(tend_core::Error::EventsExpired { oldest_seq, .. }))
            if after.is_none() =>
        {
            host.events(oldest_seq.saturating_sub(1), filter.clone(), limit, wait)
                .await
        }
        other => other,
    }
}

fn sse_event(event: &Event) -> SseEvent {
    SseEvent::default()
        .id(event.seq.to_string())
        .json_data(event)
        .unwrap_or_else(|_| SseEvent::default().comment("an event could not be encoded"))
}

/// Where a stream stands.
struct Cursor {
    host: Host,
    shutdown: ShutdownHandle,
    filter: EventFilter,
    limit: usize,
    after: Seq,
}

/// The events of `first`, then every later event as it comes; ends when the daemon stops, or
/// after an `error` event if the position expired.
fn event_stream(
    host: Host,
    shutdown: ShutdownHandle,
    filter: EventFilter,
    limit: usize,
    first: EventsPage,
    place: LongPollPermit,
) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    let head: Vec<SseEvent> = first.events.iter().map(sse_event).collect();
    let cursor = Cursor {
        host,
        shutdown,
        filter,
        limit,
        after: first.next_after,
    };
    let tail = stream::unfold(Some(cursor), |cursor| async move {
        let mut cursor = cursor?;
        loop {
            let next = tokio::select! {
                next = cursor.host.events(cursor.after, cursor.filter.clone(), cursor.limit, STREAM_POLL) => next,
                () = cursor.shutdown.triggered() => return None,
            };
            match next {
                Ok(page) => {
                    cursor.after = page.next_after;
                    if !page.events.is_empty() {
                        let batch: Vec<SseEvent> = page.events.iter().map(sse_event).collect();
                        return Some((stream::iter(batch), Some(cursor)));
                    }
                }
                Err(error) => {
                    let body = ApiError::from(error).into_body();
                    let event = SseEvent::default()
                        .event("error")
                        .json_data(&body)
                        .unwrap_or_else(|_| SseEvent::default().event("error"));
                    return Some((stream::iter(vec![event]), None));
                }
            }
        }
    });
    stream::iter(head).chain(tail.flatten()).map(move |event| {
        let _held = &place;
        Ok(event)
    })
}
