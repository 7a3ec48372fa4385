//! Conformance: replies, mentions and the changes to messages (edit, recall, reaction, pin,
//! forward).

use super::*;
use tern_proto::{Forwarded, Reactions};

fn said(text: &str) -> Content {
    Content::text(text)
}

fn with(content: Content, edit: impl FnOnce(&mut Content)) -> Content {
    let mut content = content;
    edit(&mut content);
    content
}

fn reply(text: &str, to: u64) -> Content {
    with(said(text), |c| {
        if let Content::Text { reply_to, .. } = c {
            *reply_to = Some(to);
        }
    })
}

fn mention(text: &str, users: &[UserId], all: bool) -> Content {
    with(said(text), |c| {
        if let Content::Text {
            mentions,
            mention_all,
            ..
        } = c
        {
            *mentions = users.to_vec();
            *mention_all = all;
        }
    })
}

async fn one(store: &dyn Store, op: WriteOp) -> crate::WriteResult {
    store.write(vec![op]).await.unwrap().remove(0)
}

async fn send(store: &dyn Store, conv: ConvId, sender: UserId, cmid: &str, c: Content) -> u64 {
    let op = WriteOp::Append {
        conv,
        sender,
        cmid: cmid.into(),
        content: c,
    };
    appended(&one(store, op).await).0.seq
}

/// The single new event of a change.
fn change(result: crate::WriteResult) -> Event {
    match result {
        Ok(WriteOutcome::Changed {
            mut events,
            duplicate: false,
        }) if events.len() == 1 => events.remove(0),
        other => panic!("expected one change, got {other:?}"),
    }
}

async fn message(store: &dyn Store, conv: ConvId, seq: u64) -> Event {
    store
        .events_after(conv, seq - 1, seq, 1)
        .await
        .unwrap()
        .remove(0)
}

