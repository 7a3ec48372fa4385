//! Files: uploads (resumable ones cut mid-way are in files_resumable.rs, pictures of people and
//! groups in files_pictures.rs), pictures shown upright without their GPS position, types read from the bytes, identical files stored once, limits and quotas,
//! downloads for members only (by token or signed link, with ranges), media messages, and what
//! a recall and the sweeps remove. Fixtures: fixtures/media (scripts/make-media-fixtures.sh).

use crate::support::{TestServer, TestUser, cmid, eventually};
use serde_json::{Value, json};
use tern_sdk::SdkError;
use tern_sdk::proto::rest::{LinkRequest, UploadedFile};
use tern_sdk::proto::{Content, ErrorCode, FileId};

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/media/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(crate) fn code(result: Result<impl std::fmt::Debug, SdkError>) -> ErrorCode {
    match result {
        Err(SdkError::Server { code, .. }) => code,
        other => panic!("expected a server error, got {other:?}"),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A raw request to the server with `user`'s token.
pub(crate) fn http(
    server: &TestServer,
    user: &TestUser,
    method: reqwest::Method,
    path: &str,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, format!("{}/api/v1{path}", server.url))
        .bearer_auth(&user.token)
}

pub(crate) async fn error_code(resp: reqwest::Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().unwrap_or("").to_string())
}

#[tokio::test]
async fn a_photo_is_sent_upright_without_its_gps_position_and_bob_downloads_it() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let photo = fixture("o6.jpg");
    assert!(contains(&photo, b"Exif"));
    let uploaded = alice.api.upload("IMG_0001.jpg", photo).await.unwrap();
    assert_eq!(uploaded.mime, "image/jpeg");
    let picture = uploaded.picture.clone().expect("a picture");
    assert_eq!(
        (picture.width, picture.height),
        (40, 60),
        "as shown, turned upright"
    );

    let mut bob_device = bob.connect().await;
    alice
        .api
        .send(conv, &cmid(), Content::image(uploaded.id.clone()))
        .await
        .unwrap();
    let event = bob_device.next_in(conv).await;
    let Content::Image {
        file,
        width,
        height,
        color,
        ..
    } = &event.content
    else {
        panic!("{:?}", event.content);
    };
    assert_eq!(
        (file.name.as_str(), file.mime.as_str()),
        ("IMG_0001.jpg", "image/jpeg")
    );
    assert_eq!((*width, *height, file.size), (40, 60, uploaded.size));
    assert!(color.as_deref().is_some_and(|c| c.starts_with('#')));

    let bytes = bob.api.download(&file.id, None).await.unwrap();
    assert!(
        !contains(&bytes, b"Exif") && !contains(&bytes, b"TernPhone"),
        "no metadata served"
    );
    let image = image::load_from_memory(&bytes).unwrap().to_rgb8();
    assert_eq!((image.width(), image.height()), (40, 60));
    let corner = image.get_pixel(3, 3).0;
    assert!(
        corner[0] > 200 && corner[1] < 60,
        "the red block is at the top left: {corner:?}"
    );

    // A browser gets a signed link: no token needed, the same bytes, shown inline, safely.
    let links = bob
        .api
        .file_links(vec![LinkRequest {
            id: file.id.clone(),
            variant: None,
        }])
        .await
        .unwrap();
    let resp = reqwest::get(format!("{}{}", server.url, links[0].url))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let headers = resp.headers().clone();
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(resp.bytes().await.unwrap().to_vec(), bytes);
}

