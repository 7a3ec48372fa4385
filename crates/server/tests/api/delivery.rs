//! The delivery contract of docs/PROTOCOL.md, clause by clause, through the Rust SDK.

use crate::support::{Device, RawWs, TestServer, cmid, text};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use tern_sdk::ClientEvent;
use tern_sdk::proto::{Content, ErrorCode};

/// Clause 1: seq = previous + 1 per conversation, whoever sends; ids are unique UUIDv7s.
#[tokio::test]
async fn seqs_are_gapless_per_conversation_under_concurrent_senders() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let group = alice
        .api
        .create_group("g", &[bob.id()])
        .await
        .unwrap()
        .summary
        .id;
    let other = alice.direct_with(&bob).await;
    let (a, b) = (alice.connect().await, bob.connect().await);
    let mut sends = Vec::new();
    for i in 0..40 {
        let client = if i % 2 == 0 {
            a.client.clone()
        } else {
            b.client.clone()
        };
        let conv = if i % 4 < 3 { group } else { other };
        sends.push(tokio::spawn(async move {
            client.send_text(conv, format!("m{i}")).await.unwrap()
        }));
    }
    let mut acks = Vec::new();
    for s in sends {
        acks.push(s.await.unwrap());
    }
    for (conv, first) in [(group, 2), (other, 1)] {
        let mut seqs: Vec<u64> = acks
            .iter()
            .filter(|a| a.conv == conv)
            .map(|a| a.seq)
            .collect();
        seqs.sort();
        let expected: Vec<u64> = (first..first + seqs.len() as u64).collect();
        assert_eq!(seqs, expected, "conversation {conv}");
    }
    let ids: HashSet<_> = acks.iter().map(|a| a.id).collect();
    assert_eq!(ids.len(), acks.len());
    assert!(acks.iter().all(|a| a.id.get_version_num() == 7));
}

/// Clause 2: a resend with the same client message id returns the original ack, on the same
/// connection, a new one, over HTTP, and after a restart; nothing is stored twice.
#[tokio::test]
async fn a_resend_returns_the_original_ack_and_stores_nothing_new() {
    let mut server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let id = cmid();
    let send = json!({"type": "send", "conv": conv, "cmid": id, "content": {"type": "text", "text": "once"}});

    let (mut ws, _) = RawWs::connect(&server, &alice.token).await;
    let first = ws.request(send.clone(), 1).await;
    assert_eq!(first["type"], "ack");
    assert_eq!(first["duplicate"], false);
    let again = ws.request(send.clone(), 2).await;
    assert_eq!(again["duplicate"], true);
    for field in ["seq", "id", "ts", "conv", "cmid"] {
        assert_eq!(first[field], again[field], "{field}");
    }
    let over_http = alice.api.send(conv, &id, text("once")).await.unwrap();
    assert!(over_http.duplicate);
    assert_eq!(over_http.event.seq, first["seq"].as_u64().unwrap());

    server.kill().await;
    server.restart().await;
    let (mut ws, _) = RawWs::connect(&server, &alice.token).await;
    let after_restart = ws.request(send, 3).await;
    assert_eq!(after_restart["duplicate"], true);
    assert_eq!(after_restart["id"], first["id"]);

    let history = bob.api.history(conv, None, None).await.unwrap();
    assert_eq!(history.events.len(), 1);

    // The same client id in another conversation is a client bug, not a resend.
    let group = alice.api.create_group("g", &[]).await.unwrap().summary.id;
    let reused = ws
        .request(json!({"type": "send", "conv": group, "cmid": id, "content": {"type": "text", "text": "x"}}), 4)
        .await;
    assert_eq!(reused["code"], "client_id_reused");
}

/// Clause 3: an acked message survives an immediate kill -9 of the server.
#[tokio::test]
async fn an_acked_message_survives_kill_9() {
    let mut server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let device = alice.connect().await;
    let mut acks = Vec::new();
    for i in 0..20 {
        acks.push(
            device
                .client
                .send_text(conv, format!("durable {i}"))
                .await
                .unwrap(),
        );
    }
    server.kill().await;
    server.restart().await;
    let page = bob.api.history(conv, None, Some(100)).await.unwrap();
    let stored: Vec<_> = page.events.iter().map(|e| (e.seq, e.id)).collect();
    let acked: Vec<_> = acks.iter().map(|a| (a.seq, a.id)).collect();
    assert_eq!(stored, acked);
}

