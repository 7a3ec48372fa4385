//! Users and their login sessions: the interface, and its statements written once.

use crate::backend::Backend;
use crate::rows::{profile, session};
use crate::sql::{Arg, Sql, args, stmt};
use crate::{SessionRecord, StoreError, StoreResult, UserCredentials, now_ms};
use async_trait::async_trait;
use tern_proto::rest::SettingsRequest;
use tern_proto::{FileId, SessionId, UserId, UserProfile, UserSettings};

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Fails with `UsernameTaken` if the (already normalised) username exists.
    async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        password_hash: &str,
    ) -> StoreResult<UserProfile>;
    async fn user(&self, id: UserId) -> StoreResult<Option<UserProfile>>;
    /// The profiles of those of `ids` that exist, in no particular order.
    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<UserProfile>>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserProfile>>;
    async fn credentials(&self, username: &str) -> StoreResult<Option<UserCredentials>>;
    async fn set_display_name(&self, id: UserId, display_name: &str) -> StoreResult<UserProfile>;
    /// Sets (or, `None`, removes) the profile picture; the file's checks are the caller's.
    async fn set_avatar(&self, id: UserId, avatar: Option<FileId>) -> StoreResult<UserProfile>;
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8],
        device: &str,
    ) -> StoreResult<SessionRecord>;
    async fn session_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<SessionRecord>>;
    /// The session a token opens and its user's profile and settings, in one read (what a
    /// WebSocket login needs: one trip to the database instead of two).
    async fn session_with_user(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<(SessionRecord, UserProfile, UserSettings)>>;
    async fn settings(&self, id: UserId) -> StoreResult<Option<UserSettings>>;
    /// Changes the settings given (`None` leaves one as it is); returns them as they now stand.
    async fn update_settings(
        &self,
        id: UserId,
        change: SettingsRequest,
    ) -> StoreResult<UserSettings>;
    /// The users who do not share their read positions.
    async fn receipts_hidden(&self) -> StoreResult<Vec<UserId>>;
    async fn sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>>;
    /// Deletes the session if it belongs to `user`; false if there was none.
    async fn revoke_session(&self, user: UserId, session: SessionId) -> StoreResult<bool>;
}

