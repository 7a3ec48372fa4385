//! Administering a group over HTTP: its details, picture, admins, mutes, ownership, nicknames,
//! dissolving it, and its member list page by page. Each change answers with the seqs of the
//! system events that say so (none when nothing changed).

use super::{Api, encode_component};
use crate::error::SdkResult;
use reqwest::Method;
use tern_proto::rest::{
    GroupAvatarRequest, GroupInfoRequest, MemberPage, MuteAllRequest, MuteRequest, NicknameRequest,
    RoleRequest, TransferRequest,
};
use tern_proto::{ConvId, FileId, MemberRole, UserId};

impl Api {
    /// Changes what `info` names: the group's name, description or announcement (owner or
    /// admin).
    pub async fn change_group(&self, conv: ConvId, info: &GroupInfoRequest) -> SdkResult<Vec<u64>> {
        let path = format!("/conversations/{conv}");
        self.change(Method::PATCH, &path, Some(info)).await
    }

    /// Sets the group's picture to a picture you uploaded, or removes it (`None`).
    pub async fn set_group_avatar(
        &self,
        conv: ConvId,
        avatar: Option<&FileId>,
    ) -> SdkResult<Vec<u64>> {
        let body = GroupAvatarRequest {
            avatar: avatar.cloned(),
        };
        let path = format!("/conversations/{conv}/avatar");
        self.change(Method::PUT, &path, Some(&body)).await
    }

    /// Makes `user` an admin (`MemberRole::Admin`) or a plain member again (owner only).
    pub async fn set_role(
        &self,
        conv: ConvId,
        user: UserId,
        role: MemberRole,
    ) -> SdkResult<Vec<u64>> {
        let path = format!("/conversations/{conv}/members/{user}/role");
        self.change(Method::PUT, &path, Some(&RoleRequest { role }))
            .await
    }

    /// Hands the group to `user`; you stay on as an admin.
    pub async fn transfer(&self, conv: ConvId, user: UserId) -> SdkResult<Vec<u64>> {
        let path = format!("/conversations/{conv}/transfer");
        self.change(Method::POST, &path, Some(&TransferRequest { user }))
            .await
    }

    /// Mutes `user` for `duration_s` seconds, or until lifted (`None`).
    pub async fn mute(
        &self,
        conv: ConvId,
        user: UserId,
        duration_s: Option<u64>,
    ) -> SdkResult<Vec<u64>> {
        let path = format!("/conversations/{conv}/members/{user}/mute");
        self.change(Method::PUT, &path, Some(&MuteRequest { duration_s }))
            .await
    }

    pub async fn unmute(&self, conv: ConvId, user: UserId) -> SdkResult<Vec<u64>> {
        let path = format!("/conversations/{conv}/members/{user}/mute");
        self.change::<()>(Method::DELETE, &path, None).await
    }

    /// Lets only the owner and admins post (`true`), or everyone again.
    pub async fn mute_all(&self, conv: ConvId, muted: bool) -> SdkResult<Vec<u64>> {
        let path = format!("/conversations/{conv}/mute_all");
        self.change(Method::PUT, &path, Some(&MuteAllRequest { muted }))
            .await
    }

    /// Your nickname in the group (`None`: dropped).
    pub async fn set_nickname(&self, conv: ConvId, nickname: Option<&str>) -> SdkResult<Vec<u64>> {
        let body = NicknameRequest {
            nickname: nickname.map(str::to_owned),
        };
        let path = format!("/conversations/{conv}/nickname");
        self.change(Method::PUT, &path, Some(&body)).await
    }

    /// Dissolves the group (owner only): everyone is removed, the history stays readable.
    pub async fn dissolve(&self, conv: ConvId) -> SdkResult<Vec<u64>> {
        let path = format!("/conversations/{conv}/dissolve");
        self.change::<()>(Method::POST, &path, None).await
    }

    /// One page of the current members: those after `after` (a page's `next`), at most `limit`,
    /// whose name contains `query` when given.
    pub async fn members(
        &self,
        conv: ConvId,
        after: Option<&str>,
        limit: Option<u32>,
        query: Option<&str>,
    ) -> SdkResult<MemberPage> {
        let mut path = format!("/conversations/{conv}/members?");
        if let Some(after) = after {
            path.push_str(&format!("after={}&", encode_component(after)));
        }
        if let Some(limit) = limit {
            path.push_str(&format!("limit={limit}&"));
        }
        if let Some(query) = query {
            path.push_str(&format!("q={}&", encode_component(query)));
        }
        self.call::<(), _>(Method::GET, path.trim_end_matches(['?', '&']), None)
            .await
    }
}
