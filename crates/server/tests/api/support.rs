//! Test harness: spawns the real `tern` binary on port 0 with a temporary data directory, and
//! gives tests typed helpers (users, SDK clients, raw WebSocket connections).

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tern_sdk::proto::rest::LoginResponse;
use tern_sdk::proto::{Content, ConvId, Event, UserId, UserProfile};
use tern_sdk::{Api, Client, ClientEvent, ClientOptions};
use tern_store::testing::TestDatabase;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStdout, Command};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single awaited condition may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);
pub const PASSWORD: &str = "correct horse battery";

/// A running tern process and its data directory (and its PostgreSQL database when the suite
/// runs with `TERN_TEST_BACKEND=postgres`).
pub struct TestServer {
    pub url: String,
    pub addr: SocketAddr,
    child: Option<Child>,
    _stdout: Option<ChildStdout>,
    env: Vec<(String, String)>,
    dir: tempfile::TempDir,
    _database: Option<TestDatabase>,
}

/// Where the suite keeps files: on disk, unless `TERN_TEST_FILES=s3` (then in the S3 store
/// `scripts/swift.sh start` describes in `TERN_TEST_S3_*`).
pub struct S3Test {
    pub endpoint: String,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
}

pub fn test_s3() -> Option<S3Test> {
    if std::env::var("TERN_TEST_FILES").as_deref() != Ok("s3") {
        return None;
    }
    let var = |name: &str| {
        std::env::var(name)
            .unwrap_or_else(|_| panic!("TERN_TEST_FILES=s3 needs {name} (scripts/swift.sh start)"))
    };
    Some(S3Test {
        endpoint: var("TERN_TEST_S3_ENDPOINT"),
        bucket: var("TERN_TEST_S3_BUCKET"),
        access_key: var("TERN_TEST_S3_ACCESS_KEY"),
        secret_key: var("TERN_TEST_S3_SECRET_KEY"),
    })
}

