//! Replies, mentions and the changes to messages once sent (edit, recall, reactions, pins,
//! forward), over the WebSocket and REST, as users and their other devices see them.

use crate::support::{RawWs, TestServer, TestUser, text};
use serde_json::json;
use tern_sdk::proto::{Content, ConvId, ErrorCode, Event, Forwarded, UserId};

fn reply(t: &str, to: u64, mentions: &[UserId]) -> Content {
    let mut content = text(t);
    if let Content::Text {
        reply_to,
        mentions: named,
        ..
    } = &mut content
    {
        *reply_to = Some(to);
        *named = mentions.to_vec();
    }
    content
}

async fn group(owner: &TestUser, members: &[&TestUser]) -> ConvId {
    let ids: Vec<UserId> = members.iter().map(|m| m.id()).collect();
    owner
        .api
        .create_group("team", &ids)
        .await
        .unwrap()
        .summary
        .id
}

/// The event of `conv` as a user reads it now (current text, reactions, ...).
async fn as_read(user: &TestUser, conv: ConvId, seq: u64) -> Event {
    let page = user
        .api
        .history(conv, Some(seq + 1), Some(1))
        .await
        .unwrap();
    page.events
        .into_iter()
        .next()
        .expect("an event at that seq")
}

fn code(result: Result<Vec<u64>, tern_sdk::SdkError>) -> Option<ErrorCode> {
    result.unwrap_err().code()
}

#[tokio::test]
async fn replies_and_mentions_reach_every_device_and_count_exactly() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let conv = group(&alice, &[&bob]).await;
    let question = alice.api.send(conv, "q", text("lunch?")).await.unwrap();
    let bob_phone = bob.connect().await;
    let mut bob_laptop = bob.new_device().await;
    let answer = bob_phone
        .client
        .send(conv, reply("yes @alice", question.event.seq, &[alice.id()]))
        .await
        .unwrap();
    let seen = bob_laptop.collect_until(conv, answer.seq).await;
    let on_laptop = seen.last().unwrap();
    assert_eq!(
        on_laptop.content,
        reply("yes @alice", question.event.seq, &[alice.id()])
    );
    let summary = alice.api.conversation(conv).await.unwrap().summary;
    assert_eq!((summary.unread, summary.unread_mentions), (1, 1));
    // Bad references are refused with a clear code and store nothing.
    let refused = alice
        .api
        .send(conv, "bad1", reply("to nothing", 999, &[]))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::InvalidTarget));
    let refused = alice
        .api
        .send(
            conv,
            "bad2",
            reply("carol?", question.event.seq, &[carol.id()]),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::InvalidContent));
    let mut all = text("@all");
    if let Content::Text { mention_all, .. } = &mut all {
        *mention_all = true;
    }
    let refused = bob.api.send(conv, "bad3", all.clone()).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    alice.api.send(conv, "all", all).await.unwrap();
    let summary = bob.api.conversation(conv).await.unwrap().summary;
    assert_eq!((summary.unread, summary.unread_mentions), (1, 1));
    let after = alice.api.conversation(conv).await.unwrap().summary;
    assert_eq!(after.last_seq, summary.last_seq, "nothing else was stored");
}