pub async fn replies_and_mentions_are_checked(store: &dyn Store) {
    let [a, b, c] = users(store, &["alice", "bob", "carol"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[b]).await;
    let hello = send(store, g, b, "hello", said("hello")).await;
    let append = |cmid: &str, content: Content| WriteOp::Append {
        conv: g,
        sender: b,
        cmid: cmid.into(),
        content,
    };
    let refused = store
        .write(vec![
            append("r1", reply("to nothing", 99)),
            append("r2", reply("to the group's creation", 1)),
            append("m1", mention("carol?", &[c], false)),
            append("m2", mention("everyone", &[], true)),
        ])
        .await
        .unwrap();
    assert_eq!(
        refused.into_iter().map(|r| r.err()).collect::<Vec<_>>(),
        [
            Some(Refusal::InvalidTarget),
            Some(Refusal::InvalidTarget),
            Some(Refusal::MentionedNonMember(c)),
            Some(Refusal::MentionAllNotAllowed),
        ]
    );
    let answer = send(store, g, a, "ans", reply("hi @bob", hello)).await;
    let stored = message(store, g, answer).await;
    assert!(matches!(stored.content, Content::Text { reply_to: Some(r), .. } if r == hello));
    send(store, g, a, "all", mention("@all lunch", &[], true)).await;
    // Not a member of the conversation: that is the answer, whatever the reply names.
    let outsider = WriteOp::Append {
        conv: g,
        sender: c,
        cmid: "x".into(),
        content: reply("x", hello),
    };
    assert_eq!(one(store, outsider).await.err(), Some(Refusal::NotMember));
    // A resend is answered as before, even after what it replied to was recalled.
    let recall = WriteOp::Recall {
        conv: g,
        by: b,
        target: hello,
        window_ms: None,
    };
    change(one(store, recall).await);
    let again = WriteOp::Append {
        conv: g,
        sender: a,
        cmid: "ans".into(),
        content: reply("hi @bob", hello),
    };
    let resent = one(store, again).await;
    assert_eq!(appended(&resent), (&stored, true));
    // @all is for groups.
    let direct = match one(store, WriteOp::OpenDirect { a, b }).await {
        Ok(WriteOutcome::DirectOpened { conv, .. }) => conv,
        other => panic!("{other:?}"),
    };
    let op = WriteOp::Append {
        conv: direct,
        sender: a,
        cmid: "d".into(),
        content: mention("hey", &[], true),
    };
    assert_eq!(
        one(store, op).await.err(),
        Some(Refusal::MentionAllNotAllowed)
    );
}

pub async fn unread_mentions_are_exact(store: &dyn Store) {
    let [a, b, c] = users(store, &["alice", "bob", "carol"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[b, c]).await;
    let to_bob = send(store, g, c, "1", mention("@bob", &[b, b, c], false)).await;
    send(store, g, a, "2", mention("@all and @bob", &[b], true)).await;
    send(store, g, a, "3", said("no mention")).await;
    let bob = store.summary(b, g).await.unwrap().unwrap();
    assert_eq!((bob.unread, bob.unread_mentions), (3, 2));
    // Carol mentioned herself: that is not a mention of her; alice's @all is.
    let carol = store.summary(c, g).await.unwrap().unwrap();
    assert_eq!(carol.unread_mentions, 1);
    let recall = WriteOp::Recall {
        conv: g,
        by: c,
        target: to_bob,
        window_ms: None,
    };
    change(one(store, recall).await);
    // A recalled message is no longer a message: neither unread nor a mention.
    let bob = store.summary(b, g).await.unwrap().unwrap();
    assert_eq!((bob.unread, bob.unread_mentions), (2, 1), "{bob:?}");
    let read = WriteOp::MarkRead {
        conv: g,
        user: b,
        seq: bob.last_seq,
    };
    one(store, read).await.unwrap();
    let bob = store.summary(b, g).await.unwrap().unwrap();
    assert_eq!((bob.unread, bob.unread_mentions), (0, 0));
}

pub async fn edits_keep_every_version(store: &dyn Store) {
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[b]).await;
    let hi = send(store, g, a, "hi", said("hi")).await;
    let seq = send(store, g, b, "m", reply("helo", hi)).await;
    let edit = |by: UserId, text: &str, window_ms: Option<i64>| WriteOp::Edit {
        conv: g,
        by,
        target: seq,
        text: text.into(),
        window_ms,
    };
    assert_eq!(
        one(store, edit(a, "not yours", None)).await.err(),
        Some(Refusal::NotSender)
    );
    // A window that closed before the message was sent.
    assert_eq!(
        one(store, edit(b, "late", Some(-1))).await.err(),
        Some(Refusal::TooLate)
    );
    let first = change(one(store, edit(b, "hello", None)).await);
    assert_eq!(
        first.content,
        Content::Edit {
            target: seq,
            text: "hello".into()
        }
    );
    assert!(matches!(
        one(store, edit(b, "hello", None)).await,
        Ok(WriteOutcome::Unchanged)
    ));
    let second = change(one(store, edit(b, "hello!", Some(86_400_000))).await);
    let now = message(store, g, seq).await;
    // The reply survives the edit; the row says what changed it last.
    assert!(
        matches!(&now.content, Content::Text { text, reply_to: Some(r), .. } if text == "hello!" && *r == hi)
    );
    assert_eq!((now.rev, now.edited), (Some(second.seq), Some(second.ts)));
    let texts: Vec<String> = store
        .versions(g, seq)
        .await
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|(text, _)| text)
        .collect();
    assert_eq!(texts, ["helo", "hello", "hello!"]);
    // A system event is not a message.
    let op = WriteOp::Edit {
        conv: g,
        by: a,
        target: 1,
        text: "x".into(),
        window_ms: None,
    };
    assert_eq!(one(store, op).await.err(), Some(Refusal::InvalidTarget));
}