/// Which storage the suite runs on: SQLite unless `TERN_TEST_BACKEND=postgres`.
pub async fn test_database() -> Option<TestDatabase> {
    match std::env::var("TERN_TEST_BACKEND").as_deref() {
        Ok("postgres") => Some(
            TestDatabase::create()
                .await
                .expect("TERN_TEST_BACKEND=postgres but PostgreSQL is not reachable"),
        ),
        _ => None,
    }
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(&[]).await
    }

    /// Starts with extra `TERN_*` settings.
    pub async fn start_with(env: &[(&str, &str)]) -> TestServer {
        let mut env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let database = test_database().await;
        if let Some(db) = &database {
            env.push(("TERN_STORAGE_DATABASE_URL".into(), db.url.clone()));
        }
        if let Some(s3) = test_s3() {
            let set = |env: &mut Vec<(String, String)>, key: &str, value: &str| {
                if !env.iter().any(|(k, _)| k == key) {
                    env.push((key.into(), value.into()));
                }
            };
            set(&mut env, "TERN_FILES_STORAGE", "s3");
            set(&mut env, "TERN_FILES_S3_ENDPOINT", &s3.endpoint);
            set(&mut env, "TERN_FILES_S3_BUCKET", &s3.bucket);
            set(&mut env, "TERN_FILES_S3_ACCESS_KEY", &s3.access_key);
            set(&mut env, "TERN_FILES_S3_SECRET_KEY", &s3.secret_key);
            // Each server its own keys in the shared bucket, so counts are its own.
            let prefix = format!("test-{:016x}", rand::random::<u64>());
            set(&mut env, "TERN_FILES_S3_PREFIX", &prefix);
        }
        Self::launch(env, database).await
    }

    /// The objects this server stores under `dir` ("blobs", "staging"), on disk or in S3:
    /// thumbnails and other renditions included (their names hold a dot).
    pub async fn stored(&self, dir: &str) -> Vec<String> {
        let prefix = self.env.iter().find(|(k, _)| k == "TERN_FILES_S3_PREFIX");
        let Some((_, prefix)) = prefix else {
            let path = self.dir.path().join("files").join(dir);
            return std::fs::read_dir(&path)
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|name| !name.ends_with(".part"))
                        .collect()
                })
                .unwrap_or_default();
        };
        use futures_util::TryStreamExt;
        use object_store::ObjectStore;
        let s3 = test_s3().expect("S3 settings");
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&s3.endpoint)
            .with_bucket_name(&s3.bucket)
            .with_region("us-east-1")
            .with_access_key_id(&s3.access_key)
            .with_secret_access_key(&s3.secret_key)
            .with_allow_http(true)
            .build()
            .expect("S3 client");
        let under = object_store::path::Path::from(format!("{prefix}/{dir}"));
        let objects: Vec<object_store::ObjectMeta> = store
            .list(Some(&under))
            .try_collect()
            .await
            .expect("list S3");
        objects
            .into_iter()
            .filter_map(|o| o.location.filename().map(str::to_owned))
            .collect()
    }

    /// Starts one node of a cluster: `env` names the shared database and Redis.
    pub async fn start_node(env: Vec<(String, String)>) -> TestServer {
        Self::launch(env, None).await
    }

    async fn launch(env: Vec<(String, String)>, database: Option<TestDatabase>) -> TestServer {
        // Every test starts a server before it makes HTTP requests of its own.
        tern_sdk::install_tls();
        let dir = tempfile::tempdir().expect("temp dir");
        let (child, stdout, addr) = spawn(dir.path(), "127.0.0.1:0", &env).await;
        TestServer {
            url: format!("http://{addr}"),
            addr,
            child: Some(child),
            _stdout: Some(stdout),
            env,
            dir,
            _database: database,
        }
    }

    /// The database this server runs on, as a URL (`sqlite://...` or `postgres://...`).
    pub fn database_url(&self) -> String {
        self.env
            .iter()
            .find(|(k, _)| k == "TERN_STORAGE_DATABASE_URL")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| format!("sqlite://{}", self.dir.path().join("tern.db").display()))
    }

    pub fn api(&self) -> Api {
        Api::new(self.url.clone())
    }

    /// The server's data directory (files live under `files/`).
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// SIGTERM, then wait for the process to exit; returns whether it exited successfully.
    pub async fn stop(&mut self) -> bool {
        let Some(mut child) = self.child.take() else {
            return true;
        };
        if let Some(pid) = child.id() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        let status = tokio::time::timeout(WAIT, child.wait())
            .await
            .expect("tern did not exit after SIGTERM")
            .expect("wait for tern");
        status.success()
    }

    /// SIGKILL: no chance to flush or say goodbye.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("kill tern");
        }
    }

    /// Starts tern again on the same address and data directory.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "stop or kill the server first");
        let (child, stdout, addr) = spawn(self.dir.path(), &self.addr.to_string(), &self.env).await;
        assert_eq!(addr, self.addr);
        self.child = Some(child);
        self._stdout = Some(stdout);
    }

    /// Registers and logs in several users at once.
    pub async fn users<const N: usize>(&self, names: [&str; N]) -> [TestUser; N] {
        let mut users = Vec::with_capacity(N);
        for name in names {
            users.push(self.user(name).await);
        }
        match users.try_into() {
            Ok(users) => users,
            Err(_) => unreachable!("exactly N users were made"),
        }
    }

    /// Registers `username` and logs in one device.
    pub async fn user(&self, username: &str) -> TestUser {
        let profile = self
            .api()
            .register(username, PASSWORD, None)
            .await
            .expect("register");
        let mut user = TestUser {
            profile,
            server: self.url.clone(),
            api: self.api(),
            token: String::new(),
        };
        let login = user.login("first device").await;
        user.token = login.token.clone();
        user.api = self.api().with_token(login.token);
        user
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.start_kill();
        }
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- last server log lines ---");
            for line in tail.into_iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

