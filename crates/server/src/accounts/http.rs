//! The HTTP routes of accounts: registration, login, sessions and profiles.

use super::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{AppState, Json, Path, Query};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use tern_proto::rest::{
    LoginRequest, LoginResponse, RegisterRequest, SessionInfo, SettingsRequest,
    UpdateProfileRequest,
};
use tern_proto::{SessionId, UserId, UserProfile, UserSettings};

/// Routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", post(register))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/me", get(me).patch(update_me))
        .route("/me/settings", get(settings).patch(update_settings))
        .route("/sessions", get(sessions))
        .route("/sessions/{id}", delete(revoke))
        .route("/users", get(users))
        .route("/users/{key}", get(user))
}

async fn register(
    State(state): State<AppState>,
    Json(req): Json<RegisterRequest>,
) -> AppResult<(StatusCode, Json<UserProfile>)> {
    let user = state.accounts.register(req).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> AppResult<Json<LoginResponse>> {
    Ok(Json(state.accounts.login(req).await?))
}

async fn logout(State(state): State<AppState>, caller: Caller) -> AppResult<StatusCode> {
    state.accounts.logout(caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(State(state): State<AppState>, caller: Caller) -> AppResult<Json<UserProfile>> {
    Ok(Json(state.accounts.profile(caller.user).await?))
}

async fn settings(State(state): State<AppState>, caller: Caller) -> AppResult<Json<UserSettings>> {
    Ok(Json(state.accounts.settings(caller.user).await?))
}

async fn update_settings(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<SettingsRequest>,
) -> AppResult<Json<UserSettings>> {
    Ok(Json(
        state.accounts.update_settings(caller.user, req).await?,
    ))
}

async fn update_me(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<UpdateProfileRequest>,
) -> AppResult<Json<UserProfile>> {
    // The picture is checked before anything changes: a refused request changes nothing.
    let avatar = match req.avatar {
        Some(Some(file)) => Some(Some(state.files.avatar(caller.user, &file.0).await?)),
        other => other,
    };
    if let Some(name) = &req.display_name {
        super::auth::check_display_name(name)?;
    }
    let mut profile = None;
    if let Some(name) = &req.display_name {
        profile = Some(state.accounts.set_display_name(caller, name).await?);
    }
    if let Some(avatar) = avatar {
        profile = Some(state.accounts.set_avatar(caller, avatar).await?);
    }
    match profile {
        Some(profile) => Ok(Json(profile)),
        None => Ok(Json(state.accounts.profile(caller.user).await?)),
    }
}

async fn sessions(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<Vec<SessionInfo>>> {
    Ok(Json(state.accounts.sessions(caller).await?))
}

async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    state.accounts.revoke(caller, SessionId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /users/{id}` or `GET /users/{username}`: usernames start with a letter, ids are digits.
async fn user(
    State(state): State<AppState>,
    _caller: Caller,
    Path(key): Path<String>,
) -> AppResult<Json<UserProfile>> {
    let profile = match key.parse::<i64>() {
        Ok(id) => state.accounts.profile(UserId(id)).await?,
        Err(_) => state.accounts.profile_by_username(&key).await?,
    };
    Ok(Json(profile))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsersQuery {
    ids: String,
}

/// `GET /users?ids=1,2,3`: the profiles of those that exist.
async fn users(
    State(state): State<AppState>,
    _caller: Caller,
    Query(query): Query<UsersQuery>,
) -> AppResult<Json<Vec<UserProfile>>> {
    let ids = query
        .ids
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<i64>().map(UserId))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| AppError::bad_request("ids is a comma-separated list of user ids"))?;
    Ok(Json(state.accounts.profiles(&ids).await?))
}
