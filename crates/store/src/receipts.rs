//! Read receipts ("seen by"): the members' read positions as the other members see them, for
//! those who share them, and which of them moved since a sync position (each backend says in
//! its own words what "moved since" means; the rest is here).

use crate::backend::Backend;
use crate::sql::{Arg, Sql, Statement, args, stmt};
use crate::{ChangePos, StoreResult};
use async_trait::async_trait;
use tern_proto::{ConvId, ConversationReceipts, Receipt, UserId};

/// Most positions of one conversation in one `sync` reply; a client that needs more asks for
/// the conversation's whole list.
pub const RECEIPTS_SYNC_MAX: usize = 100;

#[async_trait]
pub trait ReceiptStore: Send + Sync {
    /// The read positions of the current members of `conv` who share theirs, by user id.
    async fn receipts(&self, conv: ConvId) -> StoreResult<Vec<Receipt>>;
    /// `user`'s own read position in each conversation they are a current member of.
    async fn positions_of(&self, user: UserId) -> StoreResult<Vec<(ConvId, u64)>>;
    /// For each of `convs`, the positions of its current members other than `user` who share
    /// theirs and whose position (or anything else of their member row) changed at or after
    /// `since`: the most recent `RECEIPTS_SYNC_MAX`, `partial` when there were more.
    /// Conversations with none are left out.
    async fn receipts_since(
        &self,
        user: UserId,
        convs: Vec<ConvId>,
        since: ChangePos,
    ) -> StoreResult<Vec<ConversationReceipts>>;
}

#[async_trait]
impl<B: Backend> ReceiptStore for B {
    async fn receipts(&self, conv: ConvId) -> StoreResult<Vec<Receipt>> {
        self.read_job(move |sql| Box::pin(receipts(sql, conv)))
            .await
    }
    async fn positions_of(&self, user: UserId) -> StoreResult<Vec<(ConvId, u64)>> {
        self.read_job(move |sql| Box::pin(positions_of(sql, user)))
            .await
    }
    async fn receipts_since(
        &self,
        user: UserId,
        convs: Vec<ConvId>,
        since: ChangePos,
    ) -> StoreResult<Vec<ConversationReceipts>> {
        if convs.is_empty() {
            return Ok(Vec::new());
        }
        Backend::receipts_since(self, user, convs, since).await
    }
}

async fn receipts(sql: &mut impl Sql, conv: ConvId) -> StoreResult<Vec<Receipt>> {
    sql.all(
        stmt!(
            "SELECT m.user_id, m.read_seq FROM members m JOIN users u ON u.id = m.user_id
             WHERE m.conv_id = $1 AND m.left_seq IS NULL AND u.share_receipts
             ORDER BY m.user_id"
        ),
        args![conv.0],
        |row| receipt(row),
    )
    .await
}

async fn positions_of(sql: &mut impl Sql, user: UserId) -> StoreResult<Vec<(ConvId, u64)>> {
    sql.all(
        stmt!(
            "SELECT conv_id, read_seq FROM members
             WHERE user_id = $1 AND left_seq IS NULL ORDER BY conv_id"
        ),
        args![user.0],
        |row| Ok((ConvId(row.int("conv_id")?), row.int("read_seq")? as u64)),
    )
    .await
}

/// The receipts query with the backend's own test for "member row `o` changed since `$2`"
/// spliced in. Parameters: `$1` the conversations, `$2` the position, `$3` the asking user.
macro_rules! receipts_changed_since {
    ($changed:literal) => {
        concat!(
            "SELECT o.conv_id, o.user_id, o.read_seq
             FROM members o JOIN users u ON u.id = o.user_id
             WHERE o.conv_id IN ids($1) AND o.user_id <> $3 AND o.left_seq IS NULL
               AND u.share_receipts AND (",
            $changed,
            ")
             ORDER BY o.conv_id, o.change_pos DESC, o.user_id"
        )
    };
}
pub(crate) use receipts_changed_since;

/// Runs a statement made by `receipts_changed_since!` and groups its rows per conversation.
pub(crate) async fn receipts_of(
    sql: &mut impl Sql,
    statement: &'static Statement,
    user: UserId,
    convs: &[ConvId],
    since: Arg<'_>,
) -> StoreResult<Vec<ConversationReceipts>> {
    let ids: Vec<i64> = convs.iter().map(|c| c.0).collect();
    let rows = sql
        .all(
            statement,
            &[Arg::Ids(&ids), since, Arg::Int(user.0)],
            |row| Ok((ConvId(row.int("conv_id")?), receipt(row)?)),
        )
        .await?;
    let mut out: Vec<ConversationReceipts> = Vec::new();
    for (conv, receipt) in rows {
        match out.last_mut() {
            Some(last) if last.conv == conv => {
                if last.receipts.len() < RECEIPTS_SYNC_MAX {
                    last.receipts.push(receipt);
                } else {
                    last.partial = true;
                }
            }
            _ => out.push(ConversationReceipts {
                conv,
                receipts: vec![receipt],
                partial: false,
            }),
        }
    }
    Ok(out)
}

fn receipt(row: &(impl crate::rows::Columns + ?Sized)) -> StoreResult<Receipt> {
    Ok(Receipt::at(
        UserId(row.int("user_id")?),
        row.int("read_seq")? as u64,
    ))
}
