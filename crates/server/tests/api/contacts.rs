//! Contacts, blocks and privacy: asking with a note, answering, removing; who may open a direct
//! conversation or add someone to a group; a block's refusals, which tell the blocked user
//! nothing more than their code.

use crate::support::{TestServer, cmid, text};
use tern_sdk::ClientEvent;
use tern_sdk::proto::{Audience, ContactChange, ErrorCode, UserId};

#[tokio::test]
async fn a_request_with_a_note_is_answered_and_both_sides_hear_of_it() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let mut bob_device = bob.connect().await;
    let mut alice_device = alice.connect().await;
    assert!(
        !alice
            .api
            .ask_contact(bob.id(), "我是 Alice，市场部")
            .await
            .unwrap()
    );
    let heard = bob_device
        .until(|e| matches!(e, ClientEvent::Contact { .. }))
        .await;
    let ClientEvent::Contact { change, user, note } = heard else {
        unreachable!()
    };
    assert_eq!(
        (change, user.id, note.as_deref()),
        (
            ContactChange::Requested,
            alice.id(),
            Some("我是 Alice，市场部")
        )
    );
    let waiting = bob.api.contact_requests().await.unwrap();
    assert_eq!(waiting.incoming.len(), 1);
    assert_eq!(waiting.incoming[0].note, "我是 Alice，市场部");
    assert_eq!(
        alice.api.contact_requests().await.unwrap().outgoing[0]
            .user
            .id,
        bob.id()
    );

    bob.api.answer_contact(alice.id(), true).await.unwrap();
    alice_device
        .until(|e| matches!(e, ClientEvent::Contact { change: ContactChange::Added, user, .. } if user.id == bob.id()))
        .await;
    let ids = |list: Vec<tern_sdk::proto::UserProfile>| {
        list.into_iter().map(|u| u.id).collect::<Vec<_>>()
    };
    assert_eq!(ids(alice.api.contacts().await.unwrap()), [bob.id()]);
    assert_eq!(ids(bob.api.contacts().await.unwrap()), [alice.id()]);
    assert!(
        bob.api
            .contact_requests()
            .await
            .unwrap()
            .incoming
            .is_empty()
    );
    let err = bob.api.answer_contact(alice.id(), true).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotFound), "answered already");

    // Removing tells the other side; asking someone who asked you is accepting.
    alice.api.remove_contact(bob.id()).await.unwrap();
    bob_device
        .until(|e| {
            matches!(
                e,
                ClientEvent::Contact {
                    change: ContactChange::Removed,
                    ..
                }
            )
        })
        .await;
    assert!(bob.api.contacts().await.unwrap().is_empty());
    assert!(!carol.api.ask_contact(alice.id(), "").await.unwrap());
    assert!(
        alice.api.ask_contact(carol.id(), "").await.unwrap(),
        "they had asked: contacts now"
    );
    assert_eq!(ids(carol.api.contacts().await.unwrap()), [alice.id()]);

    // A declined request tells the asker nothing, and may be asked again.
    assert!(!bob.api.ask_contact(carol.id(), "hi").await.unwrap());
    carol.api.answer_contact(bob.id(), false).await.unwrap();
    assert!(
        bob.api
            .contact_requests()
            .await
            .unwrap()
            .outgoing
            .is_empty()
    );
    assert!(!bob.api.ask_contact(carol.id(), "hi again").await.unwrap());
    assert_eq!(
        carol.api.contact_requests().await.unwrap().incoming[0].note,
        "hi again"
    );
}

#[tokio::test]
async fn privacy_settings_limit_direct_conversations_and_groups_to_contacts() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let settings = bob
        .api
        .set_privacy(Some(Audience::Contacts), Some(Audience::Contacts))
        .await
        .unwrap();
    assert_eq!(
        (settings.direct_from, settings.groups_from),
        (Audience::Contacts, Audience::Contacts)
    );
    let err = alice.api.open_direct(bob.id()).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ContactsOnly));
    let err = alice
        .api
        .create_group("g", &[bob.id(), carol.id()])
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ContactsOnly));
    let group = alice
        .api
        .create_group("g", &[carol.id()])
        .await
        .unwrap()
        .summary
        .id;
    let err = carol.api.add_members(group, &[bob.id()]).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ContactsOnly));
    assert_eq!(
        alice.api.conversations().await.unwrap().len(),
        1,
        "nothing else was created"
    );

    alice.api.ask_contact(bob.id(), "").await.unwrap();
    bob.api.answer_contact(alice.id(), true).await.unwrap();
    alice.api.open_direct(bob.id()).await.unwrap();
    alice.api.add_members(group, &[bob.id()]).await.unwrap();
    // Bob may still open conversations himself; carol, no contact of his, still may not.
    bob.api.open_direct(carol.id()).await.unwrap();
    let err = carol.api.create_group("h", &[bob.id()]).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ContactsOnly));
}

