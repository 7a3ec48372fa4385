//! Conversations: one direct conversation per pair, groups and their administration, the list.

use crate::support::{RawWs, TestServer, cmid, text};
use tern_sdk::proto::{
    Content, ConversationKind, ErrorCode, MemberRole, NotifyLevel, SystemEvent, UserId,
};

#[tokio::test]
async fn a_pair_has_one_direct_conversation_whichever_side_opens_it() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let from_alice = alice.api.open_direct(bob.id()).await.unwrap();
    let from_bob = bob.api.open_direct_by_username("alice").await.unwrap();
    assert_eq!(from_alice.summary.id, from_bob.summary.id);
    assert_eq!(from_alice.summary.kind, ConversationKind::Direct);
    assert_eq!(from_alice.summary.peer.as_ref().unwrap().id, bob.id());
    assert_eq!(from_bob.summary.peer.as_ref().unwrap().id, alice.id());
    assert_eq!(from_alice.members.len(), 2);

    let err = alice.api.open_direct(alice.id()).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadRequest));
    let err = alice.api.open_direct(UserId(9999)).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotFound));
    let err = alice
        .api
        .open_direct_by_username("nobody")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotFound));
}

#[tokio::test]
async fn groups_start_with_a_created_event_and_the_creator_as_owner() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let group = alice
        .api
        .create_group("项目组 🚀", &[bob.id(), carol.id()])
        .await
        .unwrap();
    assert_eq!(group.summary.name.as_deref(), Some("项目组 🚀"));
    assert_eq!(group.summary.last_seq, 1);
    let roles: Vec<_> = group.members.iter().map(|m| (m.user.id, m.role)).collect();
    assert_eq!(
        roles,
        vec![
            (alice.id(), MemberRole::Owner),
            (bob.id(), MemberRole::Member),
            (carol.id(), MemberRole::Member)
        ]
    );
    let page = bob.api.history(group.summary.id, None, None).await.unwrap();
    assert_eq!(page.events.len(), 1);
    assert_eq!(
        page.events[0].content,
        Content::System(SystemEvent::GroupCreated {
            name: "项目组 🚀".into(),
            members: vec![alice.id(), bob.id(), carol.id()]
        })
    );
    let err = alice.api.create_group("  ", &[]).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadRequest));
    let err = alice
        .api
        .create_group("x", &[UserId(4242)])
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotFound));
}

#[tokio::test]
async fn members_add_others_but_only_the_owner_removes() {
    let server = TestServer::start().await;
    let [alice, bob, carol, dave] = server.users(["alice", "bob", "carol", "dave"]).await;
    let conv = alice
        .api
        .create_group("g", &[bob.id()])
        .await
        .unwrap()
        .summary
        .id;

    // Outsiders can do nothing, and learn nothing about the conversation.
    let err = dave.api.add_members(conv, &[dave.id()]).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotMember));
    let err = dave.api.conversation(conv).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotMember));

    let detail = bob.api.add_members(conv, &[carol.id()]).await.unwrap();
    assert_eq!(detail.members.len(), 3);
    let err = bob.api.remove_member(conv, carol.id()).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Forbidden));

    alice.api.remove_member(conv, carol.id()).await.unwrap();
    let err = carol
        .api
        .send(conv, &cmid(), text("still here?"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotMember));
    // Carol keeps the history up to her removal, and sees she is no longer active.
    let mine = carol.api.conversation(conv).await.unwrap();
    assert!(!mine.summary.active);
    assert!(mine.members.is_empty());
    alice
        .api
        .send(conv, &cmid(), text("after carol left"))
        .await
        .unwrap();
    let page = carol.api.history(conv, None, None).await.unwrap();
    assert_eq!(
        page.events.last().unwrap().content,
        Content::System(SystemEvent::MemberRemoved { user: carol.id() })
    );
    assert!(page.events.iter().all(|e| e.seq <= mine.summary.last_seq));

    // Adding someone who is already a member changes nothing.
    let before = alice.api.conversation(conv).await.unwrap().summary.last_seq;
    alice.api.add_members(conv, &[bob.id()]).await.unwrap();
    assert_eq!(
        alice.api.conversation(conv).await.unwrap().summary.last_seq,
        before
    );

    // Added back: active again.
    alice.api.add_members(conv, &[carol.id()]).await.unwrap();
    assert!(carol.api.conversation(conv).await.unwrap().summary.active);
}

