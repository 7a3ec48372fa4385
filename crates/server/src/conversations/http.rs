//! The HTTP routes of conversations: the list, direct conversations, groups and members,
//! administering a group, and each member's own preferences.

use crate::accounts::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{AppState, Json, Path, Query};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post, put};
use serde::Deserialize;
use tern_proto::rest::{
    AddMembersRequest, ChangeResult, ConversationDetail, CreateDirectRequest, CreateGroupRequest,
    GroupAvatarRequest, GroupInfoRequest, MemberPage, MuteAllRequest, MuteRequest, NicknameRequest,
    Preferences, PreferencesRequest, RoleRequest, TransferRequest,
};
use tern_proto::{ConvId, ConversationSummary, UserId};

/// Routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conversations", get(list))
        .route("/conversations/direct", post(open_direct))
        .route("/conversations/group", post(create_group))
        .route("/conversations/{id}", get(detail).patch(change_group))
        .route(
            "/conversations/{id}/members",
            post(add_members).get(members),
        )
        .route("/conversations/{id}/members/{user}", delete(remove_member))
        .route("/conversations/{id}/members/{user}/role", put(set_role))
        .route(
            "/conversations/{id}/members/{user}/mute",
            put(mute).delete(unmute),
        )
        .route("/conversations/{id}/mute_all", put(mute_all))
        .route("/conversations/{id}/nickname", put(nickname))
        .route("/conversations/{id}/transfer", post(transfer))
        .route("/conversations/{id}/dissolve", post(dissolve))
        .route("/conversations/{id}/leave", post(leave))
        .route("/conversations/{id}/preferences", patch(preferences))
        .route("/conversations/{id}/avatar", put(avatar))
}

fn seqs(seqs: Vec<u64>) -> Json<ChangeResult> {
    Json(ChangeResult { seqs })
}

/// `PATCH /conversations/{id}`: name, description, announcement.
async fn change_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<GroupInfoRequest>,
) -> AppResult<Json<ChangeResult>> {
    let conversations = &state.conversations;
    Ok(seqs(
        conversations.change_group(caller, ConvId(id), req).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MembersQuery {
    after: Option<String>,
    limit: Option<u32>,
    q: Option<String>,
}

async fn members(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<MembersQuery>,
) -> AppResult<Json<MemberPage>> {
    let page = state
        .conversations
        .member_page(
            caller,
            ConvId(id),
            q.after.as_deref(),
            q.limit,
            q.q.as_deref(),
        )
        .await?;
    Ok(Json(page))
}

async fn set_role(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user)): Path<(i64, i64)>,
    Json(req): Json<RoleRequest>,
) -> AppResult<Json<ChangeResult>> {
    let conversations = &state.conversations;
    let done = conversations.set_role(caller, ConvId(id), UserId(user), req.role);
    Ok(seqs(done.await?))
}

async fn mute(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user)): Path<(i64, i64)>,
    Json(req): Json<MuteRequest>,
) -> AppResult<Json<ChangeResult>> {
    let conversations = &state.conversations;
    let done = conversations.mute(caller, ConvId(id), UserId(user), req.duration_s);
    Ok(seqs(done.await?))
}

async fn unmute(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user)): Path<(i64, i64)>,
) -> AppResult<Json<ChangeResult>> {
    let conversations = &state.conversations;
    Ok(seqs(
        conversations
            .unmute(caller, ConvId(id), UserId(user))
            .await?,
    ))
}

async fn mute_all(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<MuteAllRequest>,
) -> AppResult<Json<ChangeResult>> {
    let conversations = &state.conversations;
    Ok(seqs(
        conversations
            .mute_all(caller, ConvId(id), req.muted)
            .await?,
    ))
}

async fn nickname(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<NicknameRequest>,
) -> AppResult<Json<ChangeResult>> {
    let conversations = &state.conversations;
    let done = conversations.nickname(caller, ConvId(id), req.nickname.as_deref());
    Ok(seqs(done.await?))
}

async fn transfer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<TransferRequest>,
) -> AppResult<Json<ChangeResult>> {
    let conversations = &state.conversations;
    Ok(seqs(
        conversations.transfer(caller, ConvId(id), req.user).await?,
    ))
}

async fn dissolve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Json<ChangeResult>> {
    Ok(seqs(
        state.conversations.dissolve(caller, ConvId(id)).await?,
    ))
}

/// `PUT /conversations/{id}/avatar`: the group's picture, by its owner or an admin.
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