#[tokio::test]
async fn an_edit_reaches_every_device_and_keeps_its_versions() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let mut alice_device = alice.connect().await;
    let mut bob_device = bob.connect().await;
    let sent = alice_device.client.send_text(conv, "helo").await.unwrap();
    let done = alice_device
        .client
        .edit(conv, sent.seq, "hello")
        .await
        .unwrap();
    assert_eq!(done.len(), 1);
    for device in [&mut alice_device, &mut bob_device] {
        let events = device.collect_until(conv, done[0]).await;
        assert_eq!(
            events.last().unwrap().content,
            Content::Edit {
                target: sent.seq,
                text: "hello".into()
            }
        );
    }
    let now = as_read(&bob, conv, sent.seq).await;
    assert_eq!(now.content, text("hello"));
    assert_eq!(now.rev, Some(done[0]));
    assert!(now.edited.is_some());
    alice.api.edit(conv, sent.seq, "hello!").await.unwrap();
    let versions: Vec<String> = bob
        .api
        .versions(conv, sent.seq)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.text)
        .collect();
    assert_eq!(versions, ["helo", "hello", "hello!"]);
    // The same text again changes nothing.
    assert_eq!(
        alice.api.edit(conv, sent.seq, "hello!").await.unwrap(),
        Vec::<u64>::new()
    );
    // Not yours, not a message, not text.
    assert_eq!(
        code(bob.api.edit(conv, sent.seq, "mine now").await),
        Some(ErrorCode::Forbidden)
    );
    assert_eq!(
        code(alice.api.edit(conv, done[0], "x").await),
        Some(ErrorCode::InvalidTarget)
    );
    assert_eq!(
        code(alice.api.edit(conv, sent.seq, " ").await),
        Some(ErrorCode::InvalidContent)
    );
    // Changes are in the seq order but neither unread nor the preview.
    let summary = bob.api.conversation(conv).await.unwrap().summary;
    assert_eq!(summary.unread, 1);
    assert_eq!(summary.last_event.unwrap().seq, sent.seq);
}

#[tokio::test]
async fn a_recall_erases_the_message_everywhere_and_devices_catch_up_on_it() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let mut bob_device = bob.connect().await;
    let sent = alice
        .api
        .send(conv, "s", text("oops, secret"))
        .await
        .unwrap();
    bob_device.collect_until(conv, sent.event.seq).await;
    bob_device.client.go_offline().await.unwrap();
    assert_eq!(
        code(bob.api.recall(conv, sent.event.seq).await),
        Some(ErrorCode::Forbidden)
    );
    let done = alice.api.recall(conv, sent.event.seq).await.unwrap();
    assert_eq!(
        alice.api.recall(conv, sent.event.seq).await.unwrap(),
        Vec::<u64>::new()
    );
    // The offline device catches up on the recall.
    bob_device.client.go_online().await.unwrap();
    let events = bob_device.collect_until(conv, done[0]).await;
    assert_eq!(
        events.last().unwrap().content,
        Content::Recall {
            target: sent.event.seq
        }
    );
    let now = as_read(&bob, conv, sent.event.seq).await;
    assert_eq!(now.content, Content::Recalled { by: alice.id() });
    let summary = bob.api.conversation(conv).await.unwrap().summary;
    assert_eq!(
        summary.last_event.unwrap().content,
        Content::Recalled { by: alice.id() }
    );
    assert_eq!(summary.unread, 0, "a recalled message is not unread");
    assert_eq!(
        bob.api
            .versions(conv, sent.event.seq)
            .await
            .unwrap_err()
            .code(),
        Some(ErrorCode::InvalidTarget)
    );
}

