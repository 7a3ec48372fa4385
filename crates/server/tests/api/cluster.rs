//! Several tern nodes on one PostgreSQL database and one Redis: cross-node delivery, seqs under
//! concurrent writers on different nodes, and the failures of a node, of Redis and of
//! PostgreSQL. The services are real; the tests cut them with a TCP proxy in between.

use crate::proxy::{TcpProxy, address_of, via};
use crate::support::{Device, RawWs, TestServer, TestUser, text, until_ready_is};
use redis::AsyncCommands;
use serde_json::json;
use tern_sdk::proto::{Content, ErrorCode, NotifyLevel};
use tern_sdk::{Api, ClientEvent};
use tern_store::testing::{TestDatabase, redis_url, service_missing};

pub(crate) struct Cluster {
    pub(crate) nodes: Vec<TestServer>,
    /// In front of the nodes, as a load balancer would be.
    balancer: TcpProxy,
    /// Between the nodes and PostgreSQL / Redis.
    postgres: TcpProxy,
    redis: TcpProxy,
    _database: TestDatabase,
}

impl Cluster {
    /// Three nodes (or `None`, after saying SKIPPED, without PostgreSQL or Redis).
    async fn start() -> Option<Cluster> {
        Self::start_with(&[]).await
    }

    /// Three nodes with extra `TERN_*` settings.
    pub(crate) async fn start_with(extra: &[(&str, &str)]) -> Option<Cluster> {
        let database = TestDatabase::create().await?;
        let redis = redis_url();
        let reachable = async {
            let client = redis::Client::open(redis.as_str())?;
            let mut conn = client.get_multiplexed_async_connection().await?;
            conn.ping::<String>().await
        };
        if let Err(e) = reachable.await {
            service_missing("Redis", e);
            return None;
        }
        let postgres = TcpProxy::start(vec![address_of(&database.url).await]).await;
        let redis_proxy = TcpProxy::start(vec![address_of(&redis).await]).await;
        let env = vec![
            (
                "TERN_STORAGE_DATABASE_URL".into(),
                via(&database.url, postgres.addr),
            ),
            (
                "TERN_CLUSTER_REDIS_URL".into(),
                via(&redis, redis_proxy.addr),
            ),
            (
                "TERN_CLUSTER_REDIS_PREFIX".into(),
                format!("test-{}", rand::random::<u64>()),
            ),
        ];
        let mut env = env;
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut nodes = Vec::new();
        for _ in 0..3 {
            nodes.push(TestServer::start_node(env.clone()).await);
        }
        let balancer = TcpProxy::start(nodes.iter().map(|n| n.addr).collect()).await;
        Some(Cluster {
            nodes,
            balancer,
            postgres,
            redis: redis_proxy,
            _database: database,
        })
    }

    /// The shared database, as the nodes reach it (through the cutting proxy).
    pub(crate) fn database_url(&self) -> String {
        self.nodes[0].database_url()
    }

    fn balanced_url(&self) -> String {
        format!("http://{}", self.balancer.addr)
    }

    async fn device_on(&self, node: usize, user: &TestUser) -> Device {
        let login = user.login("node device").await;
        Device::connect(&self.nodes[node].url, &login.token).await
    }
}

#[tokio::test]
async fn messages_reach_devices_on_other_nodes_in_order() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let [alice, bob, carol] = cluster.nodes[0].users(["alice", "bob", "carol"]).await;
    let conv = alice
        .api
        .create_group("across", &[bob.id(), carol.id()])
        .await
        .unwrap()
        .summary
        .id;
    let sender = cluster.device_on(0, &alice).await;
    let mut receivers = vec![
        cluster.device_on(1, &bob).await,
        cluster.device_on(2, &bob).await,
        cluster.device_on(2, &carol).await,
        cluster.device_on(0, &carol).await,
    ];
    let mut acks = Vec::new();
    for i in 0..30 {
        acks.push(
            sender
                .client
                .send_text(conv, format!("m{i}"))
                .await
                .unwrap(),
        );
    }
    let last = acks.last().unwrap().seq;
    // Seq 1 is the group's creation, read from the database, not from what the devices got.
    let created = alice.api.history(conv, Some(2), Some(1)).await.unwrap();
    let created = (created.events[0].seq, created.events[0].id);
    assert_eq!(created.0, 1);
    for device in &mut receivers {
        let got: Vec<_> = device
            .collect_until(conv, last)
            .await
            .iter()
            .map(|e| (e.seq, e.id))
            .collect();
        let mut want = vec![created];
        want.extend(acks.iter().map(|a| (a.seq, a.id)));
        assert_eq!(got, want);
    }
    // And back: bob on node 1 to alice on node 0.
    let mut alice_device = cluster.device_on(0, &alice).await;
    let reply = receivers[0].client.send_text(conv, "back").await.unwrap();
    let event = alice_device.collect_until(conv, reply.seq).await;
    assert_eq!(event.last().unwrap().content, text("back"));
}