/// Clause 4: every session of every member gets every event in seq order, the sender's other
/// devices included; the sending device sees its own message (from the ack) in its place.
#[tokio::test]
async fn every_device_of_every_member_receives_in_order() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let conv = alice
        .api
        .create_group("g", &[bob.id(), carol.id()])
        .await
        .unwrap()
        .summary
        .id;
    let mut devices = vec![
        alice.connect().await,
        alice.new_device().await,
        bob.connect().await,
        bob.new_device().await,
        carol.connect().await,
    ];
    let mut expected = vec![];
    for i in 0..15 {
        let sender = &devices[i % 3 * 2 % 5].client;
        let body = format!("message {i}");
        let ack = sender.send_text(conv, body.clone()).await.unwrap();
        expected.push((ack.seq, ack.id, body));
    }
    let last = expected.last().unwrap().0;
    for device in &mut devices {
        let got: Vec<_> = device
            .collect_until(conv, last)
            .await
            .into_iter()
            .filter_map(|e| match e.content {
                Content::Text { text, .. } => Some((e.seq, e.id, text)),
                _ => None,
            })
            .collect();
        assert_eq!(got, expected);
    }
}

/// Clause 5: after being offline, a device gets exactly what it missed, once, in order, and its
/// unread count; sync reports only the conversations that changed.
#[tokio::test]
async fn catch_up_after_offline_delivers_exactly_what_was_missed() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let busy = alice.direct_with(&bob).await;
    let mut quiet = Vec::new();
    for i in 0..10 {
        let g = bob
            .api
            .create_group(&format!("quiet {i}"), &[alice.id()])
            .await
            .unwrap();
        quiet.push(g.summary.id);
    }
    let mut phone = bob.connect().await;
    let (token, all) = phone.client.sync(None).await.unwrap();
    assert_eq!(all.len(), 11);

    phone.client.go_offline().await.unwrap();
    phone
        .until(|e| matches!(e, ClientEvent::Disconnected { .. }))
        .await;
    let sender = alice.connect().await;
    let mut acks = Vec::new();
    for i in 0..30 {
        acks.push(
            sender
                .client
                .send_text(busy, format!("while away {i}"))
                .await
                .unwrap(),
        );
    }
    phone.client.go_online().await.unwrap();
    let mut seen = Vec::new();
    let mut summary_unread = None;
    loop {
        match phone.until(|_| true).await {
            ClientEvent::Event(e) => seen.push((e.conv, e.seq, e.id)),
            ClientEvent::Conversation(s) if s.id == busy => summary_unread = Some(s.unread),
            ClientEvent::Synced => break,
            _ => {}
        }
    }
    let expected: Vec<_> = acks.iter().map(|a| (busy, a.seq, a.id)).collect();
    assert_eq!(seen, expected);
    assert_eq!(summary_unread, Some(30));

    let (_, changed) = phone.client.sync(Some(token)).await.unwrap();
    let ids: Vec<_> = changed.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![busy], "only the conversation that changed");
}

/// Clause 5, the commit-order trap: a chain of sync tokens taken while writers are busy never
/// skips a change.
#[tokio::test]
async fn sync_tokens_taken_during_concurrent_writes_never_skip_a_change() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let mut convs = Vec::new();
    for i in 0..6 {
        convs.push(
            alice
                .api
                .create_group(&format!("g{i}"), &[bob.id()])
                .await
                .unwrap()
                .summary
                .id,
        );
    }
    let watcher = bob.connect().await;
    let (mut token, initial) = watcher.client.sync(None).await.unwrap();
    let mut seen: HashMap<_, u64> = initial.iter().map(|c| (c.id, c.last_seq)).collect();
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let api = alice.api.clone();
            let convs = convs.clone();
            tokio::spawn(async move {
                let mut last = HashMap::new();
                for i in 0..30 {
                    let conv = convs[(i * 7 + w) % convs.len()];
                    let sent = api
                        .send(conv, &cmid(), Content::text(format!("{w}/{i}")))
                        .await
                        .unwrap();
                    last.insert(conv, sent.event.seq);
                }
                last
            })
        })
        .collect();
    let mut finals: HashMap<_, u64> = HashMap::new();
    let mut pending = writers;
    while !pending.is_empty() {
        let (t, changed) = watcher.client.sync(Some(token)).await.unwrap();
        token = t;
        for c in changed {
            let entry = seen.entry(c.id).or_default();
            *entry = (*entry).max(c.last_seq);
        }
        if pending[0].is_finished() {
            for (conv, seq) in pending.remove(0).await.unwrap() {
                let f = finals.entry(conv).or_default();
                *f = (*f).max(seq);
            }
        }
    }
    let (_, changed) = watcher.client.sync(Some(token)).await.unwrap();
    for c in changed {
        let entry = seen.entry(c.id).or_default();
        *entry = (*entry).max(c.last_seq);
    }
    for (conv, last) in finals {
        assert_eq!(
            seen[&conv], last,
            "conversation {conv}: the token chain missed a change"
        );
    }
}

