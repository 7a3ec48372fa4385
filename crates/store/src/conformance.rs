//! Behaviours every `Store` backend must have. Each backend's tests run every case here through
//! `conformance_tests!`, so the backends cannot drift apart.

use crate::{Refusal, Store, StoreError, WriteOp, WriteOutcome};
use tern_proto::{Content, ConvId, Event, SessionId, UserId};

fn text(t: &str) -> Content {
    Content::Text { text: t.into() }
}

async fn users(store: &dyn Store, names: &[&str]) -> Vec<UserId> {
    let mut ids = Vec::new();
    for n in names {
        ids.push(store.create_user(n, n, "hash").await.unwrap().id);
    }
    ids
}

async fn group(store: &dyn Store, owner: UserId, members: &[UserId]) -> ConvId {
    let op = WriteOp::CreateGroup {
        owner,
        name: "g".into(),
        members: members.to_vec(),
    };
    match store.write(vec![op]).await.unwrap().remove(0) {
        Ok(WriteOutcome::MembershipChanged { event, .. }) => event.conv,
        other => panic!("{other:?}"),
    }
}

fn append(conv: ConvId, sender: UserId, cmid: &str) -> WriteOp {
    WriteOp::Append {
        conv,
        sender,
        cmid: cmid.into(),
        content: text(cmid),
    }
}

fn appended(result: &crate::WriteResult) -> (&Event, bool) {
    match result {
        Ok(WriteOutcome::Appended { event, duplicate }) => (event, *duplicate),
        other => panic!("expected an append, got {other:?}"),
    }
}

pub async fn users_and_sessions(store: &dyn Store) {
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    assert!(matches!(
        store.create_user("alice", "x", "h").await,
        Err(StoreError::UsernameTaken)
    ));
    assert_eq!(store.user_by_username("bob").await.unwrap().unwrap().id, b);
    assert_eq!(
        store
            .credentials("alice")
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        "hash"
    );
    let renamed = store.set_display_name(a, "爱丽丝").await.unwrap();
    assert_eq!(store.user(a).await.unwrap().unwrap(), renamed);

    let s1 = store.create_session(a, b"h1", "laptop").await.unwrap();
    store.create_session(a, b"h2", "phone").await.unwrap();
    assert_eq!(
        store.session_by_token(b"h1").await.unwrap().unwrap().id,
        s1.id
    );
    assert_eq!(store.sessions(a).await.unwrap().len(), 2);
    assert!(!store.revoke_session(b, s1.id).await.unwrap(), "not bob's");
    assert!(store.revoke_session(a, s1.id).await.unwrap());
    assert!(store.session_by_token(b"h1").await.unwrap().is_none());
    assert!(!store.revoke_session(a, SessionId(999)).await.unwrap());
}

pub async fn seqs_are_gapless_within_and_across_batches(store: &dyn Store) {
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    let g1 = group(store, a, &[b]).await;
    let g2 = group(store, b, &[a]).await;
    let batch = vec![
        append(g1, a, "1"),
        append(g2, a, "2"),
        append(g1, b, "3"),
        append(g1, a, "4"),
    ];
    let results = store.write(batch).await.unwrap();
    let seqs: Vec<_> = results.iter().map(|r| appended(r).0.seq).collect();
    assert_eq!(seqs, vec![2, 2, 3, 4]);
    let next = store.write(vec![append(g1, b, "5")]).await.unwrap();
    assert_eq!(appended(&next[0]).0.seq, 5);
    let stored: Vec<_> = store
        .events_after(g1, 0, u64::MAX, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(stored, vec![1, 2, 3, 4, 5]);
}

pub async fn appends_are_idempotent_per_sender_and_client_id(store: &dyn Store) {
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[b]).await;
    let other = group(store, a, &[]).await;
    let first = store.write(vec![append(g, a, "m")]).await.unwrap();
    // Same batch, twice more; then again later; then another sender with the same id.
    let again = store
        .write(vec![
            append(g, a, "m"),
            append(g, a, "m"),
            append(g, b, "m"),
        ])
        .await
        .unwrap();
    let (original, dup) = appended(&first[0]);
    assert!(!dup);
    for r in &again[..2] {
        let (event, dup) = appended(r);
        assert!(dup);
        assert_eq!(event, original);
    }
    let (bobs, dup) = appended(&again[2]);
    assert!(!dup, "client ids are per sender");
    assert_eq!(bobs.seq, original.seq + 1);
    let reused = store.write(vec![append(other, a, "m")]).await.unwrap();
    assert_eq!(reused[0].as_ref().unwrap_err(), &Refusal::ClientIdReused);
}

