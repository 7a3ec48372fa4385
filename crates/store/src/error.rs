//! The storage layer's error type. The server maps it once, at its boundary.

use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A user with this username exists already.
    #[error("username is taken")]
    UsernameTaken,
    /// A change position (sync token) that this backend never issued.
    #[error("not a change position this server issued")]
    BadPosition,
    /// The database cannot be reached or is busy; the operation may succeed if retried.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// A concurrent writer got in the way (deadlock, serialization failure, a unique key taken
    /// by a concurrent insert). Nothing was stored; retrying the same write can succeed.
    #[error("write conflict: {0}")]
    Conflict(String),
    /// Anything else: a bug or a corrupt database. Logged by the server, never shown to clients.
    #[error("storage fault: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
            sqlx::Error::Database(db) if is_busy(db.code().as_deref()) => {
                StoreError::Unavailable(e.to_string())
            }
            sqlx::Error::Database(db) if is_conflict(db.code().as_deref()) => {
                StoreError::Conflict(e.to_string())
            }
            _ => StoreError::Internal(e.to_string()),
        }
    }
}

/// PostgreSQL's deadlock (40P01), serialization failure (40001) and unique violation (23505);
/// SQLite's unique constraint (2067).
fn is_conflict(code: Option<&str>) -> bool {
    matches!(code, Some("40P01" | "40001" | "23505" | "2067"))
}

/// SQLite's SQLITE_BUSY (5) and SQLITE_LOCKED (6), and their extended codes.
fn is_busy(code: Option<&str>) -> bool {
    code.and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|c| matches!(c & 0xff, 5 | 6))
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Internal(format!("stored JSON does not parse: {e}"))
    }
}