/// A live gap (here: events sent while a member was removed, then re-added) is detected and the
/// missing range fetched, so the app still sees every visible seq once, in order.
#[tokio::test]
async fn a_gap_in_live_events_is_repaired() {
    let server = TestServer::start().await;
    let [alice, carol] = server.users(["alice", "carol"]).await;
    let conv = alice
        .api
        .create_group("g", &[carol.id()])
        .await
        .unwrap()
        .summary
        .id;
    let mut device = carol.connect().await;
    alice.api.remove_member(conv, carol.id()).await.unwrap();
    alice
        .api
        .send(conv, &cmid(), text("carol cannot see this live"))
        .await
        .unwrap();
    alice
        .api
        .send(conv, &cmid(), text("nor this"))
        .await
        .unwrap();
    alice.api.add_members(conv, &[carol.id()]).await.unwrap();
    let events = device.collect_until(conv, 5).await;
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    assert_eq!(events[2].content, text("carol cannot see this live"));
}

/// History pages backwards from a seq, with a limit, oldest first within a page.
#[tokio::test]
async fn history_pages_backwards() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    for i in 1..=25 {
        alice
            .api
            .send(conv, &cmid(), text(&format!("{i}")))
            .await
            .unwrap();
    }
    let device = bob.connect().await;
    let seqs = |p: &tern_sdk::Page| p.events.iter().map(|e| e.seq).collect::<Vec<_>>();
    let newest = device.client.history(conv, None, Some(10)).await.unwrap();
    assert_eq!(seqs(&newest), (16..=25).collect::<Vec<_>>());
    assert!(newest.has_more);
    let older = device
        .client
        .history(conv, Some(16), Some(10))
        .await
        .unwrap();
    assert_eq!(seqs(&older), (6..=15).collect::<Vec<_>>());
    let oldest = device
        .client
        .history(conv, Some(6), Some(10))
        .await
        .unwrap();
    assert_eq!(seqs(&oldest), (1..=5).collect::<Vec<_>>());
    assert!(!oldest.has_more);
    let forward = device.client.fetch(conv, 20, Some(3)).await.unwrap();
    assert_eq!(seqs(&forward), vec![21, 22, 23]);
    assert!(forward.has_more);
    let over_http = bob.api.history(conv, Some(3), None).await.unwrap();
    assert_eq!(over_http.events.len(), 2);
    for bad in [0, 100_000] {
        let err = device
            .client
            .history(conv, None, Some(bad))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::BadRequest));
    }
}

/// Clause 6: read positions only move forward, unread counts come from seqs, and every device
/// of the reader hears of the change.
#[tokio::test]
async fn read_positions_and_unread_counts_are_exact_on_every_device() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let conv = alice
        .api
        .create_group("g", &[bob.id()])
        .await
        .unwrap()
        .summary
        .id;
    for i in 0..5 {
        alice
            .api
            .send(conv, &cmid(), text(&format!("{i}")))
            .await
            .unwrap();
    }
    // Membership events are not unread messages.
    alice.api.add_members(conv, &[carol.id()]).await.unwrap();
    let laptop = bob.connect().await;
    let mut phone = bob.new_device().await;
    assert_eq!(laptop.client.mark_read(conv, 3).await.unwrap(), (3, 3));
    let heard = phone.until(|e| matches!(e, ClientEvent::Read { .. })).await;
    assert_eq!(
        heard,
        ClientEvent::Read {
            conv,
            read_seq: 3,
            unread: 3
        }
    );
    // Backwards is a no-op; beyond the end is capped at the last seq.
    assert_eq!(laptop.client.mark_read(conv, 1).await.unwrap(), (3, 3));
    assert_eq!(laptop.client.mark_read(conv, 1000).await.unwrap(), (7, 0));
    let listed = bob.api.conversations().await.unwrap();
    assert_eq!((listed[0].read_seq, listed[0].unread), (7, 0));
    // Carol joined at seq 7: what was said before is not unread for her.
    let carols = carol.api.conversations().await.unwrap();
    assert_eq!((carols[0].read_seq, carols[0].unread), (7, 0));
    alice.api.send(conv, &cmid(), text("new")).await.unwrap();
    let carols = carol.api.conversations().await.unwrap();
    assert_eq!(carols[0].unread, 1);
    let err = carol
        .api
        .mark_read(alice.direct_with(&bob).await, 1)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotMember));
}

