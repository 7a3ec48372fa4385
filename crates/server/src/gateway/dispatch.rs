//! Turns one client text frame into the server's answer.

use crate::delivery::hub::ConnHandle;
use crate::http::AppState;
use crate::messages::frames::{Change, change};
use crate::{conversations, messages};
use tern_proto::{ClientFrame, ErrorCode, FrameEnvelope, ServerFrame};

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
    // Each feature answers its own frames; this only routes them.
    match frame {
        ClientFrame::Send {
            rid,
            conv,
            cmid,
            content,
        } => messages::frames::send(state, conn, rid, conv, cmid, content).await,
        ClientFrame::Sync { rid, since, page } => {
            conversations::frames::sync(state, conn, rid, since, page).await
        }
        ClientFrame::Fetch {
            rid,
            conv,
            after,
            limit,
        } => messages::frames::fetch(state, conn, rid, conv, after, limit).await,
        ClientFrame::History {
            rid,
            conv,
            before,
            limit,
        } => messages::frames::history(state, conn, rid, conv, before, limit).await,
        ClientFrame::Read { rid, conv, seq } => {
            messages::frames::read(state, conn, rid, conv, seq).await
        }
        ClientFrame::Typing { rid, conv } => messages::frames::typing(state, conn, rid, conv).await,
        ClientFrame::Edit {
            rid,
            conv,
            target,
            text,
        } => change(state, conn, rid, conv, Change::Edit { target, text }).await,
        ClientFrame::Recall { rid, conv, target } => {
            change(state, conn, rid, conv, Change::Recall { target }).await
        }
        ClientFrame::React {
            rid,
            conv,
            target,
            emoji,
            added,
        } => {
            let react = Change::React {
                target,
                emoji,
                added,
            };
            change(state, conn, rid, conv, react).await
        }
        ClientFrame::Pin {
            rid,
            conv,
            target,
            pinned,
        } => change(state, conn, rid, conv, Change::Pin { target, pinned }).await,
        ClientFrame::Forward {
            rid,
            conv,
            from,
            seqs,
            cmid,
        } => change(state, conn, rid, conv, Change::Forward { from, seqs, cmid }).await,
        ClientFrame::Preferences {
            rid,
            conv,
            notify,
            top,
        } => conversations::frames::preferences(state, conn, rid, conv, notify, top).await,
        ClientFrame::Pins { rid, conv } => messages::frames::pins(state, conn, rid, conv).await,
        ClientFrame::Receipts { rid, conv } => {
            crate::receipts::frames::receipts(state, conn, rid, conv).await
        }
        ClientFrame::Versions { rid, conv, target } => {
            messages::frames::versions(state, conn, rid, conv, target).await
        }
        ClientFrame::Ping { rid } => Some(ServerFrame::Pong { rid }),
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
