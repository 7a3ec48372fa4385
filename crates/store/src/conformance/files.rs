//! Conformance: uploads in progress, blobs stored once per content, who may read a file, the
//! quota's count, and what a recall and the sweeps remove.

use super::*;
use crate::{BlobRecord, PictureInfo, UploadRecord, now_ms};
use tern_proto::{FileId, FileInfo};

fn file_id(n: u8) -> FileId {
    FileId(format!("{n:032x}"))
}

fn blob(id: &str, sha: &str, size: u64) -> BlobRecord {
    BlobRecord {
        id: id.into(),
        sha256: sha.into(),
        size,
        mime: "image/png".into(),
        picture: Some(PictureInfo {
            width: 40,
            height: 60,
            color: Some("#ff0000".into()),
            animated: false,
        }),
        variants: vec![("thumb".into(), "image/jpeg".into())],
        created_at: now_ms(),
    }
}

async fn upload(store: &dyn Store, id: &str, owner: UserId, length: u64) {
    store
        .create_upload(UploadRecord {
            id: id.into(),
            owner,
            length,
            received: 0,
            name: format!("{id}.png"),
            created_at: now_ms(),
            file: None,
        })
        .await
        .unwrap();
}

fn file_message(conv: ConvId, sender: UserId, cmid: &str, file: FileId) -> WriteOp {
    WriteOp::Append {
        conv,
        sender,
        cmid: cmid.into(),
        content: Content::File {
            file: FileInfo::id_only(file),
            forwarded: None,
        },
    }
}

pub async fn uploads_move_only_from_where_they_stand(store: &dyn Store) {
    let [a] = users(store, &["alice"]).await[..] else {
        unreachable!()
    };
    upload(store, "u1", a, 100).await;
    assert!(store.upload_received("u1".into(), 0, 40).await.unwrap());
    assert!(
        !store.upload_received("u1".into(), 0, 60).await.unwrap(),
        "stale offset"
    );
    let record = store.upload("u1".into()).await.unwrap().unwrap();
    assert_eq!((record.owner, record.length, record.received), (a, 100, 40));
    assert_eq!(
        store.storage_used(a).await.unwrap(),
        100,
        "announced size counts"
    );
    assert!(store.delete_upload("u1".into()).await.unwrap());
    assert!(!store.delete_upload("u1".into()).await.unwrap());
    assert_eq!(store.upload("u1".into()).await.unwrap(), None);
    assert_eq!(store.storage_used(a).await.unwrap(), 0);
}

pub async fn identical_content_is_stored_once(store: &dyn Store) {
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    upload(store, "u1", a, 10).await;
    let (first, kept) = store
        .finish_upload(
            "u1".into(),
            blob("u1", "sha-x", 10),
            file_id(1),
            a,
            "a.png".into(),
        )
        .await
        .unwrap();
    assert!(kept);
    assert_eq!(first.blob.picture.as_ref().unwrap().width, 40);
    assert_eq!(
        first.blob.variants,
        [("thumb".to_string(), "image/jpeg".to_string())]
    );
    let done = store.upload("u1".into()).await.unwrap().unwrap();
    assert_eq!(done.file, Some(file_id(1)), "the upload names its file");
    assert_eq!(
        store.storage_used(a).await.unwrap(),
        10,
        "counted as a file, not an upload"
    );
    // The same bytes again, by someone else and by the same user: one blob.
    for (n, owner, upload_id) in [(2, b, "u2"), (3, a, "u3")] {
        upload(store, upload_id, owner, 10).await;
        let (file, kept) = store
            .finish_upload(
                upload_id.into(),
                blob(upload_id, "sha-x", 10),
                file_id(n),
                owner,
                "b.png".into(),
            )
            .await
            .unwrap();
        assert!(!kept, "the existing blob is used");
        assert_eq!(file.blob.id, "u1");
        assert_eq!(file.owner, owner);
    }
    assert_eq!(
        store.blob_by_sha("sha-x".into()).await.unwrap().unwrap().id,
        "u1"
    );
    assert_eq!(
        store.storage_used(a).await.unwrap(),
        10,
        "one blob counts once per user"
    );
    assert_eq!(store.storage_used(b).await.unwrap(), 10);
    assert_eq!(store.file(file_id(9)).await.unwrap(), None);
}

pub async fn files_are_readable_by_their_owner_and_by_who_sees_a_message_with_them(
    store: &dyn Store,
) {
    let [a, b, c, d] = users(store, &["alice", "bob", "carol", "dave"]).await[..] else {
        unreachable!()
    };
    let conv = group(store, a, &[b, c]).await;
    upload(store, "u1", a, 5).await;
    let (file, _) = store
        .finish_upload(
            "u1".into(),
            blob("u1", "sha-1", 5),
            file_id(1),
            a,
            "x.png".into(),
        )
        .await
        .unwrap();
    let readable = |user| store.readable_file(user, file.id.clone());
    assert!(readable(a).await.unwrap().is_some(), "the owner");
    assert!(
        readable(b).await.unwrap().is_none(),
        "not shown to anyone yet"
    );

    let results = store
        .write(vec![file_message(conv, a, "m1", file.id.clone())])
        .await
        .unwrap();
    let (event, _) = appended(&results[0]);
    assert!(readable(b).await.unwrap().is_some());
    assert!(readable(d).await.unwrap().is_none(), "not a member");
    // Carol leaves: what she saw stays readable, what comes after does not.
    store
        .write(vec![WriteOp::RemoveMember {
            conv,
            by: c,
            user: c,
        }])
        .await
        .unwrap();
    assert!(readable(c).await.unwrap().is_some());
    upload(store, "u2", b, 5).await;
    let (later, _) = store
        .finish_upload(
            "u2".into(),
            blob("u2", "sha-2", 5),
            file_id(2),
            b,
            "y.png".into(),
        )
        .await
        .unwrap();
    store
        .write(vec![file_message(conv, b, "m2", later.id.clone())])
        .await
        .unwrap();
    assert!(
        store
            .readable_file(c, later.id.clone())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .readable_file(a, later.id.clone())
            .await
            .unwrap()
            .is_some()
    );

    // Forwarded into a direct conversation with dave: he can read it now.
    let direct = match store
        .write(vec![WriteOp::OpenDirect { a, b: d }])
        .await
        .unwrap()
        .remove(0)
    {
        Ok(WriteOutcome::DirectOpened { conv, .. }) => conv,
        other => panic!("{other:?}"),
    };
    let forward = WriteOp::Forward {
        conv: direct,
        by: a,
        from: conv,
        seqs: vec![event.seq],
        cmid: "f1".into(),
    };
    store.write(vec![forward]).await.unwrap().remove(0).unwrap();
    assert!(readable(d).await.unwrap().is_some());
}

