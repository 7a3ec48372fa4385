//! Conversation membership and the per-member summaries behind the conversation list and sync.

use super::{events, users};
use crate::{ChangePos, MemberRecord, StoreError, StoreResult, SummaryPage};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use tern_proto::{ConvId, ConversationSummary, UserId};

pub async fn members(pool: &PgPool, conv: ConvId) -> StoreResult<Vec<MemberRecord>> {
    sqlx::query(
        "SELECT user_id, role, read_seq, left_seq FROM members
         WHERE conv_id = $1 AND left_seq IS NULL ORDER BY joined_at, user_id",
    )
    .bind(conv.0)
    .fetch_all(pool)
    .await?
    .iter()
    .map(crate::rows::member)
    .collect()
}

pub(super) async fn membership(
    conn: &mut PgConnection,
    conv: ConvId,
    user: UserId,
) -> StoreResult<Option<MemberRecord>> {
    sqlx::query(
        "SELECT user_id, role, read_seq, left_seq FROM members WHERE conv_id = $1 AND user_id = $2",
    )
    .bind(conv.0)
    .bind(user.0)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(crate::rows::member)
    .transpose()
}

/// Summaries of `user`'s conversations changed at or after `since`, optionally only `only`.
///
/// Rows record the id of the transaction that last changed them; the returned position is this
/// read's snapshot (`xmin:xmax:in-progress ids`). Next time, exactly the rows whose last change
/// is *not visible* in that snapshot are returned: a transaction still running during this read
/// (on any node), or started after it. A change committed late on another node is therefore
/// never skipped (the commit-order trap), and nothing already reported is reported again.
pub(super) async fn summaries_where(
    pool: &PgPool,
    user: UserId,
    since: Option<ChangePos>,
    only: Option<ConvId>,
    page: Option<SummaryPage>,
) -> StoreResult<(Vec<ConversationSummary>, ChangePos)> {
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let since_xmax = match &since {
        Some(s) => Some(snapshot_xmax(s).ok_or(StoreError::BadPosition)?),
        None => None,
    };
    let pos: String = sqlx::query_scalar("SELECT pg_current_snapshot()::text")
        .fetch_one(&mut *tx)
        .await?;
    // A position from the future (another deployment's, or a restored database's) would
    // report nothing and hand back the current one: the client would skip everything between.
    if let (Some(since), Some(now)) = (since_xmax, snapshot_xmax(&pos))
        && since > now
    {
        return Err(StoreError::BadPosition);
    }
    let rows = sqlx::query(
        "SELECT c.id, c.kind, c.name, c.last_seq, m.read_seq, m.left_seq,
                CASE WHEN c.kind = 'direct' THEN
                    (SELECT p.user_id FROM members p WHERE p.conv_id = c.id AND p.user_id <> m.user_id)
                END AS peer_id
         FROM members m JOIN conversations c ON c.id = m.conv_id
         WHERE m.user_id = $1
           AND ($2::pg_snapshot IS NULL
                OR NOT pg_visible_in_snapshot(m.change_pos::text::xid8, $2::pg_snapshot)
                OR (m.left_seq IS NULL
                    AND NOT pg_visible_in_snapshot(c.change_pos::text::xid8, $2::pg_snapshot)))
           AND ($3::bigint IS NULL OR c.id = $3)
           AND ($4::bigint IS NULL OR c.id > $4)
         ORDER BY CASE WHEN $4::bigint IS NULL THEN NULL ELSE c.id END,
                  c.last_ts DESC, c.id DESC
         LIMIT $5",
    )
    .bind(user.0)
    .bind(since)
    .bind(only.map(|c| c.0))
    .bind(page.map(|p| p.after.0))
    .bind(page.map(|p| i64::from(p.limit)))
    .fetch_all(&mut *tx)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(summary_from_row(&mut tx, user, row).await?);
    }
    tx.commit().await?;
    Ok((out, pos))
}

/// The `xmax` of a snapshot in its text form, `xmin:xmax:xip,xip,...` with decimal ids, if it
/// is one that PostgreSQL could have written: xmin <= every xip < xmax.
fn snapshot_xmax(s: &str) -> Option<u64> {
    let number = |p: &str| -> Option<u64> {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // xid8 values live below 2^63 (PostgreSQL casts them from bigint).
        p.parse::<u64>().ok().filter(|&n| n <= i64::MAX as u64)
    };
    let mut parts = s.split(':');
    let (Some(xmin), Some(xmax), Some(xip), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let (xmin, xmax) = (number(xmin)?, number(xmax)?);
    if xmin == 0 || xmin > xmax {
        return None;
    }
    if !xip.is_empty() {
        for id in xip.split(',') {
            let id = number(id)?;
            if id < xmin || id >= xmax {
                return None;
            }
        }
    }
    Some(xmax)
}

async fn summary_from_row(
    conn: &mut PgConnection,
    user: UserId,
    row: &PgRow,
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

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot_positions_are_checked_before_postgresql_sees_them() {
        assert_eq!(super::snapshot_xmax("10:12:10,11"), Some(12));
        assert_eq!(super::snapshot_xmax("10:10:"), Some(10));
        for bad in [
            "",
            "1:2",
            "a:b:",
            "12:10:",
            "10:12:12",
            "10:12:9",
            "0:0:",
            "1:99999999999999999999:",
            "1:2:3:4",
        ] {
            assert_eq!(super::snapshot_xmax(bad), None, "{bad}");
        }
    }
}
