//! Sync positions on SQLite: a counter every write batch bumps, and the summaries of what
//! changed at or after one.
//!
//! Reads in one transaction so the returned position matches exactly the state returned: the
//! single writer commits batches in counter order, so no change below the returned position can
//! still appear later (the commit-order trap cannot happen with one writer; see ARCHITECTURE.md).

use super::writer::Transaction;
use crate::conversations::{summaries_changed_since, summaries_of as read_summaries};
use crate::receipts::{receipts_changed_since, receipts_of};
use crate::sql::sqlite::{SqliteSql, run_now};
use crate::sql::{Arg, stmt};
use crate::{ChangePos, StoreError, StoreResult, SummaryPage};
use rusqlite::Connection;
use tern_proto::{ConvId, ConversationReceipts, ConversationSummary, UserId};

/// Summaries of `user`'s conversations changed at or after `since` (all for `None`),
/// optionally only `only` or one `page`, and the position to pass next time.
pub fn summaries(
    conn: &mut Connection,
    user: UserId,
    since: Option<ChangePos>,
    only: Option<ConvId>,
    page: Option<SummaryPage>,
) -> StoreResult<(Vec<ConversationSummary>, ChangePos)> {
    let since = since
        .map(|s| s.parse::<u64>().map(crate::sql::sql_int))
        .transpose()
        .map_err(|_| StoreError::BadPosition)?;
    let mut tx = Transaction::begin(conn, "BEGIN")?;
    let pos: i64 = tx
        .conn()
        .prepare_cached("SELECT value FROM counters WHERE name = 'change_pos'")?
        .query_row([], |row| row.get(0))?;
    // A position from the future (another deployment's, a restored backup's) would report
    // nothing and hand back the current one: the client would skip everything in between.
    if since.is_some_and(|since| since > pos + 1) {
        return Err(StoreError::BadPosition);
    }
    let statement = stmt!(summaries_changed_since!(
        "m.change_pos >= $2 OR (m.left_seq IS NULL AND c.change_pos >= $2)"
    ));
    let mut sql = SqliteSql::new(tx.conn());
    let found = run_now(read_summaries(
        &mut sql,
        statement,
        user,
        Arg::OptInt(since),
        only,
        page,
    ))?;
    tx.commit()?;
    // Everything up to `pos` is in this snapshot; the next change gets a higher position.
    Ok((found, (pos + 1).to_string()))
}

/// The other members' read positions in `convs` that moved at or after `since`.
pub fn receipts_since(
    conn: &mut Connection,
    user: UserId,
    convs: &[ConvId],
    since: &str,
) -> StoreResult<Vec<ConversationReceipts>> {
    let since = since
        .parse::<u64>()
        .map(crate::sql::sql_int)
        .map_err(|_| StoreError::BadPosition)?;
    let statement = stmt!(receipts_changed_since!("o.change_pos >= $2"));
    let mut sql = SqliteSql::new(conn);
    run_now(receipts_of(
        &mut sql,
        statement,
        user,
        convs,
        Arg::Int(since),
    ))
}
