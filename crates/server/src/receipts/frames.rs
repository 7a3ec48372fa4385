//! The WebSocket frame of receipts: `receipts`, a conversation's read positions.

use crate::delivery::hub::ConnHandle;
use crate::http::AppState;
use tern_proto::{ConvId, ServerFrame};

/// `receipts`: every position the member may see in `conv`.
pub async fn receipts(
    state: &AppState,
    conn: &ConnHandle,
    rid: Option<u64>,
    conv: ConvId,
) -> Option<ServerFrame> {
    let reply = state
        .receipts
        .list(conn.user, conv)
        .await
        .map(|receipts| ServerFrame::Receipts {
            rid,
            conv,
            receipts,
        });
    Some(reply.unwrap_or_else(|e| e.into_frame(rid)))
}
