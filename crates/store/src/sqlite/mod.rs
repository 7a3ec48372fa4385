//! The SQLite backend: WAL mode, one file under the data directory, readers on a pool and
//! conversation writes in batched `BEGIN IMMEDIATE` transactions.

mod conversations;
mod events;
mod migrations;
mod users;
mod writer;

pub use migrations::MIGRATIONS;

use crate::{
    ChangePos, MemberRecord, SessionRecord, Store, StoreResult, UserCredentials, WriteOp,
    WriteResult,
};
use async_trait::async_trait;
use sqlx::sqlite::SqliteSynchronous;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::path::Path;
use std::time::Duration;
use tern_proto::{ConvId, ConversationSummary, Event, SessionId, UserId, UserProfile};

/// A client-supplied position as SQLite's signed integer; values past `i64::MAX` (which no seq
/// reaches) saturate instead of wrapping negative.
fn sql_int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// How much a committed write survives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Survives a crash or kill -9 of the tern process (WAL, `synchronous=NORMAL`). Default.
    Process,
    /// Also survives power loss or an OS crash (`synchronous=FULL`: an fsync per commit, shared
    /// by every message in the batch).
    Power,
}

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &Path, durability: Durability) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match durability {
                Durability::Process => SqliteSynchronous::Normal,
                Durability::Power => SqliteSynchronous::Full,
            })
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        migrations::apply(&pool).await?;
        Ok(SqliteStore { pool })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn close(&self) {
        self.pool.close().await;
    }

    async fn ping(&self) -> StoreResult<()> {
        // Reads a table, so a missing or unreadable database file shows up here.
        sqlx::query("SELECT value FROM counters LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        password_hash: &str,
    ) -> StoreResult<UserProfile> {
        users::create(&self.pool, username, display_name, password_hash).await
    }
    async fn user(&self, id: UserId) -> StoreResult<Option<UserProfile>> {
        users::by_id(&self.pool, id).await
    }
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserProfile>> {
        users::by_username(&self.pool, username).await
    }
    async fn credentials(&self, username: &str) -> StoreResult<Option<UserCredentials>> {
        users::credentials(&self.pool, username).await
    }
    async fn set_display_name(&self, id: UserId, display_name: &str) -> StoreResult<UserProfile> {
        users::set_display_name(&self.pool, id, display_name).await
    }
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8],
        device: &str,
    ) -> StoreResult<SessionRecord> {
        users::create_session(&self.pool, user, token_hash, device).await
    }
    async fn session_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<SessionRecord>> {
        users::session_by_token(&self.pool, token_hash).await
    }
    async fn sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>> {
        users::sessions(&self.pool, user).await
    }
    async fn revoke_session(&self, user: UserId, session: SessionId) -> StoreResult<bool> {
        users::revoke_session(&self.pool, user, session).await
    }

    async fn members(&self, conv: ConvId) -> StoreResult<Vec<MemberRecord>> {
        conversations::members(&self.pool, conv).await
    }
    async fn conversation_ids(&self, user: UserId) -> StoreResult<Vec<ConvId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT conv_id FROM members WHERE user_id = ? AND left_seq IS NULL",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(ConvId).collect())
    }
    async fn membership(&self, conv: ConvId, user: UserId) -> StoreResult<Option<MemberRecord>> {
        let mut conn = self.pool.acquire().await?;
        conversations::membership(&mut conn, conv, user).await
    }
    async fn summaries(
        &self,
        user: UserId,
        since: Option<ChangePos>,
    ) -> StoreResult<(Vec<ConversationSummary>, ChangePos)> {
        conversations::summaries(&self.pool, user, since).await
    }

    async fn summary(
        &self,
        user: UserId,
        conv: ConvId,
    ) -> StoreResult<Option<ConversationSummary>> {
        let (mut found, _) =
            conversations::summaries_where(&self.pool, user, None, Some(conv)).await?;
        Ok(found.pop())
    }

    async fn write(&self, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>> {
        writer::write(&self.pool, ops).await
    }
    async fn events_after(
        &self,
        conv: ConvId,
        after: u64,
        up_to: u64,
        limit: u32,
    ) -> StoreResult<Vec<Event>> {
        events::after(&self.pool, conv, after, up_to, limit).await
    }
    async fn events_before(
        &self,
        conv: ConvId,
        before: u64,
        limit: u32,
    ) -> StoreResult<Vec<Event>> {
        events::before(&self.pool, conv, before, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn open() -> Option<(tempfile::TempDir, SqliteStore)> {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db"), Durability::Process)
            .await
            .unwrap();
        Some((dir, store))
    }

    crate::conformance_tests!(open();
        users_and_sessions,
        seqs_are_gapless_within_and_across_batches,
        appends_are_idempotent_per_sender_and_client_id,
        a_refused_op_leaves_no_trace_and_spares_the_batch,
        summaries_report_only_what_changed,
        unread_counts_only_messages_from_others,
        leaving_caps_what_a_member_sees,
        direct_conversations_are_one_per_pair,
        history_pages_are_bounded,
        concurrent_writers_get_unique_gapless_seqs,
    );

    #[tokio::test]
    async fn reopening_applies_nothing_twice_and_keeps_data() {
        let (dir, store) = open().await.unwrap();
        store.create_user("alice", "Alice", "h").await.unwrap();
        store.close().await;
        let again = SqliteStore::open(&dir.path().join("t.db"), Durability::Power)
            .await
            .unwrap();
        assert!(again.user_by_username("alice").await.unwrap().is_some());
        let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
            .fetch_all(&again.pool)
            .await
            .unwrap();
        let expected: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(versions, expected);
    }
}
