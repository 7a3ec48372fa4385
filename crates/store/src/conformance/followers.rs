//! Conformance: Followers of the commit log.

use super::*;

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
