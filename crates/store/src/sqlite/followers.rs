//! Windows of the commit log on SQLite: a window is a range of change counter values, every
//! batch in it committed (one writer commits in counter order).

use super::writer::Transaction;
use crate::queries::followers::WindowPos;
use crate::rows::event;
use crate::sql::sqlite::{SqliteSql, run_now};
use crate::sql::{Sql, args, stmt};
use crate::{FollowerPos, StoreError, StoreResult};
use rusqlite::Connection;
use tern_proto::Event;

/// The position a new follower starts at: after everything committed so far.
pub fn current(conn: &Connection) -> StoreResult<FollowerPos> {
    Ok((counter(conn)? + 1).to_string())
}

fn counter(conn: &Connection) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached("SELECT value FROM counters WHERE name = 'change_pos'")?
        .query_row([], |row| row.get(0))?)
}

pub fn read(
    conn: &mut Connection,
    from: &FollowerPos,
    limit: u32,
) -> StoreResult<(Vec<Event>, FollowerPos)> {
    let position = WindowPos::parse(from).ok_or(StoreError::BadPosition)?;
    let since: i64 = position
        .since
        .parse()
        .map_err(|_| StoreError::BadPosition)?;
    let mut tx = Transaction::begin(conn, "BEGIN")?;
    let until: i64 = match &position.until {
        Some(until) => until.parse().map_err(|_| StoreError::BadPosition)?,
        None => counter(tx.conn())?,
    };
    let (conv, seq) = position.after;
    let mut sql = SqliteSql::new(tx.conn());
    let mut events = run_now(sql.all(
        stmt!(
            "SELECT conv_id, seq, id, sender_id, cmid, content, ts FROM events
             WHERE pos >= $1 AND pos <= $2 AND (conv_id > $3 OR (conv_id = $3 AND seq > $4))
             ORDER BY conv_id, seq LIMIT $5"
        ),
        args![since, until, conv, seq, i64::from(limit) + 1],
        |row| event(row),
    ))?;
    tx.commit()?;
    let next = if events.len() > limit as usize {
        events.truncate(limit as usize);
        let last = events
            .last()
            .map_or((conv, seq), |e| (e.conv.0, e.seq as i64));
        WindowPos {
            since: position.since,
            until: Some(until.to_string()),
            after: last,
        }
    } else {
        WindowPos {
            since: (until + 1).to_string(),
            until: None,
            after: (0, 0),
        }
    };
    Ok((events, next.format()))
}
