//! The HTTP routes of messages: history, sending, read positions.

use crate::accounts::Caller;
use crate::error::AppResult;
use crate::http::{AppState, Json, Path, Query};
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use tern_proto::ConvId;
use tern_proto::rest::{EventPage, ReadPosition, ReadRequest, SendMessageRequest, SentMessage};

/// Routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conversations/{id}/messages", get(history).post(send))
        .route("/conversations/{id}/read", post(mark_read))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryQuery {
    before: Option<u64>,
    limit: Option<u32>,
}

async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HistoryQuery>,
) -> AppResult<Json<EventPage>> {
    let page = state
        .messages
        .history(caller.user, ConvId(id), q.before, q.limit)
        .await?;
    Ok(Json(EventPage {
        events: page.events,
        has_more: page.has_more,
    }))
}

async fn send(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<SendMessageRequest>,
) -> AppResult<Json<SentMessage>> {
    let (event, duplicate) = state
        .messages
        .send(caller, ConvId(id), req.cmid, req.content)
        .await?;
    Ok(Json(SentMessage { event, duplicate }))
}

async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<ReadRequest>,
) -> AppResult<Json<ReadPosition>> {
    let (read_seq, unread) = state
        .messages
        .mark_read(caller.user, ConvId(id), req.seq, None)
        .await?;
    Ok(Json(ReadPosition { read_seq, unread }))
}