pub async fn a_refused_op_leaves_no_trace_and_spares_the_batch(store: &dyn Store) {
    let [a, b, c] = users(store, &["alice", "bob", "carol"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[b]).await;
    let results = store
        .write(vec![
            append(g, a, "ok1"),
            append(g, c, "intruder"),
            WriteOp::RemoveMember {
                conv: g,
                by: b,
                user: a,
            },
            append(g, b, "ok2"),
        ])
        .await
        .unwrap();
    assert_eq!(results[1].as_ref().unwrap_err(), &Refusal::NotMember);
    assert_eq!(results[2].as_ref().unwrap_err(), &Refusal::NotOwner);
    assert_eq!(appended(&results[3]).0.seq, 3);
    let stored = store.events_after(g, 0, u64::MAX, 100).await.unwrap();
    assert_eq!(stored.len(), 3);
}

pub async fn summaries_report_only_what_changed(store: &dyn Store) {
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    let busy = group(store, a, &[b]).await;
    let quiet = group(store, a, &[b]).await;
    let (all, pos) = store.summaries(b, None, None).await.unwrap();
    assert_eq!(all.len(), 2);
    store.write(vec![append(busy, a, "x")]).await.unwrap();
    let (changed, pos2) = store.summaries(b, Some(pos), None).await.unwrap();
    assert_eq!(changed.iter().map(|c| c.id).collect::<Vec<_>>(), vec![busy]);
    assert_eq!((changed[0].last_seq, changed[0].unread), (2, 1));
    assert!(matches!(
        store.summaries(b, Some("garbage".into()), None).await,
        Err(StoreError::BadPosition)
    ));
    // A read position is a change too (for the reader only).
    let op = WriteOp::MarkRead {
        conv: busy,
        user: b,
        seq: 2,
    };
    store.write(vec![op]).await.unwrap();
    let (changed, _) = store.summaries(b, Some(pos2.clone()), None).await.unwrap();
    assert_eq!((changed.len(), changed[0].unread), (1, 0));
    assert!(
        store
            .summaries(a, Some(pos2), None)
            .await
            .unwrap()
            .0
            .is_empty()
    );
    let _ = quiet;
}

pub async fn unread_counts_only_messages_from_others(store: &dyn Store) {
    let [a, b, c] = users(store, &["alice", "bob", "carol"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[b]).await;
    store
        .write(vec![
            append(g, a, "1"),
            WriteOp::AddMembers {
                conv: g,
                by: a,
                users: vec![c],
            },
            append(g, b, "own"),
            append(g, a, "2"),
        ])
        .await
        .unwrap();
    // Bob sent seq 4, which marks everything before it read; alice's seq 5 is unread.
    let bob = store.summary(b, g).await.unwrap().unwrap();
    assert_eq!((bob.read_seq, bob.unread), (4, 1));
    // Carol joined at seq 3: later messages only.
    let carol = store.summary(c, g).await.unwrap().unwrap();
    assert_eq!((carol.read_seq, carol.unread), (3, 2));
}

pub async fn leaving_caps_what_a_member_sees(store: &dyn Store) {
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[b]).await;
    let op = WriteOp::RemoveMember {
        conv: g,
        by: b,
        user: b,
    };
    store.write(vec![op]).await.unwrap();
    store.write(vec![append(g, a, "after")]).await.unwrap();
    let bob = store.summary(b, g).await.unwrap().unwrap();
    assert!(!bob.active);
    assert_eq!(bob.last_seq, 2);
    let member = store.membership(g, b).await.unwrap().unwrap();
    assert_eq!(member.left_seq, Some(2));
    assert_eq!(store.members(g).await.unwrap().len(), 1);
    assert!(store.conversation_ids(b).await.unwrap().is_empty());
    assert_eq!(store.conversation_ids(a).await.unwrap(), vec![g]);
}

pub async fn direct_conversations_are_one_per_pair(store: &dyn Store) {
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    let open = |x, y| WriteOp::OpenDirect { a: x, b: y };
    let results = store.write(vec![open(a, b), open(b, a)]).await.unwrap();
    let convs: Vec<_> = results
        .iter()
        .map(|r| match r {
            Ok(WriteOutcome::DirectOpened { conv, created }) => (*conv, *created),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(convs[0].0, convs[1].0);
    assert_eq!((convs[0].1, convs[1].1), (true, false));
    let refused = store
        .write(vec![open(a, a), open(a, UserId(99))])
        .await
        .unwrap();
    assert_eq!(refused[0].as_ref().unwrap_err(), &Refusal::DirectWithSelf);
    assert_eq!(
        refused[1].as_ref().unwrap_err(),
        &Refusal::UserNotFound(UserId(99))
    );
}

pub async fn history_pages_are_bounded(store: &dyn Store) {
    let [a] = users(store, &["alice"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[]).await;
    let ops = (0..9).map(|i| append(g, a, &i.to_string())).collect();
    store.write(ops).await.unwrap();
    let seqs = |v: Vec<Event>| v.iter().map(|e| e.seq).collect::<Vec<_>>();
    assert_eq!(
        seqs(store.events_before(g, 11, 3).await.unwrap()),
        vec![8, 9, 10]
    );
    assert_eq!(
        seqs(store.events_before(g, 3, 5).await.unwrap()),
        vec![1, 2]
    );
    assert_eq!(
        seqs(store.events_after(g, 4, 6, 10).await.unwrap()),
        vec![5, 6]
    );
}

/// Writers racing on one conversation (as several nodes' committers do) still get unique,
/// gapless seqs, and every write lands exactly once.
pub async fn concurrent_writers_get_unique_gapless_seqs(store: &dyn Store) {
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[b]).await;
    let other = group(store, b, &[a]).await;
    let writers = (0..6).map(|w| async move {
        let mut seqs = Vec::new();
        for i in 0..10 {
            let sender = if w % 2 == 0 { a } else { b };
            let batch = vec![
                append(g, sender, &format!("{w}-{i}")),
                append(other, sender, &format!("{w}-{i}-o")),
            ];
            let results = store.write(batch).await.unwrap();
            seqs.push(appended(&results[0]).0.seq);
        }
        seqs
    });
    let mut seqs: Vec<u64> = futures_util::future::join_all(writers)
        .await
        .into_iter()
        .flatten()
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (2..62).collect::<Vec<u64>>());
    let stored = store.events_after(g, 0, u64::MAX, 100).await.unwrap();
    assert_eq!(stored.len(), 61);
}

/// Generates one `#[tokio::test]` per conformance case for a backend. `$open` is an async
/// expression yielding `Some((guard, store))`, where the guard keeps the backend's resources
/// alive, or `None` when the backend's server is unreachable (the test is then skipped loudly).
/// The list of cases is here, once: a backend cannot leave one out. A new case is added to it.
#[macro_export]
macro_rules! conformance_tests {
    ($open:expr) => {
        $crate::conformance_tests!(@cases $open;
            users_and_sessions,
            seqs_are_gapless_within_and_across_batches,
            appends_are_idempotent_per_sender_and_client_id,
            a_refused_op_leaves_no_trace_and_spares_the_batch,
            summaries_report_only_what_changed,
            unread_counts_only_messages_from_others,
            leaving_caps_what_a_member_sees,
            direct_conversations_are_one_per_pair,
            history_pages_are_bounded,
            concurrent_writers_get_unique_gapless_seqs,
            positions_from_the_future_or_forged_are_refused,
            member_lists_are_checked_as_sets,
            summaries_page_through_every_conversation_once,
            followers_get_every_committed_event_once_in_order,
        );
    };
    (@cases $open:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let Some((_guard, store)) = $open.await else {
                    return;
                };
                $crate::conformance::$case(&store).await;
            }
        )*
    };
}

