//! Error codes (in `error` frames and HTTP error bodies) and WebSocket close codes.

use serde::{Deserialize, Serialize};

/// Why a request failed. Serialized as snake_case strings; docs/PROTOCOL.md lists each with
/// its meaning and whether a retry can help.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
    /// You may not post here now: an admin muted you (until the time the message gives, or
    /// until lifted), or muted everyone but the owner and admins.
    Muted,
    /// This user does not accept this from you: they blocked you (or you blocked them, for
    /// posting in your direct conversation).
    Blocked,
    /// This user accepts it (a direct conversation, being added to a group) only from their
    /// contacts.
    ContactsOnly,
    /// Too many of these requests in a while (the message says how many per how long): try
    /// later.
    RateLimited,
    /// The message a request names (to reply to, edit, recall, react to, pin or forward) is not
    /// one: no such seq in that conversation, a system event or a change to a message, or a
    /// recalled message.
    InvalidTarget,
    /// Too late: the window for editing or recalling that message has passed.
    TooLate,
    /// A reaction that is not exactly one emoji.
    InvalidReaction,
    /// An upload larger than `max_file_bytes`, or a picture larger than `max_image_pixels`.
    FileTooLarge,
    /// The upload would take you past your storage quota (`quota_bytes`).
    QuotaExceeded,
    /// Resumable upload: `Upload-Offset` is not where the upload stands (ask with `HEAD`, then
    /// continue from there).
    OffsetMismatch,
    /// A signed download address that has expired or whose signature does not match: ask for a
    /// new one.
    LinkExpired,
    /// The file is no longer available (its message was recalled, or it was cleaned up).
    FileGone,
    /// A download `Range` that starts beyond the end of the file.
    RangeNotSatisfiable,
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
    #[cfg_attr(feature = "typescript", ts(untagged, type = "string & {}"))]
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

/// Declares the close codes and `CloseCode::ALL`, from one list.
macro_rules! close_codes {
    ($($(#[doc = $doc:literal])* $name:ident = $code:literal,)*) => {
        impl CloseCode {
            $( $(#[doc = $doc])* pub const $name: u16 = $code; )*
            /// Every close code, by name (for the TypeScript SDK's `CloseCode`).
            pub const ALL: &'static [(&'static str, u16)] = &[$((stringify!($name), $code)),*];
        }
    };
}

close_codes! {
    /// The client asked to close.
    NORMAL = 1000,
    /// A text frame was not valid UTF-8 (RFC 6455 §8.1); fix the client.
    INVALID_DATA = 1007,
    /// A frame exceeded the hard size cap and could not even be read; reconnect.
    MESSAGE_TOO_BIG = 1009,
    /// An unexpected server fault; reconnect with backoff.
    INTERNAL = 1011,
    /// The server is restarting or shutting down; reconnect (with backoff) and catch up.
    RESTARTING = 1012,
    /// The server cannot serve right now (e.g. the database is down); reconnect with backoff.
    TRY_AGAIN_LATER = 1013,
    /// The token is missing, wrong or revoked. Do not reconnect with the same token.
    UNAUTHORIZED = 4001,
    /// Nothing was received within the heartbeat timeout. Reconnect and catch up.
    HEARTBEAT_TIMEOUT = 4002,
    /// The client did not read fast enough and its outgoing queue overflowed. Reconnect and catch
    /// up; nothing was lost.
    TOO_SLOW = 4008,
}

impl CloseCode {
    /// Whether a client should reconnect after this close code.
    pub fn should_reconnect(code: u16) -> bool {
        code != Self::UNAUTHORIZED && code != Self::NORMAL
    }
}
