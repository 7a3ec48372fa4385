//! Records that appear on the wire, over WebSocket and HTTP alike.

use crate::content::Content;
use crate::ids::{ConvId, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A public view of an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct UserProfile {
    pub id: UserId,
    /// Lowercase ASCII handle, unique; see docs/PROTOCOL.md for the rules.
    pub username: String,
    /// Any Unicode, chosen by the user.
    pub display_name: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// The profile picture: a file every user may read (its `square` rendition is the one to
    /// show in a circle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub avatar: Option<crate::ids::FileId>,
}

/// One event of a conversation: a message or a system event, with its place in the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Event {
    pub conv: ConvId,
    /// Position in the conversation: 1, 2, 3, ... with no gaps.
    pub seq: u64,
    /// Globally unique, time-ordered (UUIDv7); for references (replies, reactions), not order.
    pub id: Uuid,
    pub sender: UserId,
    /// Server time of the commit, Unix milliseconds.
    pub ts: i64,
    /// The sender's client message id, for messages sent by clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub cmid: Option<String>,
    pub content: Content,
    /// When the message's text was last edited (Unix milliseconds); absent if never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub edited: Option<i64>,
    /// The message's reactions as they stand, one entry per emoji.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<Reactions>>", optional))]
    pub reactions: Vec<Reactions>,
    /// The seq of the latest event that changed this message (edit, recall, reaction), absent
    /// if none did: this copy already reflects every change up to it, so a client applies only
    /// changes with a greater seq.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub rev: Option<u64>,
}

impl Event {
    /// A new event as stored by a write: nothing has changed it yet.
    pub fn new(
        conv: ConvId,
        seq: u64,
        id: Uuid,
        sender: UserId,
        ts: i64,
        cmid: Option<String>,
        content: Content,
    ) -> Event {
        Event {
            conv,
            seq,
            id,
            sender,
            ts,
            cmid,
            content,
            edited: None,
            reactions: Vec::new(),
            rev: None,
        }
    }
}

/// Who reacted to a message with one emoji, in the order they did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Reactions {
    pub emoji: String,
    pub users: Vec<UserId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    Direct,
    Group,
    /// A kind this build does not know (from a newer server): shown, not acted on.
    #[serde(other)]
    #[cfg_attr(feature = "typescript", ts(untagged, type = "string & {}"))]
    Unknown,
}

/// How a member wants to hear of a conversation's new messages (on every device).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NotifyLevel {
    /// Every message.
    #[default]
    All,
    /// Only messages that mention them (or everyone).
    Mentions,
    /// None: the conversation is muted.
    Muted,
    /// A level this build does not know (from a newer server): treated as `all`.
    #[serde(other)]
    #[cfg_attr(feature = "typescript", ts(untagged, type = "string & {}"))]
    Unknown,
}

impl NotifyLevel {
    /// The level's name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyLevel::Mentions => "mentions",
            NotifyLevel::Muted => "muted",
            // Never stored: the server writes only the levels it knows.
            NotifyLevel::All | NotifyLevel::Unknown => "all",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// One per group: everything admins may do, and managing admins, transferring ownership,
    /// dissolving the group.
    Owner,
    /// Named by the owner: manages members (add, remove, mute), mutes everyone, edits the
    /// group's name, description, announcement and picture, pins, recalls any message.
    Admin,
    #[default]
    Member,
    /// A role this build does not know (from a newer server): treated as a plain member.
    #[serde(other)]
    #[cfg_attr(feature = "typescript", ts(untagged, type = "string & {}"))]
    Unknown,
}

impl MemberRole {
    /// Owner or admin: may manage the group.
    pub fn is_admin(self) -> bool {
        matches!(self, MemberRole::Owner | MemberRole::Admin)
    }

    /// Whether someone of this role may act on (remove, mute) a member of role `other`: only
    /// on those below them, and only as an admin or the owner.
    pub fn outranks(self, other: MemberRole) -> bool {
        let rank = |r: MemberRole| match r {
            MemberRole::Owner => 2,
            MemberRole::Admin => 1,
            MemberRole::Member | MemberRole::Unknown => 0,
        };
        rank(self) >= 1 && rank(self) > rank(other)
    }

    /// The role's name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Owner => "owner",
            MemberRole::Admin => "admin",
            // Never stored: the server writes only the roles it knows.
            MemberRole::Member | MemberRole::Unknown => "member",
        }
    }
}

