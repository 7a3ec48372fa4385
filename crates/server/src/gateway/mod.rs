//! The WebSocket gateway: authenticates the upgrade, then runs one task per connection.

mod connection;
mod dispatch;

use crate::delivery::bus::Bus;
use crate::delivery::hub::Hub;
use crate::error::AppError;
use crate::http::AppState;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tern_proto::{CloseCode, ErrorCode};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Per-socket read buffer, kept for the connection's life. tungstenite's default (128 KiB)
/// would dominate the memory of an idle connection; client frames are mostly a few hundred
/// bytes, and larger ones still arrive whole (the buffer grows to the frame).
const READ_BUFFER: usize = 1024;
/// Outgoing bytes gathered before a write to the socket (flushes also write).
const WRITE_BUFFER: usize = 8 * 1024;
/// A frame larger than this cannot even be read; the connection closes with 1009.
const MIN_HARD_CAP: usize = 1024 * 1024;

/// Connection-wide settings and shared machinery.
pub struct Gateway {
    pub hub: Arc<Hub>,
    pub bus: Arc<Bus>,
    /// The shared heartbeat tick: one timer for all connections, not one each.
    pub ticks: watch::Receiver<u64>,
    pub shutdown: CancellationToken,
    /// Counts live connection tasks so shutdown can wait for them (axum's graceful shutdown
    /// does not wait for upgraded connections).
    pub tracker: TaskTracker,
    pub heartbeat: Duration,
    pub idle_timeout: Duration,
    pub outgoing_queue: usize,
    pub max_frame_bytes: usize,
}

impl Gateway {
    fn hard_cap(&self) -> usize {
        (self.max_frame_bytes * 4).max(MIN_HARD_CAP)
    }

    /// Ticks of silence after which a connection is dropped.
    fn idle_ticks(&self) -> u64 {
        let hb = self.heartbeat.as_millis().max(1);
        self.idle_timeout.as_millis().div_ceil(hb) as u64
    }
}

#[derive(Deserialize)]
pub struct ConnectParams {
    token: Option<String>,
}

/// `GET /ws?token=…` (or `Authorization: Bearer …`). A bad token still upgrades, then gets an
/// `error` frame and close code 4001, because browsers cannot read an HTTP error on upgrade.
pub async fn upgrade(
    State(state): State<AppState>,
    Query(params): Query<ConnectParams>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => {
            return AppError::bad_request(format!(
                "this endpoint speaks WebSocket: {}",
                rejection.body_text()
            ))
            .into_response();
        }
    };
    let token = params.token.or_else(|| {
        headers
            .get(axum::http::header::AUTHORIZATION)?
            .to_str()
            .ok()?
            .strip_prefix("Bearer ")
            .map(|t| t.trim().to_owned())
    });
    let caller = match token {
        Some(token) => state.accounts.authenticate_with_profile(&token).await,
        None => Err(AppError::unauthorized()),
    };
    let gateway = state.gateway.clone();
    let cap = gateway.hard_cap();
    let in_flight = gateway.tracker.token();
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        // Outgoing volume is bounded by the queue (frames) and the page budget (replies), not here.
        .max_write_buffer_size(usize::MAX)
        .max_message_size(cap)
        .max_frame_size(cap)
        .on_upgrade(move |mut socket| async move {
            let _in_flight = in_flight;
            match caller {
                Ok((caller, greeting)) => connection::run(socket, caller, greeting, state).await,
                Err(error) => Box::pin(refuse(&mut socket, error)).await,
            }
        })
}

/// Tells a client why it cannot stay, then closes.
async fn refuse(socket: &mut WebSocket, error: AppError) {
    let frame = error.into_frame(None);
    let code = match &frame {
        tern_proto::ServerFrame::Error {
            code: ErrorCode::Unauthorized,
            ..
        } => CloseCode::UNAUTHORIZED,
        _ => CloseCode::TRY_AGAIN_LATER,
    };
    let text = crate::delivery::committer::encode(&frame);
    let _ = socket.send(Message::Text(text)).await;
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: "".into(),
        })))
        .await;
}
