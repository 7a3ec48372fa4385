//! tern's storage: the `Store` interface the server talks to, the records and errors it uses,
//! and the backends behind it (SQLite today).
//!
//! No database type leaves this crate: the server sees our records and `StoreError` only.

#[cfg(test)]
mod conformance;
mod error;
mod migrate;
pub mod postgres;
mod queries;
mod records;
mod rows;
mod sql;
pub mod sqlite;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod write;

pub use error::{StoreError, StoreResult};
pub use migrate::Migration;
pub use records::{MemberRecord, SessionRecord, UserCredentials};
pub use write::{GROUP_MEMBERS_MAX, Refusal, WriteOp, WriteOutcome, WriteResult};

use async_trait::async_trait;
use tern_proto::{ConvId, ConversationSummary, Event, SessionId, UserId, UserProfile};

/// Where a member's changes are read from on catch-up: everything that changed at or after this
/// position. Its meaning is the backend's own (a counter in SQLite, a transaction id watermark
/// in PostgreSQL); clients see it as an opaque token.
pub type ChangePos = String;

/// How far a follower of the commit log got; opaque outside the store.
pub type FollowerPos = String;

/// One page of a long summary read (a sync): the conversations with an id above `after`, in id
/// order, at most `limit` of them. Id order is stable while conversations change, so paging by
/// it never skips or repeats one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SummaryPage {
    pub after: ConvId,
    pub limit: u32,
}

/// Everything the server persists, grouped by aggregate. One implementation per database.
///
/// Conversation state changes all go through [`Store::write`], in batches, so that seq allocation
/// and the change counter are assigned in one transaction with the data they describe.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Answers when the database does.
    async fn ping(&self) -> StoreResult<()>;
    /// Closes the connections, waiting for those in use to be returned.
    async fn close(&self);

    // --- users and sessions -------------------------------------------------------------
    /// Fails with `UsernameTaken` if the (already normalised) username exists.
    async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        password_hash: &str,
    ) -> StoreResult<UserProfile>;
    async fn user(&self, id: UserId) -> StoreResult<Option<UserProfile>>;
    /// The profiles of those of `ids` that exist, in no particular order.
    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<UserProfile>>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserProfile>>;
    async fn credentials(&self, username: &str) -> StoreResult<Option<UserCredentials>>;
    async fn set_display_name(&self, id: UserId, display_name: &str) -> StoreResult<UserProfile>;
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8],
        device: &str,
    ) -> StoreResult<SessionRecord>;
    async fn session_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<SessionRecord>>;
    async fn sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>>;
    /// Deletes the session if it belongs to `user`; false if there was none.
    async fn revoke_session(&self, user: UserId, session: SessionId) -> StoreResult<bool>;

    // --- conversations and members ------------------------------------------------------
    /// Current members (not those who left).
    async fn members(&self, conv: ConvId) -> StoreResult<Vec<MemberRecord>>;
    /// The conversations `user` is currently a member of.
    async fn conversation_ids(&self, user: UserId) -> StoreResult<Vec<ConvId>>;
    /// The member row of `user`, including one that has left; `None` if never a member.
    async fn membership(&self, conv: ConvId, user: UserId) -> StoreResult<Option<MemberRecord>>;
    /// Conversations of `user` that changed at or after `since` (all of them for `None`), most
    /// recently active first (or only one `page` of them, in id order), and the position to pass
    /// as `since` next time. A change committed after this call is never below the returned
    /// position, whichever node commits it.
    async fn summaries(
        &self,
        user: UserId,
        since: Option<ChangePos>,
        page: Option<SummaryPage>,
    ) -> StoreResult<(Vec<ConversationSummary>, ChangePos)>;

    /// One conversation as `user` sees it; `None` if they were never a member.
    async fn summary(&self, user: UserId, conv: ConvId)
    -> StoreResult<Option<ConversationSummary>>;

    // --- events -------------------------------------------------------------------------
    /// Applies `ops` in order in one transaction and returns one result per op. A refused op
    /// changes nothing and does not affect the others; a `StoreError` means nothing was stored.
    async fn write(&self, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>>;
    /// Up to `limit` events with seq in (`after`, `up_to`], oldest first.
    async fn events_after(
        &self,
        conv: ConvId,
        after: u64,
        up_to: u64,
        limit: u32,
    ) -> StoreResult<Vec<Event>>;
    /// Up to `limit` events with seq < `before`, the newest of them, returned oldest first.
    async fn events_before(&self, conv: ConvId, before: u64, limit: u32)
    -> StoreResult<Vec<Event>>;

    // --- followers of the commit log ------------------------------------------------------
    /// Takes or renews the lease of follower `name` for `holder` until `lease_until` (ms), unless
    /// another holder's lease runs past `now`; the first claim starts the follower at the
    /// current position. While the lease is ours: its position and state.
    async fn follower_claim(
        &self,
        name: &str,
        holder: &str,
        lease_until: i64,
        now: i64,
    ) -> StoreResult<Option<(FollowerPos, String)>>;
    /// Up to `limit` committed events after `from`, in commit order per conversation, and the
    /// position after them. Every committed event comes exactly once along a chain of calls.
    async fn follower_read(
        &self,
        from: &FollowerPos,
        limit: u32,
    ) -> StoreResult<(Vec<Event>, FollowerPos)>;
    /// Saves `position` and `state` and renews the lease, if `holder` still holds it.
    async fn follower_save(
        &self,
        name: &str,
        holder: &str,
        position: &FollowerPos,
        state: &str,
        lease_until: i64,
    ) -> StoreResult<bool>;
}

/// Milliseconds since the Unix epoch, the time unit of every stored timestamp.
pub fn now_ms() -> i64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
