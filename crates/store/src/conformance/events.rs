//! Conformance: The write batch: seqs, idempotent appends, refusals, history pages.

use super::*;

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
    assert_eq!(results[2].as_ref().unwrap_err(), &Refusal::NotAdmin);
    assert_eq!(appended(&results[3]).0.seq, 3);
    let stored = store.events_after(g, 0, u64::MAX, 100).await.unwrap();
    assert_eq!(stored.len(), 3);
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