pub async fn positions_from_the_future_or_forged_are_refused(store: &dyn Store) {
    let [a] = users(store, &["alice"]).await[..] else {
        unreachable!()
    };
    let (_, pos) = store.summaries(a, None, None).await.unwrap();
    assert!(store.summaries(a, Some(pos), None).await.is_ok());
    // Both backends' forms, far ahead of any real position, and forms no backend writes.
    for forged in [
        "999999999999",
        "999999990:999999999:",
        "5:3:",
        "1:9:12",
        "-1",
        "1e9",
    ] {
        assert!(
            matches!(
                store.summaries(a, Some(forged.into()), None).await,
                Err(StoreError::BadPosition)
            ),
            "{forged}"
        );
    }
}

pub async fn member_lists_are_checked_as_sets(store: &dyn Store) {
    let [a, b, c] = users(store, &["alice", "bob", "carol"]).await[..] else {
        unreachable!()
    };
    let mut found: Vec<UserId> = store
        .users(&[c, UserId(999_999), a, a])
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    found.sort();
    assert_eq!(found, [a, c]);
    // Duplicates collapse, the owner is not added twice, and a missing user refuses the op.
    let create = |members: Vec<UserId>| WriteOp::CreateGroup {
        owner: a,
        name: "g".into(),
        members,
    };
    let missing = UserId(999_999);
    let results = store
        .write(vec![
            create(vec![b, b, a, missing, c]),
            create(vec![b, b, a]),
        ])
        .await
        .unwrap();
    assert_eq!(
        results[0].as_ref().err(),
        Some(&Refusal::UserNotFound(missing))
    );
    let conv = match &results[1] {
        Ok(WriteOutcome::MembershipChanged { event, notify }) => {
            assert_eq!(notify, &[a, b]);
            event.conv
        }
        other => panic!("{other:?}"),
    };
    let add = WriteOp::AddMembers {
        conv,
        by: b,
        users: vec![c, c, b, a],
    };
    match store.write(vec![add]).await.unwrap().remove(0) {
        Ok(WriteOutcome::MembershipChanged { notify, .. }) => assert_eq!(notify, [a, b, c]),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.members(conv).await.unwrap().len(), 3);
}

