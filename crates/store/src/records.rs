//! Records the store returns that are not wire types themselves.

use tern_proto::{MemberRole, SessionId, UserId, UserProfile};

/// What login needs: the profile and the argon2id hash to check the password against.
#[derive(Clone, Debug)]
pub struct UserCredentials {
    pub profile: UserProfile,
    pub password_hash: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: SessionId,
    pub user: UserId,
    pub device: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRecord {
    pub user: UserId,
    pub role: MemberRole,
    pub read_seq: u64,
    /// The seq of the event that removed this member; `None` while a member.
    pub left_seq: Option<u64>,
    /// Until when they may not post (Unix milliseconds; `i64::MAX`: until lifted).
    pub muted_until: Option<i64>,
    /// Their nickname in this group.
    pub nickname: Option<String>,
}

impl MemberRecord {
    pub fn is_active(&self) -> bool {
        self.left_seq.is_none()
    }
}