#[tokio::test]
async fn recalling_after_the_window_is_too_late_except_for_the_owner() {
    let server = TestServer::start_with(&[("TERN_MESSAGES_RECALL_WINDOW_S", "1")]).await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = group(&alice, &[&bob]).await;
    let sent = bob
        .api
        .send(conv, "s", text("said in haste"))
        .await
        .unwrap();
    let mine = alice.api.send(conv, "a", text("mine")).await.unwrap();
    // The window is one second: wait until it has passed for both messages.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        code(bob.api.recall(conv, sent.event.seq).await),
        Some(ErrorCode::TooLate)
    );
    assert_eq!(
        alice.api.recall(conv, sent.event.seq).await.unwrap().len(),
        1
    );
    assert_eq!(
        alice.api.recall(conv, mine.event.seq).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn editing_can_be_turned_off() {
    let server = TestServer::start_with(&[("TERN_MESSAGES_EDIT_WINDOW_S", "0")]).await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let sent = alice.api.send(conv, "s", text("final")).await.unwrap();
    assert_eq!(
        code(alice.api.edit(conv, sent.event.seq, "not final").await),
        Some(ErrorCode::Forbidden)
    );
    let (_, hello) = RawWs::connect(&server, &alice.token).await;
    assert_eq!(hello["limits"]["edit_window_s"], 0);
}

#[tokio::test]
async fn reactions_toggle_per_user_and_refuse_what_is_not_one_emoji() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let conv = group(&alice, &[&bob]).await;
    let sent = alice.api.send(conv, "s", text("ship it?")).await.unwrap();
    let seq = sent.event.seq;
    let mut alice_device = alice.connect().await;
    let bob_device = bob.connect().await;
    let done = bob_device
        .client
        .react(conv, seq, "👍", true)
        .await
        .unwrap();
    assert_eq!(
        bob_device
            .client
            .react(conv, seq, "👍", true)
            .await
            .unwrap(),
        Vec::<u64>::new()
    );
    alice.api.react(conv, seq, "👍", true).await.unwrap();
    alice.api.react(conv, seq, "🎉", true).await.unwrap();
    let events = alice_device.collect_until(conv, done[0]).await;
    assert_eq!(
        events.last().unwrap().content,
        Content::Reaction {
            target: seq,
            emoji: "👍".into(),
            added: true
        }
    );
    let now = as_read(&bob, conv, seq).await;
    let counts: Vec<(String, usize)> = now
        .reactions
        .iter()
        .map(|r| (r.emoji.clone(), r.users.len()))
        .collect();
    assert_eq!(counts, [("👍".into(), 2), ("🎉".into(), 1)]);
    bob.api.react(conv, seq, "👍", false).await.unwrap();
    let now = as_read(&bob, conv, seq).await;
    assert_eq!(now.reactions[0].users, [alice.id()]);
    for bad in ["ok", "👍👍", "1", &"a".repeat(1000)] {
        assert_eq!(
            code(bob.api.react(conv, seq, bad, true).await),
            Some(ErrorCode::InvalidReaction),
            "{bad:?}"
        );
    }
    assert_eq!(
        code(carol.api.react(conv, seq, "👍", true).await),
        Some(ErrorCode::NotMember)
    );
    assert_eq!(
        code(bob.api.react(conv, 1, "👍", true).await),
        Some(ErrorCode::InvalidTarget),
        "a system event takes no reactions"
    );
}

#[tokio::test]
async fn pins_are_listed_and_follow_the_roles() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = group(&alice, &[&bob]).await;
    let first = bob.api.send(conv, "1", text("agenda")).await.unwrap();
    let second = bob.api.send(conv, "2", text("minutes")).await.unwrap();
    assert_eq!(
        code(bob.api.pin(conv, first.event.seq, true).await),
        Some(ErrorCode::Forbidden)
    );
    alice.api.pin(conv, first.event.seq, true).await.unwrap();
    let bob_device = bob.connect().await;
    let done = bob_device.client.pins(conv).await.unwrap();
    assert_eq!(done.len(), 1);
    alice.api.pin(conv, second.event.seq, true).await.unwrap();
    let pins: Vec<(u64, UserId)> = bob
        .api
        .pins(conv)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.event.seq, p.by))
        .collect();
    assert_eq!(
        pins,
        [
            (second.event.seq, alice.id()),
            (first.event.seq, alice.id())
        ]
    );
    alice.api.pin(conv, first.event.seq, false).await.unwrap();
    assert_eq!(bob.api.pins(conv).await.unwrap().len(), 1);
    // After leaving, nothing more.
    bob.api.leave(conv).await.unwrap();
    assert_eq!(
        code(bob.api.pin(conv, second.event.seq, false).await),
        Some(ErrorCode::NotMember)
    );
}

