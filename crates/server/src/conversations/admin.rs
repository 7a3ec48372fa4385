//! Administering a group: its name, description, announcement and picture; admins, muting one
//! member or everyone, ownership, nicknames, dissolving; and the member list, paged and
//! searchable. Who may do what is the store's rule (`write/admin.rs`); the inputs' rules are
//! here.

use super::Conversations;
use crate::accounts::Caller;
use crate::accounts::names::{check_name, check_text};
use crate::error::{AppError, AppResult};
use std::collections::HashMap;
use tern_proto::rest::{GroupInfoRequest, MemberInfo, MemberPage};
use tern_proto::{ConvId, ErrorCode, FileId, MemberRole, UserId, UserProfile};
use tern_store::{GroupChange, MUTED_UNTIL_LIFTED, MemberRecord, WriteOp, WriteOutcome};

/// Longest group name, in characters.
pub const GROUP_NAME_MAX: usize = 128;
/// Longest group description, in characters.
pub const DESCRIPTION_MAX: usize = 1000;
/// Longest announcement, in characters.
pub const ANNOUNCEMENT_MAX: usize = 4000;
/// Longest nickname in a group, in characters.
pub const NICKNAME_MAX: usize = 32;
/// Longest mute: a year (longer is "until lifted").
pub const MUTE_MAX_S: u64 = 366 * 24 * 3600;
/// Longest member search, in characters.
pub const MEMBER_QUERY_MAX: usize = 64;
/// Most members in one page, and the default.
pub const MEMBER_PAGE_MAX: u32 = 500;

/// A group name as the rules allow it.
pub fn group_name(raw: &str) -> AppResult<String> {
    check_name(raw, GROUP_NAME_MAX, ErrorCode::BadRequest, "group names")
}

impl Conversations {
    /// Changes what `req` names (owner or admin); the seqs of the system events that say so.
    pub async fn change_group(
        &self,
        caller: Caller,
        conv: ConvId,
        req: GroupInfoRequest,
    ) -> AppResult<Vec<u64>> {
        let mut changes = Vec::new();
        if let Some(name) = req.name {
            changes.push(GroupChange::Name(group_name(&name)?));
        }
        if let Some(text) = req.description {
            let text = check_text(&text, DESCRIPTION_MAX, "descriptions")?;
            changes.push(GroupChange::Description(text));
        }
        if let Some(text) = req.announcement {
            let text = check_text(&text, ANNOUNCEMENT_MAX, "announcements")?;
            changes.push(GroupChange::Announcement(text));
        }
        if changes.is_empty() {
            return Err(AppError::bad_request(
                "name at least one of \"name\", \"description\", \"announcement\"",
            ));
        }
        self.admin_write(WriteOp::ChangeGroup {
            conv,
            by: caller.user,
            changes,
        })
        .await
    }

    /// Sets or removes a group's picture (owner or admin; `avatar` already checked by
    /// `Files::avatar`).
    pub async fn set_avatar(
        &self,
        caller: Caller,
        conv: ConvId,
        avatar: Option<FileId>,
    ) -> AppResult<Vec<u64>> {
        self.admin_write(WriteOp::ChangeGroup {
            conv,
            by: caller.user,
            changes: vec![GroupChange::Avatar(avatar)],
        })
        .await
    }

    pub async fn set_role(
        &self,
        caller: Caller,
        conv: ConvId,
        user: UserId,
        role: MemberRole,
    ) -> AppResult<Vec<u64>> {
        if !matches!(role, MemberRole::Admin | MemberRole::Member) {
            return Err(AppError::bad_request(
                "role is \"admin\" or \"member\" (ownership is transferred)",
            ));
        }
        self.admin_write(WriteOp::SetRole {
            conv,
            by: caller.user,
            user,
            role,
        })
        .await
    }

    pub async fn transfer(&self, caller: Caller, conv: ConvId, to: UserId) -> AppResult<Vec<u64>> {
        self.admin_write(WriteOp::TransferOwnership {
            conv,
            by: caller.user,
            to,
        })
        .await
    }

    /// Mutes `user` for `duration_s` seconds (until lifted: `None`).
    pub async fn mute(
        &self,
        caller: Caller,
        conv: ConvId,
        user: UserId,
        duration_s: Option<u64>,
    ) -> AppResult<Vec<u64>> {
        let until = match duration_s {
            None => MUTED_UNTIL_LIFTED,
            Some(s) if (1..=MUTE_MAX_S).contains(&s) => {
                tern_store::now_ms().saturating_add(s as i64 * 1000)
            }
            Some(_) => {
                return Err(AppError::bad_request(format!(
                    "duration_s is 1 to {MUTE_MAX_S} (absent: until lifted)"
                )));
            }
        };
        self.admin_write(WriteOp::Mute {
            conv,
            by: caller.user,
            user,
            until: Some(until),
        })
        .await
    }

