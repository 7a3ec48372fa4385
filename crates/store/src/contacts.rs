//! Contacts (好友) and the requests that make them, and the list of whom a user blocked: the
//! interface and its statements, written once. Blocking itself is a write op (`WriteOp::Block`),
//! since it closes a direct conversation in the same transaction.

use crate::backend::Backend;
use crate::rows::profile;
use crate::sql::{Sql, args, stmt};
use crate::{StoreResult, now_ms};
use async_trait::async_trait;
use tern_proto::{ContactRequest, UserId, UserProfile};

/// What asking to become contacts did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    /// A request now waits for their answer (a new one, or asked anew).
    Requested,
    /// They had asked you already: you are contacts now.
    Added,
    /// You are contacts already: nothing changed.
    AlreadyContacts,
}

#[async_trait]
pub trait ContactStore: Send + Sync {
    /// `from` asks `to` to become contacts, with `note`.
    async fn ask(&self, from: UserId, to: UserId, note: &str) -> StoreResult<Asked>;
    /// `user` accepts (or declines) `from`'s pending request; false if there was none.
    async fn answer(&self, user: UserId, from: UserId, accept: bool) -> StoreResult<bool>;
    /// Ends the contact between the two; false if they were not contacts.
    async fn remove_contact(&self, user: UserId, other: UserId) -> StoreResult<bool>;
    /// `user`'s contacts, by display name.
    async fn contacts(&self, user: UserId) -> StoreResult<Vec<UserProfile>>;
    /// Pending requests to `user` (incoming) and from them (outgoing), newest first.
    async fn contact_requests(
        &self,
        user: UserId,
    ) -> StoreResult<(Vec<ContactRequest>, Vec<ContactRequest>)>;
    /// How many requests `user` made since `since` (Unix milliseconds).
    async fn requests_sent_since(&self, user: UserId, since: i64) -> StoreResult<u64>;
    /// Whom `user` blocked.
    async fn blocked(&self, user: UserId) -> StoreResult<Vec<UserProfile>>;
    /// Whether `user` blocked `other`.
    async fn blocks(&self, user: UserId, other: UserId) -> StoreResult<bool>;
}

#[async_trait]
impl<B: Backend> ContactStore for B {
    async fn ask(&self, from: UserId, to: UserId, note: &str) -> StoreResult<Asked> {
        let note = note.to_owned();
        self.write_job(move |sql| Box::pin(async move { ask(sql, from, to, &note).await }))
            .await
    }
    async fn answer(&self, user: UserId, from: UserId, accept: bool) -> StoreResult<bool> {
        self.write_job(move |sql| Box::pin(answer(sql, user, from, accept)))
            .await
    }
    async fn remove_contact(&self, user: UserId, other: UserId) -> StoreResult<bool> {
        self.write_job(move |sql| {
            Box::pin(async move {
                let removed = sql
                    .exec(
                        stmt!(
                            "DELETE FROM contacts WHERE (user_id = $1 AND contact_id = $2)
                                                     OR (user_id = $2 AND contact_id = $1)"
                        ),
                        args![user.0, other.0],
                    )
                    .await?;
                Ok(removed > 0)
            })
        })
        .await
    }
    async fn contacts(&self, user: UserId) -> StoreResult<Vec<UserProfile>> {
        self.read_job(move |sql| {
            Box::pin(async move {
                sql.all(
                    stmt!(
                        "SELECT u.id, u.username, u.display_name, u.created_at, u.avatar
                           FROM contacts c JOIN users u ON u.id = c.contact_id
                          WHERE c.user_id = $1 ORDER BY u.display_name, u.id"
                    ),
                    args![user.0],
                    |row| profile(row),
                )
                .await
            })
        })
        .await
    }
    async fn contact_requests(
        &self,
        user: UserId,
    ) -> StoreResult<(Vec<ContactRequest>, Vec<ContactRequest>)> {
        self.read_job(move |sql| {
            Box::pin(async move {
                let incoming = sql
                    .all(
                        stmt!(
                            "SELECT u.id, u.username, u.display_name, u.created_at, u.avatar,
                                    r.note, r.created_at AS asked_at
                               FROM contact_requests r JOIN users u ON u.id = r.from_id
                              WHERE r.to_id = $1 AND r.status = 'pending'
                              ORDER BY r.created_at DESC LIMIT 500"
                        ),
                        args![user.0],
                        |row| request(row),
                    )
                    .await?;
                let outgoing = sql
                    .all(
                        stmt!(
                            "SELECT u.id, u.username, u.display_name, u.created_at, u.avatar,
                                    r.note, r.created_at AS asked_at
                               FROM contact_requests r JOIN users u ON u.id = r.to_id
                              WHERE r.from_id = $1 AND r.status = 'pending'
                              ORDER BY r.created_at DESC LIMIT 500"
                        ),
                        args![user.0],
                        |row| request(row),
                    )
                    .await?;
                Ok((incoming, outgoing))
            })
        })
        .await
    }
    async fn requests_sent_since(&self, user: UserId, since: i64) -> StoreResult<u64> {
        self.read_job(move |sql| {
            Box::pin(async move {
                let n = sql
                    .one(
                        stmt!(
                            "SELECT COUNT(*) AS n FROM contact_requests
                              WHERE from_id = $1 AND created_at >= $2"
                        ),
                        args![user.0, since],
                        |row| row.int("n"),
                    )
                    .await?;
                Ok(n.unwrap_or(0) as u64)
            })
        })
        .await
    }
    async fn blocked(&self, user: UserId) -> StoreResult<Vec<UserProfile>> {
        self.read_job(move |sql| {
            Box::pin(async move {
                sql.all(
                    stmt!(
                        "SELECT u.id, u.username, u.display_name, u.created_at, u.avatar
                           FROM blocks b JOIN users u ON u.id = b.blocked_id
                          WHERE b.user_id = $1 ORDER BY b.created_at DESC"
                    ),
                    args![user.0],
                    |row| profile(row),
                )
                .await
            })
        })
        .await
    }
    async fn blocks(&self, user: UserId, other: UserId) -> StoreResult<bool> {
        self.read_job(move |sql| {
            Box::pin(async move {
                let found = sql
                    .one(
                        stmt!(
                            "SELECT user_id AS x FROM blocks WHERE user_id = $1 AND blocked_id = $2"
                        ),
                        args![user.0, other.0],
                        |row| row.int("x"),
                    )
                    .await?;
                Ok(found.is_some())
            })
        })
        .await
    }
}

