//! Chaos: 50 devices of 25 users send concurrently into 1:1 and group conversations while
//! connections are cut at random and the server is killed (SIGKILL) and stopped (SIGTERM) and
//! started again on the same data. Afterwards every acknowledged message is on every member's
//! devices exactly once, in seq order, with no gap.

use crate::support::{TestServer, TestUser, WAIT};
use rand::seq::IndexedRandom;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tern_sdk::proto::{ConvId, Event};
use tern_sdk::{Ack, ClientEvent};
use tokio::sync::{Notify, watch};

const USERS: usize = 25;
const DEVICES_PER_USER: usize = 2;
const SENDS_PER_DEVICE: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acked_message_reaches_every_device_once_in_order_despite_chaos() {
    let mut server = TestServer::start().await;
    let mut users: Vec<TestUser> = Vec::new();
    for i in 0..USERS {
        users.push(server.user(&format!("user{i:02}")).await);
    }
    // A ring of direct conversations, three groups, and one group of everybody.
    let mut convs_of: HashMap<usize, Vec<ConvId>> = HashMap::new();
    let mut members_of: HashMap<ConvId, Vec<usize>> = HashMap::new();
    for i in 0..USERS {
        let j = (i + 1) % USERS;
        let conv = users[i].direct_with(&users[j]).await;
        members_of.insert(conv, vec![i, j]);
    }
    let mut groups: Vec<Vec<usize>> = (0..3).map(|g| (g * 8..g * 8 + 9).collect()).collect();
    groups.push((0..USERS).collect());
    for (g, members) in groups.iter().enumerate() {
        let ids: Vec<_> = members[1..].iter().map(|&m| users[m].id()).collect();
        let conv = users[members[0]]
            .api
            .create_group(&format!("group {g}"), &ids)
            .await
            .unwrap()
            .summary
            .id;
        members_of.insert(conv, members.clone());
    }
    for (&conv, members) in &members_of {
        for &m in members {
            convs_of.entry(m).or_default().push(conv);
        }
    }

    // Devices, each with a collector recording every event it hands to the app.
    let progress = Arc::new(Notify::new());
    let mut devices = Vec::new();
    let mut logs = Vec::new();
    for (u, user) in users.iter().enumerate() {
        for d in 0..DEVICES_PER_USER {
            let device = if d == 0 {
                user.connect().await
            } else {
                user.new_device().await
            };
            let (log_tx, log_rx) = watch::channel(Vec::<Event>::new());
            let (client, backlog, mut events) = device.into_parts();
            let notify = progress.clone();
            tokio::spawn(async move {
                let mut backlog = backlog.into_iter();
                loop {
                    let event = match backlog.next() {
                        Some(event) => event,
                        None => match events.recv().await {
                            Some(event) => event,
                            None => break,
                        },
                    };
                    if let ClientEvent::Event(e) = event {
                        log_tx.send_modify(|log| log.push(e));
                        notify.notify_waiters();
                    }
                }
            });
            devices.push((u, client));
            logs.push((u, log_rx));
        }
    }

    // Everybody sends at once; every tenth ack cuts a random connection.
    let acked = Arc::new(AtomicUsize::new(0));
    let acked_changed = Arc::new(Notify::new());
    let mut senders = Vec::new();
    for (u, client) in &devices {
        let (client, convs) = (client.clone(), convs_of[u].clone());
        let (acked, acked_changed) = (acked.clone(), acked_changed.clone());
        let all: Vec<_> = devices.iter().map(|(_, c)| c.clone()).collect();
        senders.push(tokio::spawn(async move {
            let mut mine: Vec<(Ack, String)> = Vec::new();
            for k in 0..SENDS_PER_DEVICE {
                let conv = *convs.choose(&mut rand::rng()).unwrap();
                let text = format!("from {} #{k}", client.user().username);
                let ack = client.send_text(conv, text.clone()).await.unwrap();
                mine.push((ack, text));
                if acked.fetch_add(1, Ordering::SeqCst) % 10 == 9 {
                    let victim = all.choose(&mut rand::rng()).unwrap();
                    victim.drop_connection().await.unwrap();
                }
                acked_changed.notify_waiters();
            }
            mine
        }));
    }
    let total = devices.len() * SENDS_PER_DEVICE;
    // A SIGKILL a third of the way in, a SIGTERM at two thirds.
    for (fraction, hard) in [(3, true), (3, false)] {
        let target = if hard {
            total / fraction
        } else {
            total * 2 / fraction
        };
        while acked.load(Ordering::SeqCst) < target {
            let wait = acked_changed.notified();
            if acked.load(Ordering::SeqCst) >= target {
                break;
            }
            tokio::time::timeout(WAIT, wait)
                .await
                .expect("sends stalled");
        }
        if hard {
            server.kill().await;
        } else {
            assert!(server.stop().await);
        }
        server.restart().await;
    }
    let mut acks: Vec<(Ack, String)> = Vec::new();
    for s in senders {
        acks.extend(s.await.unwrap());
    }
    assert_eq!(acks.len(), total);

    // Ground truth: the stored history of each conversation, gapless from seq 1.
    let mut history: HashMap<ConvId, Vec<Event>> = HashMap::new();
    for (&conv, members) in &members_of {
        let api = &users[members[0]].api;
        let mut events = Vec::new();
        loop {
            let after = events.last().map(|e: &Event| e.seq).unwrap_or(0);
            let page = api
                .history(conv, Some(after + 501), Some(500))
                .await
                .unwrap();
            let fresh: Vec<_> = page.events.into_iter().filter(|e| e.seq > after).collect();
            if fresh.is_empty() {
                break;
            }
            events.extend(fresh);
        }
        let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(
            seqs,
            (1..=seqs.len() as u64).collect::<Vec<_>>(),
            "{conv}: stored seqs"
        );
        history.insert(conv, events);
    }
    // Every ack names a stored message with its text, and nothing was stored twice.
    for (ack, text) in &acks {
        let stored = &history[&ack.conv][ack.seq as usize - 1];
        assert_eq!(stored.id, ack.id);
        assert_eq!(stored.cmid.as_deref(), Some(ack.cmid.as_str()));
        assert_eq!(stored.content, tern_sdk::proto::Content::text(text.clone()));
    }
    let stored_messages = history
        .values()
        .flatten()
        .filter(|e| e.cmid.is_some())
        .count();
    assert_eq!(stored_messages, total, "a message was stored twice");

    // Every device of every member ends with exactly the stored sequence.
    for (u, log) in &mut logs {
        let expected: Vec<(ConvId, u64, uuid::Uuid)> = convs_of[u]
            .iter()
            .flat_map(|c| history[c].iter().map(|e| (e.conv, e.seq, e.id)))
            .collect();
        loop {
            let wait = progress.notified();
            let done = convs_of[u].iter().all(|c| {
                let last = history[c].len() as u64;
                log.borrow().iter().any(|e| e.conv == *c && e.seq == last)
            });
            if done {
                break;
            }
            tokio::time::timeout(WAIT, wait)
                .await
                .unwrap_or_else(|_| panic!("user{u:02}: a device never caught up"));
        }
        let got = log.borrow();
        for c in &convs_of[u] {
            let mine: Vec<_> = got
                .iter()
                .filter(|e| e.conv == *c)
                .map(|e| (e.conv, e.seq, e.id))
                .collect();
            let want: Vec<_> = expected.iter().filter(|e| e.0 == *c).copied().collect();
            assert_eq!(mine, want, "user{u:02}, conversation {c}");
        }
    }
    server.stop().await;
}
