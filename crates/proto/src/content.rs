//! Typed message content. New kinds (image, file, voice, edit, recall) are new variants of
//! `Content`; a client that meets a kind it does not know sees `Unsupported` instead of failing.

use crate::ids::UserId;
use serde::{Deserialize, Deserializer, Serialize};

/// What an event carries, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    /// Plain text, any Unicode. Never interpreted as markup by tern's clients.
    Text { text: String },
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

impl Content {
    /// Whether an event with this content makes the conversation unread for its other members.
    pub fn counts_as_unread(&self) -> bool {
        matches!(self, Content::Text { .. })
    }

    /// The `type` tag as it appears on the wire.
    pub fn kind(&self) -> &'static str {
        match self {
            Content::Text { .. } => "text",
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
    }
    #[derive(Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Inbound {
        Text(TextFields),
        #[serde(other)]
        Other,
    }
    Ok(match Inbound::deserialize(deserializer)? {
        Inbound::Text(TextFields { text }) => Content::Text { text },
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
        let c = Content::Text {
            text: "你好 👋".into(),
        };
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
            Content::Text { text: "x".into() }
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
