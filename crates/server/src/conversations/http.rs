//! The HTTP routes of conversations: the list, direct conversations, groups and members, and
//! each member's own preferences.

use crate::accounts::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{AppState, Json, Path};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post, put};
use tern_proto::rest::{
    AddMembersRequest, ChangeResult, ConversationDetail, CreateDirectRequest, CreateGroupRequest,
    GroupAvatarRequest, Preferences, PreferencesRequest,
};
use tern_proto::{ConvId, ConversationSummary, UserId};

/// Routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conversations", get(list))
        .route("/conversations/direct", post(open_direct))
        .route("/conversations/group", post(create_group))
        .route("/conversations/{id}", get(detail))
        .route("/conversations/{id}/members", post(add_members))
        .route("/conversations/{id}/members/{user}", delete(remove_member))
        .route("/conversations/{id}/leave", post(leave))
        .route("/conversations/{id}/preferences", patch(preferences))
        .route("/conversations/{id}/avatar", put(avatar))
}

/// `PUT /conversations/{id}/avatar`: the group's picture, by its owner.
async fn avatar(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<GroupAvatarRequest>,
) -> AppResult<Json<ChangeResult>> {
    let avatar = match req.avatar {
        Some(file) => Some(state.files.avatar(caller.user, &file.0).await?),
        None => None,
    };
    let seqs = state
        .conversations
        .set_avatar(caller, ConvId(id), avatar)
        .await?;
    Ok(Json(ChangeResult { seqs }))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<Vec<ConversationSummary>>> {
    Ok(Json(state.conversations.list(caller).await?))
}

async fn open_direct(
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
    Ok(Json(state.conversations.open_direct(caller, peer).await?))
}

async fn create_group(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateGroupRequest>,
) -> AppResult<(StatusCode, Json<ConversationDetail>)> {
    let detail = state
        .conversations
        .create_group(caller, &req.name, req.members)
        .await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Json<ConversationDetail>> {
    Ok(Json(state.conversations.detail(caller, ConvId(id)).await?))
}

async fn add_members(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<AddMembersRequest>,
) -> AppResult<Json<ConversationDetail>> {
    Ok(Json(
        state
            .conversations
            .add_members(caller, ConvId(id), req.users)
            .await?,
    ))
}

async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    state
        .conversations
        .remove_member(caller, ConvId(id), UserId(user))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn leave(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    state
        .conversations
        .remove_member(caller, ConvId(id), caller.user)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn preferences(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<PreferencesRequest>,
) -> AppResult<Json<Preferences>> {
    let (notify, top) = state
        .conversations
        .preferences(caller.user, ConvId(id), req.notify, req.top, None)
        .await?;
    Ok(Json(Preferences { notify, top }))
}
