//! The HTTP routes of files: uploads (`tus`), downloads (`download`) and signed links. Served
//! outside the response compression: bytes go out as stored, and ranges stay exact.

use super::{download, tus};
use crate::accounts::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{AppState, Json};
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use tern_proto::rest::{FileLink, LinkList, LinksRequest};
use tern_store::now_ms;

/// Most links asked for at once.
pub const LINKS_MAX: usize = 200;

/// Routes, with their full paths (`/api/v1/files...`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/files", post(tus::create).options(tus::options))
        .route("/api/v1/files/links", post(links))
        .route(
            "/api/v1/files/uploads/{id}",
            get(tus::status)
                .head(tus::head)
                .patch(tus::append)
                .delete(tus::cancel),
        )
        .route("/api/v1/files/{id}", get(download::file))
        .route("/api/v1/files/{id}/{part}", get(download::part))
}

/// `POST /files/links`: signed links to files the caller may read.
async fn links(
    State(state): State<AppState>,
    caller: Caller,
    Json(request): Json<LinksRequest>,
) -> AppResult<Json<LinkList>> {
    if request.files.len() > LINKS_MAX {
        return Err(AppError::bad_request(format!(
            "at most {LINKS_MAX} links at once"
        )));
    }
    let now = now_ms();
    let mut links = Vec::with_capacity(request.files.len());
    for wanted in request.files {
        let variant = wanted.variant.clone().unwrap_or_default();
        if !variant.is_empty() && tern_media::Variant::parse(&variant).is_none() {
            return Err(AppError::bad_request(format!(
                "{variant:?} is not a rendition (thumb, preview)"
            )));
        }
        let file = match state.files.readable(caller.user, &wanted.id.0).await {
            Ok(file) => file,
            // Not readable (or not a file id): left out, as documented.
            Err(AppError::Client(..)) => continue,
            Err(e) => return Err(e),
        };
        let (query, expires) = state
            .files
            .links
            .sign(&file.id.0, &variant, caller.user.0, now);
        let path = if variant.is_empty() {
            format!("/api/v1/files/{}", file.id)
        } else {
            format!("/api/v1/files/{}/{variant}", file.id)
        };
        links.push(FileLink {
            id: file.id,
            variant: wanted.variant,
            url: format!("{path}?{query}"),
            expires,
        });
    }
    Ok(Json(LinkList { links }))
}
