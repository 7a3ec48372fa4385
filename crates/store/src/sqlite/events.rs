//! Reading a conversation's events: catch-up ranges and history pages.

use super::{query_all, query_one, sql_int};
use crate::StoreResult;
use crate::rows::event;
use rusqlite::{Connection, params};
use tern_proto::{ConvId, Event, UserId};

pub fn after(
    conn: &Connection,
    conv: ConvId,
    after: u64,
    up_to: u64,
    limit: u32,
) -> StoreResult<Vec<Event>> {
    query_all(
        conn,
        "SELECT conv_id, seq, id, sender_id, cmid, content, ts FROM events
         WHERE conv_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
        params![conv.0, sql_int(after), sql_int(up_to), limit],
        |row| event(row),
    )
}

pub fn before(conn: &Connection, conv: ConvId, before: u64, limit: u32) -> StoreResult<Vec<Event>> {
    let mut events = query_all(
        conn,
        "SELECT conv_id, seq, id, sender_id, cmid, content, ts FROM events
         WHERE conv_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
        params![conv.0, sql_int(before), limit],
        |row| event(row),
    )?;
    events.reverse();
    Ok(events)
}

pub(super) fn at(conn: &Connection, conv: ConvId, seq: u64) -> StoreResult<Option<Event>> {
    query_one(
        conn,
        "SELECT conv_id, seq, id, sender_id, cmid, content, ts FROM events
         WHERE conv_id = ? AND seq = ?",
        params![conv.0, sql_int(seq)],
        |row| event(row),
    )
}

/// Messages from others in (`read_seq`, `last_seq`]: the unread count, derived, never stored.
pub(super) fn count_unread(
    conn: &Connection,
    conv: ConvId,
    user: UserId,
    read_seq: u64,
    last_seq: u64,
) -> StoreResult<u64> {
    if last_seq <= read_seq {
        return Ok(0);
    }
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM events
             WHERE conv_id = ? AND seq > ? AND seq <= ? AND counts_unread = 1 AND sender_id != ?",
        )?
        .query_row(
            params![conv.0, sql_int(read_seq), sql_int(last_seq), user.0],
            |row| row.get(0),
        )?;
    Ok(n as u64)
}
