//! One task per connection: reads client frames, drains the outgoing queue (coalescing writes),
//! answers the shared heartbeat tick, and closes with the right code.

use super::dispatch;
use crate::accounts::Caller;
use crate::committer::encode;
use crate::http::AppState;
use crate::hub::ConnHandle;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
use tern_proto::{CloseCode, ErrorCode, ServerFrame};
use tokio::sync::mpsc;

/// Frames written per flush when the queue has a backlog.
const COALESCE_MAX: usize = 64;

/// Why the loop ended: with a close code to send, or because the socket is already gone.
enum End {
    Close(u16),
    Gone,
}

pub async fn run(mut socket: WebSocket, caller: Caller, state: AppState) {
    let profile = match state.accounts.profile(caller.user).await {
        Ok(p) => p,
        Err(e) => {
            super::refuse(socket, e).await;
            return;
        }
    };
    let gateway = state.gateway.clone();
    let (conn, queue, closer) =
        gateway
            .hub
            .register(caller.user, caller.session, gateway.outgoing_queue);
    // Subscribed before `hello`, so whatever commits after the client's first sync reaches it.
    gateway.bus.connected(caller.user).await;
    let hello = ServerFrame::Hello {
        user: profile,
        session: caller.session,
        server_time: tern_store::now_ms(),
        heartbeat_ms: gateway.heartbeat.as_millis() as u64,
        idle_timeout_ms: gateway.idle_timeout.as_millis() as u64,
        limits: state.chat.limits().clone(),
    };
    let end = if send_now(&mut socket, &state, encode(&hello)).await {
        tokio::select! {
            end = serve(&mut socket, &state, &conn, queue) => end,
            code = closer.requested() => End::Close(code),
        }
    } else {
        End::Gone
    };
    gateway.hub.unregister(&conn);
    gateway.bus.disconnected(caller.user);
    if let End::Close(code) = end {
        let frame = CloseFrame {
            code,
            reason: close_reason(code).into(),
        };
        let _ = tokio::time::timeout(
            gateway.idle_timeout,
            socket.send(Message::Close(Some(frame))),
        )
        .await;
    }
}

async fn serve(
    socket: &mut WebSocket,
    state: &AppState,
    conn: &ConnHandle,
    mut queue: mpsc::Receiver<Utf8Bytes>,
) -> End {
    let gateway = &state.gateway;
    let mut ticks = gateway.ticks.clone();
    let idle_ticks = gateway.idle_ticks();
    let mut last_heard = *ticks.borrow_and_update();
    loop {
        tokio::select! {
            biased;
            _ = gateway.shutdown.cancelled() => return End::Close(CloseCode::RESTARTING),
            Some(frame) = queue.recv() => {
                if !write_batch(socket, state, frame, &mut queue).await {
                    return End::Gone;
                }
            }
            incoming = socket.recv() => {
                last_heard = *ticks.borrow();
                match incoming {
                    None | Some(Ok(Message::Close(_))) => return End::Gone,
                    Some(Err(e)) => return read_failed(&e),
                    Some(Ok(Message::Text(text))) => {
                        if let Some(reply) = dispatch::handle_text(state, conn, text.as_str()).await
                            && !send_now(socket, state, encode(&reply)).await
                        {
                            return End::Gone;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        let reply = ServerFrame::error(
                            None,
                            ErrorCode::BinaryNotSupported,
                            "tern speaks JSON in text frames; binary frames are ignored",
                        );
                        if !send_now(socket, state, encode(&reply)).await {
                            return End::Gone;
                        }
                    }
                    // tungstenite answers pings itself; a pong only proves liveness.
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                }
            }
            Ok(()) = ticks.changed() => {
                let now = *ticks.borrow_and_update();
                if now.saturating_sub(last_heard) > idle_ticks {
                    return End::Close(CloseCode::HEARTBEAT_TIMEOUT);
                }
                if !write_message(socket, state, Message::Ping(Default::default())).await {
                    return End::Gone;
                }
            }
        }
    }
}

/// Writes `first` and whatever else is already queued, then flushes once.
async fn write_batch(
    socket: &mut WebSocket,
    state: &AppState,
    first: Utf8Bytes,
    queue: &mut mpsc::Receiver<Utf8Bytes>,
) -> bool {
    let work = async {
        socket.feed(Message::Text(first)).await?;
        for _ in 1..COALESCE_MAX {
            match queue.try_recv() {
                Ok(frame) => socket.feed(Message::Text(frame)).await?,
                Err(_) => break,
            }
        }
        socket.flush().await
    };
    matches!(
        tokio::time::timeout(state.gateway.idle_timeout, work).await,
        Ok(Ok(()))
    )
}

async fn send_now(socket: &mut WebSocket, state: &AppState, frame: Utf8Bytes) -> bool {
    write_message(socket, state, Message::Text(frame)).await
}

/// A write that does not finish within the idle timeout counts as a dead peer.
async fn write_message(socket: &mut WebSocket, state: &AppState, msg: Message) -> bool {
    matches!(
        tokio::time::timeout(state.gateway.idle_timeout, socket.send(msg)).await,
        Ok(Ok(()))
    )
}

fn read_failed(e: &axum::Error) -> End {
    let text = e.to_string();
    tracing::debug!(error = %text, "websocket read failed");
    if text.contains("too long") || text.contains("Space limit") {
        End::Close(CloseCode::MESSAGE_TOO_BIG)
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
        _ => "",
    }
}
