//! The PostgreSQL backend, for several tern nodes sharing one database: the same records and
//! rules as SQLite, with seqs allocated under a row lock on the conversation and change
//! positions taken from transaction ids (see `summaries` for the watermark).

mod followers;
mod migrations;
mod summaries;
mod writer;

pub use migrations::MIGRATIONS;

use crate::backend::{AnySql, Backend, Job};
use crate::sql::postgres::PgSql;
use crate::{ChangePos, FollowerPos, StoreResult, SummaryPage, WriteOp, WriteResult};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;
use tern_proto::{ConvId, ConversationReceipts, ConversationSummary, Event, UserId};

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

impl Backend for PgStore {
    async fn read_job<T: Send + 'static>(&self, job: impl Job<T>) -> StoreResult<T> {
        let mut conn = self.pool.acquire().await?;
        job(&mut AnySql::Postgres(PgSql::new(&mut conn))).await
    }

    async fn write_job<T: Send + 'static>(&self, job: impl Job<T>) -> StoreResult<T> {
        // Single writes need no more than their own statement's atomicity; batches have `apply`.
        self.read_job(job).await
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1 FROM schema_migrations LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn apply(&self, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>> {
        writer::write(&self.pool, ops).await
    }

    async fn summaries(
        &self,
        user: UserId,
        since: Option<ChangePos>,
        only: Option<ConvId>,
        page: Option<SummaryPage>,
    ) -> StoreResult<(Vec<ConversationSummary>, ChangePos)> {
        summaries::summaries(&self.pool, user, since, only, page).await
    }

    async fn receipts_since(
        &self,
        user: UserId,
        convs: Vec<ConvId>,
        since: ChangePos,
    ) -> StoreResult<Vec<ConversationReceipts>> {
        summaries::receipts_since(&self.pool, user, &convs, &since).await
    }

    async fn log_position(&self) -> StoreResult<FollowerPos> {
        followers::current(&self.pool).await
    }

    async fn log_read(
        &self,
        from: &FollowerPos,
        limit: u32,
    ) -> StoreResult<(Vec<Event>, FollowerPos)> {
        followers::read(&self.pool, from, limit).await
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
