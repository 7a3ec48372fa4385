//! Raw frames that pin the wire format of docs/PROTOCOL.md.

use crate::support::{RawWs, TestServer};
use serde_json::{Value, json};

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort();
    k
}

#[tokio::test]
async fn hello_ack_event_and_replies_have_the_documented_shape() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let (mut a, hello) = RawWs::connect(&server, &alice.token).await;
    assert_eq!(
        keys(&hello),
        [
            "features",
            "heartbeat_ms",
            "idle_timeout_ms",
            "limits",
            "protocol",
            "server_time",
            "session",
            "settings",
            "type",
            "user"
        ]
    );
    assert_eq!(
        hello["settings"],
        json!({"share_receipts": true, "direct_from": "everyone", "groups_from": "everyone"})
    );
    assert_eq!(
        keys(&hello["user"]),
        ["created_at", "display_name", "id", "username"]
    );
    assert_eq!(hello["user"]["username"], "alice");
    assert_eq!(hello["protocol"], 1);
    assert_eq!(
        hello["features"],
        json!([
            "typing",
            "sync_pages",
            "user_lookup",
            "message_actions",
            "receipts",
            "files",
            "group_admin",
            "contacts"
        ])
    );
    assert_eq!(
        keys(&hello["limits"]),
        [
            "edit_window_s",
            "max_forward",
            "max_frame_bytes",
            "max_group_members",
            "max_page",
            "max_pins",
            "max_text_chars",
            "max_users_per_request",
            "recall_window_s"
        ]
    );
    assert_eq!(
        (
            &hello["limits"]["edit_window_s"],
            &hello["limits"]["recall_window_s"]
        ),
        (&json!(86400), &json!(120))
    );
    assert_eq!(hello["limits"]["max_text_chars"], 8000);

    let (mut b, _) = RawWs::connect(&server, &bob.token).await;
    let ack = a
        .request(
            json!({"type": "send", "conv": conv, "cmid": "c-1", "content": {"type": "text", "text": "hi 👋"}}),
            7,
        )
        .await;
    assert_eq!(
        keys(&ack),
        [
            "cmid",
            "conv",
            "duplicate",
            "id",
            "rid",
            "seq",
            "ts",
            "type"
        ]
    );
    assert_eq!(
        (
            ack["type"].as_str(),
            ack["seq"].as_u64(),
            ack["rid"].as_u64()
        ),
        (Some("ack"), Some(1), Some(7))
    );
    assert_eq!(ack["cmid"], "c-1");

    let event = b.recv_type("event").await;
    assert_eq!(
        keys(&event),
        [
            "cmid", "content", "conv", "id", "sender", "seq", "ts", "type"
        ]
    );
    assert_eq!(event["content"], json!({"type": "text", "text": "hi 👋"}));
    assert_eq!(event["sender"], alice.id().0);
    assert_eq!(event["id"], ack["id"]);
    assert_eq!(event["ts"], ack["ts"]);

    let sync = b.request(json!({"type": "sync"}), 1).await;
    assert_eq!(keys(&sync), ["conversations", "rid", "token", "type"]);
    let summary = &sync["conversations"][0];
    assert_eq!(
        keys(summary),
        [
            "active",
            "id",
            "kind",
            "last_event",
            "last_seq",
            "name",
            "notify",
            "peer",
            "read_seq",
            "unread",
            "unread_mentions"
        ]
    );
    assert_eq!(
        (summary["kind"].as_str(), summary["unread"].as_u64()),
        (Some("direct"), Some(1))
    );

    let events = b
        .request(json!({"type": "fetch", "conv": conv, "after": 0}), 2)
        .await;
    assert_eq!(keys(&events), ["conv", "events", "has_more", "rid", "type"]);
    assert_eq!(events["events"][0]["seq"], 1);
    let history = b
        .request(json!({"type": "history", "conv": conv, "limit": 1}), 3)
        .await;
    assert_eq!(history["type"], "events");
    assert_eq!(history["has_more"], false);

    let read = b
        .request(json!({"type": "read", "conv": conv, "seq": 1}), 4)
        .await;
    assert_eq!(
        read,
        json!({"type": "read", "rid": 4, "conv": conv, "read_seq": 1, "unread": 0, "unread_mentions": 0})
    );
    let pong = b.request(json!({"type": "ping"}), 5).await;
    assert_eq!(pong, json!({"type": "pong", "rid": 5}));

    let error = b
        .request(json!({"type": "fetch", "conv": 999, "after": 0}), 6)
        .await;
    assert_eq!(
        keys(&error),
        ["code", "message", "retryable", "rid", "type"]
    );
    assert_eq!(
        (error["code"].as_str(), error["retryable"].as_bool()),
        (Some("not_member"), Some(false))
    );
}

