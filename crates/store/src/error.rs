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
            sqlx::Error::Database(db) if is_unavailable(db.code().as_deref()) => {
                StoreError::Unavailable(e.to_string())
            }
            sqlx::Error::Database(db) if is_conflict(db.code().as_deref()) => {
                StoreError::Conflict(e.to_string())
            }
            _ => StoreError::Internal(e.to_string()),
        }
    }
}

/// PostgreSQL's deadlock (40P01), serialization failure (40001) and unique violation (23505).
fn is_conflict(code: Option<&str>) -> bool {
    matches!(code, Some("40P01" | "40001" | "23505"))
}

/// PostgreSQL errors that mean "not now" rather than "never": connection exceptions (08),
/// insufficient resources such as a full disk or too many connections (53), the server shutting
/// down, crashing or starting (57P01-57P03, as when a primary dies and a replica is promoted),
/// and a read-only transaction (25006: the address still points at a standby).
fn is_unavailable(code: Option<&str>) -> bool {
    code.is_some_and(|c| {
        c.starts_with("08") || c.starts_with("53") || c.starts_with("57P") || c == "25006"
    })
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match &e {
            rusqlite::Error::SqliteFailure(failure, _) => match failure.code {
                // Another process holds the file, the disk is full or failing, or the file
                // went away: retrying later can work.
                ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::SystemIoFailure
                | ErrorCode::DiskFull
                | ErrorCode::CannotOpen
                | ErrorCode::ReadOnly => StoreError::Unavailable(e.to_string()),
                ErrorCode::ConstraintViolation if is_unique(&e) => {
                    StoreError::Conflict(e.to_string())
                }
                _ => StoreError::Internal(e.to_string()),
            },
            _ => StoreError::Internal(e.to_string()),
        }
    }
}

/// A UNIQUE or PRIMARY KEY constraint failed.
fn is_unique(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::{SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE};
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.extended_code, SQLITE_CONSTRAINT_UNIQUE | SQLITE_CONSTRAINT_PRIMARYKEY))
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Internal(format!("stored JSON does not parse: {e}"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn postgresql_outages_are_retryable_and_bugs_are_not() {
        for code in [
            "08006", "53100", "53300", "57P01", "57P02", "57P03", "25006",
        ] {
            assert!(super::is_unavailable(Some(code)), "{code}");
        }
        for code in ["22021", "42P01", "23505"] {
            assert!(!super::is_unavailable(Some(code)), "{code}");
        }
        assert!(!super::is_unavailable(None));
    }
}
