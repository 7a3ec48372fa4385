//! Conformance: read receipts, the settings that hide them, and what sync reports of them.

use super::*;
use crate::RECEIPTS_SYNC_MAX;
use tern_proto::{ConversationReceipts, Receipt};

fn read(conv: ConvId, user: UserId, seq: u64) -> WriteOp {
    WriteOp::MarkRead { conv, user, seq }
}

pub async fn receipts_list_the_members_who_share_them(store: &dyn Store) {
    let [a, b, c] = users(store, &["alice", "bob", "carol"]).await[..] else {
        unreachable!()
    };
    let conv = group(store, a, &[b, c]).await;
    store
        .write(vec![
            append(conv, a, "1"),
            append(conv, a, "2"),
            read(conv, b, 3),
        ])
        .await
        .unwrap();
    // Sending reads up to one's own message; joining reads up to the joining event.
    let everyone = [Receipt::at(a, 3), Receipt::at(b, 3), Receipt::at(c, 1)];
    assert_eq!(store.receipts(conv).await.unwrap(), everyone);
    assert!(store.receipts_hidden().await.unwrap().is_empty());

    let hidden = store
        .update_settings(c, sharing(Some(false)))
        .await
        .unwrap();
    assert!(!hidden.share_receipts);
    let unchanged = store.update_settings(c, sharing(None)).await.unwrap();
    assert!(!unchanged.share_receipts, "a setting left out stays");
    assert!(!store.settings(c).await.unwrap().unwrap().share_receipts);
    assert_eq!(store.receipts(conv).await.unwrap(), everyone[..2]);
    assert_eq!(store.receipts_hidden().await.unwrap(), [c]);

    // A member who left is nobody's reader any more.
    let leave = WriteOp::RemoveMember {
        conv,
        by: b,
        user: b,
    };
    store.write(vec![leave]).await.unwrap();
    assert_eq!(store.receipts(conv).await.unwrap(), everyone[..1]);
    assert!(store.settings(UserId(999)).await.unwrap().is_none());
    assert_eq!(store.positions_of(c).await.unwrap(), [(conv, 1)]);
    assert!(store.positions_of(b).await.unwrap().is_empty(), "bob left");
    // Reading what he can still see moves bob's position, but it is nobody's receipt.
    store.write(vec![append(conv, a, "3")]).await.unwrap();
    let outcome = store
        .write(vec![read(conv, b, 99)])
        .await
        .unwrap()
        .remove(0);
    assert!(
        matches!(outcome, Ok(WriteOutcome::ReadMoved { active: false, .. })),
        "{outcome:?}"
    );
}

pub async fn receipts_since_report_what_others_read(store: &dyn Store) {
    let [a, b, c] = users(store, &["alice", "bob", "carol"]).await[..] else {
        unreachable!()
    };
    let conv = group(store, a, &[b, c]).await;
    store.write(vec![append(conv, a, "1")]).await.unwrap();
    let (_, pos) = store.summaries(a, None, None).await.unwrap();
    store
        .update_settings(c, sharing(Some(false)))
        .await
        .unwrap();
    store
        .write(vec![read(conv, b, 2), read(conv, c, 2)])
        .await
        .unwrap();
    let (changed, pos2) = store.summaries(a, Some(pos.clone()), None).await.unwrap();
    assert_eq!(changed.iter().map(|s| s.id).collect::<Vec<_>>(), [conv]);
    let moved = store.receipts_since(a, vec![conv], pos).await.unwrap();
    assert_eq!(
        moved,
        [ConversationReceipts {
            conv,
            receipts: vec![Receipt::at(b, 2)],
            partial: false,
        }],
        "bob's read, not carol's (hidden) nor alice's own"
    );
    // Reported once: nothing moved since.
    assert!(
        store
            .receipts_since(a, vec![conv], pos2.clone())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store.receipts_since(a, vec![conv], "garbage".into()).await,
        Err(StoreError::BadPosition)
    ));
    // A sender's own message moves their position too.
    store.write(vec![append(conv, b, "2")]).await.unwrap();
    let moved = store.receipts_since(a, vec![conv], pos2).await.unwrap();
    assert_eq!(moved[0].receipts, [Receipt::at(b, 3)]);
}

pub async fn receipts_since_are_bounded_per_conversation(store: &dyn Store) {
    let names: Vec<String> = (0..=RECEIPTS_SYNC_MAX + 1)
        .map(|i| format!("u{i}"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let ids = users(store, &names).await;
    let (owner, readers) = (ids[0], &ids[1..]);
    let conv = group(store, owner, readers).await;
    store.write(vec![append(conv, owner, "1")]).await.unwrap();
    let (_, pos) = store.summaries(owner, None, None).await.unwrap();
    let reads = readers.iter().map(|&u| read(conv, u, 2)).collect();
    store.write(reads).await.unwrap();
    let moved = store.receipts_since(owner, vec![conv], pos).await.unwrap();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].receipts.len(), RECEIPTS_SYNC_MAX);
    assert!(moved[0].partial, "{} moved", readers.len());
}

fn sharing(share_receipts: Option<bool>) -> tern_proto::rest::SettingsRequest {
    tern_proto::rest::SettingsRequest {
        share_receipts,
        direct_from: None,
        groups_from: None,
    }
}
