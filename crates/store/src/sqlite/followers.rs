//! The commit log on SQLite: one row per batch (`commit_log`, written by `writer`), in change
//! counter order, which is commit order (one writer). A follower's position is a batch and how
//! many of its events were read, `P` or `P+I`; pages may end inside a batch.

use super::writer::Transaction;
use crate::events::at;
use crate::sql::sqlite::{SqliteSql, run_now};
use crate::{FollowerPos, StoreError, StoreResult};
use rusqlite::Connection;
use tern_proto::{ConvId, Event};

/// The position a new follower starts at: after everything committed so far.
pub fn current(conn: &Connection) -> StoreResult<FollowerPos> {
    let counter: i64 = conn
        .prepare_cached("SELECT value FROM counters WHERE name = 'change_pos'")?
        .query_row([], |row| row.get(0))?;
    Ok((counter + 1).to_string())
}

fn parse(position: &str) -> Option<(i64, usize)> {
    match position.split_once('+') {
        Some((batch, skip)) => Some((batch.parse().ok()?, skip.parse().ok()?)),
        None => Some((position.parse().ok()?, 0)),
    }
}

pub fn read(
    conn: &mut Connection,
    from: &FollowerPos,
    limit: u32,
) -> StoreResult<(Vec<Event>, FollowerPos)> {
    let (mut batch, mut skip) = parse(from).ok_or(StoreError::BadPosition)?;
    let limit = limit as usize;
    let mut tx = Transaction::begin(conn, "BEGIN")?;
    let mut keys: Vec<(i64, u64)> = Vec::new();
    {
        let mut statement = tx.conn().prepare_cached(
            "SELECT pos, events FROM commit_log WHERE pos >= ?1 ORDER BY pos LIMIT ?2",
        )?;
        let mut rows = statement.query(rusqlite::params![batch, limit as i64])?;
        while let Some(row) = rows.next()? {
            let pos: i64 = row.get(0)?;
            let logged: Vec<(i64, u64)> = serde_json::from_str(&row.get::<_, String>(1)?)?;
            if pos != batch {
                (batch, skip) = (pos, 0);
            }
            let wanted = limit - keys.len();
            let take = logged.len().saturating_sub(skip).min(wanted);
            keys.extend_from_slice(&logged[skip.min(logged.len())..skip.min(logged.len()) + take]);
            skip += take;
            if skip >= logged.len() {
                (batch, skip) = (pos + 1, 0);
            }
            if keys.len() >= limit {
                break;
            }
        }
    }
    let mut sql = SqliteSql::new(tx.conn());
    let mut events = Vec::with_capacity(keys.len());
    for (conv, seq) in keys {
        let event = run_now(at(&mut sql, ConvId(conv), seq))?
            .ok_or_else(|| StoreError::Internal(format!("logged event {conv}/{seq} is missing")))?;
        events.push(event);
    }
    tx.commit()?;
    let next = if skip == 0 {
        batch.to_string()
    } else {
        format!("{batch}+{skip}")
    };
    Ok((events, next))
}