#[tokio::test]
async fn changes_to_messages_reach_devices_on_other_nodes_in_order() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let [alice, bob] = cluster.nodes[0].users(["alice", "bob"]).await;
    let conv = alice
        .api
        .create_group("across", &[bob.id()])
        .await
        .unwrap()
        .summary
        .id;
    let editor = cluster.device_on(0, &alice).await;
    let reactor = cluster.device_on(2, &bob).await;
    let mut watcher = cluster.device_on(1, &bob).await;
    let sent = editor.client.send_text(conv, "draft").await.unwrap();
    let edit = editor.client.edit(conv, sent.seq, "final").await.unwrap();
    let react = reactor
        .client
        .react(conv, sent.seq, "👍", true)
        .await
        .unwrap();
    let pin = editor.client.pin(conv, sent.seq, true).await.unwrap();
    let recall = editor.client.recall(conv, sent.seq).await.unwrap();
    let got: Vec<_> = watcher
        .collect_until(conv, recall[0])
        .await
        .into_iter()
        .filter(|e| e.seq > sent.seq)
        .map(|e| (e.seq, e.content.kind()))
        .collect();
    assert_eq!(
        got,
        [
            (edit[0], "edit"),
            (react[0], "reaction"),
            (pin[0], "pin"),
            (recall[0], "recall")
        ]
    );
}

#[tokio::test]
async fn replies_mentions_forwards_and_preferences_cross_nodes() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let [alice, bob] = cluster.nodes[0].users(["alice", "bob"]).await;
    let group = alice
        .api
        .create_group("跨节点", &[bob.id()])
        .await
        .unwrap()
        .summary
        .id;
    let direct = alice.direct_with(&bob).await;
    let writer = cluster.device_on(0, &alice).await;
    let mut reader = cluster.device_on(2, &bob).await;
    let first = writer.client.send_text(group, "agenda?").await.unwrap();
    let reply = Content::Text {
        text: "@bob see above".into(),
        reply_to: Some(first.seq),
        mentions: vec![bob.id()],
        mention_all: false,
        forwarded: None,
    };
    let sent = writer.client.send(group, reply.clone()).await.unwrap();
    let got = reader.collect_until(group, sent.seq).await;
    assert_eq!(got.last().map(|e| &e.content), Some(&reply));
    // The mention is counted on a node other than the one that stored it.
    let on_node_one = Api::new(cluster.nodes[1].url.clone()).with_token(&bob.token);
    let summary = on_node_one.conversation(group).await.unwrap().summary;
    assert_eq!((summary.unread, summary.unread_mentions), (2, 1));
    // Bob forwards both through node 2; alice's device on node 0 gets the copies in order.
    let copies = reader
        .client
        .forward(direct, group, vec![first.seq, sent.seq])
        .await
        .unwrap();
    let mut watcher = cluster.device_on(0, &alice).await;
    let arrived = watcher.collect_until(direct, copies[1]).await;
    let texts: Vec<_> = arrived
        .iter()
        .filter(|e| copies.contains(&e.seq))
        .map(|e| e.content.kind())
        .collect();
    assert_eq!(texts, ["text", "text"]);
    // Preferences set through node 1 reach bob's connection on node 2.
    let (mut elsewhere, _) = RawWs::connect(&cluster.nodes[2], &bob.token).await;
    on_node_one
        .preferences(group, Some(NotifyLevel::Muted), None)
        .await
        .unwrap();
    let heard = elsewhere.recv_type("preferences").await;
    assert_eq!(
        (heard["conv"].as_i64(), heard["notify"].as_str()),
        (Some(group.0), Some("muted"))
    );
}

#[tokio::test]
async fn read_receipts_and_settings_cross_nodes() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let [alice, bob] = cluster.nodes[0].users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let mut sender = cluster.device_on(0, &alice).await;
    let reader = cluster.device_on(2, &bob).await;
    let sent = sender.client.send_text(conv, "seen?").await.unwrap();
    reader.client.mark_read(conv, sent.seq).await.unwrap();
    sender
        .until(|e| match e {
            ClientEvent::Receipts { receipts, .. } => receipts
                .iter()
                .any(|r| r.user == bob.id() && r.seq >= sent.seq),
            _ => false,
        })
        .await;
    // A settings change made through one node reaches the user's devices on another.
    let mut watcher = cluster.device_on(1, &bob).await;
    let on_node_two = Api::new(cluster.nodes[2].url.clone()).with_token(&bob.token);
    let hidden = on_node_two.update_settings(Some(false)).await.unwrap();
    let heard = watcher
        .until(|e| matches!(e, ClientEvent::Settings(_)))
        .await;
    assert_eq!(heard, ClientEvent::Settings(hidden));
}

