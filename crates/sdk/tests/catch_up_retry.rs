//! The SDK against a scripted server whose first catch-up fetch fails for a passing reason
//! (`unavailable`, as while it restarts) and nothing else arrives for that conversation: the
//! client must try again by itself, not wait for a next event that may never come.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tern_sdk::proto::ConvId;
use tern_sdk::{Client, ClientEvent, ClientOptions};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(10);
const CONV: i64 = 5;

fn event(seq: u64) -> Value {
    json!({"conv": CONV, "seq": seq, "id": format!("00000000-0000-7000-8000-00000000000{seq}"),
           "sender": 2, "ts": 1_700_000_000_000u64 + seq, "content": {"type": "text", "text": "x"}})
}

/// Answers every `sync` with one conversation two events ahead, the first `fetch` with a
/// retryable error and the later ones with the events.
async fn flaky_server(listener: TcpListener) {
    let (tcp, _) = listener.accept().await.expect("accept");
    let mut ws = tokio_tungstenite::accept_async(tcp)
        .await
        .expect("handshake");
    let hello = json!({"type": "hello", "user": {"id": 1, "username": "alice",
        "display_name": "Alice", "created_at": 1}, "session": 1, "server_time": 1,
        "heartbeat_ms": 25000, "idle_timeout_ms": 60000,
        "limits": {"max_text_chars": 8000, "max_frame_bytes": 65536, "max_page": 100}});
    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(hello)).await.expect("hello");
    let mut fetches = 0;
    while let Some(Ok(Message::Text(text))) = ws.next().await {
        let frame: Value = serde_json::from_str(text.as_str()).expect("client JSON");
        let rid = frame["rid"].clone();
        let reply = match frame["type"].as_str() {
            Some("sync") => json!({"type": "sync", "rid": rid, "token": "v1.1",
                "conversations": [{"id": CONV, "kind": "direct", "name": null, "last_seq": 2,
                    "read_seq": 0, "unread": 2, "active": true}]}),
            Some("fetch") => {
                fetches += 1;
                if fetches == 1 {
                    json!({"type": "error", "rid": rid, "code": "unavailable",
                           "message": "restarting", "retryable": true})
                } else {
                    json!({"type": "events", "rid": rid, "conv": CONV, "has_more": false,
                           "events": [event(1), event(2)]})
                }
            }
            _ => continue,
        };
        ws.send(send(reply)).await.expect("reply");
    }
}

#[tokio::test]
async fn a_catch_up_refused_for_a_passing_reason_is_tried_again() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(flaky_server(listener));
    let (_client, mut events) = Client::connect(ClientOptions::new(server, "tern_token"))
        .await
        .expect("connect");
    let mut seqs = Vec::new();
    while seqs.len() < 2 {
        let next = tokio::time::timeout(WAIT, events.recv())
            .await
            .expect("the catch-up was never tried again")
            .expect("event stream ended");
        if let ClientEvent::Event(e) = next {
            assert_eq!(e.conv, ConvId(CONV));
            seqs.push(e.seq);
        }
    }
    assert_eq!(seqs, [1, 2]);
}
