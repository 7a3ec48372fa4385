//! The Hub: which connections on this node belong to which user, and the non-blocking hand-off of
//! pre-encoded frames to their bounded outgoing queues.
//!
//! A full queue never blocks the sender: the slow connection is told to close with 4008 and will
//! catch up after reconnecting.

use crate::delivery::outgoing::OutgoingQueue;
use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use tern_proto::{SessionId, UserId};

/// What the hub keeps for one live connection.
#[derive(Clone)]
pub struct ConnHandle {
    pub id: u64,
    pub user: UserId,
    pub session: SessionId,
    queue: Arc<OutgoingQueue>,
}

impl ConnHandle {
    /// Queues a frame without waiting; a full queue closes the connection (4008).
    pub fn push(&self, frame: Utf8Bytes) {
        if !self.queue.push(frame) {
            tracing::info!(conn = self.id, user = %self.user, "outgoing queue full; closing");
        }
    }

    /// A send from this connection is on its way to the Committer.
    pub fn send_started(&self) {
        self.queue.send_started();
    }

    /// A send that never reached the Committer (it is answered directly).
    pub fn send_abandoned(&self) {
        self.queue.send_abandoned();
    }

    /// The ack (or error) of one of this connection's sends; never closes the connection.
    pub fn push_ack(&self, frame: Utf8Bytes) {
        self.queue.push_ack(frame);
    }

    pub fn close(&self, code: u16) {
        self.queue.close(code);
    }
}

#[derive(Default)]
pub struct Hub {
    by_user: RwLock<HashMap<UserId, Vec<ConnHandle>>>,
    next_id: AtomicU64,
}

impl Hub {
    /// Registers a connection; returns its handle (also kept by the hub) and its queue, which
    /// holds at most `capacity` frames.
    pub fn register(
        &self,
        user: UserId,
        session: SessionId,
        capacity: usize,
    ) -> (ConnHandle, Arc<OutgoingQueue>) {
        let queue = Arc::new(OutgoingQueue::new(capacity));
        let handle = ConnHandle {
            id: self.next_id.fetch_add(1, Ordering::Relaxed) + 1,
            user,
            session,
            queue: queue.clone(),
        };
        self.write().entry(user).or_default().push(handle.clone());
        (handle, queue)
    }

    pub fn unregister(&self, handle: &ConnHandle) {
        let mut map = self.write();
        if let Some(conns) = map.get_mut(&handle.user) {
            conns.retain(|c| c.id != handle.id);
            if conns.is_empty() {
                map.remove(&handle.user);
            }
        }
    }

    /// Hands `frame` to every connection of every user in `users`, except connection `skip`.
    pub fn deliver(&self, users: &[UserId], frame: &Utf8Bytes, skip: Option<u64>) {
        let map = self.read();
        for user in users {
            for conn in map.get(user).into_iter().flatten() {
                if Some(conn.id) != skip {
                    conn.push(frame.clone());
                }
            }
        }
    }

    /// Hands `frame` to every connection on this node.
    pub fn broadcast(&self, frame: &Utf8Bytes) {
        for conn in self.read().values().flatten() {
            conn.push(frame.clone());
        }
    }

    /// Closes every connection that authenticated with `session` (after it was revoked).
    pub fn close_session(&self, user: UserId, session: SessionId, code: u16) {
        for conn in self.read().get(&user).into_iter().flatten() {
            if conn.session == session {
                conn.close(code);
            }
        }
    }

    /// Whether `user` has a connection on this node.
    pub fn is_connected(&self, user: UserId) -> bool {
        self.read().contains_key(&user)
    }

    /// The users connected to this node.
    pub fn connected_users(&self) -> Vec<UserId> {
        self.read().keys().copied().collect()
    }

    /// The sessions each connected user is connected with.
    pub fn connected_sessions(&self) -> Vec<(UserId, Vec<SessionId>)> {
        self.read()
            .iter()
            .map(|(user, conns)| (*user, conns.iter().map(|c| c.session).collect()))
            .collect()
    }

    pub fn connection_count(&self) -> usize {
        self.read().values().map(Vec::len).sum()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<UserId, Vec<ConnHandle>>> {
        // A panic while holding the lock cannot leave the map half-updated (every update is a
        // single push/retain), so a poisoned lock is still safe to use.
        self.by_user.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<UserId, Vec<ConnHandle>>> {
        self.by_user.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::outgoing::Next;
    use tern_proto::CloseCode;

    /// What a connection's queue holds now, without waiting.
    async fn queued(queue: &OutgoingQueue) -> Vec<String> {
        queue.push("end".into());
        match queue.next().await {
            Next::Frames(f) => f
                .iter()
                .map(|f| f.as_str().to_owned())
                .take_while(|f| f != "end")
                .collect(),
            Next::Close(code) => panic!("closed with {code}"),
        }
    }

    #[tokio::test]
    async fn delivers_to_all_connections_of_members_but_the_skipped_one() {
        let hub = Hub::default();
        let (a1, a1_out) = hub.register(UserId(1), SessionId(1), 4);
        let (_a2, a2_out) = hub.register(UserId(1), SessionId(2), 4);
        let (_b, b_out) = hub.register(UserId(2), SessionId(3), 4);
        let (_c, c_out) = hub.register(UserId(3), SessionId(4), 4);
        hub.deliver(&[UserId(1), UserId(2)], &"x".into(), Some(a1.id));
        assert!(queued(&a1_out).await.is_empty());
        assert_eq!(queued(&a2_out).await, ["x"]);
        assert_eq!(queued(&b_out).await, ["x"]);
        assert!(queued(&c_out).await.is_empty());
    }

    #[tokio::test]
    async fn a_full_queue_asks_the_connection_to_close_as_too_slow() {
        let hub = Hub::default();
        let (_a, queue) = hub.register(UserId(1), SessionId(1), 1);
        hub.deliver(&[UserId(1)], &"1".into(), None);
        hub.deliver(&[UserId(1)], &"2".into(), None);
        assert!(matches!(
            queue.next().await,
            Next::Close(CloseCode::TOO_SLOW)
        ));
    }

    #[test]
    fn unregister_forgets_the_connection() {
        let hub = Hub::default();
        let (a, _outbox) = hub.register(UserId(1), SessionId(1), 1);
        assert_eq!(hub.connection_count(), 1);
        hub.unregister(&a);
        assert_eq!(hub.connection_count(), 0);
    }
}
