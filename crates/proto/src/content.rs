//! Typed event content. Messages (`text`, and the media kinds `image`, `file`, `voice`,
//! `video`), the changes made to them (`edit`, `recall`, `reaction`, `pin`) and system events
//! are variants of `Content`; a client that meets a kind it does not know sees `Unsupported`
//! instead of failing.

use crate::ids::{FileId, UserId};
use serde::{Deserialize, Deserializer, Serialize};

/// What an event carries, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    /// Plain text, any Unicode. Never interpreted as markup by tern's clients.
    Text {
        text: String,
        /// The seq of the message of the same conversation this one replies to (quotes).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        reply_to: Option<u64>,
        /// Members mentioned (`@name`): structured, never parsed out of the text.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<UserId>>", optional))]
        mentions: Vec<UserId>,
        /// `@all`: mentions every member of the group.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        #[cfg_attr(feature = "typescript", ts(as = "Option<bool>", optional))]
        mention_all: bool,
        /// Set by the server on a forwarded copy: who wrote the original, and when.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        forwarded: Option<Forwarded>,
    },
    /// A picture. `width` and `height` are as shown (EXIF orientation applied); `color` is its
    /// average colour (`#rrggbb`), a placeholder while it loads; `animated` for a moving GIF.
    /// Clients send only `file` (its id); the server fills in the rest from the upload.
    Image {
        file: FileInfo,
        width: u32,
        height: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        color: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        #[cfg_attr(feature = "typescript", ts(as = "Option<bool>", optional))]
        animated: bool,
        /// Set by the server on a forwarded copy (as for `text`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        forwarded: Option<Forwarded>,
    },
    /// Any file, offered for download. Clients send only `file` (its id).
    File {
        file: FileInfo,
        /// Set by the server on a forwarded copy (as for `text`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        forwarded: Option<Forwarded>,
    },
    /// A voice message: its length and up to `WAVEFORM_MAX` loudness levels (0-255) to draw,
    /// both measured by the recording client.
    Voice {
        file: FileInfo,
        duration_ms: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<u8>>", optional))]
        waveform: Vec<u8>,
        /// Set by the server on a forwarded copy (as for `text`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        forwarded: Option<Forwarded>,
    },
    /// A video: its length and dimensions (measured by the sending client), and an uploaded
    /// picture to show before it plays.
    Video {
        file: FileInfo,
        duration_ms: u32,
        width: u32,
        height: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        poster: Option<FileInfo>,
        /// Set by the server on a forwarded copy (as for `text`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        forwarded: Option<Forwarded>,
    },
    /// A message's new text. Applies to the message at seq `target`.
    Edit { target: u64, text: String },
    /// The message at `target` was recalled: its content is erased everywhere.
    Recall { target: u64 },
    /// `emoji` was added to (or, `added: false`, taken off) the message at `target` by the
    /// event's sender.
    Reaction {
        target: u64,
        emoji: String,
        added: bool,
    },
    /// The message at `target` was pinned to (or unpinned from) the conversation.
    Pin { target: u64, pinned: bool },
    /// What is left of a recalled message (or of an edit of one): who recalled it.
    Recalled { by: UserId },
    /// Written by the server when a conversation's membership changes; clients cannot send it.
    System(SystemEvent),
    /// A content type this build does not know (sent by a newer peer). Kept so that old clients
    /// keep working when the protocol grows.
    #[serde(other)]
    #[cfg_attr(
        feature = "typescript",
        ts(untagged, type = "{ type: string, [field: string]: unknown }")
    )]
    Unsupported,
}

/// Most loudness levels a voice message's waveform may have.
pub const WAVEFORM_MAX: usize = 128;

/// An uploaded file as a message shows it. `name` is the uploader's file name (cleaned of any
/// path), `mime` the type tern found in its bytes (never the one the uploader claimed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct FileInfo {
    pub id: FileId,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub mime: String,
}

impl FileInfo {
    /// A reference by id alone, as a client sends it; the server fills in the rest.
    pub fn id_only(id: FileId) -> FileInfo {
        FileInfo {
            id,
            name: String::new(),
            size: 0,
            mime: String::new(),
        }
    }
}

