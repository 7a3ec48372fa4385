//! The Redis side of the Bus: one publisher task and one subscriber task per node.
//!
//! Routing: a node subscribes to `{prefix}:c:{conv}` for every conversation one of its
//! connected users is in, `{prefix}:u:{user}` for every connected user, and `{prefix}:all`.
//! An event is published once, to its conversation's channel, and Redis hands it only to the
//! nodes subscribed to it; a node with no interested connection never sees it. Membership
//! changes go to `all`, because every node must drop its cached member list.
//!
//! Order: one publisher connection per node and one subscriber connection per node, so events
//! from one node reach another in the order they were committed there.
//!
//! Loss: whatever cannot be published (Redis down, the publish queue full) is dropped, and the
//! node publishes `resync` once it can. A node whose subscription was down, or that hears
//! `resync`, or that dropped one of its own subscription changes, rebuilds its subscriptions
//! from the database and the Hub and repairs what lost messages would have changed
//! (`Bus::repair`): nothing the bus carries is trusted to have arrived.

use super::{Bus, Publication, envelope};
use futures_util::StreamExt;
use redis::aio::ConnectionManager;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tern_proto::{ConvId, UserId};
use tokio::sync::{mpsc, oneshot};

/// Publications waiting to go to Redis; beyond this they are dropped (and a resync follows).
const PUBLISH_QUEUE: usize = 65_536;
/// Publications sent to Redis in one pipeline, at most.
const PUBLISH_BATCH: usize = 256;
const INTEREST_QUEUE: usize = 4096;
/// How long connecting to, or an answer from, Redis may take before it counts as down.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);
/// Pause between attempts to reach Redis while it is down.
const RETRY: Duration = Duration::from_millis(500);

#[derive(Clone, Debug)]
pub struct RedisSettings {
    pub url: String,
    pub prefix: String,
}

enum Interest {
    Online {
        user: UserId,
        convs: Vec<ConvId>,
        done: oneshot::Sender<()>,
    },
    Offline {
        user: UserId,
    },
    Membership {
        conv: ConvId,
        added: Vec<UserId>,
        removed: Vec<UserId>,
    },
}

pub(super) struct RedisBus {
    outgoing: mpsc::Sender<Publication>,
    interest: mpsc::Sender<Interest>,
    /// Set when a publication could not even be queued.
    publish_lost: Arc<AtomicBool>,
    /// Set when a subscription change could not be queued.
    interest_lost: Arc<AtomicBool>,
    /// Set when the publisher or the subscriber has ended: cross-node delivery is over.
    stopped: Arc<AtomicBool>,
}

impl RedisBus {
    pub(super) fn start(settings: RedisSettings, bus: Weak<Bus>) -> RedisBus {
        let node = rand::random::<u64>();
        let (outgoing, outgoing_rx) = mpsc::channel(PUBLISH_QUEUE);
        let (interest, interest_rx) = mpsc::channel(INTEREST_QUEUE);
        let channels = Channels {
            prefix: settings.prefix.clone(),
        };
        let publish_lost = Arc::new(AtomicBool::new(false));
        let interest_lost = Arc::new(AtomicBool::new(false));
        let stopped = Arc::new(AtomicBool::new(false));
        supervise(
            "publisher",
            stopped.clone(),
            publish_loop(
                settings.url.clone(),
                node,
                channels.clone(),
                outgoing_rx,
                publish_lost.clone(),
            ),
        );
        supervise(
            "subscriber",
            stopped.clone(),
            subscribe_loop(
                settings.url,
                node,
                channels,
                bus,
                interest_rx,
                interest_lost.clone(),
            ),
        );
        RedisBus {
            outgoing,
            interest,
            publish_lost,
            interest_lost,
            stopped,
        }
    }

    /// Whether the publisher or the subscriber has ended (a bug, or a URL it cannot use).
    pub(super) fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    pub(super) fn publish(&self, publication: Publication) {
        if self.outgoing.try_send(publication).is_err() {
            self.publish_lost.store(true, Ordering::Relaxed);
            tracing::warn!("redis publish queue full; publication dropped (nodes will resync)");
        }
    }

    /// Asks for the user's channels and waits (at most `REDIS_TIMEOUT`) until they are
    /// subscribed. When that takes longer, returns what says it is done at last: whatever was
    /// published meanwhile has passed this node by.
    pub(super) async fn user_online(
        &self,
        user: UserId,
        convs: Vec<ConvId>,
    ) -> Option<oneshot::Receiver<()>> {
        let (done, mut wait) = oneshot::channel();
        let sent = self
            .interest
            .send(Interest::Online { user, convs, done })
            .await;
        if sent.is_err() {
            return None;
        }
        // Down or slow Redis must not hold the connection up.
        match tokio::time::timeout(REDIS_TIMEOUT, &mut wait).await {
            Ok(_) => None,
            Err(_) => Some(wait),
        }
    }

