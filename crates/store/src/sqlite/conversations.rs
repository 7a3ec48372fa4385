//! Conversation membership and the per-member summaries behind the conversation list and sync.

use super::{events, query_all, query_one, users};
use crate::{ChangePos, MemberRecord, StoreError, StoreResult, SummaryPage};
use rusqlite::{Connection, params};
use tern_proto::{ConvId, ConversationSummary, UserId};

pub fn members(conn: &Connection, conv: ConvId) -> StoreResult<Vec<MemberRecord>> {
    query_all(
        conn,
        "SELECT user_id, role, read_seq, left_seq FROM members
         WHERE conv_id = ? AND left_seq IS NULL ORDER BY joined_at, user_id",
        [conv.0],
        |row| crate::rows::member(row),
    )
}

pub fn conversation_ids(conn: &Connection, user: UserId) -> StoreResult<Vec<ConvId>> {
    query_all(
        conn,
        "SELECT conv_id FROM members WHERE user_id = ? AND left_seq IS NULL",
        [user.0],
        |row| Ok(ConvId(row.get(0)?)),
    )
}

pub fn membership(
    conn: &Connection,
    conv: ConvId,
    user: UserId,
) -> StoreResult<Option<MemberRecord>> {
    query_one(
        conn,
        "SELECT user_id, role, read_seq, left_seq FROM members WHERE conv_id = ? AND user_id = ?",
        [conv.0, user.0],
        |row| crate::rows::member(row),
    )
}

/// Summaries of `user`'s conversations changed at or after `since` (all for `None`),
/// optionally only `only`, and the position to pass next time.
///
/// Reads in one transaction so the returned position matches exactly the state returned: the
/// single writer commits batches in counter order, so no change below the returned position can
/// still appear later (the commit-order trap cannot happen with one writer; see ARCHITECTURE.md).
pub fn summaries(
    conn: &mut Connection,
    user: UserId,
    since: Option<ChangePos>,
    only: Option<ConvId>,
    page: Option<SummaryPage>,
) -> StoreResult<(Vec<ConversationSummary>, ChangePos)> {
    let since = since
        .map(|s| s.parse::<u64>().map(super::sql_int))
        .transpose()
        .map_err(|_| StoreError::BadPosition)?;
    let tx = conn.transaction()?;
    let pos: i64 = tx
        .prepare_cached("SELECT value FROM counters WHERE name = 'change_pos'")?
        .query_row([], |row| row.get(0))?;
    // A position from the future (another deployment's, a restored backup's) would report
    // nothing and hand back the current one: the client would skip everything in between.
    if since.is_some_and(|since| since > pos + 1) {
        return Err(StoreError::BadPosition);
    }
    let rows = query_all(
        &tx,
        "SELECT c.id, c.kind, c.name, c.last_seq, m.read_seq, m.left_seq,
                CASE WHEN c.kind = 'direct' THEN
                    (SELECT p.user_id FROM members p WHERE p.conv_id = c.id AND p.user_id != m.user_id)
                END AS peer_id
         FROM members m JOIN conversations c ON c.id = m.conv_id
         WHERE m.user_id = ?1
           AND (?2 IS NULL OR m.change_pos >= ?2 OR (m.left_seq IS NULL AND c.change_pos >= ?2))
           AND (?3 IS NULL OR c.id = ?3)
           AND (?4 IS NULL OR c.id > ?4)
         ORDER BY CASE WHEN ?4 IS NULL THEN NULL ELSE c.id END, c.last_ts DESC, c.id DESC
         LIMIT ?5",
        params![
            user.0,
            since,
            only.map(|c| c.0),
            page.map(|p| p.after.0),
            page.map_or(-1, |p| i64::from(p.limit))
        ],
        |row| {
            Ok(Row {
                conv: ConvId(row.get("id")?),
                kind: crate::rows::kind(&row.get::<_, String>("kind")?)?,
                name: row.get("name")?,
                last_seq: row.get::<_, i64>("last_seq")? as u64,
                read_seq: row.get::<_, i64>("read_seq")? as u64,
                left_seq: row.get::<_, Option<i64>>("left_seq")?.map(|s| s as u64),
                peer: row.get::<_, Option<i64>>("peer_id")?.map(UserId),
            })
        },
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(summary(&tx, user, row)?);
    }
    tx.commit()?;
    // Everything up to `pos` is in this snapshot; the next change gets a higher position.
    Ok((out, (pos + 1).to_string()))
}

/// The columns of one member's conversation, before the lookups that complete its summary.
struct Row {
    conv: ConvId,
    kind: tern_proto::ConversationKind,
    name: Option<String>,
    last_seq: u64,
    read_seq: u64,
    left_seq: Option<u64>,
    peer: Option<UserId>,
}

fn summary(conn: &Connection, user: UserId, row: Row) -> StoreResult<ConversationSummary> {
    // A member who left sees the conversation as it was when they left.
    let last_seq = row.left_seq.unwrap_or(row.last_seq);
    let peer = match row.peer {
        Some(id) => users::by_id(conn, id)?,
        None => None,
    };
    let last_event = if last_seq > 0 {
        events::at(conn, row.conv, last_seq)?
    } else {
        None
    };
    Ok(ConversationSummary {
        id: row.conv,
        kind: row.kind,
        name: row.name,
        peer,
        last_seq,
        read_seq: row.read_seq,
        unread: events::count_unread(conn, row.conv, user, row.read_seq, last_seq)?,
        active: row.left_seq.is_none(),
        last_event,
    })
}