async fn spawn(
    dir: &Path,
    listen: &str,
    env: &[(String, String)],
) -> (Child, ChildStdout, SocketAddr) {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))
        .expect("server log");
    let mut command = Command::new(env!("CARGO_BIN_EXE_tern"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TERN_SERVER_LISTEN", listen)
        .env("TERN_SERVER_DATA_DIR", dir)
        .env("TERN_SERVER_LOG", "info")
        .env("TERN_SECURITY_ARGON2_MEMORY_KIB", "1024")
        // Read receipts go out every 100 ms rather than every second: tests wait less.
        .env("TERN_MESSAGES_RECEIPTS_INTERVAL_MS", "100")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::piped())
        .stderr(log)
        .kill_on_drop(true);
    let mut child = command.spawn().expect("spawn tern");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .expect("tern did not start in time")
        .expect("read tern stdout")
        .expect("tern exited before printing its URL (see server.log)");
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    (child, lines.into_inner().into_inner(), addr)
}

/// A registered user, logged in on one device.
pub struct TestUser {
    pub profile: UserProfile,
    pub server: String,
    /// HTTP API with this user's first token.
    pub api: Api,
    pub token: String,
}

impl TestUser {
    pub fn id(&self) -> UserId {
        self.profile.id
    }

    /// Logs in another device.
    pub async fn login(&self, device: &str) -> LoginResponse {
        Api::new(self.server.clone())
            .login(&self.profile.username, PASSWORD, Some(device))
            .await
            .expect("login")
    }

    /// An SDK client on the first device.
    pub async fn connect(&self) -> Device {
        Device::connect(&self.server, &self.token).await
    }

    /// An SDK client on a new device (its own session).
    pub async fn new_device(&self) -> Device {
        let login = self.login("another device").await;
        Device::connect(&self.server, &login.token).await
    }

    pub async fn direct_with(&self, other: &TestUser) -> ConvId {
        self.api
            .open_direct(other.id())
            .await
            .expect("open direct")
            .summary
            .id
    }
}

/// An SDK client and its event stream.
pub struct Device {
    pub client: Client,
    /// Events read while waiting for the first catch-up, not yet handed to the test.
    backlog: VecDeque<ClientEvent>,
    events: mpsc::Receiver<ClientEvent>,
}

impl Device {
    pub async fn connect(server: &str, token: &str) -> Device {
        let mut options = ClientOptions::new(server, token);
        options.resend_after = Duration::from_secs(2);
        let (client, mut events) = Client::connect(options).await.expect("connect");
        let mut backlog = VecDeque::new();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let event = next_before(&mut events, deadline).await;
            let synced = event == ClientEvent::Synced;
            backlog.push_back(event);
            if synced {
                break;
            }
        }
        Device {
            client,
            backlog,
            events,
        }
    }

    /// The client, the events already read, and the stream of the rest.
    pub fn into_parts(self) -> (Client, VecDeque<ClientEvent>, mpsc::Receiver<ClientEvent>) {
        (self.client, self.backlog, self.events)
    }

    /// Waits for the next event matching `pred`, skipping others.
    pub async fn until(&mut self, mut pred: impl FnMut(&ClientEvent) -> bool) -> ClientEvent {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let event = match self.backlog.pop_front() {
                Some(event) => event,
                None => next_before(&mut self.events, deadline).await,
            };
            if pred(&event) {
                return event;
            }
        }
    }

    /// Whether the client has reported a disconnect that the test has not read yet.
    pub fn has_pending_disconnect(&mut self) -> bool {
        while let Ok(event) = self.events.try_recv() {
            self.backlog.push_back(event);
        }
        self.backlog
            .iter()
            .any(|e| matches!(e, ClientEvent::Disconnected { .. }))
    }

    /// Waits for the next conversation event in `conv`.
    pub async fn next_in(&mut self, conv: ConvId) -> Event {
        match self
            .until(|e| matches!(e, ClientEvent::Event(ev) if ev.conv == conv))
            .await
        {
            ClientEvent::Event(e) => e,
            _ => unreachable!(),
        }
    }

    /// Collects every conversation event of `conv` until one with seq `last` arrived.
    pub async fn collect_until(&mut self, conv: ConvId, last: u64) -> Vec<Event> {
        let mut out = Vec::new();
        loop {
            let e = self.next_in(conv).await;
            let seq = e.seq;
            out.push(e);
            if seq >= last {
                return out;
            }
        }
    }
}

async fn next_before(
    events: &mut mpsc::Receiver<ClientEvent>,
    deadline: tokio::time::Instant,
) -> ClientEvent {
    tokio::time::timeout_at(deadline, events.recv())
        .await
        .expect("timed out waiting for a client event")
        .expect("client event stream ended")
}

