//! The SDK's error type.

use tern_proto::ErrorCode;
use thiserror::Error;

pub type SdkResult<T> = Result<T, SdkError>;

#[derive(Debug, Error)]
pub enum SdkError {
    /// The server refused the request with a documented error code.
    #[error("{code:?}: {message}")]
    Server { code: ErrorCode, message: String },
    /// The token is missing, wrong or revoked (HTTP 401, or WebSocket close 4001).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The HTTP request could not be made or its answer not read.
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    /// The WebSocket could not be opened or broke.
    #[error("websocket: {0}")]
    WebSocket(String),
    /// The server sent something this SDK does not understand.
    #[error("unexpected answer: {0}")]
    Protocol(String),
    /// The client was closed.
    #[error("the client is closed")]
    Closed,
}

impl SdkError {
    /// The server's error code, if the server refused the request.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            SdkError::Server { code, .. } => Some(*code),
            SdkError::Unauthorized(_) => Some(ErrorCode::Unauthorized),
            _ => None,
        }
    }
}
