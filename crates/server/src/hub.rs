//! The Hub: which connections on this node belong to which user, and the non-blocking hand-off of
//! pre-encoded frames to their bounded outgoing queues.
//!
//! A full queue never blocks the sender: the slow connection is told to close with 4008 and will
//! catch up after reconnecting.

use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use tern_proto::{CloseCode, SessionId, UserId};
use tokio::sync::{Notify, mpsc};

/// Asks one connection task to close with a given code.
#[derive(Default)]
pub struct Closer {
    code: AtomicU16,
    notify: Notify,
}

impl Closer {
    /// The first reason wins; later ones are ignored.
    pub fn close(&self, code: u16) {
        if self
            .code
            .compare_exchange(0, code, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            self.notify.notify_one();
        }
    }

    /// Resolves once `close` has been called; returns the code.
    pub async fn requested(&self) -> u16 {
        loop {
            let code = self.code.load(Ordering::Acquire);
            if code != 0 {
                return code;
            }
            self.notify.notified().await;
        }
    }
}

/// What the hub keeps for one live connection.
#[derive(Clone)]
pub struct ConnHandle {
    pub id: u64,
    pub user: UserId,
    pub session: SessionId,
    queue: mpsc::Sender<Utf8Bytes>,
    closer: Arc<Closer>,
}

impl ConnHandle {
    /// Queues a frame without waiting; a full queue closes the connection (4008).
    pub fn push(&self, frame: Utf8Bytes) {
        match self.queue.try_send(frame) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::info!(conn = self.id, user = %self.user, "outgoing queue full; closing");
                self.closer.close(CloseCode::TOO_SLOW);
            }
            // The connection is ending; it will catch up when it comes back.
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    pub fn close(&self, code: u16) {
        self.closer.close(code);
    }
}

#[derive(Default)]
pub struct Hub {
    by_user: RwLock<HashMap<UserId, Vec<ConnHandle>>>,
    next_id: AtomicU64,
}

impl Hub {
    /// Registers a connection; returns its handle (kept by the hub) plus the receiving end of its
    /// queue and its closer (kept by the connection task).
    pub fn register(
        &self,
        user: UserId,
        session: SessionId,
        capacity: usize,
    ) -> (ConnHandle, mpsc::Receiver<Utf8Bytes>, Arc<Closer>) {
        let (queue, rx) = mpsc::channel(capacity);
        let closer = Arc::new(Closer::default());
        let handle = ConnHandle {
            id: self.next_id.fetch_add(1, Ordering::Relaxed) + 1,
            user,
            session,
            queue,
            closer: closer.clone(),
        };
        self.write().entry(user).or_default().push(handle.clone());
        (handle, rx, closer)
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

    #[tokio::test]
    async fn delivers_to_all_connections_of_members_but_the_skipped_one() {
        let hub = Hub::default();
        let (a1, mut a1_rx, _) = hub.register(UserId(1), SessionId(1), 4);
        let (_a2, mut a2_rx, _) = hub.register(UserId(1), SessionId(2), 4);
        let (_b, mut b_rx, _) = hub.register(UserId(2), SessionId(3), 4);
        let (_c, mut c_rx, _) = hub.register(UserId(3), SessionId(4), 4);
        hub.deliver(&[UserId(1), UserId(2)], &"x".into(), Some(a1.id));
        assert!(a1_rx.try_recv().is_err());
        assert_eq!(a2_rx.try_recv().unwrap().as_str(), "x");
        assert_eq!(b_rx.try_recv().unwrap().as_str(), "x");
        assert!(c_rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_full_queue_asks_the_connection_to_close_as_too_slow() {
        let hub = Hub::default();
        let (_a, _rx, closer) = hub.register(UserId(1), SessionId(1), 1);
        hub.deliver(&[UserId(1)], &"1".into(), None);
        hub.deliver(&[UserId(1)], &"2".into(), None);
        assert_eq!(closer.requested().await, CloseCode::TOO_SLOW);
    }

    #[test]
    fn unregister_forgets_the_connection() {
        let hub = Hub::default();
        let (a, _rx, _) = hub.register(UserId(1), SessionId(1), 1);
        assert_eq!(hub.connection_count(), 1);
        hub.unregister(&a);
        assert_eq!(hub.connection_count(), 0);
    }
}
