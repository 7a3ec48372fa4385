//! Typed message content. New kinds (image, file, voice, edit, recall) are new variants of
//! `Content`; a client that meets a kind it does not know sees `Unsupported` instead of failing.

use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// What an event carries, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    /// Plain text, any Unicode. Never interpreted as markup by tern's clients.
    Text { text: String },
    /// Written by the server when a conversation's membership changes; clients cannot send it.
    System(SystemEvent),
    /// A content type this build does not know (sent by a newer peer). Kept so that old clients
    /// keep working when the protocol grows.
    #[serde(other)]
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

/// Membership changes, recorded in the conversation's own seq stream so that every member
/// (and every device) sees them in order with the messages around them. The actor is the
/// event's `sender`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
        new_owner: Option<UserId>,
    },
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
    fn unknown_kinds_become_unsupported() {
        let c: Content = serde_json::from_str(r#"{"type":"hologram","size":3}"#).unwrap();
        assert_eq!(c, Content::Unsupported);
    }
}
