//! Conversation membership and the per-member summaries behind the conversation list and sync.

use super::{events, users};
use crate::{ChangePos, MemberRecord, StoreError, StoreResult};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};
use tern_proto::{ConvId, ConversationSummary, UserId};

pub async fn members(pool: &SqlitePool, conv: ConvId) -> StoreResult<Vec<MemberRecord>> {
    sqlx::query(
        "SELECT user_id, role, read_seq, left_seq FROM members
         WHERE conv_id = ? AND left_seq IS NULL ORDER BY joined_at, user_id",
    )
    .bind(conv.0)
    .fetch_all(pool)
    .await?
    .iter()
    .map(crate::rows::member)
    .collect()
}

pub(super) async fn membership(
    conn: &mut SqliteConnection,
    conv: ConvId,
    user: UserId,
) -> StoreResult<Option<MemberRecord>> {
    sqlx::query(
        "SELECT user_id, role, read_seq, left_seq FROM members WHERE conv_id = ? AND user_id = ?",
    )
    .bind(conv.0)
    .bind(user.0)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(crate::rows::member)
    .transpose()
}

/// Reads in one transaction so the returned position matches exactly the state returned: the
/// single writer commits batches in counter order, so no change below the returned position can
/// still appear later (the commit-order trap cannot happen with one writer; see ARCHITECTURE.md).
pub async fn summaries(
    pool: &SqlitePool,
    user: UserId,
    since: Option<ChangePos>,
) -> StoreResult<(Vec<ConversationSummary>, ChangePos)> {
    summaries_where(pool, user, since, None).await
}

/// Summaries of `user`'s conversations changed after `since`, optionally only `only`.
pub(super) async fn summaries_where(
    pool: &SqlitePool,
    user: UserId,
    since: Option<ChangePos>,
    only: Option<ConvId>,
) -> StoreResult<(Vec<ConversationSummary>, ChangePos)> {
    let mut tx = pool.begin().await?;
    let pos: i64 = sqlx::query_scalar("SELECT value FROM counters WHERE name = 'change_pos'")
        .fetch_one(&mut *tx)
        .await?;
    let since = since
        .map(|s| s.parse::<u64>().map(super::sql_int))
        .transpose()
        .map_err(|_| StoreError::BadPosition)?;
    let rows = sqlx::query(
        "SELECT c.id, c.kind, c.name, c.last_seq, m.read_seq, m.left_seq,
                CASE WHEN c.kind = 'direct' THEN
                    (SELECT p.user_id FROM members p WHERE p.conv_id = c.id AND p.user_id != m.user_id)
                END AS peer_id
         FROM members m JOIN conversations c ON c.id = m.conv_id
         WHERE m.user_id = ?1
           AND (?2 IS NULL OR m.change_pos >= ?2 OR (m.left_seq IS NULL AND c.change_pos >= ?2))
           AND (?3 IS NULL OR c.id = ?3)
         ORDER BY c.last_ts DESC, c.id DESC",
    )
    .bind(user.0)
    .bind(since)
    .bind(only.map(|c| c.0))
    .fetch_all(&mut *tx)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(summary_from_row(&mut tx, user, row).await?);
    }
    tx.commit().await?;
    // Everything up to `pos` is in this snapshot; the next change gets a higher position.
    Ok((out, (pos + 1).to_string()))
}

async fn summary_from_row(
    conn: &mut SqliteConnection,
    user: UserId,
    row: &SqliteRow,
) -> StoreResult<ConversationSummary> {
    let conv = ConvId(row.try_get("id")?);
    let kind: String = row.try_get("kind")?;
    let left_seq = row.try_get::<Option<i64>, _>("left_seq")?.map(|s| s as u64);
    let last_seq = left_seq.unwrap_or(row.try_get::<i64, _>("last_seq")? as u64);
    let read_seq = row.try_get::<i64, _>("read_seq")? as u64;
    let peer = match row.try_get::<Option<i64>, _>("peer_id")? {
        Some(id) => users::by_id_on(conn, UserId(id)).await?,
        None => None,
    };
    let last_event = if last_seq > 0 {
        events::at(conn, conv, last_seq).await?
    } else {
        None
    };
    Ok(ConversationSummary {
        id: conv,
        kind: crate::rows::kind(&kind)?,
        name: row.try_get("name")?,
        peer,
        last_seq,
        read_seq,
        unread: events::count_unread(conn, conv, user, read_seq, last_seq).await?,
        active: left_seq.is_none(),
        last_event,
    })
}