#[tokio::test]
async fn a_blocked_user_cannot_message_add_or_ask_and_learns_only_the_refusal() {
    let server = TestServer::start().await;
    let [alice, mallory, carol] = server.users(["alice", "mallory", "carol"]).await;
    let direct = mallory
        .api
        .open_direct(alice.id())
        .await
        .unwrap()
        .summary
        .id;
    let sent = cmid();
    mallory
        .api
        .send(direct, &sent, text("hello"))
        .await
        .unwrap();
    let before = mallory.api.conversation(direct).await.unwrap().summary;

    alice.api.ask_contact(mallory.id(), "").await.unwrap();
    alice.api.block(mallory.id(), true).await.unwrap();
    assert_eq!(alice.api.blocked().await.unwrap()[0].id, mallory.id());
    assert!(
        mallory
            .api
            .contact_requests()
            .await
            .unwrap()
            .incoming
            .is_empty()
    );
    let err = mallory
        .api
        .answer_contact(alice.id(), true)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(ErrorCode::NotFound),
        "her request went with the block"
    );
    let err = mallory
        .api
        .send(direct, &cmid(), text("are you there?"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Blocked));
    // A resend of what was stored before the block is answered as before; nothing new.
    let again = mallory
        .api
        .send(direct, &sent, text("hello"))
        .await
        .unwrap();
    assert!(again.duplicate);
    let err = mallory
        .api
        .create_group("trap", &[alice.id()])
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Blocked));
    let group = mallory
        .api
        .create_group("g", &[carol.id()])
        .await
        .unwrap()
        .summary
        .id;
    let err = mallory
        .api
        .add_members(group, &[alice.id()])
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Blocked));
    let err = mallory
        .api
        .ask_contact(alice.id(), "please")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Blocked));
    // The conversation stays readable, and nothing in it says "blocked".
    let after = mallory.api.conversation(direct).await.unwrap().summary;
    assert_eq!(after, before);
    assert_eq!(
        mallory
            .api
            .history(direct, None, None)
            .await
            .unwrap()
            .events
            .len(),
        1
    );
    // While the block stands, the blocker does not post there either.
    let err = alice
        .api
        .send(direct, &cmid(), text("go away"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Blocked));
    let err = mallory
        .api
        .react(direct, again.event.seq, "👍", true)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(ErrorCode::Blocked),
        "nobody reacts there either"
    );

    alice.api.block(mallory.id(), false).await.unwrap();
    mallory
        .api
        .send(direct, &cmid(), text("sorry"))
        .await
        .unwrap();
    assert!(alice.api.blocked().await.unwrap().is_empty());
    // A new direct conversation cannot be opened while a block stands, either way.
    let [dave] = server.users(["dave"]).await;
    dave.api.block(mallory.id(), true).await.unwrap();
    for (a, b) in [(&mallory, &dave), (&dave, &mallory)] {
        let err = a.api.open_direct(b.id()).await.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::Blocked));
    }
}

#[tokio::test]
async fn bad_input_to_contacts_and_blocks_is_refused_and_changes_nothing() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let code = |r: Result<_, tern_sdk::SdkError>| r.map(|_: ()| ()).unwrap_err().code();
    assert_eq!(
        code(alice.api.ask_contact(alice.id(), "").await.map(|_| ())),
        Some(ErrorCode::BadRequest)
    );
    assert_eq!(
        code(alice.api.ask_contact(UserId(4242), "").await.map(|_| ())),
        Some(ErrorCode::NotFound)
    );
    let long = "字".repeat(201);
    assert_eq!(
        code(alice.api.ask_contact(bob.id(), &long).await.map(|_| ())),
        Some(ErrorCode::BadRequest)
    );
    assert_eq!(
        code(
            alice
                .api
                .ask_contact(bob.id(), "hi\u{202E}")
                .await
                .map(|_| ())
        ),
        Some(ErrorCode::BadRequest)
    );
    assert_eq!(
        code(alice.api.block(alice.id(), true).await),
        Some(ErrorCode::BadRequest)
    );
    assert_eq!(
        code(alice.api.block(UserId(4242), true).await),
        Some(ErrorCode::NotFound)
    );
    assert_eq!(
        code(alice.api.answer_contact(bob.id(), true).await),
        Some(ErrorCode::NotFound)
    );
    assert_eq!(
        code(alice.api.remove_contact(bob.id()).await),
        Some(ErrorCode::NotFound)
    );
    let resp = reqwest::Client::new()
        .patch(format!("{}/api/v1/me/settings", server.url))
        .bearer_auth(&alice.token)
        .json(&serde_json::json!({"direct_from": "nobody"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(
        bob.api
            .contact_requests()
            .await
            .unwrap()
            .incoming
            .is_empty(),
        "nothing asked"
    );

    // A flood of requests is cut at the hourly limit, each new target counting once.
    let mut targets = Vec::new();
    for i in 0..tern_server::contacts::CONTACT_REQUESTS_PER_HOUR {
        targets.push(server.user(&format!("target{i}")).await);
    }
    for target in &targets {
        alice.api.ask_contact(target.id(), "").await.unwrap();
    }
    let err = alice
        .api
        .ask_contact(bob.id(), "one more")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::RateLimited));
    assert!(
        bob.api
            .contact_requests()
            .await
            .unwrap()
            .incoming
            .is_empty()
    );
}