#[async_trait]
impl<B: Backend> AccountStore for B {
    async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        password_hash: &str,
    ) -> StoreResult<UserProfile> {
        let (username, display_name, password_hash) = (
            username.to_owned(),
            display_name.to_owned(),
            password_hash.to_owned(),
        );
        self.write_job(move |sql| {
            Box::pin(async move { create(sql, &username, &display_name, &password_hash).await })
        })
        .await
    }
    async fn user(&self, id: UserId) -> StoreResult<Option<UserProfile>> {
        self.read_job(move |sql| Box::pin(by_id(sql, id))).await
    }
    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<UserProfile>> {
        let ids = ids.to_vec();
        self.read_job(move |sql| Box::pin(async move { by_ids(sql, &ids).await }))
            .await
    }
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserProfile>> {
        let username = username.to_owned();
        self.read_job(move |sql| Box::pin(async move { by_username(sql, &username).await }))
            .await
    }
    async fn credentials(&self, username: &str) -> StoreResult<Option<UserCredentials>> {
        let username = username.to_owned();
        self.read_job(move |sql| Box::pin(async move { credentials(sql, &username).await }))
            .await
    }
    async fn set_display_name(&self, id: UserId, display_name: &str) -> StoreResult<UserProfile> {
        let display_name = display_name.to_owned();
        self.write_job(move |sql| {
            Box::pin(async move { set_display_name(sql, id, &display_name).await })
        })
        .await
    }
    async fn set_avatar(&self, id: UserId, avatar: Option<FileId>) -> StoreResult<UserProfile> {
        self.write_job(move |sql| {
            Box::pin(async move {
                sql.one(
                    stmt!(
                        "UPDATE users SET avatar = $1 WHERE id = $2
                         RETURNING id, username, display_name, created_at, avatar"
                    ),
                    args![avatar.as_ref().map(|f| f.0.as_str()), id.0],
                    |row| profile(row),
                )
                .await?
                .ok_or_else(|| StoreError::Internal(format!("user {} does not exist", id.0)))
            })
        })
        .await
    }
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8],
        device: &str,
    ) -> StoreResult<SessionRecord> {
        let (token_hash, device) = (token_hash.to_owned(), device.to_owned());
        self.write_job(move |sql| {
            Box::pin(async move { create_session(sql, user, &token_hash, &device).await })
        })
        .await
    }
    async fn session_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<SessionRecord>> {
        let token_hash = token_hash.to_owned();
        self.read_job(move |sql| Box::pin(async move { session_by_token(sql, &token_hash).await }))
            .await
    }
    async fn session_with_user(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<(SessionRecord, UserProfile, UserSettings)>> {
        let token_hash = token_hash.to_owned();
        self.read_job(move |sql| {
            Box::pin(async move {
                let Some(session) = session_by_token(sql, &token_hash).await? else {
                    return Ok(None);
                };
                Ok(with_settings(sql, session.user)
                    .await?
                    .map(|(user, settings)| (session, user, settings)))
            })
        })
        .await
    }
    async fn settings(&self, id: UserId) -> StoreResult<Option<UserSettings>> {
        self.read_job(move |sql| {
            Box::pin(async move { Ok(with_settings(sql, id).await?.map(|(_, s)| s)) })
        })
        .await
    }
    async fn update_settings(
        &self,
        id: UserId,
        change: SettingsRequest,
    ) -> StoreResult<UserSettings> {
        self.write_job(move |sql| Box::pin(update_settings(sql, id, change)))
            .await
    }
    async fn receipts_hidden(&self) -> StoreResult<Vec<UserId>> {
        self.read_job(|sql| {
            Box::pin(sql.all(
                stmt!("SELECT id FROM users WHERE NOT share_receipts"),
                args![],
                |row| Ok(UserId(row.int("id")?)),
            ))
        })
        .await
    }
    async fn sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>> {
        self.read_job(move |sql| Box::pin(sessions(sql, user)))
            .await
    }
    async fn revoke_session(&self, user: UserId, session: SessionId) -> StoreResult<bool> {
        self.write_job(move |sql| Box::pin(revoke_session(sql, user, session)))
            .await
    }
}

async fn create(
    sql: &mut impl Sql,
    username: &str,
    display_name: &str,
    password_hash: &str,
) -> StoreResult<UserProfile> {
    let created = sql
        .one(
            stmt!(
                "INSERT INTO users (username, display_name, password_hash, created_at)
                 VALUES ($1, $2, $3, $4) RETURNING id, username, display_name, created_at, avatar"
            ),
            args![username, display_name, password_hash, now_ms()],
            |row| profile(row),
        )
        .await;
    match created {
        // The only unique key a new user can hit is the username.
        Err(StoreError::Conflict(_)) => Err(StoreError::UsernameTaken),
        other => other?.ok_or_else(|| StoreError::Internal("INSERT returned nothing".into())),
    }
}

pub(crate) async fn by_id(sql: &mut impl Sql, id: UserId) -> StoreResult<Option<UserProfile>> {
    sql.one(
        stmt!("SELECT id, username, display_name, created_at, avatar FROM users WHERE id = $1"),
        args![id.0],
        |row| profile(row),
    )
    .await
}

/// A user's profile and settings.
async fn with_settings(
    sql: &mut impl Sql,
    id: UserId,
) -> StoreResult<Option<(UserProfile, UserSettings)>> {
    sql.one(
        stmt!(
            "SELECT id, username, display_name, created_at, avatar, share_receipts, direct_from,
                    groups_from FROM users
             WHERE id = $1"
        ),
        args![id.0],
        |row| Ok((profile(row)?, settings(row)?)),
    )
    .await
}

fn settings(row: &(impl crate::rows::Columns + ?Sized)) -> StoreResult<UserSettings> {
    Ok(UserSettings {
        share_receipts: row.flag("share_receipts")?,
        direct_from: crate::rows::audience(&row.text("direct_from")?)?,
        groups_from: crate::rows::audience(&row.text("groups_from")?)?,
    })
}

