//! Windows of the commit log on PostgreSQL: a window is what became visible between two
//! snapshots, the same test as sync's, so a batch that commits late on another node is never
//! skipped and nothing is read twice.

use super::summaries::snapshot_bounds;
use crate::followers::WindowPos;
use crate::rows::event;
use crate::sql::postgres::PgSql;
use crate::sql::{Sql, args, stmt};
use crate::{FollowerPos, StoreError, StoreResult};
use sqlx::PgPool;
use tern_proto::Event;

/// The position a new follower starts at: after everything committed so far.
pub async fn current(pool: &PgPool) -> StoreResult<FollowerPos> {
    Ok(sqlx::query_scalar("SELECT pg_current_snapshot()::text")
        .fetch_one(pool)
        .await?)
}

pub async fn read(
    pool: &PgPool,
    from: &FollowerPos,
    limit: u32,
) -> StoreResult<(Vec<Event>, FollowerPos)> {
    let position = WindowPos::parse(from).ok_or(StoreError::BadPosition)?;
    let (since_xmin, _) = snapshot_bounds(&position.since).ok_or(StoreError::BadPosition)?;
    let until = match &position.until {
        Some(until) => until.clone(),
        None => current(pool).await?,
    };
    snapshot_bounds(&until).ok_or(StoreError::BadPosition)?;
    let (conv, seq) = position.after;
    let mut conn = pool.acquire().await?;
    let mut events = PgSql::new(&mut conn)
        .all(
            stmt!(
                "SELECT conv_id, seq, id, sender_id, cmid, content, ts, edited_at, rev FROM events
                 WHERE pos >= $1
                   AND NOT pg_visible_in_snapshot(pos::text::xid8, $2::pg_snapshot)
                   AND pg_visible_in_snapshot(pos::text::xid8, $3::pg_snapshot)
                   AND (conv_id > $4 OR (conv_id = $4 AND seq > $5))
                 ORDER BY conv_id, seq LIMIT $6"
            ),
            args![
                since_xmin as i64,
                position.since.as_str(),
                until.as_str(),
                conv,
                seq,
                i64::from(limit) + 1
            ],
            |row| event(row),
        )
        .await?;
    let next = if events.len() > limit as usize {
        events.truncate(limit as usize);
        let last = events
            .last()
            .map_or((conv, seq), |e| (e.conv.0, e.seq as i64));
        WindowPos {
            since: position.since,
            until: Some(until),
            after: last,
        }
    } else {
        WindowPos {
            since: until,
            until: None,
            after: (0, 0),
        }
    };
    Ok((events, next.format()))
}
