//! Pictures of people and groups: one's own uploaded picture, seen by everyone (a person's) or
//! by the members (a group's), as its centre square.

use crate::files::{code, fixture};
use crate::support::{TestServer, cmid};
use tern_sdk::proto::{Content, ErrorCode, FileId};

#[tokio::test]
async fn a_profile_picture_is_ones_own_picture_and_everyone_sees_its_square() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let photo = alice
        .api
        .upload("me.jpg", fixture("large.jpg"))
        .await
        .unwrap();
    let profile = alice.api.set_avatar(Some(&photo.id)).await.unwrap();
    assert_eq!(profile.avatar.as_ref(), Some(&photo.id));
    // Carol shares no conversation with alice, yet sees her picture: a 256-pixel square.
    let seen = carol.api.user(alice.id()).await.unwrap();
    assert_eq!(seen.avatar.as_ref(), Some(&photo.id));
    let square = carol.api.download(&photo.id, Some("square")).await.unwrap();
    let image = image::load_from_memory(&square).unwrap();
    assert_eq!((image.width(), image.height()), (256, 256));

    // Never someone else's picture (it would become everyone's to see), never a non-picture.
    let conv = alice.direct_with(&bob).await;
    let sent = alice
        .api
        .upload("private.jpg", fixture("o1.jpg"))
        .await
        .unwrap();
    alice
        .api
        .send(conv, &cmid(), Content::image(sent.id.clone()))
        .await
        .unwrap();
    assert_eq!(
        code(bob.api.set_avatar(Some(&sent.id)).await),
        ErrorCode::InvalidContent
    );
    assert_eq!(
        code(carol.api.download(&sent.id, None).await),
        ErrorCode::NotFound
    );
    let text = bob
        .api
        .upload("me.txt", b"not a face".to_vec())
        .await
        .unwrap();
    assert_eq!(
        code(bob.api.set_avatar(Some(&text.id)).await),
        ErrorCode::InvalidContent
    );
    let unknown = FileId("f".repeat(32));
    assert_eq!(
        code(bob.api.set_avatar(Some(&unknown)).await),
        ErrorCode::InvalidContent
    );

    // Removed: the picture is alice's own again.
    let cleared = alice.api.set_avatar(None).await.unwrap();
    assert_eq!(cleared.avatar, None);
    assert_eq!(
        code(carol.api.download(&photo.id, None).await),
        ErrorCode::NotFound
    );
    let renamed = alice.api.set_display_name("Alice 爱丽丝").await.unwrap();
    assert_eq!(
        (renamed.display_name.as_str(), renamed.avatar),
        ("Alice 爱丽丝", None)
    );
}

#[tokio::test]
async fn a_group_picture_is_the_owners_to_set_and_its_members_see_it() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let conv = alice
        .api
        .create_group("摄影组", &[bob.id()])
        .await
        .unwrap()
        .summary
        .id;
    let mut bob_device = bob.connect().await;
    let photo = alice
        .api
        .upload("group.jpg", fixture("large.jpg"))
        .await
        .unwrap();
    let theirs = bob.api.upload("mine.jpg", fixture("o1.jpg")).await.unwrap();
    assert_eq!(
        code(bob.api.set_group_avatar(conv, Some(&theirs.id)).await),
        ErrorCode::Forbidden
    );
    let seqs = alice
        .api
        .set_group_avatar(conv, Some(&photo.id))
        .await
        .unwrap();
    let events = bob_device.collect_until(conv, seqs[0]).await;
    let event = events.last().unwrap();
    assert_eq!(event.seq, seqs[0]);
    assert!(matches!(
        &event.content,
        Content::System(tern_sdk::proto::SystemEvent::PictureChanged { avatar: Some(id) }) if *id == photo.id
    ));
    let summary = bob.api.conversation(conv).await.unwrap().summary;
    assert_eq!(summary.avatar.as_ref(), Some(&photo.id));
    let square = bob.api.download(&photo.id, Some("square")).await.unwrap();
    assert_eq!(image::load_from_memory(&square).unwrap().width(), 256);
    assert_eq!(
        code(carol.api.download(&photo.id, None).await),
        ErrorCode::NotFound
    );
    // Not in a direct conversation; not someone else's picture; removed with null.
    let direct = alice.direct_with(&carol).await;
    assert_eq!(
        code(alice.api.set_group_avatar(direct, Some(&photo.id)).await),
        ErrorCode::BadRequest
    );
    assert_eq!(
        code(alice.api.set_group_avatar(conv, Some(&theirs.id)).await),
        ErrorCode::InvalidContent
    );
    alice.api.set_group_avatar(conv, None).await.unwrap();
    assert_eq!(
        bob.api.conversation(conv).await.unwrap().summary.avatar,
        None
    );
}
