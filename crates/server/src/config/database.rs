//! Which database `storage.database_url` names, and how to show it without its password.

use super::{ConfigError, Secret};
use std::path::{Path, PathBuf};

/// Which database to use.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// The URL may hold a password: never print it (see `Database::describe`).
    Postgres(Secret),
}

impl Database {
    pub(crate) fn parse(url: Option<&Secret>, data_dir: &Path) -> Result<Database, ConfigError> {
        let Some(url) = url else {
            return Ok(Database::Sqlite(data_dir.join("tern.db")));
        };
        let text = url.expose();
        if let Some(path) = text.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(ConfigError::invalid(
                    "storage.database_url",
                    "sqlite:// needs a file path, e.g. sqlite://./tern-data/tern.db".into(),
                ));
            }
            return Ok(Database::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Database::Postgres(url.clone()));
        }
        Err(ConfigError::invalid(
            "storage.database_url",
            "must start with sqlite:// or postgres://".into(),
        ))
    }

    /// For logs and the start-up line: the PostgreSQL password is replaced by `***`.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite(path) => format!("sqlite://{}", path.display()),
            Database::Postgres(url) => redact(url.expose()),
        }
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// `scheme://user:secret@host/...` → `scheme://user:***@host/...`.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    match (rest.find('@'), rest.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!(
                "{}{}:***{}",
                &url[..scheme_end],
                &rest[..colon],
                &rest[at..]
            )
        }
        _ => url.to_owned(),
    }
}
