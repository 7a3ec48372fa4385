//! Reading a conversation's events: catch-up ranges and history pages.

use super::sql_int;
use crate::StoreResult;
use sqlx::{PgConnection, PgPool};
use tern_proto::{ConvId, Event, UserId};

pub async fn after(
    pool: &PgPool,
    conv: ConvId,
    after: u64,
    up_to: u64,
    limit: u32,
) -> StoreResult<Vec<Event>> {
    sqlx::query(
        "SELECT conv_id, seq, id, sender_id, cmid, content, ts FROM events
         WHERE conv_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4",
    )
    .bind(conv.0)
    .bind(sql_int(after))
    .bind(sql_int(up_to))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?
    .iter()
    .map(crate::rows::event)
    .collect()
}

pub async fn before(
    pool: &PgPool,
    conv: ConvId,
    before: u64,
    limit: u32,
) -> StoreResult<Vec<Event>> {
    let mut events = sqlx::query(
        "SELECT conv_id, seq, id, sender_id, cmid, content, ts FROM events
         WHERE conv_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
    )
    .bind(conv.0)
    .bind(sql_int(before))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?
    .iter()
    .map(crate::rows::event)
    .collect::<StoreResult<Vec<_>>>()?;
    events.reverse();
    Ok(events)
}

pub(super) async fn at(
    conn: &mut PgConnection,
    conv: ConvId,
    seq: u64,
) -> StoreResult<Option<Event>> {
    sqlx::query(
        "SELECT conv_id, seq, id, sender_id, cmid, content, ts FROM events
         WHERE conv_id = $1 AND seq = $2",
    )
    .bind(conv.0)
    .bind(sql_int(seq))
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(crate::rows::event)
    .transpose()
}

/// Messages from others in (`read_seq`, `last_seq`]: the unread count, derived, never stored.
pub(super) async fn count_unread(
    conn: &mut PgConnection,
    conv: ConvId,
    user: UserId,
    read_seq: u64,
    last_seq: u64,
) -> StoreResult<u64> {
    if last_seq <= read_seq {
        return Ok(0);
    }
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events
         WHERE conv_id = $1 AND seq > $2 AND seq <= $3 AND counts_unread AND sender_id != $4",
    )
    .bind(conv.0)
    .bind(sql_int(read_seq))
    .bind(sql_int(last_seq))
    .bind(user.0)
    .fetch_one(conn)
    .await?;
    Ok(n as u64)
}
