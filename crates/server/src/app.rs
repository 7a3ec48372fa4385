//! Startup and shutdown: `App::build` opens storage and binds the listener (so tests can bind
//! port 0 and read `local_addr`), `App::run` serves until the shutdown signal, then drains.

use crate::accounts::Accounts;
use crate::accounts::auth::Passwords;
use crate::config::Config;
use crate::config::Database;
use crate::conversations::Conversations;
use crate::delivery::bus::{Bus, RedisSettings};
use crate::delivery::committer::Committer;
use crate::delivery::hub::Hub;
use crate::files::{self, Files, Links};
use crate::followers;
use crate::gateway::Gateway;
use crate::http::web::WebAssets;
use crate::http::{self, AppState, Services};
use crate::messages::Messages;
use crate::receipts::{Coalescer, Privacy, Receipts};
use axum::serve::ListenerExt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tern_proto::Limits;
use tern_store::Store;
use tern_store::postgres::PgStore;
use tern_store::sqlite::SqliteStore;
use tokio::net::{TcpListener, TcpSocket};

/// Connections the kernel may hold for us before `accept`. When thousands of clients reconnect
/// at once (a restart, a network blip), a short queue overflows and the kernel drops their
/// handshakes, which costs each of them a 1 s SYN retry. Linux caps it at `net.core.somaxconn`.
const LISTEN_BACKLOG: u32 = 8192;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Connections per node to PostgreSQL: the committer's, plus readers.
const PG_CONNECTIONS: u32 = 16;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Store(#[from] tern_store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Setup(String),
}

pub struct App {
    listener: TcpListener,
    state: AppState,
    committer_task: JoinHandle<()>,
    ticker_task: JoinHandle<()>,
    shutdown: CancellationToken,
    shutdown_grace: Duration,
}

impl App {
    pub async fn build(config: Config) -> Result<App, StartError> {
        let Config {
            server,
            storage,
            cluster,
            limits,
            security,
            followers: follow,
            ..
        } = &config;
        std::fs::create_dir_all(&server.data_dir).map_err(|source| StartError::DataDir {
            path: server.data_dir.clone(),
            source,
        })?;
        let database = config
            .database()
            .map_err(|e| StartError::Setup(e.to_string()))?;
        let store: Arc<dyn Store> = match &database {
            Database::Sqlite(path) => Arc::new(SqliteStore::open(path, storage.durability).await?),
            Database::Postgres(url) => Arc::new(PgStore::open(url.expose(), PG_CONNECTIONS).await?),
        };
        let hub = Arc::new(Hub::default());
        let redis = cluster.redis_url.as_ref().map(|url| RedisSettings {
            url: url.expose().to_owned(),
            prefix: cluster.redis_prefix.clone(),
        });
        let privacy = Arc::new(Privacy::default());
        privacy.reload(store.as_ref()).await?;
        let bus = Bus::new(hub.clone(), store.clone(), privacy.clone(), redis);
        let shutdown = CancellationToken::new();
        let coalescer = Coalescer::start(
            bus.clone(),
            privacy.clone(),
            config.messages.receipts_interval_ms,
            shutdown.clone(),
        );
        let (commits, commit_ticks) = watch::channel(0u64);
        let receipts = Receipts::new(store.clone(), privacy.clone(), coalescer.clone());
        let (committer, committer_task) = Committer::start(
            store.clone(),
            bus.clone(),
            coalescer,
            storage.write_batch,
            commits,
        );
        let passwords = Passwords::new(security.argon2_memory_kib)
            .map_err(|e| StartError::Setup(e.to_string()))?;
        let (ticker_task, ticks) = start_ticker(server.heartbeat_ms, shutdown.clone());
        let wire_limits = Limits {
            max_text_chars: limits.max_text_chars,
            max_frame_bytes: limits.max_frame_bytes,
            max_page: limits.max_page,
            max_group_members: tern_store::GROUP_MEMBERS_MAX as u32,
            max_users_per_request: crate::conversations::USERS_PER_REQUEST_MAX as u32,
            edit_window_s: config.messages.edit_window_s.seconds,
            recall_window_s: config.messages.recall_window_s.seconds,
            max_pins: tern_store::PINS_MAX as u32,
            max_forward: tern_store::FORWARD_MAX as u32,
        };
        let gateway = Arc::new(Gateway {
            hub,
            bus: bus.clone(),
            ticks,
            shutdown: shutdown.clone(),
            tracker: TaskTracker::new(),
            heartbeat: server.heartbeat_ms,
            idle_timeout: server.idle_timeout_ms,
            outgoing_queue: limits.outgoing_queue,
            max_frame_bytes: limits.max_frame_bytes as usize,
        });
        let files = open_files(&config, store.clone()).await?;
        files::sweeper::start(files.clone(), shutdown.clone());
        let state = AppState::new(Services {
            accounts: Accounts::new(store.clone(), passwords, bus.clone(), receipts.clone()),
            conversations: Conversations::new(store.clone(), committer.clone(), receipts.clone()),
            contacts: crate::contacts::Contacts::new(store.clone(), committer.clone(), bus.clone()),
            messages: Messages::new(
                store.clone(),
                committer.clone(),
                bus.clone(),
                wire_limits,
                files.clone(),
            ),
            receipts,
            files,
            committer,
            store,
            gateway,
            web: match &server.web_dir {
                Some(dir) => WebAssets::Dir(dir.clone()),
                None => WebAssets::Embedded,
            },
        });
        let listener = listen(server.listen).map_err(|source| StartError::Bind {
            addr: server.listen,
            source,
        })?;
        if follow.audit_commit_log {
            // The holder names this node in the lease, as operators see it.
            let holder = format!(
                "{}#{}",
                listener.local_addr().map_err(|source| StartError::Bind {
                    addr: server.listen,
                    source
                })?,
                std::process::id()
            );
            followers::start(
                state.store.clone(),
                followers::Audit,
                holder,
                commit_ticks,
                shutdown.clone(),
            );
        }
        Ok(App {
            listener,
            state,
            committer_task,
            ticker_task,
            shutdown,
            shutdown_grace: server.shutdown_grace_ms,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        // A bound TCP listener always has a local address.
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    /// Serves until `signal` resolves, then: stops accepting, closes every WebSocket with 1012,
    /// waits for in-flight writes to commit, and closes the database.
    pub async fn run(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let App {
            listener,
            state,
            committer_task,
            ticker_task,
            shutdown,
            shutdown_grace,
        } = self;
        let store = state.store.clone();
        let tracker = state.gateway.tracker.clone();
        // Handlers become routes once here. Served as a plain `Router`, axum would rebuild every
        // route for each new TCP connection, a large share of a login's cost in a storm.
        let service = http::router(state).with_state(()).into_make_service();
        let stop = shutdown.clone();
        // Frames are small and each is written with one flush: Nagle's algorithm would hold a
        // frame back until the peer acknowledges the previous one (up to its delayed-ACK
        // timer, 40 ms) whenever the client is not sending at that moment.
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY");
            }
        });
        let server = tokio::spawn(async move {
            axum::serve(listener, service)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await
        });
        signal.await;
        tracing::info!("shutting down");
        shutdown.cancel();
        tracker.close();
        if tokio::time::timeout(shutdown_grace, tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!("some connections did not close within the grace period");
        }
        let served = match tokio::time::timeout(shutdown_grace, server).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(std::io::Error::other(join)),
            Err(_) => {
                tracing::warn!("HTTP requests still running after the grace period");
                Ok(())
            }
        };
        // Every Committer handle lived in the router's state; with the router gone the committer
        // drains what is queued and stops.
        if tokio::time::timeout(shutdown_grace, committer_task)
            .await
            .is_err()
        {
            tracing::warn!("pending writes did not finish within the grace period");
        }
        ticker_task.abort();
        store.close().await;
        tracing::info!("stopped");
        served
    }
}

