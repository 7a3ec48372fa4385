//! The WebSocket frames of messages: `send`, `fetch`, `history`, `read`, `typing`, the changes
//! to messages (`edit`, `recall`, `react`, `pin`, `forward`) and `pins` and `versions`.

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
        .map(|read| ServerFrame::Read {
            rid,
            conv,
            read_seq: read.read_seq,
            unread: read.unread,
            unread_mentions: read.unread_mentions,
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

/// `edit`, `recall`, `react`, `pin` and `forward`: answered with `done` once stored (the
/// events themselves reach every connection of every member, this one included).
pub async fn change(
    state: &AppState,
    conn: &ConnHandle,
    rid: Option<u64>,
    conv: ConvId,
    change: Change,
) -> Option<ServerFrame> {
    let messages = &state.messages;
    let user = conn.user;
    let stored = match change {
        Change::Edit { target, text } => messages.edit(user, conv, target, text).await,
        Change::Recall { target } => messages.recall(user, conv, target).await,
        Change::React {
            target,
            emoji,
            added,
        } => messages.react(user, conv, target, &emoji, added).await,
        Change::Pin { target, pinned } => messages.pin(user, conv, target, pinned).await,
        Change::Forward { from, seqs, cmid } => {
            messages.forward(user, conv, from, seqs, cmid).await
        }
    };
    Some(match stored {
        Ok(seqs) => ServerFrame::Done { rid, conv, seqs },
        Err(e) => e.into_frame(rid),
    })
}

/// The change a frame asks for, without what every change has (`rid`, `conv`).
pub enum Change {
    Edit {
        target: u64,
        text: String,
    },
    Recall {
        target: u64,
    },
    React {
        target: u64,
        emoji: String,
        added: bool,
    },
    Pin {
        target: u64,
        pinned: bool,
    },
    Forward {
        from: ConvId,
        seqs: Vec<u64>,
        cmid: String,
    },
}

/// `pins`: the conversation's pinned messages.
pub async fn pins(
    state: &AppState,
    conn: &ConnHandle,
    rid: Option<u64>,
    conv: ConvId,
) -> Option<ServerFrame> {
    Some(match state.messages.pins(conn.user, conv).await {
        Ok(pins) => ServerFrame::Pins { rid, conv, pins },
        Err(e) => e.into_frame(rid),
    })
}

/// `versions`: every text a message has had.
pub async fn versions(
    state: &AppState,
    conn: &ConnHandle,
    rid: Option<u64>,
    conv: ConvId,
    target: u64,
) -> Option<ServerFrame> {
    Some(
        match state.messages.versions(conn.user, conv, target).await {
            Ok(versions) => ServerFrame::Versions {
                rid,
                conv,
                target,
                versions,
            },
            Err(e) => e.into_frame(rid),
        },
    )
}
