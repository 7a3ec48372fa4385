//! SQLite's embedded migrations and their application at start.

use crate::migrate::pending;
use crate::{Migration, StoreResult, now_ms};
use rusqlite::{Connection, params};

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
    Migration {
        version: 4,
        name: "followers",
        sql: include_str!("../../migrations/sqlite/0004_followers.sql"),
    },
];

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
