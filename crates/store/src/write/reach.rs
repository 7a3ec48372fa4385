//! Who may reach whom, written once for both databases: blocking (which closes the pair's
//! direct conversation while it stands), and the checks of the ops that open a direct
//! conversation or add people to a group against blocks and each user's privacy settings.

use super::apply::Batch;
use super::{Refusal, WriteOutcome, WriteResult};
use crate::StoreResult;
use crate::sql::{Sql, args, stmt};
use tern_proto::UserId;

/// The key of the one direct conversation between two users.
pub(super) fn direct_key(a: UserId, b: UserId) -> String {
    format!("{}:{}", a.0.min(b.0), a.0.max(b.0))
}

impl<S: Sql> Batch<'_, S> {
    /// `user` blocks `other` (or lifts the block): while either blocks the other, nobody posts
    /// or reacts in their direct conversation; a pending contact request between them, either
    /// way, is declined.
    pub(super) async fn block(
        &mut self,
        user: UserId,
        other: UserId,
        blocked: bool,
    ) -> StoreResult<WriteResult> {
        if let Some(missing) = self.first_missing_user(&[other]).await? {
            return Ok(Err(Refusal::UserNotFound(missing)));
        }
        if blocked {
            self.sql
                .exec(
                    stmt!(
                        "INSERT INTO blocks (user_id, blocked_id, created_at) VALUES ($1, $2, $3)
                         ON CONFLICT DO NOTHING"
                    ),
                    args![user.0, other.0, self.now],
                )
                .await?;
            self.sql
                .exec(
                    stmt!(
                        "UPDATE contact_requests SET status = 'declined'
                          WHERE ((from_id = $1 AND to_id = $2) OR (from_id = $2 AND to_id = $1))
                            AND status = 'pending'"
                    ),
                    args![other.0, user.0],
                )
                .await?;
        } else {
            self.sql
                .exec(
                    stmt!("DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2"),
                    args![user.0, other.0],
                )
                .await?;
        }
        // Not a change either member's sync reports: the blocked side learns of the block only
        // by the refusal of what it tries.
        self.sql
            .exec(
                stmt!(
                    "UPDATE conversations SET blocked = EXISTS (
                        SELECT 1 FROM blocks
                         WHERE (user_id = $1 AND blocked_id = $2)
                            OR (user_id = $2 AND blocked_id = $1))
                      WHERE direct_key = $3"
                ),
                args![user.0, other.0, direct_key(user, other).as_str()],
            )
            .await?;
        Ok(Ok(WriteOutcome::Unchanged))
    }

    /// Whether `by` may open a new direct conversation with `peer`: no block between them, and
    /// `peer` takes direct conversations from everyone or from `by` as a contact.
    pub(super) async fn may_open_direct(
        &mut self,
        by: UserId,
        peer: UserId,
    ) -> StoreResult<Result<(), Refusal>> {
        let found = self
            .sql
            .one(
                stmt!(
                    "SELECT EXISTS (SELECT 1 FROM blocks
                                     WHERE (user_id = $1 AND blocked_id = $2)
                                        OR (user_id = $2 AND blocked_id = $1)) AS blocked,
                            (u.direct_from = 'contacts' AND NOT EXISTS (
                               SELECT 1 FROM contacts c
                                WHERE c.user_id = $1 AND c.contact_id = $2)) AS contacts_only
                       FROM users u WHERE u.id = $1"
                ),
                args![peer.0, by.0],
                |row| Ok((row.flag("blocked")?, row.flag("contacts_only")?)),
            )
            .await?;
        Ok(match found {
            None => Err(Refusal::UserNotFound(peer)),
            Some((true, _)) => Err(Refusal::Blocked),
            Some((false, true)) => Err(Refusal::ContactsOnly(peer)),
            Some((false, false)) => Ok(()),
        })
    }

    /// Whether `by` may add every one of `users` to a group: none blocked `by`, and each takes
    /// group invitations from everyone or from `by` as a contact. One statement for the list.
    pub(super) async fn may_add_to_groups(
        &mut self,
        by: UserId,
        users: &[UserId],
    ) -> StoreResult<Result<(), Refusal>> {
        let ids: Vec<i64> = users.iter().filter(|&&u| u != by).map(|u| u.0).collect();
        if ids.is_empty() {
            return Ok(Ok(()));
        }
        let found = self
            .sql
            .one(
                stmt!(
                    "SELECT id, blocked FROM (
                       SELECT u.id,
                              EXISTS (SELECT 1 FROM blocks b
                                       WHERE b.user_id = u.id AND b.blocked_id = $2) AS blocked,
                              (u.groups_from = 'contacts' AND NOT EXISTS (
                                 SELECT 1 FROM contacts c
                                  WHERE c.user_id = u.id AND c.contact_id = $2)) AS contacts_only
                         FROM ids($1) AS x JOIN users u ON u.id = x.id) AS r
                     WHERE r.blocked OR r.contacts_only LIMIT 1"
                ),
                args![&ids, by.0],
                |row| Ok((UserId(row.int("id")?), row.flag("blocked")?)),
            )
            .await?;
        Ok(match found {
            None => Ok(()),
            Some((_, true)) => Err(Refusal::Blocked),
            Some((user, false)) => Err(Refusal::ContactsOnly(user)),
        })
    }
}

impl<S: Sql> Batch<'_, S> {
    /// Whether `conv` is a direct conversation closed by a block.
    pub(super) async fn closed_by_block(&mut self, conv: tern_proto::ConvId) -> StoreResult<bool> {
        let blocked = self
            .sql
            .one(
                stmt!("SELECT blocked FROM conversations WHERE id = $1"),
                args![conv.0],
                |row| row.flag("blocked"),
            )
            .await?;
        Ok(blocked == Some(true))
    }
}