pub async fn summaries_page_through_every_conversation_once(store: &dyn Store) {
    use crate::SummaryPage;
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    let mut convs = Vec::new();
    for _ in 0..7 {
        convs.push(group(store, a, &[b]).await);
    }
    let (_, since) = store.summaries(b, None, None).await.unwrap();
    let mut seen = Vec::new();
    let mut after = ConvId(0);
    loop {
        let page = Some(SummaryPage { after, limit: 3 });
        let (found, _) = store.summaries(b, None, page).await.unwrap();
        assert!(found.len() <= 3);
        let Some(last) = found.last() else { break };
        after = last.id;
        seen.extend(found.iter().map(|s| s.id));
    }
    assert_eq!(seen, convs, "every conversation once, in id order");
    // With a position, pages hold only what changed since.
    store
        .write(vec![append(convs[5], a, "x"), append(convs[1], a, "y")])
        .await
        .unwrap();
    let page = Some(SummaryPage {
        after: ConvId(0),
        limit: 3,
    });
    let (changed, _) = store.summaries(b, Some(since), page).await.unwrap();
    let ids: Vec<ConvId> = changed.iter().map(|s| s.id).collect();
    assert_eq!(ids, [convs[1], convs[5]]);
}

pub async fn followers_get_every_committed_event_once_in_order(store: &dyn Store) {
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    let g1 = group(store, a, &[b]).await;
    store.write(vec![append(g1, a, "before")]).await.unwrap();
    let now = 1_000;
    let (mut pos, state) = store
        .follower_claim("audit", "node-a", now + 100, now)
        .await
        .unwrap()
        .expect("a free follower is claimed");
    assert_eq!(state, "");
    assert!(
        store
            .follower_claim("audit", "node-b", now + 100, now + 50)
            .await
            .unwrap()
            .is_none(),
        "held by node-a until its lease ends"
    );
    // Written after the first claim, over several batches and conversations.
    let g2 = group(store, b, &[a]).await;
    for i in 0..4 {
        store
            .write(vec![
                append(g1, a, &format!("g1-{i}")),
                append(g2, b, &format!("g2-{i}")),
            ])
            .await
            .unwrap();
    }
    let mut seen: Vec<(ConvId, u64)> = Vec::new();
    loop {
        let (events, next) = store.follower_read(&pos, 3).await.unwrap();
        assert!(events.len() <= 3);
        pos = next;
        if events.is_empty() {
            break;
        }
        seen.extend(events.iter().map(|e| (e.conv, e.seq)));
    }
    let of = |conv| {
        seen.iter()
            .filter(move |(c, _)| *c == conv)
            .map(|(_, s)| *s)
    };
    assert_eq!(
        of(g1).collect::<Vec<_>>(),
        [3, 4, 5, 6],
        "after the claim, in order"
    );
    assert_eq!(of(g2).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    assert!(
        store
            .follower_save("audit", "node-a", &pos, "9", now + 200)
            .await
            .unwrap()
    );
    // The lease lapses; node-b takes over where node-a saved, and node-a can no longer save.
    let (taken, state) = store
        .follower_claim("audit", "node-b", now + 1_000, now + 300)
        .await
        .unwrap()
        .expect("an expired lease is taken over");
    assert_eq!((taken.as_str(), state.as_str()), (pos.as_str(), "9"));
    assert!(
        !store
            .follower_save("audit", "node-a", &pos, "10", now + 400)
            .await
            .unwrap()
    );
    store.write(vec![append(g2, b, "later")]).await.unwrap();
    let (events, _) = store.follower_read(&taken, 10).await.unwrap();
    assert_eq!(
        events.iter().map(|e| (e.conv, e.seq)).collect::<Vec<_>>(),
        [(g2, 6)]
    );
    assert!(matches!(
        store.follower_read(&"x|y".to_string(), 10).await,
        Err(StoreError::BadPosition)
    ));
}