/// A conversation as one member sees it: where it stands and where that member stands in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ConversationSummary {
    pub id: ConvId,
    pub kind: ConversationKind,
    /// Group name; `null` for direct conversations (show the peer's display name instead).
    pub name: Option<String>,
    /// The other member of a direct conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub peer: Option<UserProfile>,
    /// A group's picture (a file its members may download; show its `square` rendition). A
    /// direct conversation shows the peer's `avatar` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub avatar: Option<crate::ids::FileId>,
    /// Highest seq this member can see (the conversation's last seq while a member, the seq of
    /// the removal after leaving).
    pub last_seq: u64,
    /// Everything up to and including this seq has been read by this member.
    pub read_seq: u64,
    /// Messages from others after `read_seq`: exact, the same on every device.
    pub unread: u64,
    /// Of those, the ones that mention this member (by name or `@all`): exact, like `unread`.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u64>", optional))]
    pub unread_mentions: u64,
    /// False after the member left or was removed; history up to `last_seq` stays readable.
    pub active: bool,
    /// This member's notification level for the conversation.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<NotifyLevel>", optional))]
    pub notify: NotifyLevel,
    /// Since when this member keeps it on top of their list (置顶), Unix milliseconds; absent
    /// when not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub top: Option<i64>,
    /// This member's role, absent for a plain member (and in direct conversations).
    #[serde(default, skip_serializing_if = "is_member")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<MemberRole>", optional))]
    pub role: MemberRole,
    /// Until when this member may not post (Unix milliseconds; `i64::MAX`: until an admin
    /// lifts it); absent when they may.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub muted_until: Option<i64>,
    /// Only the owner and admins may post: everyone else is muted ("mute all").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>", optional))]
    pub all_muted: bool,
    /// The event at `last_seq`, as a preview. (Boxed: it is most of a summary's size.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Event>", optional))]
    pub last_event: Option<Box<Event>>,
}

fn is_member(role: &MemberRole) -> bool {
    *role == MemberRole::Member
}

/// How far one member has read a conversation, as the other members see it ("seen by"):
/// everything up to and including `seq`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Receipt {
    pub user: UserId,
    pub seq: u64,
    /// In a pushed `receipts` frame: this member stopped sharing their position (or left):
    /// forget it (`seq` is then 0).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>", optional))]
    pub hidden: bool,
}

impl Receipt {
    /// `user` has read up to `seq`.
    pub fn at(user: UserId, seq: u64) -> Receipt {
        Receipt {
            user,
            seq,
            hidden: false,
        }
    }
}

/// Some members' read positions in one conversation, in a `sync` reply: those that moved since
/// the sync token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ConversationReceipts {
    pub conv: ConvId,
    pub receipts: Vec<Receipt>,
    /// More positions moved than one reply lists: ask `receipts` for the whole list.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>", optional))]
    pub partial: bool,
}

/// A user's own account settings, the same on every device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct UserSettings {
    /// Whether the other members see how far you have read. Off, you see theirs no more either.
    pub share_receipts: bool,
    /// Who may open a direct conversation with you (one that exists stays open).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Audience>", optional))]
    pub direct_from: Audience,
    /// Who may add you to a group.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Audience>", optional))]
    pub groups_from: Audience,
}

impl Default for UserSettings {
    fn default() -> Self {
        UserSettings {
            share_receipts: true,
            direct_from: Audience::Everyone,
            groups_from: Audience::Everyone,
        }
    }
}

/// Who may reach you in some way (a privacy setting).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    #[default]
    Everyone,
    /// Only your contacts.
    Contacts,
    /// A value this build does not know (from a newer server): treated as `contacts`.
    #[serde(other)]
    #[cfg_attr(feature = "typescript", ts(untagged, type = "string & {}"))]
    Unknown,
}

impl Audience {
    /// The value's name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Everyone => "everyone",
            // Never stored: the server writes only the values it knows.
            Audience::Contacts | Audience::Unknown => "contacts",
        }
    }
}

/// A request to become contacts, as its sender or its recipient sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ContactRequest {
    /// The other side: who asked (incoming) or whom you asked (outgoing).
    pub user: UserProfile,
    /// The note the sender wrote (may be empty).
    pub note: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// What happened to your contacts, in a `contact` frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ContactChange {
    /// `user` asks to become your contact (`note` says why).
    Requested,
    /// You and `user` are contacts now.
    Added,
    /// `user` is no longer your contact.
    Removed,
    #[serde(other)]
    #[cfg_attr(feature = "typescript", ts(untagged, type = "string & {}"))]
    Unknown,
}

/// Limits the server enforces, announced in `hello` so clients can check before sending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Limits {
    pub max_text_chars: u32,
    pub max_frame_bytes: u32,
    pub max_page: u32,
    /// Most current members of a group.
    #[serde(default)]
    pub max_group_members: u32,
    /// Most users named in one request (group creation, adding members, looking users up).
    #[serde(default)]
    pub max_users_per_request: u32,
    /// How long after sending a message its sender may edit it, in seconds; `null`: no limit;
    /// 0: editing is off.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub edit_window_s: Option<u64>,
    /// How long after sending a message its sender may recall it, in seconds; `null`: no
    /// limit; 0: off (a group's owner may recall any message at any time).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub recall_window_s: Option<u64>,
    /// Most messages pinned in one conversation.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub max_pins: u32,
    /// Most messages forwarded by one request.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub max_forward: u32,
}
