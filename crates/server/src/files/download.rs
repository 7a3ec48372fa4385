//! Downloading: a file or one of its renditions, to a caller with a bearer token or a signed
//! link, with byte ranges (a video seeks), and the headers that keep an upload from ever running
//! in tern's origin: the sniffed type, `nosniff`, a sandbox, and `attachment` for anything a
//! browser could execute.

use super::links::Verdict;
use super::service::storage_error;
use crate::accounts::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{AppState, Json, Path, bearer_token};
use axum::body::Body;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tern_media::Variant;
use tern_media::storage::{blob_key, variant_key};
use tern_proto::rest::UploadedFile;
use tern_proto::{ErrorCode, UserId};
use tern_store::{FileRecord, now_ms};

/// Who is downloading: the bearer of a token, or the user a signed link was made for.
pub struct Reader(UserId);

#[derive(Deserialize)]
struct LinkQuery {
    u: Option<i64>,
    exp: Option<i64>,
    sig: Option<String>,
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if bearer_token(parts).is_some() {
            let caller = Caller::from_request_parts(parts, state).await?;
            return Ok(Reader(caller.user));
        }
        let Ok(Query(link)) = Query::<LinkQuery>::try_from_uri(&parts.uri) else {
            return Err(AppError::unauthorized());
        };
        let (Some(user), Some(expires), Some(sig)) = (link.u, link.exp, link.sig) else {
            return Err(AppError::unauthorized());
        };
        // The file and rendition are the last path segments: /files/{id} or /files/{id}/{variant}.
        let mut segments = parts.uri.path().trim_end_matches('/').rsplit('/');
        let last = segments.next().unwrap_or("");
        let (file, variant) = if last.len() == 32 {
            (last, "")
        } else {
            (segments.next().unwrap_or(""), last)
        };
        match state
            .files
            .links
            .verify(file, variant, user, expires, &sig, now_ms())
        {
            Verdict::Valid(user) => Ok(Reader(UserId(user))),
            Verdict::Expired => Err(AppError::client(
                ErrorCode::LinkExpired,
                "this link has expired; ask for a new one",
            )),
            Verdict::Forged => Err(AppError::client(
                ErrorCode::LinkExpired,
                "this link's signature does not match; ask for a new one",
            )),
        }
    }
}

/// `GET /files/{id}`: the file.
pub async fn file(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let file = state.files.readable(user, &id).await?;
    serve_original(&state, &file, &headers).await
}

/// `GET /files/{id}/info` (its details, as JSON) or `GET /files/{id}/{variant}` (a rendition:
/// `thumb`, `preview`; the file itself when the picture is smaller than the rendition would be).
pub async fn part(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path((id, part)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let file = state.files.readable(user, &id).await?;
    if part == "info" {
        let details: UploadedFile = super::service::details(&file);
        return Ok(Json(details).into_response());
    }
    let Some(variant) = Variant::parse(&part) else {
        return Err(AppError::client(
            ErrorCode::NotFound,
            "no such rendition (thumb, preview)",
        ));
    };
    if file.blob.picture.is_none() {
        return Err(AppError::client(
            ErrorCode::NotFound,
            "only pictures have renditions",
        ));
    }
    let Some((_, mime)) = file.blob.variants.iter().find(|(v, _)| v == variant.name()) else {
        // Small enough already: the picture is its own rendition.
        return serve_original(&state, &file, &headers).await;
    };
    let etag = format!("\"{}.{}\"", file.blob.sha256, variant.name());
    if not_modified(&headers, &etag) {
        return Ok(cached(&etag));
    }
    let key = variant_key(&blob_key(&file.blob.id), variant.name());
    let bytes = state
        .files
        .storage()
        .read(&key, u64::MAX)
        .await
        .map_err(storage_error)?
        .unwrap_or_default();
    let mut response = Body::from(bytes).into_response();
    let out = response.headers_mut();
    common_headers(out, mime, &etag);
    disposition(out, true, &file.name);
    Ok(response)
}

async fn serve_original(
    state: &AppState,
    file: &FileRecord,
    headers: &HeaderMap,
) -> AppResult<Response> {
    let blob = &file.blob;
    let etag = format!("\"{}\"", blob.sha256);
    if not_modified(headers, &etag) {
        return Ok(cached(&etag));
    }
    let len = blob.size;
    let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        None => None,
        Some(text) => match parse_range(text, len) {
            Ranged::Whole => None,
            Ranged::Part(start, end) => Some((start, end)),
            Ranged::Unsatisfiable => {
                let mut response = AppError::client(
                    ErrorCode::RangeNotSatisfiable,
                    format!("the file has {len} bytes"),
                )
                .into_response();
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    response.headers_mut().insert(header::CONTENT_RANGE, value);
                }
                return Ok(response);
            }
        },
    };
    let stream = state
        .files
        .storage()
        .get(&blob_key(&blob.id), range)
        .await
        .map_err(storage_error)?;
    let mut response = Body::from_stream(stream).into_response();
    let (start, end) = range.unwrap_or((0, len));
    let out = response.headers_mut();
    common_headers(out, &blob.mime, &etag);
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    disposition(out, tern_media::sniff::inline_type(&blob.mime), &file.name);
    if range.is_some() {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{}/{len}", end - 1)) {
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
    }
    Ok(response)
}

