//! Accounts and sessions: registration, login, logout, the session list, profiles.

use super::auth::{self, Passwords};
use crate::delivery::bus::{Bus, Publication};
use crate::error::{AppError, AppResult};
use crate::receipts::Receipts;
use std::sync::Arc;
use tern_proto::rest::{
    LoginRequest, LoginResponse, RegisterRequest, SessionInfo, SettingsRequest,
};
use tern_proto::{Audience, ErrorCode, FileId, SessionId, UserId, UserProfile, UserSettings};
use tern_store::Store;

/// Who is making a request: established from a bearer token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    pub user: UserId,
    pub session: SessionId,
}

#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn Store>,
    passwords: Passwords,
    bus: Arc<Bus>,
    receipts: Receipts,
}

impl Accounts {
    pub fn new(
        store: Arc<dyn Store>,
        passwords: Passwords,
        bus: Arc<Bus>,
        receipts: Receipts,
    ) -> Self {
        Accounts {
            store,
            passwords,
            bus,
            receipts,
        }
    }

    pub async fn register(&self, req: RegisterRequest) -> AppResult<UserProfile> {
        let username = auth::normalize_username(&req.username);
        auth::check_username(&username)?;
        auth::check_password(&req.password)?;
        let display_name =
            auth::check_display_name(req.display_name.as_deref().unwrap_or(&username))?;
        let hash = self.passwords.hash(req.password).await?;
        let user = self
            .store
            .create_user(&username, &display_name, &hash)
            .await?;
        tracing::info!(user = %user.id, %username, "registered");
        Ok(user)
    }

    /// Wrong username and wrong password give the same error after the same work.
    pub async fn login(&self, req: LoginRequest) -> AppResult<LoginResponse> {
        let username = auth::normalize_username(&req.username);
        let found = self.store.credentials(&username).await?;
        let stored = found.as_ref().map(|c| c.password_hash.clone());
        let matches = self.passwords.verify(req.password, stored).await?;
        let Some(credentials) = found.filter(|_| matches) else {
            return Err(AppError::client(
                ErrorCode::InvalidCredentials,
                "wrong username or password",
            ));
        };
        let token = auth::new_token();
        let device = auth::device_label(req.device.as_deref());
        let session = self
            .store
            .create_session(credentials.profile.id, &auth::token_hash(&token), &device)
            .await?;
        Ok(LoginResponse {
            token,
            session: SessionInfo {
                id: session.id,
                device: session.device,
                created_at: session.created_at,
                current: true,
            },
            user: credentials.profile,
        })
    }

    pub async fn authenticate(&self, token: &str) -> AppResult<Caller> {
        match self
            .store
            .session_by_token(&auth::token_hash(token))
            .await?
        {
            Some(s) => Ok(Caller {
                user: s.user,
                session: s.id,
            }),
            None => Err(AppError::unauthorized()),
        }
    }

    /// `authenticate` and the caller's profile and settings in one read: a WebSocket login,
    /// which greets with them. Boxed: the connection task keeps them until it has said `hello`.
    pub async fn authenticate_with_profile(
        &self,
        token: &str,
    ) -> AppResult<(Caller, Box<(UserProfile, UserSettings)>)> {
        match self
            .store
            .session_with_user(&auth::token_hash(token))
            .await?
        {
            Some((s, profile, settings)) => Ok((
                Caller {
                    user: s.user,
                    session: s.id,
                },
                Box::new((profile, settings)),
            )),
            None => Err(AppError::unauthorized()),
        }
    }

    pub async fn logout(&self, caller: Caller) -> AppResult<()> {
        self.revoke(caller, caller.session).await
    }

    pub async fn sessions(&self, caller: Caller) -> AppResult<Vec<SessionInfo>> {
        let sessions = self.store.sessions(caller.user).await?;
        Ok(sessions
            .into_iter()
            .map(|s| SessionInfo {
                current: s.id == caller.session,
                id: s.id,
                device: s.device,
                created_at: s.created_at,
            })
            .collect())
    }

    /// Deletes the session and closes its live connections with 4001, on every node.
    pub async fn revoke(&self, caller: Caller, session: SessionId) -> AppResult<()> {
        if !self.store.revoke_session(caller.user, session).await? {
            return Err(AppError::client(ErrorCode::NotFound, "no such session"));
        }
        let publication = Publication::CloseSession {
            user: caller.user,
            session,
        };
        self.bus.publish(publication, None).await;
        Ok(())
    }

    pub async fn profile(&self, user: UserId) -> AppResult<UserProfile> {
        self.store
            .user(user)
            .await?
            .ok_or_else(|| AppError::client(ErrorCode::NotFound, "no such user"))
    }

    /// The profiles of those of `ids` that exist (anyone a client has met in a conversation,
    /// including members who left since, whose names a client no longer has).
    pub async fn profiles(&self, ids: &[UserId]) -> AppResult<Vec<UserProfile>> {
        if ids.len() > crate::conversations::USERS_PER_REQUEST_MAX {
            return Err(AppError::bad_request(format!(
                "at most {} ids per request",
                crate::conversations::USERS_PER_REQUEST_MAX
            )));
        }
        Ok(self.store.users(ids).await?)
    }

    pub async fn profile_by_username(&self, username: &str) -> AppResult<UserProfile> {
        self.store
            .user_by_username(&auth::normalize_username(username))
            .await?
            .ok_or_else(|| AppError::client(ErrorCode::NotFound, "no such user"))
    }

    pub async fn settings(&self, user: UserId) -> AppResult<UserSettings> {
        self.store
            .settings(user)
            .await?
            .ok_or_else(|| AppError::client(ErrorCode::NotFound, "no such user"))
    }

    /// Changes the settings given; every device of the user (and every node) hears of it.
    pub async fn update_settings(
        &self,
        user: UserId,
        req: SettingsRequest,
    ) -> AppResult<UserSettings> {
        let before = self.settings(user).await?;
        if req.direct_from == Some(Audience::Unknown) || req.groups_from == Some(Audience::Unknown)
        {
            return Err(AppError::bad_request(
                "direct_from and groups_from are \"everyone\" or \"contacts\"",
            ));
        }
        let settings = self.store.update_settings(user, req).await?;
        let publication = Publication::Settings { user, settings };
        self.bus.publish(publication, None).await;
        if settings.share_receipts != before.share_receipts {
            self.receipts
                .sharing_changed(user, settings.share_receipts)
                .await?;
        }
        Ok(settings)
    }

    pub async fn set_display_name(&self, caller: Caller, raw: &str) -> AppResult<UserProfile> {
        let name = auth::check_display_name(raw)?;
        Ok(self.store.set_display_name(caller.user, &name).await?)
    }

    /// Sets or removes the profile picture (checked by `Files::avatar`).
    pub async fn set_avatar(
        &self,
        caller: Caller,
        avatar: Option<FileId>,
    ) -> AppResult<UserProfile> {
        Ok(self.store.set_avatar(caller.user, avatar).await?)
    }
}
