//! Administering a group: who may do what (owner, admins, members), muting one member or
//! everyone, the group's details and announcement, nicknames, transfer, dissolve, and the
//! member list page by page. Every change is a system event the members see in order.

use crate::support::{RawWs, TestServer, TestUser, cmid, text};
use serde_json::json;
use tern_sdk::proto::rest::GroupInfoRequest;
use tern_sdk::proto::{Content, ConvId, ErrorCode, MemberRole, SystemEvent};

/// A group of `alice` (owner), `bob`, `carol` and `dave`.
async fn group(server: &TestServer) -> ([TestUser; 4], ConvId) {
    let users = server.users(["alice", "bob", "carol", "dave"]).await;
    let [alice, bob, carol, dave] = &users;
    let conv = alice
        .api
        .create_group("团队", &[bob.id(), carol.id(), dave.id()])
        .await
        .unwrap()
        .summary
        .id;
    (users, conv)
}

fn info(
    name: Option<&str>,
    description: Option<&str>,
    announcement: Option<&str>,
) -> GroupInfoRequest {
    GroupInfoRequest {
        name: name.map(str::to_owned),
        description: description.map(str::to_owned),
        announcement: announcement.map(str::to_owned),
    }
}

async fn last_seq(user: &TestUser, conv: ConvId) -> u64 {
    user.api.conversation(conv).await.unwrap().summary.last_seq
}

#[tokio::test]
async fn every_admin_action_is_forbidden_to_members_and_to_admins_acting_on_the_owner() {
    let server = TestServer::start().await;
    let ([alice, bob, carol, dave], conv) = group(&server).await;
    let forbidden = |r: Result<Vec<u64>, tern_sdk::SdkError>, what: &str| {
        assert_eq!(r.unwrap_err().code(), Some(ErrorCode::Forbidden), "{what}");
    };
    // A plain member may do none of it.
    let api = &carol.api;
    forbidden(
        api.change_group(conv, &info(Some("mine"), None, None))
            .await,
        "rename",
    );
    forbidden(
        api.change_group(conv, &info(None, None, Some("hi"))).await,
        "announce",
    );
    forbidden(api.mute(conv, dave.id(), None).await, "mute");
    forbidden(api.mute_all(conv, true).await, "mute all");
    forbidden(
        api.set_role(conv, dave.id(), MemberRole::Admin).await,
        "role",
    );
    forbidden(api.transfer(conv, dave.id()).await, "transfer");
    forbidden(api.dissolve(conv).await, "dissolve");
    let err = api.remove_member(conv, dave.id()).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Forbidden));
    assert_eq!(last_seq(&alice, conv).await, 1, "nothing was stored");

    // The owner names an admin, who then manages members but not the owner, nor other
    // admins, nor ownership.
    let seqs = alice
        .api
        .set_role(conv, bob.id(), MemberRole::Admin)
        .await
        .unwrap();
    assert_eq!(seqs, vec![2]);
    alice
        .api
        .set_role(conv, carol.id(), MemberRole::Admin)
        .await
        .unwrap();
    let api = &bob.api;
    forbidden(api.mute(conv, alice.id(), None).await, "mute the owner");
    forbidden(api.mute(conv, carol.id(), None).await, "mute another admin");
    forbidden(
        api.set_role(conv, dave.id(), MemberRole::Admin).await,
        "name an admin",
    );
    forbidden(api.transfer(conv, bob.id()).await, "take ownership");
    forbidden(api.dissolve(conv).await, "dissolve");
    let err = api.remove_member(conv, alice.id()).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Forbidden));
    let err = api.remove_member(conv, carol.id()).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Forbidden));
    let err = alice
        .api
        .set_role(conv, alice.id(), MemberRole::Member)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(ErrorCode::Forbidden),
        "the owner stays the owner"
    );
    assert_eq!(last_seq(&alice, conv).await, 3);

    // What an admin may do: remove a member, rename.
    bob.api.remove_member(conv, dave.id()).await.unwrap();
    bob.api
        .change_group(conv, &info(Some("新名字"), None, None))
        .await
        .unwrap();
    let detail = carol.api.conversation(conv).await.unwrap();
    assert_eq!(detail.summary.name.as_deref(), Some("新名字"));
    let roles: Vec<_> = detail.members.iter().map(|m| (m.user.id, m.role)).collect();
    assert_eq!(
        roles,
        vec![
            (alice.id(), MemberRole::Owner),
            (bob.id(), MemberRole::Admin),
            (carol.id(), MemberRole::Admin),
        ]
    );
    assert_eq!(detail.member_count, 3);
    let mine = bob.api.conversation(conv).await.unwrap().summary;
    assert_eq!(mine.role, MemberRole::Admin);
}

