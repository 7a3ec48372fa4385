//! The bad-input catalogue: every malformed, oversized, unauthenticated or unauthorized input
//! gets its documented error, and neither the connection (where the protocol allows) nor any
//! other connection nor the server suffers.

use crate::support::{RawWs, TestServer, WAIT};
use serde_json::{Value, json};
use tern_sdk::proto::CloseCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Reads raw server frames (unmasked) until a close frame; returns its code.
async fn read_close_code(tcp: &mut tokio::net::TcpStream) -> u16 {
    loop {
        let mut head = [0u8; 2];
        tokio::time::timeout(WAIT, tcp.read_exact(&mut head))
            .await
            .expect("no close frame")
            .expect("read frame header");
        let len = match head[1] & 0x7f {
            126 => {
                let mut l = [0u8; 2];
                tcp.read_exact(&mut l).await.unwrap();
                u16::from_be_bytes(l) as usize
            }
            127 => {
                let mut l = [0u8; 8];
                tcp.read_exact(&mut l).await.unwrap();
                u64::from_be_bytes(l) as usize
            }
            n => n as usize,
        };
        let mut payload = vec![0u8; len];
        tcp.read_exact(&mut payload).await.unwrap();
        if head[0] & 0x0f == 0x8 {
            return u16::from_be_bytes([payload[0], payload[1]]);
        }
    }
}

async fn expect_usable(ws: &mut RawWs, rid: u64) {
    let pong = ws.request(json!({"type": "ping"}), rid).await;
    assert_eq!(pong["type"], "pong");
}

