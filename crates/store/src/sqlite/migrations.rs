//! SQLite's embedded migrations and the runner that applies them at start.

use crate::{Migration, StoreError, StoreResult, now_ms};
use sqlx::{Row, SqlitePool};

/// Every SQLite migration, in order. Never edit one that has shipped: add the next number.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "core",
    sql: include_str!("../../migrations/sqlite/0001_core.sql"),
}];

pub async fn apply(pool: &SqlitePool) -> StoreResult<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL,
            checksum INTEGER NOT NULL, applied_at INTEGER NOT NULL)",
    )
    .execute(pool)
    .await?;
    let applied = sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version")
        .fetch_all(pool)
        .await?;
    let mut applied_versions = Vec::with_capacity(applied.len());
    for row in &applied {
        let version: i64 = row.try_get("version")?;
        let checksum: i64 = row.try_get("checksum")?;
        match MIGRATIONS.iter().find(|m| m.version == version) {
            None => {
                return Err(StoreError::Internal(format!(
                    "database has migration {version}, unknown to this tern build; \
                     it was written by a newer version"
                )));
            }
            Some(m) if m.checksum() != checksum => {
                return Err(StoreError::Internal(format!(
                    "migration {version} ({}) differs from the one applied to this database",
                    m.name
                )));
            }
            Some(_) => applied_versions.push(version),
        }
    }
    for m in MIGRATIONS
        .iter()
        .filter(|m| !applied_versions.contains(&m.version))
    {
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
