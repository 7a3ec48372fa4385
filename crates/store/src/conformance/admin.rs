//! Group administration: the rules of who may post (a mute ends at its time, mute-all spares
//! admins), and dissolving a group, the same on every backend.

use super::*;
use crate::{MUTED_UNTIL_LIFTED, now_ms};
use tern_proto::MemberRole;

async fn one(store: &dyn Store, op: WriteOp) -> crate::WriteResult {
    store.write(vec![op]).await.unwrap().remove(0)
}

pub async fn posting_follows_mutes_and_mute_all(store: &dyn Store) {
    let ids = users(store, &["a", "b", "c"]).await;
    let (a, b, c) = (ids[0], ids[1], ids[2]);
    let g = group(store, a, &[b, c]).await;
    let mute = |user, until| WriteOp::Mute {
        conv: g,
        by: a,
        user,
        until,
    };
    one(store, mute(b, Some(MUTED_UNTIL_LIFTED))).await.unwrap();
    let refused = one(store, append(g, b, "b1")).await.unwrap_err();
    assert_eq!(
        refused,
        Refusal::Muted {
            until: MUTED_UNTIL_LIFTED
        }
    );
    // A mute whose time has come is no mute.
    one(store, mute(c, Some(now_ms() - 1))).await.unwrap();
    appended(&one(store, append(g, c, "c1")).await);
    one(store, mute(b, None)).await.unwrap();
    appended(&one(store, append(g, b, "b2")).await);

    let set_role = WriteOp::SetRole {
        conv: g,
        by: a,
        user: b,
        role: MemberRole::Admin,
    };
    one(store, set_role).await.unwrap();
    one(
        store,
        WriteOp::MuteAll {
            conv: g,
            by: b,
            muted: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        one(store, append(g, c, "c2")).await.unwrap_err(),
        Refusal::AllMuted
    );
    appended(&one(store, append(g, b, "b3")).await);
    appended(&one(store, append(g, a, "a1")).await);
    let summary = store.summary(c, g).await.unwrap().unwrap();
    assert!(summary.all_muted);
    let refused = one(
        store,
        WriteOp::Mute {
            conv: g,
            by: b,
            user: a,
            until: None,
        },
    )
    .await;
    assert_eq!(refused.unwrap_err(), Refusal::Outranked);
}

pub async fn dissolving_removes_everyone_and_keeps_the_history(store: &dyn Store) {
    let ids = users(store, &["a", "b"]).await;
    let (a, b) = (ids[0], ids[1]);
    let g = group(store, a, &[b]).await;
    appended(&one(store, append(g, b, "hello")).await);
    let refused = one(store, WriteOp::Dissolve { conv: g, by: b }).await;
    assert_eq!(refused.unwrap_err(), Refusal::NotOwner);
    match one(store, WriteOp::Dissolve { conv: g, by: a }).await {
        Ok(WriteOutcome::MembershipChanged { event, notify }) => {
            assert_eq!(event.seq, 3);
            assert_eq!(notify, vec![a, b]);
        }
        other => panic!("{other:?}"),
    }
    assert!(store.members(g).await.unwrap().is_empty());
    let summary = store.summary(b, g).await.unwrap().unwrap();
    assert!(!summary.active);
    assert_eq!(summary.last_seq, 3);
    assert_eq!(
        one(store, append(g, a, "a1")).await.unwrap_err(),
        Refusal::NotMember
    );
}