/// Name of the shared secret that signs download links (`files::links`).
const LINK_KEY: &str = "file_links";

/// File storage as configured, and the key for signed links (shared by every node through the
/// database, made on the first start).
async fn open_files(config: &Config, store: Arc<dyn Store>) -> Result<Files, StartError> {
    let settings = &config.files;
    let storage: Arc<dyn tern_media::Storage> = match settings.storage.as_str() {
        "s3" => {
            let s3 = tern_media::S3Settings {
                endpoint: settings.s3_endpoint.clone().unwrap_or_default(),
                bucket: settings.s3_bucket.clone().unwrap_or_default(),
                region: settings.s3_region.clone(),
                access_key: settings.s3_access_key.clone().unwrap_or_default(),
                secret_key: settings
                    .s3_secret_key
                    .as_ref()
                    .map(|s| s.expose().to_owned())
                    .unwrap_or_default(),
                prefix: settings.s3_prefix.clone(),
            };
            Arc::new(
                tern_media::S3::open(&s3)
                    .map_err(|e| StartError::Setup(format!("cannot use S3 file storage: {e}")))?,
            )
        }
        _ => {
            let dir = config.files_dir();
            Arc::new(tern_media::Disk::open(&dir).await.map_err(|e| {
                StartError::Setup(format!(
                    "cannot open file storage in {}: {e}",
                    dir.display()
                ))
            })?)
        }
    };
    let key = store
        .shared_secret(LINK_KEY.into(), files::links::new_key())
        .await?;
    let links = Links::new(&key, config.files.link_ttl_s);
    Ok(Files::new(store, storage, config.files.clone(), links))
}

/// One interval for the whole process; connections watch its counter.
fn start_ticker(
    period: Duration,
    shutdown: CancellationToken,
) -> (JoinHandle<()>, watch::Receiver<u64>) {
    let (tx, rx) = watch::channel(0u64);
    let task = tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval.tick().await;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = interval.tick() => tx.send_modify(|t| *t += 1),
            }
        }
    });
    (task, rx)
}

/// Binds the listener with a deep accept queue (see `LISTEN_BACKLOG`).
fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // As std's and tokio's `bind` do: a restarted server may rebind while old sockets linger.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}