pub async fn recalls_erase_the_message(store: &dyn Store) {
    let [a, b, c] = users(store, &["alice", "bob", "carol"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[b, c]).await;
    let seq = send(store, g, b, "m", mention("secret @carol", &[c], false)).await;
    let edit = WriteOp::Edit {
        conv: g,
        by: b,
        target: seq,
        text: "secret 2".into(),
        window_ms: None,
    };
    let edited = change(one(store, edit).await);
    let react = WriteOp::React {
        conv: g,
        by: c,
        target: seq,
        emoji: "👍".into(),
        added: true,
    };
    change(one(store, react).await);
    let recall = |by: UserId, window_ms: Option<i64>| WriteOp::Recall {
        conv: g,
        by,
        target: seq,
        window_ms,
    };
    assert_eq!(
        one(store, recall(c, None)).await.err(),
        Some(Refusal::NotSender)
    );
    assert_eq!(
        one(store, recall(b, Some(-1))).await.err(),
        Some(Refusal::TooLate)
    );
    // The owner may recall anyone's message, at any time.
    let recalled = change(one(store, recall(a, Some(-1))).await);
    assert_eq!(recalled.content, Content::Recall { target: seq });
    let now = message(store, g, seq).await;
    assert_eq!(now.content, Content::Recalled { by: a });
    assert_eq!((now.rev, now.reactions.len()), (Some(recalled.seq), 0));
    assert_eq!(store.versions(g, seq).await.unwrap(), None);
    let erased = message(store, g, edited.seq).await;
    assert_eq!(
        erased.content,
        Content::Edit {
            target: seq,
            text: String::new()
        }
    );
    // The preview (the recalled message is the latest) shows it recalled; twice is a no-op.
    let carol = store.summary(c, g).await.unwrap().unwrap();
    assert_eq!(
        carol.last_event.unwrap().content,
        Content::Recalled { by: a }
    );
    assert_eq!(carol.unread_mentions, 0);
    assert!(matches!(
        one(store, recall(b, None)).await,
        Ok(WriteOutcome::Unchanged)
    ));
    // A recalled message takes no more changes.
    let react = WriteOp::React {
        conv: g,
        by: c,
        target: seq,
        emoji: "👍".into(),
        added: true,
    };
    assert_eq!(one(store, react).await.err(), Some(Refusal::InvalidTarget));
}

pub async fn reactions_are_per_user_and_emoji(store: &dyn Store) {
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[b]).await;
    let seq = send(store, g, a, "m", said("lunch?")).await;
    let react = |by: UserId, emoji: &str, added: bool| WriteOp::React {
        conv: g,
        by,
        target: seq,
        emoji: emoji.into(),
        added,
    };
    change(one(store, react(b, "👍", true)).await);
    assert!(matches!(
        one(store, react(b, "👍", true)).await,
        Ok(WriteOutcome::Unchanged)
    ));
    change(one(store, react(a, "👍", true)).await);
    let last = change(one(store, react(a, "🍜", true)).await);
    let now = message(store, g, seq).await;
    assert_eq!(
        now.reactions,
        [
            Reactions {
                emoji: "👍".into(),
                users: vec![b, a]
            },
            Reactions {
                emoji: "🍜".into(),
                users: vec![a]
            },
        ]
    );
    assert_eq!(now.rev, Some(last.seq));
    change(one(store, react(b, "👍", false)).await);
    assert!(matches!(
        one(store, react(b, "👍", false)).await,
        Ok(WriteOutcome::Unchanged)
    ));
    let page = store.events_before(g, u64::MAX, 10).await.unwrap();
    let now = page.iter().find(|e| e.seq == seq).unwrap();
    assert_eq!(now.reactions[0].users, vec![a]);
    // Changes are in the seq order, but are neither unread nor the preview.
    let bob = store.summary(b, g).await.unwrap().unwrap();
    assert_eq!(bob.last_seq, page.last().unwrap().seq);
    assert_eq!(bob.unread, 1);
    assert_eq!(bob.last_event.unwrap().seq, seq);
}

