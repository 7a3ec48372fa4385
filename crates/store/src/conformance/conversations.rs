//! Conformance: Conversations, members and the summaries behind sync.

use super::*;

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
    // A read position is a change too: for the reader, and for the others (a read receipt).
    let op = WriteOp::MarkRead {
        conv: busy,
        user: b,
        seq: 2,
    };
    store.write(vec![op]).await.unwrap();
    let (changed, _) = store.summaries(b, Some(pos2.clone()), None).await.unwrap();
    assert_eq!((changed.len(), changed[0].unread), (1, 0));
    let (for_a, _) = store.summaries(a, Some(pos2), None).await.unwrap();
    assert_eq!(for_a.iter().map(|c| c.id).collect::<Vec<_>>(), vec![busy]);
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

pub async fn member_preferences_are_kept_and_reported_to_the_member(store: &dyn Store) {
    let [a, b, c] = users(store, &["alice", "bob", "carol"]).await[..] else {
        unreachable!()
    };
    let g = group(store, a, &[b]).await;
    let (_, pos) = store.summaries(a, None, None).await.unwrap();
    let preferences =
        |user: UserId, notify: Option<NotifyLevel>, top: Option<bool>| WriteOp::Preferences {
            conv: g,
            user,
            notify,
            top,
        };
    let outcome = |r: crate::WriteResult| match r {
        Ok(WriteOutcome::PreferencesChanged {
            notify,
            top,
            changed,
            ..
        }) => (notify, top.is_some(), changed),
        other => panic!("{other:?}"),
    };
    let results = store
        .write(vec![
            preferences(a, Some(NotifyLevel::Muted), Some(true)),
            preferences(a, Some(NotifyLevel::Muted), None),
            preferences(c, Some(NotifyLevel::Muted), None),
        ])
        .await
        .unwrap();
    let mut results = results.into_iter();
    assert_eq!(
        outcome(results.next().unwrap()),
        (NotifyLevel::Muted, true, true)
    );
    assert_eq!(
        outcome(results.next().unwrap()),
        (NotifyLevel::Muted, true, false),
        "the same again changes nothing"
    );
    assert_eq!(results.next().unwrap().err(), Some(Refusal::NotMember));
    // Reported to alice by sync, with her preferences; bob's are his own.
    let (changed, _) = store.summaries(a, Some(pos.clone()), None).await.unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].notify, NotifyLevel::Muted);
    assert!(changed[0].top.is_some());
    let (for_bob, _) = store.summaries(b, Some(pos), None).await.unwrap();
    assert!(for_bob.is_empty(), "alice's preferences are not bob's news");
    let bob = store.summary(b, g).await.unwrap().unwrap();
    assert_eq!((bob.notify, bob.top), (NotifyLevel::All, None));
    let off = store
        .write(vec![preferences(
            a,
            Some(NotifyLevel::Mentions),
            Some(false),
        )])
        .await
        .unwrap();
    assert_eq!(
        outcome(off.into_iter().next().unwrap()),
        (NotifyLevel::Mentions, false, true)
    );
}
