//! Followers of the commit log, proved with the audit follower: it sees every committed event
//! exactly once, in order per conversation, through a `kill -9` of the server and, in a
//! cluster, of the node that holds its lease.

use crate::support::{TestServer, TestUser, WAIT, cmid, text};
use serde_json::Value;
use std::collections::BTreeMap;
use tern_sdk::Api;
use tern_sdk::proto::ConvId;
use tern_store::testing::follower_row;

/// The audit's state and holder, once it has claimed its lease.
async fn audit(database: &str) -> Option<(Value, Option<String>)> {
    let (state, holder) = follower_row(database, "audit").await?;
    let state = if state.is_empty() {
        serde_json::json!({"events": 0, "last": {}, "problems": []})
    } else {
        serde_json::from_str(&state).expect("audit state is JSON")
    };
    Some((state, holder))
}

/// Waits until the audit holds a lease (it starts from the position of its first claim).
async fn until_claimed(database: &str) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some((_, Some(holder))) = audit(database).await {
            return holder;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the audit never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Waits until the audit has seen exactly the events of `convs` (their last seqs, asked through
/// `api`), then checks it found no gap, repeat or disorder.
async fn until_audited(database: &str, api: &Api, convs: &[ConvId]) {
    let mut expected = BTreeMap::new();
    for &conv in convs {
        let summary = api.conversation(conv).await.unwrap().summary;
        expected.insert(conv.0.to_string(), summary.last_seq);
    }
    let total: u64 = expected.values().sum();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (state, _) = audit(database).await.expect("audit row");
        if state["events"].as_u64() == Some(total) {
            let last: BTreeMap<String, u64> =
                serde_json::from_value(state["last"].clone()).unwrap();
            assert_eq!(last, expected, "{state}");
            assert_eq!(state["problems"], serde_json::json!([]), "{state}");
            return;
        }
        assert!(
            state["events"].as_u64().unwrap_or(0) <= total,
            "the audit saw more events than were committed: {state}"
        );
        assert!(
            tokio::time::Instant::now() < deadline,
            "the audit saw {} of {total} events",
            state["events"]
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn audited_group(owner: &TestUser, member: &TestUser) -> ConvId {
    let detail = owner.api.create_group("audited", &[member.id()]).await;
    detail.unwrap().summary.id
}

#[tokio::test]
async fn a_follower_sees_every_event_exactly_once_through_kill_9() {
    let mut server = TestServer::start_with(&[("TERN_FOLLOWERS_AUDIT_COMMIT_LOG", "true")]).await;
    let database = server.database_url();
    until_claimed(&database).await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let group = audited_group(&alice, &bob).await;
    let direct = alice.direct_with(&bob).await;
    let send_burst = |n: usize| {
        let (alice, bob) = (alice.api.clone(), bob.api.clone());
        async move {
            let sends = (0..n).map(|i| {
                let (api, conv) = if i % 2 == 0 {
                    (&alice, group)
                } else {
                    (&bob, direct)
                };
                async move { api.send(conv, &cmid(), text("audited")).await }
            });
            for sent in futures_util::future::join_all(sends).await {
                sent.unwrap();
            }
        }
    };
    send_burst(40).await;
    // Killed while the follower is likely mid-page: its last page is handed over again.
    server.kill().await;
    server.restart().await;
    send_burst(40).await;
    until_audited(&database, &alice.api, &[group, direct]).await;
}

#[tokio::test]
async fn in_a_cluster_one_node_follows_and_another_takes_over_when_it_dies() {
    let Some(mut cluster) =
        crate::cluster::Cluster::start_with(&[("TERN_FOLLOWERS_AUDIT_COMMIT_LOG", "true")]).await
    else {
        return;
    };
    let database = cluster.database_url();
    let holder = until_claimed(&database).await;
    let [alice, bob] = cluster.nodes[0].users(["alice", "bob"]).await;
    let group = audited_group(&alice, &bob).await;
    // Writers on every node; the lease holder follows all of them.
    let mut apis = Vec::new();
    for node in &cluster.nodes {
        let login = node
            .api()
            .login("alice", crate::support::PASSWORD, None)
            .await
            .unwrap();
        apis.push(node.api().with_token(login.token));
    }
    for i in 0..30 {
        apis[i % 3]
            .send(group, &cmid(), text("audited"))
            .await
            .unwrap();
    }
    // Kill -9 the node that holds the lease; another takes over once it lapses.
    let index = cluster
        .nodes
        .iter()
        .position(|n| holder.starts_with(&n.addr.to_string()))
        .expect("the holder is one of the nodes");
    cluster.nodes[index].kill().await;
    let survivors: Vec<usize> = (0..3).filter(|&i| i != index).collect();
    for i in 0..30 {
        let node = survivors[i % 2];
        apis[node]
            .send(group, &cmid(), text("after"))
            .await
            .unwrap();
    }
    until_audited(&database, &apis[survivors[0]], &[group]).await;
    let (_, new_holder) = audit(&database).await.unwrap();
    assert_ne!(
        new_holder.as_deref(),
        Some(holder.as_str()),
        "the lease moved"
    );
}
