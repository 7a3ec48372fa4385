//! The background task behind a `Client`: owns the socket, reconnects with backoff and jitter
//! (here), keeps the outbox of unacknowledged sends (`outbox`), and turns the server's frames
//! into an exactly-once, in-order event stream per conversation, repairing gaps by fetching the
//! missing range (`sequencer`), as web/sdk does.

mod outbox;
use outbox::send_frame;
mod sequencer;
mod socket;
use socket::{open_socket, websocket_url};

use super::{Ack, ClientEvent, ClientOptions, Command};
use crate::error::{SdkError, SdkResult};
use futures_util::{SinkExt, StreamExt};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};
use tern_proto::{
    ClientFrame, CloseCode, Content, ConvId, ErrorCode, Event, ServerFrame, SessionId, UserId,
    UserProfile, UserSettings,
};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long the server has to say `hello` after the upgrade.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// A send not yet acknowledged. Kept across reconnects and resent until the server answers.
struct Outgoing {
    rid: u64,
    conv: ConvId,
    cmid: String,
    content: Content,
    reply: oneshot::Sender<SdkResult<Ack>>,
    /// When it was last written to a socket; `None` means "write at the next opportunity".
    sent_at: Option<Instant>,
}

struct PendingRequest {
    frame: ClientFrame,
    reply: oneshot::Sender<SdkResult<ServerFrame>>,
}

/// How a connection ended.
enum Flow {
    /// Every handle is gone or `close` was called.
    Stop,
    /// Reconnect; with the close code if the server sent one.
    Reconnect(Option<u16>),
    /// Stay disconnected until the app says `go_online`.
    Offline,
}

struct Driver {
    options: ClientOptions,
    events: mpsc::Sender<ClientEvent>,
    me: UserId,
    max_page: u32,
    next_rid: u64,
    /// Unacknowledged sends by rid (= submission order), and their rids by cmid.
    outbox: BTreeMap<u64, Outgoing>,
    outbox_by_cmid: HashMap<String, u64>,
    /// Whether a connection is up (sends are written at once) or not (they wait).
    online: bool,
    requests: HashMap<u64, PendingRequest>,
    /// Internal catch-up fetches in flight: rid → conversation.
    fetches: HashMap<u64, ConvId>,
    /// Highest seq delivered to the app, per conversation; everything below was delivered too.
    delivered: HashMap<ConvId, u64>,
    /// Conversations being caught up, with the live events that arrived meanwhile.
    catching_up: HashMap<ConvId, Vec<Event>>,
    /// The sync in flight on this connection, if any.
    sync_rid: Option<u64>,
    need_sync: bool,
    /// Conversations the current sync found behind; the sync is done when this empties.
    sync_pending: HashSet<ConvId>,
    /// The token of a sync whose catch-up is not finished; adopted only once it is, so a drop
    /// in the middle never skips anything.
    pending_token: Option<String>,
    token: Option<String>,
    /// Whether this connection completed a catch-up; only then does the backoff start over, so
    /// a server that accepts and then drops connections is not hammered.
    healthy: bool,
    /// Frames to write once the current frame or command is handled.
    writes: Vec<ClientFrame>,
}

pub(super) async fn run(
    options: ClientOptions,
    mut commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<ClientEvent>,
    ready: oneshot::Sender<SdkResult<UserProfile>>,
) {
    let mut driver = Driver {
        options,
        events,
        me: UserId(0),
        max_page: 100,
        next_rid: 0,
        outbox: BTreeMap::new(),
        outbox_by_cmid: HashMap::new(),
        online: false,
        requests: HashMap::new(),
        fetches: HashMap::new(),
        delivered: HashMap::new(),
        catching_up: HashMap::new(),
        sync_rid: None,
        need_sync: false,
        sync_pending: HashSet::new(),
        pending_token: None,
        token: None,
        healthy: false,
        writes: Vec::new(),
    };
    let mut ready = Some(ready);
    let mut failures: u32 = 0;
    loop {
        match driver.connect().await {
            Ok((socket, user, session, settings)) => {
                driver.healthy = false;
                driver.me = user.id;
                if let Some(ready) = ready.take() {
                    let _ = ready.send(Ok(user.clone()));
                }
                let connected = ClientEvent::Connected {
                    user,
                    session,
                    settings,
                };
                driver.emit(connected).await;
                let flow = driver.serve(socket, &mut commands).await;
                if driver.healthy {
                    failures = 0;
                }
                match flow {
                    Flow::Stop => return driver.fail_all(|| SdkError::Closed),
                    Flow::Offline => {
                        driver.emit(ClientEvent::Disconnected { code: None }).await;
                        if let Flow::Stop = driver.stay_offline(&mut commands).await {
                            return driver.fail_all(|| SdkError::Closed);
                        }
                        continue;
                    }
                    Flow::Reconnect(code) => {
                        driver.emit(ClientEvent::Disconnected { code }).await;
                        if code == Some(CloseCode::UNAUTHORIZED) {
                            let reason = "the session was revoked".to_owned();
                            return driver.fail_all(|| SdkError::Unauthorized(reason.clone()));
                        }
                    }
                }
            }
            Err(e) => {
                if let Some(ready) = ready.take() {
                    let _ = ready.send(Err(e));
                    return;
                }
                if let SdkError::Unauthorized(reason) = &e {
                    let reason = reason.clone();
                    driver
                        .emit(ClientEvent::Disconnected {
                            code: Some(CloseCode::UNAUTHORIZED),
                        })
                        .await;
                    return driver.fail_all(|| SdkError::Unauthorized(reason.clone()));
                }
                tracing::debug!(error = %e, "reconnect failed");
            }
        }
        failures = failures.saturating_add(1);
        let delay = driver.backoff(failures);
        if let Flow::Stop = driver.wait_offline(delay, &mut commands).await {
            return driver.fail_all(|| SdkError::Closed);
        }
    }
}

