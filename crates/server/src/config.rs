//! Settings: defaults, then an optional TOML file, then `TERN_*` environment variables, then
//! command-line flags. Parsed once in `main` and passed down as a plain `Config`.

use clap::{CommandFactory, Parser};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tern_store::sqlite::Durability;

/// Every setting, each optional so that the layers can be merged. The doc comments are the
/// `--help` text; README.md's configuration table repeats them.
#[derive(Debug, Default, Clone, Parser, Serialize, Deserialize)]
#[command(
    name = "tern",
    version,
    about = "tern: a self-hostable instant-messaging server",
    long_about = "tern: a self-hostable instant-messaging server.\n\n\
        Settings come from defaults, then the TOML file given by --config (keys as the flag names \
        with '_' for '-'), then TERN_* environment variables, then these flags. \
        An unknown key or TERN_* variable is an error."
)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// TOML file to read settings from.
    #[arg(long, env = "TERN_CONFIG", value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    /// Address to listen on for HTTP and WebSocket. [default: 127.0.0.1:8080]
    #[arg(long, env = "TERN_LISTEN", value_name = "ADDR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,

    /// Directory for the database and other state; created if missing. [default: ./tern-data]
    #[arg(long, env = "TERN_DATA_DIR", value_name = "DIR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,

    /// Database: "sqlite://PATH" or "postgres://USER:PASSWORD@HOST:PORT/DATABASE".
    /// [default: sqlite://<data-dir>/tern.db]
    #[arg(long, env = "TERN_DATABASE_URL", value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,

    /// Redis for running several nodes ("redis://HOST:PORT"); unset means a single node.
    #[arg(long, env = "TERN_REDIS_URL", value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_url: Option<String>,

    /// Prefix of tern's Redis channel names, so several clusters can share one Redis.
    /// [default: tern]
    #[arg(long, env = "TERN_REDIS_PREFIX", value_name = "PREFIX")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_prefix: Option<String>,

    /// Serve the web client from this directory instead of the copy built into tern (for
    /// working on the client). [default: the built-in client]
    #[arg(long, env = "TERN_WEB_DIR", value_name = "DIR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_dir: Option<PathBuf>,

    /// Log filter, e.g. "info" or "tern_server=debug". [default: info]
    #[arg(long, env = "TERN_LOG", value_name = "FILTER")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,

    /// "process": acked messages survive a crash of tern; "power": they also survive power loss
    /// (fsync per batch). [default: process]
    #[arg(long, env = "TERN_DURABILITY", value_name = "LEVEL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub durability: Option<String>,

    /// Longest text message, in Unicode characters. [default: 8000]
    #[arg(long, env = "TERN_MAX_TEXT_CHARS", value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_text_chars: Option<u32>,

    /// Largest WebSocket frame processed, in bytes; larger ones get `frame_too_large`, and ones over
    /// 4x this (at least 1 MiB) close the connection. [default: 65536]
    #[arg(long, env = "TERN_MAX_FRAME_BYTES", value_name = "BYTES")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_frame_bytes: Option<u32>,

    /// Most events returned by one fetch or history page. [default: 500]
    #[arg(long, env = "TERN_MAX_PAGE", value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_page: Option<u32>,

    /// How often the server pings each connection, in milliseconds. [default: 25000]
    #[arg(long, env = "TERN_HEARTBEAT_MS", value_name = "MS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heartbeat_ms: Option<u64>,

    /// A connection that sends nothing (not even a pong) for this long is dropped, in
    /// milliseconds. [default: 60000]
    #[arg(long, env = "TERN_IDLE_TIMEOUT_MS", value_name = "MS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout_ms: Option<u64>,

    /// Frames that may wait for one slow connection before it is closed with 4008. [default: 1024]
    #[arg(long, env = "TERN_OUTGOING_QUEUE", value_name = "FRAMES")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outgoing_queue: Option<usize>,

    /// Most writes committed in one database transaction (group commit). [default: 256]
    #[arg(long, env = "TERN_WRITE_BATCH", value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_batch: Option<usize>,

    /// On SIGINT/SIGTERM, how long to wait for connections to close, in milliseconds.
    /// [default: 5000]
    #[arg(long, env = "TERN_SHUTDOWN_GRACE_MS", value_name = "MS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shutdown_grace_ms: Option<u64>,

    /// Run the commit-log audit: a follower that checks every committed event follows the one
    /// before it in its conversation, logging any gap, repeat or disorder. [default: false]
    #[arg(long, env = "TERN_AUDIT_COMMIT_LOG", value_name = "BOOL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_commit_log: Option<bool>,

    /// Argon2id memory cost in KiB for new password hashes. Lower it only for tests.
    /// [default: 19456]
    #[arg(long, env = "TERN_ARGON2_MEMORY_KIB", value_name = "KIB")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argon2_memory_kib: Option<u32>,
}

