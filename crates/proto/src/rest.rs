//! HTTP request and response bodies (JSON) for the REST API under `/api/v1`.

use crate::codes::ErrorCode;
use crate::content::Content;
use crate::ids::{ConvId, SessionId, UserId};
use crate::model::{ConversationSummary, MemberRole, UserProfile};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub username: String,
    pub password: String,
    /// Defaults to the username.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub display_name: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// A label for this device shown in the session list ("Firefox on Linux").
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub device: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LoginResponse {
    /// Bearer token for `Authorization: Bearer …` and the WebSocket `?token=`. Shown only once.
    pub token: String,
    pub session: SessionInfo,
    pub user: UserProfile,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct SessionInfo {
    pub id: SessionId,
    pub device: String,
    pub created_at: i64,
    /// Whether this is the session making the request.
    pub current: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    pub display_name: String,
}

/// Open (or find) the direct conversation with one other user, named by id or by username.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CreateDirectRequest {
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub user: Option<UserId>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub username: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CreateGroupRequest {
    pub name: String,
    /// Initial members besides the creator.
    #[serde(default)]
    pub members: Vec<UserId>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AddMembersRequest {
    pub users: Vec<UserId>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct MemberInfo {
    pub user: UserProfile,
    pub role: MemberRole,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub summary: ConversationSummary,
    /// Current members (empty after you left).
    pub members: Vec<MemberInfo>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SendMessageRequest {
    pub cmid: String,
    #[serde(deserialize_with = "crate::content::strict")]
    pub content: Content,
}

/// Body of every HTTP error response.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    pub retryable: bool,
}

/// Reply to `POST /api/v1/conversations/{id}/messages`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct SentMessage {
    pub event: crate::model::Event,
    /// True when this `cmid` had been stored before and nothing new was stored.
    pub duplicate: bool,
}

/// A page of events, oldest first.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct EventPage {
    pub events: Vec<crate::model::Event>,
    pub has_more: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    pub seq: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ReadPosition {
    pub read_seq: u64,
    pub unread: u64,
    /// Of the unread messages, those that mention you (or everyone).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u64>", optional))]
    pub unread_mentions: u64,
}

/// `PATCH /me/settings`: your account settings; any left out stay as they are.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SettingsRequest {
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub share_receipts: Option<bool>,
}

/// `GET /conversations/{id}/receipts`: the read positions of the members who share them.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ReceiptList {
    pub receipts: Vec<crate::model::Receipt>,
}

/// `PATCH /conversations/{id}/messages/{seq}`: a message's new text.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct EditRequest {
    pub text: String,
}

/// `POST /conversations/{id}/messages/{seq}/reactions`: add or take off a reaction.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ReactRequest {
    pub emoji: String,
    pub added: bool,
}

/// `POST /conversations/{id}/forward`: copy messages of `from` into this conversation.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ForwardRequest {
    pub from: ConvId,
    pub seqs: Vec<u64>,
    pub cmid: String,
}

/// `PATCH /conversations/{id}/preferences`: your notification level and whether the
/// conversation stays on top of your list; either may be left out.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PreferencesRequest {
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub notify: Option<crate::model::NotifyLevel>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub top: Option<bool>,
}

/// Your preferences for a conversation as they now stand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Preferences {
    pub notify: crate::model::NotifyLevel,
    /// Since when it stays on top of your list, Unix milliseconds; absent when it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub top: Option<i64>,
}

/// What a change to messages stored: the seqs of its events (none when nothing changed).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ChangeResult {
    pub seqs: Vec<u64>,
}