#[tokio::test]
async fn http_errors_have_a_code_a_message_and_a_retry_hint() {
    let server = TestServer::start().await;
    let resp = reqwest::Client::new()
        .get(format!("{}/api/v1/me", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(keys(&body), ["code", "message", "retryable"]);
    assert_eq!(body["code"], "unauthorized");
}

#[tokio::test]
async fn typing_is_relayed_to_the_other_members_and_never_stored() {
    let server = TestServer::start().await;
    let [alice, bob, eve] = server.users(["alice", "bob", "eve"]).await;
    let conv = alice.direct_with(&bob).await;
    let (mut a, _) = RawWs::connect(&server, &alice.token).await;
    let (mut b, _) = RawWs::connect(&server, &bob.token).await;
    a.send_json(json!({"type": "typing", "conv": conv})).await;
    let typing = b.recv_type("typing").await;
    assert_eq!(
        typing,
        json!({"type": "typing", "conv": conv, "user": alice.id().0})
    );
    // Nothing was stored, and the typer is not told about itself: the very next frame the
    // typer gets is the answer to a later ping (a typing frame would have come first).
    a.send_json(json!({"type": "ping", "rid": 1})).await;
    assert_eq!(a.recv().await, json!({"type": "pong", "rid": 1}));
    assert!(
        bob.api
            .history(conv, None, None)
            .await
            .unwrap()
            .events
            .is_empty()
    );
    let (mut e, _) = RawWs::connect(&server, &eve.token).await;
    let refused = e.request(json!({"type": "typing", "conv": conv}), 2).await;
    assert_eq!(refused["code"], "not_member");
}

#[tokio::test]
async fn the_web_client_is_served_with_a_strict_policy_and_sensible_caching() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>tern</title>",
    )
    .unwrap();
    std::fs::write(dir.path().join("assets/app-1a2b3c.js"), "export {}").unwrap();
    let web_dir = dir.path().to_str().unwrap().to_owned();
    let server = TestServer::start_with(&[("TERN_SERVER_WEB_DIR", &web_dir)]).await;
    let get = |path: &str| reqwest::get(format!("{}{path}", server.url));

    let page = get("/").await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(headers["cache-control"], "no-cache");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self';") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(page.text().await.unwrap().contains("<title>tern</title>"));

    let asset = get("/assets/app-1a2b3c.js").await.unwrap();
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // The client's own routes get the page; missing files and API paths get JSON 404s.
    assert_eq!(get("/conversations/12").await.unwrap().status(), 200);
    assert_eq!(get("/assets/missing.js").await.unwrap().status(), 404);
    let api = get("/api/v1/nope").await.unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(api.json::<Value>().await.unwrap()["code"], "not_found");
}

#[tokio::test]
async fn the_built_in_client_page_is_served_at_the_root() {
    let server = TestServer::start().await;
    let page = reqwest::get(format!("{}/", server.url)).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    // The client itself, not the page a build without npm serves in its place.
    let html = page.text().await.unwrap();
    assert!(html.to_lowercase().contains("<!doctype html>"), "{html}");
    assert!(
        !html.contains("The web client is not included in this build"),
        "tern was built without its web client"
    );
    let script = html
        .split("<script type=\"module\"")
        .nth(1)
        .and_then(|tag| tag.split("src=\"").nth(1))
        .and_then(|src| src.split('"').next())
        .unwrap_or_else(|| panic!("no module script in {html}"));
    let bundle = reqwest::get(format!("{}{script}", server.url))
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200, "{script}");
    assert!(
        bundle.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
}
