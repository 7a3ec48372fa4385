//! Conformance: Users and sessions.

use super::*;

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
    let (session, user, settings) = store.session_with_user(b"h1").await.unwrap().unwrap();
    assert_eq!((session.id, session.user, user), (s1.id, a, renamed));
    assert!(settings.share_receipts, "receipts are shared by default");
    assert_eq!(store.sessions(a).await.unwrap().len(), 2);
    assert!(!store.revoke_session(b, s1.id).await.unwrap(), "not bob's");
    assert!(store.revoke_session(a, s1.id).await.unwrap());
    assert!(store.session_by_token(b"h1").await.unwrap().is_none());
    assert!(store.session_with_user(b"h1").await.unwrap().is_none());
    assert!(!store.revoke_session(a, SessionId(999)).await.unwrap());
}
