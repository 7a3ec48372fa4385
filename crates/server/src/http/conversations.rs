//! HTTP handlers for conversations, members, history, sending and read positions.

use super::{AppState, Json, Path, Query};
use crate::accounts::Caller;
use crate::error::{AppError, AppResult};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tern_proto::rest::{
    AddMembersRequest, ConversationDetail, CreateDirectRequest, CreateGroupRequest, EventPage,
    ReadPosition, ReadRequest, SendMessageRequest, SentMessage,
};
use tern_proto::{ConvId, ConversationSummary, UserId};

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<Vec<ConversationSummary>>> {
    Ok(Json(state.chat.list(caller).await?))
}

pub async fn open_direct(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateDirectRequest>,
) -> AppResult<Json<ConversationDetail>> {
    let peer = match (req.user, req.username) {
        (Some(id), None) => id,
        (None, Some(name)) => state.accounts.profile_by_username(&name).await?.id,
        _ => {
            return Err(AppError::bad_request(
                "name the other user with exactly one of \"user\" or \"username\"",
            ));
        }
    };
    Ok(Json(state.chat.open_direct(caller, peer).await?))
}

pub async fn create_group(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateGroupRequest>,
) -> AppResult<(StatusCode, Json<ConversationDetail>)> {
    let detail = state
        .chat
        .create_group(caller, &req.name, req.members)
        .await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Json<ConversationDetail>> {
    Ok(Json(state.chat.detail(caller, ConvId(id)).await?))
}

pub async fn add_members(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<AddMembersRequest>,
) -> AppResult<Json<ConversationDetail>> {
    Ok(Json(
        state
            .chat
            .add_members(caller, ConvId(id), req.users)
            .await?,
    ))
}

pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    state
        .chat
        .remove_member(caller, ConvId(id), UserId(user))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn leave(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    state
        .chat
        .remove_member(caller, ConvId(id), caller.user)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    before: Option<u64>,
    limit: Option<u32>,
}

pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HistoryQuery>,
) -> AppResult<Json<EventPage>> {
    let page = state
        .chat
        .history(caller.user, ConvId(id), q.before, q.limit)
        .await?;
    Ok(Json(EventPage {
        events: page.events,
        has_more: page.has_more,
    }))
}

pub async fn send(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<SendMessageRequest>,
) -> AppResult<Json<SentMessage>> {
    let (event, duplicate) = state
        .chat
        .send(caller, ConvId(id), req.cmid, req.content)
        .await?;
    Ok(Json(SentMessage { event, duplicate }))
}

pub async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<ReadRequest>,
) -> AppResult<Json<ReadPosition>> {
    let (read_seq, unread) = state
        .chat
        .mark_read(caller.user, ConvId(id), req.seq, None)
        .await?;
    Ok(Json(ReadPosition { read_seq, unread }))
}