pub async fn a_recall_forgets_the_file_and_sweeps_remove_what_nothing_shows(store: &dyn Store) {
    let [a, b] = users(store, &["alice", "bob"]).await[..] else {
        unreachable!()
    };
    let conv = group(store, a, &[b]).await;
    for (n, id) in [(1, "u1"), (2, "u2")] {
        upload(store, id, a, 5).await;
        store
            .finish_upload(
                id.into(),
                blob(id, &format!("sha-{n}"), 5),
                file_id(n),
                a,
                "x".into(),
            )
            .await
            .unwrap();
    }
    let results = store
        .write(vec![file_message(conv, a, "m1", file_id(1))])
        .await
        .unwrap();
    let (event, _) = appended(&results[0]);
    let recall = WriteOp::Recall {
        conv,
        by: a,
        target: event.seq,
        window_ms: None,
    };
    store.write(vec![recall]).await.unwrap().remove(0).unwrap();
    assert_eq!(
        store.file(file_id(1)).await.unwrap(),
        None,
        "a recalled message's file goes"
    );
    assert!(
        store.file(file_id(2)).await.unwrap().is_some(),
        "an unsent one waits for its grace"
    );

    // Sweeps: file 2 was never shown; then both blobs are orphans.
    assert_eq!(
        store.forget_unshown_files(now_ms() - 60_000).await.unwrap(),
        0,
        "too recent"
    );
    assert_eq!(store.forget_unshown_files(now_ms() + 1).await.unwrap(), 1);
    let orphans = store.orphan_blobs(now_ms() + 1, 10).await.unwrap();
    let mut ids: Vec<_> = orphans.iter().map(|b| b.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["u1", "u2"]);
    assert!(store.delete_blob("u1".into()).await.unwrap());
    assert!(!store.delete_blob("u1".into()).await.unwrap());

    // A blob a file still names is never deleted.
    upload(store, "u3", a, 5).await;
    store
        .finish_upload(
            "u3".into(),
            blob("u3", "sha-3", 5),
            file_id(3),
            a,
            "x".into(),
        )
        .await
        .unwrap();
    assert!(!store.delete_blob("u3".into()).await.unwrap());
    assert_eq!(
        store.stale_uploads(now_ms() + 1, 10).await.unwrap(),
        ["u1", "u2", "u3"]
    );

    let key = store
        .shared_secret("links".into(), "first".into())
        .await
        .unwrap();
    assert_eq!(key, "first");
    let again = store
        .shared_secret("links".into(), "second".into())
        .await
        .unwrap();
    assert_eq!(again, "first", "every node gets the one stored first");
}

pub async fn a_group_picture_is_set_by_the_owner_and_seen_by_the_members(store: &dyn Store) {
    let [a, b, c] = users(store, &["alice", "bob", "carol"]).await[..] else {
        unreachable!()
    };
    let conv = group(store, a, &[b]).await;
    upload(store, "u1", a, 5).await;
    store
        .finish_upload(
            "u1".into(),
            blob("u1", "sha-1", 5),
            file_id(1),
            a,
            "g.png".into(),
        )
        .await
        .unwrap();
    let set = |by, avatar| WriteOp::ChangeGroup {
        conv,
        by,
        changes: vec![crate::GroupChange::Avatar(avatar)],
    };
    let refused = store
        .write(vec![set(b, Some(file_id(1)))])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(refused.unwrap_err(), Refusal::NotAdmin);
    let done = store
        .write(vec![set(a, Some(file_id(1)))])
        .await
        .unwrap()
        .remove(0);
    let Ok(WriteOutcome::Changed { events, .. }) = done else {
        panic!("{done:?}")
    };
    assert_eq!(
        events[0].content,
        Content::System(tern_proto::SystemEvent::PictureChanged {
            avatar: Some(file_id(1))
        })
    );
    let summary = store.summary(b, conv).await.unwrap().unwrap();
    assert_eq!(summary.avatar, Some(file_id(1)));
    assert!(
        store.readable_file(b, file_id(1)).await.unwrap().is_some(),
        "a member"
    );
    assert!(
        store.readable_file(c, file_id(1)).await.unwrap().is_none(),
        "not a member"
    );
    assert_eq!(store.forget_unshown_files(now_ms() + 1).await.unwrap(), 0);
    store
        .write(vec![set(a, None)])
        .await
        .unwrap()
        .remove(0)
        .unwrap();
    assert_eq!(store.summary(b, conv).await.unwrap().unwrap().avatar, None);
    assert!(store.readable_file(b, file_id(1)).await.unwrap().is_none());
}