/// Which database to use.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// The URL may hold a password: never print it (see `Database::describe`).
    Postgres(String),
}

impl Database {
    fn parse(url: Option<&str>, data_dir: &std::path::Path) -> Result<Database, ConfigError> {
        let Some(url) = url else {
            return Ok(Database::Sqlite(data_dir.join("tern.db")));
        };
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(ConfigError::Invalid {
                    name: "database_url",
                    message: "sqlite:// needs a file path, e.g. sqlite://./tern-data/tern.db"
                        .into(),
                });
            }
            return Ok(Database::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Database::Postgres(url.to_owned()));
        }
        Err(ConfigError::Invalid {
            name: "database_url",
            message: "must start with sqlite:// or postgres://".into(),
        })
    }

    /// For logs and the start-up line: the PostgreSQL password is replaced by `***`.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite(path) => format!("sqlite://{}", path.display()),
            Database::Postgres(url) => redact(url),
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

/// The resolved configuration the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database: Database,
    /// `None`: a single node, events stay in-process.
    pub redis_url: Option<String>,
    pub redis_prefix: String,
    /// `None`: the client built into the binary.
    pub web_dir: Option<PathBuf>,
    pub log: String,
    pub durability: Durability,
    pub max_text_chars: u32,
    pub max_frame_bytes: u32,
    pub max_page: u32,
    pub heartbeat: Duration,
    pub idle_timeout: Duration,
    pub outgoing_queue: usize,
    pub write_batch: usize,
    pub shutdown_grace: Duration,
    pub audit_commit_log: bool,
    pub argon2_memory_kib: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("unknown setting {0} in the environment (see tern --help for the TERN_* variables)")]
    UnknownEnv(String),
    #[error("setting {name}: {message}")]
    Invalid { name: &'static str, message: String },
}

impl Config {
    /// Parses flags and environment (exiting with clap's message on bad flags), reads the file.
    pub fn load() -> Result<Config, ConfigError> {
        check_environment(std::env::vars().map(|(k, _)| k))?;
        let cli = Settings::parse();
        let file = match &cli.config {
            Some(path) => read_file(path)?,
            None => Settings::default(),
        };
        Config::resolve(file.overlay(cli))
    }

    /// Applies defaults to whatever the layers left unset, and checks ranges.
    pub fn resolve(s: Settings) -> Result<Config, ConfigError> {
        let durability = match s.durability.as_deref().unwrap_or("process") {
            "process" => Durability::Process,
            "power" => Durability::Power,
            other => {
                return Err(ConfigError::Invalid {
                    name: "durability",
                    message: format!("{other:?} is neither \"process\" nor \"power\""),
                });
            }
        };
        let data_dir = s.data_dir.unwrap_or_else(|| PathBuf::from("./tern-data"));
        let redis_url = s.redis_url.filter(|u| !u.is_empty());
        if let Some(url) = &redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return Err(ConfigError::Invalid {
                name: "redis_url",
                message: "must start with redis://".into(),
            });
        }
        let config = Config {
            listen: s.listen.unwrap_or(([127, 0, 0, 1], 8080).into()),
            database: Database::parse(s.database_url.as_deref(), &data_dir)?,
            data_dir,
            redis_url,
            redis_prefix: s.redis_prefix.unwrap_or_else(|| "tern".into()),
            web_dir: s.web_dir,
            log: s.log.unwrap_or_else(|| "info".into()),
            durability,
            max_text_chars: s.max_text_chars.unwrap_or(8000),
            max_frame_bytes: s.max_frame_bytes.unwrap_or(65536),
            max_page: s.max_page.unwrap_or(500),
            heartbeat: Duration::from_millis(s.heartbeat_ms.unwrap_or(25_000)),
            idle_timeout: Duration::from_millis(s.idle_timeout_ms.unwrap_or(60_000)),
            outgoing_queue: s.outgoing_queue.unwrap_or(1024),
            write_batch: s.write_batch.unwrap_or(256),
            shutdown_grace: Duration::from_millis(s.shutdown_grace_ms.unwrap_or(5000)),
            audit_commit_log: s.audit_commit_log.unwrap_or(false),
            argon2_memory_kib: s.argon2_memory_kib.unwrap_or(19_456),
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let checks: [(&'static str, bool, &str); 7] = [
            (
                "max_text_chars",
                self.max_text_chars >= 1,
                "must be at least 1",
            ),
            (
                "max_frame_bytes",
                self.max_frame_bytes >= 1024,
                "must be at least 1024",
            ),
            ("max_page", self.max_page >= 1, "must be at least 1"),
            (
                "heartbeat_ms",
                self.heartbeat >= Duration::from_millis(10),
                "must be at least 10",
            ),
            (
                "idle_timeout_ms",
                self.idle_timeout > self.heartbeat,
                "must be longer than heartbeat_ms",
            ),
            (
                "outgoing_queue",
                self.outgoing_queue >= 1,
                "must be at least 1",
            ),
            ("write_batch", self.write_batch >= 1, "must be at least 1"),
        ];
        for (name, ok, message) in checks {
            if !ok {
                return Err(ConfigError::Invalid {
                    name,
                    message: message.into(),
                });
            }
        }
        if self.argon2_memory_kib < 8 {
            return Err(ConfigError::Invalid {
                name: "argon2_memory_kib",
                message: "must be at least 8".into(),
            });
        }
        Ok(())
    }
}

impl Settings {
    /// `self` with every setting that `over` sets replaced by `over`'s value.
    fn overlay(self, over: Settings) -> Settings {
        Settings {
            config: over.config.or(self.config),
            listen: over.listen.or(self.listen),
            data_dir: over.data_dir.or(self.data_dir),
            database_url: over.database_url.or(self.database_url),
            redis_url: over.redis_url.or(self.redis_url),
            redis_prefix: over.redis_prefix.or(self.redis_prefix),
            web_dir: over.web_dir.or(self.web_dir),
            log: over.log.or(self.log),
            durability: over.durability.or(self.durability),
            max_text_chars: over.max_text_chars.or(self.max_text_chars),
            max_frame_bytes: over.max_frame_bytes.or(self.max_frame_bytes),
            max_page: over.max_page.or(self.max_page),
            heartbeat_ms: over.heartbeat_ms.or(self.heartbeat_ms),
            idle_timeout_ms: over.idle_timeout_ms.or(self.idle_timeout_ms),
            outgoing_queue: over.outgoing_queue.or(self.outgoing_queue),
            write_batch: over.write_batch.or(self.write_batch),
            shutdown_grace_ms: over.shutdown_grace_ms.or(self.shutdown_grace_ms),
            audit_commit_log: over.audit_commit_log.or(self.audit_commit_log),
            argon2_memory_kib: over.argon2_memory_kib.or(self.argon2_memory_kib),
        }
    }
}

fn read_file(path: &PathBuf) -> Result<Settings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::File {
        path: path.clone(),
        message: e.message().to_string(),
    })
}

