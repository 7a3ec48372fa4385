//! SQLite's embedded migrations and their application at start.

use crate::migrate::pending;
use crate::{Migration, StoreResult, now_ms};
use rusqlite::{Connection, params};

/// Every SQLite migration, in order (declared in `migrate.rs`).
pub const MIGRATIONS: &[Migration] = crate::migrate::SQLITE;

/// Applies what is pending, each migration in its own transaction with its record.
pub fn apply(conn: &mut Connection) -> StoreResult<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL,
            checksum INTEGER NOT NULL, applied_at INTEGER NOT NULL)",
    )?;
    let applied = conn
        .prepare("SELECT version, checksum FROM schema_migrations ORDER BY version")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    for m in pending(MIGRATIONS, &applied)? {
        let tx = conn.transaction()?;
        tx.execute_batch(m.sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
            params![m.version, m.name, m.checksum(), now_ms()],
        )?;
        tx.commit()?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    Ok(())
}
