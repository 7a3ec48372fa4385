//! PostgreSQL's embedded migrations, applied under an advisory lock so that several nodes
//! starting at once apply each migration exactly once.

use crate::migrate::pending;
use crate::{Migration, StoreResult, now_ms};
use sqlx::PgPool;

/// Every PostgreSQL migration, in order (declared in `migrate.rs`).
pub const MIGRATIONS: &[Migration] = crate::migrate::POSTGRES;

/// Arbitrary but fixed: the advisory lock key tern's migrations hold.
const MIGRATION_LOCK: i64 = 0x7465_726e;

pub async fn apply(pool: &PgPool) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY, name TEXT NOT NULL,
            checksum BIGINT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    let applied: Vec<(i64, i64)> =
        sqlx::query_as("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&mut *tx)
            .await?;
    for m in pending(MIGRATIONS, &applied)? {
        sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(m.checksum())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    tx.commit().await?;
    Ok(())
}
