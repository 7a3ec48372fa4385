//! Conversation writes: one `BEGIN IMMEDIATE` transaction per batch of ops (group commit), run
//! start to finish on the writer thread.
//!
//! Each op checks everything it needs before it writes anything, so a refused op leaves no
//! trace and the rest of the batch commits. All ops in a batch share one change position.

use super::{conversations, events, query_all, query_one};
use crate::{Refusal, StoreError, StoreResult, WriteOp, WriteOutcome, WriteResult, now_ms};
use rusqlite::{Connection, TransactionBehavior, params};
use tern_proto::{Content, ConvId, Event, MemberRole, SystemEvent, UserId};
use uuid::Uuid;

pub fn write(conn: &mut Connection, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let pos: i64 = tx
        .prepare_cached(
            "UPDATE counters SET value = value + 1 WHERE name = 'change_pos' RETURNING value",
        )?
        .query_row([], |row| row.get(0))?;
    let batch = Batch {
        conn: &tx,
        pos,
        now: now_ms(),
    };
    let results = ops
        .into_iter()
        .map(|op| batch.apply(op))
        .collect::<StoreResult<Vec<_>>>()?;
    tx.commit()?;
    Ok(results)
}

struct Batch<'c> {
    conn: &'c Connection,
    /// The change position every row touched by this batch is stamped with.
    pos: i64,
    now: i64,
}