#[tokio::test]
async fn a_large_picture_has_thumbnails_and_a_range_can_be_read() {
    let server = TestServer::start().await;
    let [alice] = server.users(["alice"]).await;
    let uploaded = alice
        .api
        .upload("large.jpg", fixture("large.jpg"))
        .await
        .unwrap();
    assert_eq!(uploaded.variants, ["thumb", "preview", "square"]);
    let thumb = alice
        .api
        .download(&uploaded.id, Some("thumb"))
        .await
        .unwrap();
    let image = image::load_from_memory(&thumb).unwrap();
    assert_eq!((image.width(), image.height()), (320, 240));
    // A small picture is its own thumbnail.
    let small = alice.api.upload("o1.jpg", fixture("o1.jpg")).await.unwrap();
    assert_eq!(small.variants, ["square"]);
    let own = alice.api.download(&small.id, Some("thumb")).await.unwrap();
    assert_eq!(own, alice.api.download(&small.id, None).await.unwrap());

    let whole = alice.api.download(&uploaded.id, None).await.unwrap();
    let path = format!("/files/{}", uploaded.id);
    let resp = http(&server, &alice, reqwest::Method::GET, &path)
        .header("range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 206);
    assert_eq!(
        resp.headers()["content-range"],
        format!("bytes 100-199/{}", whole.len()).as_str()
    );
    assert_eq!(resp.bytes().await.unwrap().to_vec(), whole[100..200]);
    let resp = http(&server, &alice, reqwest::Method::GET, &path)
        .header("range", format!("bytes={}-", whole.len()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["content-range"],
        format!("bytes */{}", whole.len()).as_str()
    );
    assert_eq!(
        error_code(resp).await,
        (416, "range_not_satisfiable".into())
    );
    let etag = alice_etag(&server, &alice, &path).await;
    let resp = http(&server, &alice, reqwest::Method::GET, &path)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 304);
}

async fn alice_etag(server: &TestServer, alice: &TestUser, path: &str) -> String {
    let resp = http(server, alice, reqwest::Method::GET, path)
        .send()
        .await
        .unwrap();
    resp.headers()["etag"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn identical_files_are_stored_once() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let bytes = fixture("large.jpg");
    let a = alice.api.upload("a.jpg", bytes.clone()).await.unwrap();
    let b = bob.api.upload("b.jpg", bytes).await.unwrap();
    assert_ne!(a.id, b.id, "each upload is its own file");
    assert_eq!(b.name, "b.jpg");
    let stored: Vec<String> = server
        .stored("blobs")
        .await
        .into_iter()
        .filter(|name| !name.contains('.'))
        .collect();
    assert_eq!(stored.len(), 1, "one copy of the bytes: {stored:?}");
    assert!(
        server.stored("staging").await.is_empty(),
        "nothing left half-written"
    );
}

#[tokio::test]
async fn the_type_comes_from_the_bytes_and_names_lose_their_path() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let html = alice
        .api
        .upload("cute-cat.png", fixture("html-named.png"))
        .await
        .unwrap();
    assert_eq!(html.mime, "text/html");
    assert!(html.picture.is_none());
    let sent_as_image = alice
        .api
        .send(conv, &cmid(), Content::image(html.id.clone()))
        .await;
    assert_eq!(code(sent_as_image), ErrorCode::InvalidContent);
    alice
        .api
        .send(conv, &cmid(), Content::file(html.id.clone()))
        .await
        .unwrap();
    let resp = http(
        &server,
        &bob,
        reqwest::Method::GET,
        &format!("/files/{}", html.id),
    )
    .send()
    .await
    .unwrap();
    let headers = resp.headers();
    assert_eq!(headers["content-type"], "text/html");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );

    let svg = alice
        .api
        .upload("drawing.svg", fixture("drawing.svg"))
        .await
        .unwrap();
    assert!(
        svg.picture.is_none(),
        "SVG can carry script: never a picture"
    );
    let passwd = alice
        .api
        .upload("../../etc/passwd", b"root:x:0:0".to_vec())
        .await
        .unwrap();
    assert_eq!(passwd.name, "passwd");
    assert_eq!(passwd.mime, "text/plain; charset=utf-8");
    let empty = alice.api.upload("empty.txt", Vec::new()).await.unwrap();
    assert_eq!(
        (empty.size, empty.mime.as_str()),
        (0, "application/octet-stream")
    );
    assert!(
        alice
            .api
            .download(&empty.id, None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn sizes_quotas_and_decompression_bombs_are_refused_clearly() {
    let server = TestServer::start_with(&[
        ("TERN_FILES_MAX_FILE_BYTES", "60000"),
        ("TERN_FILES_QUOTA_BYTES", "100000"),
    ])
    .await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let too_big = alice.api.upload("big.bin", vec![1; 60_001]).await;
    assert_eq!(code(too_big), ErrorCode::FileTooLarge);
    let tus_too_big = http(&server, &alice, reqwest::Method::POST, "/files")
        .header("tus-resumable", "1.0.0")
        .header("upload-length", "60001")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(tus_too_big).await,
        (413, "file_too_large".into())
    );
    let no_length = http(&server, &alice, reqwest::Method::POST, "/files")
        .header("tus-resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(no_length).await, (400, "bad_request".into()));

    // The bomb: 50 KB claiming 20000×20000 pixels. Kept as a file, never decoded.
    let bomb = alice
        .api
        .upload("bomb.png", fixture("bomb.png"))
        .await
        .unwrap();
    assert!(bomb.picture.is_none());
    assert_eq!(bomb.mime, "application/octet-stream");
    assert_eq!(
        code(
            alice
                .api
                .send(conv, &cmid(), Content::image(bomb.id.clone()))
                .await
        ),
        ErrorCode::InvalidContent
    );
    // 48,685 bytes used; another 55,000 would pass the quota of 100,000.
    let over = alice.api.upload("more.bin", vec![2; 55_000]).await;
    assert_eq!(code(over), ErrorCode::QuotaExceeded);
    // The same bomb again is the same blob: it costs nothing more.
    alice
        .api
        .upload("bomb-again.png", fixture("bomb.png"))
        .await
        .unwrap();
    bob.api.upload("bob.bin", vec![3; 55_000]).await.unwrap();
    assert!(server_still_ready(&server).await);
}

async fn server_still_ready(server: &TestServer) -> bool {
    reqwest::get(format!("{}/readyz", server.url))
        .await
        .unwrap()
        .status()
        == 200
}

#[tokio::test]
async fn only_the_uploader_and_members_who_see_it_may_download() {
    let server = TestServer::start_with(&[("TERN_FILES_LINK_TTL_S", "1")]).await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let conv = alice.direct_with(&bob).await;
    let uploaded = alice
        .api
        .upload("note.txt", b"for bob only".to_vec())
        .await
        .unwrap();
    assert_eq!(
        code(bob.api.download(&uploaded.id, None).await),
        ErrorCode::NotFound,
        "not sent yet"
    );
    let sent = alice
        .api
        .send(conv, &cmid(), Content::file(uploaded.id.clone()))
        .await
        .unwrap();
    assert_eq!(
        bob.api.download(&uploaded.id, None).await.unwrap(),
        b"for bob only"
    );
    assert_eq!(
        code(carol.api.download(&uploaded.id, None).await),
        ErrorCode::NotFound
    );
    let carols = carol
        .api
        .file_links(vec![LinkRequest {
            id: uploaded.id.clone(),
            variant: None,
        }])
        .await
        .unwrap();
    assert!(carols.is_empty(), "no link to a file one may not read");
    // Carol cannot send it on either: she never saw it.
    let carol_conv = carol.direct_with(&bob).await;
    let reuse = carol
        .api
        .send(carol_conv, &cmid(), Content::file(uploaded.id.clone()))
        .await;
    assert_eq!(code(reuse), ErrorCode::InvalidContent);
    // Bob forwards it to carol: now she may.
    bob.api
        .forward(carol_conv, conv, &[sent.event.seq], &cmid())
        .await
        .unwrap();
    assert_eq!(
        carol.api.download(&uploaded.id, None).await.unwrap(),
        b"for bob only"
    );

    let anonymous = reqwest::get(format!("{}/api/v1/files/{}", server.url, uploaded.id))
        .await
        .unwrap();
    assert_eq!(error_code(anonymous).await, (401, "unauthorized".into()));
    let link = bob
        .api
        .file_links(vec![LinkRequest {
            id: uploaded.id.clone(),
            variant: None,
        }])
        .await
        .unwrap()
        .remove(0);
    let forged = link.url.replace("u=", "u=9");
    let resp = reqwest::get(format!("{}{forged}", server.url))
        .await
        .unwrap();
    assert_eq!(error_code(resp).await, (403, "link_expired".into()));
    let other_file = link.url.replace(&uploaded.id.0, &"0".repeat(32));
    let resp = reqwest::get(format!("{}{other_file}", server.url))
        .await
        .unwrap();
    assert_eq!(
        error_code(resp).await,
        (403, "link_expired".into()),
        "a link is for one file"
    );
    // Valid now, refused once its second is up.
    let url = format!("{}{}", server.url, link.url);
    eventually("the link to expire", || async {
        let resp = reqwest::get(&url).await.unwrap();
        (error_code(resp).await == (403, "link_expired".to_string())).then_some(())
    })
    .await;
    let bad_id = bob
        .api
        .download(&FileId("../../etc/passwd".into()), None)
        .await;
    assert!(bad_id.is_err());
    let malformed = http(&server, &bob, reqwest::Method::POST, "/files/links")
        .json(&json!({"files": [{"id": uploaded.id, "variant": "huge"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(malformed).await, (400, "bad_request".into()));
}

#[tokio::test]
async fn voice_and_video_messages_carry_what_the_recorder_measured() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let voice = alice
        .api
        .upload("voice.ogg", fixture("voice.ogg"))
        .await
        .unwrap();
    assert_eq!(voice.mime, "audio/ogg");
    let waveform: Vec<u8> = (0..64).map(|i| (i * 4) as u8).collect();
    let sent = alice
        .api
        .send(
            conv,
            &cmid(),
            Content::voice(voice.id.clone(), 1000, waveform.clone()),
        )
        .await
        .unwrap();
    let Content::Voice {
        duration_ms,
        waveform: stored,
        file,
        ..
    } = &sent.event.content
    else {
        panic!("{:?}", sent.event.content);
    };
    assert_eq!(
        (*duration_ms, stored, file.mime.as_str()),
        (1000, &waveform, "audio/ogg")
    );
    let too_long = Content::voice(voice.id.clone(), 1000, vec![0; 129]);
    assert_eq!(
        code(alice.api.send(conv, &cmid(), too_long).await),
        ErrorCode::InvalidContent
    );
    let no_length = Content::voice(voice.id.clone(), 0, Vec::new());
    assert_eq!(
        code(alice.api.send(conv, &cmid(), no_length).await),
        ErrorCode::InvalidContent
    );

    let clip = alice
        .api
        .upload("clip.webm", fixture("clip.webm"))
        .await
        .unwrap();
    let poster = alice
        .api
        .upload("poster.jpg", fixture("o1.jpg"))
        .await
        .unwrap();
    let video = |poster: &UploadedFile| {
        serde_json::from_value::<Content>(json!({
            "type": "video", "file": {"id": clip.id}, "duration_ms": 1000, "width": 64,
            "height": 48, "poster": {"id": poster.id}
        }))
        .unwrap()
    };
    let sent = alice.api.send(conv, &cmid(), video(&poster)).await.unwrap();
    let Content::Video {
        poster: Some(shown),
        width,
        ..
    } = &sent.event.content
    else {
        panic!("{:?}", sent.event.content);
    };
    assert_eq!((shown.mime.as_str(), *width), ("image/jpeg", 64));
    assert_eq!(
        code(alice.api.send(conv, &cmid(), video(&voice)).await),
        ErrorCode::InvalidContent,
        "a poster must be a picture"
    );
    let audio_as_video = serde_json::from_value::<Content>(json!({
        "type": "video", "file": {"id": voice.id}, "duration_ms": 1000, "width": 64, "height": 48
    }))
    .unwrap();
    assert_eq!(
        code(alice.api.send(conv, &cmid(), audio_as_video).await),
        ErrorCode::InvalidContent
    );
    // Over the WebSocket the same rules hold; a client sends the id alone.
    let (mut ws, _) = crate::support::RawWs::connect(&server, &alice.token).await;
    let forged = ws
        .request(
            json!({"type": "send", "conv": conv, "cmid": cmid(),
                   "content": {"type": "image", "file": poster.id, "forwarded": {"sender": 1, "ts": 0}}}),
            1,
        )
        .await;
    assert_eq!(forged["type"], "error", "{forged}");
    let ok = ws
        .request(
            json!({"type": "send", "conv": conv, "cmid": cmid(),
                   "content": {"type": "image", "file": poster.id, "width": 1}}),
            2,
        )
        .await;
    assert_eq!(ok["type"], "ack", "{ok}");
}

#[tokio::test]
async fn a_recalled_file_goes_and_storage_does_not_only_grow() {
    let server = TestServer::start_with(&[
        ("TERN_FILES_SWEEP_INTERVAL_MS", "100"),
        ("TERN_FILES_UNSHOWN_GRACE_S", "2"),
        ("TERN_MESSAGES_RECALL_WINDOW_S", "unlimited"),
    ])
    .await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let photo = alice
        .api
        .upload("large.jpg", fixture("large.jpg"))
        .await
        .unwrap();
    let sent = alice
        .api
        .send(conv, &cmid(), Content::image(photo.id.clone()))
        .await
        .unwrap();
    let kept = alice
        .api
        .upload("kept.txt", b"shown".to_vec())
        .await
        .unwrap();
    alice
        .api
        .send(conv, &cmid(), Content::file(kept.id.clone()))
        .await
        .unwrap();
    let unsent = alice
        .api
        .upload("draft.txt", b"never sent".to_vec())
        .await
        .unwrap();
    let preview = bob.api.download(&photo.id, Some("preview")).await.unwrap();
    assert!(!preview.is_empty());

    alice.api.recall(conv, sent.event.seq).await.unwrap();
    assert_eq!(
        code(bob.api.download(&photo.id, None).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(alice.api.download(&photo.id, None).await),
        ErrorCode::NotFound
    );
    // The photo (and its two renditions) and the draft go; the file still shown stays.
    eventually("the sweep to remove what nothing shows", || async {
        (server.stored("blobs").await.len() == 1).then_some(())
    })
    .await;
    assert_eq!(
        code(alice.api.download(&unsent.id, None).await),
        ErrorCode::NotFound
    );
    assert_eq!(bob.api.download(&kept.id, None).await.unwrap(), b"shown");
}

#[tokio::test]
async fn a_disk_that_fails_refuses_uploads_as_unavailable_and_readiness_says_so() {
    let server = TestServer::start_with(&[("TERN_FILES_STORAGE", "disk")]).await;
    let [alice] = server.users(["alice"]).await;
    let ok = alice
        .api
        .upload("before.txt", b"fine".to_vec())
        .await
        .unwrap();
    // The disk under the staging directory fails (replaced by a plain file).
    let staging = server.data_dir().join("files/staging");
    std::fs::remove_dir_all(&staging).unwrap();
    std::fs::write(&staging, b"not a directory").unwrap();
    let failed = alice.api.upload("after.txt", b"lost?".to_vec()).await;
    assert_eq!(code(failed), ErrorCode::Unavailable);
    let body = crate::support::until_ready_is(&server.url, 503).await;
    assert_eq!(body["files"], "error");
    assert_eq!(
        alice.api.download(&ok.id, None).await.unwrap(),
        b"fine",
        "what was stored is kept"
    );
    // Repaired: uploads work again.
    std::fs::remove_file(&staging).unwrap();
    std::fs::create_dir(&staging).unwrap();
    crate::support::until_ready_is(&server.url, 200).await;
    alice
        .api
        .upload("again.txt", b"works".to_vec())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_unreachable_s3_refuses_uploads_as_unavailable_and_readiness_says_so() {
    // Nothing listens on port 1.
    let server = TestServer::start_with(&[
        ("TERN_FILES_STORAGE", "s3"),
        ("TERN_FILES_S3_ENDPOINT", "http://127.0.0.1:1"),
        ("TERN_FILES_S3_BUCKET", "tern"),
        ("TERN_FILES_S3_ACCESS_KEY", "key"),
        ("TERN_FILES_S3_SECRET_KEY", "secret"),
    ])
    .await;
    let [alice] = server.users(["alice"]).await;
    let failed = alice
        .api
        .upload("lost.txt", b"nowhere to go".to_vec())
        .await;
    assert_eq!(code(failed), ErrorCode::Unavailable);
    let body = crate::support::until_ready_is(&server.url, 503).await;
    assert_ne!(body["files"], "ok", "{body}");
    assert_eq!(body["database"], "ok", "only file storage is down");
}
