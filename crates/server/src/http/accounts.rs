//! HTTP handlers for registration, login, sessions and profiles.

use super::{AppState, Json, Path};
use crate::accounts::Caller;
use crate::error::AppResult;
use axum::extract::State;
use axum::http::StatusCode;
use tern_proto::rest::{
    LoginRequest, LoginResponse, RegisterRequest, SessionInfo, UpdateProfileRequest,
};
use tern_proto::{SessionId, UserProfile};

pub async fn register(
    State(state): State<AppState>,
    Json(req): Json<RegisterRequest>,
) -> AppResult<(StatusCode, Json<UserProfile>)> {
    let user = state.accounts.register(req).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

pub async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> AppResult<Json<LoginResponse>> {
    Ok(Json(state.accounts.login(req).await?))
}

pub async fn logout(State(state): State<AppState>, caller: Caller) -> AppResult<StatusCode> {
    state.accounts.logout(caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(State(state): State<AppState>, caller: Caller) -> AppResult<Json<UserProfile>> {
    Ok(Json(state.accounts.profile(caller.user).await?))
}

pub async fn update_me(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<UpdateProfileRequest>,
) -> AppResult<Json<UserProfile>> {
    Ok(Json(
        state
            .accounts
            .set_display_name(caller, &req.display_name)
            .await?,
    ))
}

pub async fn sessions(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<Vec<SessionInfo>>> {
    Ok(Json(state.accounts.sessions(caller).await?))
}

pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    state.accounts.revoke(caller, SessionId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn user_by_username(
    State(state): State<AppState>,
    _caller: Caller,
    Path(username): Path<String>,
) -> AppResult<Json<UserProfile>> {
    Ok(Json(state.accounts.profile_by_username(&username).await?))
}
