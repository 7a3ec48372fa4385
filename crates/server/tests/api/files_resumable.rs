//! Resumable uploads (tus) cut mid-way: by hand on the wire, and through the Rust SDK behind a
//! proxy that cuts the connection.

use crate::files::{error_code, http};
use crate::support::{TestServer, TestUser, eventually};
use tern_sdk::proto::FileId;
use tokio::io::AsyncWriteExt;

/// Writes a tus PATCH by hand and drops the connection after `cut` bytes of the body.
async fn patch_cut_short(
    server: &TestServer,
    user: &TestUser,
    location: &str,
    offset: usize,
    body: &[u8],
    cut: usize,
) {
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "PATCH {location} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nTus-Resumable: 1.0.0\r\n\
         Upload-Offset: {offset}\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        user.token,
        body.len()
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&body[..cut]).await.unwrap();
    tcp.flush().await.unwrap();
    // The phone goes into a tunnel.
    drop(tcp);
}

async fn tus_offset(server: &TestServer, user: &TestUser, location: &str) -> (u64, Option<String>) {
    let resp = reqwest::Client::new()
        .head(format!("{}{location}", server.url))
        .bearer_auth(&user.token)
        .header("tus-resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let offset = resp.headers()["upload-offset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let file = resp
        .headers()
        .get("tern-file")
        .map(|v| v.to_str().unwrap().to_string());
    (offset, file)
}

#[tokio::test]
async fn a_resumable_upload_cut_mid_way_continues_where_it_stopped() {
    let server = TestServer::start().await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let options = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/files", server.url),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(options.headers()["tus-version"], "1.0.0");
    assert!(
        options.headers()["tus-extension"]
            .to_str()
            .unwrap()
            .contains("creation")
    );

    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let created = http(&server, &alice, reqwest::Method::POST, "/files")
        .header("tus-resumable", "1.0.0")
        .header("upload-length", bytes.len())
        .header("upload-metadata", "filename 5oql5ZGKLmJpbg==") // 报告.bin
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(created.headers()["upload-offset"], "0");

    patch_cut_short(&server, &alice, &location, 0, &bytes, 1_200_000).await;
    let offset = eventually("the cut chunk to be stored", || async {
        let (offset, _) = tus_offset(&server, &alice, &location).await;
        (offset == 1_200_000).then_some(offset)
    })
    .await as usize;
    // Another user cannot see or touch it.
    let theirs = reqwest::Client::new()
        .head(format!("{}{location}", server.url))
        .bearer_auth(&bob.token)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 404);

    // A stale offset is refused, the right one continues.
    let stale = http(
        &server,
        &alice,
        reqwest::Method::PATCH,
        &location.replace("/api/v1", ""),
    )
    .header("tus-resumable", "1.0.0")
    .header("upload-offset", "0")
    .header("content-type", "application/offset+octet-stream")
    .body(bytes[..10].to_vec())
    .send()
    .await
    .unwrap();
    assert_eq!(error_code(stale).await, (409, "offset_mismatch".into()));
    let wrong_type = http(
        &server,
        &alice,
        reqwest::Method::PATCH,
        &location.replace("/api/v1", ""),
    )
    .header("upload-offset", offset.to_string())
    .header("content-type", "application/json")
    .body(bytes[offset..].to_vec())
    .send()
    .await
    .unwrap();
    assert_eq!(wrong_type.status(), 415);
    let rest = http(
        &server,
        &alice,
        reqwest::Method::PATCH,
        &location.replace("/api/v1", ""),
    )
    .header("tus-resumable", "1.0.0")
    .header("upload-offset", offset.to_string())
    .header("content-type", "application/offset+octet-stream")
    .body(bytes[offset..].to_vec())
    .send()
    .await
    .unwrap();
    assert_eq!(rest.status(), 204);
    assert_eq!(
        rest.headers()["upload-offset"],
        bytes.len().to_string().as_str()
    );
    let file_id = rest.headers()["tern-file"].to_str().unwrap().to_string();
    // A client that lost that answer learns the file from HEAD.
    let (_, from_head) = tus_offset(&server, &alice, &location).await;
    assert_eq!(from_head.as_deref(), Some(file_id.as_str()));

    let file = FileId(file_id);
    let info = alice.api.file_info(&file).await.unwrap();
    assert_eq!(
        (info.name.as_str(), info.size),
        ("报告.bin", bytes.len() as u64)
    );
    assert_eq!(alice.api.download(&file, None).await.unwrap(), bytes);
    let attachment = http(
        &server,
        &alice,
        reqwest::Method::GET,
        &format!("/files/{file}"),
    )
    .send()
    .await
    .unwrap();
    assert!(
        attachment.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"),
        "unknown bytes are downloaded, never shown"
    );
}

/// A proxy to `target` that cuts the first connection after it forwarded `cut_after` bytes
/// upstream (a phone entering a tunnel); later connections pass untouched.
async fn cutting_proxy(target: std::net::SocketAddr, cut_after: usize) -> String {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut first = true;
        while let Ok((mut inbound, _)) = listener.accept().await {
            let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else {
                continue;
            };
            if !std::mem::take(&mut first) {
                tokio::spawn(async move {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
                continue;
            }
            tokio::spawn(async move {
                let (mut from_client, mut to_client) = inbound.into_split();
                let (mut from_server, mut to_server) = outbound.into_split();
                // Answers flow back untouched until the cut.
                let back = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut from_server, &mut to_client).await;
                });
                let mut sent = 0;
                let mut buf = vec![0u8; 64 * 1024];
                while sent < cut_after {
                    let Ok(n) = from_client.read(&mut buf).await else {
                        break;
                    };
                    if n == 0 {
                        break;
                    }
                    let take = n.min(cut_after - sent);
                    if to_server.write_all(&buf[..take]).await.is_err() {
                        break;
                    }
                    sent += take;
                }
                back.abort();
                // Both ends dropped: the client sees its request fail mid-way.
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_rust_sdk_resumes_an_upload_cut_mid_way() {
    let server = TestServer::start().await;
    let [alice] = server.users(["alice"]).await;
    let proxy = cutting_proxy(server.addr, 1_500_000).await;
    let via_proxy = tern_sdk::Api::new(proxy).with_token(alice.token.clone());
    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 241) as u8).collect();
    let file = via_proxy
        .upload_resumable("数据.bin", &bytes, 1_000_000, 3)
        .await
        .unwrap();
    assert_eq!(
        (file.name.as_str(), file.size),
        ("数据.bin", bytes.len() as u64)
    );
    assert_eq!(alice.api.download(&file.id, None).await.unwrap(), bytes);
}
