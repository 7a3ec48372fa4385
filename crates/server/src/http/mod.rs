//! The HTTP side: the router, shared state, and the extractors that turn a request's token and
//! body into typed values (rejecting bad ones with our error body).

mod health;
pub mod web;

use crate::accounts::{Accounts, Caller};
use crate::conversations::Conversations;
use crate::delivery::committer::Committer;
use crate::error::AppError;
use crate::files::Files;
use crate::gateway::{self, Gateway};
use crate::messages::Messages;
use crate::receipts::Receipts;
use axum::Router;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::routing::get;
use std::sync::Arc;
use tern_proto::ErrorCode;
use tern_store::Store;

/// Everything a request handler may need: one pointer, so cheap to clone and small to hold
/// (every connection's task holds one for its lifetime: S1, docs/benchmarks.md).
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> AppState {
        AppState(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The services behind `AppState`.
pub struct Services {
    pub accounts: Accounts,
    pub conversations: Conversations,
    pub contacts: crate::contacts::Contacts,
    pub messages: Messages,
    pub receipts: Receipts,
    pub files: Files,
    /// The delivery path's writer, for its health (`/readyz`).
    pub committer: Committer,
    pub store: Arc<dyn Store>,
    pub gateway: Arc<Gateway>,
    pub web: web::WebAssets,
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(crate::accounts::http::router())
        .merge(crate::conversations::http::router())
        .merge(crate::contacts::http::router())
        .merge(crate::messages::http::router())
        .merge(crate::receipts::http::router());
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/ws", get(gateway::upgrade))
        .nest("/api/v1", api)
        .fallback(web::fallback)
        // Only worth it for the client's files and large JSON answers; small bodies stay as is.
        .layer(tower_http::compression::CompressionLayer::new())
        // Files go out as stored (ranges must stay exact), so after the compression layer.
        .merge(crate::files::http::router())
        .with_state(state)
}

/// `axum::Json` with our error body on rejection.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path` with our error body on rejection.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

/// `axum::extract::Query` with our error body on rejection.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            AppError::client(ErrorCode::FrameTooLarge, "the request body is too large")
        } else {
            AppError::bad_request(r.body_text())
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(r: PathRejection) -> Self {
        AppError::bad_request(r.body_text())
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::bad_request(r.body_text())
    }
}

/// The bearer token from `Authorization: Bearer <token>`.
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = bearer_token(parts).ok_or_else(AppError::unauthorized)?;
        state.accounts.authenticate(token).await
    }
}
