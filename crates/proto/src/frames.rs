//! WebSocket frames: one JSON object per text frame, tagged by `type`.
//!
//! Every client request may carry `rid` (a number the client picks); the reply to it (or the
//! error) carries the same `rid`. Frames the server pushes on its own carry no `rid`.

use crate::codes::ErrorCode;
use crate::content::Content;
use crate::ids::{ConvId, SessionId, UserId};
use crate::model::{
    ConversationReceipts, ConversationSummary, Event, Limits, NotifyLevel, Receipt, UserProfile,
    UserSettings,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The protocol version this build speaks, sent in `hello`.
pub const PROTOCOL_VERSION: u32 = 1;

/// What this build's server offers beyond the core of version 1, sent in `hello`: a client can
/// check for a feature before it uses it.
pub const FEATURES: &[&str] = &[
    "typing",
    "sync_pages",
    "user_lookup",
    "message_actions",
    "receipts",
    "files",
    "group_admin",
    "contacts",
];

/// Frames a client sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Send a message. Idempotent by `cmid`: resending returns the original `ack`.
    Send {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        /// Client message id, 1 to 64 characters, unique per sender (a UUID is ideal).
        cmid: String,
        #[serde(deserialize_with = "crate::content::strict")]
        content: Content,
    },
    /// Ask which conversations changed since `since` (omit it for all of them).
    Sync {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        since: Option<String>,
        /// The `next` of the previous page of this sync; omitted for the first page.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        page: Option<String>,
    },
    /// Events with seq greater than `after`, oldest first (catch-up).
    Fetch {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        after: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        limit: Option<u32>,
    },
    /// Events with seq less than `before` (or the newest, without it), returned oldest first.
    History {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        before: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        limit: Option<u32>,
    },
    /// Mark everything up to `seq` as read.
    Read {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        seq: u64,
    },
    /// "I am typing in `conv`": relayed to the other members' connections, never stored.
    /// No reply unless it fails.
    Typing {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
    },
    /// Replace the text of your message at `target`, within the edit window. Answered with
    /// `done`; every member's connections get the `edit` event.
    Edit {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        target: u64,
        text: String,
    },
    /// Recall (撤回) the message at `target`: yours within the recall window, anyone's in a
    /// group you own. Its content is erased. Answered with `done`.
    Recall {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        target: u64,
    },
    /// Add (`added: true`) or take off your reaction `emoji` (one emoji) on the message at
    /// `target`. Answered with `done`.
    React {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        target: u64,
        emoji: String,
        added: bool,
    },
    /// Pin (`pinned: true`) or unpin the message at `target`. Answered with `done`.
    Pin {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        target: u64,
        pinned: bool,
    },
    /// Copy messages (`seqs` of `from`, oldest first as listed) into `conv`, attributed to
    /// their authors. Idempotent by `cmid` like `send`. Answered with `done`.
    Forward {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        from: ConvId,
        seqs: Vec<u64>,
        /// 1 to 60 bytes; the copies are stored with client ids `<cmid>/1`, `<cmid>/2`, ...
        cmid: String,
    },
    /// The pinned messages of `conv`; answered with `pins`.
    Pins {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
    },
    /// Your own preferences for `conv`: its notification level and whether it stays on top of
    /// your list. Either may be left out. Answered with `preferences`; your other devices get it
    /// too.
    Preferences {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        notify: Option<NotifyLevel>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        top: Option<bool>,
    },
    /// Every version of the message at `target`, the original first; answered with `versions`.
    Versions {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        target: u64,
    },
    /// The read positions of the members of `conv` who share them; answered with `receipts`.
    Receipts {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
    },
    /// Application-level keepalive; answered with `pong`.
    Ping {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
    },
}

