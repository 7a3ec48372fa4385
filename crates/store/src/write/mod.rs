//! The operations that change conversation state, applied in batches by `Store::write`: what
//! they are (here), the rules they follow (`rules`), and how they are applied, written once
//! for both databases (`apply`; changes to messages in `changes`).

mod admin;
pub(crate) mod apply;
mod changes;
mod reach;
pub(crate) mod rules;

pub use admin::{GroupChange, MUTED_UNTIL_LIFTED};
use tern_proto::{Content, ConvId, Event, MemberRole, NotifyLevel, UserId};

/// Most current members a group may have. Each member costs a row read per fan-out, so the cap
/// keeps one message's work bounded; the server also caps the users named per request.
pub const GROUP_MEMBERS_MAX: usize = 10_000;
/// Most messages pinned in one conversation at once.
pub const PINS_MAX: usize = 100;
/// Most messages forwarded by one request.
pub const FORWARD_MAX: usize = 50;

/// One state change. Every op that adds an event assigns it the conversation's next seq.
#[derive(Clone, Debug)]
pub enum WriteOp {
    /// A message from a member. Idempotent on (`sender`, `cmid`).
    Append {
        conv: ConvId,
        sender: UserId,
        cmid: String,
        content: Content,
    },
    /// Find or create the one direct conversation between two users.
    OpenDirect { a: UserId, b: UserId },
    /// A new group owned by `owner`, with `members` (the owner is added if missing).
    CreateGroup {
        owner: UserId,
        name: String,
        members: Vec<UserId>,
    },
    /// Any active member of a group may add users.
    AddMembers {
        conv: ConvId,
        by: UserId,
        users: Vec<UserId>,
    },
    /// The owner or an admin removes `user` (below them); when `by == user` the member leaves.
    RemoveMember {
        conv: ConvId,
        by: UserId,
        user: UserId,
    },
    /// Move `user`'s read position forward to `seq` (capped at the last visible seq).
    MarkRead {
        conv: ConvId,
        user: UserId,
        seq: u64,
    },
    /// Replace the text of `by`'s own message at `target`, within `window_ms` of its sending
    /// (`None`: no limit; 0 or less: never).
    Edit {
        conv: ConvId,
        by: UserId,
        target: u64,
        text: String,
        window_ms: Option<i64>,
    },
    /// Erase the message at `target`: `by` is its sender, within `window_ms` (`None`: no
    /// limit), or the group's owner or an admin, at any time.
    Recall {
        conv: ConvId,
        by: UserId,
        target: u64,
        window_ms: Option<i64>,
    },
    /// Add or take off `by`'s reaction `emoji` (already checked to be one emoji).
    React {
        conv: ConvId,
        by: UserId,
        target: u64,
        emoji: String,
        added: bool,
    },
    /// Pin or unpin a message: any member of a direct conversation, the owner or an admin of a
    /// group.
    Pin {
        conv: ConvId,
        by: UserId,
        target: u64,
        pinned: bool,
    },
    /// `user`'s own preferences for `conv`, each left as it is when `None`.
    Preferences {
        conv: ConvId,
        user: UserId,
        notify: Option<NotifyLevel>,
        top: Option<bool>,
    },
    /// The group's name, description, announcement or picture, by its owner or an admin.
    ChangeGroup {
        conv: ConvId,
        by: UserId,
        changes: Vec<GroupChange>,
    },
    /// The owner makes `user` an admin or a plain member.
    SetRole {
        conv: ConvId,
        by: UserId,
        user: UserId,
        role: MemberRole,
    },
    /// The owner hands the group to `to`, staying on as an admin.
    TransferOwnership {
        conv: ConvId,
        by: UserId,
        to: UserId,
    },
    /// An admin mutes `user` until `until` (`MUTED_UNTIL_LIFTED`: until lifted), or lifts the
    /// mute (`None`).
    Mute {
        conv: ConvId,
        by: UserId,
        user: UserId,
        until: Option<i64>,
    },
    /// An admin lets only the owner and admins post, or everyone again.
    MuteAll {
        conv: ConvId,
        by: UserId,
        muted: bool,
    },
    /// `user`'s own nickname in a group.
    Nickname {
        conv: ConvId,
        user: UserId,
        nickname: Option<String>,
    },
    /// The owner dissolves the group.
    Dissolve { conv: ConvId, by: UserId },
    /// `user` blocks `other`, or lifts the block (`blocked` false).
    Block {
        user: UserId,
        other: UserId,
        blocked: bool,
    },
    /// Copy the messages at `seqs` of `from` into `conv` as `by`'s, attributed to their
    /// authors, with client ids `<cmid>/1`, `<cmid>/2`, ...
    Forward {
        conv: ConvId,
        by: UserId,
        from: ConvId,
        seqs: Vec<u64>,
        cmid: String,
    },
}

