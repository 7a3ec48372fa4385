//! The web client: files built into the binary (or, with `web_dir`, read from a directory),
//! with the headers a browser app needs: immutable caching for hashed assets, no caching for the
//! page itself, and a Content-Security-Policy that forbids inline scripts.

use super::AppState;
use crate::error::AppError;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, Response, StatusCode, Uri, header};
use axum::response::IntoResponse;
use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};
use tern_proto::ErrorCode;

/// The client built by build.rs from web/ (or a page saying why it is missing).
#[derive(rust_embed::RustEmbed)]
#[folder = "$OUT_DIR/web-dist"]
struct Embedded;

/// Where the client's files come from.
#[derive(Clone, Debug)]
pub enum WebAssets {
    Embedded,
    /// A directory on disk (the `web_dir` setting), for working on the client without
    /// rebuilding tern.
    Dir(PathBuf),
}

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self'; \
    connect-src 'self'; \
    manifest-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
    form-action 'self'";

/// Everything the API and the WebSocket do not answer: a file of the client, or the client's
/// page for its own routes; JSON errors under /api and for other methods.
pub async fn fallback(State(state): State<AppState>, method: Method, uri: Uri) -> Response<Body> {
    let path = uri.path();
    let is_read = method == Method::GET || method == Method::HEAD;
    if !is_read || path.starts_with("/api/") || path == "/ws" {
        return AppError::client(ErrorCode::NotFound, "no such endpoint").into_response();
    }
    let wanted = path.trim_start_matches('/');
    let wanted = if wanted.is_empty() {
        "index.html"
    } else {
        wanted
    };
    if let Some((bytes, mime)) = load(&state.web, wanted).await {
        return respond(wanted, bytes, &mime);
    }
    // A path without a file extension is one of the client's own routes.
    let is_route = Path::new(wanted).extension().is_none();
    match load(&state.web, "index.html").await {
        Some((bytes, mime)) if is_route => respond("index.html", bytes, &mime),
        _ => AppError::client(ErrorCode::NotFound, "no such file").into_response(),
    }
}

async fn load(assets: &WebAssets, path: &str) -> Option<(Cow<'static, [u8]>, String)> {
    match assets {
        WebAssets::Embedded => {
            let file = Embedded::get(path)?;
            Some((file.data, file.metadata.mimetype().to_owned()))
        }
        WebAssets::Dir(root) => {
            // Only plain relative components: no way out of the directory.
            let relative = Path::new(path);
            if !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
            {
                return None;
            }
            let bytes = tokio::fs::read(root.join(relative)).await.ok()?;
            let mime = mime_for(path);
            Some((Cow::Owned(bytes), mime))
        }
    }
}

fn mime_for(path: &str) -> String {
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    match ext {
        "html" => "text/html",
        "js" | "mjs" => "text/javascript",
        "css" => "text/css",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
    .to_owned()
}

fn respond(path: &str, bytes: Cow<'static, [u8]>, mime: &str) -> Response<Body> {
    // Vite puts content-hashed files under assets/: they never change under the same name.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    let mime = if mime.starts_with("text/") && !mime.contains("charset") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    if let Ok(value) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