#[tokio::test]
async fn a_muted_members_sends_are_refused_with_their_own_code_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let ([alice, bob, carol, _dave], conv) = group(&server).await;
    let earlier = carol
        .api
        .send(conv, &cmid(), text("hello"))
        .await
        .unwrap()
        .event
        .seq;
    alice.api.mute(conv, carol.id(), None).await.unwrap();
    let muted = carol.api.conversation(conv).await.unwrap().summary;
    assert_eq!(muted.muted_until, Some(i64::MAX), "until lifted");
    let before = last_seq(&alice, conv).await;

    let err = carol
        .api
        .send(conv, &cmid(), text("spam"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Muted));
    // Over the WebSocket too, where the SDKs send from.
    let (mut ws, _) = RawWs::connect(&server, &carol.token).await;
    let frame = json!({"type": "send", "rid": 1, "conv": conv, "cmid": cmid(),
                       "content": {"type": "text", "text": "spam"}});
    let reply = ws.request(frame, 1).await;
    assert_eq!(reply["code"], "muted", "{reply}");
    // An edit of an earlier message says something new as well.
    let err = carol.api.edit(conv, earlier, "spam").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Muted));
    assert_eq!(last_seq(&alice, conv).await, before, "nothing stored");

    // Others speak; a timed mute ends by itself; a lifted one at once.
    bob.api
        .send(conv, &cmid(), text("still here"))
        .await
        .unwrap();
    alice.api.unmute(conv, carol.id()).await.unwrap();
    carol.api.send(conv, &cmid(), text("thanks")).await.unwrap();
    assert_eq!(
        alice.api.unmute(conv, carol.id()).await.unwrap(),
        Vec::<u64>::new(),
        "lifting no mute changes nothing"
    );
    alice.api.mute(conv, carol.id(), Some(3600)).await.unwrap();
    let until = carol
        .api
        .conversation(conv)
        .await
        .unwrap()
        .summary
        .muted_until
        .unwrap();
    let in_an_hour = tern_store_now() + 3_600_000;
    assert!(
        (in_an_hour - 60_000..=in_an_hour + 60_000).contains(&until),
        "{until}"
    );
    let err = carol.api.send(conv, &cmid(), text("x")).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Muted));

    let page = bob.api.history(conv, None, None).await.unwrap();
    let system: Vec<_> = page
        .events
        .iter()
        .filter_map(|e| match &e.content {
            Content::System(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert!(system.contains(&SystemEvent::MemberMuted {
        user: carol.id(),
        until: None
    }));
    assert!(system.contains(&SystemEvent::MemberUnmuted { user: carol.id() }));
    assert!(system.contains(&SystemEvent::MemberMuted {
        user: carol.id(),
        until: Some(until)
    }));
}

fn tern_store_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn mute_all_silences_members_but_not_the_owner_and_admins() {
    let server = TestServer::start().await;
    let ([alice, bob, carol, dave], conv) = group(&server).await;
    alice
        .api
        .set_role(conv, bob.id(), MemberRole::Admin)
        .await
        .unwrap();
    bob.api.mute_all(conv, true).await.unwrap();
    assert!(
        carol
            .api
            .conversation(conv)
            .await
            .unwrap()
            .summary
            .all_muted
    );
    for member in [&carol, &dave] {
        let err = member
            .api
            .send(conv, &cmid(), text("hello?"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::Muted));
    }
    alice
        .api
        .send(conv, &cmid(), text("owner speaks"))
        .await
        .unwrap();
    bob.api
        .send(conv, &cmid(), text("admin speaks"))
        .await
        .unwrap();
    // Made an admin while everyone is muted, carol may speak.
    alice
        .api
        .set_role(conv, carol.id(), MemberRole::Admin)
        .await
        .unwrap();
    carol
        .api
        .send(conv, &cmid(), text("now I may"))
        .await
        .unwrap();
    bob.api.mute_all(conv, false).await.unwrap();
    dave.api.send(conv, &cmid(), text("me too")).await.unwrap();
    assert!(!dave.api.conversation(conv).await.unwrap().summary.all_muted);
}

#[tokio::test]
async fn the_announcement_is_unread_for_everyone_and_counts_as_a_mention() {
    let server = TestServer::start().await;
    let ([alice, bob, _carol, dave], conv) = group(&server).await;
    let mut dave_device = dave.connect().await;
    let seqs = alice
        .api
        .change_group(
            conv,
            &info(None, Some("我们的小组\n第二行"), Some("周五下午三点开会")),
        )
        .await
        .unwrap();
    assert_eq!(seqs, vec![2, 3]);
    let summary = bob.api.conversation(conv).await.unwrap();
    assert_eq!(summary.description, "我们的小组\n第二行");
    let announcement = summary.announcement.unwrap();
    assert_eq!(announcement.text, "周五下午三点开会");
    assert_eq!(announcement.by, alice.id());
    assert_eq!(
        summary.summary.unread, 1,
        "the description is not news; the announcement is"
    );
    assert_eq!(summary.summary.unread_mentions, 1);
    // Members see both as they happen, in order.
    let seen = dave_device.collect_until(conv, 3).await;
    let [.., first, second] = seen.as_slice() else {
        panic!("{seen:?}")
    };
    assert!(matches!(
        first.content,
        Content::System(SystemEvent::DescriptionChanged { .. })
    ));
    assert_eq!(
        second.content,
        Content::System(SystemEvent::Announced {
            text: "周五下午三点开会".into()
        })
    );
    // Taken down: no announcement any more, and nothing new to read.
    alice
        .api
        .change_group(conv, &info(None, None, Some("")))
        .await
        .unwrap();
    let detail = bob.api.conversation(conv).await.unwrap();
    assert!(detail.announcement.is_none());
    assert_eq!(detail.summary.unread, 1);
}

#[tokio::test]
async fn transfer_and_dissolve_are_the_owners_and_leave_the_history_readable() {
    let server = TestServer::start().await;
    let ([alice, bob, carol, _dave], conv) = group(&server).await;
    alice.api.send(conv, &cmid(), text("before")).await.unwrap();
    alice.api.transfer(conv, bob.id()).await.unwrap();
    let detail = carol.api.conversation(conv).await.unwrap();
    let role_of = |id| {
        detail
            .members
            .iter()
            .find(|m| m.user.id == id)
            .unwrap()
            .role
    };
    assert_eq!(role_of(bob.id()), MemberRole::Owner);
    assert_eq!(role_of(alice.id()), MemberRole::Admin);
    let err = alice.api.dissolve(conv).await.unwrap_err();
    assert_eq!(
        err.code(),
        Some(ErrorCode::Forbidden),
        "no longer the owner"
    );

    let mut carol_device = carol.connect().await;
    let seqs = bob.api.dissolve(conv).await.unwrap();
    let seen = carol_device.collect_until(conv, seqs[0]).await;
    assert_eq!(
        seen.last().unwrap().content,
        Content::System(SystemEvent::Dissolved)
    );
    for user in [&alice, &bob, &carol] {
        let summary = user.api.conversation(conv).await.unwrap().summary;
        assert!(!summary.active);
        let page = user.api.history(conv, None, None).await.unwrap();
        assert!(page.events.iter().any(|e| e.content == text("before")));
        let err = user
            .api
            .send(conv, &cmid(), text("hello?"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::NotMember));
    }
}

#[tokio::test]
async fn a_removed_members_resend_of_an_old_cmid_does_not_slip_through() {
    let server = TestServer::start().await;
    let ([alice, _bob, carol, _dave], conv) = group(&server).await;
    let sent_before = cmid();
    let original = carol
        .api
        .send(conv, &sent_before, text("hi"))
        .await
        .unwrap();
    let never_sent = cmid();
    alice.api.remove_member(conv, carol.id()).await.unwrap();
    let last = last_seq(&alice, conv).await;
    // The resend of a message stored before is answered as before: nothing new is stored.
    let again = carol
        .api
        .send(conv, &sent_before, text("hi"))
        .await
        .unwrap();
    assert_eq!(
        (again.event.seq, again.duplicate),
        (original.event.seq, true)
    );
    let err = carol
        .api
        .send(conv, &never_sent, text("sneaky"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotMember));
    assert_eq!(last_seq(&alice, conv).await, last);
}

#[tokio::test]
async fn nicknames_show_in_the_member_list_which_pages_and_searches() {
    let server = TestServer::start().await;
    let ([alice, bob, carol, dave], conv) = group(&server).await;
    bob.api.set_nickname(conv, Some("小鲍")).await.unwrap();
    let others = server
        .users(["erin", "frank", "grace", "heidi", "ivan"])
        .await;
    let ids: Vec<_> = others.iter().map(|u| u.id()).collect();
    alice.api.add_members(conv, &ids).await.unwrap();

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = dave
            .api
            .members(conv, after.as_deref(), Some(4), None)
            .await
            .unwrap();
        assert!(page.members.len() <= 4);
        seen.extend(page.members.iter().map(|m| m.user.id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut expected = vec![alice.id(), bob.id(), carol.id(), dave.id()];
    expected.extend(ids);
    expected.sort();
    assert_eq!(seen, expected, "every member once, in id order");

    let found = carol
        .api
        .members(conv, None, None, Some("小鲍"))
        .await
        .unwrap();
    assert_eq!(found.members.len(), 1);
    assert_eq!(found.members[0].nickname.as_deref(), Some("小鲍"));
    let found = carol
        .api
        .members(conv, None, None, Some("GRA"))
        .await
        .unwrap();
    assert_eq!(
        found
            .members
            .iter()
            .map(|m| m.user.username.as_str())
            .collect::<Vec<_>>(),
        ["grace"]
    );
    let found = carol
        .api
        .members(conv, None, None, Some("%"))
        .await
        .unwrap();
    assert!(found.members.is_empty(), "a wildcard is only a character");

    bob.api.set_nickname(conv, None).await.unwrap();
    let found = carol
        .api
        .members(conv, None, None, Some("小鲍"))
        .await
        .unwrap();
    assert!(found.members.is_empty());
}

#[tokio::test]
async fn bad_input_to_group_administration_is_refused_and_changes_nothing() {
    let server = TestServer::start().await;
    let ([alice, bob, carol, _dave], conv) = group(&server).await;
    let before = last_seq(&alice, conv).await;
    let bad = |r: Result<Vec<u64>, tern_sdk::SdkError>, what: &str| {
        assert_eq!(r.unwrap_err().code(), Some(ErrorCode::BadRequest), "{what}");
    };
    let zalgo = format!("z{}", "\u{0301}".repeat(1000));
    let api = &alice.api;
    bad(
        api.change_group(conv, &info(Some("evil\u{202E}gnp.exe"), None, None))
            .await,
        "RTL",
    );
    bad(
        api.change_group(conv, &info(Some("a\u{200B}b"), None, None))
            .await,
        "zero width",
    );
    bad(
        api.change_group(conv, &info(Some(&zalgo), None, None))
            .await,
        "combining marks",
    );
    bad(
        api.change_group(conv, &info(Some(""), None, None)).await,
        "empty name",
    );
    bad(
        api.change_group(conv, &info(None, None, None)).await,
        "nothing to change",
    );
    bad(
        api.change_group(conv, &info(None, Some(&"长".repeat(1001)), None))
            .await,
        "long description",
    );
    bad(api.set_nickname(conv, Some(&zalgo)).await, "nickname");
    bad(
        api.set_nickname(conv, Some("\u{0430}lice")).await,
        "lookalike letters",
    );
    bad(api.mute(conv, bob.id(), Some(0)).await, "zero duration");
    bad(
        api.set_role(conv, bob.id(), MemberRole::Owner).await,
        "owner by role",
    );
    let err = api
        .mute(conv, tern_sdk::proto::UserId(424242), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotFound));
    let long = "x".repeat(10_000);
    let err = carol
        .api
        .members(conv, None, None, Some(&long))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadRequest));
    let err = carol
        .api
        .members(conv, Some("not-a-cursor"), None, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadRequest));
    // Unknown fields are refused, not ignored.
    let resp = reqwest::Client::new()
        .put(format!(
            "{}/api/v1/conversations/{conv}/mute_all",
            server.url
        ))
        .bearer_auth(&alice.token)
        .json(&json!({"muted": true, "for": "ever"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(last_seq(&alice, conv).await, before, "nothing was stored");
}