    pub(super) fn user_offline(&self, user: UserId) {
        self.interest_now(Interest::Offline { user });
    }

    pub(super) fn membership_changed(&self, conv: ConvId, added: &[UserId], removed: &[UserId]) {
        self.interest_now(Interest::Membership {
            conv,
            added: added.to_vec(),
            removed: removed.to_vec(),
        });
    }

    fn interest_now(&self, interest: Interest) {
        if self.interest.try_send(interest).is_err() {
            self.interest_lost.store(true, Ordering::Relaxed);
            tracing::warn!("redis interest queue full; subscriptions will be rebuilt");
        }
    }
}

/// Runs one of the Redis loops. Both run for the node's life; if one ends (a panic, or a URL
/// the client cannot use), `stopped` is set and `/readyz` turns 503: the node would go on
/// without the other nodes' live events, which is no state to be sent users in.
fn supervise(
    name: &'static str,
    stopped: Arc<AtomicBool>,
    task: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let handle = tokio::spawn(task);
    tokio::spawn(async move {
        let ended = handle.await;
        stopped.store(true, Ordering::Relaxed);
        match ended {
            Err(e) if e.is_panic() => {
                tracing::error!("the redis {name} panicked; cross-node delivery stopped")
            }
            _ => tracing::debug!("the redis {name} ended"),
        }
    });
}

#[derive(Clone)]
struct Channels {
    prefix: String,
}

impl Channels {
    fn all(&self) -> String {
        format!("{}:all", self.prefix)
    }
    fn conv(&self, conv: ConvId) -> String {
        format!("{}:c:{conv}", self.prefix)
    }
    fn user(&self, user: UserId) -> String {
        format!("{}:u:{user}", self.prefix)
    }
    fn of(&self, publication: &Publication) -> String {
        match publication {
            Publication::ToMembers { conv, .. } | Publication::Receipts { conv, .. } => {
                self.conv(*conv)
            }
            Publication::ToUser { user, .. } | Publication::CloseSession { user, .. } => {
                self.user(*user)
            }
            Publication::Membership { .. } | Publication::Settings { .. } | Publication::Resync => {
                self.all()
            }
        }
    }
}

async fn connect_manager(url: &str) -> redis::RedisResult<ConnectionManager> {
    let client = redis::Client::open(url)?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(REDIS_TIMEOUT))
        .set_response_timeout(Some(REDIS_TIMEOUT))
        .set_number_of_retries(1);
    client.get_connection_manager_with_config(config).await
}

/// Publishes in commit order over one connection. Whatever queued up meanwhile goes out as one
/// pipeline: one write and one read for the lot, not a round trip per message.
async fn publish_loop(
    url: String,
    node: u64,
    channels: Channels,
    mut outgoing: mpsc::Receiver<Publication>,
    dropped: Arc<AtomicBool>,
) {
    let mut conn: Option<ConnectionManager> = None;
    // Set when something could not be published; cleared by publishing a resync.
    let mut lost = false;
    let mut retry = tokio::time::interval(RETRY);
    let mut batch = Vec::with_capacity(PUBLISH_BATCH);
    loop {
        batch.clear();
        tokio::select! {
            n = outgoing.recv_many(&mut batch, PUBLISH_BATCH) => if n == 0 { return },
            _ = retry.tick(), if lost => {}
        }
        lost |= dropped.swap(false, Ordering::Relaxed);
        if conn.is_none() {
            conn = connect_manager(&url).await.ok();
        }
        let Some(c) = conn.as_mut() else {
            lost = true;
            continue;
        };
        if lost && publish(c, node, &channels, &[Publication::Resync]).await {
            tracing::info!("redis reachable again; other nodes told to resync");
            lost = false;
        }
        if !batch.is_empty() && !publish(c, node, &channels, &batch).await {
            lost = true;
        }
    }
}

/// Publishes `messages` as one pipeline; false if Redis did not take them.
async fn publish(
    c: &mut ConnectionManager,
    node: u64,
    channels: &Channels,
    publications: &[Publication],
) -> bool {
    let mut pipe = redis::pipe();
    for publication in publications {
        match envelope::encode(node, publication) {
            Ok(payload) => {
                pipe.publish(channels.of(publication), payload).ignore();
            }
            Err(e) => tracing::error!(error = %e, "cannot encode a publication"),
        }
    }
    match pipe.exec_async(c).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "redis publish failed; cross-node delivery degraded");
            false
        }
    }
}

/// Which channels this node needs, from which users are connected here.
#[derive(Default)]
struct Wanted {
    /// The connected users and the conversations each is in.
    users: HashMap<UserId, HashSet<ConvId>>,
    /// Connected users per conversation.
    convs: HashMap<ConvId, usize>,
}