/// What an op did.
#[derive(Clone, Debug)]
pub enum WriteOutcome {
    /// `duplicate` means the (sender, cmid) was stored before: `event` is that original.
    Appended {
        event: Event,
        duplicate: bool,
    },
    DirectOpened {
        conv: ConvId,
        created: bool,
    },
    /// A membership event was appended. `notify` are the users to deliver it to: the members
    /// after the change plus anyone it removed.
    MembershipChanged {
        event: Event,
        notify: Vec<UserId>,
    },
    /// `moved` is false when the position was already at or past the requested seq; `active`
    /// is false for a member who left (their position is nobody's read receipt).
    ReadMoved {
        conv: ConvId,
        user: UserId,
        read_seq: u64,
        unread: u64,
        unread_mentions: u64,
        moved: bool,
        active: bool,
    },
    /// A message was changed (edit, recall, reaction, pin) or messages were forwarded: the
    /// new events, in seq order. `duplicate` means a forward's `cmid` had been used before and
    /// `events` are the copies stored then.
    Changed {
        events: Vec<Event>,
        duplicate: bool,
    },
    /// `user`'s preferences for `conv` as they now stand; `changed` is false when they already
    /// were.
    PreferencesChanged {
        conv: ConvId,
        user: UserId,
        notify: NotifyLevel,
        top: Option<i64>,
        changed: bool,
    },
    /// Nothing to do (e.g. every user to add was a member already).
    Unchanged,
}

/// Why an op was refused. Nothing of a refused op is stored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no such conversation")]
    ConversationNotFound,
    #[error("not a member of this conversation")]
    NotMember,
    #[error("only the group owner may do this")]
    NotOwner,
    #[error("only the group's owner and admins may do this")]
    NotAdmin,
    #[error("not to the group's owner, nor (unless you are the owner) to an admin")]
    Outranked,
    #[error("user {0} is not a member of this group")]
    TargetNotMember(UserId),
    /// `until`: Unix milliseconds, `MUTED_UNTIL_LIFTED` for until lifted.
    #[error("an admin muted you in this group")]
    Muted { until: i64 },
    #[error("only the group's owner and admins may post while everyone is muted")]
    AllMuted,
    #[error("you cannot reach this user")]
    Blocked,
    #[error("user {0} accepts this only from their contacts")]
    ContactsOnly(UserId),
    #[error("this is not a group conversation")]
    NotGroup,
    #[error("no such user: {0}")]
    UserNotFound(UserId),
    #[error("a direct conversation needs two different users")]
    DirectWithSelf,
    #[error("this client message id was already used in another conversation")]
    ClientIdReused,
    #[error("a group has at most {GROUP_MEMBERS_MAX} members")]
    GroupFull,
    #[error("no message at that seq in this conversation (or it was recalled)")]
    InvalidTarget,
    #[error("only its sender may do this to a message")]
    NotSender,
    #[error("the time for this has passed")]
    TooLate,
    #[error("user {0} is not a member of this conversation")]
    MentionedNonMember(UserId),
    #[error("@all is for groups, by their owner and admins")]
    MentionAllNotAllowed,
    #[error("a conversation has at most {PINS_MAX} pinned messages")]
    TooManyPins,
}

pub type WriteResult = Result<WriteOutcome, Refusal>;
