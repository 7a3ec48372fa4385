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
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub display_name: Option<String>,
    /// An uploaded picture of yours to show as your profile picture; `null` removes it; left
    /// out, it stays as it is.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[cfg_attr(feature = "typescript", ts(optional, type = "FileId | null"))]
    pub avatar: Option<Option<crate::ids::FileId>>,
}

/// A field that may be left out (`None`), set to `null` (`Some(None)`) or set (`Some(Some(..))`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
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
    /// Their nickname in this group (群昵称), shown instead of their display name here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub nickname: Option<String>,
    /// Until when they may not post (Unix milliseconds; `i64::MAX`: until lifted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub muted_until: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub summary: ConversationSummary,
    /// Current members, owner and admins first, at most `DETAIL_MEMBERS_MAX` of them (empty
    /// after you left): page through `GET /conversations/{id}/members` for the rest.
    pub members: Vec<MemberInfo>,
    /// How many current members there are.
    #[serde(default)]
    pub member_count: u64,
    /// The group's description (empty: none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<String>", optional))]
    pub description: String,
    /// The group's announcement as it stands (empty: none), and the seq of the event that set
    /// it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub announcement: Option<Announcement>,
}

/// Most members a conversation's detail lists.
pub const DETAIL_MEMBERS_MAX: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Announcement {
    pub text: String,
    pub seq: u64,
    pub by: UserId,
    /// Unix milliseconds.
    pub ts: i64,
}

/// `GET /conversations/{id}/members`: one page of the current members.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct MemberPage {
    pub members: Vec<MemberInfo>,
    /// Pass as `after` for the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub next: Option<String>,
}

/// `PATCH /conversations/{id}`: a group's name, description or announcement, by its owner or
/// an admin; each one given is changed, each with its own system event.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct GroupInfoRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub announcement: Option<String>,
}

/// `PUT /conversations/{id}/members/{user}/role`, by the owner.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    pub role: MemberRole,
}

/// `POST /conversations/{id}/transfer`: the owner hands the group to another member.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    pub user: UserId,
}

/// `PUT /conversations/{id}/members/{user}/mute`: for `duration_s` seconds, or until lifted
/// when absent.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MuteRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub duration_s: Option<u64>,
}

/// `PUT /conversations/{id}/mute_all`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MuteAllRequest {
    pub muted: bool,
}

/// `PUT /conversations/{id}/nickname`: your own nickname in a group; `null` drops it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct NicknameRequest {
    pub nickname: Option<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub direct_from: Option<crate::model::Audience>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub groups_from: Option<crate::model::Audience>,
}

/// `POST /contacts/requests`: ask `user` to become your contact.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ContactRequestBody {
    pub user: UserId,
    /// A short note for them (at most 200 characters).
    #[serde(default)]
    pub note: String,
}

/// `GET /contacts/requests`: the requests waiting for an answer.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ContactRequests {
    /// Others asking you, newest first.
    pub incoming: Vec<crate::model::ContactRequest>,
    /// You asking others, newest first.
    pub outgoing: Vec<crate::model::ContactRequest>,
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

/// An uploaded file: the answer to an upload (`POST /files`, or the last `PATCH` of a resumable
/// one through `GET /files/uploads/{id}`) and to `GET /files/{id}/info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct UploadedFile {
    pub id: crate::ids::FileId,
    /// The uploader's file name, cleaned of any path.
    pub name: String,
    /// Bytes served (a picture's metadata removed).
    pub size: u64,
    /// The type found in the bytes.
    pub mime: String,
    /// Set when tern can show it as a picture (send it as `image`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub picture: Option<PictureDetails>,
    /// The smaller renditions that exist (`thumb`, `preview`); for a small picture, none: the
    /// picture itself is small.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>", optional))]
    pub variants: Vec<String>,
}

/// A picture's dimensions as shown, its placeholder colour and whether it moves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PictureDetails {
    pub width: u32,
    pub height: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>", optional))]
    pub animated: bool,
}

/// `GET /files/uploads/{id}`: where a resumable upload stands, and its file once finished.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct UploadStatus {
    pub offset: u64,
    pub length: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub file: Option<UploadedFile>,
}

/// `POST /files/links`: signed download addresses for files, for where a request cannot carry
/// a token (`<img src>`, `<video src>`, a download link).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct LinksRequest {
    pub files: Vec<LinkRequest>,
}

/// One file, and one of its renditions (`thumb`, `preview`) or, without `variant`, the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    pub id: crate::ids::FileId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub variant: Option<String>,
}

/// The answer to `POST /files/links`: one link per file you may read, in the order asked
/// (files you may not read, or that are gone, are left out).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LinkList {
    pub links: Vec<FileLink>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct FileLink {
    pub id: crate::ids::FileId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub variant: Option<String>,
    /// A path under the server's origin (`/api/v1/files/...?...`), valid until `expires`.
    pub url: String,
    /// Unix milliseconds.
    pub expires: i64,
}

/// `PUT /conversations/{id}/avatar`: a group's picture, by its owner: the id of a picture they
/// uploaded, or `null` to remove it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct GroupAvatarRequest {
    pub avatar: Option<crate::ids::FileId>,
}
