//! Error codes (in `error` frames and HTTP error bodies) and WebSocket close codes.

use serde::{Deserialize, Serialize};

/// Why a request failed. Serialized as snake_case strings; docs/PROTOCOL.md lists each with
/// its meaning and whether a retry can help.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not valid JSON, or a field is missing or of the wrong type.
    BadFrame,
    /// The frame's `type` is not one this server knows.
    UnknownType,
    /// The frame is larger than `max_frame_bytes`.
    FrameTooLarge,
    /// A binary WebSocket frame arrived; tern speaks JSON text frames.
    BinaryNotSupported,
    /// A field has a value outside what the request accepts (limit, cursor, id format).
    BadRequest,
    /// Missing, unknown, expired or revoked token.
    Unauthorized,
    /// Authenticated, but this action is not allowed to you (e.g. removing members of a group
    /// you do not own).
    Forbidden,
    /// You are not (or no longer) a member of that conversation.
    NotMember,
    /// No such user, conversation or session (or it is not visible to you).
    NotFound,
    /// Text longer than `max_text_chars`.
    TextTooLong,
    /// Empty text, or content that is malformed for its type.
    InvalidContent,
    /// A content type clients may not send (e.g. `system`) or that this server does not know.
    UnsupportedContent,
    /// The client message id was already used by you for a message in another conversation.
    ClientIdReused,
    /// The group already has the most members a group may have (`max_group_members`).
    GroupFull,
    /// Registration: the username is already registered.
    UsernameTaken,
    /// Registration: the username breaks the username rules.
    InvalidUsername,
    /// Registration: the password breaks the password rules.
    InvalidPassword,
    /// The display name breaks the display name rules.
    InvalidDisplayName,
    /// Login: the username or the password is wrong (deliberately not saying which).
    InvalidCredentials,
    /// The server cannot serve this right now (storage unavailable, shutting down). Retry later;
    /// a retried send is safe because sends are idempotent.
    Unavailable,
    /// An unexpected fault on the server; the message carries a request id for the logs.
    Internal,
    /// A code this build does not know (from a newer server): the message says what happened.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Whether the same request may succeed if simply sent again later.
    pub fn retryable(self) -> bool {
        matches!(self, ErrorCode::Unavailable | ErrorCode::Internal)
    }
}

/// WebSocket close codes tern uses. 1xxx are the standard ones; 4xxx are tern's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CloseCode;

impl CloseCode {
    /// The client asked to close.
    pub const NORMAL: u16 = 1000;
    /// A text frame was not valid UTF-8 (RFC 6455 §8.1); fix the client.
    pub const INVALID_DATA: u16 = 1007;
    /// A frame exceeded the hard size cap and could not even be read; reconnect.
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    /// An unexpected server fault; reconnect with backoff.
    pub const INTERNAL: u16 = 1011;
    /// The server is restarting or shutting down; reconnect (with backoff) and catch up.
    pub const RESTARTING: u16 = 1012;
    /// The server cannot serve right now (e.g. the database is down); reconnect with backoff.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// The token is missing, wrong or revoked. Do not reconnect with the same token.
    pub const UNAUTHORIZED: u16 = 4001;
    /// Nothing was received within the heartbeat timeout. Reconnect and catch up.
    pub const HEARTBEAT_TIMEOUT: u16 = 4002;
    /// The client did not read fast enough and its outgoing queue overflowed. Reconnect and catch
    /// up; nothing was lost.
    pub const TOO_SLOW: u16 = 4008;

    /// Whether a client should reconnect after this close code.
    pub fn should_reconnect(code: u16) -> bool {
        code != Self::UNAUTHORIZED && code != Self::NORMAL
    }
}
