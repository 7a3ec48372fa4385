//! The HTTP routes of contacts and blocks.

use crate::accounts::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{AppState, Json, Path};
use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post, put};
use serde::Serialize;
use tern_proto::rest::{ContactRequestBody, ContactRequests};
use tern_proto::{ErrorCode, UserId, UserProfile};

/// Routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list))
        .route("/contacts/{user}", delete(remove))
        .route("/contacts/requests", get(requests).post(ask))
        .route("/contacts/requests/{user}/{answer}", post(answer))
        .route("/me/blocks", get(blocked))
        .route("/me/blocks/{user}", put(block).delete(block))
}

async fn list(State(state): State<AppState>, caller: Caller) -> AppResult<Json<Vec<UserProfile>>> {
    Ok(Json(state.contacts.list(caller.user).await?))
}

async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<i64>,
) -> AppResult<StatusCode> {
    state.contacts.remove(caller.user, UserId(user)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn requests(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<ContactRequests>> {
    Ok(Json(state.contacts.requests(caller.user).await?))
}

/// The answer to `POST /contacts/requests`.
#[derive(Serialize)]
struct Asked {
    /// You are contacts now (they had asked you, or you already were); false: your request
    /// waits for their answer.
    added: bool,
}

async fn ask(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<ContactRequestBody>,
) -> AppResult<Json<Asked>> {
    let added = state.contacts.ask(caller.user, req.user, &req.note).await?;
    Ok(Json(Asked { added }))
}

/// `POST /contacts/requests/{user}/accept` or `.../decline`.
async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    Path((user, answer)): Path<(i64, String)>,
) -> AppResult<StatusCode> {
    let accept = match answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return Err(AppError::client(ErrorCode::NotFound, "accept or decline")),
    };
    state
        .contacts
        .answer(caller.user, UserId(user), accept)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn blocked(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<Vec<UserProfile>>> {
    Ok(Json(state.contacts.blocked(caller.user).await?))
}

/// `PUT /me/blocks/{user}` blocks, `DELETE` lifts the block.
async fn block(
    State(state): State<AppState>,
    method: Method,
    caller: Caller,
    Path(user): Path<i64>,
) -> AppResult<StatusCode> {
    let blocked = method == Method::PUT;
    state
        .contacts
        .block(caller.user, UserId(user), blocked)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