#[tokio::test]
async fn malformed_frames_get_errors_and_the_connection_stays_usable() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let (mut ws, _) = RawWs::connect(&server, &alice.token).await;
    let (mut bystander, _) = RawWs::connect(&server, &alice.token).await;

    let cases: Vec<(&str, &str)> = vec![
        ("{not json", "bad_frame"),
        ("[1, 2, 3]", "bad_frame"),
        ("\"just a string\"", "bad_frame"),
        (r#"{"rid": 9}"#, "bad_frame"),
        (r#"{"type": "teleport", "rid": 9}"#, "unknown_type"),
        (r#"{"type": "send", "rid": 9, "conv": 1}"#, "bad_frame"),
        (
            r#"{"type": "read", "rid": 9, "conv": "one", "seq": 1}"#,
            "bad_frame",
        ),
        (
            r#"{"type": "ping", "rid": 9, "surprise": true}"#,
            "bad_frame",
        ),
        (
            r#"{"type": "fetch", "rid": 9, "conv": 1, "after": -1}"#,
            "bad_frame",
        ),
    ];
    for (i, (text, code)) in cases.into_iter().enumerate() {
        ws.send_text(text).await;
        let error = ws.recv().await;
        assert_eq!(error["type"], "error", "{text}");
        assert_eq!(error["code"], code, "{text}: {error}");
        assert!(!error["message"].as_str().unwrap().is_empty());
        if text.contains("\"rid\": 9") {
            assert_eq!(error["rid"], 9, "rid echoed for {text}");
        }
        expect_usable(&mut ws, 100 + i as u64).await;
    }

    ws.send_binary(vec![0, 159, 146, 150]).await;
    assert_eq!(ws.recv().await["code"], "binary_not_supported");
    expect_usable(&mut ws, 200).await;
    expect_usable(&mut bystander, 1).await;
}

#[tokio::test]
async fn oversize_frames_are_refused_and_huge_ones_close_only_their_connection() {
    let server = TestServer::start_with(&[("TERN_LIMITS_MAX_FRAME_BYTES", "4096")]).await;
    let alice = server.user("alice").await;
    let (mut ws, _) = RawWs::connect(&server, &alice.token).await;
    let (mut bystander, _) = RawWs::connect(&server, &alice.token).await;
    let big = json!({"type": "ping", "rid": 3, "pad": "x".repeat(10_000)});
    ws.send_json(big).await;
    let error = ws.recv().await;
    assert_eq!(error["code"], "frame_too_large");
    assert_eq!(error["rid"], 3);
    expect_usable(&mut ws, 4).await;

    // Beyond the hard cap (4x the limit, at least 1 MiB) the frame is refused from its header
    // alone: announce 2 MiB and send none of it.
    let mut raw = crate::connection::silent_connection(&server, &alice.token).await;
    let mut header = vec![0x81, 0x80 | 127];
    header.extend_from_slice(&(2u64 * 1024 * 1024).to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]);
    raw.write_all(&header).await.unwrap();
    assert_eq!(read_close_code(&mut raw).await, CloseCode::MESSAGE_TOO_BIG);
    expect_usable(&mut bystander, 5).await;
    expect_usable(&mut ws, 6).await;
}

#[tokio::test]
async fn missing_wrong_and_revoked_tokens_are_refused_with_4001() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let revoked = alice.login("old phone").await;
    alice.api.revoke_session(revoked.session.id).await.unwrap();
    for token in [None, Some("tern_wrong"), Some(revoked.token.as_str())] {
        let mut ws = RawWs::open(&server, token).await;
        let error = ws.recv().await;
        assert_eq!(error["code"], "unauthorized", "{token:?}");
        assert_eq!(ws.recv_close().await, Some(CloseCode::UNAUTHORIZED));
    }
    // Without an upgrade the endpoint says what it is.
    let req = reqwest::Client::new()
        .get(format!("{}/ws", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(req.status(), 400, "a plain GET is not a WebSocket");
}

#[tokio::test]
async fn conversations_of_others_stay_closed() {
    let server = TestServer::start().await;
    let [alice, bob, eve] = server.users(["alice", "bob", "eve"]).await;
    let private = alice.direct_with(&bob).await;
    alice
        .api
        .send(private, "m1", tern_sdk::proto::Content::text("secret"))
        .await
        .unwrap();
    let (mut ws, _) = RawWs::connect(&server, &eve.token).await;
    let attempts = [
        json!({"type": "send", "conv": private, "cmid": "x", "content": {"type": "text", "text": "hi"}}),
        json!({"type": "history", "conv": private}),
        json!({"type": "fetch", "conv": private, "after": 0}),
        json!({"type": "read", "conv": private, "seq": 1}),
        json!({"type": "send", "conv": 12345, "cmid": "y", "content": {"type": "text", "text": "hi"}}),
    ];
    for (i, frame) in attempts.into_iter().enumerate() {
        let reply = ws.request(frame.clone(), i as u64 + 1).await;
        assert_eq!(reply["code"], "not_member", "{frame}");
    }
    // Positions past any real seq are valid numbers and simply find nothing.
    let (mut bobs, _) = RawWs::connect(&server, &bob.token).await;
    let far = bobs
        .request(
            json!({"type": "fetch", "conv": private, "after": u64::MAX}),
            1,
        )
        .await;
    assert_eq!(far["events"], json!([]));
    let err = eve.api.history(private, None, None).await.unwrap_err();
    assert_eq!(err.code(), Some(tern_sdk::proto::ErrorCode::NotMember));
    assert_eq!(
        bob.api
            .history(private, None, None)
            .await
            .unwrap()
            .events
            .len(),
        1
    );
}

#[tokio::test]
async fn content_is_checked_before_it_is_stored() {
    let server = TestServer::start_with(&[("TERN_LIMITS_MAX_TEXT_CHARS", "10")]).await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let (mut ws, _) = RawWs::connect(&server, &alice.token).await;
    let send = |cmid: &str, content: Value| json!({"type": "send", "conv": conv, "cmid": cmid, "content": content});
    let cases = [
        (
            send(
                "a",
                json!({"type": "text", "text": "十一个字十一个字十一个"}),
            ),
            "text_too_long",
        ),
        (
            send("b", json!({"type": "text", "text": "   "})),
            "invalid_content",
        ),
        (
            send(
                "c",
                json!({"type": "system", "event": "member_left", "user": 1}),
            ),
            "unsupported_content",
        ),
        (
            send("d", json!({"type": "hologram"})),
            "unsupported_content",
        ),
        (
            send("", json!({"type": "text", "text": "hi"})),
            "bad_request",
        ),
        (
            send(&"z".repeat(65), json!({"type": "text", "text": "hi"})),
            "bad_request",
        ),
        // A field tern does not know is refused, not silently dropped.
        (
            send("f", json!({"type": "text", "text": "x", "evil": 1})),
            "bad_frame",
        ),
        // NUL and other control characters, which PostgreSQL cannot store in a cmid or text.
        (
            send("g\u{0}h", json!({"type": "text", "text": "hi"})),
            "bad_request",
        ),
        (
            send("i", json!({"type": "text", "text": "a\u{0}b"})),
            "invalid_content",
        ),
    ];
    for (i, (frame, code)) in cases.into_iter().enumerate() {
        let reply = ws.request(frame.clone(), i as u64 + 1).await;
        assert_eq!(reply["code"], code, "{frame}");
    }
    // Exactly at the limit is fine, in characters rather than bytes.
    let ok = ws
        .request(
            send("e", json!({"type": "text", "text": "十个字十个字十个字十"})),
            50,
        )
        .await;
    assert_eq!(ok["type"], "ack");
    assert_eq!(
        bob.api
            .history(conv, None, None)
            .await
            .unwrap()
            .events
            .len(),
        1
    );
}

#[tokio::test]
async fn bad_http_requests_get_json_errors() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let http = reqwest::Client::new();
    let base = format!("{}/api/v1", server.url);
    let cases = [
        (
            http.post(format!("{base}/register"))
                .header("content-type", "application/json")
                .body("{oops"),
            400,
            "bad_request",
        ),
        (
            http.post(format!("{base}/register"))
                .json(&json!({"username": "x"})),
            400,
            "bad_request",
        ),
        (
            http.post(format!("{base}/login"))
                .json(&json!({"username": "a", "password": "b", "extra": 1})),
            400,
            "bad_request",
        ),
        (
            http.get(format!("{base}/conversations/abc"))
                .bearer_auth(&alice.token),
            400,
            "bad_request",
        ),
        (
            http.get(format!("{base}/conversations"))
                .bearer_auth("tern_nope"),
            401,
            "unauthorized",
        ),
        (
            http.get(format!("{base}/conversations"))
                .header("authorization", "Basic abc"),
            401,
            "unauthorized",
        ),
        (
            http.get(format!("{base}/conversations/1/messages?limit=x"))
                .bearer_auth(&alice.token),
            400,
            "bad_request",
        ),
        (http.get(format!("{base}/nowhere")), 404, "not_found"),
        (
            http.post(format!("{base}/register"))
                .header("content-type", "application/json")
                .body(vec![b' '; 3 << 20]),
            413,
            "frame_too_large",
        ),
    ];
    for (req, status, code) in cases {
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), status);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], code, "{body}");
    }
    // A fresh client: hyper closes a connection whose oversized body it did not read.
    let health = reqwest::get(format!("{}/healthz", server.url))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn a_client_close_is_echoed_and_invalid_utf8_closes_with_1007() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let (mut ws, _) = RawWs::connect(&server, &alice.token).await;
    assert_eq!(
        ws.close_with(CloseCode::NORMAL).await,
        Some(CloseCode::NORMAL)
    );

    let mut raw = crate::connection::silent_connection(&server, &alice.token).await;
    // A masked text frame of 2 bytes that are not UTF-8.
    let mask = [1u8, 2, 3, 4];
    let mut frame = vec![0x81, 0x80 | 2];
    frame.extend_from_slice(&mask);
    frame.extend([0xC3 ^ mask[0], 0x28 ^ mask[1]]);
    raw.write_all(&frame).await.unwrap();
    assert_eq!(read_close_code(&mut raw).await, CloseCode::INVALID_DATA);
    let (mut other, _) = RawWs::connect(&server, &alice.token).await;
    expect_usable(&mut other, 1).await;
}

