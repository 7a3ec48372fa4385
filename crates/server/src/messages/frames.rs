//! The WebSocket frames of messages: `send`, `fetch`, `history`, `read` and `typing`.

use super::Page;
use crate::delivery::hub::ConnHandle;
use crate::http::AppState;
use tern_proto::{Content, ConvId, ServerFrame};

/// `send`: `None` once queued, as the `ack` comes through the connection's queue when the
/// message commits.
pub async fn send(
    state: &AppState,
    conn: &ConnHandle,
    rid: Option<u64>,
    conv: ConvId,
    cmid: String,
    content: Content,
) -> Option<ServerFrame> {
    match state
        .messages
        .send_from(conn, rid, conv, cmid, content)
        .await
    {
        Ok(()) => None,
        Err(e) => Some(e.into_frame(rid)),
    }
}

/// `fetch`: events after a seq, oldest first (catch-up).
pub async fn fetch(
    state: &AppState,
    conn: &ConnHandle,
    rid: Option<u64>,
    conv: ConvId,
    after: u64,
    limit: Option<u32>,
) -> Option<ServerFrame> {
    let page = state.messages.fetch(conn.user, conv, after, limit).await;
    Some(events_frame(rid, conv, page))
}

/// `history`: the newest events before a seq, oldest first.
pub async fn history(
    state: &AppState,
    conn: &ConnHandle,
    rid: Option<u64>,
    conv: ConvId,
    before: Option<u64>,
    limit: Option<u32>,
) -> Option<ServerFrame> {
    let page = state.messages.history(conn.user, conv, before, limit).await;
    Some(events_frame(rid, conv, page))
}

/// `read`: moves the read position; the user's other connections hear of it.
pub async fn read(
    state: &AppState,
    conn: &ConnHandle,
    rid: Option<u64>,
    conv: ConvId,
    seq: u64,
) -> Option<ServerFrame> {
    let moved = state
        .messages
        .mark_read(conn.user, conv, seq, Some(conn))
        .await
        .map(|(read_seq, unread)| ServerFrame::Read {
            rid,
            conv,
            read_seq,
            unread,
        });
    Some(moved.unwrap_or_else(|e| e.into_frame(rid)))
}

/// `typing`: relayed to the other members; answered only when refused.
pub async fn typing(
    state: &AppState,
    conn: &ConnHandle,
    rid: Option<u64>,
    conv: ConvId,
) -> Option<ServerFrame> {
    match state.messages.typing(conn, conv).await {
        Ok(()) => None,
        Err(e) => Some(e.into_frame(rid)),
    }
}

fn events_frame(
    rid: Option<u64>,
    conv: ConvId,
    page: crate::error::AppResult<Page>,
) -> ServerFrame {
    match page {
        Ok(page) => ServerFrame::Events {
            rid,
            conv,
            events: page.events,
            has_more: page.has_more,
        },
        Err(e) => e.into_frame(rid),
    }
}