/// Frames the server sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// First frame of every authenticated connection.
    Hello {
        user: UserProfile,
        session: SessionId,
        server_time: i64,
        /// The server pings at this interval; a connection silent for `idle_timeout_ms` is dropped.
        heartbeat_ms: u64,
        idle_timeout_ms: u64,
        limits: Limits,
        /// The protocol's version (`PROTOCOL_VERSION`; absent from servers older than the
        /// field); it grows only with a change a client
        /// must know about, not with additions, which `features` announce.
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
        protocol: u32,
        /// What this server offers beyond version 1's core (`FEATURES`), by name.
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>", optional))]
        features: Vec<String>,
        /// Your account settings.
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(as = "Option<UserSettings>", optional))]
        settings: UserSettings,
    },
    /// A message is durably stored. Stands, on the sending connection, in the place of the
    /// `event` every other connection receives.
    Ack {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        cmid: String,
        seq: u64,
        id: Uuid,
        ts: i64,
        /// True when this `cmid` had been stored before and nothing new was stored.
        duplicate: bool,
    },
    /// A new event in a conversation you are a member of.
    Event(Event),
    /// Reply to `sync`.
    Sync {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        /// Opaque; pass it as `since` next time, once every page is read and caught up.
        token: String,
        conversations: Vec<ConversationSummary>,
        /// More conversations changed than one reply carries: ask for the next page with
        /// `sync` `{since, page: next}`. Absent on the last page.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        next: Option<String>,
        /// With `since`: the other members' read positions that moved since then, for the
        /// conversations of this page (none when you do not share yours).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[cfg_attr(
            feature = "typescript",
            ts(as = "Option<Vec<ConversationReceipts>>", optional)
        )]
        receipts: Vec<ConversationReceipts>,
    },
    /// Reply to `fetch` and `history`: a contiguous run of events, oldest first.
    Events {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        events: Vec<Event>,
        /// More events exist beyond this page in the direction asked.
        has_more: bool,
    },
    /// Your read position in a conversation moved (from this or another of your devices).
    Read {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        read_seq: u64,
        unread: u64,
        /// Of the unread messages, those that mention you (or everyone).
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(as = "Option<u64>", optional))]
        unread_mentions: u64,
    },
    Pong {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
    },
    /// Reply to `edit`, `recall`, `react`, `pin` and `forward`: the change is stored as the
    /// events at `seqs` (which every member's connections receive, this one included); empty
    /// when there was nothing to change (e.g. recalling twice).
    Done {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        seqs: Vec<u64>,
    },
    /// Your preferences for a conversation (the reply to `preferences`, or they changed on
    /// another of your devices).
    Preferences {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        notify: NotifyLevel,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        top: Option<i64>,
    },
    /// Reply to `pins`: the conversation's pinned messages, most recently pinned first.
    Pins {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        pins: Vec<Pinned>,
    },
    /// Reply to `versions`: the message's texts, the original first.
    Versions {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        target: u64,
        versions: Vec<Version>,
    },
    /// Members' read positions in `conv`. The reply to `receipts` lists every member who
    /// shares theirs; pushed without `rid`, it lists the positions that moved lately (several
    /// moves coalesced into one frame per conversation and interval).
    Receipts {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        conv: ConvId,
        receipts: Vec<Receipt>,
    },
    /// Your account settings changed (on this or another device).
    Settings { settings: UserSettings },
    /// Your contacts changed: `user` asked to become one (`requested`, with `note`), became one
    /// (`added`), or is one no more (`removed`).
    Contact {
        change: crate::model::ContactChange,
        user: UserProfile,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        note: Option<String>,
    },
    /// `user` is typing in `conv` (ephemeral: shown for a few seconds, never stored).
    Typing { conv: ConvId, user: UserId },
    /// Live events may have been missed (the server's link to other nodes was down): run `sync`.
    Resync,
    /// A request failed; the connection stays usable.
    Error {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        rid: Option<u64>,
        code: ErrorCode,
        message: String,
        retryable: bool,
    },
    /// A frame type this build does not know (from a newer server): ignored.
    #[serde(other)]
    #[cfg_attr(feature = "typescript", ts(skip))]
    Unknown,
}

/// A pinned message: the message as it stands, who pinned it and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Pinned {
    pub event: Event,
    pub by: UserId,
    /// Unix milliseconds.
    pub ts: i64,
}