fn common_headers(out: &mut HeaderMap, mime: &str, etag: &str) {
    if let Ok(value) = HeaderValue::from_str(mime) {
        out.insert(header::CONTENT_TYPE, value);
    }
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Even if a browser were tricked into rendering it as a page, it could run nothing.
    out.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'; media-src 'self'"),
    );
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // A file's bytes never change under its id.
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400, immutable"),
    );
    if let Ok(value) = HeaderValue::from_str(etag) {
        out.insert(header::ETAG, value);
    }
}

/// `inline` (shown in place) or `attachment` (saved), with the name in both the plain and the
/// UTF-8 form (RFC 6266), so Chinese names survive.
fn disposition(out: &mut HeaderMap, inline: bool, name: &str) {
    let kind = if inline { "inline" } else { "attachment" };
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encode(name);
    let value = format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    if let Ok(value) = HeaderValue::from_str(&value) {
        out.insert(header::CONTENT_DISPOSITION, value);
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        })
}

fn cached(etag: &str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[derive(Debug, PartialEq, Eq)]
enum Ranged {
    /// No range tern serves (several ranges, another unit, a malformed header): the whole file.
    Whole,
    /// Bytes `start..end` (end exclusive).
    Part(u64, u64),
    /// Starts at or beyond the end.
    Unsatisfiable,
}

/// One `Range: bytes=...` range of a file of `len` bytes (RFC 9110 §14.1.2).
fn parse_range(text: &str, len: u64) -> Ranged {
    let Some(spec) = text.trim().strip_prefix("bytes=") else {
        return Ranged::Whole;
    };
    if spec.contains(',') {
        return Ranged::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Ranged::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // The last `n` bytes.
        return match last.parse::<u64>() {
            Ok(0) => Ranged::Unsatisfiable,
            Ok(n) if len > 0 => Ranged::Part(len.saturating_sub(n), len),
            Ok(_) => Ranged::Unsatisfiable,
            Err(_) => Ranged::Whole,
        };
    }
    let Ok(start) = first.parse::<u64>() else {
        return Ranged::Whole;
    };
    if start >= len {
        return Ranged::Unsatisfiable;
    }
    let end = match last {
        "" => len,
        text => match text.parse::<u64>() {
            Ok(last) if last >= start => (last + 1).min(len),
            _ => return Ranged::Whole,
        },
    };
    Ranged::Part(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range("bytes=0-99", 1000), Ranged::Part(0, 100));
        assert_eq!(parse_range("bytes=900-", 1000), Ranged::Part(900, 1000));
        assert_eq!(parse_range("bytes=-100", 1000), Ranged::Part(900, 1000));
        assert_eq!(parse_range("bytes=-5000", 1000), Ranged::Part(0, 1000));
        assert_eq!(parse_range("bytes=990-5000", 1000), Ranged::Part(990, 1000));
        assert_eq!(parse_range("bytes=1000-", 1000), Ranged::Unsatisfiable);
        assert_eq!(parse_range("bytes=5000-6000", 1000), Ranged::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-", 0), Ranged::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-1,5-6", 1000), Ranged::Whole);
        assert_eq!(parse_range("lines=0-1", 1000), Ranged::Whole);
        assert_eq!(parse_range("bytes=9-3", 1000), Ranged::Whole);
        assert_eq!(parse_range("bytes=x-", 1000), Ranged::Whole);
    }

    #[test]
    fn names_survive_in_both_forms() {
        let mut headers = HeaderMap::new();
        disposition(&mut headers, false, "报告 \"final\".pdf");
        let value = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert_eq!(
            value,
            "attachment; filename=\"__ _final_.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20%22final%22.pdf"
        );
    }
}