    pub async fn unmute(&self, caller: Caller, conv: ConvId, user: UserId) -> AppResult<Vec<u64>> {
        self.admin_write(WriteOp::Mute {
            conv,
            by: caller.user,
            user,
            until: None,
        })
        .await
    }

    pub async fn mute_all(&self, caller: Caller, conv: ConvId, muted: bool) -> AppResult<Vec<u64>> {
        self.admin_write(WriteOp::MuteAll {
            conv,
            by: caller.user,
            muted,
        })
        .await
    }

    /// The caller's own nickname in a group (`None` or blank: dropped).
    pub async fn nickname(
        &self,
        caller: Caller,
        conv: ConvId,
        nickname: Option<&str>,
    ) -> AppResult<Vec<u64>> {
        let nickname = match nickname.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => Some(check_name(
                n,
                NICKNAME_MAX,
                ErrorCode::BadRequest,
                "nicknames",
            )?),
            None => None,
        };
        self.admin_write(WriteOp::Nickname {
            conv,
            user: caller.user,
            nickname,
        })
        .await
    }

    pub async fn dissolve(&self, caller: Caller, conv: ConvId) -> AppResult<Vec<u64>> {
        self.admin_write(WriteOp::Dissolve {
            conv,
            by: caller.user,
        })
        .await
    }

    /// One page of a group's current members, for those who are in it.
    pub async fn member_page(
        &self,
        caller: Caller,
        conv: ConvId,
        after: Option<&str>,
        limit: Option<u32>,
        query: Option<&str>,
    ) -> AppResult<MemberPage> {
        match self.store.membership(conv, caller.user).await? {
            Some(m) if m.is_active() => {}
            _ => return Err(AppError::not_member()),
        }
        let after = match after {
            Some(a) => UserId(
                a.parse()
                    .map_err(|_| AppError::bad_request("after is a page cursor from \"next\""))?,
            ),
            None => UserId(0),
        };
        let limit = limit.unwrap_or(MEMBER_PAGE_MAX);
        if !(1..=MEMBER_PAGE_MAX).contains(&limit) {
            return Err(AppError::bad_request(format!(
                "limit is 1 to {MEMBER_PAGE_MAX}"
            )));
        }
        let query = query.map(str::trim).filter(|q| !q.is_empty());
        if query.is_some_and(|q| q.chars().count() > MEMBER_QUERY_MAX) {
            return Err(AppError::bad_request(format!(
                "a member search is at most {MEMBER_QUERY_MAX} characters"
            )));
        }
        let records = self
            .store
            .member_page(conv, after, limit + 1, query.map(str::to_owned))
            .await?;
        let next = (records.len() > limit as usize)
            .then(|| records[limit as usize - 1].user.0.to_string());
        let mut records = records;
        records.truncate(limit as usize);
        Ok(MemberPage {
            members: self.member_infos(records).await?,
            next,
        })
    }

    /// Members with their profiles, in the order given.
    pub(super) async fn member_infos(
        &self,
        records: Vec<MemberRecord>,
    ) -> AppResult<Vec<MemberInfo>> {
        let ids: Vec<UserId> = records.iter().map(|m| m.user).collect();
        let mut profiles: HashMap<UserId, UserProfile> = self
            .store
            .users(&ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let now = tern_store::now_ms();
        Ok(records
            .into_iter()
            .filter_map(|m| {
                Some(MemberInfo {
                    user: profiles.remove(&m.user)?,
                    role: m.role,
                    nickname: m.nickname,
                    muted_until: m.muted_until.filter(|&t| t > now),
                })
            })
            .collect())
    }

    async fn admin_write(&self, op: WriteOp) -> AppResult<Vec<u64>> {
        match self.committer.write(op).await? {
            WriteOutcome::Changed { events, .. } => Ok(events.iter().map(|e| e.seq).collect()),
            WriteOutcome::MembershipChanged { event, .. } => Ok(vec![event.seq]),
            WriteOutcome::Unchanged => Ok(Vec::new()),
            other => Err(AppError::unexpected(other)),
        }
    }
}