#[tokio::test]
async fn typing_crosses_nodes_without_the_database() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let [alice, bob] = cluster.nodes[0].users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let typer = cluster.device_on(0, &alice).await;
    let mut watcher = cluster.device_on(2, &bob).await;
    typer.client.typing(conv).await.unwrap();
    let heard = watcher
        .until(|e| matches!(e, ClientEvent::Typing { .. }))
        .await;
    assert_eq!(
        heard,
        ClientEvent::Typing {
            conv,
            user: alice.id()
        }
    );
}

#[tokio::test]
async fn senders_on_different_nodes_share_one_gapless_sequence() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let [alice, bob, carol] = cluster.nodes[0].users(["alice", "bob", "carol"]).await;
    let conv = alice
        .api
        .create_group("busy", &[bob.id(), carol.id()])
        .await
        .unwrap()
        .summary
        .id;
    let senders = [
        cluster.device_on(0, &alice).await,
        cluster.device_on(1, &bob).await,
        cluster.device_on(2, &carol).await,
    ];
    let mut watcher = cluster.device_on(1, &alice).await;
    let tasks: Vec<_> = senders
        .iter()
        .map(|d| {
            let client = d.client.clone();
            tokio::spawn(async move {
                let mut acks = Vec::new();
                for i in 0..20 {
                    acks.push(client.send_text(conv, format!("{i}")).await.unwrap());
                }
                acks
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.extend(t.await.unwrap().into_iter().map(|a| a.seq));
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (2..=61).collect::<Vec<u64>>());
    let got: Vec<u64> = watcher
        .collect_until(conv, 61)
        .await
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(got, (1..=61).collect::<Vec<u64>>());
}

#[tokio::test]
async fn a_resend_to_another_node_returns_the_original_ack() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let [alice, bob] = cluster.nodes[0].users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let send = json!({"type": "send", "conv": conv, "cmid": "once", "content": {"type": "text", "text": "x"}});
    let (mut on_a, _) = RawWs::connect(&cluster.nodes[0], &alice.token).await;
    let (mut on_b, _) = RawWs::connect(&cluster.nodes[1], &alice.token).await;
    let first = on_a.request(send.clone(), 1).await;
    let again = on_b.request(send, 2).await;
    assert_eq!(again["duplicate"], true);
    assert_eq!(
        (first["seq"].clone(), first["id"].clone()),
        (again["seq"].clone(), again["id"].clone())
    );
    assert_eq!(
        bob.api
            .history(conv, None, None)
            .await
            .unwrap()
            .events
            .len(),
        1
    );
}

#[tokio::test]
async fn clients_of_a_killed_node_reconnect_elsewhere_and_lose_nothing() {
    let Some(mut cluster) = Cluster::start().await else {
        return;
    };
    let [alice, bob] = cluster.nodes[0].users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let url = cluster.balanced_url();
    let mut devices = Vec::new();
    for _ in 0..3 {
        devices.push(Device::connect(&url, &alice.login("lb").await.token).await);
        devices.push(Device::connect(&url, &bob.login("lb").await.token).await);
    }
    let mut acks = Vec::new();
    for i in 0..10 {
        acks.push(
            devices[i % 6]
                .client
                .send_text(conv, format!("before {i}"))
                .await
                .unwrap(),
        );
    }
    cluster.nodes[0].kill().await;
    for i in 0..10 {
        acks.push(
            devices[i % 6]
                .client
                .send_text(conv, format!("after {i}"))
                .await
                .unwrap(),
        );
    }
    let last = acks.iter().map(|a| a.seq).max().unwrap();
    assert_eq!(last, 20);
    for device in &mut devices {
        let seqs: Vec<u64> = device
            .collect_until(conv, last)
            .await
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, (1..=20).collect::<Vec<u64>>());
    }
}

