//! Changes to messages, written once for both databases: replies and mentions checked on the
//! way in, and edit, recall, reaction, pin and forward. Each change is an event of its own in
//! the conversation's seq order (`target` set to the message's seq, so it never counts as unread
//! nor becomes the preview), and the message's row is kept as it stands now, its `rev` naming the
//! latest change (docs/PROTOCOL.md, "Changes to messages").

use super::apply::Batch;
use super::{FORWARD_MAX, PINS_MAX, Refusal, WriteOutcome, WriteResult};
use crate::files::forget_refs;
use crate::sql::{Sql, args, stmt};
use crate::{StoreError, StoreResult};
use tern_proto::{Content, ConvId, Event, Forwarded, MemberRole, UserId};
use uuid::Uuid;

/// Whether a message names other events or members, which the batch must check first.
pub(super) fn references_others(content: &Content) -> bool {
    matches!(content, Content::Text { reply_to, mentions, mention_all, .. }
        if reply_to.is_some() || !mentions.is_empty() || *mention_all)
}

/// Who is acting: an active member, with their role, in a group or not.
struct Actor {
    role: MemberRole,
    group: bool,
}

/// A message as stored: what a change needs to know about it.
struct Message {
    sender: UserId,
    ts: i64,
    content: Content,
}

impl<S: Sql> Batch<'_, S> {
    /// Checks a new message's reply and mentions against the conversation.
    pub(super) async fn check_references(
        &mut self,
        conv: ConvId,
        sender: UserId,
        content: &Content,
    ) -> StoreResult<Result<(), Refusal>> {
        let Content::Text {
            reply_to,
            mentions,
            mention_all,
            ..
        } = content
        else {
            return Ok(Ok(()));
        };
        let actor = match self.actor(conv, sender).await? {
            Ok(actor) => actor,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if let Some(target) = reply_to
            && self.message(conv, *target).await?.is_none()
        {
            return Ok(Err(Refusal::InvalidTarget));
        }
        if *mention_all && !(actor.group && actor.role.is_admin()) {
            return Ok(Err(Refusal::MentionAllNotAllowed));
        }
        if !mentions.is_empty() {
            let ids: Vec<i64> = mentions.iter().map(|u| u.0).collect();
            let outsider = self
                .sql
                .one(
                    stmt!(
                        "SELECT x.id FROM ids($1) AS x WHERE NOT EXISTS (
                           SELECT 1 FROM members m
                            WHERE m.conv_id = $2 AND m.user_id = x.id AND m.left_seq IS NULL)
                         LIMIT 1"
                    ),
                    args![&ids, conv.0],
                    |row| Ok(UserId(row.int("id")?)),
                )
                .await?;
            if let Some(user) = outsider {
                return Ok(Err(Refusal::MentionedNonMember(user)));
            }
        }
        Ok(Ok(()))
    }

    /// Records whom a new message mentions, for the count of unread mentions (user 0: `@all`).
    pub(super) async fn record_mentions(
        &mut self,
        conv: ConvId,
        sender: UserId,
        seq: u64,
        content: &Content,
    ) -> StoreResult<()> {
        let Content::Text {
            mentions,
            mention_all,
            ..
        } = content
        else {
            return Ok(());
        };
        let mut ids: Vec<i64> = if *mention_all {
            vec![0]
        } else {
            mentions
                .iter()
                .filter(|u| **u != sender)
                .map(|u| u.0)
                .collect()
        };
        ids.sort_unstable();
        ids.dedup();
        self.insert_mentions(conv, sender, seq, &ids).await
    }

    /// Records that the event at `seq` mentions everyone (`@all`, an announcement).
    pub(super) async fn record_mention_all(
        &mut self,
        conv: ConvId,
        sender: UserId,
        seq: u64,
    ) -> StoreResult<()> {
        self.insert_mentions(conv, sender, seq, &[0]).await
    }

    async fn insert_mentions(
        &mut self,
        conv: ConvId,
        sender: UserId,
        seq: u64,
        ids: &[i64],
    ) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        self.sql
            .exec(
                stmt!(
                    "INSERT INTO mentions (conv_id, user_id, seq, sender_id)
                     SELECT $1, x.id, $2, $3 FROM ids($4) AS x WHERE true
                     ON CONFLICT DO NOTHING"
                ),
                args![conv.0, seq as i64, sender.0, ids],
            )
            .await?;
        Ok(())
    }

    pub(super) async fn edit(
        &mut self,
        conv: ConvId,
        by: UserId,
        target: u64,
        text: String,
        window_ms: Option<i64>,
    ) -> StoreResult<WriteResult> {
        // An edit says something new: a muted member may not.
        if let Err(refusal) = self.may_post(conv, by).await? {
            return Ok(Err(refusal));
        }
        let Some(message) = self.message(conv, target).await? else {
            return Ok(Err(Refusal::InvalidTarget));
        };
        if message.sender != by {
            return Ok(Err(Refusal::NotSender));
        }
        if self.too_late(message.ts, window_ms) {
            return Ok(Err(Refusal::TooLate));
        }
        let Content::Text {
            text: current,
            reply_to,
            mentions,
            mention_all,
            forwarded,
        } = message.content
        else {
            return Ok(Err(Refusal::InvalidTarget));
        };
        if current == text {
            return Ok(Ok(WriteOutcome::Unchanged));
        }
        let event = self
            .append_change(
                conv,
                by,
                Content::Edit {
                    target,
                    text: text.clone(),
                },
            )
            .await?;
        let edited = Content::Text {
            text,
            reply_to,
            mentions,
            mention_all,
            forwarded,
        };
        self.sql
            .exec(
                stmt!(
                    "UPDATE events SET original = COALESCE(original, content), content = $1,
                                       edited_at = $2, rev = $3
                      WHERE conv_id = $4 AND seq = $5"
                ),
                args![
                    serde_json::to_string(&edited)?.as_str(),
                    self.now,
                    event.seq as i64,
                    conv.0,
                    target as i64
                ],
            )
            .await?;
        Ok(Ok(changed(vec![event])))
    }

    pub(super) async fn recall(
        &mut self,
        conv: ConvId,
        by: UserId,
        target: u64,
        window_ms: Option<i64>,
    ) -> StoreResult<WriteResult> {
        let actor = match self.actor(conv, by).await? {
            Ok(actor) => actor,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let Some(message) = self.any_event(conv, target).await? else {
            return Ok(Err(Refusal::InvalidTarget));
        };
        match message.content {
            // Recalling twice changes nothing.
            Content::Recalled { .. } => return Ok(Ok(WriteOutcome::Unchanged)),
            ref content if content.is_message() => {}
            _ => return Ok(Err(Refusal::InvalidTarget)),
        }
        let moderator = actor.group && actor.role.is_admin();
        if !moderator {
            if message.sender != by {
                return Ok(Err(Refusal::NotSender));
            }
            if self.too_late(message.ts, window_ms) {
                return Ok(Err(Refusal::TooLate));
            }
        }
        let event = self
            .append_change(conv, by, Content::Recall { target })
            .await?;
        // Erased, not hidden: the text, the versions before it and the texts of its edits. It
        // no longer counts as unread, nor as a mention.
        let recalled = serde_json::to_string(&Content::Recalled { by })?;
        self.sql
            .exec(
                stmt!(
                    "UPDATE events SET content = $1, original = NULL, rev = $2,
                                       counts_unread = false
                      WHERE conv_id = $3 AND seq = $4"
                ),
                args![recalled.as_str(), event.seq as i64, conv.0, target as i64],
            )
            .await?;
        let erased_edit = serde_json::to_string(&Content::Edit {
            target,
            text: String::new(),
        })?;
        self.sql
            .exec(
                stmt!(
                    "UPDATE events SET content = $1
                      WHERE conv_id = $2 AND target = $3 AND content LIKE '{\"type\":\"edit\"%'"
                ),
                args![erased_edit.as_str(), conv.0, target as i64],
            )
            .await?;
        for statement in [
            stmt!("DELETE FROM reactions WHERE conv_id = $1 AND seq = $2"),
            stmt!("DELETE FROM pins WHERE conv_id = $1 AND seq = $2"),
            stmt!("DELETE FROM mentions WHERE conv_id = $1 AND seq = $2"),
        ] {
            self.sql
                .exec(statement, args![conv.0, target as i64])
                .await?;
        }
        forget_refs(self.sql, conv.0, target as i64).await?;
        Ok(Ok(changed(vec![event])))
    }

    pub(super) async fn react(
        &mut self,
        conv: ConvId,
        by: UserId,
        target: u64,
        emoji: String,
        added: bool,
    ) -> StoreResult<WriteResult> {
        if let Err(refusal) = self.actor(conv, by).await? {
            return Ok(Err(refusal));
        }
        // A reaction reaches the other side as much as a message does.
        if self.closed_by_block(conv).await? {
            return Ok(Err(Refusal::Blocked));
        }
        if self.message(conv, target).await?.is_none() {
            return Ok(Err(Refusal::InvalidTarget));
        }
        let changed_rows = if added {
            self.sql
                .exec(
                    stmt!(
                        "INSERT INTO reactions (conv_id, seq, emoji, user_id, ts)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
                    ),
                    args![conv.0, target as i64, emoji.as_str(), by.0, self.now],
                )
                .await?
        } else {
            self.sql
                .exec(
                    stmt!(
                        "DELETE FROM reactions
                          WHERE conv_id = $1 AND seq = $2 AND emoji = $3 AND user_id = $4"
                    ),
                    args![conv.0, target as i64, emoji.as_str(), by.0],
                )
                .await?
        };
        if changed_rows == 0 {
            return Ok(Ok(WriteOutcome::Unchanged));
        }
        let event = self
            .append_change(
                conv,
                by,
                Content::Reaction {
                    target,
                    emoji: emoji.clone(),
                    added,
                },
            )
            .await?;
        if added {
            self.sql
                .exec(
                    stmt!(
                        "UPDATE reactions SET added_seq = $1
                          WHERE conv_id = $2 AND seq = $3 AND emoji = $4 AND user_id = $5"
                    ),
                    args![
                        event.seq as i64,
                        conv.0,
                        target as i64,
                        emoji.as_str(),
                        by.0
                    ],
                )
                .await?;
        }
        self.set_rev(conv, target, event.seq).await?;
        Ok(Ok(changed(vec![event])))
    }

    pub(super) async fn pin(
        &mut self,
        conv: ConvId,
        by: UserId,
        target: u64,
        pinned: bool,
    ) -> StoreResult<WriteResult> {
        let actor = match self.actor(conv, by).await? {
            Ok(actor) => actor,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if actor.group && !actor.role.is_admin() {
            return Ok(Err(Refusal::NotAdmin));
        }
        if self.message(conv, target).await?.is_none() {
            return Ok(Err(Refusal::InvalidTarget));
        }
        let changed_rows = if pinned {
            let count = self
                .sql
                .one(
                    stmt!("SELECT count(*) AS n FROM pins WHERE conv_id = $1"),
                    args![conv.0],
                    |row| row.int("n"),
                )
                .await?
                .unwrap_or(0);
            if count as usize >= PINS_MAX {
                return Ok(Err(Refusal::TooManyPins));
            }
            self.sql
                .exec(
                    stmt!(
                        "INSERT INTO pins (conv_id, seq, by_id, ts) VALUES ($1, $2, $3, $4)
                         ON CONFLICT DO NOTHING"
                    ),
                    args![conv.0, target as i64, by.0, self.now],
                )
                .await?
        } else {
            self.sql
                .exec(
                    stmt!("DELETE FROM pins WHERE conv_id = $1 AND seq = $2"),
                    args![conv.0, target as i64],
                )
                .await?
        };
        if changed_rows == 0 {
            return Ok(Ok(WriteOutcome::Unchanged));
        }
        let event = self
            .append_change(conv, by, Content::Pin { target, pinned })
            .await?;
        Ok(Ok(changed(vec![event])))
    }

    pub(super) async fn forward(
        &mut self,
        conv: ConvId,
        by: UserId,
        from: ConvId,
        seqs: Vec<u64>,
        cmid: String,
    ) -> StoreResult<WriteResult> {
        if seqs.is_empty() || seqs.len() > FORWARD_MAX {
            return Ok(Err(Refusal::InvalidTarget));
        }
        let cmid_of = |i: usize| format!("{cmid}/{}", i + 1);
        // A resend: the copies made then (all of them: they were stored in one transaction).
        match self.by_cmid(conv, by, &cmid_of(0)).await? {
            Some(Err(refusal)) => return Ok(Err(refusal)),
            Some(Ok(_)) => {
                let mut events = Vec::with_capacity(seqs.len());
                for i in 0..seqs.len() {
                    if let Some(Ok(WriteOutcome::Appended { event, .. })) =
                        self.by_cmid(conv, by, &cmid_of(i)).await?
                    {
                        events.push(event);
                    }
                }
                return Ok(Ok(WriteOutcome::Changed {
                    events,
                    duplicate: true,
                }));
            }
            None => {}
        }
        if let Err(refusal) = self.actor(conv, by).await? {
            return Ok(Err(refusal));
        }
        // The source must be readable by `by`: a member, or a former one up to their leaving.
        let Some(source) = crate::conversations::membership(self.sql, from, by).await? else {
            return Ok(Err(Refusal::NotMember));
        };
        let mut copies = Vec::with_capacity(seqs.len());
        for &seq in &seqs {
            if source.left_seq.is_some_and(|left| seq > left) {
                return Ok(Err(Refusal::InvalidTarget));
            }
            let Some(message) = self.message(from, seq).await? else {
                return Ok(Err(Refusal::InvalidTarget));
            };
            // A forward of a forward still names the original author.
            let origin = Forwarded {
                sender: message.sender,
                ts: message.ts,
            };
            let Some(copy) = message.content.forwarded_copy(origin) else {
                return Ok(Err(Refusal::InvalidTarget));
            };
            copies.push(copy);
        }
        let mut events = Vec::with_capacity(copies.len());
        for (i, content) in copies.into_iter().enumerate() {
            match self.append_message(conv, by, cmid_of(i), content).await? {
                Ok(WriteOutcome::Appended { event, .. }) => events.push(event),
                Ok(other) => {
                    return Err(StoreError::Internal(format!(
                        "a forward appended {other:?}"
                    )));
                }
                Err(refusal) => return Ok(Err(refusal)),
            }
        }
        Ok(Ok(WriteOutcome::Changed {
            events,
            duplicate: false,
        }))
    }

    /// `user` as an active member of `conv`, or why they cannot act there (non-members learn
    /// nothing about whether the conversation exists).
    async fn actor(&mut self, conv: ConvId, user: UserId) -> StoreResult<Result<Actor, Refusal>> {
        let found = self
            .sql
            .one(
                stmt!(
                    "SELECT m.role, m.left_seq, c.kind FROM members m
                       JOIN conversations c ON c.id = m.conv_id
                      WHERE m.conv_id = $1 AND m.user_id = $2"
                ),
                args![conv.0, user.0],
                |row| {
                    let role = crate::rows::role(&row.text("role")?)?;
                    let active = row.opt_int("left_seq")?.is_none();
                    Ok((role, active, row.text("kind")? == "group"))
                },
            )
            .await?;
        Ok(match found {
            Some((role, true, group)) => Ok(Actor { role, group }),
            _ => Err(Refusal::NotMember),
        })
    }

    /// The message at `seq`: `None` if there is none, or the event there is not a message (a
    /// system event, a change to a message, a recalled message).
    async fn message(&mut self, conv: ConvId, seq: u64) -> StoreResult<Option<Message>> {
        Ok(self
            .any_event(conv, seq)
            .await?
            .filter(|m| m.content.is_message()))
    }

    async fn any_event(&mut self, conv: ConvId, seq: u64) -> StoreResult<Option<Message>> {
        let found = self
            .sql
            .one(
                stmt!("SELECT sender_id, ts, content FROM events WHERE conv_id = $1 AND seq = $2"),
                args![conv.0, crate::sql::sql_int(seq)],
                |row| {
                    Ok(Message {
                        sender: UserId(row.int("sender_id")?),
                        ts: row.int("ts")?,
                        content: serde_json::from_str(&row.text("content")?)?,
                    })
                },
            )
            .await?;
        Ok(found)
    }

    /// Whether a window of `window_ms` after `sent` has passed (a window of 0 never opens).
    fn too_late(&self, sent: i64, window_ms: Option<i64>) -> bool {
        window_ms.is_some_and(|window| window <= 0 || self.now - sent > window)
    }

    async fn set_rev(&mut self, conv: ConvId, target: u64, rev: u64) -> StoreResult<()> {
        self.sql
            .exec(
                stmt!("UPDATE events SET rev = $1 WHERE conv_id = $2 AND seq = $3"),
                args![rev as i64, conv.0, target as i64],
            )
            .await?;
        Ok(())
    }

    /// Stores a change to the message at `content.target()` as the conversation's next event:
    /// it advances `last_seq` (so catch-up brings it) but not the preview, the list order or
    /// anyone's read position.
    async fn append_change(
        &mut self,
        conv: ConvId,
        by: UserId,
        content: Content,
    ) -> StoreResult<Event> {
        let target = content
            .target()
            .ok_or_else(|| StoreError::Internal(format!("{} has no target", content.kind())))?;
        let id = Uuid::now_v7();
        let body = serde_json::to_string(&content)?;
        let seq = self
            .sql
            .one(
                stmt!(
                    sqlite: "INSERT INTO events
                        (conv_id, seq, id, sender_id, cmid, content, counts_unread, ts, pos, target)
                     SELECT id, last_seq + 1, $1, $2, NULL, $3, false, $4, $6, $7
                       FROM conversations WHERE id = $5
                     RETURNING seq",
                    postgres: "WITH appended AS (
                       INSERT INTO events
                        (conv_id, seq, id, sender_id, cmid, content, counts_unread, ts, pos, target)
                       SELECT id, last_seq + 1, $1, $2, NULL, $3, false, $4, $6, $7
                         FROM conversations WHERE id = $5
                       RETURNING seq),
                     conv AS (
                       UPDATE conversations SET last_seq = a.seq, change_pos = $6
                         FROM appended a WHERE id = $5)
                     SELECT seq FROM appended",
                ),
                args![
                    id.to_string().as_str(),
                    by.0,
                    body.as_str(),
                    self.now,
                    conv.0,
                    self.pos,
                    target as i64
                ],
                |row| row.int("seq"),
            )
            .await?
            .ok_or_else(|| StoreError::Internal(format!("conversation {} vanished", conv.0)))?;
        Ok(Event::new(
            conv, seq as u64, id, by, self.now, None, content,
        ))
    }
}

fn changed(events: Vec<Event>) -> WriteOutcome {
    WriteOutcome::Changed {
        events,
        duplicate: false,
    }
}
