//! The WebSocket client: a handle for the app, and a background driver that owns the
//! connection and keeps the delivery contract (see docs/PROTOCOL.md).

mod changes;
mod driver;
mod receipts;

pub use receipts::seen_by;

use crate::error::{SdkError, SdkResult};
use std::time::Duration;
use tern_proto::{
    ClientFrame, Content, ConvId, ConversationSummary, Event, Receipt, ServerFrame, SessionId,
    UserId, UserProfile, UserSettings,
};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// How to reach the server and how to behave when the connection drops.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The server's base URL, `http://host:port` (or `https://`); `/ws` is appended.
    pub server: String,
    pub token: String,
    /// First reconnect delay; doubled per failed attempt up to `max_backoff`, with jitter.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// How long an unanswered send waits before it is sent again on the same connection.
    pub resend_after: Duration,
    /// Capacity of the event stream. If the app stops reading, the driver stops reading the
    /// socket, the server eventually closes it as too slow, and the client catches up later.
    pub event_capacity: usize,
    /// Local address to connect from (`ws://` only). Load generators set it to spread
    /// connections over 127.0.0.x, since one source address has only ~28k ports per server.
    pub local_addr: Option<std::net::IpAddr>,
}

impl ClientOptions {
    pub fn new(server: impl Into<String>, token: impl Into<String>) -> Self {
        ClientOptions {
            server: server.into(),
            token: token.into(),
            min_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(5),
            resend_after: Duration::from_secs(10),
            event_capacity: 4096,
            local_addr: None,
        }
    }
}

/// What the app hears from the client, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientEvent {
    /// A connection is up (the first one, or a reconnect).
    Connected {
        user: UserProfile,
        session: SessionId,
        settings: UserSettings,
    },
    /// A conversation changed while away, or was seen for the first time (from sync).
    Conversation(ConversationSummary),
    /// The next event of a conversation: exactly once, in seq order per conversation. Your own
    /// messages appear here too, once acknowledged.
    Event(Event),
    /// Your read position moved (on another device, or by a mark_read).
    Read {
        conv: ConvId,
        read_seq: u64,
        unread: u64,
    },
    /// `user` is typing in `conv` (ephemeral; show it for a few seconds).
    Typing { conv: ConvId, user: UserId },
    /// Other members' read positions moved (live, or missed while away and reported by sync).
    /// An entry with `hidden` set means that member stopped sharing theirs: forget it.
    /// `partial`: more moved than sync lists; `Client::receipts` has them all. A member's own
    /// message also means they read up to it; no receipt says so (see docs/PROTOCOL.md).
    Receipts {
        conv: ConvId,
        receipts: Vec<Receipt>,
        partial: bool,
    },
    /// Your account settings changed (on this or another device).
    Settings(UserSettings),
    /// Your contacts changed: `user` asked to become one (`Requested`, with `note`), became one
    /// (`Added`) or is one no more (`Removed`).
    Contact {
        change: tern_proto::ContactChange,
        user: Box<UserProfile>,
        note: Option<String>,
    },
    /// Catch-up after a (re)connect is complete: everything committed before it was delivered.
    Synced,
    /// The connection dropped; `code` is the WebSocket close code if the server sent one. The
    /// client reconnects by itself unless the code is 4001 (unauthorized).
    Disconnected { code: Option<u16> },
}

/// The server's confirmation that a message is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ack {
    pub conv: ConvId,
    pub cmid: String,
    pub seq: u64,
    pub id: Uuid,
    pub ts: i64,
    /// The message had been stored before (this was a resend).
    pub duplicate: bool,
}

/// A page of events, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub events: Vec<Event>,
    pub has_more: bool,
}

pub(crate) enum Command {
    Send {
        conv: ConvId,
        cmid: String,
        content: Content,
        reply: oneshot::Sender<SdkResult<Ack>>,
    },
    /// A request/response frame (its rid is filled in by the driver), resent after reconnects
    /// until answered.
    Request {
        frame: ClientFrame,
        reply: oneshot::Sender<SdkResult<ServerFrame>>,
    },
    /// Best effort, only while connected.
    Typing {
        conv: ConvId,
    },
    /// Drop the transport now and reconnect (as if the network failed).
    DropConnection,
    /// Disconnect and stay offline until `GoOnline`; sends queue up meanwhile.
    GoOffline,
    GoOnline,
    Close,
}

/// A handle to the connection; cheap to clone. Dropping every handle closes the connection.
#[derive(Clone)]
pub struct Client {
    commands: mpsc::Sender<Command>,
    user: UserProfile,
}

impl Client {
    /// Connects and waits for the server's `hello`. Fails if the token is refused or the server
    /// cannot be reached; after that the client reconnects by itself.
    pub async fn connect(
        options: ClientOptions,
    ) -> SdkResult<(Client, mpsc::Receiver<ClientEvent>)> {
        let (commands, command_rx) = mpsc::channel(256);
        let (events, event_rx) = mpsc::channel(options.event_capacity.max(1));
        let (ready, ready_rx) = oneshot::channel();
        tokio::spawn(driver::run(options, command_rx, events, ready));
        let user = ready_rx.await.map_err(|_| SdkError::Closed)??;
        Ok((Client { commands, user }, event_rx))
    }