impl Wanted {
    /// Applies a change; returns the channels to subscribe to and to unsubscribe from.
    /// `connected` says whether a user still has a connection here (the Hub is the truth;
    /// counting connections here could drift whenever a change is dropped).
    fn apply(
        &mut self,
        interest: &Interest,
        ch: &Channels,
        connected: impl Fn(UserId) -> bool,
    ) -> (Vec<String>, Vec<String>) {
        let (mut sub, mut unsub) = (Vec::new(), Vec::new());
        match interest {
            Interest::Online { user, convs, .. } => {
                if !self.users.contains_key(user) {
                    self.add_user(*user, convs.iter().copied(), ch, &mut sub);
                }
            }
            Interest::Offline { user } => {
                if !connected(*user)
                    && let Some(convs) = self.users.remove(user)
                {
                    unsub.push(ch.user(*user));
                    for conv in convs {
                        if bump(&mut self.convs, conv, -1) {
                            unsub.push(ch.conv(conv));
                        }
                    }
                }
            }
            Interest::Membership {
                conv,
                added,
                removed,
            } => {
                for user in added {
                    if let Some(convs) = self.users.get_mut(user)
                        && convs.insert(*conv)
                        && bump(&mut self.convs, *conv, 1)
                    {
                        sub.push(ch.conv(*conv));
                    }
                }
                for user in removed {
                    if let Some(convs) = self.users.get_mut(user)
                        && convs.remove(conv)
                        && bump(&mut self.convs, *conv, -1)
                    {
                        unsub.push(ch.conv(*conv));
                    }
                }
            }
        }
        (sub, unsub)
    }

    fn add_user(
        &mut self,
        user: UserId,
        convs: impl IntoIterator<Item = ConvId>,
        ch: &Channels,
        sub: &mut Vec<String>,
    ) {
        sub.push(ch.user(user));
        let entry = self.users.entry(user).or_default();
        for conv in convs {
            if entry.insert(conv) && bump(&mut self.convs, conv, 1) {
                sub.push(ch.conv(conv));
            }
        }
    }

    fn channels(&self, ch: &Channels) -> Vec<String> {
        let mut all = vec![ch.all()];
        all.extend(self.users.keys().map(|u| ch.user(*u)));
        all.extend(self.convs.keys().map(|c| ch.conv(*c)));
        all
    }

    /// Starts over from the Hub (who is connected) and the database (their conversations);
    /// returns the channels to subscribe to and to unsubscribe from.
    async fn rebuild(&mut self, bus: &Bus, ch: &Channels) -> (Vec<String>, Vec<String>) {
        let before: HashSet<String> = self.channels(ch).into_iter().collect();
        let mut fresh = Wanted::default();
        let mut ignored = Vec::new();
        for user in bus.hub.connected_users() {
            match bus.store.conversation_ids(user).await {
                Ok(convs) => fresh.add_user(user, convs, ch, &mut ignored),
                Err(e) => {
                    tracing::warn!(%user, error = %e, "cannot reload conversations; kept");
                    let old = self.users.get(&user).into_iter().flatten().copied();
                    fresh.add_user(user, old.collect::<Vec<_>>(), ch, &mut ignored);
                }
            }
        }
        *self = fresh;
        let after: HashSet<String> = self.channels(ch).into_iter().collect();
        (
            after.difference(&before).cloned().collect(),
            before.difference(&after).cloned().collect(),
        )
    }
}

/// Adds `delta` to a counter; true when it went from 0 to 1 or from 1 to 0.
fn bump(counts: &mut HashMap<ConvId, usize>, conv: ConvId, delta: isize) -> bool {
    let n = counts.entry(conv).or_default();
    let before = *n;
    *n = n.saturating_add_signed(delta);
    let after = *n;
    if after == 0 {
        counts.remove(&conv);
    }
    (before == 0) != (after == 0)
}