#[tokio::test]
async fn sync_tokens_from_the_future_or_forged_are_refused() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let (mut ws, _) = RawWs::connect(&server, &alice.token).await;
    let first = ws.request(json!({"type": "sync"}), 1).await;
    let token = first["token"].as_str().unwrap().to_owned();
    let again = ws.request(json!({"type": "sync", "since": token}), 2).await;
    assert_eq!(again["type"], "sync");
    for (rid, forged) in [
        "v1.999999999999",
        "v1.999999990:999999999:",
        "v1.5:3:",
        "v1.-4",
        "v2.1",
    ]
    .into_iter()
    .enumerate()
    {
        let reply = ws
            .request(json!({"type": "sync", "since": forged}), 10 + rid as u64)
            .await;
        assert_eq!(reply["code"], "bad_request", "{forged}: {reply}");
    }
}

#[tokio::test]
async fn member_lists_are_capped_per_request() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let many: Vec<tern_sdk::proto::UserId> = (0..1001).map(tern_sdk::proto::UserId).collect();
    let err = alice.api.create_group("big", &many).await.unwrap_err();
    assert_eq!(
        err.code(),
        Some(tern_sdk::proto::ErrorCode::BadRequest),
        "{err}"
    );
    let conv = alice
        .api
        .create_group("small", &[bob.id(), bob.id(), alice.id()])
        .await
        .unwrap();
    assert_eq!(conv.members.len(), 2, "duplicates and the owner count once");
    let err = alice
        .api
        .add_members(conv.summary.id, &many)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(tern_sdk::proto::ErrorCode::BadRequest),
        "{err}"
    );
    let err = alice.api.users(&many).await.unwrap_err();
    assert_eq!(
        err.code(),
        Some(tern_sdk::proto::ErrorCode::BadRequest),
        "{err}"
    );
}
