//! Uploading over HTTP: the tus 1.0 resumable protocol (https://tus.io/protocols/resumable-upload,
//! with the creation, creation-with-upload and termination extensions), so a phone on a bad
//! network continues where it stopped, and a plain one-request upload for small files.

use super::service::AppendOutcome;
use crate::accounts::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{AppState, Json, Path, Query};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures_util::TryStreamExt;
use serde::Deserialize;
use tern_media::ByteStream;
use tern_proto::rest::UploadStatus;

pub const TUS_VERSION: &str = "1.0.0";
const OFFSET_TYPE: &str = "application/offset+octet-stream";
/// Names the file a finished upload became, on the answer that finished it and on `HEAD`.
pub const FILE_HEADER: &str = "tern-file";

/// `OPTIONS /files`: what this tus server supports.
pub async fn options(State(state): State<AppState>) -> Response {
    let max = state.files.config().max_file_bytes.to_string();
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    tus_headers(headers);
    headers.insert("tus-version", HeaderValue::from_static(TUS_VERSION));
    headers.insert(
        "tus-extension",
        HeaderValue::from_static("creation,creation-with-upload,termination"),
    );
    if let Ok(max) = HeaderValue::from_str(&max) {
        headers.insert("tus-max-size", max);
    }
    response
}

#[derive(Deserialize)]
pub struct SimpleUpload {
    #[serde(default)]
    name: Option<String>,
}

/// `POST /files`: with `Tus-Resumable`, creates a resumable upload (and appends the body, if it
/// carries one); without, the body is the whole file (`?name=`) and the answer its details.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SimpleUpload>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    let files = &state.files;
    if headers.contains_key("tus-resumable") {
        let length = number(&headers, "upload-length")?.ok_or_else(|| {
            AppError::bad_request("Upload-Length is required (deferred lengths are not supported)")
        })?;
        let name = metadata_name(&headers)?.unwrap_or_default();
        let id = files.create_upload(caller.user, length, &name).await?;
        let mut outcome = None;
        if content_type(&headers) == Some(OFFSET_TYPE) {
            outcome = Some(files.append(caller.user, &id, 0, stream(body)).await?);
        }
        let mut response = StatusCode::CREATED.into_response();
        let location = format!("/api/v1/files/uploads/{id}");
        let headers = response.headers_mut();
        tus_headers(headers);
        if let Ok(location) = HeaderValue::from_str(&location) {
            headers.insert(header::LOCATION, location);
        }
        progress_headers(
            headers,
            outcome.as_ref().map_or(0, |o| o.offset),
            outcome.as_ref(),
        );
        return Ok(response);
    }
    // Without Content-Length, a request has no body unless it is chunked, whose size (needed
    // for the limits up front) is unknown.
    let length = match number(&headers, header::CONTENT_LENGTH.as_str())? {
        Some(length) => length,
        None if headers.contains_key(header::TRANSFER_ENCODING) => {
            let mut response =
                AppError::bad_request("Content-Length is required (or use the resumable protocol)")
                    .into_response();
            *response.status_mut() = StatusCode::LENGTH_REQUIRED;
            return Ok(response);
        }
        None => 0,
    };
    let name = query.name.unwrap_or_default();
    let id = files.create_upload(caller.user, length, &name).await?;
    let outcome = files.append(caller.user, &id, 0, stream(body)).await?;
    match outcome.file {
        Some(file) => Ok((StatusCode::CREATED, Json(file)).into_response()),
        None => {
            files.cancel(caller.user, &id).await?;
            Err(AppError::bad_request(format!(
                "the body ended after {} of its {length} bytes",
                outcome.offset
            )))
        }
    }
}

/// `HEAD /files/uploads/{id}`: where the upload stands.
pub async fn head(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let status = state.files.status(caller.user, &id).await?;
    let mut response = StatusCode::OK.into_response();
    let headers = response.headers_mut();
    tus_headers(headers);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("upload-length", HeaderValue::from(status.length));
    headers.insert("upload-offset", HeaderValue::from(status.offset));
    if let Some(file) = &status.file
        && let Ok(value) = HeaderValue::from_str(&file.id.0)
    {
        headers.insert(FILE_HEADER, value);
    }
    Ok(response)
}

/// `GET /files/uploads/{id}`: the same as `HEAD`, as JSON, with the file once finished.
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AppResult<Json<UploadStatus>> {
    Ok(Json(state.files.status(caller.user, &id).await?))
}

/// `PATCH /files/uploads/{id}`: the next bytes, from `Upload-Offset`.
pub async fn append(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    if content_type(&headers) != Some(OFFSET_TYPE) {
        let mut response =
            AppError::bad_request(format!("Content-Type must be {OFFSET_TYPE}")).into_response();
        *response.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return Ok(response);
    }
    let offset = number(&headers, "upload-offset")?
        .ok_or_else(|| AppError::bad_request("Upload-Offset is required"))?;
    let outcome = state
        .files
        .append(caller.user, &id, offset, stream(body))
        .await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    tus_headers(headers);
    progress_headers(headers, outcome.offset, Some(&outcome));
    Ok(response)
}

/// `DELETE /files/uploads/{id}`: cancels an upload.
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AppResult<Response> {
    state.files.cancel(caller.user, &id).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    tus_headers(response.headers_mut());
    Ok(response)
}

fn tus_headers(headers: &mut HeaderMap) {
    headers.insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
}

fn progress_headers(headers: &mut HeaderMap, offset: u64, outcome: Option<&AppendOutcome>) {
    headers.insert("upload-offset", HeaderValue::from(offset));
    if let Some(file) = outcome.and_then(|o| o.file.as_ref())
        && let Ok(value) = HeaderValue::from_str(&file.id.0)
    {
        headers.insert(FILE_HEADER, value);
    }
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next().unwrap_or("").trim())
}

/// A header holding a whole number, if present.
fn number(headers: &HeaderMap, name: &str) -> AppResult<Option<u64>> {
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .map(Some)
        .ok_or_else(|| AppError::bad_request(format!("{name} must be a whole number of bytes")))
}

/// The file name in `Upload-Metadata` (`filename` or `name`, base64 as tus requires).
fn metadata_name(headers: &HeaderMap) -> AppResult<Option<String>> {
    let Some(value) = headers.get("upload-metadata") else {
        return Ok(None);
    };
    let bad =
        || AppError::bad_request("Upload-Metadata must be comma-separated \"key base64\" pairs");
    let value = value.to_str().map_err(|_| bad())?;
    for pair in value.split(',') {
        let mut parts = pair.trim().splitn(2, ' ');
        let key = parts.next().unwrap_or("");
        if key == "filename" || key == "name" {
            let encoded = parts.next().unwrap_or("").trim();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|_| bad())?;
            return Ok(Some(String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok(None)
}

/// A request body as storage reads it.
fn stream(body: Body) -> ByteStream {
    Box::pin(body.into_data_stream().map_err(std::io::Error::other))
}