/// Where a forwarded message came from: its author and time, never its conversation (which the
/// recipients may not be in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Forwarded {
    pub sender: UserId,
    /// The original's time, Unix milliseconds.
    pub ts: i64,
}

impl Content {
    /// Plain text with nothing else: no reply, no mention.
    pub fn text(text: impl Into<String>) -> Content {
        Content::Text {
            text: text.into(),
            reply_to: None,
            mentions: Vec::new(),
            mention_all: false,
            forwarded: None,
        }
    }

    /// A picture, by the id of its upload (the server fills in the rest).
    pub fn image(file: FileId) -> Content {
        Content::Image {
            file: FileInfo::id_only(file),
            width: 0,
            height: 0,
            color: None,
            animated: false,
            forwarded: None,
        }
    }

    /// A file to download, by the id of its upload.
    pub fn file(file: FileId) -> Content {
        Content::File {
            file: FileInfo::id_only(file),
            forwarded: None,
        }
    }

    /// A voice message, by the id of its upload, with what the recording client measured.
    pub fn voice(file: FileId, duration_ms: u32, waveform: Vec<u8>) -> Content {
        Content::Voice {
            file: FileInfo::id_only(file),
            duration_ms,
            waveform,
            forwarded: None,
        }
    }

    /// Whether an event with this content makes the conversation unread for its other members.
    pub fn counts_as_unread(&self) -> bool {
        self.is_message() || self.is_announcement()
    }

    /// A group announcement that says something (not one taken down): unread for everyone,
    /// counted as mentioning them all.
    pub fn is_announcement(&self) -> bool {
        matches!(self, Content::System(SystemEvent::Announced { text }) if !text.is_empty())
    }

    /// The seq of the message this event changes (edit, recall, reaction, pin): such events
    /// never count as unread, never become the conversation's preview and never move it up.
    pub fn target(&self) -> Option<u64> {
        match self {
            Content::Edit { target, .. }
            | Content::Recall { target }
            | Content::Reaction { target, .. }
            | Content::Pin { target, .. } => Some(*target),
            _ => None,
        }
    }

    /// Whether this is a message people wrote (which may be replied to, edited, recalled,
    /// reacted to, pinned and forwarded), as opposed to a change to one or a system event.
    pub fn is_message(&self) -> bool {
        matches!(
            self,
            Content::Text { .. }
                | Content::Image { .. }
                | Content::File { .. }
                | Content::Voice { .. }
                | Content::Video { .. }
        )
    }

    /// What a forwarded copy of this message carries: the same text or file, attributed to
    /// `origin` unless it was itself a forward (then to the original author), without the
    /// reply and mentions, which belong to the conversation it came from. `None` if this is
    /// not a message.
    pub fn forwarded_copy(&self, origin: Forwarded) -> Option<Content> {
        let mut copy = self.clone();
        let forwarded = match &mut copy {
            Content::Text {
                reply_to,
                mentions,
                mention_all,
                forwarded,
                ..
            } => {
                *reply_to = None;
                mentions.clear();
                *mention_all = false;
                forwarded
            }
            Content::Image { forwarded, .. }
            | Content::File { forwarded, .. }
            | Content::Voice { forwarded, .. }
            | Content::Video { forwarded, .. } => forwarded,
            _ => return None,
        };
        forwarded.get_or_insert(origin);
        Some(copy)
    }

    /// The uploaded files this content shows (a video's poster too).
    pub fn files(&self) -> Vec<&FileId> {
        match self {
            Content::Image { file, .. }
            | Content::File { file, .. }
            | Content::Voice { file, .. } => {
                vec![&file.id]
            }
            Content::Video { file, poster, .. } => {
                let mut ids = vec![&file.id];
                ids.extend(poster.as_ref().map(|p| &p.id));
                ids
            }
            _ => Vec::new(),
        }
    }

    /// The `type` tag as it appears on the wire.
    pub fn kind(&self) -> &'static str {
        match self {
            Content::Text { .. } => "text",
            Content::Image { .. } => "image",
            Content::File { .. } => "file",
            Content::Voice { .. } => "voice",
            Content::Video { .. } => "video",
            Content::Edit { .. } => "edit",
            Content::Recall { .. } => "recall",
            Content::Reaction { .. } => "reaction",
            Content::Pin { .. } => "pin",
            Content::Recalled { .. } => "recalled",
            Content::System(_) => "system",
            Content::Unsupported => "unsupported",
        }
    }
}

