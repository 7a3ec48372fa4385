//! tern's storage: the `Store` interface the server talks to, the records and errors it uses,
//! and the backends behind it (SQLite and PostgreSQL), which share every rule and statement.
//!
//! No database type leaves this crate: the server sees our records and `StoreError` only.

mod accounts;
mod backend;
#[cfg(test)]
mod conformance;
mod contacts;
mod conversations;
mod error;
mod events;
mod files;
mod followers;
mod migrate;
pub mod postgres;
mod receipts;
mod records;
mod rows;
mod sql;
pub mod sqlite;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod write;

pub use accounts::AccountStore;
pub use contacts::{Asked, ContactStore};
pub use conversations::ConversationStore;
pub use events::{EventStore, PinRecord};
pub use files::{BlobRecord, FileRecord, FileStore, PictureInfo, UploadRecord};
pub use followers::FollowerStore;
pub use receipts::{RECEIPTS_SYNC_MAX, ReceiptStore};

pub use error::{StoreError, StoreResult};
pub use migrate::Migration;
pub use records::{MemberRecord, SessionRecord, UserCredentials};
pub use write::{
    FORWARD_MAX, GROUP_MEMBERS_MAX, GroupChange, MUTED_UNTIL_LIFTED, PINS_MAX, Refusal, WriteOp,
    WriteOutcome, WriteResult,
};

use async_trait::async_trait;
use backend::Backend;
use tern_proto::ConvId;

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

/// Everything the server persists, one trait per aggregate (each in its own file, with its
/// statements), plus the database's health. Every backend gets all of it by implementing
/// `Backend`; a new aggregate is one more file and one more supertrait here.
#[async_trait]
pub trait Store:
    AccountStore
    + ContactStore
    + ConversationStore
    + EventStore
    + FileStore
    + FollowerStore
    + ReceiptStore
    + 'static
{
    /// Answers when the database does.
    async fn ping(&self) -> StoreResult<()>;
    /// Closes the connections, waiting for those in use to be returned.
    async fn close(&self);
}

#[async_trait]
impl<B: Backend> Store for B {
    async fn ping(&self) -> StoreResult<()> {
        Backend::ping(self).await
    }
    async fn close(&self) {
        Backend::close(self).await
    }
}

/// Milliseconds since the Unix epoch, the time unit of every stored timestamp.
pub fn now_ms() -> i64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
