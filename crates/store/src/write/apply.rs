//! Applying conversation writes, written once for both databases: each op checks everything it
//! needs before it writes anything, so a refused op leaves no trace and the rest of the batch
//! commits. The backend opens the batch's transaction, stamps it with a change position and
//! commits it (`sqlite::writer`, `postgres::writer`); everything in between is here.

use super::changes::references_others;
use super::rules::{group_members, newcomers};
use super::{GROUP_MEMBERS_MAX, Refusal, WriteOp, WriteOutcome, WriteResult};
use crate::conversations::{member_ids, membership};
use crate::events::{count_unread, count_unread_mentions};
use crate::files::record_refs;
use crate::sql::{Sql, args, stmt};
use crate::{StoreError, StoreResult};
use tern_proto::{Content, ConvId, Event, MemberRole, NotifyLevel, SystemEvent, UserId};
use uuid::Uuid;

/// One batch in its transaction: every row it touches is stamped with `pos`.
pub(crate) struct Batch<'s, S> {
    pub(crate) sql: &'s mut S,
    /// The change position of this batch (see ARCHITECTURE.md, "Catch-up").
    pub(crate) pos: i64,
    pub(crate) now: i64,
}

impl<S: Sql> Batch<'_, S> {
    pub(crate) async fn apply(&mut self, op: WriteOp) -> StoreResult<WriteResult> {
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
            WriteOp::Edit {
                conv,
                by,
                target,
                text,
                window_ms,
            } => self.edit(conv, by, target, text, window_ms).await,
            WriteOp::Recall {
                conv,
                by,
                target,
                window_ms,
            } => self.recall(conv, by, target, window_ms).await,
            WriteOp::React {
                conv,
                by,
                target,
                emoji,
                added,
            } => self.react(conv, by, target, emoji, added).await,
            WriteOp::Pin {
                conv,
                by,
                target,
                pinned,
            } => self.pin(conv, by, target, pinned).await,
            WriteOp::Preferences {
                conv,
                user,
                notify,
                top,
            } => self.preferences(conv, user, notify, top).await,
            WriteOp::Forward {
                conv,
                by,
                from,
                seqs,
                cmid,
            } => self.forward(conv, by, from, seqs, cmid).await,
            WriteOp::ChangeGroup { conv, by, changes } => {
                self.change_group(conv, by, changes).await
            }
            WriteOp::SetRole {
                conv,
                by,
                user,
                role,
            } => self.set_member_role(conv, by, user, role).await,
            WriteOp::TransferOwnership { conv, by, to } => {
                self.transfer_ownership(conv, by, to).await
            }
            WriteOp::Mute {
                conv,
                by,
                user,
                until,
            } => self.mute_member(conv, by, user, until).await,
            WriteOp::MuteAll { conv, by, muted } => self.mute_all(conv, by, muted).await,
            WriteOp::Nickname {
                conv,
                user,
                nickname,
            } => self.nickname(conv, user, nickname).await,
            WriteOp::Dissolve { conv, by } => self.dissolve(conv, by).await,
            WriteOp::Block {
                user,
                other,
                blocked,
            } => self.block(user, other, blocked).await,
        }
    }

    pub(super) async fn append_message(
        &mut self,
        conv: ConvId,
        sender: UserId,
        cmid: String,
        content: Content,
    ) -> StoreResult<WriteResult> {
        // The common case in one statement: membership check, seq allocation, insert, and the
        // conversation and the sender's read position advanced (SQLite: by the trigger of its
        // migration 0002; PostgreSQL: in the statement itself, since a plpgsql trigger cost it
        // a fifth of its time, see docs/benchmarks.md). A resend hits the unique (sender, cmid)
        // index and inserts nothing.
        // A reply or mentions are checked against the conversation first; a resend is answered
        // as before, whatever has become of what it names since.
        if references_others(&content) {
            if let Some(found) = self.by_cmid(conv, sender, &cmid).await? {
                return Ok(found);
            }
            if let Err(refusal) = self.check_references(conv, sender, &content).await? {
                return Ok(Err(refusal));
            }
        }
        let id = Uuid::now_v7();
        let body = serde_json::to_string(&content)?;
        let seq = self
            .sql
            .one(
                stmt!(
                    sqlite: "INSERT INTO events
                        (conv_id, seq, id, sender_id, cmid, content, counts_unread, ts, pos)
                     SELECT c.id, c.last_seq + 1, $1, $2, $3, $4, $5, $6, $8 FROM conversations c
                      WHERE c.id = $7 AND EXISTS (SELECT 1 FROM members m WHERE m.conv_id = c.id
                                                    AND m.user_id = $2 AND m.left_seq IS NULL
                              AND NOT c.blocked
                              AND (m.muted_until IS NULL OR m.muted_until <= $6)
                              AND (NOT c.all_muted OR m.role <> 'member'))
                     ON CONFLICT (sender_id, cmid) WHERE cmid IS NOT NULL DO NOTHING
                     RETURNING seq",
                    postgres: "WITH appended AS (
                       INSERT INTO events
                        (conv_id, seq, id, sender_id, cmid, content, counts_unread, ts, pos)
                       SELECT c.id, c.last_seq + 1, $1, $2, $3, $4, $5, $6, $8 FROM conversations c
                        WHERE c.id = $7 AND EXISTS (SELECT 1 FROM members m WHERE m.conv_id = c.id
                                                      AND m.user_id = $2 AND m.left_seq IS NULL
                                AND NOT c.blocked
                                AND (m.muted_until IS NULL OR m.muted_until <= $6)
                                AND (NOT c.all_muted OR m.role <> 'member'))
                       ON CONFLICT (sender_id, cmid) WHERE cmid IS NOT NULL DO NOTHING
                       RETURNING seq),
                     conv AS (
                       UPDATE conversations
                          SET last_seq = a.seq, preview_seq = a.seq, last_ts = $6, change_pos = $8
                         FROM appended a WHERE id = $7),
                     reader AS (
                       UPDATE members SET read_seq = a.seq, change_pos = $8
                         FROM appended a WHERE conv_id = $7 AND user_id = $2)
                     SELECT seq FROM appended",
                ),
                args![
                    id.to_string().as_str(),
                    sender.0,
                    cmid.as_str(),
                    body.as_str(),
                    content.counts_as_unread(),
                    self.now,
                    conv.0,
                    self.pos
                ],
                |row| row.int("seq"),
            )
            .await?;
        if let Some(seq) = seq {
            let seq = seq as u64;
            self.record_mentions(conv, sender, seq, &content).await?;
            let files = content.files();
            if !files.is_empty() {
                record_refs(self.sql, conv.0, seq as i64, &files).await?;
            }
            let event = Event::new(conv, seq, id, sender, self.now, Some(cmid), content);
            return Ok(Ok(WriteOutcome::Appended {
                event,
                duplicate: false,
            }));
        }
        // Nothing inserted: a resend (answered with the original, even if the sender has left
        // or was muted since), a client id reused elsewhere, or the sender may not post.
        if let Some(found) = self.by_cmid(conv, sender, &cmid).await? {
            return Ok(found);
        }
        Ok(Err(self
            .may_post(conv, sender)
            .await?
            .err()
            .unwrap_or(Refusal::NotMember)))
    }

    /// The answer to a resend: the message stored before under (`sender`, `cmid`), or the
    /// refusal when that id went to another conversation; `None` if it was never used.
    pub(super) async fn by_cmid(
        &mut self,
        conv: ConvId,
        sender: UserId,
        cmid: &str,
    ) -> StoreResult<Option<WriteResult>> {
        let original = self
            .sql
            .one(
                stmt!(
                    "SELECT conv_id, seq, id, sender_id, cmid, content, ts, edited_at, rev
                       FROM events WHERE sender_id = $1 AND cmid = $2"
                ),
                args![sender.0, cmid],
                |row| crate::rows::event(row),
            )
            .await?;
        Ok(original.map(|event| {
            if event.conv != conv {
                Err(Refusal::ClientIdReused)
            } else {
                Ok(WriteOutcome::Appended {
                    event,
                    duplicate: true,
                })
            }
        }))
    }

    async fn open_direct(&mut self, a: UserId, b: UserId) -> StoreResult<WriteResult> {
        if a == b {
            return Ok(Err(Refusal::DirectWithSelf));
        }
        if let Some(missing) = self.first_missing_user(&[a, b]).await? {
            return Ok(Err(Refusal::UserNotFound(missing)));
        }
        let key = super::reach::direct_key(a, b);
        let existing = self
            .sql
            .one(
                stmt!("SELECT id FROM conversations WHERE direct_key = $1"),
                args![key.as_str()],
                |row| Ok(ConvId(row.int("id")?)),
            )
            .await?;
        if let Some(conv) = existing {
            return Ok(Ok(WriteOutcome::DirectOpened {
                conv,
                created: false,
            }));
        }
        if let Err(refusal) = self.may_open_direct(a, b).await? {
            return Ok(Err(refusal));
        }
        let conv = self.insert_conversation("direct", None, Some(&key)).await?;
        self.add_rows(conv, &[a, b], 0).await?;
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
        let all = group_members(owner, members);
        if all.len() > GROUP_MEMBERS_MAX {
            return Ok(Err(Refusal::GroupFull));
        }
        if let Some(missing) = self.first_missing_user(&all).await? {
            return Ok(Err(Refusal::UserNotFound(missing)));
        }
        if let Err(refusal) = self.may_add_to_groups(owner, &all).await? {
            return Ok(Err(refusal));
        }
        let conv = self.insert_conversation("group", Some(&name), None).await?;
        let content = Content::System(SystemEvent::GroupCreated {
            name,
            members: all.clone(),
        });
        let event = self.append_event(conv, owner, content).await?;
        self.add_rows(conv, &all, event.seq).await?;
        self.set_role(conv, owner, MemberRole::Owner).await?;
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
        let current = member_ids(self.sql, conv).await?;
        let added = match newcomers(&current, users) {
            Ok(added) => added,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if added.is_empty() {
            return Ok(Ok(WriteOutcome::Unchanged));
        }
        if let Err(refusal) = self.may_add_to_groups(by, &added).await? {
            return Ok(Err(refusal));
        }
        let content = Content::System(SystemEvent::MembersAdded {
            users: added.clone(),
        });
        let event = self.append_event(conv, by, content).await?;
        self.add_rows(conv, &added, event.seq).await?;
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
        let notify = member_ids(self.sql, conv).await?;
        let content = if by == user {
            // The owner leaving hands the group to the longest-standing member.
            let new_owner = if by_role == MemberRole::Owner {
                notify.iter().copied().find(|&u| u != by)
            } else {
                None
            };
            Content::System(SystemEvent::MemberLeft { user, new_owner })
        } else {
            if let Err(refusal) = self.subordinate(conv, by_role, user).await? {
                return Ok(Err(refusal));
            }
            Content::System(SystemEvent::MemberRemoved { user })
        };
        let event = self.append_event(conv, by, content).await?;
        if let Content::System(SystemEvent::MemberLeft {
            new_owner: Some(owner),
            ..
        }) = &event.content
        {
            self.set_role(conv, *owner, MemberRole::Owner).await?;
        }
        self.sql
            .exec(
                stmt!(
                    "UPDATE members SET left_seq = $1, role = 'member', muted_until = NULL,
                                        change_pos = $2
                     WHERE conv_id = $3 AND user_id = $4"
                ),
                args![event.seq as i64, self.pos, conv.0, user.0],
            )
            .await?;
        Ok(Ok(WriteOutcome::MembershipChanged { event, notify }))
    }

    async fn mark_read(
        &mut self,
        conv: ConvId,
        user: UserId,
        seq: u64,
    ) -> StoreResult<WriteResult> {
        let Some(member) = membership(self.sql, conv, user).await? else {
            return Ok(Err(Refusal::NotMember));
        };
        let last_seq = match member.left_seq {
            Some(left) => left,
            None => self.last_seq(conv).await?,
        };
        let target = seq.min(last_seq);
        let moved = target > member.read_seq;
        let read_seq = member.read_seq.max(target);
        if moved {
            self.sql
                .exec(
                    stmt!(
                        "UPDATE members SET read_seq = $1, change_pos = $2
                         WHERE conv_id = $3 AND user_id = $4"
                    ),
                    args![read_seq as i64, self.pos, conv.0, user.0],
                )
                .await?;
        }
        let active = member.left_seq.is_none();
        if moved && active {
            // The other members' next sync reports the conversation, and with it this
            // member's new position (their read receipt).
            self.sql
                .exec(
                    stmt!("UPDATE conversations SET change_pos = $1 WHERE id = $2"),
                    args![self.pos, conv.0],
                )
                .await?;
        }
        let unread = count_unread(self.sql, conv, user, read_seq, last_seq).await?;
        let unread_mentions = if unread > 0 {
            count_unread_mentions(self.sql, conv, user, read_seq, last_seq).await?
        } else {
            0
        };
        Ok(Ok(WriteOutcome::ReadMoved {
            conv,
            user,
            read_seq,
            unread,
            unread_mentions,
            moved,
            active,
        }))
    }

    /// A member's own preferences; a former member keeps theirs too (the conversation stays in
    /// their list).
    async fn preferences(
        &mut self,
        conv: ConvId,
        user: UserId,
        notify: Option<NotifyLevel>,
        top: Option<bool>,
    ) -> StoreResult<WriteResult> {
        let current = self
            .sql
            .one(
                stmt!("SELECT notify, top_at FROM members WHERE conv_id = $1 AND user_id = $2"),
                args![conv.0, user.0],
                |row| {
                    Ok((
                        crate::rows::notify(&row.text("notify")?)?,
                        row.opt_int("top_at")?,
                    ))
                },
            )
            .await?;
        let Some((was_notify, was_top)) = current else {
            return Ok(Err(Refusal::NotMember));
        };
        let now_notify = notify.unwrap_or(was_notify);
        let now_top = match top {
            None => was_top,
            Some(true) => was_top.or(Some(self.now)),
            Some(false) => None,
        };
        let changed = (now_notify, now_top) != (was_notify, was_top);
        if changed {
            self.sql
                .exec(
                    stmt!(
                        "UPDATE members SET notify = $1, top_at = $2, change_pos = $3
                          WHERE conv_id = $4 AND user_id = $5"
                    ),
                    args![now_notify.as_str(), now_top, self.pos, conv.0, user.0],
                )
                .await?;
        }
        Ok(Ok(WriteOutcome::PreferencesChanged {
            conv,
            user,
            notify: now_notify,
            top: now_top,
            changed,
        }))
    }

    // --- helpers --------------------------------------------------------------------------

    /// Allocates the next seq and stores a system event, in this transaction, and advances the
    /// conversation (as in `append_message`).
    pub(super) async fn append_event(
        &mut self,
        conv: ConvId,
        sender: UserId,
        content: Content,
    ) -> StoreResult<Event> {
        let id = Uuid::now_v7();
        let body = serde_json::to_string(&content)?;
        let seq = self
            .sql
            .one(
                stmt!(
                    sqlite: "INSERT INTO events
                        (conv_id, seq, id, sender_id, cmid, content, counts_unread, ts, pos)
                     SELECT id, last_seq + 1, $1, $2, NULL, $3, $4, $5, $7 FROM conversations
                      WHERE id = $6
                     RETURNING seq",
                    postgres: "WITH appended AS (
                       INSERT INTO events
                        (conv_id, seq, id, sender_id, cmid, content, counts_unread, ts, pos)
                       SELECT id, last_seq + 1, $1, $2, NULL, $3, $4, $5, $7 FROM conversations
                        WHERE id = $6
                       RETURNING seq),
                     conv AS (
                       UPDATE conversations
                          SET last_seq = a.seq, preview_seq = a.seq, last_ts = $5, change_pos = $7
                         FROM appended a WHERE id = $6)
                     SELECT seq FROM appended",
                ),
                args![
                    id.to_string().as_str(),
                    sender.0,
                    body.as_str(),
                    content.counts_as_unread(),
                    self.now,
                    conv.0,
                    self.pos
                ],
                |row| row.int("seq"),
            )
            .await?
            .ok_or_else(|| StoreError::Internal(format!("conversation {} vanished", conv.0)))?;
        Ok(Event::new(
            conv, seq as u64, id, sender, self.now, None, content,
        ))
    }

    async fn last_seq(&mut self, conv: ConvId) -> StoreResult<u64> {
        let last = self
            .sql
            .one(
                stmt!("SELECT last_seq FROM conversations WHERE id = $1"),
                args![conv.0],
                |row| row.int("last_seq"),
            )
            .await?
            .ok_or_else(|| StoreError::Internal(format!("conversation {} vanished", conv.0)))?;
        Ok(last as u64)
    }

    async fn insert_conversation(
        &mut self,
        kind: &str,
        name: Option<&str>,
        direct_key: Option<&str>,
    ) -> StoreResult<ConvId> {
        self.sql
            .one(
                stmt!(
                    "INSERT INTO conversations
                        (kind, name, direct_key, last_seq, last_ts, change_pos, created_at)
                     VALUES ($1, $2, $3, 0, $4, $5, $4) RETURNING id"
                ),
                args![kind, name, direct_key, self.now, self.pos],
                |row| Ok(ConvId(row.int("id")?)),
            )
            .await?
            .ok_or_else(|| StoreError::Internal("INSERT returned nothing".into()))
    }

    /// Adds members (or brings back ones who left) in one statement. New members start with
    /// everything up to `read_seq` (their joining event) read, so a group's old history is not
    /// "unread".
    async fn add_rows(&mut self, conv: ConvId, users: &[UserId], read_seq: u64) -> StoreResult<()> {
        let ids: Vec<i64> = users.iter().map(|u| u.0).collect();
        self.sql
            .exec(
                stmt!(
                    "INSERT INTO members
                        (conv_id, user_id, role, read_seq, left_seq, change_pos, joined_at)
                     SELECT $1, x.id, 'member', $3, NULL, $4, $5 FROM ids($2) AS x WHERE true
                     ON CONFLICT (conv_id, user_id) DO UPDATE SET
                        role = 'member',
                        read_seq = CASE WHEN members.read_seq > $3 THEN members.read_seq ELSE $3 END,
                        left_seq = NULL, change_pos = $4, joined_at = $5"
                ),
                args![conv.0, &ids, read_seq as i64, self.pos, self.now],
            )
            .await?;
        Ok(())
    }

    pub(super) async fn set_role(
        &mut self,
        conv: ConvId,
        user: UserId,
        role: MemberRole,
    ) -> StoreResult<()> {
        self.sql
            .exec(
                stmt!(
                    "UPDATE members SET role = $1, change_pos = $2
                     WHERE conv_id = $3 AND user_id = $4"
                ),
                args![role.as_str(), self.pos, conv.0, user.0],
            )
            .await?;
        Ok(())
    }

    /// The role of `user` in group `conv`, or why they cannot act on it. Non-members learn
    /// nothing about whether the conversation exists.
    pub(super) async fn check_group_member(
        &mut self,
        conv: ConvId,
        user: UserId,
    ) -> StoreResult<Result<MemberRole, Refusal>> {
        let role = match membership(self.sql, conv, user).await? {
            Some(m) if m.is_active() => m.role,
            _ => return Ok(Err(Refusal::NotMember)),
        };
        let kind = self
            .sql
            .one(
                stmt!("SELECT kind FROM conversations WHERE id = $1"),
                args![conv.0],
                |row| row.text("kind"),
            )
            .await?;
        if kind.as_deref() != Some("group") {
            return Ok(Err(Refusal::NotGroup));
        }
        Ok(Ok(role))
    }

    /// One of `users` that does not exist, if any: one statement for the whole list.
    pub(super) async fn first_missing_user(
        &mut self,
        users: &[UserId],
    ) -> StoreResult<Option<UserId>> {
        let ids: Vec<i64> = users.iter().map(|u| u.0).collect();
        self.sql
            .one(
                stmt!(
                    "SELECT x.id FROM ids($1) AS x
                     WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.id) LIMIT 1"
                ),
                args![&ids],
                |row| Ok(UserId(row.int("id")?)),
            )
            .await
    }
}
