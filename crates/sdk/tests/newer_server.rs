//! The SDK against a scripted stand-in for a *newer* tern server: one that sends a conversation
//! kind, a system event, a content type, a frame type, an error code and fields this build does
//! not know. The protocol promises that such additions never break an older client: the
//! conversation keeps syncing and every event still arrives, in order.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tern_sdk::proto::{Content, ConvId, ConversationKind, ErrorCode, SystemEvent};
use tern_sdk::{Client, ClientEvent, ClientOptions, SdkError};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(10);
const CONV: i64 = 5;

fn event(seq: u64, content: Value) -> Value {
    json!({"conv": CONV, "seq": seq, "id": format!("00000000-0000-7000-8000-00000000000{seq}"),
           "sender": 2, "ts": 1_700_000_000_000u64 + seq, "content": content})
}

/// Plays the newer server for one connection: answers `sync`, `fetch` and `read` as scripted.
async fn newer_server(listener: TcpListener) {
    let (tcp, _) = listener.accept().await.expect("accept");
    let mut ws = tokio_tungstenite::accept_async(tcp)
        .await
        .expect("handshake");
    let hello = json!({"type": "hello", "user": {"id": 1, "username": "alice",
        "display_name": "Alice", "created_at": 1}, "session": 1, "server_time": 1,
        "heartbeat_ms": 25000, "idle_timeout_ms": 60000, "protocol": 7,
        "features": ["typing", "hologram_calls"], "region": "moon",
        "limits": {"max_text_chars": 8000, "max_frame_bytes": 65536, "max_page": 100,
                   "max_polls_per_day": 3}});
    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(hello)).await.expect("hello");
    while let Some(Ok(Message::Text(text))) = ws.next().await {
        let frame: Value = serde_json::from_str(text.as_str()).expect("client JSON");
        let rid = frame["rid"].clone();
        let replies = match frame["type"].as_str() {
            Some("sync") => vec![json!({"type": "sync", "rid": rid, "token": "v1.9",
                "conversations": [{"id": CONV, "kind": "channel", "name": "news", "last_seq": 3,
                    "read_seq": 0, "unread": 2, "active": true, "muted_until": 99}]})],
            Some("fetch") => vec![
                json!({"type": "presence", "user": 2, "status": "away"}),
                json!({"type": "events", "rid": rid, "conv": CONV, "has_more": false, "events": [
                    event(1, json!({"type": "system", "event": "pinned", "seq": 9})),
                    event(2, json!({"type": "poll", "question": "lunch?"})),
                    event(3, json!({"type": "text", "text": "still here", "font": "serif"})),
                ]}),
            ],
            Some("read") => vec![json!({"type": "error", "rid": rid, "code": "slow_down",
                "message": "too many reads", "retryable": false})],
            _ => vec![],
        };
        for reply in replies {
            ws.send(send(reply)).await.expect("reply");
        }
    }
}

#[tokio::test]
async fn unknown_variants_from_a_newer_server_never_stop_the_sync() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(newer_server(listener));
    let (client, mut events) = Client::connect(ClientOptions::new(server, "tern_token"))
        .await
        .expect("connect to the newer server");

    let mut seen = Vec::new();
    loop {
        let next = tokio::time::timeout(WAIT, events.recv())
            .await
            .expect("the sync stalled")
            .expect("event stream ended");
        let synced = next == ClientEvent::Synced;
        seen.push(next);
        if synced {
            break;
        }
    }
    let summary = seen
        .iter()
        .find_map(|e| match e {
            ClientEvent::Conversation(s) => Some(s.clone()),
            _ => None,
        })
        .expect("the conversation was introduced");
    assert_eq!(
        (summary.id, summary.kind, summary.unread),
        (ConvId(CONV), ConversationKind::Unknown, 2)
    );
    let contents: Vec<(u64, Content)> = seen
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Event(e) => Some((e.seq, e.content.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        contents,
        [
            (1, Content::System(SystemEvent::Unknown)),
            (2, Content::Unsupported),
            (3, Content::text("still here")),
        ]
    );

    // An error code this build does not know still answers the request it belongs to.
    let refused = tokio::time::timeout(WAIT, client.mark_read(ConvId(CONV), 3))
        .await
        .expect("the refused request was never answered");
    match refused {
        Err(SdkError::Server { code, message }) => {
            assert_eq!(
                (code, message.as_str()),
                (ErrorCode::Unknown, "too many reads")
            );
        }
        other => panic!("expected the server's refusal, got {other:?}"),
    }
}
