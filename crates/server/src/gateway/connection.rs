//! One task per connection: reads client frames, drains the outgoing queue (coalescing writes),
//! answers the shared heartbeat tick, and closes with the right code.

use super::dispatch;
use crate::accounts::Caller;
use crate::delivery::committer::encode;
use crate::delivery::hub::ConnHandle;
use crate::delivery::outgoing::{Next, OutgoingQueue};
use crate::http::AppState;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
use std::collections::VecDeque;
use std::sync::Arc;
use tern_proto::{CloseCode, ErrorCode, ServerFrame, UserProfile, UserSettings};

/// Why the loop ended: with a close code to send, with the client's own close to echo, or
/// because the socket is already gone.
enum End {
    Close(u16),
    Echo,
    Gone,
}

// Memory: an idle connection is one task suspended in `serve`, and a future is as large as
// its largest state. Everything that runs only at the start, at the end or per frame is boxed,
// so that the part every idle connection carries stays small (measured in docs/benchmarks.md).

pub async fn run(
    mut socket: WebSocket,
    caller: Caller,
    greeting: Box<(UserProfile, UserSettings)>,
    state: AppState,
) {
    let Some((conn, queue)) = Box::pin(greet(&mut socket, caller, greeting, &state)).await else {
        return;
    };
    let registered = Registered {
        state: &state,
        conn,
    };
    let end = serve(&mut socket, &state, &registered.conn, &queue).await;
    drop(registered);
    match end {
        End::Close(code) => {
            let frame = CloseFrame {
                code,
                reason: close_reason(code).into(),
            };
            let _ = write_message(&mut socket, &state, Message::Close(Some(frame))).await;
        }
        // tungstenite queued the echo of the client's close frame (RFC 6455 §5.5.1); a flush
        // sends it, so the client sees its own code instead of an abnormal closure (1006).
        End::Echo => {
            let flush = tokio::time::timeout(state.gateway.idle_timeout, socket.flush());
            let _ = Box::pin(flush).await;
        }
        End::Gone => {}
    }
}

/// A connection's place in the Hub and the Bus, given back however the task ends: also when
/// it panics, so that a bug in one frame's handling never leaks a Hub entry or a subscription.
struct Registered<'a> {
    state: &'a AppState,
    conn: ConnHandle,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.state.gateway.hub.unregister(&self.conn);
        self.state.gateway.bus.disconnected(self.conn.user);
    }
}

/// Registers the connection, subscribes it and says `hello`; None if the client is gone or
/// was refused.
async fn greet(
    socket: &mut WebSocket,
    caller: Caller,
    greeting: Box<(UserProfile, UserSettings)>,
    state: &AppState,
) -> Option<(ConnHandle, Arc<OutgoingQueue>)> {
    let gateway = &state.gateway;
    let (conn, queue) = gateway
        .hub
        .register(caller.user, caller.session, gateway.outgoing_queue);
    // Subscribed before `hello`, so whatever commits after the client's first sync reaches it.
    gateway.bus.connected(caller.user).await;
    let (user, settings) = *greeting;
    let hello = ServerFrame::Hello {
        user,
        session: caller.session,
        server_time: tern_store::now_ms(),
        heartbeat_ms: gateway.heartbeat.as_millis() as u64,
        idle_timeout_ms: gateway.idle_timeout.as_millis() as u64,
        limits: state.messages.limits().clone(),
        protocol: tern_proto::PROTOCOL_VERSION,
        features: tern_proto::FEATURES.iter().map(|f| f.to_string()).collect(),
        settings,
    };
    if send_now(socket, state, encode(&hello)).await.is_ok() {
        Some((conn, queue))
    } else {
        gateway.hub.unregister(&conn);
        gateway.bus.disconnected(caller.user);
        None
    }
}

/// What woke the connection up.
enum Wake {
    Shutdown,
    Queue(Next),
    Incoming(Option<Result<Message, axum::Error>>),
    Tick,
}