pub async fn pins_follow_the_roles(store: &dyn Store) {
    let [a, b, c] = users(store, &["alice", "bob", "carol"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[b, c]).await;
    let seq = send(store, g, b, "m", said("the plan")).await;
    let pin = |by: UserId, target: u64, pinned: bool| WriteOp::Pin {
        conv: g,
        by,
        target,
        pinned,
    };
    assert_eq!(
        one(store, pin(b, seq, true)).await.err(),
        Some(Refusal::NotAdmin)
    );
    assert_eq!(
        one(store, pin(a, 1, true)).await.err(),
        Some(Refusal::InvalidTarget)
    );
    change(one(store, pin(a, seq, true)).await);
    assert!(matches!(
        one(store, pin(a, seq, true)).await,
        Ok(WriteOutcome::Unchanged)
    ));
    let pins = store.pins(g).await.unwrap();
    assert_eq!((pins.len(), pins[0].event.seq, pins[0].by), (1, seq, a));
    // In a direct conversation either member may pin.
    let direct = match one(store, WriteOp::OpenDirect { a: b, b: c }).await {
        Ok(WriteOutcome::DirectOpened { conv, .. }) => conv,
        other => panic!("{other:?}"),
    };
    let note = send(store, direct, b, "d", said("note")).await;
    let op = WriteOp::Pin {
        conv: direct,
        by: c,
        target: note,
        pinned: true,
    };
    change(one(store, op).await);
    // A member who left may not.
    let leave = WriteOp::RemoveMember {
        conv: g,
        by: a,
        user: a,
    };
    one(store, leave).await.unwrap();
    assert_eq!(
        one(store, pin(a, seq, false)).await.err(),
        Some(Refusal::NotMember)
    );
}

pub async fn forwards_copy_only_what_the_sender_can_read(store: &dyn Store) {
    let [a, b, c] = users(store, &["alice", "bob", "carol"]).await[..] else {
        unreachable!()
    };
    let source = group(store, a, &[b]).await;
    let first = send(store, source, b, "s1", said("one")).await;
    let second = send(store, source, a, "s2", said("two")).await;
    let into = group(store, a, &[c]).await;
    let forward = |by: UserId, from: ConvId, seqs: Vec<u64>, cmid: &str| WriteOp::Forward {
        conv: into,
        by,
        from,
        seqs,
        cmid: cmid.into(),
    };
    // Carol is not in the source; a system event is not a message.
    assert_eq!(
        one(store, forward(c, source, vec![first], "f0"))
            .await
            .err(),
        Some(Refusal::NotMember)
    );
    assert_eq!(
        one(store, forward(a, source, vec![1], "f0")).await.err(),
        Some(Refusal::InvalidTarget)
    );
    let copies = match one(store, forward(a, source, vec![first, second], "f1")).await {
        Ok(WriteOutcome::Changed {
            events,
            duplicate: false,
        }) => events,
        other => panic!("{other:?}"),
    };
    let attributions: Vec<_> = copies
        .iter()
        .map(|e| match &e.content {
            Content::Text {
                text, forwarded, ..
            } => (text.clone(), forwarded.clone().map(|f| f.sender), e.sender),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        attributions,
        [("one".into(), Some(b), a), ("two".into(), Some(a), a)]
    );
    assert_eq!(copies[0].cmid.as_deref(), Some("f1/1"));
    // A resend gets the same copies; a forward of a forward names the original author.
    match one(store, forward(a, source, vec![first, second], "f1")).await {
        Ok(WriteOutcome::Changed {
            events,
            duplicate: true,
        }) => assert_eq!(events, copies),
        other => panic!("{other:?}"),
    }
    let again = WriteOp::Forward {
        conv: source,
        by: a,
        from: into,
        seqs: vec![copies[0].seq],
        cmid: "f2".into(),
    };
    let copy = change(one(store, again).await);
    let Content::Text { forwarded, .. } = copy.content else {
        panic!()
    };
    assert_eq!(
        forwarded,
        Some(Forwarded {
            sender: b,
            ts: message(store, source, first).await.ts
        })
    );
}