#[tokio::test]
async fn leaving_passes_ownership_on() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let conv = alice
        .api
        .create_group("g", &[bob.id(), carol.id()])
        .await
        .unwrap()
        .summary
        .id;
    carol.api.leave(conv).await.unwrap();
    alice.api.leave(conv).await.unwrap();
    let detail = bob.api.conversation(conv).await.unwrap();
    assert_eq!(detail.members.len(), 1);
    assert_eq!(detail.members[0].role, MemberRole::Owner);
    let last = bob.api.history(conv, None, None).await.unwrap().events;
    assert_eq!(
        last.last().unwrap().content,
        Content::System(SystemEvent::MemberLeft {
            user: alice.id(),
            new_owner: Some(bob.id())
        })
    );
    // Leaving is not possible for a direct conversation.
    let direct = bob.direct_with(&alice).await;
    let err = bob.api.leave(direct).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadRequest));
}

#[tokio::test]
async fn the_list_shows_previews_positions_and_unread_by_activity() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let with_bob = alice.direct_with(&bob).await;
    let with_carol = alice.direct_with(&carol).await;
    bob.api.send(with_bob, &cmid(), text("one")).await.unwrap();
    bob.api.send(with_bob, &cmid(), text("two")).await.unwrap();
    carol
        .api
        .send(with_carol, &cmid(), text("三"))
        .await
        .unwrap();

    let list = alice.api.conversations().await.unwrap();
    let ids: Vec<_> = list.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        vec![with_carol, with_bob],
        "most recent activity first"
    );
    let bob_row = &list[1];
    assert_eq!(
        (bob_row.last_seq, bob_row.read_seq, bob_row.unread),
        (2, 0, 2)
    );
    assert_eq!(bob_row.last_event.as_ref().unwrap().content, text("two"));
    // The sender has read their own messages.
    let bobs = bob.api.conversations().await.unwrap();
    assert_eq!((bobs[0].read_seq, bobs[0].unread), (2, 0));

    let pos = alice.api.mark_read(with_bob, 1).await.unwrap();
    assert_eq!((pos.read_seq, pos.unread), (1, 1));
    let list = alice.api.conversations().await.unwrap();
    assert_eq!(list.iter().find(|c| c.id == with_bob).unwrap().unread, 1);
}

#[tokio::test]
async fn preferences_are_each_members_own_and_follow_them_to_every_device() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let conv = alice.direct_with(&bob).await;
    let phone = alice.connect().await;
    let laptop_login = alice.login("laptop").await;
    let (mut laptop, _) = RawWs::connect(&server, &laptop_login.token).await;
    let (notify, top) = phone
        .client
        .preferences(conv, Some(NotifyLevel::Muted), Some(true))
        .await
        .unwrap();
    assert_eq!(notify, NotifyLevel::Muted);
    assert!(top.is_some());
    // The other device hears of it; a device that connects later finds it in the summary.
    let heard = laptop.recv_type("preferences").await;
    assert_eq!(
        (
            heard["conv"].as_i64(),
            heard["notify"].as_str(),
            heard["top"].as_i64()
        ),
        (Some(conv.0), Some("muted"), top)
    );
    let later = alice.new_device().await;
    let (_, summaries) = later.client.sync(None).await.unwrap();
    let mine = summaries.iter().find(|s| s.id == conv).unwrap();
    assert_eq!((mine.notify, mine.top), (NotifyLevel::Muted, top));
    // Bob's are his own.
    let his = bob.api.conversation(conv).await.unwrap().summary;
    assert_eq!((his.notify, his.top), (NotifyLevel::All, None));
    // Over REST, and taking it off the top.
    let now = alice
        .api
        .preferences(conv, Some(NotifyLevel::Mentions), Some(false))
        .await
        .unwrap();
    assert_eq!((now.notify, now.top), (NotifyLevel::Mentions, None));
    // Carol is no member; an unknown level is refused.
    let err = carol
        .api
        .preferences(conv, Some(NotifyLevel::Muted), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotMember));
    let (mut ws, _) = RawWs::connect(&server, &alice.token).await;
    let reply = ws
        .request(
            serde_json::json!({"type": "preferences", "conv": conv, "notify": "loud"}),
            1,
        )
        .await;
    assert_eq!(reply["code"], "bad_request", "{reply}");
}