/// The connection's life after `hello`. The wait below is all an idle connection holds; the
/// work for each wake-up runs in a boxed future (see the note above `run`).
async fn serve(
    socket: &mut WebSocket,
    state: &AppState,
    conn: &ConnHandle,
    queue: &OutgoingQueue,
) -> End {
    let gateway = &state.gateway;
    let mut ticks = gateway.ticks.clone();
    let idle_ticks = gateway.idle_ticks();
    let mut last_heard = *ticks.borrow_and_update();
    loop {
        let wake = tokio::select! {
            biased;
            _ = gateway.shutdown.cancelled() => Wake::Shutdown,
            next = queue.next() => Wake::Queue(next),
            // While too many of its sends wait for acks, the client is not read (see `delivery::outgoing`).
            incoming = socket.recv(), if queue.may_read() => Wake::Incoming(incoming),
            Ok(()) = ticks.changed() => Wake::Tick,
        };
        let flow = match wake {
            Wake::Shutdown => Err(End::Close(CloseCode::RESTARTING)),
            Wake::Queue(Next::Close(code)) => Err(End::Close(code)),
            Wake::Queue(Next::Frames(frames)) => write_batch(socket, state, frames).await,
            Wake::Incoming(incoming) => {
                last_heard = *ticks.borrow();
                Box::pin(answer(socket, state, conn, incoming)).await
            }
            Wake::Tick => {
                let now = *ticks.borrow_and_update();
                if now.saturating_sub(last_heard) > idle_ticks {
                    Err(End::Close(CloseCode::HEARTBEAT_TIMEOUT))
                } else {
                    write_message(socket, state, Message::Ping(Default::default())).await
                }
            }
        };
        if let Err(end) = flow {
            return end;
        }
    }
}

/// Handles one incoming WebSocket message; Err ends the connection.
async fn answer(
    socket: &mut WebSocket,
    state: &AppState,
    conn: &ConnHandle,
    incoming: Option<Result<Message, axum::Error>>,
) -> Result<(), End> {
    let reply = match incoming {
        None => return Err(End::Gone),
        Some(Ok(Message::Close(_))) => return Err(End::Echo),
        Some(Err(e)) => return Err(read_failed(&e)),
        Some(Ok(Message::Text(text))) => dispatch::handle_text(state, conn, text.as_str()).await,
        Some(Ok(Message::Binary(_))) => Some(ServerFrame::error(
            None,
            ErrorCode::BinaryNotSupported,
            "tern speaks JSON in text frames; binary frames are ignored",
        )),
        // tungstenite answers pings itself; a pong only proves liveness.
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
    };
    match reply {
        Some(reply) => send_now(socket, state, encode(&reply)).await,
        None => Ok(()),
    }
}

/// Writes everything that was queued, then flushes once.
async fn write_batch(
    socket: &mut WebSocket,
    state: &AppState,
    frames: VecDeque<Utf8Bytes>,
) -> Result<(), End> {
    let work = async {
        for frame in frames {
            socket.feed(Message::Text(frame)).await?;
        }
        socket.flush().await
    };
    let work = tokio::time::timeout(state.gateway.idle_timeout, work);
    written(Box::pin(work).await)
}

async fn send_now(socket: &mut WebSocket, state: &AppState, frame: Utf8Bytes) -> Result<(), End> {
    write_message(socket, state, Message::Text(frame)).await
}

/// A write that does not finish within the idle timeout counts as a dead peer.
async fn write_message(socket: &mut WebSocket, state: &AppState, msg: Message) -> Result<(), End> {
    let work = tokio::time::timeout(state.gateway.idle_timeout, socket.send(msg));
    written(Box::pin(work).await)
}

/// A write that failed or timed out means the peer is gone.
fn written<E>(outcome: Result<Result<(), E>, tokio::time::error::Elapsed>) -> Result<(), End> {
    match outcome {
        Ok(Ok(())) => Ok(()),
        _ => Err(End::Gone),
    }
}

fn read_failed(e: &axum::Error) -> End {
    let text = e.to_string();
    tracing::debug!(error = %text, "websocket read failed");
    if text.contains("too long") || text.contains("Space limit") {
        End::Close(CloseCode::MESSAGE_TOO_BIG)
    } else if text.contains("UTF-8") {
        End::Close(CloseCode::INVALID_DATA)
    } else {
        End::Gone
    }
}

fn close_reason(code: u16) -> &'static str {
    match code {
        CloseCode::RESTARTING => "server restarting; reconnect",
        CloseCode::UNAUTHORIZED => "session revoked",
        CloseCode::HEARTBEAT_TIMEOUT => "nothing heard within the idle timeout",
        CloseCode::TOO_SLOW => "too slow to read; reconnect and catch up",
        CloseCode::MESSAGE_TOO_BIG => "frame over the hard size cap",
        CloseCode::INVALID_DATA => "text frame is not valid UTF-8",
        _ => "",
    }
}
