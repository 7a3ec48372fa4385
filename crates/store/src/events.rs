//! A conversation's events: the write batch every conversation change goes through, and the
//! reads of catch-up ranges, history pages and the unread count.

use crate::backend::Backend;
use crate::rows::event;
use crate::sql::{Sql, args, sql_int, stmt};
use crate::{StoreResult, WriteOp, WriteResult};
use async_trait::async_trait;
use tern_proto::{Content, ConvId, Event, Reactions, UserId};

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
    /// Every version of the message at `target`, the original first, as (text, time); `None`
    /// when there is no message there (or it was recalled).
    async fn versions(&self, conv: ConvId, target: u64) -> StoreResult<Option<Vec<(String, i64)>>>;
    /// The pinned messages of `conv`, most recently pinned first.
    async fn pins(&self, conv: ConvId) -> StoreResult<Vec<PinRecord>>;
}

/// A pinned message, who pinned it and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinRecord {
    pub event: Event,
    pub by: UserId,
    pub ts: i64,
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
    async fn versions(&self, conv: ConvId, target: u64) -> StoreResult<Option<Vec<(String, i64)>>> {
        self.read_job(move |sql| Box::pin(versions(sql, conv, target)))
            .await
    }
    async fn pins(&self, conv: ConvId) -> StoreResult<Vec<PinRecord>> {
        self.read_job(move |sql| Box::pin(pins(sql, conv))).await
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
    let events = sql
        .all(
            stmt!(
                "SELECT conv_id, seq, id, sender_id, cmid, content, ts, edited_at, rev FROM events
                 WHERE conv_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4"
            ),
            args![conv.0, sql_int(after), sql_int(up_to), i64::from(limit)],
            |row| event(row),
        )
        .await?;
    with_reactions(sql, conv, events).await
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
                "SELECT conv_id, seq, id, sender_id, cmid, content, ts, edited_at, rev FROM events
                 WHERE conv_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"
            ),
            args![conv.0, sql_int(before), i64::from(limit)],
            |row| event(row),
        )
        .await?;
    events.reverse();
    with_reactions(sql, conv, events).await
}

pub(crate) async fn at(sql: &mut impl Sql, conv: ConvId, seq: u64) -> StoreResult<Option<Event>> {
    sql.one(
        stmt!(
            "SELECT conv_id, seq, id, sender_id, cmid, content, ts, edited_at, rev FROM events
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

/// Fills in the reactions of those `events` that have any. Only a changed message (`rev` set)
/// can have reactions, so a page of unchanged messages costs no extra read.
async fn with_reactions(
    sql: &mut impl Sql,
    conv: ConvId,
    mut events: Vec<Event>,
) -> StoreResult<Vec<Event>> {
    let changed: Vec<u64> = events
        .iter()
        .filter(|e| e.rev.is_some())
        .map(|e| e.seq)
        .collect();
    let (Some(&first), Some(&last)) = (changed.first(), changed.last()) else {
        return Ok(events);
    };
    let rows = sql
        .all(
            stmt!(
                "SELECT seq, emoji, user_id FROM reactions
                  WHERE conv_id = $1 AND seq >= $2 AND seq <= $3
                  ORDER BY seq, COALESCE(added_seq, 0), ts, user_id"
            ),
            args![conv.0, sql_int(first), sql_int(last)],
            |row| {
                Ok((
                    row.int("seq")? as u64,
                    row.text("emoji")?,
                    UserId(row.int("user_id")?),
                ))
            },
        )
        .await?;
    for (seq, emoji, user) in rows {
        let Some(event) = events.iter_mut().find(|e| e.seq == seq) else {
            continue;
        };
        match event.reactions.iter_mut().find(|r| r.emoji == emoji) {
            Some(reactions) => reactions.users.push(user),
            None => event.reactions.push(Reactions {
                emoji,
                users: vec![user],
            }),
        }
    }
    Ok(events)
}

/// Messages in (`read_seq`, `last_seq`] from others that mention `user` or everyone: the count
/// of unread mentions, derived like the unread count.
pub(crate) async fn count_unread_mentions(
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
                "SELECT count(*) AS n FROM mentions
                 WHERE conv_id = $1 AND user_id IN ($4, 0) AND seq > $2 AND seq <= $3
                   AND sender_id <> $4"
            ),
            args![conv.0, sql_int(read_seq), sql_int(last_seq), user.0],
            |row| row.int("n"),
        )
        .await?;
    Ok(n.unwrap_or(0) as u64)
}

async fn versions(
    sql: &mut impl Sql,
    conv: ConvId,
    target: u64,
) -> StoreResult<Option<Vec<(String, i64)>>> {
    let message = sql
        .one(
            stmt!("SELECT content, original, ts FROM events WHERE conv_id = $1 AND seq = $2"),
            args![conv.0, sql_int(target)],
            |row| {
                Ok((
                    row.text("content")?,
                    row.opt_text("original")?,
                    row.int("ts")?,
                ))
            },
        )
        .await?;
    let Some((content, original, ts)) = message else {
        return Ok(None);
    };
    let Content::Text { text, .. } =
        serde_json::from_str::<Content>(original.as_deref().unwrap_or(&content))?
    else {
        return Ok(None);
    };
    let mut versions = vec![(text, ts)];
    // Changes to a message share its `target`; the edits among them are the ones whose content
    // starts with the edit tag (serde writes an internally tagged enum's tag first).
    let edits = sql
        .all(
            stmt!(
                "SELECT content, ts FROM events
                  WHERE conv_id = $1 AND target = $2 AND content LIKE '{\"type\":\"edit\"%'
                  ORDER BY seq"
            ),
            args![conv.0, sql_int(target)],
            |row| Ok((row.text("content")?, row.int("ts")?)),
        )
        .await?;
    for (content, ts) in edits {
        if let Content::Edit { text, .. } = serde_json::from_str(&content)? {
            versions.push((text, ts));
        }
    }
    Ok(Some(versions))
}

async fn pins(sql: &mut impl Sql, conv: ConvId) -> StoreResult<Vec<PinRecord>> {
    let pinned = sql
        .all(
            stmt!("SELECT seq, by_id, ts FROM pins WHERE conv_id = $1 ORDER BY ts DESC, seq DESC"),
            args![conv.0],
            |row| {
                Ok((
                    row.int("seq")? as u64,
                    UserId(row.int("by_id")?),
                    row.int("ts")?,
                ))
            },
        )
        .await?;
    let mut out = Vec::with_capacity(pinned.len());
    for (seq, by, ts) in pinned {
        if let Some(event) = at(sql, conv, seq).await? {
            let mut events = with_reactions(sql, conv, vec![event]).await?;
            if let Some(event) = events.pop() {
                out.push(PinRecord { event, by, ts });
            }
        }
    }
    Ok(out)
}