async fn subscribe_loop(
    url: String,
    node: u64,
    channels: Channels,
    bus: Weak<Bus>,
    mut interest: mpsc::Receiver<Interest>,
    interest_lost: Arc<AtomicBool>,
) {
    let mut wanted = Wanted::default();
    let mut first = true;
    let connected = |user: UserId| bus.upgrade().is_some_and(|b| b.hub.is_connected(user));
    loop {
        let pubsub = match redis::Client::open(url.as_str()) {
            Ok(client) => tokio::time::timeout(REDIS_TIMEOUT, client.get_async_pubsub()).await,
            Err(e) => {
                tracing::error!(error = %e, "bad redis url");
                return;
            }
        };
        let (mut sink, mut stream) = match pubsub {
            Ok(Ok(p)) => p.split(),
            _ => {
                // Down: keep track of interest meanwhile, then try again.
                let pause = tokio::time::sleep(RETRY);
                tokio::pin!(pause);
                loop {
                    tokio::select! {
                        _ = &mut pause => break,
                        i = interest.recv() => match i {
                            Some(i) => { wanted.apply(&i, &channels, connected); done(i); }
                            None => return,
                        },
                    }
                }
                continue;
            }
        };
        if !first {
            // Whatever was published meanwhile is lost to this node: start from the truth.
            let Some(bus) = bus.upgrade() else { return };
            wanted.rebuild(&bus, &channels).await;
        }
        if let Err(e) = sink.subscribe(wanted.channels(&channels)).await {
            tracing::warn!(error = %e, "redis subscribe failed");
            continue;
        }
        if !first {
            tracing::info!("redis subscription restored; repairing and telling clients to resync");
            let Some(bus) = bus.upgrade() else { return };
            bus.repair().await;
        } else {
            // A settings change another node published before this one listened.
            let Some(bus) = bus.upgrade() else { return };
            bus.reload_privacy().await;
        }
        first = false;
        loop {
            if interest_lost.swap(false, Ordering::Relaxed) {
                let Some(bus) = bus.upgrade() else { return };
                let (sub, unsub) = wanted.rebuild(&bus, &channels).await;
                if !resubscribe(&mut sink, sub, unsub).await {
                    break;
                }
            }
            tokio::select! {
                message = stream.next() => {
                    let Some(message) = message else {
                        tracing::warn!("redis subscription lost; cross-node delivery degraded");
                        if let Some(bus) = bus.upgrade() {
                            bus.link_lost();
                        }
                        break;
                    };
                    let payload = message.get_payload_bytes();
                    if envelope::origin_of(payload) == Some(node) {
                        continue;
                    }
                    let Some(publication) = envelope::decode(payload) else {
                        tracing::warn!(channel = message.get_channel_name(), "unreadable publication");
                        continue;
                    };
                    let Some(bus) = bus.upgrade() else { return };
                    if let Publication::Resync = publication {
                        // Another node lost messages: some may have been for this one.
                        let (sub, unsub) = wanted.rebuild(&bus, &channels).await;
                        let ok = resubscribe(&mut sink, sub, unsub).await;
                        bus.repair().await;
                        if !ok {
                            break;
                        }
                        continue;
                    }
                    bus.deliver_local(&publication, None).await;
                }
                i = interest.recv() => {
                    let Some(i) = i else { return };
                    let (sub, unsub) = wanted.apply(&i, &channels, connected);
                    let ok = resubscribe(&mut sink, sub, unsub).await;
                    done(i);
                    if !ok {
                        break;
                    }
                }
            }
        }
    }
}

/// Applies a subscription change; false if Redis did not take it (the link is then redone).
async fn resubscribe(
    sink: &mut redis::aio::PubSubSink,
    sub: Vec<String>,
    unsub: Vec<String>,
) -> bool {
    (sub.is_empty() || sink.subscribe(sub).await.is_ok())
        && (unsub.is_empty() || sink.unsubscribe(unsub).await.is_ok())
}

/// Tells a waiting `user_online` that its subscriptions are in place (or given up on).
fn done(interest: Interest) {
    if let Interest::Online { done, .. } = interest {
        let _ = done.send(());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_follow_connected_users_and_their_conversations() {
        let ch = Channels { prefix: "t".into() };
        let mut w = Wanted::default();
        let online = |user, convs: &[i64]| Interest::Online {
            user: UserId(user),
            convs: convs.iter().map(|&c| ConvId(c)).collect(),
            done: oneshot::channel().0,
        };
        let gone = |_| false;
        let (sub, _) = w.apply(&online(1, &[10, 11]), &ch, gone);
        assert_eq!(sub, ["t:u:1", "t:c:10", "t:c:11"]);
        let (sub, _) = w.apply(&online(2, &[11]), &ch, gone);
        assert_eq!(sub, ["t:u:2"], "conversation 11 is already subscribed");
        let (sub, _) = w.apply(&online(1, &[10, 11]), &ch, gone);
        assert!(sub.is_empty(), "a second device changes nothing");
        let added = Interest::Membership {
            conv: ConvId(12),
            added: vec![UserId(2), UserId(9)],
            removed: vec![UserId(1)],
        };
        let (sub, unsub) = w.apply(&added, &ch, gone);
        assert_eq!(sub, ["t:c:12"]);
        assert!(unsub.is_empty(), "user 1 was not in 12");
        let offline = Interest::Offline { user: UserId(2) };
        let (_, unsub) = w.apply(&offline, &ch, |_| true);
        assert!(unsub.is_empty(), "user 2 still has a connection here");
        let (_, unsub) = w.apply(&offline, &ch, gone);
        assert_eq!(unsub.len(), 2, "t:u:2 and t:c:12; 11 still has user 1");
        assert!(unsub.contains(&"t:c:12".to_string()));
    }
}
