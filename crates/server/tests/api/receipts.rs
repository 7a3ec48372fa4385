//! Read receipts ("seen by"): live and coalesced, caught up by sync, listed per conversation,
//! and hidden both ways by the user's setting.

use crate::support::{Device, RawWs, TestServer, cmid, text};
use serde_json::{Value, json};
use std::collections::HashSet;
use tern_sdk::proto::{ConvId, ErrorCode, Receipt, UserId};
use tern_sdk::{ClientEvent, seen_by};

/// Waits until the device hears that `user` has read `conv` up to `seq` or further.
async fn until_receipt(device: &mut Device, conv: ConvId, user: UserId, seq: u64) {
    device
        .until(|e| match e {
            ClientEvent::Receipts {
                conv: c, receipts, ..
            } => *c == conv && receipts.iter().any(|r| r.user == user && r.seq >= seq),
            _ => false,
        })
        .await;
}

/// The users listed by a `receipts` frame.
fn listed(frame: &Value) -> Vec<i64> {
    frame["receipts"]
        .as_array()
        .map(|list| list.iter().filter_map(|r| r["user"].as_i64()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_direct_peer_sees_how_far_i_read_live_and_after_being_away() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let mut bob_device = bob.connect().await;
    let sent = bob
        .api
        .send(conv, &cmid(), text("你好"))
        .await
        .unwrap()
        .event;
    alice.api.mark_read(conv, sent.seq).await.unwrap();
    until_receipt(&mut bob_device, conv, alice.id(), sent.seq).await;

    // Away: bob's next sync brings the position alice reached meanwhile.
    let (mut ws, _) = RawWs::connect(&server, &bob.token).await;
    let first = ws.request(json!({"type": "sync"}), 1).await;
    let token = first["token"].as_str().unwrap().to_owned();
    assert!(first.get("receipts").is_none(), "a first sync lists none");
    let second = bob
        .api
        .send(conv, &cmid(), text("再见"))
        .await
        .unwrap()
        .event;
    alice.api.mark_read(conv, second.seq).await.unwrap();
    let caught_up = ws.request(json!({"type": "sync", "since": token}), 2).await;
    assert_eq!(
        caught_up["receipts"],
        json!([{"conv": conv, "receipts": [{"user": alice.id(), "seq": second.seq}]}]),
        "{caught_up}"
    );
}

#[tokio::test]
async fn a_group_lists_who_read_a_message_and_who_did_not() {
    let server = TestServer::start().await;
    let [alice, bob, carol, dave] = server.users(["alice", "bob", "carol", "dave"]).await;
    let conv = alice
        .api
        .create_group("读过了吗", &[bob.id(), carol.id(), dave.id()])
        .await
        .unwrap()
        .summary
        .id;
    let sender = alice.connect().await;
    let sent = sender.client.send_text(conv, "周五开会").await.unwrap();
    bob.api.mark_read(conv, sent.seq).await.unwrap();
    let over_ws = sender.client.receipts(conv).await.unwrap();
    let over_rest = alice.api.receipts(conv).await.unwrap();
    assert_eq!(over_ws, over_rest);
    assert_eq!(
        seen_by(&over_ws, sent.seq, alice.id()),
        (vec![bob.id()], vec![carol.id(), dave.id()])
    );

    // Carol stops sharing: she drops out of both lists, sees nobody's, her devices know, and
    // alice's client is told to forget her position.
    let mut alice_device = alice.connect().await;
    let mut carol_device = carol.connect().await;
    let settings = carol.api.update_settings(Some(false)).await.unwrap();
    assert!(!settings.share_receipts);
    let heard = carol_device
        .until(|e| matches!(e, ClientEvent::Settings(_)))
        .await;
    assert_eq!(heard, ClientEvent::Settings(settings));
    alice_device
        .until(|e| match e {
            ClientEvent::Receipts { receipts, .. } => {
                receipts.iter().any(|r| r.user == carol.id() && r.hidden)
            }
            _ => false,
        })
        .await;
    let (_, hello) = RawWs::connect(&server, &carol.token).await;
    assert_eq!(
        hello["settings"],
        json!({"share_receipts": false, "direct_from": "everyone", "groups_from": "everyone"})
    );
    assert!(!carol.api.settings().await.unwrap().share_receipts);
    let without_carol = alice.api.receipts(conv).await.unwrap();
    assert_eq!(
        seen_by(&without_carol, sent.seq, alice.id()),
        (vec![bob.id()], vec![dave.id()])
    );
    assert!(carol.api.receipts(conv).await.unwrap().is_empty());
    carol.api.mark_read(conv, sent.seq).await.unwrap();
    assert!(
        !alice
            .api
            .receipts(conv)
            .await
            .unwrap()
            .iter()
            .any(|r| r.user == carol.id()),
        "reading does not tell on her"
    );

    // Nor do live receipts reach her: dave's read reaches alice, and nothing of it carol.
    let (mut carol_ws, _) = RawWs::connect(&server, &carol.token).await;
    dave.api.mark_read(conv, sent.seq).await.unwrap();
    until_receipt(&mut alice_device, conv, dave.id(), sent.seq).await;
    carol_ws.send_json(json!({"type": "ping", "rid": 7})).await;
    loop {
        let frame = carol_ws.recv().await;
        assert_ne!(frame["type"], "receipts", "{frame}");
        if frame["rid"] == 7 {
            break;
        }
    }

    // Sharing again, she sees them again.
    carol.api.update_settings(Some(true)).await.unwrap();
    let back = carol.api.receipts(conv).await.unwrap();
    assert!(back.contains(&Receipt::at(carol.id(), sent.seq)));
}

#[tokio::test]
async fn many_readers_at_once_reach_each_member_in_few_frames() {
    // A long interval: every read below lands in one or two of them.
    let server = TestServer::start_with(&[("TERN_MESSAGES_RECEIPTS_INTERVAL_MS", "2000")]).await;
    let names: Vec<String> = (0..30).map(|i| format!("reader{i:02}")).collect();
    let owner = server.user("owner").await;
    let mut readers = Vec::new();
    for name in &names {
        readers.push(server.user(name).await);
    }
    let ids: Vec<UserId> = readers.iter().map(|r| r.id()).collect();
    let conv = owner
        .api
        .create_group("all hands", &ids)
        .await
        .unwrap()
        .summary
        .id;
    let (mut ws, _) = RawWs::connect(&server, &owner.token).await;
    let sent = owner
        .api
        .send(conv, &cmid(), text("read me"))
        .await
        .unwrap();
    let reads = readers
        .iter()
        .map(|r| r.api.mark_read(conv, sent.event.seq));
    for read in futures_util::future::join_all(reads).await {
        read.unwrap();
    }
    let expected: HashSet<i64> = ids.iter().map(|u| u.0).collect();
    let mut heard = HashSet::new();
    let mut frames = 0;
    while heard != expected {
        let frame = ws.recv_type("receipts").await;
        let those: Vec<i64> = listed(&frame)
            .into_iter()
            .filter(|u| expected.contains(u))
            .collect();
        if !those.is_empty() {
            frames += 1;
            heard.extend(those);
        }
    }
    assert!(frames <= 2, "30 reads came in {frames} frames");
}

#[tokio::test]
async fn receipts_are_refused_to_outsiders_and_bad_settings_change_nothing() {
    let server = TestServer::start().await;
    let [alice, bob, mallory] = server.users(["alice", "bob", "mallory"]).await;
    let conv = alice
        .api
        .create_group("team", &[bob.id()])
        .await
        .unwrap()
        .summary
        .id;
    let err = mallory.api.receipts(conv).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotMember));
    let err = mallory.api.receipts(ConvId(999_999)).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotMember));
    bob.api.leave(conv).await.unwrap();
    let err = bob.api.receipts(conv).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotMember), "a member who left");

    let (mut ws, _) = RawWs::connect(&server, &mallory.token).await;
    for (rid, frame) in [
        (1, json!({"type": "receipts", "conv": conv})),
        (2, json!({"type": "receipts"})),
        (3, json!({"type": "receipts", "conv": "team"})),
    ] {
        let reply = ws.request(frame, rid).await;
        let expected = if rid == 1 { "not_member" } else { "bad_frame" };
        assert_eq!(reply["code"], expected, "{reply}");
    }

    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/me/settings", server.url);
    for body in [
        json!({"share_receipts": "yes"}),
        json!({"share_receipts": false, "bogus": 1}),
        json!("share_receipts"),
    ] {
        let response = http
            .patch(&url)
            .bearer_auth(&alice.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "bad_request", "{body}");
    }
    assert!(alice.api.settings().await.unwrap().share_receipts);
    let unchanged = alice.api.update_settings(None).await.unwrap();
    assert!(unchanged.share_receipts, "an empty change changes nothing");
    let response = http
        .get(format!("{}/api/v1/conversations/abc/receipts", server.url))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
