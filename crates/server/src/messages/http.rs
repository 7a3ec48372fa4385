//! The HTTP routes of messages: history, sending, read positions, and the changes to messages
//! (edit, recall, reactions, pins, forward, versions).

use crate::accounts::Caller;
use crate::error::AppResult;
use crate::http::{AppState, Json, Path, Query};
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post, put};
use serde::Deserialize;
use tern_proto::ConvId;
use tern_proto::frames::{Pinned, Version};
use tern_proto::rest::{
    ChangeResult, EditRequest, EventPage, ForwardRequest, ReactRequest, ReadPosition, ReadRequest,
    SendMessageRequest, SentMessage,
};

/// Routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conversations/{id}/messages", get(history).post(send))
        .route("/conversations/{id}/read", post(mark_read))
        .route(
            "/conversations/{id}/messages/{seq}",
            axum::routing::patch(edit).delete(recall),
        )
        .route("/conversations/{id}/messages/{seq}/reactions", post(react))
        .route("/conversations/{id}/messages/{seq}/versions", get(versions))
        .route("/conversations/{id}/pins", get(pins))
        .route("/conversations/{id}/pins/{seq}", put(pin).delete(unpin))
        .route("/conversations/{id}/forward", post(forward))
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
    let read = state
        .messages
        .mark_read(caller.user, ConvId(id), req.seq, None)
        .await?;
    Ok(Json(read))
}

fn stored(seqs: Vec<u64>) -> Json<ChangeResult> {
    Json(ChangeResult { seqs })
}

async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, seq)): Path<(i64, u64)>,
    Json(req): Json<EditRequest>,
) -> AppResult<Json<ChangeResult>> {
    let seqs = state
        .messages
        .edit(caller.user, ConvId(id), seq, req.text)
        .await?;
    Ok(stored(seqs))
}

async fn recall(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, seq)): Path<(i64, u64)>,
) -> AppResult<Json<ChangeResult>> {
    let seqs = state.messages.recall(caller.user, ConvId(id), seq).await?;
    Ok(stored(seqs))
}

async fn react(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, seq)): Path<(i64, u64)>,
    Json(req): Json<ReactRequest>,
) -> AppResult<Json<ChangeResult>> {
    let seqs = state
        .messages
        .react(caller.user, ConvId(id), seq, &req.emoji, req.added)
        .await?;
    Ok(stored(seqs))
}

async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, seq)): Path<(i64, u64)>,
) -> AppResult<Json<Vec<Version>>> {
    let versions = state
        .messages
        .versions(caller.user, ConvId(id), seq)
        .await?;
    Ok(Json(versions))
}

async fn pins(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Pinned>>> {
    Ok(Json(state.messages.pins(caller.user, ConvId(id)).await?))
}

async fn pin(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, seq)): Path<(i64, u64)>,
) -> AppResult<Json<ChangeResult>> {
    let seqs = state
        .messages
        .pin(caller.user, ConvId(id), seq, true)
        .await?;
    Ok(stored(seqs))
}

async fn unpin(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, seq)): Path<(i64, u64)>,
) -> AppResult<Json<ChangeResult>> {
    let seqs = state
        .messages
        .pin(caller.user, ConvId(id), seq, false)
        .await?;
    Ok(stored(seqs))
}

async fn forward(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<ForwardRequest>,
) -> AppResult<Json<ChangeResult>> {
    let seqs = state
        .messages
        .forward(caller.user, ConvId(id), req.from, req.seqs, req.cmid)
        .await?;
    Ok(stored(seqs))
}