/// Content as a client sends it (`send` frames, the send request): like `Content`, except that
/// a field this server does not know is an error rather than silently dropped, so a client
/// never believes it stored something that it did not. Kinds clients may not send (`system`,
/// unknown ones) still parse, as `Unsupported`, for the server to refuse with its own code.
///
/// Events received from the server keep the lenient `Content`: older clients must go on
/// reading what newer servers write.
pub fn strict<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Content, D::Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct TextFields {
        text: String,
        #[serde(default)]
        reply_to: Option<u64>,
        #[serde(default)]
        mentions: Vec<UserId>,
        #[serde(default)]
        mention_all: bool,
    }
    /// A file as a client names it: its id, or a file object (as events carry it) of which
    /// only the id is read.
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum FileRef {
        Id(FileId),
        Info(FileInfo),
    }
    impl FileRef {
        fn info(self) -> FileInfo {
            match self {
                FileRef::Id(id) => FileInfo::id_only(id),
                FileRef::Info(info) => FileInfo::id_only(info.id),
            }
        }
    }
    /// An image's other fields are the server's to fill in: accepted, and ignored.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct ImageFields {
        file: FileRef,
        #[serde(default)]
        width: u32,
        #[serde(default)]
        height: u32,
        #[serde(default)]
        color: Option<String>,
        #[serde(default)]
        animated: bool,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct FileFields {
        file: FileRef,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct VoiceFields {
        file: FileRef,
        duration_ms: u32,
        #[serde(default)]
        waveform: Vec<u8>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct VideoFields {
        file: FileRef,
        duration_ms: u32,
        width: u32,
        height: u32,
        #[serde(default)]
        poster: Option<FileRef>,
    }
    #[derive(Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Inbound {
        Text(TextFields),
        Image(ImageFields),
        File(FileFields),
        Voice(VoiceFields),
        Video(VideoFields),
        #[serde(other)]
        Other,
    }
    Ok(match Inbound::deserialize(deserializer)? {
        // `forwarded` is the server's to set: as an unknown field here, it is refused.
        Inbound::Text(TextFields {
            text,
            reply_to,
            mentions,
            mention_all,
        }) => Content::Text {
            text,
            reply_to,
            mentions,
            mention_all,
            forwarded: None,
        },
        // Media: the file by id; the server fills in what the upload says.
        Inbound::Image(ImageFields { file, .. }) => Content::Image {
            file: file.info(),
            width: 0,
            height: 0,
            color: None,
            animated: false,
            forwarded: None,
        },
        Inbound::File(FileFields { file }) => Content::File {
            file: file.info(),
            forwarded: None,
        },
        Inbound::Voice(VoiceFields {
            file,
            duration_ms,
            waveform,
        }) => Content::Voice {
            file: file.info(),
            duration_ms,
            waveform,
            forwarded: None,
        },
        Inbound::Video(VideoFields {
            file,
            duration_ms,
            width,
            height,
            poster,
        }) => Content::Video {
            file: file.info(),
            duration_ms,
            width,
            height,
            poster: poster.map(FileRef::info),
            forwarded: None,
        },
        Inbound::Other => Content::Unsupported,
    })
}

