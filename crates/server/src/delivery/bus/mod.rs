//! The Bus: how what one node commits reaches the connections that care, on this node directly
//! and on the other nodes through Redis (when `redis_url` is set).
//!
//! The bus is at-most-once and fast; correctness comes from seqs and catch-up, never from it.
//! When Redis is unreachable, nodes keep committing and delivering locally; once it is back,
//! every node tells its clients to `sync` (the `resync` frame) so nothing stays missed.

mod envelope;
mod redis;

use crate::delivery::committer::encode;
use crate::delivery::hub::Hub;
use crate::delivery::members::MemberCache;
use crate::receipts::Privacy;
use axum::extract::ws::Utf8Bytes;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tern_proto::{CloseCode, ConvId, ServerFrame, SessionId, UserId, UserSettings};
use tern_store::Store;

pub use self::redis::RedisSettings;

/// What travels between nodes. Frames are encoded once by the publishing node.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Publication {
    /// To every connection of every member of `conv`: a new event, or an ephemeral frame
    /// (typing) that is never stored.
    ToMembers { conv: ConvId, frame: String },
    /// A membership event: to `notify` (members after the change and anyone it removed); every
    /// node also forgets its cached member list of `conv`.
    Membership {
        conv: ConvId,
        frame: String,
        notify: Vec<UserId>,
        added: Vec<UserId>,
        removed: Vec<UserId>,
    },
    /// A frame for every connection of one user (e.g. their read position moved).
    ToUser { user: UserId, frame: String },
    /// Read positions that moved in `conv`: to the members who share theirs.
    Receipts { conv: ConvId, frame: String },
    /// `user` changed their settings: every node notes whether they share receipts, and their
    /// connections get the `settings` frame.
    Settings {
        user: UserId,
        settings: UserSettings,
    },
    /// A session was revoked: close its connections with 4001.
    CloseSession { user: UserId, session: SessionId },
    /// Something published may have been lost (Redis was unreachable): clients should `sync`.
    Resync,
}

pub struct Bus {
    hub: Arc<Hub>,
    members: MemberCache,
    privacy: Arc<Privacy>,
    store: Arc<dyn Store>,
    redis: Option<redis::RedisBus>,
}

impl Bus {
    /// A bus for one node; with `redis`, it also connects this node to the others.
    pub fn new(
        hub: Arc<Hub>,
        store: Arc<dyn Store>,
        privacy: Arc<Privacy>,
        redis: Option<RedisSettings>,
    ) -> Arc<Bus> {
        Arc::new_cyclic(|me| Bus {
            hub,
            members: MemberCache::new(store.clone()),
            privacy,
            store,
            redis: redis.map(|settings| redis::RedisBus::start(settings, me.clone())),
        })
    }

    /// Delivers to this node's connections now (skipping connection `skip`), and hands the
    /// message to Redis for the other nodes without waiting.
    pub async fn publish(&self, publication: Publication, skip: Option<u64>) {
        self.deliver_local(&publication, skip).await;
        if let Some(redis) = &self.redis {
            redis.publish(publication);
        }
    }

    /// A user's first (or another) connection on this node: with Redis, waits until this node
    /// is subscribed to everything that user needs, so nothing committed after the client's
    /// first sync can pass this node by.
    pub async fn connected(&self, user: UserId) {
        let Some(redis) = &self.redis else { return };
        match self.store.conversation_ids(user).await {
            Ok(convs) => {
                if let Some(late) = redis.user_online(user, convs).await {
                    // Subscribed late (a slow Redis): what other nodes published meanwhile
                    // passed this node by, so the user's connections here catch up once the
                    // subscription is in place.
                    let hub = self.hub.clone();
                    tokio::spawn(async move {
                        if late.await.is_ok() {
                            hub.deliver(&[user], &encode(&ServerFrame::Resync), None);
                        }
                    });
                }
            }
            Err(e) => tracing::warn!(%user, error = %e, "cannot load conversations to subscribe"),
        }
    }

