//! Turns one client text frame into the server's answer.

use crate::chat::Page;
use crate::http::AppState;
use crate::hub::ConnHandle;
use tern_proto::{ClientFrame, ConvId, ErrorCode, FrameEnvelope, ServerFrame};

/// Handles a text frame. `None` means the answer (an `ack`) will come through the connection's
/// queue once the write commits.
pub async fn handle_text(state: &AppState, conn: &ConnHandle, text: &str) -> Option<ServerFrame> {
    let max = state.gateway.max_frame_bytes;
    if text.len() > max {
        let rid = envelope(text).and_then(|e| e.rid);
        return Some(ServerFrame::error(
            rid,
            ErrorCode::FrameTooLarge,
            format!("frames are limited to {max} bytes"),
        ));
    }
    let frame = match serde_json::from_str::<ClientFrame>(text) {
        Ok(frame) => frame,
        Err(e) => return Some(parse_error(text, &e)),
    };
    let chat = &state.chat;
    let user = conn.user;
    let result = match frame {
        ClientFrame::Send {
            rid,
            conv,
            cmid,
            content,
        } => match chat.send_from(conn, rid, conv, cmid, content).await {
            Ok(()) => return None,
            Err(e) => Err((rid, e)),
        },
        ClientFrame::Sync { rid, since, page } => chat
            .sync(user, since.as_deref(), page.as_deref())
            .await
            .map(|page| ServerFrame::Sync {
                rid,
                token: page.token,
                conversations: page.conversations,
                next: page.next,
            })
            .map_err(|e| (rid, e)),
        ClientFrame::Fetch {
            rid,
            conv,
            after,
            limit,
        } => chat
            .fetch(user, conv, after, limit)
            .await
            .map(|page| events_frame(rid, conv, page))
            .map_err(|e| (rid, e)),
        ClientFrame::History {
            rid,
            conv,
            before,
            limit,
        } => chat
            .history(user, conv, before, limit)
            .await
            .map(|page| events_frame(rid, conv, page))
            .map_err(|e| (rid, e)),
        ClientFrame::Read { rid, conv, seq } => chat
            .mark_read(user, conv, seq, Some(conn))
            .await
            .map(|(read_seq, unread)| ServerFrame::Read {
                rid,
                conv,
                read_seq,
                unread,
            })
            .map_err(|e| (rid, e)),
        ClientFrame::Typing { rid, conv } => match chat.typing(conn, conv).await {
            Ok(()) => return None,
            Err(e) => Err((rid, e)),
        },
        ClientFrame::Ping { rid } => Ok(ServerFrame::Pong { rid }),
    };
    Some(result.unwrap_or_else(|(rid, e)| e.into_frame(rid)))
}

fn events_frame(rid: Option<u64>, conv: ConvId, page: Page) -> ServerFrame {
    ServerFrame::Events {
        rid,
        conv,
        events: page.events,
        has_more: page.has_more,
    }
}

fn envelope(text: &str) -> Option<FrameEnvelope> {
    serde_json::from_str::<FrameEnvelope>(text).ok()
}

/// Says precisely what is wrong with a frame that did not parse, echoing its `rid` if it had one.
fn parse_error(text: &str, error: &serde_json::Error) -> ServerFrame {
    let Some(env) = envelope(text) else {
        return ServerFrame::error(
            None,
            ErrorCode::BadFrame,
            format!("frames are JSON objects with a \"type\": {error}"),
        );
    };
    match env.kind.as_deref() {
        None => ServerFrame::error(env.rid, ErrorCode::BadFrame, "the frame has no \"type\""),
        Some(kind) if !FrameEnvelope::KNOWN_TYPES.contains(&kind) => ServerFrame::error(
            env.rid,
            ErrorCode::UnknownType,
            format!(
                "unknown frame type {kind:?}; known: {}",
                FrameEnvelope::KNOWN_TYPES.join(", ")
            ),
        ),
        Some(kind) => ServerFrame::error(
            env.rid,
            ErrorCode::BadFrame,
            format!("malformed {kind:?} frame: {error}"),
        ),
    }
}
