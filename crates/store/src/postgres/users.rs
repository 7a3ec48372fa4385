//! Accounts and login sessions.

use crate::{SessionRecord, StoreError, StoreResult, UserCredentials, now_ms};
use sqlx::{PgConnection, PgPool, Row};
use tern_proto::{SessionId, UserId, UserProfile};

pub async fn create(
    pool: &PgPool,
    username: &str,
    display_name: &str,
    password_hash: &str,
) -> StoreResult<UserProfile> {
    let row = sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, created_at)
         VALUES ($1, $2, $3, $4) RETURNING id, username, display_name, created_at",
    )
    .bind(username)
    .bind(display_name)
    .bind(password_hash)
    .bind(now_ms())
    .fetch_one(pool)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::UsernameTaken,
        _ => StoreError::from(e),
    })?;
    crate::rows::profile(&row)
}

pub(super) async fn by_id_on(
    conn: &mut PgConnection,
    id: UserId,
) -> StoreResult<Option<UserProfile>> {
    sqlx::query("SELECT id, username, display_name, created_at FROM users WHERE id = $1")
        .bind(id.0)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(crate::rows::profile)
        .transpose()
}

pub async fn by_ids(pool: &PgPool, ids: &[UserId]) -> StoreResult<Vec<UserProfile>> {
    let ids: Vec<i64> = ids.iter().map(|u| u.0).collect();
    sqlx::query("SELECT id, username, display_name, created_at FROM users WHERE id = ANY($1)")
        .bind(&ids)
        .fetch_all(pool)
        .await?
        .iter()
        .map(crate::rows::profile)
        .collect()
}

pub async fn by_username(pool: &PgPool, username: &str) -> StoreResult<Option<UserProfile>> {
    sqlx::query("SELECT id, username, display_name, created_at FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(crate::rows::profile)
        .transpose()
}

pub async fn credentials(pool: &PgPool, username: &str) -> StoreResult<Option<UserCredentials>> {
    let Some(row) = sqlx::query(
        "SELECT id, username, display_name, created_at, password_hash FROM users WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(UserCredentials {
        profile: crate::rows::profile(&row)?,
        password_hash: row.try_get("password_hash")?,
    }))
}

pub async fn set_display_name(
    pool: &PgPool,
    id: UserId,
    display_name: &str,
) -> StoreResult<UserProfile> {
    let row = sqlx::query(
        "UPDATE users SET display_name = $1 WHERE id = $2
         RETURNING id, username, display_name, created_at",
    )
    .bind(display_name)
    .bind(id.0)
    .fetch_one(pool)
    .await?;
    crate::rows::profile(&row)
}

pub async fn create_session(
    pool: &PgPool,
    user: UserId,
    token_hash: &[u8],
    device: &str,
) -> StoreResult<SessionRecord> {
    let row = sqlx::query(
        "INSERT INTO sessions (user_id, token_hash, device, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id, user_id, device, created_at",
    )
    .bind(user.0)
    .bind(token_hash)
    .bind(device)
    .bind(now_ms())
    .fetch_one(pool)
    .await?;
    crate::rows::session(&row)
}

pub async fn session_by_token(
    pool: &PgPool,
    token_hash: &[u8],
) -> StoreResult<Option<SessionRecord>> {
    sqlx::query("SELECT id, user_id, device, created_at FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(crate::rows::session)
        .transpose()
}

pub async fn sessions(pool: &PgPool, user: UserId) -> StoreResult<Vec<SessionRecord>> {
    sqlx::query(
        "SELECT id, user_id, device, created_at FROM sessions WHERE user_id = $1 ORDER BY id",
    )
    .bind(user.0)
    .fetch_all(pool)
    .await?
    .iter()
    .map(crate::rows::session)
    .collect()
}

pub async fn revoke_session(pool: &PgPool, user: UserId, session: SessionId) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(session.0)
        .bind(user.0)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}