    pub fn disconnected(&self, user: UserId) {
        if let Some(redis) = &self.redis {
            redis.user_offline(user);
        }
    }

    /// After publications may have been lost (Redis was unreachable, a queue overflowed): puts
    /// back from the database what they would have changed on this node, then tells local
    /// clients to `sync`. The member cache starts over (a removed member must not keep
    /// receiving a group's messages), connections of revoked sessions are closed and who
    /// shares receipts is read again.
    pub async fn repair(&self) {
        self.members.reset(true);
        self.reload_privacy().await;
        self.close_revoked_sessions().await;
        self.hub.broadcast(&encode(&ServerFrame::Resync));
    }

    /// Reads again who shares read receipts (a change published before this node listened).
    pub async fn reload_privacy(&self) {
        if let Err(e) = self.privacy.reload(self.store.as_ref()).await {
            tracing::warn!(error = %e, "cannot reload who shares read receipts");
        }
    }

    /// None while the bus works (or there is no Redis); otherwise why not (for `/readyz`).
    pub fn problem(&self) -> Option<&'static str> {
        match &self.redis {
            Some(redis) if redis.stopped() => Some("stopped"),
            _ => None,
        }
    }

    /// The link to the other nodes is down: membership changes may be missed until `repair`,
    /// so the member cache is bypassed meanwhile.
    pub fn link_lost(&self) {
        self.members.reset(false);
    }

    async fn close_revoked_sessions(&self) {
        for (user, connected) in self.hub.connected_sessions() {
            match self.store.sessions(user).await {
                Ok(valid) => {
                    for session in connected {
                        if !valid.iter().any(|s| s.id == session) {
                            tracing::info!(%user, %session, "closing a session revoked meanwhile");
                            self.hub
                                .close_session(user, session, CloseCode::UNAUTHORIZED);
                        }
                    }
                }
                Err(e) => tracing::warn!(%user, error = %e, "cannot re-check sessions"),
            }
        }
    }

    /// Whether `user` is a current member of `conv` (from the fan-out cache).
    pub async fn is_member(&self, conv: ConvId, user: UserId) -> bool {
        self.members
            .get(conv)
            .await
            .is_some_and(|m| m.contains(&user))
    }

    /// Hands a message to this node's connections.
    async fn deliver_local(&self, publication: &Publication, skip: Option<u64>) {
        match publication {
            Publication::ToMembers { conv, frame } => {
                if let Some(members) = self.members.get(*conv).await {
                    self.hub
                        .deliver(&members, &Utf8Bytes::from(frame.as_str()), skip);
                }
            }
            Publication::Membership {
                conv,
                frame,
                notify,
                added,
                removed,
            } => {
                self.members.invalidate(*conv);
                if let Some(redis) = &self.redis {
                    redis.membership_changed(*conv, added, removed);
                }
                self.hub
                    .deliver(notify, &Utf8Bytes::from(frame.as_str()), skip);
            }
            Publication::ToUser { user, frame } => {
                self.hub
                    .deliver(&[*user], &Utf8Bytes::from(frame.as_str()), skip);
            }
            Publication::Receipts { conv, frame } => {
                if let Some(members) = self.members.get(*conv).await {
                    let frame = Utf8Bytes::from(frame.as_str());
                    if self.privacy.nobody_hides() {
                        self.hub.deliver(&members, &frame, skip);
                    } else {
                        self.hub
                            .deliver(&self.privacy.sharing(&members), &frame, skip);
                    }
                }
            }
            Publication::Settings { user, settings } => {
                self.privacy.set(*user, settings.share_receipts);
                let frame = encode(&ServerFrame::Settings {
                    settings: *settings,
                });
                self.hub.deliver(&[*user], &frame, skip);
            }
            Publication::CloseSession { user, session } => {
                self.hub
                    .close_session(*user, *session, CloseCode::UNAUTHORIZED);
            }
            Publication::Resync => self.hub.broadcast(&encode(&ServerFrame::Resync)),
        }
    }
}