/// One version of a message's text: the original (at the message's time) or an edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Version {
    pub text: String,
    /// Unix milliseconds.
    pub ts: i64,
}

impl ClientFrame {
    /// The request id slot every client frame has.
    pub fn rid_mut(&mut self) -> &mut Option<u64> {
        match self {
            ClientFrame::Send { rid, .. }
            | ClientFrame::Sync { rid, .. }
            | ClientFrame::Fetch { rid, .. }
            | ClientFrame::History { rid, .. }
            | ClientFrame::Read { rid, .. }
            | ClientFrame::Typing { rid, .. }
            | ClientFrame::Edit { rid, .. }
            | ClientFrame::Recall { rid, .. }
            | ClientFrame::React { rid, .. }
            | ClientFrame::Pin { rid, .. }
            | ClientFrame::Forward { rid, .. }
            | ClientFrame::Pins { rid, .. }
            | ClientFrame::Versions { rid, .. }
            | ClientFrame::Preferences { rid, .. }
            | ClientFrame::Receipts { rid, .. }
            | ClientFrame::Ping { rid } => rid,
        }
    }
}

impl ServerFrame {
    /// The request this frame answers: the `rid` of replies (`ack`s are matched by `cmid`;
    /// frames the server pushes on its own have none).
    pub fn reply_rid(&self) -> Option<u64> {
        match self {
            ServerFrame::Sync { rid, .. }
            | ServerFrame::Events { rid, .. }
            | ServerFrame::Read { rid, .. }
            | ServerFrame::Pong { rid }
            | ServerFrame::Done { rid, .. }
            | ServerFrame::Pins { rid, .. }
            | ServerFrame::Versions { rid, .. }
            | ServerFrame::Preferences { rid, .. }
            | ServerFrame::Receipts { rid, .. }
            | ServerFrame::Error { rid, .. } => *rid,
            ServerFrame::Ack { .. }
            | ServerFrame::Event(_)
            | ServerFrame::Hello { .. }
            | ServerFrame::Unknown
            | ServerFrame::Typing { .. }
            | ServerFrame::Settings { .. }
            | ServerFrame::Contact { .. }
            | ServerFrame::Resync => None,
        }
    }

    pub fn error(rid: Option<u64>, code: ErrorCode, message: impl Into<String>) -> Self {
        ServerFrame::Error {
            rid,
            code,
            message: message.into(),
            retryable: code.retryable(),
        }
    }
}

/// The two fields every client frame may have, read on their own when a frame fails to parse so
/// the error can say whether the type was unknown and echo the `rid`.
#[derive(Debug, Deserialize)]
pub struct FrameEnvelope {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub rid: Option<u64>,
}

impl FrameEnvelope {
    pub const KNOWN_TYPES: &'static [&'static str] = &[
        "send",
        "sync",
        "fetch",
        "history",
        "read",
        "typing",
        "edit",
        "recall",
        "react",
        "pin",
        "forward",
        "pins",
        "versions",
        "preferences",
        "receipts",
        "ping",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ConvId, UserId};

    #[test]
    fn send_frame_wire_format() {
        let f: ClientFrame = serde_json::from_str(
            r#"{"type":"send","rid":1,"conv":5,"cmid":"a","content":{"type":"text","text":"hi"}}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            ClientFrame::Send {
                rid: Some(1),
                conv: ConvId(5),
                cmid: "a".into(),
                content: Content::text("hi")
            }
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let r = serde_json::from_str::<ClientFrame>(r#"{"type":"ping","bogus":1}"#);
        assert!(r.is_err());
    }

    #[test]
    fn event_frame_is_flat() {
        let e = ServerFrame::Event(Event::new(
            ConvId(1),
            2,
            Uuid::nil(),
            UserId(3),
            4,
            None,
            Content::text("x"),
        ));
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"type":"event","conv":1,"seq":2,"id":"00000000-0000-0000-0000-000000000000","sender":3,"ts":4,"content":{"type":"text","text":"x"}}"#
        );
    }
}
