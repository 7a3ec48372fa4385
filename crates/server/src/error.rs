//! The server's one error type, mapped once to HTTP responses and once to protocol error frames.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tern_proto::rest::ErrorBody;
use tern_proto::{ErrorCode, ServerFrame};
use tern_store::{Refusal, StoreError};

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The client's mistake, explained to it.
    #[error("{1}")]
    Client(ErrorCode, String),
    /// Temporarily unable to serve (storage down, shutting down); safe to retry.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A fault of ours. Logged with an incident id; the client sees only the id.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn client(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::Client(code, message.into())
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::client(ErrorCode::BadRequest, message)
    }

    pub fn unauthorized() -> Self {
        Self::client(
            ErrorCode::Unauthorized,
            "missing, unknown or revoked token; log in again",
        )
    }

    /// Not a member of the conversation, or it does not exist: the two are not told apart.
    pub fn not_member() -> Self {
        Self::client(
            ErrorCode::NotMember,
            "not a member of this conversation (or it does not exist)",
        )
    }

    /// A write answered with an outcome its caller never asks for: a bug.
    pub fn unexpected(outcome: tern_store::WriteOutcome) -> Self {
        AppError::Internal(format!("unexpected write outcome {outcome:?}"))
    }

    /// The code and the message a client may see; internal details are logged here, once.
    pub fn public(&self) -> (ErrorCode, String) {
        match self {
            AppError::Client(code, message) => (*code, message.clone()),
            AppError::Unavailable(detail) => {
                tracing::warn!(%detail, "request failed: service unavailable");
                (
                    ErrorCode::Unavailable,
                    "the server cannot serve this right now; retry shortly".into(),
                )
            }
            AppError::Internal(detail) => {
                let incident = uuid::Uuid::now_v7().simple().to_string();
                tracing::error!(%detail, %incident, "request failed: internal error");
                (
                    ErrorCode::Internal,
                    format!("internal error (incident {incident})"),
                )
            }
        }
    }

    pub fn into_frame(self, rid: Option<u64>) -> ServerFrame {
        let (code, message) = self.public();
        ServerFrame::error(rid, code, message)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UsernameTaken => {
                AppError::client(ErrorCode::UsernameTaken, "this username is taken")
            }
            StoreError::BadPosition => {
                AppError::bad_request("sync token is not one this server issued")
            }
            StoreError::Unavailable(detail) | StoreError::Conflict(detail) => {
                AppError::Unavailable(detail)
            }
            StoreError::Internal(detail) => AppError::Internal(detail),
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        let code = match r {
            Refusal::ConversationNotFound | Refusal::UserNotFound(_) => ErrorCode::NotFound,
            Refusal::NotMember => ErrorCode::NotMember,
            Refusal::NotOwner | Refusal::NotAdmin | Refusal::Outranked => ErrorCode::Forbidden,
            Refusal::TargetNotMember(_) => ErrorCode::NotFound,
            Refusal::Muted { until } => {
                let when = if until == tern_store::MUTED_UNTIL_LIFTED {
                    "until an admin lifts it".to_owned()
                } else {
                    format!("until {until} (Unix milliseconds)")
                };
                return AppError::client(
                    ErrorCode::Muted,
                    format!("an admin muted you in this group, {when}"),
                );
            }
            Refusal::AllMuted => ErrorCode::Muted,
            Refusal::Blocked => ErrorCode::Blocked,
            Refusal::ContactsOnly(_) => ErrorCode::ContactsOnly,
            Refusal::NotGroup | Refusal::DirectWithSelf => ErrorCode::BadRequest,
            Refusal::ClientIdReused => ErrorCode::ClientIdReused,
            Refusal::GroupFull => ErrorCode::GroupFull,
            Refusal::InvalidTarget => ErrorCode::InvalidTarget,
            Refusal::NotSender | Refusal::MentionAllNotAllowed => ErrorCode::Forbidden,
            Refusal::TooLate => ErrorCode::TooLate,
            Refusal::MentionedNonMember(_) => ErrorCode::InvalidContent,
            Refusal::TooManyPins => ErrorCode::BadRequest,
        };
        AppError::client(code, r.to_string())
    }
}

fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        BadFrame | UnknownType | BadRequest | TextTooLong | InvalidContent | UnsupportedContent
        | InvalidUsername | InvalidPassword | InvalidDisplayName | BinaryNotSupported
        | InvalidReaction => StatusCode::BAD_REQUEST,
        InvalidTarget => StatusCode::UNPROCESSABLE_ENTITY,
        FrameTooLarge | FileTooLarge | QuotaExceeded => StatusCode::PAYLOAD_TOO_LARGE,
        OffsetMismatch => StatusCode::CONFLICT,
        LinkExpired => StatusCode::FORBIDDEN,
        FileGone => StatusCode::GONE,
        RangeNotSatisfiable => StatusCode::RANGE_NOT_SATISFIABLE,
        Unauthorized | InvalidCredentials => StatusCode::UNAUTHORIZED,
        Forbidden | NotMember | TooLate | Muted | Blocked | ContactsOnly => StatusCode::FORBIDDEN,
        RateLimited => StatusCode::TOO_MANY_REQUESTS,
        NotFound => StatusCode::NOT_FOUND,
        UsernameTaken | ClientIdReused | GroupFull => StatusCode::CONFLICT,
        Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        // The server never sends a code it does not know.
        Internal | Unknown => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (code, message) = self.public();
        let body = ErrorBody {
            code,
            message,
            retryable: code.retryable(),
        };
        (status_of(code), axum::Json(body)).into_response()
    }
}