fn request(row: &(impl crate::rows::Columns + ?Sized)) -> StoreResult<ContactRequest> {
    Ok(ContactRequest {
        user: profile(row)?,
        note: row.text("note")?,
        created_at: row.int("asked_at")?,
    })
}

async fn ask(sql: &mut impl Sql, from: UserId, to: UserId, note: &str) -> StoreResult<Asked> {
    if are_contacts(sql, from, to).await? {
        return Ok(Asked::AlreadyContacts);
    }
    // They asked first: asking back is accepting.
    if answer(sql, from, to, true).await? {
        return Ok(Asked::Added);
    }
    sql.exec(
        stmt!(
            "INSERT INTO contact_requests (from_id, to_id, note, status, created_at)
             VALUES ($1, $2, $3, 'pending', $4)
             ON CONFLICT (from_id, to_id) DO UPDATE
                SET note = $3, status = 'pending', created_at = $4"
        ),
        args![from.0, to.0, note, now_ms()],
    )
    .await?;
    Ok(Asked::Requested)
}

/// Answers `from`'s pending request to `user`; false if there was none. Accepting makes both
/// directions of the contact before the request is marked answered, so a retry after a failure
/// in between finishes the job.
async fn answer(sql: &mut impl Sql, user: UserId, from: UserId, accept: bool) -> StoreResult<bool> {
    let pending = sql
        .one(
            stmt!(
                "SELECT from_id AS x FROM contact_requests
                  WHERE from_id = $1 AND to_id = $2 AND status = 'pending'"
            ),
            args![from.0, user.0],
            |row| row.int("x"),
        )
        .await?;
    if pending.is_none() {
        return Ok(false);
    }
    if accept {
        sql.exec(
            stmt!(
                "INSERT INTO contacts (user_id, contact_id, created_at)
                 VALUES ($1, $2, $3), ($2, $1, $3) ON CONFLICT DO NOTHING"
            ),
            args![user.0, from.0, now_ms()],
        )
        .await?;
    }
    let status = if accept { "accepted" } else { "declined" };
    sql.exec(
        stmt!(
            "UPDATE contact_requests SET status = $1
              WHERE from_id = $2 AND to_id = $3 AND status = 'pending'"
        ),
        args![status, from.0, user.0],
    )
    .await?;
    Ok(true)
}

pub(crate) async fn are_contacts(sql: &mut impl Sql, a: UserId, b: UserId) -> StoreResult<bool> {
    let found = sql
        .one(
            stmt!("SELECT user_id AS x FROM contacts WHERE user_id = $1 AND contact_id = $2"),
            args![a.0, b.0],
            |row| row.int("x"),
        )
        .await?;
    Ok(found.is_some())
}
