//! The PostgreSQL backend, for several tern nodes sharing one database: the same records and
//! rules as SQLite, with seqs allocated under a row lock on the conversation and change
//! positions taken from transaction ids (see `summaries` for the watermark).

mod conversations;
mod events;
mod migrations;
mod users;
mod writer;

pub use migrations::MIGRATIONS;

use crate::{
    ChangePos, MemberRecord, SessionRecord, Store, StoreResult, SummaryPage, UserCredentials,
    WriteOp, WriteResult,
};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;
use tern_proto::{ConvId, ConversationSummary, Event, SessionId, UserId, UserProfile};

/// A client-supplied position as PostgreSQL's BIGINT; saturates instead of wrapping negative.
fn sql_int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/database`) and applies pending migrations.
    pub async fn open(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| crate::StoreError::Internal(format!("database URL: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(3))
            .connect_with(options)
            .await?;
        migrations::apply(&pool).await?;
        Ok(PgStore { pool })
    }
}

#[async_trait]
impl Store for PgStore {
    async fn close(&self) {
        self.pool.close().await;
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1 FROM schema_migrations LIMIT 1")
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
        let mut conn = self.pool.acquire().await?;
        users::by_id_on(&mut conn, id).await
    }
    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<UserProfile>> {
        users::by_ids(&self.pool, ids).await
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
            "SELECT conv_id FROM members WHERE user_id = $1 AND left_seq IS NULL",
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
        page: Option<SummaryPage>,
    ) -> StoreResult<(Vec<ConversationSummary>, ChangePos)> {
        conversations::summaries_where(&self.pool, user, since, None, page).await
    }
    async fn summary(
        &self,
        user: UserId,
        conv: ConvId,
    ) -> StoreResult<Option<ConversationSummary>> {
        let (mut found, _) =
            conversations::summaries_where(&self.pool, user, None, Some(conv), None).await?;
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
    use crate::testing::TestDatabase;

    async fn open() -> Option<(TestDatabase, PgStore)> {
        let db = TestDatabase::create().await?;
        let store = PgStore::open(&db.url, 4).await.unwrap();
        Some((db, store))
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
        positions_from_the_future_or_forged_are_refused,
        member_lists_are_checked_as_sets,
        summaries_page_through_every_conversation_once,
    );

    #[tokio::test]
    async fn several_nodes_migrating_at_once_apply_each_migration_once() {
        let Some(db) = TestDatabase::create().await else {
            return;
        };
        let opens = (0..3).map(|_| PgStore::open(&db.url, 2));
        for store in futures_util::future::join_all(opens).await {
            store.unwrap();
        }
    }
}
