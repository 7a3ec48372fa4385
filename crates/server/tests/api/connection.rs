//! Connection life: heartbeat, slow consumers, graceful shutdown.

use crate::support::{RawWs, TestServer, WAIT};
use serde_json::json;
use std::time::{Duration, Instant};
use tern_sdk::proto::CloseCode;
use tern_sdk::{Client, ClientEvent, ClientOptions, SdkError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Opens a WebSocket by hand and then goes silent: no pongs, no reads beyond the handshake.
pub async fn silent_connection(server: &TestServer, token: &str) -> TcpStream {
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "GET /ws?token={token} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        server.addr
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        tcp.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    tcp
}

#[tokio::test]
async fn a_silent_connection_is_dropped_after_the_idle_timeout_and_live_ones_stay() {
    let server = TestServer::start_with(&[
        ("TERN_SERVER_HEARTBEAT_MS", "100"),
        ("TERN_SERVER_IDLE_TIMEOUT_MS", "400"),
    ])
    .await;
    let alice = server.user("alice").await;
    let mut live = alice.connect().await;
    let mut dead = silent_connection(&server, &alice.token).await;
    let started = Instant::now();
    let mut sink = vec![0u8; 4096];
    loop {
        let n = tokio::time::timeout(WAIT, dead.read(&mut sink))
            .await
            .expect("the silent connection was never dropped")
            .unwrap_or(0);
        if n == 0 {
            break;
        }
    }
    let silent_for = started.elapsed();
    assert!(
        silent_for >= Duration::from_millis(400),
        "dropped too early: {silent_for:?}"
    );
    // The SDK answers pings, so its connection outlived the silent one.
    let sync = live.client.sync(None).await;
    assert!(sync.is_ok());
    assert!(!live.has_pending_disconnect());
}

/// The most bytes Linux lets a socket's send buffer grow to (`net.ipv4.tcp_wmem`).
fn largest_send_buffer() -> usize {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .ok()
        .and_then(|v| v.split_whitespace().nth(2)?.parse().ok())
        .unwrap_or(8 * 1024 * 1024)
}

#[tokio::test]
async fn a_consumer_that_cannot_keep_up_is_closed_with_4008_and_then_catches_up() {
    let server = TestServer::start_with(&[
        ("TERN_LIMITS_OUTGOING_QUEUE", "8"),
        ("TERN_LIMITS_MAX_TEXT_CHARS", "60000"),
    ])
    .await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    // Bob's connection reads nothing while Alice sends more than the kernel can buffer between
    // them (his fixed small receive buffer, and the largest send buffer the server's socket may
    // grow to, twice over), so the server's queue for him must overflow, whatever this
    // machine's settings.
    let mut stalled = RawWs::connect_small(&server, &bob.token).await;
    let sender = alice.connect().await;
    let body = "慢".repeat(20_000);
    let messages = (2 * largest_send_buffer()).div_ceil(body.len()) + 16;
    let mut last = 0;
    for _ in 0..messages {
        last = sender
            .client
            .send_text(conv, body.clone())
            .await
            .unwrap()
            .seq;
    }
    assert_eq!(stalled.recv_close().await, Some(CloseCode::TOO_SLOW));
    // Alice was never held up, and Bob loses nothing: a fresh connection catches up.
    let mut bob_again = bob.connect().await;
    let seqs: Vec<u64> = bob_again
        .collect_until(conv, last)
        .await
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, (1..=last).collect::<Vec<_>>());
}

#[tokio::test]
async fn sigterm_closes_connections_with_1012_and_clients_come_back() {
    let mut server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let (mut raw, _) = RawWs::connect(&server, &bob.token).await;
    let mut device = alice.connect().await;
    assert!(server.stop().await, "tern exits cleanly on SIGTERM");
    assert_eq!(raw.recv_close().await, Some(CloseCode::RESTARTING));
    let dropped = device
        .until(|e| matches!(e, ClientEvent::Disconnected { .. }))
        .await;
    assert_eq!(
        dropped,
        ClientEvent::Disconnected {
            code: Some(CloseCode::RESTARTING)
        }
    );
    server.restart().await;
    device.until(|e| matches!(e, ClientEvent::Synced)).await;
    let ack = device.client.send_text(conv, "back").await.unwrap();
    assert_eq!(ack.seq, 1);
    let (mut raw, _) = RawWs::connect(&server, &bob.token).await;
    let events = raw
        .request(json!({"type": "fetch", "conv": conv, "after": 0}), 1)
        .await;
    assert_eq!(events["events"][0]["content"]["text"], "back");
}

#[tokio::test]
async fn a_client_connects_from_the_local_address_it_is_given() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let mut options = ClientOptions::new(server.url.clone(), alice.token.clone());
    options.local_addr = Some("127.0.0.7".parse().unwrap());
    let (client, _events) = Client::connect(options)
        .await
        .expect("connect from 127.0.0.7");
    let mut bob = bob.connect().await;
    let ack = client.send_text(conv, "from 127.0.0.7").await.unwrap();
    assert_eq!(bob.next_in(conv).await.seq, ack.seq);

    // An address this machine does not have: the bind fails, and the client says so.
    let mut options = ClientOptions::new(server.url.clone(), alice.token.clone());
    options.local_addr = Some("192.0.2.1".parse().unwrap());
    let refused = Client::connect(options).await.err().expect("cannot bind");
    assert!(matches!(refused, SdkError::WebSocket(_)), "{refused:?}");
}

#[tokio::test]
async fn acks_of_a_reading_clients_own_pipelined_sends_never_close_it() {
    let server = TestServer::start_with(&[("TERN_LIMITS_OUTGOING_QUEUE", "32")]).await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let (mut ws, _) = RawWs::connect(&server, &alice.token).await;
    // 100 sends without waiting (more than the queue holds), then everything read.
    for i in 0..100 {
        ws.send_json(serde_json::json!({"type": "send", "rid": i, "conv": conv,
            "cmid": format!("p-{i}"), "content": {"type": "text", "text": "pipelined"}}))
            .await;
    }
    let mut acked = Vec::new();
    while acked.len() < 100 {
        let frame = ws.recv().await;
        assert_eq!(frame["type"], "ack", "{frame}");
        acked.push(frame["seq"].as_u64().unwrap());
    }
    assert_eq!(acked, (1..=100).collect::<Vec<_>>());
    let pong = ws.request(serde_json::json!({"type": "ping"}), 1000).await;
    assert_eq!(pong["type"], "pong", "still connected");
}
