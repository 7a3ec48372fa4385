//! Conversation writes on SQLite: one `BEGIN IMMEDIATE` transaction per batch of ops (group
//! commit), run start to finish on the writer thread. The ops themselves are `write::apply`;
//! what is SQLite's own is the transaction and the change counter every batch bumps.

use crate::sql::sqlite::{SqliteSql, run_now};
use crate::write::apply::Batch;
use crate::{StoreResult, WriteOp, WriteOutcome, WriteResult, now_ms};
use rusqlite::Connection;

pub fn write(conn: &mut Connection, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>> {
    let mut tx = Transaction::begin(conn, "BEGIN IMMEDIATE")?;
    let pos: i64 = tx
        .conn()
        .prepare_cached(
            "UPDATE counters SET value = value + 1 WHERE name = 'change_pos' RETURNING value",
        )?
        .query_row([], |row| row.get(0))?;
    let mut sql = SqliteSql::new(tx.conn());
    let mut batch = Batch {
        sql: &mut sql,
        pos,
        now: now_ms(),
    };
    let results = run_now(async {
        let mut results = Vec::with_capacity(ops.len());
        for op in ops {
            results.push(batch.apply(op).await?);
        }
        Ok(results)
    })?;
    log_batch(tx.conn(), pos, &results)?;
    tx.commit()?;
    Ok(results)
}

/// Prune the commit log once per this many batches.
const PRUNE_EVERY: i64 = 1024;

/// Records which events the batch stored, in order (the commit log followers read; see
/// `followers`), and now and then forgets what every follower has read.
fn log_batch(conn: &Connection, pos: i64, results: &[WriteResult]) -> StoreResult<()> {
    let keys: Vec<(i64, u64)> = results
        .iter()
        .flat_map(|result| match result {
            Ok(WriteOutcome::Appended {
                event,
                duplicate: false,
            })
            | Ok(WriteOutcome::MembershipChanged { event, .. }) => std::slice::from_ref(event),
            Ok(WriteOutcome::Changed {
                events,
                duplicate: false,
            }) => events.as_slice(),
            _ => &[],
        })
        .map(|event| (event.conv.0, event.seq))
        .collect();
    if !keys.is_empty() {
        conn.prepare_cached("INSERT INTO commit_log (pos, events) VALUES (?1, ?2)")?
            .execute(rusqlite::params![pos, serde_json::to_string(&keys)?])?;
    }
    if pos % PRUNE_EVERY == 0 {
        // A new follower starts at the current position, so with no followers nothing is kept.
        conn.prepare_cached(
            "DELETE FROM commit_log WHERE pos < coalesce(
                (SELECT min(CAST(position AS INTEGER)) FROM followers), ?1)",
        )?
        .execute([pos])?;
    }
    Ok(())
}

/// A transaction on a connection, rolled back unless committed: also when its work fails or
/// panics (the writer thread lives on, see `workers`).
pub(super) struct Transaction<'c> {
    conn: &'c mut Connection,
    open: bool,
}

impl<'c> Transaction<'c> {
    /// Starts one with `begin` (`BEGIN` for a read snapshot, `BEGIN IMMEDIATE` for writes).
    pub(super) fn begin(conn: &'c mut Connection, begin: &str) -> StoreResult<Self> {
        conn.execute_batch(begin)?;
        Ok(Transaction { conn, open: true })
    }

    pub(super) fn conn(&mut self) -> &mut Connection {
        self.conn
    }

    pub(super) fn commit(mut self) -> StoreResult<()> {
        self.open = false;
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            // A failed COMMIT (a full disk, say) may leave the transaction open.
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(e.into());
        }
        Ok(())
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