impl Driver {
    async fn connect(&mut self) -> SdkResult<(Socket, UserProfile, SessionId, UserSettings)> {
        let url = websocket_url(&self.options.server, &self.options.token);
        let mut socket = open_socket(&url, self.options.local_addr).await?;
        let deadline = tokio::time::Instant::now() + HELLO_TIMEOUT;
        loop {
            let next = tokio::time::timeout_at(deadline, socket.next())
                .await
                .map_err(|_| SdkError::WebSocket("no hello from the server".into()))?;
            match next {
                Some(Ok(Message::Text(text))) => match serde_json::from_str(text.as_str()) {
                    Ok(ServerFrame::Hello {
                        user,
                        session,
                        limits,
                        settings,
                        ..
                    }) => {
                        self.max_page = limits.max_page;
                        return Ok((socket, user, session, settings));
                    }
                    Ok(ServerFrame::Error {
                        code: ErrorCode::Unauthorized,
                        message,
                        ..
                    }) => return Err(SdkError::Unauthorized(message)),
                    Ok(ServerFrame::Error { code, message, .. }) => {
                        return Err(SdkError::Server { code, message });
                    }
                    _ => return Err(SdkError::Protocol(format!("expected hello, got {text}"))),
                },
                Some(Ok(Message::Close(frame))) => {
                    let code = frame.map(|f| u16::from(f.code));
                    return Err(if code == Some(CloseCode::UNAUTHORIZED) {
                        SdkError::Unauthorized("token refused".into())
                    } else {
                        SdkError::WebSocket(format!("closed before hello ({code:?})"))
                    });
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(SdkError::WebSocket(e.to_string())),
                None => return Err(SdkError::WebSocket("closed before hello".into())),
            }
        }
    }

    /// Runs one connection until it drops or the client is closed.
    async fn serve(&mut self, mut socket: Socket, commands: &mut mpsc::Receiver<Command>) -> Flow {
        self.catching_up.clear();
        self.fetches.clear();
        self.sync_pending.clear();
        self.pending_token = None;
        self.sync_rid = None;
        // Whatever was queued for the previous connection is stale or will be redone below.
        self.writes.clear();
        self.start_sync();
        for o in self.outbox.values_mut() {
            o.sent_at = None;
        }
        self.queue_due_sends();
        for (rid, req) in &self.requests {
            self.writes.push(with_rid(req.frame.clone(), *rid));
        }
        let mut tick = tokio::time::interval(self.options.resend_after.min(Duration::from_secs(1)));
        self.online = true;
        let flow = self.serve_connected(&mut socket, commands, &mut tick).await;
        self.online = false;
        flow
    }

    async fn serve_connected(
        &mut self,
        socket: &mut Socket,
        commands: &mut mpsc::Receiver<Command>,
        tick: &mut tokio::time::Interval,
    ) -> Flow {
        loop {
            if let Err(e) = self.flush(socket).await {
                tracing::debug!(error = %e, "write failed");
                return Flow::Reconnect(None);
            }
            tokio::select! {
                command = commands.recv() => match command {
                    None | Some(Command::Close) => {
                        let _ = socket.close(None).await;
                        return Flow::Stop;
                    }
                    Some(Command::DropConnection) => return Flow::Reconnect(None),
                    Some(Command::Typing { conv }) => {
                        self.writes.push(ClientFrame::Typing { rid: None, conv });
                    }
                    Some(Command::GoOffline) => {
                        let _ = socket.close(None).await;
                        return Flow::Offline;
                    }
                    Some(command) => self.accept(command),
                },
                incoming = socket.next() => match incoming {
                    None | Some(Err(_)) => return Flow::Reconnect(None),
                    Some(Ok(Message::Close(frame))) => {
                        return Flow::Reconnect(frame.map(|f| u16::from(f.code)));
                    }
                    Some(Ok(Message::Text(text))) => match serde_json::from_str(text.as_str()) {
                        Ok(frame) => self.on_frame(frame).await,
                        Err(e) => tracing::warn!(error = %e, "unreadable frame from server"),
                    },
                    Some(Ok(_)) => {}
                },
                _ = tick.tick() => {
                    if self.need_sync && self.sync_rid.is_none() {
                        self.start_sync();
                    }
                    self.queue_due_sends();
                }
            }
        }
    }

    /// While offline: keep accepting sends and requests until it is time to reconnect.
    async fn wait_offline(
        &mut self,
        delay: Duration,
        commands: &mut mpsc::Receiver<Command>,
    ) -> Flow {
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => return Flow::Reconnect(None),
                command = commands.recv() => match command {
                    None | Some(Command::Close) => return Flow::Stop,
                    Some(Command::GoOffline) => return self.stay_offline(commands).await,
                    Some(command) => self.accept(command),
                },
            }
        }
    }

    /// Offline by request: accept sends and requests until `go_online` (or close).
    async fn stay_offline(&mut self, commands: &mut mpsc::Receiver<Command>) -> Flow {
        loop {
            match commands.recv().await {
                None | Some(Command::Close) => return Flow::Stop,
                Some(Command::GoOnline) => return Flow::Reconnect(None),
                Some(command) => self.accept(command),
            }
        }
    }

    /// Takes a send or request from the app; it is written when a connection is up.
    fn accept(&mut self, command: Command) {
        match command {
            Command::Send {
                conv,
                cmid,
                content,
                reply,
            } => {
                let rid = self.rid();
                let mut outgoing = Outgoing {
                    rid,
                    conv,
                    cmid,
                    content,
                    reply,
                    sent_at: None,
                };
                if self.online {
                    outgoing.sent_at = Some(Instant::now());
                    self.writes.push(send_frame(&outgoing));
                }
                self.outbox_by_cmid.insert(outgoing.cmid.clone(), rid);
                self.outbox.insert(rid, outgoing);
            }
            Command::Request { frame, reply } => {
                let rid = self.rid();
                self.writes.push(with_rid(frame.clone(), rid));
                self.requests.insert(rid, PendingRequest { frame, reply });
            }
            // Typing is stale by the time a connection is back: dropped while offline.
            Command::Typing { .. }
            | Command::DropConnection
            | Command::GoOffline
            | Command::GoOnline
            | Command::Close => {}
        }
    }

    async fn on_frame(&mut self, frame: ServerFrame) {
        if let Some(rid) = frame.reply_rid()
            && let Some(request) = self.requests.remove(&rid)
        {
            let _ = request.reply.send(match frame {
                ServerFrame::Error { code, message, .. } => Err(SdkError::Server { code, message }),
                other => Ok(other),
            });
            return;
        }
        match frame {
            ServerFrame::Ack {
                conv,
                cmid,
                seq,
                id,
                ts,
                duplicate,
                ..
            } => {
                let ack = Ack {
                    conv,
                    cmid,
                    seq,
                    id,
                    ts,
                    duplicate,
                };
                match self.resolve_send(&ack) {
                    Some(content) => {
                        let event = Event::new(conv, seq, id, self.me, ts, Some(ack.cmid), content);
                        self.on_event(event).await;
                    }
                    // An ack for a send resolved earlier: only learn that the seq exists.
                    None => self.on_seq_seen(conv, seq),
                }
            }
            ServerFrame::Event(event) => self.on_event(event).await,
            ServerFrame::Events {
                rid: Some(rid),
                conv,
                events,
                has_more,
            } if self.fetches.contains_key(&rid) => {
                self.fetches.remove(&rid);
                self.on_fetched(conv, events, has_more).await;
            }
            ServerFrame::Sync {
                rid,
                token,
                conversations,
                next,
                receipts,
            } if rid.is_some() && rid == self.sync_rid => {
                self.sync_rid = None;
                self.pending_token = Some(token);
                for summary in conversations {
                    let conv = summary.id;
                    let behind = summary.last_seq > self.delivered(conv);
                    self.emit(ClientEvent::Conversation(summary)).await;
                    if behind {
                        self.sync_pending.insert(conv);
                        if !self.catching_up.contains_key(&conv) {
                            self.start_catch_up(conv, Vec::new());
                        }
                    }
                }
                for moved in receipts {
                    self.emit(ClientEvent::Receipts {
                        conv: moved.conv,
                        receipts: moved.receipts,
                        partial: moved.partial,
                    })
                    .await;
                }
                // More pages: the sync is complete only after the last one.
                if next.is_some() {
                    self.request_sync(next);
                }
                self.check_synced().await;
            }
            ServerFrame::Read {
                rid: None,
                conv,
                read_seq,
                unread,
                ..
            } => {
                self.emit(ClientEvent::Read {
                    conv,
                    read_seq,
                    unread,
                })
                .await;
            }
            ServerFrame::Error {
                rid: Some(rid),
                code,
                message,
                retryable,
            } => self.on_error(rid, code, message, retryable).await,
            ServerFrame::Typing { conv, user } => {
                self.emit(ClientEvent::Typing { conv, user }).await;
            }
            ServerFrame::Receipts {
                rid: None,
                conv,
                receipts,
            } => {
                let partial = false;
                let moved = ClientEvent::Receipts {
                    conv,
                    receipts,
                    partial,
                };
                self.emit(moved).await;
            }
            ServerFrame::Settings { settings } => self.emit(ClientEvent::Settings(settings)).await,
            ServerFrame::Contact { change, user, note } => {
                let user = Box::new(user);
                self.emit(ClientEvent::Contact { change, user, note }).await;
            }
            ServerFrame::Resync => {
                if self.sync_rid.is_none() {
                    self.start_sync();
                } else {
                    self.need_sync = true;
                }
            }
            other => tracing::debug!(frame = ?other, "ignored frame"),
        }
    }

    async fn on_error(&mut self, rid: u64, code: ErrorCode, message: String, retryable: bool) {
        if let Some(o) = self.outbox.get_mut(&rid) {
            if retryable {
                // Try again after the resend interval; the send stays idempotent.
                o.sent_at = Some(Instant::now());
            } else if let Some(o) = self.outbox.remove(&rid) {
                self.outbox_by_cmid.remove(&o.cmid);
                let _ = o.reply.send(Err(SdkError::Server { code, message }));
            }
        } else if let Some(conv) = self.fetches.remove(&rid) {
            // Cannot read this conversation (e.g. removed meanwhile): stop trying until the
            // next sync says otherwise. A passing failure (the server restarting, storage
            // unavailable) is tried again by a sync at the next tick: waiting for the next
            // event instead could wait for ever when the missed one was the last.
            tracing::debug!(%conv, ?code, "catch-up fetch refused");
            self.catching_up.remove(&conv);
            self.sync_pending.remove(&conv);
            if retryable {
                self.need_sync = true;
            }
            self.check_synced().await;
        } else if Some(rid) == self.sync_rid {
            self.sync_rid = None;
            self.need_sync = true;
        }
    }

    async fn flush(&mut self, socket: &mut Socket) -> Result<(), String> {
        if self.writes.is_empty() {
            return Ok(());
        }
        for frame in self.writes.drain(..) {
            let text = serde_json::to_string(&frame).map_err(|e| e.to_string())?;
            socket
                .feed(Message::Text(text.into()))
                .await
                .map_err(|e| e.to_string())?;
        }
        socket.flush().await.map_err(|e| e.to_string())
    }

    async fn emit(&self, event: ClientEvent) {
        // The app may have dropped the stream and only send; that is fine.
        let _ = self.events.send(event).await;
    }

    fn rid(&mut self) -> u64 {
        self.next_rid += 1;
        self.next_rid
    }

    fn backoff(&self, failures: u32) -> Duration {
        let exp = self
            .options
            .min_backoff
            .saturating_mul(1u32 << failures.min(16))
            .min(self.options.max_backoff);
        exp.mul_f64(rand::random_range(0.5..1.0))
    }

    fn fail_all(&mut self, error: impl Fn() -> SdkError) {
        self.outbox_by_cmid.clear();
        for (_, o) in std::mem::take(&mut self.outbox) {
            let _ = o.reply.send(Err(error()));
        }
        for (_, r) in self.requests.drain() {
            let _ = r.reply.send(Err(error()));
        }
    }
}

fn with_rid(mut frame: ClientFrame, rid: u64) -> ClientFrame {
    *frame.rid_mut() = Some(rid);
    frame
}
