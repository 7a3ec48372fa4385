//! A conversation's events: the write batch every conversation change goes through, and the
//! reads of catch-up ranges, history pages and the unread count.

use crate::backend::Backend;
use crate::rows::event;
use crate::sql::{Sql, args, sql_int, stmt};
use crate::{StoreResult, WriteOp, WriteResult};
use async_trait::async_trait;
use tern_proto::{ConvId, Event, UserId};

/// Conversation state changes all go through [`EventStore::write`], in batches, so that seq
/// allocation and the change counter are assigned in one transaction with the data they describe.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Applies `ops` in order in one transaction and returns one result per op. A refused op
    /// changes nothing and does not affect the others; a `StoreError` means nothing was stored.
    async fn write(&self, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>>;
    /// Up to `limit` events with seq in (`after`, `up_to`], oldest first.
    async fn events_after(
        &self,
        conv: ConvId,
        after: u64,
        up_to: u64,
        limit: u32,
    ) -> StoreResult<Vec<Event>>;
    /// Up to `limit` events with seq < `before`, the newest of them, returned oldest first.
    async fn events_before(&self, conv: ConvId, before: u64, limit: u32)
    -> StoreResult<Vec<Event>>;
}

#[async_trait]
impl<B: Backend> EventStore for B {
    async fn write(&self, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>> {
        self.apply(ops).await
    }
    async fn events_after(
        &self,
        conv: ConvId,
        after: u64,
        up_to: u64,
        limit: u32,
    ) -> StoreResult<Vec<Event>> {
        self.read_job(move |sql| Box::pin(range(sql, conv, after, up_to, limit)))
            .await
    }
    async fn events_before(
        &self,
        conv: ConvId,
        before: u64,
        limit: u32,
    ) -> StoreResult<Vec<Event>> {
        self.read_job(move |sql| Box::pin(page_before(sql, conv, before, limit)))
            .await
    }
}

/// Up to `limit` events with seq in (`after`, `up_to`], oldest first.
async fn range(
    sql: &mut impl Sql,
    conv: ConvId,
    after: u64,
    up_to: u64,
    limit: u32,
) -> StoreResult<Vec<Event>> {
    sql.all(
        stmt!(
            "SELECT conv_id, seq, id, sender_id, cmid, content, ts FROM events
             WHERE conv_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4"
        ),
        args![conv.0, sql_int(after), sql_int(up_to), i64::from(limit)],
        |row| event(row),
    )
    .await
}

/// Up to `limit` events with seq < `before`, the newest of them, oldest first.
async fn page_before(
    sql: &mut impl Sql,
    conv: ConvId,
    before: u64,
    limit: u32,
) -> StoreResult<Vec<Event>> {
    let mut events = sql
        .all(
            stmt!(
                "SELECT conv_id, seq, id, sender_id, cmid, content, ts FROM events
                 WHERE conv_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"
            ),
            args![conv.0, sql_int(before), i64::from(limit)],
            |row| event(row),
        )
        .await?;
    events.reverse();
    Ok(events)
}

pub(crate) async fn at(sql: &mut impl Sql, conv: ConvId, seq: u64) -> StoreResult<Option<Event>> {
    sql.one(
        stmt!(
            "SELECT conv_id, seq, id, sender_id, cmid, content, ts FROM events
             WHERE conv_id = $1 AND seq = $2"
        ),
        args![conv.0, sql_int(seq)],
        |row| event(row),
    )
    .await
}

/// Messages from others in (`read_seq`, `last_seq`]: the unread count, derived, never stored.
pub(crate) async fn count_unread(
    sql: &mut impl Sql,
    conv: ConvId,
    user: UserId,
    read_seq: u64,
    last_seq: u64,
) -> StoreResult<u64> {
    if last_seq <= read_seq {
        return Ok(0);
    }
    let n = sql
        .one(
            stmt!(
                "SELECT count(*) AS n FROM events
                 WHERE conv_id = $1 AND seq > $2 AND seq <= $3 AND counts_unread
                   AND sender_id <> $4"
            ),
            args![conv.0, sql_int(read_seq), sql_int(last_seq), user.0],
            |row| row.int("n"),
        )
        .await?;
    Ok(n.unwrap_or(0) as u64)
}