    /// The account this client is logged in as.
    pub fn user(&self) -> &UserProfile {
        &self.user
    }

    /// Sends text; resolves when the server has stored it (resending as needed).
    pub async fn send_text(&self, conv: ConvId, text: impl Into<String>) -> SdkResult<Ack> {
        self.send(conv, Content::text(text)).await
    }

    /// Sends content with a fresh client message id.
    pub async fn send(&self, conv: ConvId, content: Content) -> SdkResult<Ack> {
        self.send_with_cmid(conv, Uuid::now_v7().to_string(), content)
            .await
    }

    /// Sends with a client message id of your choosing (e.g. one persisted before a crash).
    pub async fn send_with_cmid(
        &self,
        conv: ConvId,
        cmid: String,
        content: Content,
    ) -> SdkResult<Ack> {
        let (reply, rx) = oneshot::channel();
        self.command(Command::Send {
            conv,
            cmid,
            content,
            reply,
        })
        .await?;
        rx.await.map_err(|_| SdkError::Closed)?
    }

    /// Older events: the newest ones before `before` (or the newest of all).
    pub async fn history(
        &self,
        conv: ConvId,
        before: Option<u64>,
        limit: Option<u32>,
    ) -> SdkResult<Page> {
        let frame = ClientFrame::History {
            rid: None,
            conv,
            before,
            limit,
        };
        page(self.request(frame).await?)
    }

    /// Events after `after`, oldest first.
    pub async fn fetch(&self, conv: ConvId, after: u64, limit: Option<u32>) -> SdkResult<Page> {
        let frame = ClientFrame::Fetch {
            rid: None,
            conv,
            after,
            limit,
        };
        page(self.request(frame).await?)
    }

    /// Tells the other members you are typing in `conv` (best effort, never stored).
    pub async fn typing(&self, conv: ConvId) -> SdkResult<()> {
        self.command(Command::Typing { conv }).await
    }

    /// Marks everything up to `seq` read; returns the new read position and unread count.
    pub async fn mark_read(&self, conv: ConvId, seq: u64) -> SdkResult<(u64, u64)> {
        match self
            .request(ClientFrame::Read {
                rid: None,
                conv,
                seq,
            })
            .await?
        {
            ServerFrame::Read {
                read_seq, unread, ..
            } => Ok((read_seq, unread)),
            other => Err(unexpected(other)),
        }
    }

    /// Conversations changed since `since` (all, for `None`), every page of them, and the token
    /// for next time.
    pub async fn sync(
        &self,
        since: Option<String>,
    ) -> SdkResult<(String, Vec<ConversationSummary>)> {
        let mut all = Vec::new();
        let mut page = None;
        loop {
            let frame = ClientFrame::Sync {
                rid: None,
                since: since.clone(),
                page,
            };
            match self.request(frame).await? {
                ServerFrame::Sync {
                    token,
                    conversations,
                    next,
                    ..
                } => {
                    all.extend(conversations);
                    match next {
                        Some(next) => page = Some(next),
                        None => return Ok((token, all)),
                    }
                }
                other => return Err(unexpected(other)),
            }
        }
    }

    /// Cuts the transport as a network failure would; the client reconnects and catches up.
    pub async fn drop_connection(&self) -> SdkResult<()> {
        self.command(Command::DropConnection).await
    }

    /// Disconnects and stays offline (sends queue up) until `go_online`, e.g. while an app is
    /// in the background.
    pub async fn go_offline(&self) -> SdkResult<()> {
        self.command(Command::GoOffline).await
    }

    /// Reconnects after `go_offline` and catches up.
    pub async fn go_online(&self) -> SdkResult<()> {
        self.command(Command::GoOnline).await
    }

    /// Closes the connection for good; pending sends fail with `Closed`.
    pub async fn close(&self) {
        let _ = self.commands.send(Command::Close).await;
    }

    pub(super) async fn request(&self, frame: ClientFrame) -> SdkResult<ServerFrame> {
        let (reply, rx) = oneshot::channel();
        self.command(Command::Request { frame, reply }).await?;
        rx.await.map_err(|_| SdkError::Closed)?
    }

    async fn command(&self, command: Command) -> SdkResult<()> {
        self.commands
            .send(command)
            .await
            .map_err(|_| SdkError::Closed)
    }
}

fn page(frame: ServerFrame) -> SdkResult<Page> {
    match frame {
        ServerFrame::Events {
            events, has_more, ..
        } => Ok(Page { events, has_more }),
        other => Err(unexpected(other)),
    }
}

pub(super) fn unexpected(frame: ServerFrame) -> SdkError {
    SdkError::Protocol(format!("unexpected reply {frame:?}"))
}
