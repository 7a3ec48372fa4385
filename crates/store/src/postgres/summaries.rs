//! Sync positions on PostgreSQL: transaction snapshots, and the summaries of what changed
//! since one.

use crate::conversations::{summaries_changed_since, summaries_of as read_summaries};
use crate::receipts::{receipts_changed_since, receipts_of};
use crate::sql::postgres::PgSql;
use crate::sql::{Arg, stmt};
use crate::{ChangePos, StoreError, StoreResult, SummaryPage};
use sqlx::PgPool;
use tern_proto::{ConvId, ConversationReceipts, ConversationSummary, UserId};

/// Summaries of `user`'s conversations changed at or after `since`, optionally only `only`.
///
/// Rows record the id of the transaction that last changed them; the returned position is this
/// read's snapshot (`xmin:xmax:in-progress ids`). Next time, exactly the rows whose last change
/// is *not visible* in that snapshot are returned: a transaction still running during this read
/// (on any node), or started after it. A change committed late on another node is therefore
/// never skipped (the commit-order trap), and nothing already reported is reported again.
pub(super) async fn summaries(
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
    let statement = stmt!(summaries_changed_since!(
        "NOT pg_visible_in_snapshot(m.change_pos::text::xid8, $2::pg_snapshot)
         OR (m.left_seq IS NULL
             AND NOT pg_visible_in_snapshot(c.change_pos::text::xid8, $2::pg_snapshot))"
    ));
    let since = since.as_deref();
    let out = read_summaries(
        &mut PgSql::new(&mut tx),
        statement,
        user,
        Arg::OptText(since),
        only,
        page,
    )
    .await?;
    tx.commit().await?;
    Ok((out, pos))
}

/// The other members' read positions in `convs` that moved since the snapshot `since` (changes
/// not visible in it, as for `summaries`).
pub(super) async fn receipts_since(
    pool: &PgPool,
    user: UserId,
    convs: &[ConvId],
    since: &str,
) -> StoreResult<Vec<ConversationReceipts>> {
    snapshot_xmax(since).ok_or(StoreError::BadPosition)?;
    let statement = stmt!(receipts_changed_since!(
        "NOT pg_visible_in_snapshot(o.change_pos::text::xid8, $2::pg_snapshot)"
    ));
    let mut conn = pool.acquire().await?;
    receipts_of(
        &mut PgSql::new(&mut conn),
        statement,
        user,
        convs,
        Arg::Text(since),
    )
    .await
}

/// The `xmax` of a snapshot in its text form (see `snapshot_bounds`).
fn snapshot_xmax(s: &str) -> Option<u64> {
    snapshot_bounds(s).map(|(_, xmax)| xmax)
}

/// The `xmin` and `xmax` of a snapshot in its text form, `xmin:xmax:xip,xip,...` with decimal
/// ids, if it is one that PostgreSQL could have written: xmin <= every xip < xmax.
pub(super) fn snapshot_bounds(s: &str) -> Option<(u64, u64)> {
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
    Some((xmin, xmax))
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