/// Every `TERN_*` variable must be one clap knows, so a typo is an error, not silently ignored.
fn check_environment(names: impl Iterator<Item = String>) -> Result<(), ConfigError> {
    let command = Settings::command();
    let known: Vec<String> = command
        .get_arguments()
        .filter_map(|a| a.get_env())
        .map(|e| e.to_string_lossy().into_owned())
        .collect();
    for name in names {
        if name.starts_with("TERN_") && !known.contains(&name) {
            return Err(ConfigError::UnknownEnv(name));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_layers_win_and_defaults_fill_the_rest() {
        let file: Settings = toml::from_str("listen = \"127.0.0.1:9000\"\nmax_page = 7").unwrap();
        let cli = Settings {
            max_page: Some(9),
            ..Settings::default()
        };
        let config = Config::resolve(file.overlay(cli)).unwrap();
        assert_eq!(config.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(config.max_page, 9);
        assert_eq!(config.max_text_chars, 8000);
    }

    #[test]
    fn unknown_file_key_is_named() {
        let err = toml::from_str::<Settings>("listne = \"x\"").unwrap_err();
        assert!(err.message().contains("listne"), "{}", err.message());
    }

    #[test]
    fn unknown_environment_variable_is_named() {
        let err = check_environment(["TERN_LISTEN".into(), "TERN_LISTNE".into()].into_iter())
            .unwrap_err();
        assert!(err.to_string().contains("TERN_LISTNE"));
    }

    #[test]
    fn database_urls_choose_the_backend_and_hide_passwords() {
        let s = Settings {
            database_url: Some("postgres://tern:s3cret@db:5432/tern".into()),
            ..Settings::default()
        };
        let config = Config::resolve(s).unwrap();
        assert_eq!(
            config.database.describe(),
            "postgres://tern:***@db:5432/tern"
        );
        assert!(!format!("{config:?}").contains("s3cret"));
        let default = Config::resolve(Settings::default()).unwrap();
        assert_eq!(
            default.database,
            Database::Sqlite(PathBuf::from("./tern-data/tern.db"))
        );
        let bad = Settings {
            database_url: Some("mysql://x".into()),
            ..Settings::default()
        };
        assert!(Config::resolve(bad).is_err());
    }

    #[test]
    fn idle_timeout_must_exceed_heartbeat() {
        let s = Settings {
            heartbeat_ms: Some(1000),
            idle_timeout_ms: Some(500),
            ..Settings::default()
        };
        assert!(Config::resolve(s).is_err());
    }
}