#[tokio::test]
async fn without_redis_sends_still_commit_and_everything_recovers_by_itself() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let [alice, bob] = cluster.nodes[0].users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let sender = cluster.device_on(0, &alice).await;
    let mut receiver = cluster.device_on(1, &bob).await;
    let first = sender.client.send_text(conv, "with redis").await.unwrap();
    assert_eq!(receiver.next_in(conv).await.id, first.id);

    cluster.redis.cut();
    // Committed and acknowledged although the other node cannot hear of it now.
    let during = sender
        .client
        .send_text(conv, "redis is down")
        .await
        .unwrap();
    assert_eq!(during.seq, 2);
    cluster.redis.restore();
    // Without any restart: the receiver is told to resync and catches up...
    let caught_up = receiver.next_in(conv).await;
    assert_eq!(
        (caught_up.seq, caught_up.content),
        (2, text("redis is down"))
    );
    // ...and live cross-node delivery works again (the subscriptions are back).
    let after = sender
        .client
        .send_text(conv, "redis is back")
        .await
        .unwrap();
    assert_eq!(receiver.next_in(conv).await.id, after.id);
}

#[tokio::test]
async fn without_postgres_sends_fail_retryably_and_everything_recovers_by_itself() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let [alice, bob] = cluster.nodes[0].users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let (mut raw, _) = RawWs::connect(&cluster.nodes[0], &alice.token).await;
    let mut receiver = cluster.device_on(1, &bob).await;
    let ready = format!("{}/readyz", cluster.nodes[0].url);
    assert_eq!(reqwest::get(&ready).await.unwrap().status(), 200);

    cluster.postgres.cut();
    let send = json!({"type": "send", "conv": conv, "cmid": "during", "content": {"type": "text", "text": "stored later"}});
    let refused = raw.request(send.clone(), 1).await;
    assert_eq!(refused["type"], "error", "never a false ack: {refused}");
    assert_eq!(
        (refused["code"].as_str(), refused["retryable"].as_bool()),
        (Some("unavailable"), Some(true))
    );
    let err = alice
        .api
        .send(conv, "during-http", text("x"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unavailable));
    assert_eq!(reqwest::get(&ready).await.unwrap().status(), 503);

    cluster.postgres.restore();
    // Ready again once a write succeeds (the node probes every second).
    until_ready_is(&cluster.nodes[0].url, 200).await;
    let ack = raw.request(send, 2).await;
    assert_eq!(
        (ack["type"].as_str(), ack["seq"].as_u64()),
        (Some("ack"), Some(1))
    );
    let event = receiver.next_in(conv).await;
    assert_eq!(event.content, text("stored later"));
}

#[tokio::test]
async fn a_node_that_missed_bus_messages_rebuilds_members_and_sessions_from_the_database() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let [alice, bob, carol] = cluster.nodes[0].users(["alice", "bob", "carol"]).await;
    let group = alice
        .api
        .create_group("repair", &[bob.id(), carol.id()])
        .await
        .unwrap()
        .summary
        .id;
    let direct = alice.direct_with(&bob).await;
    let (mut bob_ws, _) = RawWs::connect(&cluster.nodes[1], &bob.token).await;
    let phone = carol.login("phone").await;
    let (mut carol_phone, _) = RawWs::connect(&cluster.nodes[1], &phone.token).await;
    // Node 1 has the group's members cached: bob gets a message live there.
    let warm = alice.api.send(group, "warm", text("warm")).await.unwrap();
    let live = bob_ws.recv_type("event").await;
    assert_eq!(live["id"], warm.event.id.to_string());

    // While node 1 hears nothing from Redis, bob is removed and carol's phone revoked on node 0.
    cluster.redis.cut();
    alice.api.remove_member(group, bob.id()).await.unwrap();
    carol.api.revoke_session(phone.session.id).await.unwrap();
    cluster.redis.restore();

    // Node 1 repairs itself from the database: the revoked session is closed...
    assert_eq!(carol_phone.recv_close().await, Some(4001));
    // ...and bob, no longer a member, gets nothing of the group live, though he still gets the
    // conversations he is in (the direct message is sent after the group's, on the same path).
    let secret = alice
        .api
        .send(group, "after", text("secret"))
        .await
        .unwrap();
    let hello = alice
        .api
        .send(direct, "hello", text("hello"))
        .await
        .unwrap();
    loop {
        let frame = bob_ws.recv().await;
        if frame["type"] == "event" {
            assert_ne!(frame["id"], secret.event.id.to_string(), "{frame}");
            if frame["id"] == hello.event.id.to_string() {
                break;
            }
        }
    }
}

/// A Redis URL the client cannot use (TLS is not built in yet) stops cross-node delivery:
/// the node says so on `/readyz` instead of serving users who would miss other nodes' events.
#[tokio::test]
async fn a_node_whose_bus_stopped_is_not_ready() {
    let server =
        TestServer::start_with(&[("TERN_CLUSTER_REDIS_URL", "rediss://127.0.0.1:6379")]).await;
    let body = until_ready_is(&server.url, 503).await;
    assert_eq!(body["bus"], "stopped", "{body}");
    assert_eq!(body["database"], "ok", "{body}");
}
