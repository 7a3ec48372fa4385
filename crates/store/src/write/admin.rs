//! Group administration, written once for both databases: roles, ownership, muting one member
//! or everyone, the group's name, description, announcement and picture, nicknames, and
//! dissolving the group. Each change is a system event in the conversation's seq order, so it
//! is delivered, caught up and rendered like a message.

use super::apply::Batch;
use super::{Refusal, WriteOutcome, WriteResult};
use crate::conversations::{member_ids, membership};
use crate::sql::{Sql, args, stmt};
use crate::{MemberRecord, StoreResult};
use tern_proto::{Content, ConvId, FileId, MemberRole, SystemEvent, UserId};

/// A muted member's `muted_until` when the mute lasts until an admin lifts it.
pub const MUTED_UNTIL_LIFTED: i64 = i64::MAX;

/// A change to a group's details, by its owner or an admin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupChange {
    Name(String),
    Description(String),
    /// Empty: the announcement is taken down.
    Announcement(String),
    /// `None`: the picture is removed. The file's checks are the caller's.
    Avatar(Option<FileId>),
}

impl<S: Sql> Batch<'_, S> {
    /// The owner or an admin changes the group's details: one event per change.
    pub(super) async fn change_group(
        &mut self,
        conv: ConvId,
        by: UserId,
        changes: Vec<GroupChange>,
    ) -> StoreResult<WriteResult> {
        if let Err(refusal) = self.check_admin(conv, by).await? {
            return Ok(Err(refusal));
        }
        let mut events = Vec::with_capacity(changes.len());
        for change in changes {
            let (event, statement, value) = match change {
                GroupChange::Name(name) => (
                    SystemEvent::Renamed { name: name.clone() },
                    stmt!("UPDATE conversations SET name = $1 WHERE id = $2"),
                    Some(name),
                ),
                GroupChange::Description(description) => (
                    SystemEvent::DescriptionChanged {
                        description: description.clone(),
                    },
                    stmt!("UPDATE conversations SET description = $1 WHERE id = $2"),
                    Some(description),
                ),
                GroupChange::Avatar(avatar) => (
                    SystemEvent::PictureChanged {
                        avatar: avatar.clone(),
                    },
                    stmt!("UPDATE conversations SET avatar = $1 WHERE id = $2"),
                    avatar.map(|f| f.0),
                ),
                GroupChange::Announcement(text) => {
                    let event = self
                        .append_event(conv, by, Content::System(SystemEvent::Announced { text }))
                        .await?;
                    let seq = event.content.is_announcement().then_some(event.seq as i64);
                    if seq.is_some() {
                        // Unread for everyone and a mention of them all, so that members who
                        // hear only of mentions hear of it too.
                        self.record_mention_all(conv, by, event.seq).await?;
                    }
                    self.sql
                        .exec(
                            stmt!("UPDATE conversations SET announcement_seq = $1 WHERE id = $2"),
                            args![seq, conv.0],
                        )
                        .await?;
                    events.push(event);
                    continue;
                }
            };
            let event = self.append_event(conv, by, Content::System(event)).await?;
            self.sql
                .exec(statement, args![value.as_deref(), conv.0])
                .await?;
            events.push(event);
        }
        Ok(Ok(changed(events)))
    }

    /// The owner makes a member an admin, or an admin a member again.
    pub(super) async fn set_member_role(
        &mut self,
        conv: ConvId,
        by: UserId,
        user: UserId,
        role: MemberRole,
    ) -> StoreResult<WriteResult> {
        if let Err(refusal) = self.check_owner(conv, by).await? {
            return Ok(Err(refusal));
        }
        if !matches!(role, MemberRole::Admin | MemberRole::Member) {
            return Ok(Err(Refusal::Outranked));
        }
        let current = match self.target(conv, user).await? {
            Ok(role) => role,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if current == MemberRole::Owner {
            return Ok(Err(Refusal::Outranked));
        }
        if current == role {
            return Ok(Ok(WriteOutcome::Unchanged));
        }
        let event = self
            .append_event(
                conv,
                by,
                Content::System(SystemEvent::RoleChanged { user, role }),
            )
            .await?;
        self.set_role(conv, user, role).await?;
        Ok(Ok(changed(vec![event])))
    }

    /// The owner hands the group to another member and stays on as an admin.
    pub(super) async fn transfer_ownership(
        &mut self,
        conv: ConvId,
        by: UserId,
        to: UserId,
    ) -> StoreResult<WriteResult> {
        if let Err(refusal) = self.check_owner(conv, by).await? {
            return Ok(Err(refusal));
        }
        if to == by {
            return Ok(Ok(WriteOutcome::Unchanged));
        }
        if let Err(refusal) = self.target(conv, to).await? {
            return Ok(Err(refusal));
        }
        let event = self
            .append_event(
                conv,
                by,
                Content::System(SystemEvent::OwnerChanged { user: to }),
            )
            .await?;
        self.set_role(conv, to, MemberRole::Owner).await?;
        self.set_role(conv, by, MemberRole::Admin).await?;
        Ok(Ok(changed(vec![event])))
    }

    /// An admin mutes a member below them until `until` (`MUTED_UNTIL_LIFTED`: until lifted),
    /// or lifts the mute (`None`).
    pub(super) async fn mute_member(
        &mut self,
        conv: ConvId,
        by: UserId,
        user: UserId,
        until: Option<i64>,
    ) -> StoreResult<WriteResult> {
        let by_role = match self.check_admin(conv, by).await? {
            Ok(role) => role,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let target = match self.subordinate(conv, by_role, user).await? {
            Ok(target) => target,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let event = match until {
            Some(until) => SystemEvent::MemberMuted {
                user,
                until: (until != MUTED_UNTIL_LIFTED).then_some(until),
            },
            None if target.muted_until.is_some_and(|t| t > self.now) => {
                SystemEvent::MemberUnmuted { user }
            }
            None => return Ok(Ok(WriteOutcome::Unchanged)),
        };
        let event = self.append_event(conv, by, Content::System(event)).await?;
        self.sql
            .exec(
                stmt!(
                    "UPDATE members SET muted_until = $1, change_pos = $2
                      WHERE conv_id = $3 AND user_id = $4"
                ),
                args![until, self.pos, conv.0, user.0],
            )
            .await?;
        Ok(Ok(changed(vec![event])))
    }

    /// An admin lets only the owner and admins post ("mute all"), or everyone again.
    pub(super) async fn mute_all(
        &mut self,
        conv: ConvId,
        by: UserId,
        muted: bool,
    ) -> StoreResult<WriteResult> {
        if let Err(refusal) = self.check_admin(conv, by).await? {
            return Ok(Err(refusal));
        }
        let was = self
            .sql
            .one(
                stmt!("SELECT all_muted FROM conversations WHERE id = $1"),
                args![conv.0],
                |row| row.flag("all_muted"),
            )
            .await?;
        if was == Some(muted) {
            return Ok(Ok(WriteOutcome::Unchanged));
        }
        let event = self
            .append_event(conv, by, Content::System(SystemEvent::AllMuted { muted }))
            .await?;
        // Every member's summary changes (whether they may post): the conversation's position
        // moves with the event, and the summary reads the flag from it.
        self.sql
            .exec(
                stmt!("UPDATE conversations SET all_muted = $1 WHERE id = $2"),
                args![muted, conv.0],
            )
            .await?;
        Ok(Ok(changed(vec![event])))
    }

    /// A member's own nickname in the group (`None`: dropped).
    pub(super) async fn nickname(
        &mut self,
        conv: ConvId,
        user: UserId,
        nickname: Option<String>,
    ) -> StoreResult<WriteResult> {
        let Some(member) = membership(self.sql, conv, user)
            .await?
            .filter(|m| m.is_active())
        else {
            return Ok(Err(Refusal::NotMember));
        };
        if let Err(refusal) = self.check_group_member(conv, user).await? {
            return Ok(Err(refusal));
        }
        if member.nickname == nickname {
            return Ok(Ok(WriteOutcome::Unchanged));
        }
        let event = SystemEvent::NicknameChanged {
            user,
            nickname: nickname.clone(),
        };
        let event = self
            .append_event(conv, user, Content::System(event))
            .await?;
        self.sql
            .exec(
                stmt!("UPDATE members SET nickname = $1 WHERE conv_id = $2 AND user_id = $3"),
                args![nickname.as_deref(), conv.0, user.0],
            )
            .await?;
        Ok(Ok(changed(vec![event])))
    }

    /// The owner dissolves the group: everyone is removed by one event, after which it is
    /// history, readable by those who were in it.
    pub(super) async fn dissolve(&mut self, conv: ConvId, by: UserId) -> StoreResult<WriteResult> {
        if let Err(refusal) = self.check_owner(conv, by).await? {
            return Ok(Err(refusal));
        }
        let notify = member_ids(self.sql, conv).await?;
        let event = self
            .append_event(conv, by, Content::System(SystemEvent::Dissolved))
            .await?;
        self.sql
            .exec(
                stmt!(
                    "UPDATE members SET left_seq = $1, role = 'member', muted_until = NULL,
                                        change_pos = $2
                      WHERE conv_id = $3 AND left_seq IS NULL"
                ),
                args![event.seq as i64, self.pos, conv.0],
            )
            .await?;
        Ok(Ok(WriteOutcome::MembershipChanged { event, notify }))
    }

    // --- who may ---------------------------------------------------------------------------

    /// Whether `user` may post in `conv` now, or why not: the rules of the one-statement
    /// append (`append_message`), spelled out for the refusal and for edits.
    pub(super) async fn may_post(
        &mut self,
        conv: ConvId,
        user: UserId,
    ) -> StoreResult<Result<(), Refusal>> {
        let found = self
            .sql
            .one(
                stmt!(
                    "SELECT m.role, m.left_seq, m.muted_until, c.all_muted, c.blocked FROM members m
                       JOIN conversations c ON c.id = m.conv_id
                      WHERE m.conv_id = $1 AND m.user_id = $2"
                ),
                args![conv.0, user.0],
                |row| {
                    Ok(Poster {
                        role: crate::rows::role(&row.text("role")?)?,
                        active: row.opt_int("left_seq")?.is_none(),
                        muted_until: row.opt_int("muted_until")?,
                        all_muted: row.flag("all_muted")?,
                        blocked: row.flag("blocked")?,
                    })
                },
            )
            .await?;
        let Some(poster) = found.filter(|p| p.active) else {
            return Ok(Err(Refusal::NotMember));
        };
        Ok(match poster {
            Poster { blocked: true, .. } => Err(Refusal::Blocked),
            Poster {
                muted_until: Some(until),
                ..
            } if until > self.now => Err(Refusal::Muted { until }),
            Poster {
                role: MemberRole::Member,
                all_muted: true,
                ..
            } => Err(Refusal::AllMuted),
            _ => Ok(()),
        })
    }

    /// `user`'s role when they are the group's owner or an admin.
    pub(super) async fn check_admin(
        &mut self,
        conv: ConvId,
        user: UserId,
    ) -> StoreResult<Result<MemberRole, Refusal>> {
        Ok(match self.check_group_member(conv, user).await? {
            Ok(role) if role.is_admin() => Ok(role),
            Ok(_) => Err(Refusal::NotAdmin),
            Err(refusal) => Err(refusal),
        })
    }

    async fn check_owner(
        &mut self,
        conv: ConvId,
        user: UserId,
    ) -> StoreResult<Result<(), Refusal>> {
        Ok(match self.check_group_member(conv, user).await? {
            Ok(MemberRole::Owner) => Ok(()),
            Ok(_) => Err(Refusal::NotOwner),
            Err(refusal) => Err(refusal),
        })
    }

    /// `user`, a current member whom someone of `by_role` may act on (remove, mute): only an
    /// admin or the owner, and only on those below them.
    pub(super) async fn subordinate(
        &mut self,
        conv: ConvId,
        by_role: MemberRole,
        user: UserId,
    ) -> StoreResult<Result<MemberRecord, Refusal>> {
        if !by_role.is_admin() {
            return Ok(Err(Refusal::NotAdmin));
        }
        let Some(target) = membership(self.sql, conv, user)
            .await?
            .filter(|m| m.is_active())
        else {
            return Ok(Err(Refusal::TargetNotMember(user)));
        };
        Ok(if by_role.outranks(target.role) {
            Ok(target)
        } else {
            Err(Refusal::Outranked)
        })
    }

    /// The role of `user`, whom an admin action names, if they are a current member.
    async fn target(
        &mut self,
        conv: ConvId,
        user: UserId,
    ) -> StoreResult<Result<MemberRole, Refusal>> {
        Ok(match membership(self.sql, conv, user).await? {
            Some(m) if m.is_active() => Ok(m.role),
            _ => Err(Refusal::TargetNotMember(user)),
        })
    }
}

/// A member as the rules of posting see them.
struct Poster {
    role: MemberRole,
    active: bool,
    muted_until: Option<i64>,
    all_muted: bool,
    blocked: bool,
}

fn changed(events: Vec<tern_proto::Event>) -> WriteOutcome {
    WriteOutcome::Changed {
        events,
        duplicate: false,
    }
}
