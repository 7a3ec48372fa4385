//! Accounts and login sessions.

use super::{query_all, query_one};
use crate::rows::{profile, session};
use crate::{SessionRecord, StoreError, StoreResult, UserCredentials, now_ms};
use rusqlite::{Connection, params};
use tern_proto::{SessionId, UserId, UserProfile};

pub fn create(
    conn: &Connection,
    username: &str,
    display_name: &str,
    password_hash: &str,
) -> StoreResult<UserProfile> {
    let created = query_one(
        conn,
        "INSERT INTO users (username, display_name, password_hash, created_at)
         VALUES (?, ?, ?, ?) RETURNING id, username, display_name, created_at",
        params![username, display_name, password_hash, now_ms()],
        |row| profile(row),
    );
    match created {
        Err(StoreError::Conflict(_)) => Err(StoreError::UsernameTaken),
        other => other?.ok_or_else(|| StoreError::Internal("INSERT returned nothing".into())),
    }
}

pub fn by_id(conn: &Connection, id: UserId) -> StoreResult<Option<UserProfile>> {
    query_one(
        conn,
        "SELECT id, username, display_name, created_at FROM users WHERE id = ?",
        [id.0],
        |row| profile(row),
    )
}

pub fn by_ids(conn: &Connection, ids: &[UserId]) -> StoreResult<Vec<UserProfile>> {
    query_all(
        conn,
        "SELECT id, username, display_name, created_at FROM users
         WHERE id IN (SELECT value FROM json_each(?))",
        [super::id_list(ids.iter().map(|u| u.0))],
        |row| profile(row),
    )
}

pub fn by_username(conn: &Connection, username: &str) -> StoreResult<Option<UserProfile>> {
    query_one(
        conn,
        "SELECT id, username, display_name, created_at FROM users WHERE username = ?",
        [username],
        |row| profile(row),
    )
}

pub fn credentials(conn: &Connection, username: &str) -> StoreResult<Option<UserCredentials>> {
    query_one(
        conn,
        "SELECT id, username, display_name, created_at, password_hash FROM users
         WHERE username = ?",
        [username],
        |row| {
            Ok(UserCredentials {
                profile: profile(row)?,
                password_hash: row.get("password_hash")?,
            })
        },
    )
}

pub fn set_display_name(
    conn: &Connection,
    id: UserId,
    display_name: &str,
) -> StoreResult<UserProfile> {
    query_one(
        conn,
        "UPDATE users SET display_name = ? WHERE id = ?
         RETURNING id, username, display_name, created_at",
        params![display_name, id.0],
        |row| profile(row),
    )?
    .ok_or_else(|| StoreError::Internal(format!("user {} does not exist", id.0)))
}

pub fn create_session(
    conn: &Connection,
    user: UserId,
    token_hash: &[u8],
    device: &str,
) -> StoreResult<SessionRecord> {
    query_one(
        conn,
        "INSERT INTO sessions (user_id, token_hash, device, created_at) VALUES (?, ?, ?, ?)
         RETURNING id, user_id, device, created_at",
        params![user.0, token_hash, device, now_ms()],
        |row| session(row),
    )?
    .ok_or_else(|| StoreError::Internal("INSERT returned nothing".into()))
}

pub fn session_by_token(
    conn: &Connection,
    token_hash: &[u8],
) -> StoreResult<Option<SessionRecord>> {
    query_one(
        conn,
        "SELECT id, user_id, device, created_at FROM sessions WHERE token_hash = ?",
        [token_hash],
        |row| session(row),
    )
}

pub fn sessions(conn: &Connection, user: UserId) -> StoreResult<Vec<SessionRecord>> {
    query_all(
        conn,
        "SELECT id, user_id, device, created_at FROM sessions WHERE user_id = ? ORDER BY id",
        [user.0],
        |row| session(row),
    )
}

pub fn revoke_session(conn: &Connection, user: UserId, session: SessionId) -> StoreResult<bool> {
    let deleted = conn
        .prepare_cached("DELETE FROM sessions WHERE id = ? AND user_id = ?")?
        .execute([session.0, user.0])?;
    Ok(deleted > 0)
}