/// Membership changes, recorded in the conversation's own seq stream so that every member
/// (and every device) sees them in order with the messages around them. The actor is the
/// event's `sender`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SystemEvent {
    GroupCreated {
        name: String,
        members: Vec<UserId>,
    },
    MembersAdded {
        users: Vec<UserId>,
    },
    MemberRemoved {
        user: UserId,
    },
    MemberLeft {
        user: UserId,
        /// Set when the owner left and ownership passed to the longest-standing member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        new_owner: Option<UserId>,
    },
    /// The group's picture was changed (`avatar`: the new one) or removed (no `avatar`).
    PictureChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        avatar: Option<FileId>,
    },
    /// The group's name was changed by the sender.
    Renamed {
        name: String,
    },
    /// The group's description was changed (empty: removed).
    DescriptionChanged {
        description: String,
    },
    /// The group's announcement (群公告), shown to every member and unread for them, as if it
    /// mentioned everyone; empty: the announcement was taken down.
    Announced {
        text: String,
    },
    /// The owner made `user` an admin (`role` "admin") or a plain member again ("member").
    RoleChanged {
        user: UserId,
        role: crate::MemberRole,
    },
    /// The sender (the owner) handed the group to `user`, and is an admin from now on.
    OwnerChanged {
        user: UserId,
    },
    /// An admin muted `user`: they may not post until `until` (Unix milliseconds), or until
    /// lifted when absent.
    MemberMuted {
        user: UserId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        until: Option<i64>,
    },
    /// An admin lifted `user`'s mute.
    MemberUnmuted {
        user: UserId,
    },
    /// An admin muted (`muted`) everyone but the owner and admins, or lifted it.
    AllMuted {
        muted: bool,
    },
    /// `user` chose a nickname for this group (群昵称), or dropped it (absent).
    NicknameChanged {
        user: UserId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        nickname: Option<String>,
    },
    /// The owner dissolved the group (解散): everyone was removed; the history stays readable.
    Dissolved,
    /// An event this build does not know (written by a newer server): shown as "unsupported",
    /// never a reason to drop the frame that carries it.
    #[serde(other)]
    #[cfg_attr(feature = "typescript", ts(skip))]
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_with_type_tag() {
        let c = Content::text("你好 👋");
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"{"type":"text","text":"你好 👋"}"#);
        assert_eq!(serde_json::from_str::<Content>(&json).unwrap(), c);
    }

    #[test]
    fn system_events_nest_their_own_tag() {
        let c = Content::System(SystemEvent::MemberRemoved { user: UserId(7) });
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            json,
            r#"{"type":"system","event":"member_removed","user":7}"#
        );
        assert_eq!(serde_json::from_str::<Content>(&json).unwrap(), c);
    }

    #[test]
    fn client_content_is_strict_about_fields_but_not_kinds() {
        #[derive(Deserialize, Debug)]
        struct Frame {
            #[serde(deserialize_with = "strict")]
            content: Content,
        }
        let parse = |json: &str| serde_json::from_str::<Frame>(json).map(|f| f.content);
        assert_eq!(
            parse(r#"{"content":{"type":"text","text":"x"}}"#).unwrap(),
            Content::text("x")
        );
        let evil = parse(r#"{"content":{"type":"text","text":"x","evil":1}}"#).unwrap_err();
        assert!(evil.to_string().contains("evil"), "{evil}");
        assert!(parse(r#"{"content":{"type":"text"}}"#).is_err());
        assert_eq!(
            parse(r#"{"content":{"type":"system","event":"member_removed","user":1}}"#).unwrap(),
            Content::Unsupported
        );
    }

    #[test]
    fn every_extensible_enum_has_a_catch_all() {
        use crate::{ConversationKind, ErrorCode, MemberRole, ServerFrame};
        let parse = |json: &str| serde_json::from_str::<Content>(json).unwrap();
        assert_eq!(
            parse(r#"{"type":"system","event":"pinned","seq":3}"#),
            Content::System(SystemEvent::Unknown)
        );
        let kind: ConversationKind = serde_json::from_str(r#""channel""#).unwrap();
        assert_eq!(kind, ConversationKind::Unknown);
        let role: MemberRole = serde_json::from_str(r#""moderator""#).unwrap();
        assert_eq!(role, MemberRole::Unknown);
        let code: ErrorCode = serde_json::from_str(r#""slow_down""#).unwrap();
        assert_eq!((code, code.retryable()), (ErrorCode::Unknown, false));
        let frame: ServerFrame = serde_json::from_str(r#"{"type":"presence","user":1}"#).unwrap();
        assert_eq!(frame, ServerFrame::Unknown);
    }

    #[test]
    fn unknown_kinds_become_unsupported() {
        let c: Content = serde_json::from_str(r#"{"type":"hologram","size":3}"#).unwrap();
        assert_eq!(c, Content::Unsupported);
    }
}
