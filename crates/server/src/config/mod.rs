//! Settings, in sections: each is declared once, in the table below, with its type, default
//! and help; its TOML key, `TERN_*` variable, flag, `--help` line and README row all follow
//! from that line. Layers: defaults, then the TOML file, then the environment, then flags.

mod database;
mod layers;
mod value;

pub use database::Database;
pub use layers::ConfigError;
pub use value::{Secret, SettingValue, Window};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tern_store::sqlite::Durability;

/// One setting as the layers and the docs see it.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub section: &'static str,
    pub key: &'static str,
    /// Its default, as text in the same form a user writes (empty: unset).
    pub default: &'static str,
    pub help: &'static str,
}

impl Setting {
    /// `section.key`: how errors and the docs name it.
    pub fn name(&self) -> String {
        format!("{}.{}", self.section, self.key)
    }
    /// `TERN_SECTION_KEY`.
    pub fn env(&self) -> String {
        format!("TERN_{}_{}", self.section, self.key).to_uppercase()
    }
    /// `--section.key-name`.
    pub fn flag(&self) -> String {
        format!("--{}.{}", self.section, self.key.replace('_', "-"))
    }
}

/// Declares the sections and their settings: the structs the server reads, and `SETTINGS`.
macro_rules! settings {
    ($(
        $(#[doc = $section_doc:literal])*
        [$section:ident] $Section:ident {
            $( $(#[doc = $doc:literal])* $key:ident: $ty:ty = $default:literal, )*
        }
    )*) => {
        /// The configuration the server runs with, a struct per section.
        #[derive(Debug, Clone)]
        pub struct Config {
            $( $(#[doc = $section_doc])* pub $section: $Section, )*
            /// What the layers noticed but accepted (an old flat name): logged at start.
            pub notices: Vec<String>,
        }

        $(
            $(#[doc = $section_doc])*
            #[derive(Debug, Clone)]
            pub struct $Section {
                $( $(#[doc = $doc])* pub $key: $ty, )*
            }
        )*

        /// Every setting, in the order of the table.
        pub const SETTINGS: &[Setting] = &[
            $($( Setting {
                section: stringify!($section),
                key: stringify!($key),
                default: $default,
                help: concat!($($doc, "\n"),*),
            }, )*)*
        ];

        impl Config {
            /// Builds the sections from the merged text of every setting.
            fn from_values(values: &layers::Values) -> Result<Config, ConfigError> {
                Ok(Config {
                    $( $section: $Section {
                        $( $key: values.parse::<$ty>(stringify!($section), stringify!($key))?, )*
                    }, )*
                    notices: values.notices.clone(),
                })
            }
        }
    };
}

settings! {
    /// Serving HTTP and WebSocket, and the process.
    [server] Server {
        /// Address to listen on for HTTP and WebSocket (0.0.0.0:8080 serves the network).
        listen: SocketAddr = "127.0.0.1:8080",
        /// Directory for the database and other state; created if missing.
        data_dir: PathBuf = "./tern-data",
        /// Serve the web client from this directory instead of the copy built into tern (for
        /// working on the client); unset: the built-in client.
        web_dir: Option<PathBuf> = "",
        /// Log filter, e.g. "warn" or "tern_server=debug" (logs go to stderr).
        log: String = "info",
        /// How often the server pings each connection, in milliseconds.
        heartbeat_ms: Duration = "25000",
        /// A connection that sends nothing (not even a pong) for this long is dropped, in
        /// milliseconds; longer than heartbeat_ms.
        idle_timeout_ms: Duration = "60000",
        /// On SIGINT/SIGTERM, how long to wait for connections and pending writes, in ms.
        shutdown_grace_ms: Duration = "5000",
    }

    /// Where conversations are kept.
    [storage] Storage {
        /// Database: "sqlite://PATH" or "postgres://USER:PASSWORD@HOST:PORT/DATABASE"; unset:
        /// sqlite://DATA_DIR/tern.db. Never printed whole (the password is hidden).
        database_url: Option<Secret> = "",
        /// SQLite only. "process": acked messages survive a crash or kill -9 of tern; "power":
        /// they also survive power loss (an fsync per batch). PostgreSQL follows its own
        /// synchronous_commit.
        durability: Durability = "process",
        /// Most writes committed in one database transaction (group commit).
        write_batch: usize = "256",
    }

    /// Several nodes sharing one PostgreSQL database.
    [cluster] Cluster {
        /// Redis through which nodes exchange live events ("redis://HOST:PORT"); unset: a
        /// single node. Never printed.
        redis_url: Option<Secret> = "",
        /// Prefix of tern's Redis channel names, so several clusters can share one Redis.
        redis_prefix: String = "tern",
    }

    /// What one client may send or be sent.
    [limits] Limits {
        /// Longest text message, in Unicode characters.
        max_text_chars: u32 = "8000",
        /// Largest WebSocket frame processed, in bytes; larger ones get frame_too_large, and
        /// ones over 4x this (at least 1 MiB) close the connection.
        max_frame_bytes: u32 = "65536",
        /// Most events returned by one fetch or history page.
        max_page: u32 = "500",
        /// Frames that may wait for one slow connection before it is closed with 4008.
        outgoing_queue: usize = "1024",
    }

    /// What may be done to messages once sent.
    [messages] Messages {
        /// How long a sender may edit a message, in seconds: 0 turns editing off, "unlimited"
        /// lifts the limit.
        edit_window_s: Window = "86400",
        /// How long a sender may recall (撤回) a message, in seconds: 0 turns it off,
        /// "unlimited" lifts the limit. A group's owner and admins may recall any message at any time.
        recall_window_s: Window = "120",
        /// How often, at most, each conversation's members hear who read how far, in
        /// milliseconds: read positions that move meanwhile go out together in one frame.
        receipts_interval_ms: Duration = "1000",
    }

    /// Uploaded files: pictures, voice and video messages, documents.
    [files] Files {
        /// Where uploaded bytes are kept: "disk" (under files.dir) or "s3" (any S3-compatible
        /// store, the files.s3_* settings). A cluster's nodes must share it: use "s3".
        storage: String = "disk",
        /// Directory of the "disk" storage; unset: DATA_DIR/files.
        dir: Option<PathBuf> = "",
        /// S3 endpoint, "https://HOST[:PORT]" (path-style requests: AWS, MinIO, Ceph, Swift).
        s3_endpoint: Option<String> = "",
        /// S3 bucket; it must exist.
        s3_bucket: Option<String> = "",
        /// S3 region.
        s3_region: String = "us-east-1",
        /// S3 access key id.
        s3_access_key: Option<String> = "",
        /// S3 secret access key. Never printed.
        s3_secret_key: Option<Secret> = "",
        /// Prefix of tern's keys in the bucket, so several deployments can share one.
        s3_prefix: String = "",
        /// Largest file one may upload, in bytes.
        max_file_bytes: u64 = "209715200",
        /// Most bytes of files one user may keep (each distinct file counted once, uploads in
        /// progress at their announced size), in bytes; 0: no limit.
        quota_bytes: u64 = "5368709120",
        /// Largest picture decoded for previews, in pixels (width × height); a larger one is
        /// kept as a plain file, without a preview.
        max_image_pixels: u64 = "50000000",
        /// How long a signed download link (for <img src>, <video src>) stays valid, in
        /// seconds.
        link_ttl_s: u64 = "3600",
        /// How long an unfinished resumable upload is kept, in seconds.
        upload_expiry_s: u64 = "86400",
        /// How long an uploaded file that no message shows is kept, in seconds.
        unshown_grace_s: u64 = "86400",
        /// How often abandoned uploads, unshown files and unused bytes are removed, in ms.
        sweep_interval_ms: Duration = "60000",
    }

    /// Accounts and passwords.
    [security] Security {
        /// Argon2id memory cost in KiB for new password hashes. Lower it only for tests.
        argon2_memory_kib: u32 = "19456",
    }

    /// Background work that follows the commit log.
    [followers] Followers {
        /// Run the commit-log audit: a follower that checks every committed event follows the
        /// one before it in its conversation, logging any gap, repeat or disorder.
        audit_commit_log: bool = "false",
    }
}

/// Settings from before sections, still accepted under their flat name (`listen = ...`,
/// `TERN_LISTEN`, `--listen`) with a notice naming the new one.
pub(crate) const FLAT_NAMES: &[(&str, &str)] = &[
    ("listen", "server"),
    ("data_dir", "server"),
    ("web_dir", "server"),
    ("log", "server"),
    ("heartbeat_ms", "server"),
    ("idle_timeout_ms", "server"),
    ("shutdown_grace_ms", "server"),
    ("database_url", "storage"),
    ("durability", "storage"),
    ("write_batch", "storage"),
    ("redis_url", "cluster"),
    ("redis_prefix", "cluster"),
    ("max_text_chars", "limits"),
    ("max_frame_bytes", "limits"),
    ("max_page", "limits"),
    ("outgoing_queue", "limits"),
    ("argon2_memory_kib", "security"),
    ("audit_commit_log", "followers"),
];

impl Config {
    /// Reads flags, environment and the file (exiting with the help text for `--help`).
    pub fn load() -> Result<Config, ConfigError> {
        let values = layers::Values::load(std::env::args_os(), std::env::vars_os())?;
        Config::resolve(&values)
    }

    /// Parses every setting from its merged text and checks the rules between them.
    pub(crate) fn resolve(values: &layers::Values) -> Result<Config, ConfigError> {
        let config = Config::from_values(values)?;
        config.validate()?;
        Ok(config)
    }

    /// The directory of the "disk" file storage: `files.dir`, or `files` in the data directory.
    pub fn files_dir(&self) -> PathBuf {
        self.files
            .dir
            .clone()
            .unwrap_or_else(|| self.server.data_dir.join("files"))
    }

    /// The database to open: `storage.database_url`, or SQLite in the data directory.
    pub fn database(&self) -> Result<Database, ConfigError> {
        Database::parse(self.storage.database_url.as_ref(), &self.server.data_dir)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let at_least = |name: &'static str, value: u64, min: u64| {
            if value < min {
                Err(ConfigError::invalid(
                    name,
                    format!("must be at least {min}"),
                ))
            } else {
                Ok(())
            }
        };
        let limits = &self.limits;
        at_least("limits.max_text_chars", limits.max_text_chars.into(), 1)?;
        at_least(
            "limits.max_frame_bytes",
            limits.max_frame_bytes.into(),
            1024,
        )?;
        at_least("limits.max_page", limits.max_page.into(), 1)?;
        at_least("limits.outgoing_queue", limits.outgoing_queue as u64, 1)?;
        at_least("storage.write_batch", self.storage.write_batch as u64, 1)?;
        at_least(
            "security.argon2_memory_kib",
            self.security.argon2_memory_kib.into(),
            8,
        )?;
        let files = &self.files;
        match files.storage.as_str() {
            "disk" => {}
            "s3" => {
                for (name, set) in [
                    ("files.s3_endpoint", files.s3_endpoint.is_some()),
                    ("files.s3_bucket", files.s3_bucket.is_some()),
                    ("files.s3_access_key", files.s3_access_key.is_some()),
                    ("files.s3_secret_key", files.s3_secret_key.is_some()),
                ] {
                    if !set {
                        return Err(ConfigError::invalid(
                            name,
                            "must be set when files.storage is \"s3\"".into(),
                        ));
                    }
                }
            }
            other => {
                return Err(ConfigError::invalid(
                    "files.storage",
                    format!("{other:?} is not a storage tern knows (\"disk\" or \"s3\")"),
                ));
            }
        }
        at_least("files.max_file_bytes", files.max_file_bytes, 1)?;
        at_least("files.max_image_pixels", files.max_image_pixels, 1)?;
        at_least("files.link_ttl_s", files.link_ttl_s, 1)?;
        at_least(
            "files.sweep_interval_ms",
            files.sweep_interval_ms.as_millis() as u64,
            10,
        )?;
        let server = &self.server;
        at_least(
            "server.heartbeat_ms",
            server.heartbeat_ms.as_millis() as u64,
            10,
        )?;
        if server.idle_timeout_ms <= server.heartbeat_ms {
            return Err(ConfigError::invalid(
                "server.idle_timeout_ms",
                "must be longer than server.heartbeat_ms".into(),
            ));
        }
        if let Some(url) = &self.cluster.redis_url
            && !(url.expose().starts_with("redis://") || url.expose().starts_with("rediss://"))
        {
            return Err(ConfigError::invalid(
                "cluster.redis_url",
                "must start with redis://".into(),
            ));
        }
        self.database().map(|_| ())
    }
}

#[cfg(test)]
mod tests;