#[tokio::test]
async fn a_forward_is_attributed_and_never_leaks() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let team = group(&alice, &[&bob]).await;
    let private = alice.direct_with(&carol).await;
    let said = bob.api.send(team, "s", text("the numbers")).await.unwrap();
    let mut carol_device = carol.connect().await;
    let copies = alice
        .api
        .forward(private, team, &[said.event.seq], "fw-1")
        .await
        .unwrap();
    let got = carol_device.collect_until(private, copies[0]).await;
    let copy = got.last().unwrap();
    assert_eq!(copy.sender, alice.id());
    let Content::Text {
        text: copied,
        forwarded,
        ..
    } = &copy.content
    else {
        panic!("{copy:?}")
    };
    assert_eq!(copied, "the numbers");
    assert_eq!(
        forwarded,
        &Some(Forwarded {
            sender: bob.id(),
            ts: said.event.ts
        })
    );
    // A resend returns the same copies.
    let again = alice
        .api
        .forward(private, team, &[said.event.seq], "fw-1")
        .await
        .unwrap();
    assert_eq!(again, copies);
    // Carol cannot forward out of a conversation she is not in, nor into one.
    assert_eq!(
        code(
            carol
                .api
                .forward(private, team, &[said.event.seq], "fw-2")
                .await
        ),
        Some(ErrorCode::NotMember)
    );
    assert_eq!(
        code(
            bob.api
                .forward(private, team, &[said.event.seq], "fw-3")
                .await
        ),
        Some(ErrorCode::NotMember)
    );
    assert_eq!(
        code(alice.api.forward(private, team, &[1], "fw-4").await),
        Some(ErrorCode::InvalidTarget)
    );
    assert_eq!(
        code(alice.api.forward(private, team, &[], "fw-5").await),
        Some(ErrorCode::BadRequest)
    );
}

#[tokio::test]
async fn malformed_change_frames_are_refused_clearly() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let sent = alice.api.send(conv, "s", text("x")).await.unwrap();
    let seq = sent.event.seq;
    let (mut ws, _) = RawWs::connect(&server, &alice.token).await;
    let cases = [
        (
            json!({"type": "edit", "conv": conv, "target": seq}),
            "bad_frame",
        ),
        (
            json!({"type": "react", "conv": conv, "target": seq, "emoji": "x".repeat(1000), "added": true}),
            "invalid_reaction",
        ),
        (
            json!({"type": "forward", "conv": conv, "from": conv, "seqs": [seq], "cmid": "c".repeat(61)}),
            "bad_request",
        ),
        (
            json!({"type": "send", "conv": conv, "cmid": "f", "content": {"type": "text", "text": "x",
                   "forwarded": {"sender": 1, "ts": 1}}}),
            "bad_frame",
        ),
        (
            json!({"type": "recall", "conv": conv, "target": 999_999}),
            "invalid_target",
        ),
        (
            json!({"type": "versions", "conv": conv, "target": seq + 5}),
            "invalid_target",
        ),
    ];
    for (rid, (frame, want)) in cases.into_iter().enumerate() {
        let reply = ws.request(frame.clone(), rid as u64 + 1).await;
        assert_eq!(reply["type"], "error", "{frame}");
        assert_eq!(reply["code"], want, "{frame}: {reply}");
    }
    // The connection is still fine, and nothing was stored.
    let done = ws
        .request(
            json!({"type": "react", "conv": conv, "target": seq, "emoji": "🙂", "added": true}),
            99,
        )
        .await;
    assert_eq!(done["type"], "done");
    assert_eq!(done["seqs"], json!([seq + 1]));
    let pins = ws.request(json!({"type": "pins", "conv": conv}), 100).await;
    assert_eq!(
        (pins["type"].as_str(), pins["pins"].as_array().map(Vec::len)),
        (Some("pins"), Some(0))
    );
    let events = alice.api.history(conv, None, None).await.unwrap().events;
    assert_eq!(events.last().unwrap().seq, seq + 1);
}