/// Sending into a conversation queues while offline and is delivered once back, without the app
/// resending anything.
#[tokio::test]
async fn sends_made_offline_are_delivered_after_reconnect() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let mut device: Device = alice.connect().await;
    device.client.go_offline().await.unwrap();
    device
        .until(|e| matches!(e, ClientEvent::Disconnected { .. }))
        .await;
    // Polled once while offline, so the send is in the client's queue before it goes online
    // (a spawned task could run only after `go_online`, and never test the offline path).
    let pending = device.client.send_text(conv, "queued");
    tokio::pin!(pending);
    tokio::select! {
        biased;
        early = &mut pending => panic!("a send resolved while offline: {early:?}"),
        () = std::future::ready(()) => {}
    }
    assert!(
        bob.api
            .history(conv, None, None)
            .await
            .unwrap()
            .events
            .is_empty(),
        "nothing reached the server while offline"
    );
    device.client.go_online().await.unwrap();
    let ack = pending.await.unwrap();
    assert_eq!(ack.seq, 1);
    assert!(!ack.duplicate);
    let page = bob.api.history(conv, None, None).await.unwrap();
    assert_eq!(page.events.len(), 1);
}

/// A user in more conversations than one `sync` reply carries gets them in pages, each once,
/// with one token for the whole sync; the SDK reads every page before it says it is synced.
#[tokio::test]
async fn a_sync_of_many_conversations_comes_in_bounded_pages() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let mut groups = HashSet::new();
    for i in 0..230 {
        let detail = alice
            .api
            .create_group(&format!("g{i}"), &[bob.id()])
            .await
            .unwrap();
        groups.insert(detail.summary.id);
    }
    let (mut ws, _) = RawWs::connect(&server, &bob.token).await;
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut token = None;
    let mut page: Option<String> = None;
    loop {
        let mut frame = json!({"type": "sync"});
        if let Some(p) = &page {
            frame["page"] = p.clone().into();
        }
        let reply = ws.request(frame, pages + 1).await;
        assert_eq!(reply["type"], "sync", "{reply}");
        let conversations = reply["conversations"].as_array().unwrap();
        assert!(
            conversations.len() <= 100,
            "{} in one page",
            conversations.len()
        );
        seen.extend(conversations.iter().map(|c| c["id"].as_i64().unwrap()));
        let this_token = reply["token"].as_str().unwrap().to_owned();
        assert_eq!(token.get_or_insert(this_token.clone()), &this_token);
        pages += 1;
        match reply["next"].as_str() {
            Some(next) => page = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(
        (seen.len(), unique.len()),
        (230, 230),
        "each conversation once"
    );
    assert_eq!(unique, groups.iter().map(|c| c.0).collect::<HashSet<_>>());
    // A page token that this server did not issue is refused.
    let forged = ws
        .request(json!({"type": "sync", "page": "p1.5.v1.x:y"}), 99)
        .await;
    assert_eq!(forged["code"], "bad_request", "{forged}");

    // The Rust SDK reads all pages before `Synced`.
    let (_, backlog, _) = bob.connect().await.into_parts();
    let introduced: HashSet<_> = backlog
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Conversation(summary) => Some(summary.id),
            _ => None,
        })
        .collect();
    assert_eq!(introduced, groups);
    let (_, all) = bob.connect().await.client.sync(None).await.unwrap();
    assert_eq!(all.len(), 230);
}
