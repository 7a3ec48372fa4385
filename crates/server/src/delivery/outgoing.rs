//! A connection's outgoing queue: the bounded queue of pre-encoded frames waiting to be written to its
//! socket, and the request to close it. Senders never wait; the connection task takes whatever
//! has piled up in one go.
//!
//! It is one small allocation per connection that holds no frame storage while empty: an idle
//! connection costs ~100 bytes here, where a channel would keep a block of slots.
//!
//! Two kinds of frames share the queue, in order, under different rules:
//! - **pushed** frames (events, read moves, typing) that others cause: at most `capacity` may
//!   wait; one more means the client does not keep up, and it is closed with 4008;
//! - **acks** (and errors) answering this connection's own sends: they never close it. Instead
//!   at most `capacity` sends may wait for their ack; past that the connection stops reading
//!   the client's frames until acks have been written, so a client that pipelines faster than
//!   it reads is slowed down by TCP rather than dropped.

use axum::extract::ws::Utf8Bytes;
use std::collections::VecDeque;
use std::sync::Mutex;
use tern_proto::CloseCode;
use tokio::sync::Notify;

pub struct OutgoingQueue {
    state: Mutex<State>,
    ready: Notify,
    capacity: usize,
}

#[derive(Default)]
struct State {
    frames: VecDeque<Utf8Bytes>,
    /// Pushed frames among `frames` (acks are not counted).
    pushed: usize,
    /// Sends read from this connection whose ack has not been queued yet.
    sends_waiting: usize,
    /// The first close request; it wins over frames still queued.
    close: Option<u16>,
}

/// What the connection task should do next.
#[derive(Debug)]
pub enum Next {
    /// Write these, in order.
    Frames(VecDeque<Utf8Bytes>),
    /// Close the connection with this code.
    Close(u16),
}

impl OutgoingQueue {
    /// An queue that holds at most `capacity` frames.
    pub fn new(capacity: usize) -> OutgoingQueue {
        OutgoingQueue {
            state: Mutex::new(State::default()),
            ready: Notify::new(),
            capacity: capacity.max(1),
        }
    }

    /// Queues a frame without waiting. A full queue means the client cannot keep up: the
    /// frame is dropped and the connection asked to close as too slow (it catches up later).
    /// Returns false in that case.
    pub fn push(&self, frame: Utf8Bytes) -> bool {
        let mut state = self.lock();
        if state.close.is_some() {
            return true;
        }
        if state.pushed >= self.capacity {
            state.close = Some(CloseCode::TOO_SLOW);
            drop(state);
            self.ready.notify_one();
            return false;
        }
        state.pushed += 1;
        state.frames.push_back(frame);
        drop(state);
        self.ready.notify_one();
        true
    }

    /// Notes a send read from this connection; its ack (or error) comes through `push_ack`.
    pub fn send_started(&self) {
        self.lock().sends_waiting += 1;
    }

    /// Forgets a send that will get no ack through here.
    pub fn send_abandoned(&self) {
        let mut state = self.lock();
        state.sends_waiting = state.sends_waiting.saturating_sub(1);
    }

    /// Queues the answer to one of this connection's sends. Never closes the connection: the
    /// number of these is bounded by `may_read`.
    pub fn push_ack(&self, frame: Utf8Bytes) {
        let mut state = self.lock();
        state.sends_waiting = state.sends_waiting.saturating_sub(1);
        if state.close.is_none() {
            state.frames.push_back(frame);
        }
        drop(state);
        self.ready.notify_one();
    }

    /// Whether the connection may read another frame from its client: false while `capacity`
    /// sends wait for their acks. Each ack wakes `next`, after which this is asked again.
    pub fn may_read(&self) -> bool {
        self.lock().sends_waiting < self.capacity
    }

    /// Asks the connection to close with `code`; the first request wins.
    pub fn close(&self, code: u16) {
        let mut state = self.lock();
        if state.close.is_none() {
            state.close = Some(code);
            drop(state);
            self.ready.notify_one();
        }
    }

    /// Waits until there is something to do. For the one connection task only: a single
    /// stored wake-up (`notify_one`) is enough because nobody else waits.
    pub async fn next(&self) -> Next {
        loop {
            {
                let mut state = self.lock();
                if let Some(code) = state.close {
                    return Next::Close(code);
                }
                if !state.frames.is_empty() {
                    state.pushed = 0;
                    return Next::Frames(std::mem::take(&mut state.frames));
                }
            }
            self.ready.notified().await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Every update is a single push, take or assignment, so a poisoned state is whole.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(next: Next) -> Vec<String> {
        match next {
            Next::Frames(frames) => frames.iter().map(|f| f.as_str().to_owned()).collect(),
            Next::Close(code) => panic!("closed with {code}"),
        }
    }

    #[tokio::test]
    async fn frames_come_out_together_and_in_order() {
        let queue = OutgoingQueue::new(8);
        assert!(queue.push("1".into()));
        assert!(queue.push("2".into()));
        assert_eq!(texts(queue.next().await), ["1", "2"]);
        queue.push("3".into());
        assert_eq!(texts(queue.next().await), ["3"]);
    }

    #[tokio::test]
    async fn acks_never_overflow_but_hold_reading_back() {
        let queue = OutgoingQueue::new(2);
        for _ in 0..3 {
            queue.send_started();
        }
        assert!(!queue.may_read(), "two sends wait: no third frame is read");
        for n in ["a1", "a2", "a3"] {
            queue.push_ack(n.into());
        }
        assert!(queue.may_read());
        assert!(queue.push("e1".into()), "acks leave room for pushed frames");
        assert!(queue.push("e2".into()));
        assert_eq!(texts(queue.next().await), ["a1", "a2", "a3", "e1", "e2"]);
        assert!(queue.push("e3".into()), "writing out makes room again");
    }

    #[tokio::test]
    async fn a_waiting_task_wakes_for_a_later_push() {
        let queue = std::sync::Arc::new(OutgoingQueue::new(8));
        let waiter = tokio::spawn({
            let queue = queue.clone();
            async move { texts(queue.next().await) }
        });
        tokio::task::yield_now().await;
        queue.push("late".into());
        assert_eq!(waiter.await.unwrap(), ["late"]);
    }

    #[tokio::test]
    async fn a_full_outbox_closes_as_too_slow_and_the_first_close_wins() {
        let queue = OutgoingQueue::new(1);
        assert!(queue.push("1".into()));
        assert!(!queue.push("2".into()), "over capacity");
        queue.close(CloseCode::UNAUTHORIZED);
        assert!(matches!(
            queue.next().await,
            Next::Close(CloseCode::TOO_SLOW)
        ));
    }
}