impl Batch<'_> {
    fn apply(&self, op: WriteOp) -> StoreResult<WriteResult> {
        match op {
            WriteOp::Append {
                conv,
                sender,
                cmid,
                content,
            } => self.append_message(conv, sender, cmid, content),
            WriteOp::OpenDirect { a, b } => self.open_direct(a, b),
            WriteOp::CreateGroup {
                owner,
                name,
                members,
            } => self.create_group(owner, name, members),
            WriteOp::AddMembers { conv, by, users } => self.add_members(conv, by, users),
            WriteOp::RemoveMember { conv, by, user } => self.remove_member(conv, by, user),
            WriteOp::MarkRead { conv, user, seq } => self.mark_read(conv, user, seq),
        }
    }

    fn append_message(
        &self,
        conv: ConvId,
        sender: UserId,
        cmid: String,
        content: Content,
    ) -> StoreResult<WriteResult> {
        // The common case in one statement: membership check, seq allocation, insert; the
        // trigger of migration 0002 advances the conversation and the sender's read position.
        // A resend hits the unique (sender, cmid) index and inserts nothing.
        let id = Uuid::now_v7();
        let body = serde_json::to_string(&content)?;
        let seq: Option<i64> = query_one(
            self.conn,
            "INSERT INTO events (conv_id, seq, id, sender_id, cmid, content, counts_unread, ts)
             SELECT c.id, c.last_seq + 1, ?1, ?2, ?3, ?4, ?5, ?6 FROM conversations c
              WHERE c.id = ?7 AND EXISTS (SELECT 1 FROM members m WHERE m.conv_id = c.id
                                            AND m.user_id = ?2 AND m.left_seq IS NULL)
             ON CONFLICT (sender_id, cmid) WHERE cmid IS NOT NULL DO NOTHING
             RETURNING seq",
            params![
                id.to_string(),
                sender.0,
                &cmid,
                body,
                content.counts_as_unread(),
                self.now,
                conv.0
            ],
            |row| Ok(row.get(0)?),
        )?;
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
        let original = query_one(
            self.conn,
            "SELECT conv_id, seq, id, sender_id, cmid, content, ts FROM events
             WHERE sender_id = ? AND cmid = ?",
            params![sender.0, &cmid],
            |row| crate::rows::event(row),
        )?;
        match original {
            Some(event) if event.conv != conv => Ok(Err(Refusal::ClientIdReused)),
            Some(event) => Ok(Ok(WriteOutcome::Appended {
                event,
                duplicate: true,
            })),
            None => Ok(Err(Refusal::NotMember)),
        }
    }

    fn open_direct(&self, a: UserId, b: UserId) -> StoreResult<WriteResult> {
        if a == b {
            return Ok(Err(Refusal::DirectWithSelf));
        }
        if let Some(missing) = self.first_missing_user(&[a, b])? {
            return Ok(Err(Refusal::UserNotFound(missing)));
        }
        let key = format!("{}:{}", a.0.min(b.0), a.0.max(b.0));
        let existing = query_one(
            self.conn,
            "SELECT id FROM conversations WHERE direct_key = ?",
            [&key],
            |row| Ok(ConvId(row.get(0)?)),
        )?;
        if let Some(conv) = existing {
            return Ok(Ok(WriteOutcome::DirectOpened {
                conv,
                created: false,
            }));
        }
        let conv = self.insert_conversation("direct", None, Some(&key))?;
        for user in [a, b] {
            self.upsert_member(conv, user, MemberRole::Member, 0)?;
        }
        Ok(Ok(WriteOutcome::DirectOpened {
            conv,
            created: true,
        }))
    }

    fn create_group(
        &self,
        owner: UserId,
        name: String,
        members: Vec<UserId>,
    ) -> StoreResult<WriteResult> {
        let all = crate::write::group_members(owner, members);
        if all.len() > crate::GROUP_MEMBERS_MAX {
            return Ok(Err(Refusal::GroupFull));
        }
        if let Some(missing) = self.first_missing_user(&all)? {
            return Ok(Err(Refusal::UserNotFound(missing)));
        }
        let conv = self.insert_conversation("group", Some(&name), None)?;
        let content = Content::System(SystemEvent::GroupCreated {
            name,
            members: all.clone(),
        });
        let event = self.append_event(conv, owner, content)?;
        for &user in &all {
            let role = if user == owner {
                MemberRole::Owner
            } else {
                MemberRole::Member
            };
            self.upsert_member(conv, user, role, event.seq)?;
        }
        Ok(Ok(WriteOutcome::MembershipChanged { event, notify: all }))
    }

    fn add_members(
        &self,
        conv: ConvId,
        by: UserId,
        users: Vec<UserId>,
    ) -> StoreResult<WriteResult> {
        if let Err(refusal) = self.check_group_member(conv, by)? {
            return Ok(Err(refusal));
        }
        if let Some(missing) = self.first_missing_user(&users)? {
            return Ok(Err(Refusal::UserNotFound(missing)));
        }
        let current = self.active_members(conv)?;
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
        let event = self.append_event(conv, by, content)?;
        for &u in &added {
            self.upsert_member(conv, u, MemberRole::Member, event.seq)?;
        }
        let mut notify = current;
        notify.extend(added);
        Ok(Ok(WriteOutcome::MembershipChanged { event, notify }))
    }

    fn remove_member(&self, conv: ConvId, by: UserId, user: UserId) -> StoreResult<WriteResult> {
        let by_role = match self.check_group_member(conv, by)? {
            Ok(role) => role,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let notify = self.active_members(conv)?;
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
        let event = self.append_event(conv, by, content)?;
        if let Content::System(SystemEvent::MemberLeft {
            new_owner: Some(owner),
            ..
        }) = &event.content
        {
            self.conn
                .prepare_cached(
                    "UPDATE members SET role = 'owner', change_pos = ?
                     WHERE conv_id = ? AND user_id = ?",
                )?
                .execute([self.pos, conv.0, owner.0])?;
        }
        self.conn
            .prepare_cached(
                "UPDATE members SET left_seq = ?, role = 'member', change_pos = ?
                 WHERE conv_id = ? AND user_id = ?",
            )?
            .execute([event.seq as i64, self.pos, conv.0, user.0])?;
        Ok(Ok(WriteOutcome::MembershipChanged { event, notify }))
    }

    fn mark_read(&self, conv: ConvId, user: UserId, seq: u64) -> StoreResult<WriteResult> {
        let Some(member) = conversations::membership(self.conn, conv, user)? else {
            return Ok(Err(Refusal::NotMember));
        };
        let last_seq = match member.left_seq {
            Some(left) => left,
            None => self.last_seq(conv)?,
        };
        let target = seq.min(last_seq);
        let moved = target > member.read_seq;
        let read_seq = member.read_seq.max(target);
        if moved {
            self.conn
                .prepare_cached(
                    "UPDATE members SET read_seq = ?, change_pos = ?
                     WHERE conv_id = ? AND user_id = ?",
                )?
                .execute([read_seq as i64, self.pos, conv.0, user.0])?;
        }
        let unread = events::count_unread(self.conn, conv, user, read_seq, last_seq)?;
        Ok(Ok(WriteOutcome::ReadMoved {
            conv,
            user,
            read_seq,
            unread,
            moved,
        }))
    }

    // --- helpers --------------------------------------------------------------------------

    /// Allocates the next seq and stores a system event, in this transaction (the trigger of
    /// migration 0002 advances the conversation).
    fn append_event(&self, conv: ConvId, sender: UserId, content: Content) -> StoreResult<Event> {
        let id = Uuid::now_v7();
        let seq: i64 = query_one(
            self.conn,
            "INSERT INTO events (conv_id, seq, id, sender_id, cmid, content, counts_unread, ts)
             SELECT id, last_seq + 1, ?, ?, NULL, ?, ?, ? FROM conversations WHERE id = ?
             RETURNING seq",
            params![
                id.to_string(),
                sender.0,
                serde_json::to_string(&content)?,
                content.counts_as_unread(),
                self.now,
                conv.0
            ],
            |row| Ok(row.get(0)?),
        )?
        .ok_or_else(|| StoreError::Internal(format!("conversation {} vanished", conv.0)))?;
        Ok(Event {
            conv,
            seq: seq as u64,
            id,
            sender,
            ts: self.now,
            cmid: None,
            content,
        })
    }

    fn last_seq(&self, conv: ConvId) -> StoreResult<u64> {
        let last: i64 = self
            .conn
            .prepare_cached("SELECT last_seq FROM conversations WHERE id = ?")?
            .query_row([conv.0], |row| row.get(0))?;
        Ok(last as u64)
    }

    fn insert_conversation(
        &self,
        kind: &str,
        name: Option<&str>,
        direct_key: Option<&str>,
    ) -> StoreResult<ConvId> {
        let id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO conversations
                    (kind, name, direct_key, last_seq, last_ts, change_pos, created_at)
                 VALUES (?, ?, ?, 0, ?, ?, ?) RETURNING id",
            )?
            .query_row(
                params![kind, name, direct_key, self.now, self.pos, self.now],
                |row| row.get(0),
            )?;
        Ok(ConvId(id))
    }

    /// Adds a member, or brings back one who left. New members start with everything up to
    /// `read_seq` (their joining event) read, so a group's old history is not "unread".
    fn upsert_member(
        &self,
        conv: ConvId,
        user: UserId,
        role: MemberRole,
        read_seq: u64,
    ) -> StoreResult<()> {
        let role = role.as_str();
        self.conn
            .prepare_cached(
                "INSERT INTO members
                    (conv_id, user_id, role, read_seq, left_seq, change_pos, joined_at)
                 VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6)
                 ON CONFLICT (conv_id, user_id) DO UPDATE SET
                    role = ?3, read_seq = max(read_seq, ?4), left_seq = NULL,
                    change_pos = ?5, joined_at = ?6",
            )?
            .execute(params![
                conv.0,
                user.0,
                role,
                read_seq as i64,
                self.pos,
                self.now
            ])?;
        Ok(())
    }

    /// The role of `user` in group `conv`, or why they cannot act on it. Non-members learn
    /// nothing about whether the conversation exists.
    fn check_group_member(
        &self,
        conv: ConvId,
        user: UserId,
    ) -> StoreResult<Result<MemberRole, Refusal>> {
        let role = match conversations::membership(self.conn, conv, user)? {
            Some(m) if m.is_active() => m.role,
            _ => return Ok(Err(Refusal::NotMember)),
        };
        let kind: String = self
            .conn
            .prepare_cached("SELECT kind FROM conversations WHERE id = ?")?
            .query_row([conv.0], |row| row.get(0))?;
        if kind != "group" {
            return Ok(Err(Refusal::NotGroup));
        }
        Ok(Ok(role))
    }

    fn active_members(&self, conv: ConvId) -> StoreResult<Vec<UserId>> {
        query_all(
            self.conn,
            "SELECT user_id FROM members WHERE conv_id = ? AND left_seq IS NULL
             ORDER BY joined_at, user_id",
            [conv.0],
            |row| Ok(UserId(row.get(0)?)),
        )
    }

    /// One of `users` that does not exist, if any: one statement for the whole list.
    fn first_missing_user(&self, users: &[UserId]) -> StoreResult<Option<UserId>> {
        query_one(
            self.conn,
            "SELECT value FROM json_each(?)
             WHERE value NOT IN (SELECT id FROM users) LIMIT 1",
            [super::id_list(users.iter().map(|u| u.0))],
            |row| Ok(UserId(row.get(0)?)),
        )
    }
}
