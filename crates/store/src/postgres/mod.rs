//! The PostgreSQL backend, for several tern nodes sharing one database: the same records and
//! rules as SQLite, with seqs allocated under a row lock on the conversation and change
//! positions taken from transaction ids (see `summaries` for the watermark).

mod followers;
mod migrations;
mod summaries;
mod writer;

pub use migrations::MIGRATIONS;

use crate::FollowerPos;
use crate::queries::{self, accounts, conversations, events};
use crate::sql::postgres::PgSql;
use crate::{
    ChangePos, MemberRecord, SessionRecord, Store, StoreResult, SummaryPage, UserCredentials,
    WriteOp, WriteResult,
};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;
use tern_proto::{ConvId, ConversationSummary, Event, SessionId, UserId, UserProfile};

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
        let mut conn = self.pool.acquire().await?;
        accounts::create(
            &mut PgSql::new(&mut conn),
            username,
            display_name,
            password_hash,
        )
        .await
    }
    async fn user(&self, id: UserId) -> StoreResult<Option<UserProfile>> {
        let mut conn = self.pool.acquire().await?;
        accounts::by_id(&mut PgSql::new(&mut conn), id).await
    }
    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<UserProfile>> {
        let mut conn = self.pool.acquire().await?;
        accounts::by_ids(&mut PgSql::new(&mut conn), ids).await
    }
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserProfile>> {
        let mut conn = self.pool.acquire().await?;
        accounts::by_username(&mut PgSql::new(&mut conn), username).await
    }
    async fn credentials(&self, username: &str) -> StoreResult<Option<UserCredentials>> {
        let mut conn = self.pool.acquire().await?;
        accounts::credentials(&mut PgSql::new(&mut conn), username).await
    }
    async fn set_display_name(&self, id: UserId, display_name: &str) -> StoreResult<UserProfile> {
        let mut conn = self.pool.acquire().await?;
        accounts::set_display_name(&mut PgSql::new(&mut conn), id, display_name).await
    }
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8],
        device: &str,
    ) -> StoreResult<SessionRecord> {
        let mut conn = self.pool.acquire().await?;
        accounts::create_session(&mut PgSql::new(&mut conn), user, token_hash, device).await
    }
    async fn session_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<SessionRecord>> {
        let mut conn = self.pool.acquire().await?;
        accounts::session_by_token(&mut PgSql::new(&mut conn), token_hash).await
    }
    async fn sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>> {
        let mut conn = self.pool.acquire().await?;
        accounts::sessions(&mut PgSql::new(&mut conn), user).await
    }
    async fn revoke_session(&self, user: UserId, session: SessionId) -> StoreResult<bool> {
        let mut conn = self.pool.acquire().await?;
        accounts::revoke_session(&mut PgSql::new(&mut conn), user, session).await
    }

    async fn members(&self, conv: ConvId) -> StoreResult<Vec<MemberRecord>> {
        let mut conn = self.pool.acquire().await?;
        conversations::members(&mut PgSql::new(&mut conn), conv).await
    }
    async fn conversation_ids(&self, user: UserId) -> StoreResult<Vec<ConvId>> {
        let mut conn = self.pool.acquire().await?;
        conversations::conversation_ids(&mut PgSql::new(&mut conn), user).await
    }
    async fn membership(&self, conv: ConvId, user: UserId) -> StoreResult<Option<MemberRecord>> {
        let mut conn = self.pool.acquire().await?;
        conversations::membership(&mut PgSql::new(&mut conn), conv, user).await
    }
    async fn summaries(
        &self,
        user: UserId,
        since: Option<ChangePos>,
        page: Option<SummaryPage>,
    ) -> StoreResult<(Vec<ConversationSummary>, ChangePos)> {
        summaries::summaries(&self.pool, user, since, None, page).await
    }
    async fn summary(
        &self,
        user: UserId,
        conv: ConvId,
    ) -> StoreResult<Option<ConversationSummary>> {
        let (mut found, _) = summaries::summaries(&self.pool, user, None, Some(conv), None).await?;
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
        let mut conn = self.pool.acquire().await?;
        events::after(&mut PgSql::new(&mut conn), conv, after, up_to, limit).await
    }
    async fn events_before(
        &self,
        conv: ConvId,
        before: u64,
        limit: u32,
    ) -> StoreResult<Vec<Event>> {
        let mut conn = self.pool.acquire().await?;
        events::before(&mut PgSql::new(&mut conn), conv, before, limit).await
    }

    async fn follower_claim(
        &self,
        name: &str,
        holder: &str,
        lease_until: i64,
        now: i64,
    ) -> StoreResult<Option<(FollowerPos, String)>> {
        let initial = followers::current(&self.pool).await?;
        let mut conn = self.pool.acquire().await?;
        queries::followers::claim(
            &mut PgSql::new(&mut conn),
            name,
            holder,
            &initial,
            lease_until,
            now,
        )
        .await
    }
    async fn follower_read(
        &self,
        from: &FollowerPos,
        limit: u32,
    ) -> StoreResult<(Vec<Event>, FollowerPos)> {
        followers::read(&self.pool, from, limit).await
    }
    async fn follower_save(
        &self,
        name: &str,
        holder: &str,
        position: &FollowerPos,
        state: &str,
        lease_until: i64,
    ) -> StoreResult<bool> {
        let mut conn = self.pool.acquire().await?;
        queries::followers::save(
            &mut PgSql::new(&mut conn),
            name,
            holder,
            position,
            state,
            lease_until,
        )
        .await
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

    crate::conformance_tests!(open());

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
