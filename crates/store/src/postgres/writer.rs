//! Conversation writes: one transaction per batch of ops (group commit), safe with several nodes
//! writing to the same conversations.
//!
//! Each op checks everything it needs before it writes anything, so a refused op leaves no
//! trace and the rest of the batch commits. All ops in a batch share one change position.

use super::{conversations, events};
use crate::{Refusal, StoreError, StoreResult, WriteOp, WriteOutcome, WriteResult, now_ms};
use sqlx::{PgConnection, PgPool, Row};
use tern_proto::{Content, ConvId, Event, MemberRole, SystemEvent, UserId};
use uuid::Uuid;

/// Transient conflicts between nodes (deadlock, serialization failure, a unique key taken by a
/// concurrent insert) abort the batch; it is retried whole this many times.
const ATTEMPTS: usize = 4;

pub async fn write(pool: &PgPool, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>> {
    let mut attempt = 1;
    loop {
        match write_once(pool, ops.clone()).await {
            Err(StoreError::Conflict(e)) if attempt < ATTEMPTS => {
                tracing::debug!(attempt, error = %e, "write batch conflicted; retrying");
                attempt += 1;
            }
            other => return other,
        }
    }
}

async fn write_once(pool: &PgPool, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>> {
    let mut tx = pool.begin().await?;
    // Lock every conversation the batch changes, in id order, before touching anything: seqs
    // are then allocated one writer at a time per conversation, and two nodes' batches can
    // never wait for each other in a cycle.
    let mut convs: Vec<i64> = ops
        .iter()
        .filter_map(|op| op_conv(op).map(|c| c.0))
        .collect();
    convs.sort_unstable();
    convs.dedup();
    if !convs.is_empty() {
        sqlx::query("SELECT id FROM conversations WHERE id = ANY($1) ORDER BY id FOR UPDATE")
            .bind(&convs)
            .fetch_all(&mut *tx)
            .await?;
    }
    let pos: i64 = sqlx::query_scalar("SELECT pg_current_xact_id()::text::bigint")
        .fetch_one(&mut *tx)
        .await?;
    let mut batch = Batch {
        conn: &mut tx,
        pos,
        now: now_ms(),
    };
    let mut results = Vec::with_capacity(ops.len());
    for op in ops {
        results.push(batch.apply(op).await?);
    }
    tx.commit().await?;
    Ok(results)
}

fn op_conv(op: &WriteOp) -> Option<ConvId> {
    match op {
        WriteOp::Append { conv, .. }
        | WriteOp::AddMembers { conv, .. }
        | WriteOp::RemoveMember { conv, .. }
        | WriteOp::MarkRead { conv, .. } => Some(*conv),
        WriteOp::OpenDirect { .. } | WriteOp::CreateGroup { .. } => None,
    }
}

struct Batch<'c> {
    conn: &'c mut PgConnection,
    /// The change position every row touched by this batch is stamped with.
    pos: i64,
    now: i64,
}

impl Batch<'_> {
    async fn apply(&mut self, op: WriteOp) -> StoreResult<WriteResult> {
        match op {
            WriteOp::Append {
                conv,
                sender,
                cmid,
                content,
            } => self.append_message(conv, sender, cmid, content).await,
            WriteOp::OpenDirect { a, b } => self.open_direct(a, b).await,
            WriteOp::CreateGroup {
                owner,
                name,
                members,
            } => self.create_group(owner, name, members).await,
            WriteOp::AddMembers { conv, by, users } => self.add_members(conv, by, users).await,
            WriteOp::RemoveMember { conv, by, user } => self.remove_member(conv, by, user).await,
            WriteOp::MarkRead { conv, user, seq } => self.mark_read(conv, user, seq).await,
        }
    }

    async fn append_message(
        &mut self,
        conv: ConvId,
        sender: UserId,
        cmid: String,
        content: Content,
    ) -> StoreResult<WriteResult> {
        // The common case in one statement: membership check, seq allocation, insert; the
        // trigger of migration 0003 advances the conversation and the sender's read position.
        // A resend hits the unique (sender, cmid) index and inserts nothing.
        let id = Uuid::now_v7();
        let body = serde_json::to_string(&content)?;
        let seq: Option<i64> = sqlx::query_scalar(
            "INSERT INTO events (conv_id, seq, id, sender_id, cmid, content, counts_unread, ts)
             SELECT c.id, c.last_seq + 1, $1, $2, $3, $4, $5, $6 FROM conversations c
              WHERE c.id = $7 AND EXISTS (SELECT 1 FROM members m WHERE m.conv_id = c.id
                                            AND m.user_id = $2 AND m.left_seq IS NULL)
             ON CONFLICT (sender_id, cmid) WHERE cmid IS NOT NULL DO NOTHING
             RETURNING seq",
        )
        .bind(id.to_string())
        .bind(sender.0)
        .bind(&cmid)
        .bind(body)
        .bind(content.counts_as_unread())
        .bind(self.now)
        .bind(conv.0)
        .fetch_optional(&mut *self.conn)
        .await?;
        if let Some(seq) = seq {
            let event = Event {
                conv,
                seq: seq as u64,
                id,
                sender,
                ts: self.now,
                cmid: Some(cmid),
                content,
            };
            return Ok(Ok(WriteOutcome::Appended {
                event,
                duplicate: false,
            }));
        }
        // Nothing inserted: a resend (answered with the original, even if the sender has left
        // since), a client id reused elsewhere, or not a member.
        let original = sqlx::query(
            "SELECT conv_id, seq, id, sender_id, cmid, content, ts FROM events
             WHERE sender_id = $1 AND cmid = $2",
        )
        .bind(sender.0)
        .bind(&cmid)
        .fetch_optional(&mut *self.conn)
        .await?;
        match original {
            Some(row) => {
                let event = crate::rows::event(&row)?;
                if event.conv != conv {
                    return Ok(Err(Refusal::ClientIdReused));
                }
                Ok(Ok(WriteOutcome::Appended {
                    event,
                    duplicate: true,
                }))
            }
            None => Ok(Err(Refusal::NotMember)),
        }
    }

    async fn open_direct(&mut self, a: UserId, b: UserId) -> StoreResult<WriteResult> {
        if a == b {
            return Ok(Err(Refusal::DirectWithSelf));
        }
        if let Some(missing) = self.first_missing_user(&[a, b]).await? {
            return Ok(Err(Refusal::UserNotFound(missing)));
        }
        let key = format!("{}:{}", a.0.min(b.0), a.0.max(b.0));
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM conversations WHERE direct_key = $1")
                .bind(&key)
                .fetch_optional(&mut *self.conn)
                .await?;
        if let Some(id) = existing {
            return Ok(Ok(WriteOutcome::DirectOpened {
                conv: ConvId(id),
                created: false,
            }));
        }
        let conv = self.insert_conversation("direct", None, Some(&key)).await?;
        for user in [a, b] {
            self.upsert_member(conv, user, MemberRole::Member, 0)
                .await?;
        }
        Ok(Ok(WriteOutcome::DirectOpened {
            conv,
            created: true,
        }))
    }

    async fn create_group(
        &mut self,
        owner: UserId,
        name: String,
        members: Vec<UserId>,
    ) -> StoreResult<WriteResult> {
        let all = crate::write::group_members(owner, members);
        if all.len() > crate::GROUP_MEMBERS_MAX {
            return Ok(Err(Refusal::GroupFull));
        }
        if let Some(missing) = self.first_missing_user(&all).await? {
            return Ok(Err(Refusal::UserNotFound(missing)));
        }
        let conv = self.insert_conversation("group", Some(&name), None).await?;
        let content = Content::System(SystemEvent::GroupCreated {
            name,
            members: all.clone(),
        });
        let event = self.append_event(conv, owner, None, content).await?;
        self.upsert_member(conv, owner, MemberRole::Owner, event.seq)
            .await?;
        self.upsert_members(conv, &all[1..], event.seq).await?;
        Ok(Ok(WriteOutcome::MembershipChanged { event, notify: all }))
    }

    async fn add_members(
        &mut self,
        conv: ConvId,
        by: UserId,
        users: Vec<UserId>,
    ) -> StoreResult<WriteResult> {
        if let Err(refusal) = self.check_group_member(conv, by).await? {
            return Ok(Err(refusal));
        }
        if let Some(missing) = self.first_missing_user(&users).await? {
            return Ok(Err(Refusal::UserNotFound(missing)));
        }
        let current = self.active_members(conv).await?;
        let added = match crate::write::newcomers(&current, users) {
            Ok(added) => added,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if added.is_empty() {
            return Ok(Ok(WriteOutcome::Unchanged));
        }
        let content = Content::System(SystemEvent::MembersAdded {
            users: added.clone(),
        });
        let event = self.append_event(conv, by, None, content).await?;
        self.upsert_members(conv, &added, event.seq).await?;
        let mut notify = current;
        notify.extend(added);
        Ok(Ok(WriteOutcome::MembershipChanged { event, notify }))
    }

    async fn remove_member(
        &mut self,
        conv: ConvId,
        by: UserId,
        user: UserId,
    ) -> StoreResult<WriteResult> {
        let by_role = match self.check_group_member(conv, by).await? {
            Ok(role) => role,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let notify = self.active_members(conv).await?;
        let content = if by == user {
            let new_owner = if by_role == MemberRole::Owner {
                notify.iter().copied().find(|&u| u != by)
            } else {
                None
            };
            Content::System(SystemEvent::MemberLeft { user, new_owner })
        } else {
            if by_role != MemberRole::Owner {
                return Ok(Err(Refusal::NotOwner));
            }
            if !notify.contains(&user) {
                return Ok(Err(Refusal::NotMember));
            }
            Content::System(SystemEvent::MemberRemoved { user })
        };
        let event = self.append_event(conv, by, None, content).await?;
        if let Content::System(SystemEvent::MemberLeft {
            new_owner: Some(owner),
            ..
        }) = &event.content
        {
            sqlx::query(
                "UPDATE members SET role = 'owner', change_pos = $1 WHERE conv_id = $2 AND user_id = $3",
            )
            .bind(self.pos)
            .bind(conv.0)
            .bind(owner.0)
            .execute(&mut *self.conn)
            .await?;
        }
        sqlx::query(
            "UPDATE members SET left_seq = $1, role = 'member', change_pos = $2
             WHERE conv_id = $3 AND user_id = $4",
        )
        .bind(event.seq as i64)
        .bind(self.pos)
        .bind(conv.0)
        .bind(user.0)
        .execute(&mut *self.conn)
        .await?;
        Ok(Ok(WriteOutcome::MembershipChanged { event, notify }))
    }

    async fn mark_read(
        &mut self,
        conv: ConvId,
        user: UserId,
        seq: u64,
    ) -> StoreResult<WriteResult> {
        let Some(member) = conversations::membership(self.conn, conv, user).await? else {
            return Ok(Err(Refusal::NotMember));
        };
        let last_seq = match member.left_seq {
            Some(left) => left,
            None => {
                let last: i64 =
                    sqlx::query_scalar("SELECT last_seq FROM conversations WHERE id = $1")
                        .bind(conv.0)
                        .fetch_one(&mut *self.conn)
                        .await?;
                last as u64
            }
        };
        let target = seq.min(last_seq);
        let moved = target > member.read_seq;
        let read_seq = member.read_seq.max(target);
        if moved {
            sqlx::query(
                "UPDATE members SET read_seq = $1, change_pos = $2 WHERE conv_id = $3 AND user_id = $4",
            )
            .bind(read_seq as i64)
            .bind(self.pos)
            .bind(conv.0)
            .bind(user.0)
            .execute(&mut *self.conn)
            .await?;
        }
        let unread = events::count_unread(self.conn, conv, user, read_seq, last_seq).await?;
        Ok(Ok(WriteOutcome::ReadMoved {
            conv,
            user,
            read_seq,
            unread,
            moved,
        }))
    }

    // --- helpers --------------------------------------------------------------------------

    /// Allocates the next seq and stores the event, in this transaction (the trigger of
    /// migration 0003 advances the conversation).
    async fn append_event(
        &mut self,
        conv: ConvId,
        sender: UserId,
        cmid: Option<String>,
        content: Content,
    ) -> StoreResult<Event> {
        let id = Uuid::now_v7();
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO events (conv_id, seq, id, sender_id, cmid, content, counts_unread, ts)
             SELECT id, last_seq + 1, $1, $2, $3, $4, $5, $6 FROM conversations WHERE id = $7
             RETURNING seq",
        )
        .bind(id.to_string())
        .bind(sender.0)
        .bind(cmid.as_deref())
        .bind(serde_json::to_string(&content)?)
        .bind(content.counts_as_unread())
        .bind(self.now)
        .bind(conv.0)
        .fetch_one(&mut *self.conn)
        .await?;
        Ok(Event {
            conv,
            seq: seq as u64,
            id,
            sender,
            ts: self.now,
            cmid,
            content,
        })
    }

    async fn insert_conversation(
        &mut self,
        kind: &str,
        name: Option<&str>,
        direct_key: Option<&str>,
    ) -> StoreResult<ConvId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO conversations (kind, name, direct_key, last_seq, last_ts, change_pos, created_at)
             VALUES ($1, $2, $3, 0, $4, $5, $6) RETURNING id",
        )
        .bind(kind)
        .bind(name)
        .bind(direct_key)
        .bind(self.now)
        .bind(self.pos)
        .bind(self.now)
        .fetch_one(&mut *self.conn)
        .await?;
        Ok(ConvId(id))
    }

    /// Adds a member, or brings back one who left. New members start with everything up to
    /// `read_seq` (their joining event) read, so a group's old history is not "unread".
    /// Adds members (or brings back ones who left) in one statement; see `upsert_member`.
    async fn upsert_members(
        &mut self,
        conv: ConvId,
        users: &[UserId],
        read_seq: u64,
    ) -> StoreResult<()> {
        let ids: Vec<i64> = users.iter().map(|u| u.0).collect();
        sqlx::query(
            "INSERT INTO members (conv_id, user_id, role, read_seq, left_seq, change_pos, joined_at)
             SELECT $1, u, 'member', $3, NULL, $4, $5 FROM unnest($2::bigint[]) AS u
             ON CONFLICT (conv_id, user_id) DO UPDATE SET
                role = 'member', read_seq = GREATEST(members.read_seq, $3), left_seq = NULL,
                change_pos = $4, joined_at = $5",
        )
        .bind(conv.0)
        .bind(&ids)
        .bind(read_seq as i64)
        .bind(self.pos)
        .bind(self.now)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    async fn upsert_member(
        &mut self,
        conv: ConvId,
        user: UserId,
        role: MemberRole,
        read_seq: u64,
    ) -> StoreResult<()> {
        let role = role.as_str();
        sqlx::query(
            "INSERT INTO members (conv_id, user_id, role, read_seq, left_seq, change_pos, joined_at)
             VALUES ($1, $2, $3, $4, NULL, $5, $6)
             ON CONFLICT (conv_id, user_id) DO UPDATE SET
                role = $3, read_seq = GREATEST(members.read_seq, $4), left_seq = NULL, change_pos = $5, joined_at = $6",
        )
        .bind(conv.0)
        .bind(user.0)
        .bind(role)
        .bind(read_seq as i64)
        .bind(self.pos)
        .bind(self.now)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The role of `user` in group `conv`, or why they cannot act on it. Non-members learn
    /// nothing about whether the conversation exists.
    async fn check_group_member(
        &mut self,
        conv: ConvId,
        user: UserId,
    ) -> StoreResult<Result<MemberRole, Refusal>> {
        let role = match conversations::membership(self.conn, conv, user).await? {
            Some(m) if m.is_active() => m.role,
            _ => return Ok(Err(Refusal::NotMember)),
        };
        let row = sqlx::query("SELECT kind FROM conversations WHERE id = $1")
            .bind(conv.0)
            .fetch_one(&mut *self.conn)
            .await?;
        let kind: String = row.try_get("kind")?;
        if kind != "group" {
            return Ok(Err(Refusal::NotGroup));
        }
        Ok(Ok(role))
    }

    async fn active_members(&mut self, conv: ConvId) -> StoreResult<Vec<UserId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT user_id FROM members WHERE conv_id = $1 AND left_seq IS NULL
             ORDER BY joined_at, user_id",
        )
        .bind(conv.0)
        .fetch_all(&mut *self.conn)
        .await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    /// One of `users` that does not exist, if any: one statement for the whole list.
    async fn first_missing_user(&mut self, users: &[UserId]) -> StoreResult<Option<UserId>> {
        let ids: Vec<i64> = users.iter().map(|u| u.0).collect();
        let missing: Option<i64> = sqlx::query_scalar(
            "SELECT u FROM unnest($1::bigint[]) AS u
             WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = u) LIMIT 1",
        )
        .bind(&ids)
        .fetch_optional(&mut *self.conn)
        .await?;
        Ok(missing.map(UserId))
    }
}
