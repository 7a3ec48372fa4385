//! SQLite's embedded migrations and their application at start.

use crate::migrate::pending;
use crate::{Migration, StoreResult, now_ms};
use sqlx::SqlitePool;

/// Every SQLite migration, in order. Never edit one that has shipped: add the next number.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "core",
        sql: include_str!("../../migrations/sqlite/0001_core.sql"),
    },
    Migration {
        version: 2,
        name: "append_in_one_statement",
        sql: include_str!("../../migrations/sqlite/0002_append_in_one_statement.sql"),
    },
    Migration {
        version: 3,
        name: "append_in_one_statement_postgres",
        sql: include_str!("../../migrations/sqlite/0003_append_in_one_statement_postgres.sql"),
    },
];

pub async fn apply(pool: &SqlitePool) -> StoreResult<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL,
            checksum INTEGER NOT NULL, applied_at INTEGER NOT NULL)",
    )
    .execute(pool)
    .await?;
    let applied: Vec<(i64, i64)> =
        sqlx::query_as("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(pool)
            .await?;
    for m in pending(MIGRATIONS, &applied)? {
        let mut tx = pool.begin().await?;
        sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(m.checksum())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    Ok(())
}
