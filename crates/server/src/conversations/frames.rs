//! The WebSocket frames of conversations: `sync` and `preferences`.

use crate::delivery::hub::ConnHandle;
use crate::http::AppState;
use tern_proto::{ConvId, NotifyLevel, ServerFrame};

/// `sync`: the conversations changed since a token, one page at a time.
pub async fn sync(
    state: &AppState,
    conn: &ConnHandle,
    rid: Option<u64>,
    since: Option<String>,
    page: Option<String>,
) -> Option<ServerFrame> {
    let reply = state
        .conversations
        .sync(conn.user, since.as_deref(), page.as_deref())
        .await
        .map(|page| ServerFrame::Sync {
            rid,
            token: page.token,
            conversations: page.conversations,
            next: page.next,
            receipts: page.receipts,
        });
    Some(reply.unwrap_or_else(|e| e.into_frame(rid)))
}

/// `preferences`: the member's own preferences for a conversation; their other devices hear of it.
pub async fn preferences(
    state: &AppState,
    conn: &ConnHandle,
    rid: Option<u64>,
    conv: ConvId,
    notify: Option<NotifyLevel>,
    top: Option<bool>,
) -> Option<ServerFrame> {
    let reply = state
        .conversations
        .preferences(conn.user, conv, notify, top, Some(conn.id))
        .await
        .map(|(notify, top)| ServerFrame::Preferences {
            rid,
            conv,
            notify,
            top,
        });
    Some(reply.unwrap_or_else(|e| e.into_frame(rid)))
}