/// A WebSocket spoken to frame by frame, to pin the wire format.
pub struct RawWs {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl RawWs {
    /// Connects with `?token=` (or none) and does not wait for anything.
    pub async fn open(server: &TestServer, token: Option<&str>) -> RawWs {
        let mut url = format!("ws://{}/ws", server.addr);
        if let Some(t) = token {
            url.push_str(&format!("?token={t}"));
        }
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("ws connect");
        RawWs { ws }
    }

    /// Connects with a small, fixed receive buffer (Linux then stops growing it), reads the
    /// `hello` frame: for a client that stops reading and must not hide it in a large buffer.
    pub async fn connect_small(server: &TestServer, token: &str) -> RawWs {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(16 * 1024).expect("SO_RCVBUF");
        let tcp = socket.connect(server.addr).await.expect("tcp connect");
        let url = format!("ws://{}/ws?token={token}", server.addr);
        let (ws, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(tcp))
            .await
            .expect("ws connect");
        let mut ws = RawWs { ws };
        assert_eq!(ws.recv().await["type"], "hello");
        ws
    }

    /// Connects and reads the `hello` frame.
    pub async fn connect(server: &TestServer, token: &str) -> (RawWs, Value) {
        let mut ws = Self::open(server, Some(token)).await;
        let hello = ws.recv().await;
        assert_eq!(hello["type"], "hello", "{hello}");
        (ws, hello)
    }

    pub async fn send_text(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        self.ws
            .send(Message::Text(text.into()))
            .await
            .expect("ws send");
    }

    pub async fn send_json(&mut self, value: Value) {
        self.send_text(value.to_string()).await;
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws
            .send(Message::Binary(bytes.into()))
            .await
            .expect("ws send");
    }

    /// The next text frame as JSON (control frames skipped).
    pub async fn recv(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("timed out waiting for a frame")
                .expect("connection closed")
                .expect("ws error");
            match msg {
                Message::Text(t) => return serde_json::from_str(t.as_str()).expect("server JSON"),
                Message::Close(f) => panic!("connection closed: {f:?}"),
                _ => continue,
            }
        }
    }

    /// The next frame of the given type, skipping others.
    pub async fn recv_type(&mut self, kind: &str) -> Value {
        loop {
            let v = self.recv().await;
            if v["type"] == kind {
                return v;
            }
        }
    }

    /// Closes with `code` and returns the code of the server's answering close frame (None if
    /// the connection ended without one).
    pub async fn close_with(&mut self, code: u16) -> Option<u16> {
        use tokio_tungstenite::tungstenite::protocol::CloseFrame;
        let frame = CloseFrame {
            code: code.into(),
            reason: "bye".into(),
        };
        self.ws.close(Some(frame)).await.expect("send close");
        self.recv_close().await
    }

    /// Reads until the server closes; returns the close code (None if no close frame came).
    pub async fn recv_close(&mut self) -> Option<u16> {
        loop {
            let next = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("timed out waiting for the close");
            match next {
                Some(Ok(Message::Close(f))) => return f.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Sends a request and returns the reply with the same rid (pushed frames are skipped).
    pub async fn request(&mut self, mut frame: Value, rid: u64) -> Value {
        frame["rid"] = rid.into();
        self.send_json(frame).await;
        loop {
            let v = self.recv().await;
            if v["rid"] == rid {
                return v;
            }
        }
    }
}

/// Text content.
pub fn text(t: &str) -> Content {
    Content::text(t)
}

/// A fresh client message id.
pub fn cmid() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Polls `{server}/readyz` until it answers `status`; returns its body.
pub async fn until_ready_is(server: &str, status: u16) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let resp = reqwest::get(format!("{server}/readyz"))
            .await
            .expect("readyz");
        let now = resp.status().as_u16();
        let body: Value = resp.json().await.expect("readyz body");
        if now == status {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz still answers {now} ({body}), not {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls `check` until it yields a value (every 50 ms, for at most `WAIT`): for conditions that
/// become true by themselves (a sweep, an expiry), awaited rather than slept for.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