async fn update_settings(
    sql: &mut impl Sql,
    id: UserId,
    change: SettingsRequest,
) -> StoreResult<UserSettings> {
    sql.one(
        stmt!(
            "UPDATE users SET share_receipts = COALESCE($1, share_receipts),
                              direct_from = COALESCE($2, direct_from),
                              groups_from = COALESCE($3, groups_from)
              WHERE id = $4
             RETURNING share_receipts, direct_from, groups_from"
        ),
        args![
            Arg::OptBool(change.share_receipts),
            change.direct_from.map(|a| a.as_str()),
            change.groups_from.map(|a| a.as_str()),
            id.0
        ],
        |row| settings(row),
    )
    .await?
    .ok_or_else(|| StoreError::Internal(format!("user {} does not exist", id.0)))
}

async fn by_ids(sql: &mut impl Sql, ids: &[UserId]) -> StoreResult<Vec<UserProfile>> {
    let ids: Vec<i64> = ids.iter().map(|u| u.0).collect();
    sql.all(
        stmt!(
            "SELECT id, username, display_name, created_at, avatar FROM users
             WHERE id IN ids($1)"
        ),
        args![&ids],
        |row| profile(row),
    )
    .await
}

async fn by_username(sql: &mut impl Sql, username: &str) -> StoreResult<Option<UserProfile>> {
    sql.one(
        stmt!(
            "SELECT id, username, display_name, created_at, avatar FROM users WHERE username = $1"
        ),
        args![username],
        |row| profile(row),
    )
    .await
}

async fn credentials(sql: &mut impl Sql, username: &str) -> StoreResult<Option<UserCredentials>> {
    sql.one(
        stmt!(
            "SELECT id, username, display_name, created_at, avatar, password_hash FROM users
             WHERE username = $1"
        ),
        args![username],
        |row| {
            Ok(UserCredentials {
                profile: profile(row)?,
                password_hash: row.text("password_hash")?,
            })
        },
    )
    .await
}

async fn set_display_name(
    sql: &mut impl Sql,
    id: UserId,
    display_name: &str,
) -> StoreResult<UserProfile> {
    sql.one(
        stmt!(
            "UPDATE users SET display_name = $1 WHERE id = $2
             RETURNING id, username, display_name, created_at, avatar"
        ),
        args![display_name, id.0],
        |row| profile(row),
    )
    .await?
    .ok_or_else(|| StoreError::Internal(format!("user {} does not exist", id.0)))
}

async fn create_session(
    sql: &mut impl Sql,
    user: UserId,
    token_hash: &[u8],
    device: &str,
) -> StoreResult<SessionRecord> {
    sql.one(
        stmt!(
            "INSERT INTO sessions (user_id, token_hash, device, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id, user_id, device, created_at"
        ),
        args![user.0, token_hash, device, now_ms()],
        |row| session(row),
    )
    .await?
    .ok_or_else(|| StoreError::Internal("INSERT returned nothing".into()))
}

async fn session_by_token(
    sql: &mut impl Sql,
    token_hash: &[u8],
) -> StoreResult<Option<SessionRecord>> {
    sql.one(
        stmt!("SELECT id, user_id, device, created_at FROM sessions WHERE token_hash = $1"),
        args![token_hash],
        |row| session(row),
    )
    .await
}

async fn sessions(sql: &mut impl Sql, user: UserId) -> StoreResult<Vec<SessionRecord>> {
    sql.all(
        stmt!(
            "SELECT id, user_id, device, created_at FROM sessions WHERE user_id = $1
             ORDER BY id"
        ),
        args![user.0],
        |row| session(row),
    )
    .await
}

async fn revoke_session(sql: &mut impl Sql, user: UserId, session: SessionId) -> StoreResult<bool> {
    let deleted = sql
        .exec(
            stmt!("DELETE FROM sessions WHERE id = $1 AND user_id = $2"),
            args![session.0, user.0],
        )
        .await?;
    Ok(deleted > 0)
}
