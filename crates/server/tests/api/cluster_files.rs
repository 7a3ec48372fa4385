//! Files in a cluster of three nodes sharing S3 (the S3 pass of scripts/test.sh, which starts
//! Swift): a resumable upload whose chunks reach different nodes, a picture sent from one node
//! and downloaded, thumbnail and all, from another, and a signed link made on one node honoured
//! by the others. Nodes on local disks share nothing, so without S3 there is nothing to test.

use crate::cluster::Cluster;
use crate::support::{cmid, test_s3};
use tern_sdk::Api;
use tern_sdk::proto::Content;
use tern_sdk::proto::rest::LinkRequest;

#[tokio::test]
async fn files_cross_nodes_chunk_by_chunk_on_shared_s3() {
    let Some(s3) = test_s3() else {
        return;
    };
    let prefix = format!("cluster-{:016x}", rand::random::<u64>());
    let settings = [
        ("TERN_FILES_STORAGE", "s3"),
        ("TERN_FILES_S3_ENDPOINT", s3.endpoint.as_str()),
        ("TERN_FILES_S3_BUCKET", s3.bucket.as_str()),
        ("TERN_FILES_S3_ACCESS_KEY", s3.access_key.as_str()),
        ("TERN_FILES_S3_SECRET_KEY", s3.secret_key.as_str()),
        ("TERN_FILES_S3_PREFIX", prefix.as_str()),
    ];
    let Some(cluster) = Cluster::start_with(&settings).await else {
        return;
    };
    let [alice, bob] = cluster.nodes[0].users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let http = reqwest::Client::new();
    let node = |i: usize| cluster.nodes[i].url.clone();

    // Created on node 0, the first chunk to node 1, the rest to node 2.
    let bytes: Vec<u8> = (0..2_500_000u32).map(|i| (i % 253) as u8).collect();
    let created = http
        .post(format!("{}/api/v1/files", node(0)))
        .bearer_auth(&alice.token)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", bytes.len())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    let mut offset = 0;
    for (i, end) in [(1, 1_000_000), (2, bytes.len())] {
        let resp = http
            .patch(format!("{}{location}", node(i)))
            .bearer_auth(&alice.token)
            .header("tus-resumable", "1.0.0")
            .header("upload-offset", offset)
            .header("content-type", "application/offset+octet-stream")
            .body(bytes[offset..end].to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204, "chunk to node {i}");
        offset = end;
    }
    let status: serde_json::Value = http
        .get(format!("{}{location}", node(1)))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let file = status["file"]["id"].as_str().unwrap().to_string();
    let on = |i: usize, token: &str| Api::new(node(i)).with_token(token.to_string());
    alice
        .api
        .send(
            conv,
            &cmid(),
            serde_json::from_value(serde_json::json!({"type": "file", "file": {"id": file}}))
                .unwrap(),
        )
        .await
        .unwrap();
    let id = tern_sdk::proto::FileId(file);
    assert_eq!(on(2, &bob.token).download(&id, None).await.unwrap(), bytes);

    // A picture from node 2, its thumbnail from node 0; a link made on node 1 works on node 2.
    let photo = fixture("large.jpg");
    let uploaded = on(2, &alice.token)
        .upload("large.jpg", photo)
        .await
        .unwrap();
    on(2, &alice.token)
        .send(conv, &cmid(), Content::image(uploaded.id.clone()))
        .await
        .unwrap();
    let thumb = on(0, &bob.token)
        .download(&uploaded.id, Some("thumb"))
        .await
        .unwrap();
    assert_eq!(image::load_from_memory(&thumb).unwrap().width(), 320);
    let link = on(1, &bob.token)
        .file_links(vec![LinkRequest {
            id: uploaded.id.clone(),
            variant: Some("preview".into()),
        }])
        .await
        .unwrap()
        .remove(0);
    let resp = http
        .get(format!("{}{}", node(2), link.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "every node shares the signing key");
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../fixtures/media/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}
